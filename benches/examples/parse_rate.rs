//! Parse and ingest rates of a JSONL file held in memory, for `benches/ingest_threads/run`.
//!
//! ```text
//! cargo run --release -p convolens-benches --example parse_rate -- FILE [THREADS...]
//! ```
//!
//! Prints one JSON object: the file's bytes; `split_mb_s`, the rate of splitting the
//! stream into documents alone (what the threaded ingest's reading thread does before
//! copying them out); `parse_mb_s`, the rate of splitting and
//! parsing alone on one thread (documents to events, nothing applied: what each worker of
//! the threaded ingest does); and per thread count `ingest_mb_s`, the rate of
//! `Engine::ingest_reader_threads` (split, parse, apply) on a fresh engine. Each figure is
//! the best of three runs, wall-clock; MB is 10^6 bytes. A measurement, asserting nothing.
//!
//! `parse_rate FILE once N` ingests the file once on N threads and prints nothing: for
//! timing whole processes against each other from outside.

use convolens::internals::{DocumentSplitter, ParseOptions, Piece, parse_document};
use convolens::{Config, Engine};
use std::time::Instant;

/// The engine's default longest document (16 MiB).
const MAX_DOCUMENT_BYTES: usize = 16 << 20;

fn best_of_three(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn parse_only(data: &[u8]) -> usize {
    let opts = ParseOptions::default();
    let mut n = 0;
    let mut split = DocumentSplitter::new(MAX_DOCUMENT_BYTES);
    split
        .run(data, |p| {
            if let Piece::Doc(d) = p {
                let mut events = Vec::new();
                if parse_document(d.bytes(), d.line(), &opts, &mut events).is_ok() {
                    n += events.len();
                }
            }
        })
        .expect("in memory");
    n
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: parse_rate FILE [THREADS...]")?;
    let rest: Vec<String> = args.collect();
    if rest.first().is_some_and(|a| a == "once") {
        let n = rest.get(1).ok_or("once needs THREADS")?.parse()?;
        let mut e = Engine::new(Config::default())?;
        e.ingest_reader_threads(std::fs::File::open(&path)?, n)?;
        std::hint::black_box(e);
        return Ok(());
    }
    let threads: Vec<usize> = rest.iter().map(|a| a.parse()).collect::<Result<_, _>>()?;
    let data = std::fs::read(&path)?;
    let mb = data.len() as f64 / 1e6;
    let parse = best_of_three(|| {
        std::hint::black_box(parse_only(&data));
    });
    let split = best_of_three(|| {
        let mut n = 0usize;
        let mut s = DocumentSplitter::new(MAX_DOCUMENT_BYTES);
        s.run(&data[..], |_| n += 1).expect("in memory");
        std::hint::black_box(n);
    });
    let mut rates = Vec::new();
    for &t in &threads {
        let secs = best_of_three(|| {
            let mut e = Engine::new(Config::default()).expect("default config");
            e.ingest_reader_threads(&data[..], t).expect("in memory");
            std::hint::black_box(e);
        });
        rates.push(format!("\"{t}\":{:.1}", mb / secs));
    }
    println!(
        "{{\"bytes\":{},\"split_mb_s\":{:.1},\"parse_mb_s\":{:.1},\"ingest_mb_s\":{{{}}}}}",
        data.len(),
        mb / split,
        mb / parse,
        rates.join(",")
    );
    Ok(())
}
