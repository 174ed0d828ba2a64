//! Exact sets of user indices: a small compressed bitmap in the style of Roaring bitmaps,
//! written here so the crate needs no new dependency.
//!
//! A [`UserSet`] splits each 32-bit user index into a high half (the *chunk*) and a low
//! half. Each chunk of 65,536 consecutive indices holds its low halves either as a sorted
//! `Vec<u16>` (at most [`ARRAY_MAX`] entries: 2 bytes per user) or, once denser, as a
//! fixed 8 KiB bitmap (1 bit per possible user). So a set of `n` users drawn from `U`
//! possible indices never takes more than `min(2·n, U/8)` bytes plus a few bytes per chunk,
//! and the union of two sets costs time proportional to their stored sizes, not to `U`.
//!
//! Sets are exact: no sketch, no false positives, whatever the number of users (up to
//! 2³² indices).

/// Above this many entries a chunk switches from a sorted array to a bitmap (the point where
/// 2 bytes per entry reach the bitmap's 8 KiB).
pub(crate) const ARRAY_MAX: usize = 4096;

const WORDS: usize = 1024;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Chunk {
    /// Sorted, distinct low halves.
    Array(Vec<u16>),
    /// A bitmap of 65,536 bits and its population count.
    Bitmap(Box<[u64]>, u32),
}

impl Chunk {
    fn len(&self) -> usize {
        match self {
            Chunk::Array(a) => a.len(),
            Chunk::Bitmap(_, n) => *n as usize,
        }
    }

    #[cfg(test)]
    fn contains(&self, low: u16) -> bool {
        match self {
            Chunk::Array(a) => a.binary_search(&low).is_ok(),
            Chunk::Bitmap(b, _) => b[usize::from(low) / 64] & (1u64 << (low % 64)) != 0,
        }
    }

    fn bitmap_from(a: &[u16]) -> Chunk {
        let mut words = vec![0u64; WORDS].into_boxed_slice();
        for &x in a {
            words[usize::from(x) / 64] |= 1u64 << (x % 64);
        }
        Chunk::Bitmap(words, a.len() as u32)
    }

    /// Insert `low`; true when it was new.
    fn insert(&mut self, low: u16) -> bool {
        match self {
            Chunk::Array(a) => {
                let pos = match a.last() {
                    Some(&last) if last < low => a.len(),
                    Some(&last) if last == low => return false,
                    _ => match a.binary_search(&low) {
                        Ok(_) => return false,
                        Err(p) => p,
                    },
                };
                a.insert(pos, low);
                if a.len() > ARRAY_MAX {
                    *self = Chunk::bitmap_from(a);
                }
                true
            }
            Chunk::Bitmap(b, n) => {
                let (w, bit) = (usize::from(low) / 64, 1u64 << (low % 64));
                if b[w] & bit != 0 {
                    return false;
                }
                b[w] |= bit;
                *n += 1;
                true
            }
        }
    }

    /// Remove `low`; true when it was there. A bitmap that falls to [`ARRAY_MAX`] entries
    /// becomes an array again, as a chunk built with those entries would be.
    fn remove(&mut self, low: u16) -> bool {
        match self {
            Chunk::Array(a) => match a.binary_search(&low) {
                Ok(p) => {
                    a.remove(p);
                    true
                }
                Err(_) => false,
            },
            Chunk::Bitmap(b, n) => {
                let (w, bit) = (usize::from(low) / 64, 1u64 << (low % 64));
                if b[w] & bit == 0 {
                    return false;
                }
                b[w] &= !bit;
                *n -= 1;
                if *n as usize <= ARRAY_MAX {
                    let mut a = Vec::with_capacity(*n as usize);
                    self.for_each(0, &mut |x| a.push(x as u16));
                    *self = Chunk::Array(a);
                }
                true
            }
        }
    }

