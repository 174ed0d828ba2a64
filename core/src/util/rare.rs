//! [`Rare`]: a list that most of its owners leave empty.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A list that is empty for most of its owners (a user's external events, closes and
/// reopens): one pointer, 8 bytes, where a `Vec` takes 24 even when empty; the vector is
/// allocated on the first push and dropped again when it empties.
///
/// It reads as a slice. Serialised as the sequence a `Vec<T>` would be, so a field can
/// change between the two without changing a snapshot's bytes.
#[derive(Clone)]
#[allow(
    clippy::box_collection,
    reason = "the point: one pointer inline, the vector's 24 bytes only when it is used"
)]
pub(crate) struct Rare<T>(Option<Box<Vec<T>>>);

impl<T> Default for Rare<T> {
    fn default() -> Self {
        Rare(None)
    }
}

impl<T> std::ops::Deref for Rare<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl<T> Rare<T> {
    /// The vector, to change it (allocated when there was none); call [`Rare::tidy`] after
    /// anything that may empty it.
    pub(crate) fn vec_mut(&mut self) -> &mut Vec<T> {
        self.0.get_or_insert_with(Default::default)
    }

    /// Append `x`.
    pub(crate) fn push(&mut self, x: T) {
        self.vec_mut().push(x);
    }

    /// Keep the items `keep` says to keep (it may change them on the way), then
    /// [`Rare::tidy`]. An empty list stays unallocated.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&mut T) -> bool) {
        if let Some(v) = &mut self.0 {
            v.retain_mut(keep);
        }
        self.tidy();
    }

    /// Drop the vector when empty, else its spare capacity.
    pub(crate) fn tidy(&mut self) {
        match &mut self.0 {
            Some(v) if v.is_empty() => self.0 = None,
            Some(v) => v.shrink_to_fit(),
            None => {}
        }
    }

    /// The bytes it reserves below itself (the boxed vector and its buffer).
    pub(crate) fn reserved(&self) -> usize {
        self.0.as_ref().map_or(0, |v| {
            std::mem::size_of::<Vec<T>>() + v.capacity() * std::mem::size_of::<T>()
        })
    }
}

impl<'a, T> IntoIterator for &'a Rare<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> From<Vec<T>> for Rare<T> {
    fn from(v: Vec<T>) -> Rare<T> {
        Rare((!v.is_empty()).then(|| Box::new(v)))
    }
}

impl<T> FromIterator<T> for Rare<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Rare<T> {
        items.into_iter().collect::<Vec<T>>().into()
    }
}

impl<T: PartialEq> PartialEq for Rare<T> {
    fn eq(&self, o: &Rare<T>) -> bool {
        **self == **o
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Rare<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Serialize> Serialize for Rare<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Rare<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rare<T>, D::Error> {
        Vec::<T>::deserialize(d).map(|mut v| {
            v.shrink_to_fit();
            v.into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Rare;

    /// Empty, it holds no vector; it reads, compares and serialises as the vector would;
    /// emptied again, it lets the vector go.
    #[test]
    fn a_rare_list_is_a_pointer_until_it_holds_something() {
        assert_eq!(std::mem::size_of::<Rare<(i64, u32)>>(), 8);
        let mut r: Rare<u32> = Rare::default();
        assert_eq!((r.len(), r.reserved()), (0, 0));
        assert_eq!(r, Rare::from(Vec::new()));
        r.push(3);
        r.push(5);
        assert_eq!(&*r, [3, 5]);
        assert_eq!(r, [3, 5].into_iter().collect());
        let bytes = postcard::to_stdvec(&r).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&vec![3u32, 5]).unwrap());
        assert_eq!(postcard::from_bytes::<Rare<u32>>(&bytes).unwrap(), r);
        r.retain(|x| *x > 3);
        assert_eq!(&*r, [5]);
        r.retain(|_| false);
        assert!(r.0.is_none());
        r.push(7);
        r.vec_mut().clear();
        r.tidy();
        assert_eq!((r.len(), r.reserved()), (0, 0));
    }
}
