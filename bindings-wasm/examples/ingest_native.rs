//! Native ingest throughput, the baseline for `bench/ingest.js` (the same work in Node).
//!
//! ```text
//! cargo run --release -p convolens-wasm --example ingest_native -- FILE [CONFIG] [RUNS]
//! ```
//!
//! Each run ingests the whole file into a fresh engine with `ingest_reader` over the
//! bytes already in memory; prints the fastest run as one JSON line.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: ingest_native FILE [CONFIG] [RUNS]")?;
    let config = match args.next() {
        Some(p) if !p.is_empty() => convolens::Config::from_json(&std::fs::read_to_string(p)?)?,
        _ => convolens::Config::default(),
    };
    let runs: u32 = args.next().map_or(Ok(5), |s| s.parse())?;
    let bytes = std::fs::read(&file)?;
    let mut best = f64::INFINITY;
    let mut lines = 0;
    for _ in 0..runs {
        let mut engine = convolens::Engine::new(config.clone())?;
        let t = Instant::now();
        let out = engine.ingest_reader(bytes.as_slice())?;
        best = best.min(t.elapsed().as_secs_f64());
        lines = out.lines;
    }
    println!(
        "{{\"bytes\":{},\"lines\":{lines},\"best_seconds\":{best:.6},\"mb_per_s\":{:.1}}}",
        bytes.len(),
        bytes.len() as f64 / best / 1e6
    );
    Ok(())
}
