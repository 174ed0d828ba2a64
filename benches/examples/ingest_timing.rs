//! Time ingestion alone (no report) of a JSONL file, for the Python binding benchmark
//! (`benches/python_ingest.py`) to compare against.
//!
//! `cargo run --release -p convolens-benches --example ingest_timing -- FILE [RUNS]`
//!
//! Each run feeds a fresh engine the file through `Engine::ingest_reader` (the path
//! `Engine.ingest_jsonl` takes in Python). Prints one JSON object: lines, bytes, and the
//! best run's seconds.

use convolens::{Config, Engine};
use std::io::Write;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: ingest_timing FILE [RUNS]")?;
    let runs: u32 = args.next().map_or(Ok(3), |r| r.parse())?;
    let bytes = std::fs::metadata(&path)?.len();
    let (mut best, mut lines) = (f64::INFINITY, 0);
    for _ in 0..runs.max(1) {
        let mut engine = Engine::new(Config::default())?;
        let start = Instant::now();
        let out = engine.ingest_reader(std::fs::File::open(&path)?)?;
        best = best.min(start.elapsed().as_secs_f64());
        lines = out.lines;
        std::hint::black_box(engine);
    }
    writeln!(
        std::io::stdout(),
        r#"{{"lines":{lines},"bytes":{bytes},"seconds":{best}}}"#
    )?;
    Ok(())
}