    /// `self ∪= other`.
    fn union_with(&mut self, other: &Chunk) {
        match (&mut *self, other) {
            (Chunk::Array(a), Chunk::Array(b)) => {
                let merged = merge_sorted(a, b);
                *self = if merged.len() > ARRAY_MAX {
                    Chunk::bitmap_from(&merged)
                } else {
                    Chunk::Array(merged)
                };
            }
            (Chunk::Bitmap(words, n), Chunk::Array(b)) => {
                for &x in b {
                    let (w, bit) = (usize::from(x) / 64, 1u64 << (x % 64));
                    if words[w] & bit == 0 {
                        words[w] |= bit;
                        *n += 1;
                    }
                }
            }
            (Chunk::Array(a), Chunk::Bitmap(words, _)) => {
                let mut out = words.clone();
                let mut n = 0u32;
                for &x in a.iter() {
                    out[usize::from(x) / 64] |= 1u64 << (x % 64);
                }
                for w in &out {
                    n += w.count_ones();
                }
                *self = Chunk::Bitmap(out, n);
            }
            (Chunk::Bitmap(words, n), Chunk::Bitmap(other, _)) => {
                let mut count = 0u32;
                for (w, o) in words.iter_mut().zip(other.iter()) {
                    *w |= *o;
                    count += w.count_ones();
                }
                *n = count;
            }
        }
    }

    fn for_each(&self, high: u32, f: &mut impl FnMut(u32)) {
        match self {
            Chunk::Array(a) => {
                for &x in a {
                    f(high | u32::from(x));
                }
            }
            Chunk::Bitmap(words, _) => {
                for (i, &w) in words.iter().enumerate() {
                    let mut w = w;
                    while w != 0 {
                        let t = w.trailing_zeros();
                        f(high | (i as u32 * 64 + t));
                        w &= w - 1;
                    }
                }
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Chunk::Array(a) => a.capacity() * 2,
            Chunk::Bitmap(..) => WORDS * 8,
        }
    }
}

fn merge_sorted(a: &[u16], b: &[u16]) -> Vec<u16> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// An exact set of user indices (see the module docs for the layout and its memory bound).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct UserSet {
    highs: Vec<u16>,
    chunks: Vec<Chunk>,
}

impl UserSet {
    /// The empty set (the identity of [`UserSet::union_with`]).
    pub(crate) fn new() -> UserSet {
        UserSet::default()
    }

    /// Number of users in the set.
    pub(crate) fn len(&self) -> u64 {
        self.chunks.iter().map(|c| c.len() as u64).sum()
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Whether `u` is in the set.
    #[cfg(test)]
    pub(crate) fn contains(&self, u: u32) -> bool {
        let (h, l) = ((u >> 16) as u16, u as u16);
        self.highs
            .binary_search(&h)
            .is_ok_and(|i| self.chunks[i].contains(l))
    }

    /// Insert `u`; true when it was not there. Inserting in ascending order (as a pass over
    /// users in index order does) appends in O(1).
    pub(crate) fn insert(&mut self, u: u32) -> bool {
        let (h, l) = ((u >> 16) as u16, u as u16);
        let i = match self.highs.last() {
            Some(&last) if last == h => self.highs.len() - 1,
            Some(&last) if last < h => {
                self.highs.push(h);
                self.chunks.push(Chunk::Array(Vec::new()));
                self.highs.len() - 1
            }
            None => {
                self.highs.push(h);
                self.chunks.push(Chunk::Array(Vec::new()));
                0
            }
            Some(_) => match self.highs.binary_search(&h) {
                Ok(i) => i,
                Err(i) => {
                    self.highs.insert(i, h);
                    self.chunks.insert(i, Chunk::Array(Vec::new()));
                    i
                }
            },
        };
        self.chunks[i].insert(l)
    }

    /// Remove `u`; true when it was there (the inverse of [`UserSet::insert`]: the set
    /// left equals the one built without `u`).
    pub(crate) fn remove(&mut self, u: u32) -> bool {
        let (h, l) = ((u >> 16) as u16, u as u16);
        let Ok(i) = self.highs.binary_search(&h) else {
            return false;
        };
        let gone = self.chunks[i].remove(l);
        if self.chunks[i].len() == 0 {
            self.highs.remove(i);
            self.chunks.remove(i);
        }
        gone
    }

    /// `self ∪= other`, in time proportional to the two sets' stored sizes. Associative and
    /// commutative, with the empty set as identity.
    pub(crate) fn union_with(&mut self, other: &UserSet) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            self.clone_from(other);
            return;
        }
        let highs = std::mem::take(&mut self.highs);
        let chunks = std::mem::take(&mut self.chunks);
        let mut mine = highs.into_iter().zip(chunks).peekable();
        let mut theirs = other.highs.iter().zip(&other.chunks).peekable();
        loop {
            let next = match (mine.peek(), theirs.peek()) {
                (Some((a, _)), Some((b, _))) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            match next {
                std::cmp::Ordering::Less => {
                    let (h, c) = mine.next().unwrap_or((0, Chunk::Array(Vec::new())));
                    self.highs.push(h);
                    self.chunks.push(c);
                }
                std::cmp::Ordering::Greater => {
                    if let Some((h, c)) = theirs.next() {
                        self.highs.push(*h);
                        self.chunks.push(c.clone());
                    }
                }
                std::cmp::Ordering::Equal => {
                    if let (Some((h, mut c)), Some((_, o))) = (mine.next(), theirs.next()) {
                        c.union_with(o);
                        self.highs.push(h);
                        self.chunks.push(c);
                    }
                }
            }
        }
    }

