//! Fuzz snapshot restore: arbitrary bytes are an error or a valid engine, never a panic.
#![no_main]

use convolens::{Engine, ReportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut e) = Engine::restore(data) {
        let _ = e.report(&ReportOptions::default());
    }
});
