//! An ordered map kept as one sorted vector: the map type of the `compact` build (the
//! `.wasm`), where it replaces `BTreeMap` for the maps that stay small (per day, per
//! category, per source, per author — not per user or per message).
//!
//! Why: each `BTreeMap<K, V>` brings its own copy of the B-tree's node code (insert with
//! splits, remove with merges and steals, bulk building, iteration, drop), 5–21 kB of
//! WebAssembly per key/value pair, and core has some seventy of them; a sorted vector's
//! code is a binary search and a `Vec` insert or remove, a few hundred bytes. The price
//! is an insert or remove in the middle that moves the entries after it, so the maps
//! that can grow with users or messages keep the B-tree in every build. Collecting is entry
//! by entry (maps are mostly built in key order, where each entry is a push);
//! deserialising collects the entries first and sorts them once if a crafted input lists
//! them out of order, so restoring stays linear-logarithmic in the input.
//!
//! [`Map`] is `BTreeMap` in the default build and [`SortedMap`] in the compact one.
//! Both iterate in key order, serialise as the same map (serde's `serialize_map`, entry by
//! entry), and a duplicate key when deserialising keeps the last value in both; the
//! property test below runs random operations against both and compares.

use crate::util::sort::SortSlice as _;
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Bound, RangeBounds};

/// The ordered map of the small maps: `BTreeMap` here, [`SortedMap`] in the `compact`
/// build (see the module documentation).
#[cfg(not(feature = "compact"))]
pub(crate) type Map<K, V> = std::collections::BTreeMap<K, V>;
/// The ordered map of the small maps: [`SortedMap`] in this (`compact`) build.
#[cfg(feature = "compact")]
pub(crate) type Map<K, V> = SortedMap<K, V>;

