//! Fuzz the ingest entry points with the report-level invariants (slower than `ingest`):
//! a rejected document leaves the whole report as it was; a report is always possible; the
//! engine's own snapshot restores to an engine with the same report. Shares its corpus with
//! `ingest` (`cargo fuzz run ingest_report corpus/ingest`). Invariants in
//! `fuzz/invariants/core.rs`, replayed on stable by `core/tests/fuzz_replay.rs`.
#![no_main]

#[path = "../invariants/core.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::ingest_report(data));
