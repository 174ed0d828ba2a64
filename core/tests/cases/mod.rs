//! How many cases each property runs: its own default, unless `PROPTEST_CASES` says
//! otherwise, so a long run can raise them without editing the tests.
//!
//! - `PROPTEST_CASES=N` (a number): every property runs N cases (proptest's own meaning of
//!   the variable, which an explicit `cases:` in a test would otherwise override).
//! - `PROPTEST_CASES=Kx` (a number and `x`): every property runs K times its default, e.g.
//!   `PROPTEST_CASES=10x cargo test -p convolens` for a ten-fold run.
//!
//! Unset or unreadable: the defaults, sized for CI.

/// The number of cases for a property whose default is `default`.
pub fn cases(default: u32) -> u32 {
    let Ok(v) = std::env::var("PROPTEST_CASES") else {
        return default;
    };
    let v = v.trim();
    match v.strip_suffix('x') {
        Some(k) => k
            .parse::<u32>()
            .map_or(default, |k| default.saturating_mul(k)),
        None => v.parse().unwrap_or(default),
    }
}
