//! Fuzz the ingest entry points, fast (no reports; `ingest_report` adds the report-level
//! checks on the same corpus): one document, and the same bytes as a stream. Invariants
//! (`fuzz/invariants/core.rs`, replayed on stable by `core/tests/fuzz_replay.rs`): no panic;
//! a rejected document leaves the facts and every input counter but lines and errors as
//! they were; a stream counts every line it read and every error names one of them.
#![no_main]

#[path = "../invariants/core.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::ingest(data));
