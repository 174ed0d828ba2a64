//! Fuzz the ingest entry points: one document, and the same bytes as a stream.
//! Invariants: no panic; an error leaves the state as it was; a stream counts every line
//! it read; a report is always possible; the engine's own snapshot restores.
#![no_main]

use convolens::{Config, Engine, ReportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut e = Engine::new(Config::default()).expect("default config");
    let before = e.snapshot();
    if e.ingest(data).is_err() {
        // A rejected document changes nothing but the line and error counters.
        let mut fresh = Engine::restore(&before).expect("restore");
        let _ = fresh.report(&ReportOptions::default());
    }
    let lines_before = e.stats().lines;
    let out = e.ingest_reader(data).expect("reading a slice cannot fail");
    // Every line is counted: each line break, and a last line without one.
    let breaks = data.iter().filter(|b| **b == b'\n').count() as u64;
    let expected = breaks + u64::from(data.last().is_some_and(|b| *b != b'\n'));
    assert_eq!(out.lines, expected, "lines counted");
    assert_eq!(e.stats().lines, lines_before + out.lines);
    let r = e.report(&ReportOptions::default()).expect("report");
    let _ = r.input.lines;
    let bytes = e.snapshot();
    Engine::restore(&bytes).expect("own snapshot restores");
});
