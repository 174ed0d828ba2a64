//! `peer_convolens`: the convolens side of the peer comparison (`benches/peers/run`).
//!
//! ```text
//! peer_convolens JSONL CONFIG [--runs N] [--compute-runs N] [--threads N] [--ingest-threads N]
//! ```
//!
//! Reads the JSONL file with [`Engine::ingest_reader_threads`] (the product's load path; on
//! `--ingest-threads` threads, default: the machine's cores; 1: [`Engine::ingest_reader`]) and computes
//! a report with [`Engine::report`] over the whole ingested range (the product's compute
//! path: every section, not only the two compared, so convolens does more work than the
//! peers). Prints one JSON object on standard output:
//!
//! - `load_s`, `compute_s`, `load_compute_s`: the best of `--runs` cold runs (a new engine
//!   each time, file to report), with the load and compute parts of that best run;
//! - `compute_only_s`: the best of `--compute-runs` reports, each on a fresh clone of the
//!   loaded engine (so no cache survives between them);
//! - `sources`: per source key, conversations, leads, invested (micro-units) and cost per
//!   lead, straight from the report's `sources` rows;
//! - `billing`: the report's `billing.conversations` counts;
//! - `checks`: facts the peers' rule subset relies on (see `benches/peers/README.md`):
//!   conversations opened by a reply to a business message (`reply_opened`), conversations
//!   sharing a user and start instant with another (`start_ties`), and whether all data is
//!   before the switch to per-message pricing (`cbp_only`);
//! - with `--threads N` (N > 1), `parallel`: one more cold run whose load splits the file
//!   into N runs of lines ingested by N engines on N threads and merged with
//!   [`Engine::merge`]; its report must equal the single engine's.
//!
//! - `load_compute_cpu_s`, `compute_only_cpu_s`: the CPU time of the same runs (the
//!   cold run's from `/proc/self/stat`, every thread of the process at 10 ms resolution,
//!   as its load parses on several; compute runs on one thread,
//!   `/proc/thread-self/schedstat`; `null` where absent).
//!
//! Times are wall-clock seconds from [`std::time::Instant`]. This is a measurement program:
//! nothing here asserts a time.

use convolens::ReportOptions;
use convolens::{Config, Engine, Report};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

/// 2025-07-01T00:00:00Z: the switch to per-message pricing in the built-in timeline.
const PMP_SWITCH: i64 = 1_751_328_000;

struct Args {
    jsonl: String,
    config: String,
    runs: u32,
    compute_runs: u32,
    threads: u32,
    ingest_threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut pos = Vec::new();
    let mut runs = 1;
    let mut compute_runs = 3;
    let mut threads = 1;
    let mut ingest_threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u32, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number"))
        };
        match a.as_str() {
            "--runs" => runs = num("--runs")?,
            "--compute-runs" => compute_runs = num("--compute-runs")?,
            "--threads" => threads = num("--threads")?,
            "--ingest-threads" => ingest_threads = num("--ingest-threads")? as usize,
            "-h" | "--help" => {
                return Err(
                    "usage: peer_convolens JSONL CONFIG [--runs N] [--compute-runs N] [--threads N] [--ingest-threads N]".into(),
                );
            }
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            _ => pos.push(a),
        }
    }
    let [jsonl, config] = <[String; 2]>::try_from(pos).map_err(
        |_| "usage: peer_convolens JSONL CONFIG [--runs N] [--compute-runs N] [--threads N] [--ingest-threads N]",
    )?;
    Ok(Args {
        jsonl,
        config,
        runs,
        compute_runs,
        threads,
        ingest_threads,
    })
}

fn load(cfg: &Config, path: &str, threads: usize) -> Result<Engine, String> {
    let mut e = Engine::new(cfg.clone()).map_err(|e| e.to_string())?;
    let f = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let out = e
        .ingest_reader_threads(f, threads)
        .map_err(|e| format!("{path}: {e}"))?;
    if let Some(err) = out.errors.first() {
        return Err(format!(
            "{path}: {} lines failed to parse, first: {err}",
            out.errors.len()
        ));
    }
    Ok(e)
}