/// An ordered map over a vector of `(key, value)` pairs sorted by key, with the part of
/// `BTreeMap`'s interface core uses.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> SortedMap<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    /// The entries in key order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, mutable.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    /// Removes and returns the entry with the smallest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        (!self.entries.is_empty()).then(|| self.entries.remove(0))
    }

    /// Removes and returns the entry with the largest key.
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.entries.pop()
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, mut keep: F) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// The position of `key`, or where it would go.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value of `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value of `key`, mutable.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    /// Whether `key` has an entry.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets the value of `key`, returning the previous one (the key kept is the first).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.entries.last().is_none_or(|(last, _)| *last < key) {
            self.entries.push((key, value));
            return None;
        }
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`, returning its entry.
    pub fn remove_entry<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i))
    }

    /// The entry of `key`, for in-place insertion or update.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        match self.find(&key) {
            Ok(i) => Entry::Occupied(OccupiedEntry { map: self, at: i }),
            Err(i) => Entry::Vacant(VacantEntry {
                map: self,
                at: i,
                key,
            }),
        }
    }

    /// The index of the first entry at or after `bound` from below.
    fn lower<Q: Ord + ?Sized>(&self, bound: Bound<&Q>) -> usize
    where
        K: Borrow<Q>,
    {
        match bound {
            Bound::Unbounded => 0,
            Bound::Included(q) => self.entries.partition_point(|(k, _)| k.borrow() < q),
            Bound::Excluded(q) => self.entries.partition_point(|(k, _)| k.borrow() <= q),
        }
    }

    /// The index one past the last entry within `bound` from above.
    fn upper<Q: Ord + ?Sized>(&self, bound: Bound<&Q>) -> usize
    where
        K: Borrow<Q>,
    {
        match bound {
            Bound::Unbounded => self.entries.len(),
            Bound::Included(q) => self.entries.partition_point(|(k, _)| k.borrow() <= q),
            Bound::Excluded(q) => self.entries.partition_point(|(k, _)| k.borrow() < q),
        }
    }

    /// The index range of `range`'s keys. Panics, as `BTreeMap::range` does, when the
    /// range starts after it ends.
    fn span<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: &R) -> std::ops::Range<usize>
    where
        K: Borrow<Q>,
    {
        if let (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) =
            (range.start_bound(), range.end_bound())
        {
            match a.cmp(b) {
                Ordering::Greater => panic!("range start is greater than range end in SortedMap"),
                Ordering::Equal
                    if matches!(
                        (range.start_bound(), range.end_bound()),
                        (Bound::Excluded(_), Bound::Excluded(_))
                    ) =>
                {
                    panic!("range start and end are equal and excluded in SortedMap")
                }
                _ => {}
            }
        }
        let lo = self.lower(range.start_bound());
        let hi = self.upper(range.end_bound()).max(lo);
        lo..hi
    }

    /// The entries whose keys are in `range`, in order.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        Iter(self.entries[self.span(&range)].iter())
    }

    /// Splits off the entries with keys at or after `key`.
    pub fn split_off<Q: Ord + ?Sized>(&mut self, key: &Q) -> Self
    where
        K: Borrow<Q>,
    {
        let at = self.lower(Bound::Included(key));
        SortedMap {
            entries: self.entries.split_off(at),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// The map of `entries` in any order, a later duplicate key's value winning (as
    /// inserting them one by one into a `BTreeMap` would): one stable sort when they are
    /// not in key order already.
    fn from_entries(mut entries: Vec<(K, V)>) -> Self {
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            entries.stable_sort_by(|a, b| a.0.cmp(&b.0));
            // `dedup_by` keeps the first of a run: it takes each later value instead.
            entries.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    std::mem::swap(&mut later.1, &mut kept.1);
                }
                same
            });
        }
        SortedMap { entries }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Entry by entry, as a `BTreeMap` collects: a later duplicate key's value wins.
    /// In key order (how maps are written) each entry is a push; otherwise an insert moves
    /// the entries after it, which is why only maps that stay small use this type.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

/// An entry of a [`SortedMap`]: occupied or vacant.
pub enum Entry<'a, K, V> {
    /// The key has a value.
    Occupied(OccupiedEntry<'a, K, V>),
    /// The key has no value yet.
    Vacant(VacantEntry<'a, K, V>),
}

/// An entry whose key has a value.
pub struct OccupiedEntry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    at: usize,
}

/// An entry whose key has no value yet.
pub struct VacantEntry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    at: usize,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, inserting `default` first if there is none.
    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    /// The value, inserting `default()` first if there is none.
    pub fn or_insert_with<F: FnOnce() -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default()),
        }
    }

    /// The value, inserting `V::default()` first if there is none.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Applies `f` to the value if there is one.
    pub fn and_modify<F: FnOnce(&mut V)>(mut self, f: F) -> Self {
        if let Entry::Occupied(o) = &mut self {
            f(o.get_mut());
        }
        self
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    /// The value, mutable.
    pub fn get_mut(&mut self) -> &mut V {
        &mut self.map.entries[self.at].1
    }

    /// The value, mutable for the map's borrow.
    pub fn into_mut(self) -> &'a mut V {
        &mut self.map.entries[self.at].1
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    /// Inserts `value` under the key.
    pub fn insert(self, value: V) -> &'a mut V {
        self.map.entries.insert(self.at, (self.key, value));
        &mut self.map.entries[self.at].1
    }
}

/// The entries of a [`SortedMap`] in key order.
#[derive(Clone)]
pub struct Iter<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// The entries of a [`SortedMap`] in key order, values mutable.
pub struct IterMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for SortedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, K: serde::Deserialize<'de> + Ord, V: serde::Deserialize<'de>> serde::Deserialize<'de>
    for SortedMap<K, V>
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: serde::Deserialize<'de> + Ord, V: serde::Deserialize<'de>>
            serde::de::Visitor<'de> for Visit<K, V>
        {
            type Value = SortedMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                // Untrusted bytes may list the keys in any order: collected, then sorted
                // once if they are not in order, so a crafted map costs n log n, not n².
                let mut entries = Vec::new();
                while let Some(e) = a.next_entry()? {
                    entries.push(e);
                }
                Ok(SortedMap::from_entries(entries))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// The same schema as `BTreeMap<K, V>`: the JSON is the same.
#[cfg(feature = "schema")]
impl<K: schemars::JsonSchema, V: schemars::JsonSchema> schemars::JsonSchema for SortedMap<K, V> {
    fn inline_schema() -> bool {
        <std::collections::BTreeMap<K, V> as schemars::JsonSchema>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V> as schemars::JsonSchema>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V> as schemars::JsonSchema>::schema_id()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<K, V> as schemars::JsonSchema>::json_schema(g)
    }
}

#[cfg(test)]
mod tests {
    use super::SortedMap;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u16),
        Remove(u8),
        Entry(u8, u16),
        Retain(u8),
        SplitOff(u8),
        Range(u8, u8),
        Extend(Vec<(u8, u16)>),
        PopFirst,
        PopLast,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..40, any::<u16>()).prop_map(|(k, v)| Op::Insert(k, v)),
            (0u8..40).prop_map(Op::Remove),
            (0u8..40, any::<u16>()).prop_map(|(k, v)| Op::Entry(k, v)),
            (1u8..5).prop_map(Op::Retain),
            (0u8..40).prop_map(Op::SplitOff),
            (0u8..40, 0u8..40).prop_map(|(a, b)| Op::Range(a.min(b), a.max(b))),
            proptest::collection::vec((0u8..40, any::<u16>()), 0..8).prop_map(Op::Extend),
            Just(Op::PopFirst),
            Just(Op::PopLast),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(256)))]

        /// Any sequence of operations leaves a `SortedMap` equal to a `BTreeMap` given the
        /// same, and every answer on the way is the same.
        #[test]
        fn behaves_as_a_btreemap(ops in proptest::collection::vec(op(), 0..60)) {
            let mut s: SortedMap<u8, u16> = SortedMap::new();
            let mut b: BTreeMap<u8, u16> = BTreeMap::new();
            for o in ops {
                match o {
                    Op::Insert(k, v) => prop_assert_eq!(s.insert(k, v), b.insert(k, v)),
                    Op::Remove(k) => prop_assert_eq!(s.remove(&k), b.remove(&k)),
                    Op::Entry(k, v) => {
                        let x = *s.entry(k).and_modify(|x| *x = x.wrapping_add(v)).or_insert(v);
                        let y = *b.entry(k).and_modify(|x| *x = x.wrapping_add(v)).or_insert(v);
                        prop_assert_eq!(x, y);
                    }
                    Op::Retain(m) => {
                        s.retain(|k, _| k % m != 0);
                        b.retain(|k, _| k % m != 0);
                    }
                    Op::SplitOff(k) => {
                        let x: Vec<_> = s.split_off(&k).into_iter().collect();
                        let y: Vec<_> = b.split_off(&k).into_iter().collect();
                        prop_assert_eq!(x, y);
                    }
                    Op::Range(lo, hi) => {
                        let x: Vec<_> = s.range(lo..hi).collect();
                        let y: Vec<_> = b.range(lo..hi).collect();
                        prop_assert_eq!(x, y);
                        let x: Vec<_> = s.range(lo..=hi).rev().collect();
                        let y: Vec<_> = b.range(lo..=hi).rev().collect();
                        prop_assert_eq!(x, y);
                        let x: Vec<_> = s.range(..hi).collect();
                        let y: Vec<_> = b.range(..hi).collect();
                        prop_assert_eq!(x, y);
                    }
                    Op::Extend(kv) => {
                        s.extend(kv.iter().copied());
                        b.extend(kv.iter().copied());
                        let x: SortedMap<u8, u16> = kv.iter().copied().collect();
                        let y: BTreeMap<u8, u16> = kv.iter().copied().collect();
                        prop_assert_eq!(x.iter().collect::<Vec<_>>(), y.iter().collect::<Vec<_>>());
                    }
                    Op::PopFirst => prop_assert_eq!(s.pop_first(), b.pop_first()),
                    Op::PopLast => prop_assert_eq!(s.pop_last(), b.pop_last()),
                }
                prop_assert_eq!(s.len(), b.len());
                prop_assert_eq!(s.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
                prop_assert_eq!(s.first_key_value(), b.first_key_value());
                for k in 0u8..40 {
                    prop_assert_eq!(s.get(&k), b.get(&k));
                }
            }
            // The same JSON and the same postcard bytes, and back.
            prop_assert_eq!(serde_json::to_string(&s).unwrap(), serde_json::to_string(&b).unwrap());
            let bytes = postcard::to_allocvec(&s).unwrap();
            prop_assert_eq!(&bytes, &postcard::to_allocvec(&b).unwrap());
            let back: SortedMap<u8, u16> = postcard::from_bytes(&bytes).unwrap();
            prop_assert_eq!(back, s);
        }
    }

    /// A duplicate key in the input keeps the last value, as `BTreeMap` does:
    /// `{"1":5,"0":7,"1":9}` reads as 0 → 7, 1 → 9.
    #[test]
    fn a_duplicate_key_keeps_the_last_value() {
        let text = r#"{"1":5,"0":7,"1":9}"#;
        let s: SortedMap<String, u32> = serde_json::from_str(text).unwrap();
        let b: BTreeMap<String, u32> = serde_json::from_str(text).unwrap();
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![(&"0".to_string(), &7), (&"1".to_string(), &9)]
        );
        assert_eq!(s.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>());
    }
}
