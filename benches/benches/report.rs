//! Report latency for a 30-day range as the ingested volume grows.

use convolens::{Config, Engine};
use convolens_benches::traffic;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("report_30d");
    g.sample_size(10);
    for users in [100u32, 1_000, 5_000] {
        let data = traffic(users, 61);
        let mut e = Engine::new(Config::default()).expect("config");
        e.ingest_reader(&data[..]).expect("read");
        let lines = data.iter().filter(|b| **b == b'\n').count();
        let opts = {
            let mut o = convolens::ReportOptions::default();
            o.last = Some("30d".into());
            o
        };
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{lines}_lines")),
            &opts,
            |b, o| {
                b.iter(|| black_box(e.report(o).expect("report")));
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
