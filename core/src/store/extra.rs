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
    pub(crate) arrival: Vec<u64>,
    /// Arrival number of each external event (parallel to [`Store::externals`]).
    pub(crate) x_arrival: Vec<u64>,
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
        self.extra.arrival.get(m as usize).copied().unwrap_or(0)
    }

    /// The arrival number of external event `x`.
    pub(crate) fn x_arrival(&self, x: u32) -> u64 {
        self.extra.x_arrival.get(x as usize).copied().unwrap_or(0)
    }

    /// Attach a snapshot's extra section, or fill one for a snapshot written before it
    /// existed (`None`); checks it fits the store.
    pub(crate) fn set_extra(&mut self, extra: Option<Extra>) -> Result<(), String> {
        let extra = extra.unwrap_or_else(|| Extra {
            arrival: vec![0; self.msgs.len()],
            x_arrival: vec![0; self.externals.len()],
            ..Extra::default()
        });
        if extra.arrival.len() != self.msgs.len() || extra.x_arrival.len() != self.externals.len() {
            return Err("arrival numbers do not match the facts".into());
        }
        if extra
            .arrival
            .iter()
            .chain(&extra.x_arrival)
            .any(|s| *s > extra.seq)
        {
            return Err("arrival number beyond the counter".into());
        }
        self.extra = extra;
        Ok(())
    }
}
