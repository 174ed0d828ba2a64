//! Time ingestion alone (no report) of a JSONL file, for the Python binding benchmark
//! (`benches/python_ingest.py`) to compare against.
//!
//! `cargo run --release -p convolens-benches --example ingest_timing -- FILE [RUNS]`
//!
//! Each run feeds a fresh engine the file through `Engine::ingest_reader` (the path
//! `Engine.ingest_jsonl` takes in Python). Prints one JSON object: lines, bytes, the best
//! run's wall-clock seconds and the best run's CPU seconds of this process (user + system,
//! from `/proc/self/stat` at 10 ms resolution; `null` where that file does not exist),
//! which a busy machine disturbs less than wall-clock time.

use convolens::{Config, Engine};
use std::io::Write;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: ingest_timing FILE [RUNS]")?;
    let runs: u32 = args.next().map_or(Ok(3), |r| r.parse())?;
    let bytes = std::fs::metadata(&path)?.len();
    let (mut best, mut best_cpu, mut lines) = (f64::INFINITY, None::<f64>, 0);
    for _ in 0..runs.max(1) {
        let mut engine = Engine::new(Config::default())?;
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        let out = engine.ingest_reader(std::fs::File::open(&path)?)?;
        best = best.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, cpu_seconds()) {
            best_cpu = Some(best_cpu.map_or(b - a, |c: f64| c.min(b - a)));
        }
        lines = out.lines;
        std::hint::black_box(engine);
    }
    let cpu = best_cpu.map_or_else(|| "null".to_string(), |c| c.to_string());
    writeln!(
        std::io::stdout(),
        r#"{{"lines":{lines},"bytes":{bytes},"seconds":{best},"cpu_seconds":{cpu}}}"#
    )?;
    Ok(())
}

/// User + system CPU time of this process so far, from `/proc/self/stat` (Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime field 14 and stime field 15 (in clock ticks of 1/100 s).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}
