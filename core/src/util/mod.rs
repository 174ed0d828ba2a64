//! Utilities every layer may use: hashing, time arithmetic, serde helpers. Nothing here
//! knows about WhatsApp.

pub(crate) mod counted;
pub(crate) mod csv;
pub(crate) mod digest;
pub(crate) mod hash;
pub(crate) mod interner;
pub(crate) mod json_path;
pub(crate) mod name;
pub(crate) mod ranked;
pub(crate) mod rare;
pub(crate) mod serde;
pub(crate) mod sort;
pub(crate) mod sorted_map;
pub(crate) mod time;
pub(crate) mod userset;
pub(crate) mod varint;
#[cfg(any(test, feature = "compact"))]
pub(crate) mod zones;

/// `x + n` for `s = 1` (a contribution added), `x − n` for `s = -1` (taken out again):
/// the one step every aggregate kept up to date user by user takes (issue 17).
pub(crate) fn step(x: &mut u64, n: u64, s: i64) {
    debug_assert!(s > 0 || *x >= n, "taking out more than was added");
    *x = if s > 0 {
        x.wrapping_add(n)
    } else {
        x.wrapping_sub(n)
    };
}

/// Push `x` onto `v`, growing a full vector by a quarter (at least 64 items) rather than
/// by doubling: for the tables that grow with the history (message rows, users), where
/// doubling leaves up to half the slots empty. A large block is moved by remapping its
/// pages, so the extra reallocations cost little.
pub(crate) fn push_growing_by_quarter<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 4).max(64));
    }
    v.push(x);
}

/// `num / den`, or `None` when `den` is zero (never NaN or infinity).
pub(crate) fn ratio(num: f64, den: f64) -> Option<f64> {
    if den == 0.0 {
        return None;
    }
    let r = num / den;
    r.is_finite().then_some(r)
}