/// Load with `threads` engines, each ingesting a contiguous run of the file's lines on its
/// own thread, merged into the first with [`Engine::merge`] (the store deduplicates and
/// does not depend on arrival order, so any split gives the same facts).
fn load_parallel(cfg: &Config, path: &str, threads: u32) -> Result<Engine, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let n = threads.max(1) as usize;
    let mut cuts = vec![0];
    for i in 1..n {
        let mut p = (bytes.len() * i / n).max(cuts[i - 1]);
        while p < bytes.len() && p > 0 && bytes[p - 1] != b'\n' {
            p += 1;
        }
        cuts.push(p);
    }
    cuts.push(bytes.len());
    let parts: Vec<Result<Engine, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let part = &bytes[w[0]..w[1]];
                s.spawn(move || -> Result<Engine, String> {
                    let mut e = Engine::new(cfg.clone()).map_err(|e| e.to_string())?;
                    let out = e.ingest_reader(part).map_err(|e| e.to_string())?;
                    match out.errors.first() {
                        Some(err) => Err(format!("{path}: {err}")),
                        None => Ok(e),
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a loading thread panicked".into()))
            })
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut first = parts.next().ok_or("no part")??;
    for p in parts {
        first.merge(&p?).map_err(|e| e.to_string())?;
    }
    Ok(first)
}

/// CPU seconds of the whole process (every thread, finished ones included), from
/// `/proc/self/stat` (clock ticks of 1/100 s).
fn process_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn report(e: &mut Engine) -> Result<Report, String> {
    e.report(&ReportOptions::default())
        .map_err(|e| e.to_string())
}

/// Facts the peers' rule subset relies on, checked on the data.
fn checks(e: &mut Engine) -> Result<(u64, u64, bool), String> {
    report(e)?; // prepares the store's timelines
    let (reply_opened, start_ties) =
        convolens::internals::reply_opened_and_start_ties(e).map_err(|e| e.to_string())?;
    let cbp_only = convolens::internals::max_ts(e).is_none_or(|t| t < PMP_SWITCH);
    Ok((reply_opened, start_ties, cbp_only))
}

/// CPU seconds this thread has run, from `/proc/thread-self/schedstat` (nanoseconds), if
/// the kernel exposes it.
fn cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "null".to_string(), |v| format!("{v:.6}"))
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A cold run's load and compute seconds (wall-clock) and its CPU seconds.
type ColdRun = (f64, f64, Option<f64>);

