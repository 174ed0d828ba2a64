//! Fuzz snapshot restore: arbitrary bytes are an error or a valid engine, never a panic.
//!
//! Random bytes almost never pass the magic and checksum, so half the inputs (first byte
//! even) are treated as a *payload*: the target wraps them in a valid header with the
//! right checksum, which drives the fuzzer into the decoder and the integrity check. The
//! other half go to `Engine::restore` unchanged.
//!
//! Invariants (`fuzz/invariants/core.rs`, replayed on stable by `core/tests/fuzz_replay.rs`):
//! a wrapped payload is never refused for its header; a restored engine's own snapshot
//! restores to an engine that answers every report the same (errors included), before and
//! after `expire()`.
#![no_main]

#[path = "../invariants/core.rs"]
#[allow(dead_code)] // each target uses one of the shared checks
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::snapshot(data));
