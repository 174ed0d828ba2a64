//! Interned strings: each distinct name stored once, referred to by a `u32`.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

/// Interned strings (author ids, template, campaign and button names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Box<str>>", into = "Vec<Box<str>>")]
pub struct Interner {
    names: Vec<Box<str>>,
    ix: HashMap<Box<str>, u32>,
}

impl From<Vec<Box<str>>> for Interner {
    fn from(names: Vec<Box<str>>) -> Interner {
        let mut i = Interner::default();
        for n in names {
            // A repeated name (only in a corrupt snapshot) keeps its first index.
            let ix = i.names.len() as u32;
            i.ix.entry(n.clone()).or_insert(ix);
            i.names.push(n);
        }
        i
    }
}

impl From<Interner> for Vec<Box<str>> {
    fn from(i: Interner) -> Vec<Box<str>> {
        i.names
    }
}

impl Interner {
    /// The index of `s`, adding it when new.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.ix.get(s) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.ix.insert(s.into(), i);
        i
    }

    /// The index of `s`, if interned.
    #[cfg(test)]
    pub(crate) fn lookup(&self, s: &str) -> Option<u32> {
        self.ix.get(s).copied()
    }

    /// The string of index `i`.
    pub(crate) fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }

    /// How many strings are interned.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}
/// Distinct values numbered from 0 in order of first use, each stored once (with its
/// copy as the index's key): for values that repeat across many records and are few.
#[derive(Clone, Debug)]
pub(crate) struct Numbered<T> {
    values: Vec<T>,
    ix: HashMap<T, u32>,
}

impl<T> Default for Numbered<T> {
    fn default() -> Self {
        Numbered {
            values: Vec::new(),
            ix: HashMap::new(),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Numbered<T> {
    /// The number of `v`, adding it when new.
    pub(crate) fn number(&mut self, v: &T) -> u32 {
        self.number_of(v, || v.clone())
    }

    /// [`Numbered::number`] of the value that `q` stands for (it hashes and compares as
    /// that value: see [`hashbrown::Equivalent`]); `owned` makes the value only when it is
    /// new.
    pub(crate) fn number_of<Q>(&mut self, q: &Q, owned: impl FnOnce() -> T) -> u32
    where
        Q: std::hash::Hash + hashbrown::Equivalent<T> + ?Sized,
    {
        if let Some(&i) = self.ix.get(q) {
            return i;
        }
        let v = owned();
        let i = self.values.len() as u32;
        self.values.push(v.clone());
        self.ix.insert(v, i);
        i
    }

    /// The value numbered `i`.
    pub(crate) fn get(&self, i: u32) -> &T {
        &self.values[i as usize]
    }

    /// How many values are numbered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}
