//! The scale benchmark of issue 17: memory, apply rate and report latency of one engine
//! holding N messages of generated traffic. Run it through `benches/scale/run [MESSAGES]`.
//!
//! `scale [MESSAGES]` (default 1,000,000). `SCALE_DAYS` (default 60) sets the history's
//! length, `SCALE_ROUNDS` (default 3) the append rounds; `SCALE_BREAKDOWN=0` skips the
//! bytes-by-part table (it clones every part under the counter just before the append
//! rounds, which leaves the allocator in another state: compare append times of two
//! builds with it skipped in both); `SCALE_IDLE_PARTS=1` prints the same parts per idle
//! user after `expire()` (lines `idle: ...`, the rest being indices and analysis state kept
//! per user); `SCALE_AFTER_EXPIRY=1` runs the append rounds again after `expire()` (rows
//! only: the first builds the day aggregates again, the next ones are incremental with
//! every user's carry). The traffic is the example
//! generator's (`convolens_examples::generate`: inbound with referrals, outbound, statuses
//! with retries, external events, spend, closes, clicks) with the example configuration,
//! sized so that about MESSAGES messages are stored. A child process (this binary with
//! `--generate USERS DAYS`) writes it into a pipe, so the generator's memory and CPU time
//! stay out of the counts.
//!
//! Steps and what the last line's figures mean (allocated bytes come from the counting
//! global allocator of this binary, not RSS; times are this process's CPU time, which on
//! an idle machine equals the wall clock of this single-threaded work and on a shared one
//! leaves out the time other processes had the core; the line before the last gives the
//! same figures by the wall clock):
//! 1. build: every line parsed into events, then applied to the engine in batches;
//!    `apply_events_per_s` = events / time spent applying, one core.
//! 2. first report (default options) builds the day aggregates and report caches;
//!    `bytes_per_message` = everything the engine holds then / stored messages.
//! 3. rounds of appending 1,000 new lines (inbound from existing and new users, replies
//!    with statuses, 50 inbound three days late), each followed by a report of the last 30
//!    days; `append_report_ms` = the median round (append + report).
//! 4. snapshot, drop the engine, restore; `full_report_ms` = the first report after it.
//! 5. a message 60 days later and `expire()` drop every user's history;
//!    `bytes_per_idle_user` = what the engine holds then, less the sealed day aggregates
//!    (they grow with days, not users), per user.
//!
//! A measurement program: nothing here asserts a time.

// Byte counts and loop indices here are far below the limits of the signed types they are
// cast to, and the user count is a positive float rounded up.
#![allow(clippy::cast_possible_wrap, clippy::cast_sign_loss)]

use convolens::internals::{self, Event, parse_document};
use convolens::{Engine, ReportOptions};
use convolens_benches::{Counting, allocated_by, live};
use std::io::{BufRead, BufReader};
use std::time::Instant;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Lines parsed before their events are applied in one timed run.
const BATCH: usize = 4096;

/// The figures of the last line; times as (wall clock, CPU).
#[derive(Default)]
struct Figures {
    messages: usize,
    bytes_per_message: f64,
    bytes_per_idle_user: f64,
    apply_events_per_s: (f64, f64),
    append_report_ms: (f64, f64),
    full_report_ms: (f64, f64),
}

