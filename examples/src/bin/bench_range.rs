//! `bench_range`: report time over the last 30 days as the ingested history grows.
//!
//! ```text
//! cargo run --release -q --bin bench_range -- [MAX_MESSAGES [MIN_MESSAGES]]
//! # sizes MIN, 10×MIN, ... up to MAX; defaults 1000 and 1000000
//! ```
//!
//! Synthetic traffic at a steady 1,000 messages a day (about 100 active users a day drawn
//! from a slowly moving pool, each writing 5 messages and getting 5 replies, with statuses,
//! templates with buttons, presses, URL clicks and closes) is fed through
//! `Engine::ingest_str`, one document at a time, for as many days as the message count
//! needs: 1k messages is 1 day of history, 10M is 10,000 days. Then the program times:
//!
//! - `build`: building the per-day aggregates from scratch (one pass over every user's
//!   timeline; grows with the history, paid once per batch of new input);
//! - `first report`: the first `--last 30d` report after the input (sorts the timelines,
//!   builds the engagement day aggregates and the report preparation, then queries);
//! - `report`: the median of 21 further `--last 30d` reports through `Engine::report`,
//!   which reuse both (each is checked equal to the first);
//! - `prepare`: building the report preparation alone (`report::Prepared::build`: billing
//!   priced over the whole store, conversations and attribution, all bucketed by day; see
//!   `convolens::internals`), the median of 3;
//! - `query`: the median of 21 engagement range queries alone (`engagement::report::sections`
//!   on the built aggregates).
//!
//! This is a measurement program, not a test: nothing here asserts a time.
//!
//! Measured on the shared 2-core development machine (release build, medians of 21; the
//! sub-millisecond figures move by ±0.2 ms from run to run with the machine's load).
//! Engagement-only, before billing and sources joined the report:
//!
//! | messages | days | users | build ms | `Engine::report` ms | `build_with` ms | query ms |
//! |---:|---:|---:|---:|---:|---:|---:|
//! | 1k | 1 | 83 | 0.2 | 0.01 | 0.01 | 0.01 |
//! | 10k | 10 | 534 | 12 | 0.09 | 0.08 | 0.07 |
//! | 100k | 100 | 3,156 | 110 | 0.25 | 0.47 | 0.46 |
//! | 1M | 1,000 | 29,200 | 1,348 | 0.84 | 0.49 | 0.46 |
//! | 10M | 10,000 | 289,644 | 14,755 | 11.9 | 0.25 | 0.21 |
//!
//! With every section, before report preparations (2026-11-23, same machine, under load):
//! billing and sources re-ran their per-user folds over the whole history at every report.
//!
//! | messages | report ms |
//! |---:|---:|
//! | 1k | 0.44 |
//! | 10k | 6.0 |
//! | 100k | 144 |
//! | 1M | 1,382 |
//!
//! With report preparations (every section reads day aggregates; 2026-11-23, same machine,
//! one run per size, the 10M row alone in a second run):
//!
//! | messages | days | users | ingest s | build ms | 1st report ms | report ms | prepare ms | query ms | RSS MiB |
//! |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
//! | 1k | 1 | 83 | 0.01 | 0.27 | 0.96 | 0.03 | 0.35 | 0.02 | 6 |
//! | 10k | 10 | 534 | 0.06 | 4.4 | 11.0 | 0.10 | 5.1 | 0.09 | 12 |
//! | 100k | 100 | 3,156 | 0.69 | 47 | 146 | 0.46 | 63 | 0.29 | 69 |
//! | 1M | 1,000 | 29,200 | 7.6 | 476 | 1,446 | 0.22 | 704 | 0.22 | 604 |
//! | 10M | 10,000 | 289,644 | 80.7 | 4,760 | 13,787 | 0.24 | 7,567 | 0.22 | 5,658 |
//!
//! A repeated 30-day report is flat from 100k messages on (0.22–0.46 ms, the noise of the
//! machine): it reads only the days in the range. The first report after new input is not:
//! the day aggregates and the preparation are rebuilt from the whole history (about 1.4 µs
//! per message). Maintaining them per user as input arrives, instead of rebuilding, is the
//! open work that would make that flat too.