    /// Call `f` for every user, in ascending order.
    pub(crate) fn for_each(&self, mut f: impl FnMut(u32)) {
        for (h, c) in self.highs.iter().zip(&self.chunks) {
            c.for_each(u32::from(*h) << 16, &mut f);
        }
    }

    /// Whether the set keeps its invariants (strictly increasing chunk keys, sorted
    /// distinct arrays, whole bitmaps with their true count) and holds only indices below
    /// `bound` (checked on restored snapshots).
    pub(crate) fn is_well_formed(&self, bound: usize) -> bool {
        let keys_ok =
            self.highs.len() == self.chunks.len() && self.highs.windows(2).all(|w| w[0] < w[1]);
        let chunks_ok = self.chunks.iter().all(|c| match c {
            Chunk::Array(a) => a.windows(2).all(|w| w[0] < w[1]),
            Chunk::Bitmap(b, n) => {
                b.len() == WORDS && b.iter().map(|w| w.count_ones()).sum::<u32>() == *n
            }
        });
        keys_ok && chunks_ok && self.to_vec().last().is_none_or(|u| (*u as usize) < bound)
    }

    /// The users, ascending.
    pub(crate) fn to_vec(&self) -> Vec<u32> {
        let mut v = Vec::with_capacity(self.len() as usize);
        self.for_each(|u| v.push(u));
        v
    }

    /// Heap bytes held (the memory bound of the module docs, measured).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.highs.capacity() * 2
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self.chunks.iter().map(Chunk::heap_bytes).sum::<usize>()
    }
}

