//! What a range memo keeps to answer "how many distinct" after one member leaves one day:
//! a multiset counting, for each key, the days of the range whose set holds it (issue 17:
//! a report after new input costs what changed, not the range).

use std::hash::Hash;

/// A multiset of keys and the number of distinct keys in it.
#[derive(Clone, Debug)]
pub(crate) struct Counted<K: Hash + Eq> {
    counts: hashbrown::HashMap<K, u32>,
}

impl<K: Hash + Eq> Default for Counted<K> {
    fn default() -> Self {
        Counted {
            counts: hashbrown::HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Counted<K> {
    /// One more (`s > 0`) or one fewer (`s < 0`) of `k`; a key whose count reaches zero
    /// leaves. Taking out a key that is not there changes nothing.
    pub(crate) fn step(&mut self, k: K, s: i64) {
        if s > 0 {
            *self.counts.entry(k).or_default() += 1;
        } else if let Some(n) = self.counts.get_mut(&k) {
            *n -= 1;
            if *n == 0 {
                self.counts.remove(&k);
            }
        }
    }

    /// The number of distinct keys.
    pub(crate) fn len(&self) -> u64 {
        self.counts.len() as u64
    }
}

/// A cache kept beside derived data (a memo of one range's sums). It is not part of the
/// data: it never makes two values unequal, a clone starts without it (a copy that is
/// then changed otherwise could not keep it right), and serde skips it.
#[derive(Debug)]
pub(crate) struct Memo<T>(pub(crate) Option<Box<T>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(None)
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Memo(None)
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_keys_follow_steps_in_and_out() {
        let mut c = Counted::default();
        c.step(7u32, 1);
        c.step(7, 1);
        c.step(9, 1);
        assert_eq!(c.len(), 2);
        c.step(7, -1);
        assert_eq!(c.len(), 2, "7 is still on one day");
        c.step(7, -1);
        assert_eq!(c.len(), 1);
        c.step(7, -1);
        assert_eq!(c.len(), 1, "taking out an absent key changes nothing");
        c.step(9, -1);
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn a_memo_never_makes_values_unequal_and_a_clone_starts_empty() {
        let m = Memo(Some(Box::new(3)));
        assert!(m.clone().0.is_none());
        assert!(m == Memo::default());
    }
}