use convolens::{Config, Engine};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// 2000-01-03T00:00:00Z, a Monday.
const T0: i64 = 946_857_600;
const DAY: i64 = 86_400;
const PHONE: &str = "1001";
const PER_DAY: u64 = 1_000;
/// Timed repetitions; the median is reported.
const RUNS: usize = 21;
/// Timed preparations (each a pass over the whole history).
const PREP_RUNS: usize = 3;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn inbound(buf: &mut String, user: u64, id: u64, ts: i64, context: Option<u64>) {
    buf.clear();
    let _ = write!(
        buf,
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"w","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"{PHONE}"}},"contacts":[{{"wa_id":"49{user:010}","profile":{{"name":"U{user}"}}}}],"messages":[{{"from":"49{user:010}","id":"wamid.in{id}","timestamp":"{ts}","#
    );
    match context {
        Some(c) => {
            let _ = write!(
                buf,
                r#""type":"button","button":{{"text":"Yes","payload":"Y"}},"context":{{"id":"wamid.out{c}"}}}}]}}}}]}}]}}"#
            );
        }
        None => {
            let _ = write!(
                buf,
                r#""type":"text","text":{{"body":"hello"}}}}]}}}}]}}]}}"#
            );
        }
    }
}

fn outbound(buf: &mut String, user: u64, id: u64, ts: i64, template: bool) {
    buf.clear();
    if template {
        let _ = write!(
            buf,
            r#"{{"type":"outbound","id":"wamid.out{id}","phone_number_id":"{PHONE}","to":"49{user:010}","timestamp":{ts},"kind":"template","template":"promo_{}","category":"marketing","campaign":"c{}","author":"campaign","buttons":[{{"type":"quick_reply","text":"Yes"}},{{"type":"url","text":"Shop"}}]}}"#,
            id % 7,
            id % 3
        );
    } else {
        let _ = write!(
            buf,
            r#"{{"type":"outbound","id":"wamid.out{id}","phone_number_id":"{PHONE}","to":"49{user:010}","timestamp":{ts},"author":"agent","author_id":"agent-{}"}}"#,
            id % 12
        );
    }
}

fn status(buf: &mut String, user: u64, id: u64, st: &str, ts: i64) {
    buf.clear();
    let _ = write!(
        buf,
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"w","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"{PHONE}"}},"statuses":[{{"id":"wamid.out{id}","status":"{st}","timestamp":"{ts}","recipient_id":"49{user:010}"}}]}}}}]}}]}}"#
    );
}

struct Fed {
    messages: u64,
    docs: u64,
    days: u64,
}

/// Feed `messages` messages of synthetic traffic (see the module docs).
fn feed(engine: &mut Engine, messages: u64) -> Fed {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut buf = String::with_capacity(512);
    let (mut sent, mut docs, mut id) = (0u64, 0u64, 0u64);
    let ingest = |engine: &mut Engine, buf: &String, docs: &mut u64| {
        engine.ingest_str(buf).expect("synthetic input is valid");
        *docs += 1;
    };
    let mut day = 0i64;
    while sent < messages {
        let base = T0 + day * DAY;
        let pool = day as u64 * 30;
        let users = ((messages - sent).min(PER_DAY) / 10).max(1);
        for _ in 0..users {
            let user = pool + rng.below(600);
            let mut ts = base + 8 * 3_600 + rng.below(12 * 3_600) as i64;
            let mut last_template = None;
            for _ in 0..5 {
                if sent >= messages {
                    break;
                }
                id += 1;
                let context = last_template.filter(|_| rng.below(2) == 0);
                inbound(&mut buf, user, id, ts, context);
                ingest(engine, &buf, &mut docs);
                sent += 1;
                ts += 30 + rng.below(300) as i64;
                let template = rng.below(10) == 0;
                outbound(&mut buf, user, id, ts, template);
                ingest(engine, &buf, &mut docs);
                sent += 1;
                status(&mut buf, user, id, "delivered", ts + 3);
                ingest(engine, &buf, &mut docs);
                if rng.below(2) == 0 {
                    status(&mut buf, user, id, "read", ts + 60);
                    ingest(engine, &buf, &mut docs);
                }
                if template {
                    last_template = Some(id);
                    if rng.below(4) == 0 {
                        buf.clear();
                        let _ = write!(
                            buf,
                            r#"{{"type":"click","message_id":"wamid.out{id}","button":"Shop","timestamp":{}}}"#,
                            ts + 90
                        );
                        ingest(engine, &buf, &mut docs);
                    }
                }
                ts += 60 + rng.below(1_800) as i64;
            }
            if rng.below(2) == 0 {
                buf.clear();
                let _ = write!(
                    buf,
                    r#"{{"type":"close","contact":"49{user:010}","phone_number_id":"{PHONE}","timestamp":{}}}"#,
                    ts + 600
                );
                ingest(engine, &buf, &mut docs);
            }
        }
        day += 1;
    }
    Fed {
        messages: sent,
        docs,
        days: day as u64,
    }
}

