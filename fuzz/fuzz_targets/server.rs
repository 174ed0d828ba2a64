//! Fuzz convolens-server's webhook path: the checks a body passes before it is stored
//! (size, signature, JSON syntax), the append to the log, the engine, and recovery of that
//! log cut at any byte. The invariants are in `fuzz/invariants/server.rs` (replayed on
//! stable by `examples/server/tests/fuzz_replay.rs`).
#![no_main]

#[path = "../invariants/server.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| invariants::server(data));
