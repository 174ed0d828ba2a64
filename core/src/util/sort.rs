//! Slice sorting with one sort routine in the `compact` build (the `.wasm`).
//!
//! The standard library's sorts are generic over the element type and the comparator, so
//! every `sort_by(|a, b| …)` call site brings its own copy of the whole sort (3.5–8 kB of
//! WebAssembly each). In the compact build the methods here sort the elements' positions
//! (`u32`) instead, through one comparator type (`&mut dyn FnMut`), so the module holds a
//! single sort; what is left per call site is the comparator and moving the elements into
//! place. The other builds call the standard sort the method names, unchanged.
//!
//! The results are the same in both builds: the stable methods are stable in both (a
//! stable sort's result is fully determined by the comparator), and [`SortSlice::sort_total`]
//! is for types whose order is total and whose equal elements are identical (derived
//! `Ord`), where stability cannot show.

use std::cmp::Ordering;

/// The sorts of this module (see there), on any slice.
pub(crate) trait SortSlice<T> {
    /// Sorts stably by `cmp` (`slice::sort_by`).
    fn stable_sort_by<F: FnMut(&T, &T) -> Ordering>(&mut self, cmp: F);

    /// Sorts stably by the key `f` gives (`slice::sort_by_key`).
    fn stable_sort_by_key<K: Ord, F: FnMut(&T) -> K>(&mut self, mut f: F) {
        self.stable_sort_by(|a, b| f(a).cmp(&f(b)));
    }

    /// Sorts by `T`'s order, which must be total with equal elements identical (derived
    /// `Ord`): `slice::sort_unstable` in the default build.
    fn sort_total(&mut self)
    where
        T: Ord;
}

impl<T> SortSlice<T> for [T] {
    #[cfg(not(feature = "compact"))]
    fn stable_sort_by<F: FnMut(&T, &T) -> Ordering>(&mut self, cmp: F) {
        self.sort_by(cmp);
    }

    #[cfg(feature = "compact")]
    fn stable_sort_by<F: FnMut(&T, &T) -> Ordering>(&mut self, mut cmp: F) {
        let order = positions(self.len(), &mut |a, b| cmp(&self[a], &self[b]));
        permute(self, order);
    }

    #[cfg(not(feature = "compact"))]
    fn sort_total(&mut self)
    where
        T: Ord,
    {
        self.sort_unstable();
    }

    #[cfg(feature = "compact")]
    fn sort_total(&mut self)
    where
        T: Ord,
    {
        self.stable_sort_by(T::cmp);
    }
}

/// The positions `0..n` sorted stably by `cmp` of the elements there: the one sort of
/// the compact build.
#[cfg(feature = "compact")]
fn positions(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    let by: &mut dyn FnMut(&u32, &u32) -> Ordering = &mut |a, b| cmp(*a as usize, *b as usize);
    order.sort_by(by);
    order
}

/// Rearranges `v` so that `v[i]` becomes the element that was at `order[i]` (a
/// permutation of `0..v.len()`), by swaps along each cycle.
#[cfg(feature = "compact")]
fn permute<T>(v: &mut [T], mut order: Vec<u32>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SortSlice;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(256)))]

        /// The stable sorts equal the standard library's stable sort, ties in input order,
        /// and `sort_total` equals `sort_unstable`, in whichever build runs the test.
        #[test]
        fn sorts_equal_the_standard_ones(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..80)) {
            let mut a = v.clone();
            a.stable_sort_by(|x, y| x.0.cmp(&y.0));
            let mut b = v.clone();
            b.sort_by_key(|x| x.0);
            prop_assert_eq!(&a, &b);
            let mut a = v.clone();
            a.stable_sort_by_key(|x| std::cmp::Reverse(x.0));
            let mut b = v.clone();
            b.sort_by_key(|x| std::cmp::Reverse(x.0));
            prop_assert_eq!(&a, &b);
            let mut a = v.clone();
            a.sort_total();
            let mut b = v;
            b.sort_unstable();
            prop_assert_eq!(a, b);
        }
    }

    /// By hand: ties keep their order (`(1,a)` before `(1,b)`), and a 3-cycle permutation
    /// lands every element.
    #[test]
    fn stable_by_hand() {
        let mut v = vec![(2, 'x'), (1, 'a'), (0, 'z'), (1, 'b')];
        v.stable_sort_by_key(|p| p.0);
        assert_eq!(v, vec![(0, 'z'), (1, 'a'), (1, 'b'), (2, 'x')]);
        let mut w = vec!['c', 'a', 'b'];
        w.stable_sort_by(Ord::cmp);
        assert_eq!(w, vec!['a', 'b', 'c']);
    }
}
