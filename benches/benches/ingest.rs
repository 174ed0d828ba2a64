//! Ingest throughput: parse-only, parse + ingest of webhook/JSONL lines, and snapshot /
//! restore. Throughput is reported in bytes/s (MB/s) and lines/s by criterion.

use convolens::internals::{ParseOptions, parse_document};
use convolens::{Config, Engine};
use convolens_benches::{lines, traffic};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let data = traffic(2_000, 30);
    let ls = lines(&data);
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("parse_only_bytes", |b| {
        let opts = ParseOptions::default();
        b.iter(|| {
            let mut n = 0usize;
            let mut events = Vec::new();
            for l in &ls {
                events.clear();
                if parse_document(l, 1, &opts, &mut events).is_ok() {
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
