//! Facts the store keeps beside its tables: each business number's WhatsApp Business
//! Account, the country of each pseudonymised identifier, and the arrival order of
//! messages and external events.
//!
//! They travel in their own snapshot section (schema 3), so snapshots of schema 1 and 2
//! still restore (with no accounts, no pseudonyms and every fact arrived at 0).

use super::Store;
use crate::model::country::Country;
use crate::util::sorted_map::Map;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Extra {
    /// `phone_number_id` → WABA id (`entry[].id` of the webhooks). Should one number ever
    /// come with two accounts, the smaller id wins, whatever the order.
    pub(crate) wabas: Map<Box<str>, Box<str>>,
    /// Pseudonym → the country of the `wa_id` or BSUID it replaced (derived before
    /// hashing; see [`crate::input::pseudonym`]).
    pub(crate) countries: BTreeMap<Box<str>, Country>,
    /// Arrival number of each message (parallel to [`Store::msgs`]): a fact's number is
    /// larger than every number handed out before it arrived.
    pub(crate) arrival: Stamps,
    /// Arrival number of each external event (parallel to [`Store::externals`]).
    pub(crate) x_arrival: Stamps,
    /// The last arrival number handed out.
    pub(crate) seq: u64,
}

impl Extra {
    /// The next arrival number.
    pub(crate) fn stamp(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Link `phone` to account `waba` (the smaller id wins a conflict).
    pub(crate) fn link_account(&mut self, phone: &str, waba: &str) {
        match self.wabas.get_mut(phone) {
            Some(w) if **w <= *waba => {}
            Some(w) => *w = waba.into(),
            None => {
                self.wabas.insert(phone.into(), waba.into());
            }
        }
    }

    /// Record the country of a pseudonymised identifier.
    pub(crate) fn note_country(&mut self, pseudonym: &str, country: Country) {
        if !self.countries.contains_key(pseudonym) {
            self.countries.insert(pseudonym.into(), country);
        }
    }

    /// Adopt the accounts and countries of another store (merging).
    pub(crate) fn absorb(&mut self, other: &Extra) {
        for (p, w) in &other.wabas {
            self.link_account(p, w);
        }
        for (k, c) in &other.countries {
            self.note_country(k, *c);
        }
    }
}

/// Arrival numbers, one per row of a table: four bytes each while they fit 32 bits (the
/// first 4,294,967,294 facts an engine ever takes in), the rare wider ones beside them by
/// row. Eight bytes per message was a twentieth of the whole engine's footprint, and a
/// doubling vector reserved up to twice that.
///
/// Snapshots see a sequence of `u64`, as when this was a `Vec<u64>`: the same bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stamps {
    /// Each row's number, or [`Stamps::WIDE`] when it is in `wide`.
    narrow: Vec<u32>,
    /// The numbers that do not fit 32 bits, by row.
    wide: BTreeMap<u32, u64>,
}

impl Stamps {
    /// The narrow slot of a number held in `wide`.
    const WIDE: u32 = u32::MAX;

    /// `n` rows numbered 0 (facts restored from a snapshot without arrival numbers).
    pub(crate) fn zeros(n: usize) -> Stamps {
        Stamps {
            narrow: vec![0; n],
            wide: BTreeMap::new(),
        }
    }

    /// Rows held.
    pub(crate) fn len(&self) -> usize {
        self.narrow.len()
    }

    /// The number of row `i` (0 past the end).
    pub(crate) fn get(&self, i: usize) -> u64 {
        match self.narrow.get(i) {
            Some(&Self::WIDE) => u32::try_from(i)
                .ok()
                .and_then(|i| self.wide.get(&i).copied())
                .unwrap_or(u64::from(Self::WIDE)),
            Some(&n) => u64::from(n),
            None => 0,
        }
    }

    /// Append a row numbered `n`. The table grows by a quarter at a time, as the message
    /// rows do.
    pub(crate) fn push(&mut self, n: u64) {
        let slot = match u32::try_from(n) {
            Ok(n) if n != Self::WIDE => n,
            _ => {
                // Row indices are 32-bit (MsgIx), so the row fits.
                let row = u32::try_from(self.narrow.len()).unwrap_or(u32::MAX);
                self.wide.insert(row, n);
                Self::WIDE
            }
        };
        crate::util::push_growing_by_quarter(&mut self.narrow, slot);
    }

