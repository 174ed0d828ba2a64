//! Fuzz the ingest entry points: one document, and the same bytes as a stream.
//! Invariants (`fuzz/invariants/core.rs`, replayed on stable by `core/tests/fuzz_replay.rs`):
//! no panic; a rejected document leaves the facts and the report as they were (only the line
//! and error counters move); a stream counts every line it read and every error names one
//! of them; a report is always possible; the engine's own snapshot restores to an engine
//! with the same report.
#![no_main]

#[path = "../invariants/core.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::ingest(data));
