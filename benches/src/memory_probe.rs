//! Memory per tracked user, measured with a counting global allocator (allocated bytes,
//! not RSS). Prints bytes per user and per message for growing generated inputs, then the
//! bytes per inactive user once an expiry dropped every user's history.
//!
//! `cargo run --release -p convolens-benches --bin memory_probe`

use convolens::{Config, Engine};
use convolens_benches::{Counting, live};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes allocated now (the counter cannot go below zero here: nothing is freed that was
/// not counted).
fn live_bytes() -> usize {
    usize::try_from(live()).unwrap_or(0)
}

fn main() {
    println!(
        "{:>8} {:>10} {:>12} {:>14} {:>12}",
        "users", "messages", "state bytes", "bytes/user", "bytes/msg"
    );
    let mut rows = Vec::new();
    for users in [500u32, 2_000, 8_000] {
        let data = convolens_benches::traffic(users, 61);
        let before = live_bytes();
        let mut e = Engine::new(Config::default()).expect("config");
        e.ingest_reader(&data[..]).expect("read");
        let after = live_bytes();
        let n_users = convolens::internals::live_users(&e);
        let n_msgs = convolens::internals::message_slots(&e).1;
        let bytes = after.saturating_sub(before);
        println!(
            "{:>8} {:>10} {:>12} {:>14.1} {:>12.1}",
            n_users,
            n_msgs,
            bytes,
            bytes as f64 / n_users.max(1) as f64,
            bytes as f64 / n_msgs.max(1) as f64
        );
        // Then everyone goes quiet: one message 60 days later from a new user, and an
        // expiry drops every other user's history (see `convolens::expiry`). What stays per
        // user is the identity table and each user's carry; the sealed day aggregates are
        // measured apart (by cloning them) since they grow with days, not users.
        let tick = convolens::internals::max_ts(&e).unwrap_or(0) + 60 * 86_400;
        e.ingest_str(&format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"probe"}},"contacts":[{{"wa_id":"19990000001"}}],"messages":[{{"from":"19990000001","id":"wamid.probe","timestamp":"{tick}","type":"text","text":{{"body":"hi"}}}}]}}}}]}}]}}"#
        ))
        .expect("probe message");
        e.expire().expect("rule-based default model");
        let total = live_bytes().saturating_sub(before);
        let mark = live_bytes();
        let sealed = convolens::internals::sealed(&e).cloned();
        let sealed_bytes = live_bytes().saturating_sub(mark);
        drop(sealed);
        let per_user = total.saturating_sub(sealed_bytes);
        rows.push((n_users, e.facts().messages, total, sealed_bytes, per_user));
        drop(e);
    }
    println!(
        "\nafter all history expired (inactive users):\n{:>8} {:>10} {:>12} {:>14} {:>14}",
        "users", "msgs kept", "state bytes", "sealed bytes", "rest/user"
    );
    for (users, msgs, total, sealed, rest) in rows {
        println!(
            "{users:>8} {msgs:>10} {total:>12} {sealed:>14} {:>14.1}",
            rest as f64 / users.max(1) as f64
        );
    }
}
