//! Helpers shared by the benchmarks: generated traffic of a given size.

use convolens_examples::{GenConfig, generate};

/// Generated JSONL traffic for about `users` users over `days` days (seed 42).
pub fn traffic(users: u32, days: u32) -> Vec<u8> {
    let cfg = GenConfig {
        users,
        days,
        ..GenConfig::default()
    };
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = generate(&cfg, &mut out);
    out
}

/// The lines of `bytes`.
pub fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}
