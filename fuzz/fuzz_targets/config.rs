//! Fuzz config parsing. Invariants (`fuzz/invariants/core.rs`, replayed on stable by
//! `core/tests/fuzz_replay.rs`): arbitrary text is a config or an error; a validation error
//! names its key; an accepted config's JSON reads back to the same config; an engine accepts
//! it or names the key it refuses.
#![no_main]

#[path = "../invariants/core.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::config(data));