impl Figures {
    /// The figures line, with the times of one clock (0: wall, 1: CPU).
    fn line(&self, clock: usize) -> String {
        let pick = |p: (f64, f64)| if clock == 0 { p.0 } else { p.1 };
        format!(
            "messages={} bytes_per_message={:.0} bytes_per_idle_user={:.0} apply_events_per_s={:.0} append_report_ms={:.1} full_report_ms={:.1}",
            self.messages,
            self.bytes_per_message,
            self.bytes_per_idle_user,
            pick(self.apply_events_per_s),
            pick(self.append_report_ms),
            pick(self.full_report_ms)
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--generate") {
        let num = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(1);
        generate(num(2), num(3));
        return;
    }
    let target: u64 = match args.get(1).map(|a| a.replace(['_', ','], "").parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: scale [MESSAGES]");
            std::process::exit(2);
        }
    };
    let days: u32 = std::env::var("SCALE_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(60)
        .clamp(31, 3650);
    run(target, days);
}

/// Write the generator's traffic for `users` users over `days` days to standard output.
fn generate(users: u32, days: u32) {
    let cfg = convolens_examples::GenConfig {
        users,
        days,
        ..convolens_examples::GenConfig::default()
    };
    let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    if let Err(e) = convolens_examples::generate(&cfg, out) {
        eprintln!("scale --generate: {e}");
        std::process::exit(1);
    }
}

/// Users that make about `target` messages over `days` days, from a small sample.
fn users_for(target: u64, days: u32) -> u32 {
    let sample = 2_000u32;
    let cfg = convolens_examples::GenConfig {
        users: sample,
        days,
        ..convolens_examples::GenConfig::default()
    };
    let st = convolens_examples::generate(&cfg, std::io::sink()).unwrap_or_default();
    let per_user = (st.inbound + st.outbound).max(1) as f64 / f64::from(sample);
    ((target as f64 / per_user).ceil() as u32).max(10)
}

fn config() -> convolens::Config {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/config.json");
    convolens_examples::load_config(Some(path)).expect("the example configuration")
}

fn mb(bytes: isize) -> f64 {
    bytes as f64 / 1e6
}

/// CPU seconds this process used so far (0 where the platform cannot say).
fn cpu() -> f64 {
    convolens_benches::cpu_seconds().unwrap_or(0.0)
}

/// A step's timer: wall clock and CPU time.
struct Timer(Instant, f64);

impl Timer {
    fn start() -> Timer {
        Timer(Instant::now(), cpu())
    }
    fn wall(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
    fn cpu(&self) -> f64 {
        cpu() - self.1
    }
    /// A table row for the step this timer timed.
    fn row(&self, step: &str, what: &str) {
        row(step, self.wall(), self.cpu(), what);
    }
}

fn row(step: &str, wall: f64, cpu: f64, what: &str) {
    println!("{step:<36} {wall:>9.3} s {cpu:>8.2} s  {what}");
}

fn run(target: u64, days: u32) {
    let users = users_for(target, days);
    let base = live();
    let mut e = Engine::new(config()).expect("config");
    println!(
        "scale: {target} messages wanted: {users} users over {days} days (example generator, example config)"
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split(' ').next().unwrap_or("?");
    println!(
        "{} cores, load average {load} at the start; times are wall clock",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!("{:<36} {:>11} {:>10}  figures", "step", "wall", "cpu");
    let built = build(&mut e, users, days);
    let mut f = Figures {
        apply_events_per_s: (
            built.events as f64 / built.apply_s,
            built.events as f64 / built.apply_cpu,
        ),
        ..Figures::default()
    };
    let store_bytes = live() - base;
    let t = Timer::start();
    let r = e.report(&ReportOptions::default()).expect("report");
    drop(r);
    let total = live() - base;
    f.messages = e.facts().messages;
    f.bytes_per_message = total as f64 / f.messages.max(1) as f64;
    t.row(
        "first report (whole history)",
        &format!(
            "engine now {:.1} MB = {:.1} B/message",
            mb(total),
            f.bytes_per_message
        ),
    );
    if std::env::var("SCALE_BREAKDOWN").as_deref() != Ok("0") {
        breakdown(&e, store_bytes, total - store_bytes, f.messages);
    }
    f.append_report_ms = append_rounds(&mut e, "");
    f.full_report_ms = restore_and_report(&mut e);
    f.bytes_per_idle_user = idle(&mut e, base);
    if std::env::var("SCALE_AFTER_EXPIRY").is_ok_and(|v| v != "0") {
        append_rounds(&mut e, "after expiry: ");
    }
    // The machine may be shared: the last line gives CPU time (the same as the wall clock
    // on an idle machine, this work being single-threaded); the wall clock comes before it.
    println!("\nwall clock: {}", f.line(0));
    println!("scale: {}", f.line(1));
}

/// What building the history took.
struct Built {
    events: usize,
    apply_s: f64,
    apply_cpu: f64,
}

/// Up to [`BATCH`] lines from `input` into `chunk`, their ends into `ends`.
fn read_batch(input: &mut impl BufRead, chunk: &mut Vec<u8>, ends: &mut Vec<usize>) {
    chunk.clear();
    ends.clear();
    while ends.len() < BATCH {
        if input.read_until(b'\n', chunk).expect("read the pipe") == 0 {
            break;
        }
        ends.push(chunk.len());
    }
}

/// Feed the generated traffic to `e`: read and parse a batch of lines, then apply its
/// events (timed apart, wall clock and CPU).
fn build(e: &mut Engine, users: u32, days: u32) -> Built {
    let exe = std::env::current_exe().expect("own path");
    let mut child = std::process::Command::new(exe)
        .args(["--generate", &users.to_string(), &days.to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the generator");
    let mut input = BufReader::with_capacity(1 << 20, child.stdout.take().expect("pipe"));
    let opts = *internals::parse_options(e);
    let (mut lines, mut bytes, mut events, mut errors) = (0u64, 0usize, 0usize, 0usize);
    let (mut apply_s, mut apply_cpu) = (0.0, 0.0);
    let all = Timer::start();
    let (mut chunk, mut ends) = (Vec::new(), Vec::with_capacity(BATCH));
    loop {
        read_batch(&mut input, &mut chunk, &mut ends);
        if ends.is_empty() {
            break;
        }
        bytes += chunk.len();
        let mut batch: Vec<Vec<Event<'_>>> = Vec::with_capacity(ends.len());
        for (i, &end) in ends.iter().enumerate() {
            lines += 1;
            let begin = if i == 0 { 0 } else { ends[i - 1] };
            let mut ev = Vec::new();
            match parse_document(&chunk[begin..end], lines, &opts, &mut ev) {
                Ok(()) => batch.push(ev),
                Err(_) => errors += 1,
            }
        }
        let t = Timer::start();
        for ev in batch {
            events += ev.len();
            internals::apply_parsed(e, ev);
        }
        apply_s += t.wall();
        apply_cpu += t.cpu();
    }
    assert!(
        child.wait().is_ok_and(|s| s.success()),
        "the generator failed"
    );
    all.row(
        "generate + read + parse + apply",
        &format!(
            "{lines} lines, {:.0} MB, {errors} parse errors (generator in a child process)",
            bytes as f64 / 1e6
        ),
    );
    row(
        "  apply (pre-parsed events)",
        apply_s,
        apply_cpu,
        &format!(
            "{events} events, {} users: {:.2} M events/s wall, {:.2} M/s cpu",
            internals::live_users(e),
            events as f64 / apply_s / 1e6,
            events as f64 / apply_cpu.max(0.01) / 1e6
        ),
    );
    Built {
        events,
        apply_s,
        apply_cpu,
    }
}

/// Where the engine's bytes go, per stored message: the store's parts measured in place
/// (vector capacities, string lengths) or by cloning them, the hash indices as what is left
/// of the store, and the caches the first report built: the kept report preparation part
/// by part and the engagement days and their ledger (cloned under the counter), what the
/// clones miss (other caches, spare capacity) as the rest.
fn breakdown(e: &Engine, store: isize, caches: isize, messages: usize) {
    let per = |b: isize| b as f64 / messages.max(1) as f64;
    let parts = internals::store_footprint(e, &live);
    let known: isize = parts.iter().map(|p| p.1).sum();
    let (row, held, slots) = internals::message_slots(e);
    let kept = internals::prepared_footprint(e, &live);
    let prepared: isize = kept.iter().map(|p| p.1).sum();
    println!(
        "\nbytes per stored message, by part ({messages} messages; a MsgRec is {row} bytes, \
         the message vector holds {held} of {slots} slots):"
    );
    for (name, b) in parts {
        println!("  {name:<42} {:>8.1}", per(b));
    }
    let rest = [
        ("hash indices by id (store remainder)", store - known),
        ("other caches (cache remainder)", caches - prepared),
    ];
    for (name, b) in kept.into_iter().chain(rest) {
        println!("  {name:<42} {:>8.1}", per(b));
    }
    println!("  {:<42} {:>8.1}\n", "total", per(store + caches));
}

/// An inbound text webhook from `from` to the example's first number.
fn inbound(from: &str, id: &str, ts: i64, referral: bool) -> String {
    let phone = convolens_examples::PHONES[0].0;
    let referral = if referral {
        r#""referral":{"source_id":"120210000000001","source_type":"ad","ctwa_clid":"scale"},"#
    } else {
        ""
    };
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"{phone}"}},"contacts":[{{"wa_id":"{from}"}}],"messages":[{{"from":"{from}","id":"{id}",{referral}"timestamp":"{ts}","type":"text","text":{{"body":"Is the offer still on?"}}}}]}}}}]}}]}}"#
    )
}

