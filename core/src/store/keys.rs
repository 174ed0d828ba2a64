//! The index from a user's identifier (`wa_id` or BSUID) to the user.
//!
//! Nearly every `wa_id` is a phone number in digits: such a key is held as the number it
//! spells, a `u64` in the table itself, and found without reading any string (before, each
//! lookup of an event read the key's text from its own allocation: a cache miss per event
//! at a million users). Any other key (a BSUID, a pseudonym, a number with a leading zero
//! or more than 19 digits) is held as its text.
//!
//! Snapshots see the layout of before: the (key, user) pairs sorted by key.

use super::UserIx;
use crate::util::sort::SortSlice as _;
use hashbrown::HashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyIndex {
    /// Keys that are a number in digits (see [`as_number`]), by that number.
    numbers: HashMap<u64, UserIx>,
    /// Every other key, by its text.
    texts: HashMap<Box<str>, UserIx>,
}

/// The number `key` spells, when it is 1 to 19 ASCII digits without a leading zero (so
/// that the number gives the text back): `"447223201674"` → 447223201674.
fn as_number(key: &str) -> Option<u64> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 19 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // 19 digits stay below 10^19 < u64::MAX: no overflow.
    Some(b.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

impl KeyIndex {
    /// The user of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<UserIx> {
        match as_number(key) {
            Some(n) => self.numbers.get(&n).copied(),
            None => self.texts.get(key).copied(),
        }
    }

    /// Index `key` under user `u` (replacing what it pointed to).
    pub(crate) fn insert(&mut self, key: &str, u: UserIx) {
        match as_number(key) {
            Some(n) => {
                self.numbers.insert(n, u);
            }
            None => {
                self.texts.insert(key.into(), u);
            }
        }
    }

    /// Take out the entries of the users `mine` picks; returns their keys' texts (only
    /// those are spelled out).
    pub(crate) fn take_users(&mut self, mine: impl Fn(UserIx) -> bool) -> Vec<Box<str>> {
        let mut keys = Vec::new();
        self.numbers.retain(|n, u| {
            let take = mine(*u);
            if take {
                keys.push(n.to_string().into());
            }
            !take
        });
        self.texts.retain(|k, u| {
            let take = mine(*u);
            if take {
                keys.push(k.clone());
            }
            !take
        });
        keys
    }

    /// Every (key, user), in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Cow<'_, str>, UserIx)> {
        (self.numbers.iter())
            .map(|(n, u)| (Cow::Owned(n.to_string()), *u))
            .chain(self.texts.iter().map(|(k, u)| (Cow::Borrowed(&**k), *u)))
    }

    /// Every user index the entries point to.
    pub(crate) fn users(&self) -> impl Iterator<Item = UserIx> + '_ {
        self.numbers.values().chain(self.texts.values()).copied()
    }
}

impl Serialize for KeyIndex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut pairs: Vec<(Cow<'_, str>, UserIx)> = self.iter().collect();
        pairs.sort_total();
        pairs.serialize(s)
    }
}

impl<'de> Deserialize<'de> for KeyIndex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyIndex, D::Error> {
        let pairs: Vec<(Box<str>, UserIx)> = Vec::deserialize(d)?;
        let mut index = KeyIndex::default();
        for (k, u) in pairs {
            index.insert(&k, u);
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyIndex, as_number};

    /// Digits without a leading zero are numbers; everything else keeps its text, so that
    /// every key reads back exactly.
    #[test]
    fn digit_keys_are_numbers_and_every_key_reads_back() {
        assert_eq!(as_number("447223201674"), Some(447_223_201_674));
        assert_eq!(
            as_number("9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        for text in [
            "",
            "0",
            "0447",
            "12a",
            "+4471",
            "99999999999999999999",
            "US.1ab",
        ] {
            assert_eq!(as_number(text), None, "{text:?}");
        }
        let keys = ["447223201674", "0447", "US.13491208655302741918", "7", "0"];
        let mut index = KeyIndex::default();
        for (u, k) in keys.iter().enumerate() {
            index.insert(k, u as u32);
        }
        assert_eq!((index.numbers.len(), index.texts.len()), (2, 3));
        for (u, k) in keys.iter().enumerate() {
            assert_eq!(index.get(k), Some(u as u32), "{k}");
        }
        // "00447" is not "0447", nor 447.
        assert_eq!((index.get("00447"), index.get("447")), (None, None));
        // Users 0 and 1 go: their keys come back as text.
        let mut gone = index.take_users(|u| u < 2);
        gone.sort();
        assert_eq!(gone, ["0447".into(), "447223201674".into()]);
        assert_eq!((index.get("447223201674"), index.get("0447")), (None, None));
        assert_eq!(index.get("7"), Some(3));
    }

    /// A snapshot holds the pairs sorted by key text, as the plain map wrote them.
    #[test]
    fn snapshots_see_the_pairs_sorted_by_text() {
        let mut index = KeyIndex::default();
        for (k, u) in [("9", 0), ("10", 1), ("US.x", 2), ("0", 3)] {
            index.insert(k, u);
        }
        let bytes = postcard::to_stdvec(&index).unwrap();
        let plain: Vec<(&str, u32)> = vec![("0", 3), ("10", 1), ("9", 0), ("US.x", 2)];
        assert_eq!(bytes, postcard::to_stdvec(&plain).unwrap());
        assert_eq!(postcard::from_bytes::<KeyIndex>(&bytes).unwrap(), index);
    }
}
