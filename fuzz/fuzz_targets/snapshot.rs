//! Fuzz snapshot restore: arbitrary bytes are an error or a valid engine, never a panic.
//!
//! Random bytes almost never pass the magic and checksum, so half the inputs (first byte
//! even) are treated as a *payload*: the target wraps them in a valid header with the
//! right checksum, which drives the fuzzer into the decoder and the integrity check. The
//! other half go to `Engine::restore` unchanged. A restored engine is reported on,
//! re-snapshotted, expired and reported on again.
#![no_main]

use convolens::{Engine, ReportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = match data.split_first() {
        Some((flag, payload)) if flag % 2 == 0 => convolens::internals::seal(payload),
        _ => data.to_vec(),
    };
    if let Ok(mut e) = Engine::restore(&bytes) {
        let _ = e.report(&ReportOptions::default());
        // A restored engine snapshots to bytes that restore again.
        let again = e.snapshot();
        assert!(Engine::restore(&again).is_ok(), "re-snapshot must restore");
        // Expiring a restored state (sealed days, carries and tallies included) and
        // reporting after it is an error or a result, never a panic; so is its snapshot.
        if e.expire().is_ok() {
            let _ = e.report(&ReportOptions::default());
            assert!(Engine::restore(&e.snapshot()).is_ok(), "expired snapshot must restore");
        }
    }
});