/// A reply record from the business to `to`, and its delivered status.
fn reply(to: &str, id: &str, ts: i64) -> [String; 2] {
    let phone = convolens_examples::PHONES[0].0;
    [
        format!(
            r#"{{"type":"outbound","id":"{id}","phone_number_id":"{phone}","to":"{to}","kind":"free_form","author":"agent","timestamp":{ts}}}"#
        ),
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"{phone}"}},"statuses":[{{"id":"{id}","recipient_id":"{to}","status":"delivered","timestamp":"{}"}}]}}}}]}}]}}"#,
            ts + 20
        ),
    ]
}

/// 1,000 new lines for round `round`: 550 inbound from existing users (50 of them three
/// days late), 150 inbound through an ad from new users, 150 replies with their statuses.
fn new_lines(e: &Engine, round: usize) -> Vec<String> {
    let now = internals::max_ts(e).unwrap_or(0) + 60;
    // The 700 existing users of the round, spread over the store; only their keys are
    // copied (copying every key would leave the allocator a million small free blocks
    // to sort out inside the timed append at 10M).
    let count = internals::live_user_count(e).max(1);
    let step = (count / 700).max(1);
    let keys = internals::live_user_keys_at(
        e,
        &(0..700)
            .map(|i| (i * step + round * 7) % count)
            .collect::<Vec<_>>(),
    );
    let user = |i: usize| keys[i].as_str();
    let mut out = Vec::with_capacity(1000);
    for i in 0..550 {
        let late = if i < 50 { 3 * 86_400 } else { 0 };
        let id = format!("wamid.scale.{round}.in.{i}");
        out.push(inbound(user(i), &id, now + i as i64 - late, false));
    }
    for i in 0..150 {
        let from = format!("1999{round:02}{i:06}");
        let id = format!("wamid.scale.{round}.new.{i}");
        out.push(inbound(&from, &id, now + i64::from(i), true));
    }
    for i in 0..150 {
        let id = format!("wamid.scale.{round}.out.{i}");
        out.extend(reply(user(50 + i), &id, now + 600 + i as i64));
    }
    out
}