fn rss_mib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// The report of `opts` timed: the first one after the input, with its time, then the
/// sorted times of [`RUNS`] more (each checked equal to the first).
fn timed_reports(
    engine: &mut Engine,
    opts: &convolens::ReportOptions,
) -> (convolens::Report, Duration, Vec<Duration>) {
    let t = Instant::now();
    let first = engine.report(opts).expect("report");
    let first_t = t.elapsed();
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = engine.report(opts).expect("report");
        times.push(t.elapsed());
        assert_eq!(r, first, "cached report differs");
    }
    times.sort();
    (first, first_t, times)
}

/// The scope of the reports of `opts` (the last 30 days) over `engine`'s facts.
fn range_scope<'a>(
    engine: &'a Engine,
    config: &'a Config,
    opts: &convolens::ReportOptions,
) -> convolens::internals::Scope<'a> {
    let store = convolens::internals::store(engine);
    convolens::internals::Scope::whole(store, config, engine.time_zone()).with_range(
        convolens::internals::resolve_range(store, engine.time_zone(), opts).expect("range"),
    )
}

/// The sorted times of [`PREP_RUNS`] builds of the report preparation of `ctx`: the
/// range-independent work of a report (billing priced over the whole store,
/// conversations, attribution), done once per state and reused by every report.
fn prepare_times(ctx: &convolens::internals::Scope<'_>) -> Vec<Duration> {
    let mut prep = Vec::new();
    for _ in 0..PREP_RUNS {
        let t = Instant::now();
        let p = convolens::internals::Prepared::build(ctx, None).expect("prepare");
        prep.push(t.elapsed());
        drop(p);
    }
    prep.sort();
    prep
}

/// Measure a history of `n` messages and print its row of the table.
fn size_row(n: u64, opts: &convolens::ReportOptions) {
    let mut engine = Engine::new(Config::default()).expect("default config");
    let t = Instant::now();
    let fed = feed(&mut engine, n);
    let ingest = t.elapsed();
    let (first, first_t, times) = timed_reports(&mut engine, opts);
    let t = Instant::now();
    let days = convolens::internals::build_engagement(
        convolens::internals::store(&engine),
        engine.time_zone(),
        None,
    );
    let build = t.elapsed();
    // The range query alone: sum the 30 days of aggregates into the sections.
    let config = Config::default();
    let ctx = range_scope(&engine, &config, opts);
    let prep = prepare_times(&ctx);
    let mut query = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let s = convolens::internals::engagement_sections(&ctx, &days);
        query.push(t.elapsed());
        assert_eq!(s, first.engagement, "query differs");
    }
    query.sort();
    let users = convolens::internals::store(&engine).live_users().count();
    println!(
        "{:>10} {:>10} {:>6} {:>8} {:>9.2} {:>10} {:>13} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8}",
        fed.messages,
        fed.docs,
        fed.days,
        users,
        ingest.as_secs_f64(),
        ms(build),
        ms(first_t),
        ms(times[RUNS / 2]),
        ms(prep[PREP_RUNS / 2]),
        ms(query[RUNS / 2]),
        first.engagement.active_users,
        days.user_set_bytes() / 1024,
        rss_mib().map_or_else(|| "?".into(), |m| m.to_string()),
    );
    drop(days);
    drop(engine);
}

fn main() {
    let arg = |i: usize, default: u64| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (max, min) = (arg(1, 1_000_000), arg(2, 1_000));
    let opts = {
        let mut o = convolens::ReportOptions::default();
        o.last = Some("30d".into());
        o
    };
    println!(
        "{:>10} {:>10} {:>6} {:>8} {:>9} {:>10} {:>13} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8}",
        "messages",
        "documents",
        "days",
        "users",
        "ingest s",
        "build ms",
        "1st report ms",
        "report ms",
        "prepare ms",
        "query ms",
        "active30",
        "set KiB",
        "RSS MiB"
    );
    let mut n = min.max(1);
    while n <= max {
        size_row(n, &opts);
        n *= 10;
    }
}
