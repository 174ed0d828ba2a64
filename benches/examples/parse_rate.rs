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
//! the threaded ingest does); `parse_serde_mb_s`, the same with the fast parse path off
//! (`serde_json` reads every document: the rate before the fast path); and per thread count `ingest_mb_s`, the rate of
//! `Engine::ingest_reader_threads` (split, parse, apply) on a fresh engine. Each figure is
//! the best of three runs, wall-clock; MB is 10^6 bytes. A measurement, asserting nothing.
//!
//! `parse_rate FILE once N` ingests the file once on N threads and prints nothing: for
//! timing whole processes against each other from outside. `parse_rate FILE parse [serde]`
//! reads the file, then splits and parses it once on one thread (with the fast parse path,
//! or with `serde_json` alone), applying nothing: for comparing the two paths' CPU time.
//! `parse_rate FILE lines [serde]` parses each line as one document instead (no splitter
//! scan or copy: what the engine does with a JSONL line that is one whole document);
//! `parse_lines_mb_s` is its rate with the fast path.

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

fn parse_only(data: &[u8], fast: bool) -> usize {
    let opts = ParseOptions::default().with_fast(fast);
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

/// Parse each line of `data` as one document, as the engine does with every line that is
/// one whole document (most JSONL lines): no splitter scan, no copy.
fn parse_lines(data: &[u8], fast: bool) -> usize {
    let opts = ParseOptions::default().with_fast(fast);
    let mut n = 0;
    // Found with `str`'s memchr search when the file is UTF-8 (a byte-by-byte split
    // would cost a tenth of the parse).
    let lines: Box<dyn Iterator<Item = &[u8]>> = match std::str::from_utf8(data) {
        Ok(text) => Box::new(text.split('\n').map(str::as_bytes)),
        Err(_) => Box::new(data.split(|b| *b == b'\n')),
    };
    for (i, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let mut events = Vec::new();
        if parse_document(line, i as u64 + 1, &opts, &mut events).is_ok() {
            n += events.len();
        }
    }
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
    if let Some(mode @ ("parse" | "lines")) = rest.first().map(String::as_str) {
        let fast = rest.get(1).is_none_or(|a| a != "serde");
        let data = std::fs::read(&path)?;
        let parse = if mode == "parse" {
            parse_only
        } else {
            parse_lines
        };
        std::hint::black_box(parse(&data, fast));
        return Ok(());
    }
    let threads: Vec<usize> = rest.iter().map(|a| a.parse()).collect::<Result<_, _>>()?;
    let data = std::fs::read(&path)?;
    let mb = data.len() as f64 / 1e6;
    let parse = best_of_three(|| {
        std::hint::black_box(parse_only(&data, true));
    });
    let parse_serde = best_of_three(|| {
        std::hint::black_box(parse_only(&data, false));
    });
    let lines = best_of_three(|| {
        std::hint::black_box(parse_lines(&data, true));
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
        "{{\"bytes\":{},\"split_mb_s\":{:.1},\"parse_mb_s\":{:.1},\"parse_serde_mb_s\":{:.1},\"parse_lines_mb_s\":{:.1},\"ingest_mb_s\":{{{}}}}}",
        data.len(),
        mb / split,
        mb / parse,
        mb / parse_serde,
        mb / lines,
        rates.join(",")
    );
    Ok(())
}
