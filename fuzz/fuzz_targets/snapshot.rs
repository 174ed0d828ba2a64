//! Fuzz snapshot restore: arbitrary bytes are an error or a valid engine, never a panic.
//!
//! Random bytes almost never pass the magic and checksum, so half the inputs (first byte
//! even) are treated as a *payload*: the target wraps them in a valid header with the
//! right checksum, which drives the fuzzer into the decoder and the integrity check. The
//! other half go to `Engine::restore` unchanged.
#![no_main]

use convolens::{Engine, ReportOptions};
use libfuzzer_sys::fuzz_target;

/// 64-bit FNV-1a, as the snapshot header uses.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(18 + payload.len());
    out.extend_from_slice(convolens::snapshot::MAGIC);
    out.extend_from_slice(&convolens::snapshot::SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&fnv1a(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fuzz_target!(|data: &[u8]| {
    let bytes = match data.split_first() {
        Some((flag, payload)) if flag % 2 == 0 => wrap(payload),
        _ => data.to_vec(),
    };
    if let Ok(mut e) = Engine::restore(&bytes) {
        let _ = e.report(&ReportOptions::default());
        // A restored engine snapshots to bytes that restore again.
        let again = e.snapshot();
        assert!(Engine::restore(&again).is_ok(), "re-snapshot must restore");
    }
});