impl FromIterator<u32> for UserSet {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Self {
        let mut s = UserSet::new();
        for u in iter {
            s.insert(u);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_undoes_insert_in_arrays_and_bitmaps() {
        // 5,000 users in one chunk make a bitmap (over ARRAY_MAX = 4,096); removing 1,000
        // of them leaves 4,000, which a set built directly holds as an array.
        let mut s: UserSet = (0..5_000).collect();
        assert!(matches!(s.chunks[0], Chunk::Bitmap(..)));
        for u in 0..1_000 {
            assert!(s.remove(u));
        }
        assert!(!s.remove(3), "already gone");
        assert!(!s.remove(70_000), "never there (another chunk)");
        assert_eq!(s, (1_000..5_000).collect::<UserSet>());
        assert_eq!(s.len(), 4_000);
        let mut t: UserSet = [7, 70_000].into_iter().collect();
        assert!(t.remove(70_000));
        assert_eq!(t, [7].into_iter().collect::<UserSet>());
        assert!(t.remove(7));
        assert!(t.is_empty());
    }

    #[test]
    fn union_keeps_each_user_once() {
        let mut a = UserSet::new();
        a.insert(7);
        a.insert(70_000);
        let mut b = UserSet::new();
        b.insert(7);
        b.insert(3);
        a.union_with(&b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.to_vec(), vec![3, 7, 70_000]);
    }
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[test]
    fn dense_chunks_become_bitmaps_and_stay_exact() {
        // 5,000 users in one chunk: over ARRAY_MAX, so a bitmap of 8 KiB.
        let s: UserSet = (0..10_000u32).step_by(2).collect();
        assert_eq!(s.len(), 5_000);
        assert!(s.contains(9_998) && !s.contains(9_999));
        assert!(matches!(s.chunks[0], Chunk::Bitmap(..)));
        // 2 users in a chunk: 2 bytes each, far below the bitmap.
        let t: UserSet = [1u32 << 20, (1 << 20) + 5].into_iter().collect();
        assert!(matches!(t.chunks[0], Chunk::Array(..)));
        let mut u = s.clone();
        u.union_with(&t);
        assert_eq!(u.len(), 5_002);
    }

    #[test]
    fn memory_is_bounded_by_two_bytes_per_user_or_one_bit_per_index() {
        // One million distinct users, every third index: 1M entries in 46 chunks of
        // 65,536 indices; each chunk holds ~21,845 entries, so it is a bitmap (8 KiB):
        // 46 × 8,192 = 376,832 bytes plus bookkeeping, against 4 MB for a Vec<u32>.
        let s: UserSet = (0..3_000_000u32).step_by(3).collect();
        assert_eq!(s.len(), 1_000_000);
        assert!(s.heap_bytes() < 400_000, "{}", s.heap_bytes());
        // Sparse: 1,000 users spread over 1,000 chunks, 2 bytes each plus per-chunk cost.
        let sparse: UserSet = (0..1_000u32).map(|i| i << 16).collect();
        assert!(sparse.heap_bytes() < 1_000 * 64, "{}", sparse.heap_bytes());
    }

    proptest! {
        #[test]
        fn behaves_like_a_btreeset(a in proptest::collection::vec(0u32..300_000, 0..6_000),
                                   b in proptest::collection::vec(0u32..300_000, 0..6_000)) {
            let sa: UserSet = a.iter().copied().collect();
            let sb: UserSet = b.iter().copied().collect();
            let ea: BTreeSet<u32> = a.iter().copied().collect();
            let eb: BTreeSet<u32> = b.iter().copied().collect();
            prop_assert_eq!(sa.to_vec(), ea.iter().copied().collect::<Vec<_>>());
            let mut u = sa.clone();
            u.union_with(&sb);
            let eu: Vec<u32> = ea.union(&eb).copied().collect();
            prop_assert_eq!(u.len(), eu.len() as u64);
            prop_assert_eq!(u.to_vec(), eu);
            // Commutative.
            let mut v = sb.clone();
            v.union_with(&sa);
            prop_assert_eq!(v.to_vec(), u.to_vec());
        }

        #[test]
        fn union_is_associative_with_identity(a in proptest::collection::vec(0u32..200_000, 0..3_000),
                                              b in proptest::collection::vec(0u32..200_000, 0..3_000),
                                              c in proptest::collection::vec(0u32..200_000, 0..3_000)) {
            let (sa, sb, sc): (UserSet, UserSet, UserSet) =
                (a.into_iter().collect(), b.into_iter().collect(), c.into_iter().collect());
            let mut left = sa.clone();
            left.union_with(&sb);
            left.union_with(&sc);
            let mut bc = sb.clone();
            bc.union_with(&sc);
            let mut right = sa.clone();
            right.union_with(&bc);
            prop_assert_eq!(left.to_vec(), right.to_vec());
            let mut id = sa.clone();
            id.union_with(&UserSet::new());
            prop_assert_eq!(id, sa);
        }
    }
}
