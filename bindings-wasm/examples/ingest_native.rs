//! Native ingest throughput, the baseline for `bench/ingest.js` (the same work in Node).
//!
//! ```text
//! cargo run --release -p convolens-wasm --example ingest_native -- FILE [CONFIG] [RUNS]
//! ```
//!
//! Each run ingests the whole file into a fresh engine with `ingest_reader` over the
//! bytes already in memory; prints the fastest run as one JSON line: wall-clock seconds,
//! and on Linux the thread's CPU seconds (`/proc/thread-self/schedstat`), which a busy
//! machine disturbs less.

use std::time::Instant;

/// Nanoseconds this thread has run on a CPU (Linux), if known.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .ok_or("usage: ingest_native FILE [CONFIG] [RUNS]")?;
    let config = match args.next() {
        Some(p) if !p.is_empty() => {
            let mut config = convolens::Config::from_json(&std::fs::read_to_string(&p)?)?;
            // A `rate_card` path is relative to the config's directory.
            let dir = std::path::Path::new(&p).parent();
            config.resolve_rate_card(dir, |card| std::fs::read_to_string(card))?;
            config
        }
        _ => convolens::Config::default(),
    };
    let runs: u32 = args.next().map_or(Ok(5), |s| s.parse())?;
    let bytes = std::fs::read(&file)?;
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut lines = 0;
    for _ in 0..runs {
        let mut engine = convolens::Engine::new(config.clone())?;
        let cpu = cpu_ns();
        let t = Instant::now();
        let out = engine.ingest_reader(bytes.as_slice())?;
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu, cpu_ns()) {
            best_cpu = best_cpu.min((b - a) as f64 / 1e9);
        }
        lines = out.lines;
    }
    let cpu = if best_cpu.is_finite() {
        format!("{best_cpu:.6}")
    } else {
        "null".into()
    };
    println!(
        "{{\"bytes\":{},\"lines\":{lines},\"best_seconds\":{best:.6},\"best_cpu_seconds\":{cpu}}}",
        bytes.len()
    );
    Ok(())
}
