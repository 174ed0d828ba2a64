//! Fuzz the fast parse path (the extractor `input::extract` and the reader `input::fast`)
//! against serde_json on any bytes: each gives up or gives exactly serde_json's result
//! (events, or the error, of a document; `Value` of any JSON).
//! Invariant in `fuzz/invariants/core.rs`, replayed on stable by `core/tests/fuzz_replay.rs`.
#![no_main]

#[path = "../invariants/core.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::fast_parse(data));
