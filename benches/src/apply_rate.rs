//! Pre-parsed event ingest: how many normalised events per second the fact store applies
//! on one core, without the JSON parse.
//!
//! `cargo run --release -p convolens-benches --bin apply_rate -- [USERS [DAYS]]`
//!
//! Generates traffic for about USERS users over DAYS days (defaults 100,000 and 7; the same
//! generator as the example data), parses every line into [`convolens::internals::Event`]s
//! once, then times [`convolens::internals::Store::apply_all`] over all of them into an empty
//! store, best of 3. Prints events, users, the time and events/s. A measurement program:
//! nothing here asserts a time.

use convolens::internals::Store;
use convolens::internals::{ParseOptions, parse_document};
use convolens_benches::{lines, traffic};
use std::time::Instant;

fn main() {
    let arg = |i: usize, default: u32| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (users, days) = (arg(1, 100_000), arg(2, 7));
    let data = traffic(users, days);
    let ls = lines(&data);
    let opts = ParseOptions::default();
    let mut parsed = Vec::with_capacity(ls.len());
    let t = Instant::now();
    for (i, l) in ls.iter().enumerate() {
        let mut ev = Vec::new();
        if parse_document(l, i as u64 + 1, &opts, &mut ev).is_ok() {
            parsed.push(ev);
        }
    }
    let parse_s = t.elapsed().as_secs_f64();
    let events: usize = parsed.iter().map(Vec::len).sum();
    let mut best = f64::INFINITY;
    let mut tracked = 0;
    for _ in 0..3 {
        let batch = parsed.clone();
        let mut store = Store::default();
        let t = Instant::now();
        for mut ev in batch {
            store.apply_all(&mut ev, None);
        }
        best = best.min(t.elapsed().as_secs_f64());
        tracked = store.live_users().count();
    }
    println!(
        "lines {} bytes {} events {events} users {tracked}: parse {parse_s:.2} s ({:.1} MB/s); apply {best:.3} s = {:.2} M events/s",
        ls.len(),
        data.len(),
        data.len() as f64 / parse_s / 1e6,
        events as f64 / best / 1e6
    );
}