    /// Every number, in row order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.narrow.len()).map(|i| self.get(i))
    }

    /// Keep the rows `drop` does not mark, in order.
    pub(crate) fn keep_unmarked(&self, drop: &[bool]) -> Stamps {
        let mut kept: Stamps = (self.iter().enumerate())
            .filter(|(i, _)| !drop.get(*i).copied().unwrap_or(false))
            .map(|(_, n)| n)
            .collect();
        kept.narrow.shrink_to_fit();
        kept
    }
}

impl FromIterator<u64> for Stamps {
    fn from_iter<I: IntoIterator<Item = u64>>(items: I) -> Stamps {
        let mut s = Stamps::default();
        for n in items {
            s.push(n);
        }
        s
    }
}

impl Serialize for Stamps {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Stamps {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Stamps, D::Error> {
        let all = Vec::<u64>::deserialize(d)?;
        let mut s: Stamps = all.into_iter().collect();
        s.narrow.shrink_to_fit();
        Ok(s)
    }
}

impl Store {
    /// The WhatsApp Business Account of business number `phone`, when a webhook named it.
    pub(crate) fn waba_of(&self, phone: &str) -> Option<&str> {
        self.extra.wabas.get(phone).map(|w| &**w)
    }

    /// The last arrival number handed out.
    pub(crate) fn extra_seq(&self) -> u64 {
        self.extra.seq
    }

    /// The arrival number of message `m`.
    pub(crate) fn arrival(&self, m: super::MsgIx) -> u64 {
        self.extra.arrival.get(m as usize)
    }

    /// The arrival number of external event `x`.
    pub(crate) fn x_arrival(&self, x: u32) -> u64 {
        self.extra.x_arrival.get(x as usize)
    }

    /// Attach a snapshot's extra section, or fill one for a snapshot written before it
    /// existed (`None`); checks it fits the store.
    pub(crate) fn set_extra(&mut self, extra: Option<Extra>) -> Result<(), String> {
        let extra = extra.unwrap_or_else(|| Extra {
            arrival: Stamps::zeros(self.msgs.len()),
            x_arrival: Stamps::zeros(self.externals.len()),
            ..Extra::default()
        });
        if extra.arrival.len() != self.msgs.len() || extra.x_arrival.len() != self.externals.len() {
            return Err("arrival numbers do not match the facts".into());
        }
        if extra
            .arrival
            .iter()
            .chain(extra.x_arrival.iter())
            .any(|s| s > extra.seq)
        {
            return Err("arrival number beyond the counter".into());
        }
        self.extra = extra;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Stamps;

    /// Numbers that fit 32 bits sit in the narrow table, wider ones beside it, and both read
    /// back in row order, through a cut and through postcard as the plain `u64` sequence a
    /// `Vec<u64>` was.
    #[test]
    fn stamps_hold_every_u64_and_read_back_as_a_sequence() {
        let wide = u64::from(u32::MAX) + 7;
        // u32::MAX itself is the narrow table's marker: it must go wide too.
        let numbers = [0, 1, u64::from(u32::MAX) - 1, u64::from(u32::MAX), wide, 9];
        let s: Stamps = numbers.into_iter().collect();
        assert_eq!(s.len(), 6);
        assert_eq!(s.iter().collect::<Vec<_>>(), numbers);
        assert_eq!(s.wide.len(), 2);
        assert_eq!(s.get(6), 0);
        // Drop rows 1 and 3: the wide number of row 4 moves to row 2 and keeps its value.
        let kept = s.keep_unmarked(&[false, true, false, true]);
        assert_eq!(
            kept.iter().collect::<Vec<_>>(),
            [0, u64::from(u32::MAX) - 1, wide, 9]
        );
        assert_eq!(kept.wide.keys().collect::<Vec<_>>(), [&2]);
        let bytes = postcard::to_stdvec(&s).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&numbers.to_vec()).unwrap());
        assert_eq!(postcard::from_bytes::<Stamps>(&bytes).unwrap(), s);
        assert_eq!(Stamps::zeros(3).iter().collect::<Vec<_>>(), [0, 0, 0]);
    }
}