/// Rounds of 1,000 appended lines (`SCALE_ROUNDS`, default 3), each followed by a report of
/// the last 30 days; the median round's wall and CPU times in ms.
#[inline(never)]
fn append_rounds(e: &mut Engine, label: &str) -> (f64, f64) {
    let n: usize = std::env::var("SCALE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    let last30 = ReportOptions::default().last("30d");
    let mut rounds = Vec::new();
    for round in 0..n {
        let lines = new_lines(e, round);
        let t = Timer::start();
        let mut ingested = 0;
        for l in &lines {
            ingested += e.ingest_str(l).map_or(0, |o| o.ingested);
        }
        let (append_s, append_cpu) = (t.wall(), t.cpu());
        let r = e.report(&last30).expect("report");
        let (total_s, total_cpu) = (t.wall(), t.cpu());
        t.row(
            &format!("{label}append 1,000 lines + report 30d #{}", round + 1),
            &format!(
                "{ingested} items ingested in {:.1} ms (cpu {:.1}); report {:.1} ms (cpu {:.1}; {} active users in range)",
                append_s * 1e3,
                append_cpu * 1e3,
                (total_s - append_s) * 1e3,
                (total_cpu - append_cpu) * 1e3,
                r.engagement.active_users
            ),
        );
        rounds.push((total_s * 1e3, total_cpu * 1e3));
    }
    median(rounds)
}

/// Snapshot, drop the engine, restore, report: the first report's wall and CPU ms.
fn restore_and_report(e: &mut Engine) -> (f64, f64) {
    let t = Timer::start();
    let bytes = e.snapshot();
    t.row("snapshot", &format!("{:.1} MB", bytes.len() as f64 / 1e6));
    *e = Engine::new(e.config().clone()).expect("config");
    let t = Timer::start();
    *e = Engine::restore(&bytes).expect("restore");
    t.row("restore", "");
    drop(bytes);
    let t = Timer::start();
    let report = e.report(&ReportOptions::default()).expect("report");
    let (wall, cpu) = (t.wall(), t.cpu());
    let per = 1e6 / e.facts().messages.max(1) as f64;
    row(
        "first report after restore",
        wall,
        cpu,
        &format!(
            "{:.3} us per message wall, {:.3} cpu",
            wall * per,
            cpu * per
        ),
    );
    drop(report);
    (wall * 1e3, cpu * 1e3)
}

/// A message 60 days after the history, then `expire()`: bytes per user left, less the
/// sealed day aggregates.
fn idle(e: &mut Engine, base: isize) -> f64 {
    let users = internals::live_users(e);
    let later = internals::max_ts(e).unwrap_or(0) + 60 * 86_400;
    e.ingest_str(&inbound(
        "19990000000001",
        "wamid.scale.probe",
        later,
        false,
    ))
    .expect("probe message");
    let t = Timer::start();
    let out = e.expire().expect("rule-based model");
    let total = live() - base;
    let sealed = allocated_by(|| internals::sealed(e).cloned()).1;
    let per_user = (total - sealed) as f64 / users.max(1) as f64;
    if std::env::var("SCALE_IDLE_PARTS").is_ok_and(|v| v != "0") {
        let mut known = 0;
        let parts = internals::store_footprint(e, &live)
            .into_iter()
            .chain(internals::prepared_footprint(e, &live))
            .chain(internals::expired_footprint(e, &live));
        for (name, b) in parts {
            known += b;
            println!("  idle: {name:<42} {:>8.1}", b as f64 / users.max(1) as f64);
        }
        println!(
            "  idle: {:<42} {:>8.1}",
            "rest",
            (total - sealed - known) as f64 / users.max(1) as f64
        );
    }
    t.row(
        "expire (60 days later)",
        &format!(
            "{} users cut, {} messages kept; engine {:.1} MB, sealed days {:.1} MB: {per_user:.1} B per idle user",
            out.users,
            e.facts().messages,
            mb(total),
            mb(sealed)
        ),
    );
    per_user
}

/// The median of (wall, CPU) pairs, each clock apart.
fn median(v: Vec<(f64, f64)>) -> (f64, f64) {
    let (mut w, mut c): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
    w.sort_by(f64::total_cmp);
    c.sort_by(f64::total_cmp);
    (w[w.len() / 2], c[c.len() / 2])
}
