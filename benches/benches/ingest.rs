//! Ingest throughput: parse alone, parse + ingest of webhook/JSONL lines, and snapshot /
//! restore. Throughput is reported in bytes/s (MB/s) and lines/s by criterion.
//!
//! The input is peers-shaped: the traffic `benches/peers/run` generates (the examples
//! generator, seed 42, 30 days from 2025-06-01), for 2,000 users (about 14,000 messages,
//! 15 MB); or, when `CONVOLENS_BENCH_FILE` names a JSONL file (e.g. the peers bench's
//! `benches/peers/.data/traffic-100000.jsonl`), that file.
//!
//! `parse_alone` is the parse target of issue 18 on one core: each line parsed as one
//! document (as `Engine::ingest_reader` does with a line that is a whole document) into
//! one reused event list, nothing applied.
//!
//! ```text
//! cargo bench -p convolens-benches --bench ingest -- parse_alone
//! ```

use convolens::internals::{ParseOptions, parse_document};
use convolens::{Config, Engine};
use convolens_benches::{lines, traffic};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The bench input: the file `CONVOLENS_BENCH_FILE` names, else generated traffic.
fn input() -> Vec<u8> {
    match std::env::var_os("CONVOLENS_BENCH_FILE") {
        Some(path) => {
            std::fs::read(&path).unwrap_or_else(|e| panic!("CONVOLENS_BENCH_FILE {path:?}: {e}"))
        }
        None => traffic(2_000, 30),
    }
}

fn bench(c: &mut Criterion) {
    let data = input();
    let ls = lines(&data);
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("parse_alone", |b| {
        let opts = ParseOptions::default();
        b.iter(|| {
            let mut n = 0usize;
            let mut events = Vec::new();
            for (i, l) in ls.iter().enumerate() {
                events.clear();
                if parse_document(l, i as u64 + 1, &opts, &mut events).is_ok() {
                    n += events.len();
                }
            }
            black_box(n)
        });
    });
    g.bench_function("parse_and_ingest_bytes", |b| {
        b.iter_batched(
            || Engine::new(Config::default()).expect("config"),
            |mut e| {
                e.ingest_reader(&data[..]).expect("read");
                e
            },
            BatchSize::LargeInput,
        );
    });
    g.throughput(Throughput::Elements(ls.len() as u64));
    g.bench_function("parse_and_ingest_lines", |b| {
        b.iter_batched(
            || Engine::new(Config::default()).expect("config"),
            |mut e| {
                for l in &ls {
                    let _ = e.ingest(l);
                }
                e
            },
            BatchSize::LargeInput,
        );
    });
    g.finish();

    let mut e = Engine::new(Config::default()).expect("config");
    e.ingest_reader(&data[..]).expect("read");
    let snap = e.snapshot();
    let mut g = c.benchmark_group("snapshot");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(snap.len() as u64));
    g.bench_function("snapshot", |b| b.iter(|| black_box(e.snapshot().len())));
    g.bench_function("restore", |b| {
        b.iter(|| black_box(Engine::restore(&snap).expect("restore")));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
