//! The attribution module's rules (the contacts export) through the public API, with
//! expected values computed by hand in the comments.

use convolens::{Config, ContactFilter, Engine, ReportOptions};
use serde_json::{Value, json};

/// 2025-07-01T10:00:00Z.
const T0: i64 = 1_751_364_000;
const H: i64 = 3_600;

/// An inbound message of `from` to the business number `phone`, with `body` (the type
/// and its fields).
fn inbound(phone: &str, from: &str, id: &str, ts: i64, body: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"{phone}"}},"contacts":[{{"wa_id":"{from}","profile":{{"name":"User {from}"}}}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{ts}",{body}}}]}}}}]}}]}}"#
    )
}

/// A click on ad `ad` that writes to `phone`: a conversation of source `meta_ad:{ad}`.
fn ad_click(phone: &str, from: &str, id: &str, ts: i64, ad: &str) -> String {
    inbound(
        phone,
        from,
        id,
        ts,
        &format!(
            r#""type":"text","text":{{"body":"Hi"}},"referral":{{"source_type":"ad","source_id":"{ad}","source_url":"https://fb.me/x"}}"#
        ),
    )
}

/// A question about the price: the messaging event `interested` of `config()`.
fn asks_price(phone: &str, from: &str, id: &str, ts: i64) -> String {
    inbound(
        phone,
        from,
        id,
        ts,
        r#""type":"text","text":{"body":"what's the price?"}"#,
    )
}

fn config() -> Config {
    Config::from_json(
        r#"{"currency":"EUR","inactivity_timeout_hours":24,
            "events":[{"name":"interested","kind":"text_reply","match":"contains","pattern":"price"}]}"#,
    )
    .unwrap()
}

fn july() -> ReportOptions {
    let mut o = ReportOptions::default();
    o.from = chrono::NaiveDate::from_ymd_opt(2025, 7, 1);
    o.to = chrono::NaiveDate::from_ymd_opt(2025, 8, 1);
    o
}

#[test]
fn a_contacts_source_is_where_the_event_first_happened_across_two_numbers() {
    // Conversations are per business number, so one user can have two open at once, and
    // the conversation that started later can be where the event happened first.
    // - U1 clicks ad 120 to number 1001 at 10:00 (conversation 1) and ad 121 to number
    //   1002 at 10:01 (conversation 2); asks the price on 1002 at 10:02 and on 1001 at
    //   10:03. The event first happened at 10:02, in conversation 2: meta_ad:121 (not the
    //   first conversation's source, nor the one where it happened last).
    // - U2 clicks ad 130 to 1001 at 12:00 and ad 131 to 1002 at 12:01, and asks the price
    //   on both at 13:00, the same second: the event first happened in both; the
    //   conversation that started first gives the source, meta_ad:130.
    // Rows by first seen: U1 (10:00), U2 (12:00).
    let (u1, u2) = ("4915100000031", "4915100000032");
    let lines = [
        ad_click("1001", u1, "wamid.u1a", T0, "120"),
        ad_click("1002", u1, "wamid.u1b", T0 + 60, "121"),
        asks_price("1002", u1, "wamid.u1c", T0 + 120),
        asks_price("1001", u1, "wamid.u1d", T0 + 180),
        ad_click("1001", u2, "wamid.u2a", T0 + 2 * H, "130"),
        ad_click("1002", u2, "wamid.u2b", T0 + 2 * H + 60, "131"),
        asks_price("1001", u2, "wamid.u2c", T0 + 3 * H),
        asks_price("1002", u2, "wamid.u2d", T0 + 3 * H),
    ];
    let mut e = Engine::new(config()).unwrap();
    for l in &lines {
        e.ingest_str(l).unwrap_or_else(|err| panic!("{err}\n{l}"));
    }
    let t = e
        .contact_rows(&july(), &ContactFilter::event("interested"))
        .unwrap();
    let got: Vec<(&Value, &Value, &Value)> =
        t.values.iter().map(|r| (&r[0], &r[3], &r[4])).collect();
    assert_eq!(
        got,
        [
            (
                &json!(u1),
                &json!("2025-07-01T10:00:00+00:00"),
                &json!("meta_ad:121")
            ),
            (
                &json!(u2),
                &json!("2025-07-01T12:00:00+00:00"),
                &json!("meta_ad:130")
            ),
        ]
    );
}