/// The best of `runs` cold runs (file to report, a new engine each time): its load and
/// compute seconds and its CPU seconds, with the last run's report. Loads parse on
/// `threads` threads.
fn cold_runs(
    cfg: &Config,
    path: &str,
    runs: u32,
    threads: usize,
) -> Result<(ColdRun, Report), String> {
    let mut best: Option<ColdRun> = None;
    let mut rep = None;
    for _ in 0..runs {
        // The whole process's CPU: the load's parse workers are threads of their own.
        let (t0, c0) = (Instant::now(), process_cpu_s());
        let mut e = load(cfg, path, threads)?;
        let t1 = Instant::now();
        let r = report(&mut e)?;
        let (t2, c2) = (Instant::now(), process_cpu_s());
        let (l, c) = ((t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64());
        let cpu = c0.zip(c2).map(|(a, b)| b - a);
        if best.is_none_or(|(bl, bc, _)| l + c < bl + bc) {
            best = Some((l, c, cpu));
        }
        rep = Some(r);
    }
    Ok((best.unwrap_or_default(), rep.ok_or("no run")?))
}

/// The fastest of `runs` reports, each on a fresh clone of `base`: its wall-clock and CPU
/// seconds. Each report must agree with `rep`.
fn compute_only_runs(base: &Engine, runs: u32, rep: &Report) -> Result<(f64, Option<f64>), String> {
    let mut compute_only = f64::INFINITY;
    let mut compute_only_cpu: Option<f64> = None;
    for _ in 0..runs {
        let mut e = base.clone();
        let (t0, c0) = (Instant::now(), cpu_s());
        let r = report(&mut e)?;
        let (wall, c1) = (t0.elapsed().as_secs_f64(), cpu_s());
        if wall < compute_only {
            compute_only = wall;
            compute_only_cpu = c0.zip(c1).map(|(a, b)| b - a);
        }
        if r.sources != rep.sources || r.billing.conversations != rep.billing.conversations {
            return Err("reports of the same data differ".into());
        }
    }
    Ok((compute_only, compute_only_cpu))
}

/// The `,"parallel":{…}` member: one cold run whose load is split over `threads` engines
/// and merged; its report must agree with `rep`.
fn parallel_run(cfg: &Config, path: &str, threads: u32, rep: &Report) -> Result<String, String> {
    let (t0, c0) = (Instant::now(), process_cpu_s());
    let mut e = load_parallel(cfg, path, threads)?;
    let r = report(&mut e)?;
    let (wall, c1) = (t0.elapsed().as_secs_f64(), process_cpu_s());
    if r.sources != rep.sources || r.billing.conversations != rep.billing.conversations {
        return Err("the merged engine's report differs from the single engine's".into());
    }
    Ok(format!(
        ",\"parallel\":{{\"threads\":{threads},\"load_compute_s\":{wall:.6},\"load_compute_cpu_s\":{}}}",
        opt(c0.zip(c1).map(|(a, b)| b - a))
    ))
}

/// Measure as the arguments say and return the JSON object to print (see the module doc).
fn run() -> Result<String, String> {
    let args = parse_args()?;
    let text =
        std::fs::read_to_string(&args.config).map_err(|e| format!("{}: {e}", args.config))?;
    let cfg: Config = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", args.config))?;

    // Cold runs: file to report, a new engine each time.
    let ((load_s, compute_s, load_compute_cpu), rep) =
        cold_runs(&cfg, &args.jsonl, args.runs, args.ingest_threads)?;
    // The engine after a report has its caches filled; load once more for clean clones.
    let base = load(&cfg, &args.jsonl, args.ingest_threads)?;
    let (compute_only, compute_only_cpu) = compute_only_runs(&base, args.compute_runs, &rep)?;
    let mut e = base;
    let (reply_opened, start_ties, cbp_only) = checks(&mut e)?;
    drop(e);
    // Optional: the same cold run with the load split over threads and merged.
    let parallel = if args.threads > 1 {
        parallel_run(&cfg, &args.jsonl, args.threads, &rep)?
    } else {
        String::new()
    };
    let messages: u64 = rep.input.messages.values().sum::<u64>()
        + rep.input.records.get("outbound").copied().unwrap_or(0);

    let mut out = String::new();
    let _ = write!(
        out,
        "{{\"messages\":{messages},\"load_s\":{load_s:.6},\"compute_s\":{compute_s:.6},\
         \"load_compute_s\":{:.6},\"compute_only_s\":{compute_only:.6},\
         \"load_compute_cpu_s\":{},\"compute_only_cpu_s\":{},\"sources\":[",
        load_s + compute_s,
        opt(load_compute_cpu),
        opt(compute_only_cpu)
    );
    for (i, r) in rep.sources.iter().enumerate() {
        let cpl = r
            .conversion_cost
            .map_or_else(|| "null".to_string(), |v| format!("{v:.6}"));
        let _ = write!(
            out,
            "{}{{\"key\":{},\"conversations\":{},\"leads\":{},\"invested_micros\":{},\"cost_per_lead\":{cpl}}}",
            if i > 0 { "," } else { "" },
            json_str(&r.key),
            r.conversations,
            r.leads,
            r.invested
        );
    }
    let b = &rep.billing.conversations;
    let _ = write!(
        out,
        "],\"billing\":{{\"marketing\":{},\"utility\":{},\"authentication\":{},\"service\":{},\
         \"free_entry_point\":{}}},\"checks\":{{\"reply_opened\":{reply_opened},\
         \"start_ties\":{start_ties},\"cbp_only\":{cbp_only}}}{parallel}}}",
        b.marketing, b.utility, b.authentication, b.service, b.free_entry_point
    );
    Ok(out)
}

fn main() -> ExitCode {
    match run() {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("peer_convolens: {e}");
            ExitCode::from(1)
        }
    }
}
