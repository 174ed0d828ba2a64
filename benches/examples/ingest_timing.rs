//! Time ingestion alone (no report) of a JSONL file, for the Python binding benchmark
//! (`benches/python_ingest.py`) to compare against.
//!
//! `cargo run --release -p convolens-benches --example ingest_timing -- FILE [RUNS] [THREADS]`
//!
//! Each run feeds a fresh engine the file through `Engine::ingest_reader`, or with THREADS
//! through `Engine::ingest_reader_threads` on that many threads (the path
//! `Engine.ingest_jsonl(path, threads=THREADS)` takes in Python; without `threads` Python
//! uses every core). Prints one JSON object: lines, bytes, the best
//! run's wall-clock seconds and the best run's CPU seconds of this process (user + system,
//! all threads, the clock Python's `time.process_time` reads; `null` off Linux), which a
//! busy machine disturbs less than wall-clock time.

use convolens::{Config, Engine};
use convolens_benches::cpu_seconds;
use std::io::Write;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: ingest_timing FILE [RUNS]")?;
    let runs: u32 = args.next().map_or(Ok(3), |r| r.parse())?;
    let threads: Option<usize> = args.next().map(|t| t.parse()).transpose()?;
    let bytes = std::fs::metadata(&path)?.len();
    let (mut best, mut best_cpu, mut lines) = (f64::INFINITY, None::<f64>, 0);
    for _ in 0..runs.max(1) {
        let mut engine = Engine::new(Config::default())?;
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        let file = std::fs::File::open(&path)?;
        let out = match threads {
            Some(n) => engine.ingest_reader_threads(file, n)?,
            None => engine.ingest_reader(file)?,
        };
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
