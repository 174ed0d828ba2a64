//! Fuzz the ingest entry points: one document, and the same bytes as a line stream.
//! Invariants: no panic; an error leaves the state as it was; a report is always possible.
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
    let _ = e.ingest_reader(data);
    let r = e.report(&ReportOptions::default()).expect("report");
    let _ = r.input.lines;
    let bytes = e.snapshot();
    Engine::restore(&bytes).expect("own snapshot restores");
});
