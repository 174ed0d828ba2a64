//! A multiset of `u32` values that answers "the k-th smallest" without sorting them all
//! (issue 17: a watched range's first-response quantiles follow each change instead of
//! sorting every response of the range for every report).
//!
//! Values are counted exactly in a map from value to count, and again in a coarse map
//! from *bucket* (the value without its low [`SHIFT`] bits) to count. Selecting the k-th
//! value walks the coarse map to the bucket holding it, then that bucket's values: the
//! cost is the number of distinct buckets plus at most 2^[`SHIFT`] values, whatever the
//! number of values counted. Adding or taking out one value costs two map updates.

use std::collections::BTreeMap;

/// Low bits of a value that its bucket leaves out (buckets of 1,024 values).
pub(crate) const SHIFT: u32 = 10;

/// A multiset of `u32` with order statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ranked {
    values: BTreeMap<u32, u64>,
    buckets: BTreeMap<u32, u64>,
    len: u64,
}

impl Ranked {
    /// One more (`s > 0`) or one fewer (`s < 0`) of `v`; taking out a value that is not
    /// there changes nothing.
    pub(crate) fn step(&mut self, v: u32, s: i64) {
        let b = v >> SHIFT;
        if s > 0 {
            *self.values.entry(v).or_default() += 1;
            *self.buckets.entry(b).or_default() += 1;
            self.len += 1;
            return;
        }
        let Some(n) = self.values.get_mut(&v) else {
            return;
        };
        *n -= 1;
        if *n == 0 {
            self.values.remove(&v);
        }
        if let Some(n) = self.buckets.get_mut(&b) {
            *n -= 1;
            if *n == 0 {
                self.buckets.remove(&b);
            }
        }
        self.len -= 1;
    }

    /// How many values it holds (each counted as often as it was added).
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The `k`-th smallest value (from 0), `None` when `k >= len`.
    pub(crate) fn select(&self, k: u64) -> Option<u32> {
        if k >= self.len {
            return None;
        }
        let mut before = 0;
        for (&b, &n) in &self.buckets {
            if before + n <= k {
                before += n;
                continue;
            }
            let lo = b << SHIFT;
            let hi = lo | ((1 << SHIFT) - 1);
            for (&v, &m) in self.values.range(lo..=hi) {
                if before + m > k {
                    return Some(v);
                }
                before += m;
            }
            break;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn selects_across_buckets_with_repeats() {
        let mut r = Ranked::default();
        // 3, 3, 1500, 70000 (three buckets: 0, 1, 68).
        for v in [1500, 3, 70_000, 3] {
            r.step(v, 1);
        }
        assert_eq!(r.len(), 4);
        assert_eq!(
            (0..5).map(|k| r.select(k)).collect::<Vec<_>>(),
            [Some(3), Some(3), Some(1500), Some(70_000), None]
        );
        r.step(3, -1);
        r.step(9, -1); // not there: nothing changes
        assert_eq!(r.len(), 3);
        assert_eq!(r.select(0), Some(3));
        assert_eq!(r.select(1), Some(1500));
        r.step(3, -1);
        r.step(1500, -1);
        r.step(70_000, -1);
        assert_eq!(r, Ranked::default());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(64)))]
        /// Any sequence of additions and removals selects as the sorted list of what is left.
        #[test]
        fn select_equals_the_sorted_values(ops in proptest::collection::vec((0u32..5_000, any::<bool>()), 0..200)) {
            let mut r = Ranked::default();
            let mut v: Vec<u32> = Vec::new();
            for (x, add) in ops {
                if add {
                    r.step(x, 1);
                    v.push(x);
                } else {
                    r.step(x, -1);
                    if let Some(i) = v.iter().position(|y| *y == x) {
                        v.swap_remove(i);
                    }
                }
            }
            v.sort_unstable();
            prop_assert_eq!(r.len(), v.len() as u64);
            for (k, x) in v.iter().enumerate() {
                prop_assert_eq!(r.select(k as u64), Some(*x));
            }
            prop_assert_eq!(r.select(v.len() as u64), None);
        }
    }
}
