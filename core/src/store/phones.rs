//! Business numbers of records that name none.
//!
//! **Rule.** A record that names no number (an outbound record or close without
//! `phone_number_id`, a status of a message whose record has not come) belongs to the
//! number of the user's latest message at or before it, else the user's earliest message
//! with a number. Billing ([`crate::billing`]) applies it to windows and conversations.

use super::{MsgRec, PhoneIx, Store, UserIx};
use crate::util::sort::SortSlice as _;

/// Places messages without a business number on the user's number (see the module rule).
pub(crate) struct PhoneResolver<'a> {
    empty: Option<PhoneIx>,
    /// (ts, id, phone) of the user's messages with a known number, sorted; empty unless
    /// some message of the user has no number.
    known: Vec<(i64, &'a str, PhoneIx)>,
}

impl<'a> PhoneResolver<'a> {
    pub(crate) fn new(store: &'a Store, user: UserIx) -> PhoneResolver<'a> {
        let empty = store.phone_by_id("");
        let msgs = || {
            store.users[user as usize]
                .timeline
                .iter()
                .map(|ix| &store.msgs[*ix as usize])
        };
        let mut known = Vec::new();
        if empty.is_some() && msgs().any(|m| Some(m.phone) == empty) {
            known = msgs()
                .filter(|m| Some(m.phone) != empty)
                .map(|m| (m.ts, &*m.id, m.phone))
                .collect();
            known.sort_total();
        }
        PhoneResolver { empty, known }
    }

    pub(crate) fn phone_of(&self, m: &MsgRec) -> PhoneIx {
        if Some(m.phone) != self.empty || self.known.is_empty() {
            return m.phone;
        }
        let n = self
            .known
            .partition_point(|(t, id, _)| (*t, *id) <= (m.ts, &*m.id));
        self.known[n.saturating_sub(1)].2
    }
}
