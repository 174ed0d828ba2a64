//! What a user's expired history leaves behind for the engagement folds that continue
//! after it (see [`crate::expiry`](crate::guide::expiry)): the business numbers they wrote to, so that a
//! returning user is not new again, and the state of their support conversations.
//!
//! Carries are analysis state, not facts: the engine keeps them beside the fact store,
//! keyed by the user index they were written for. When identities written separately are
//! later found to be one user, [`Carries::by_user`] combines them under the user's
//! representative, in index order (the first identity's support state for a number wins).

use super::support::States;
use crate::store::{PhoneIx, Store, UserIx};
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// What one user's expired history leaves behind.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Carry {
    /// Business numbers the user wrote to before the cut: their first message to each is
    /// behind them (new vs returning).
    pub(crate) phones: SmallVec<[PhoneIx; 2]>,
    /// The user's support conversation with each number at the cut.
    pub(crate) support: States,
}

impl Carry {
    /// Combine the carry of another identity of the same user into this one.
    fn absorb(&mut self, other: &Carry) {
        for p in &other.phones {
            if !self.phones.contains(p) {
                self.phones.push(*p);
            }
        }
        for (p, st) in &other.support {
            if !self.support.iter().any(|(q, _)| q == p) {
                self.support.push((*p, *st));
            }
        }
    }
}

/// Every user's carry, by the user index it was written for.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Carries(BTreeMap<UserIx, Carry>);

impl Carries {
    /// Carries from `(user, carry)` pairs (a snapshot's form).
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (UserIx, Carry)>) -> Carries {
        Carries(pairs.into_iter().collect())
    }

    /// The `(user, carry)` pairs, in user order (a snapshot's form).
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (UserIx, &Carry)> + '_ {
        self.0.iter().map(|(u, c)| (*u, c))
    }

    /// Every carry combined under its user's representative in `store` (identities linked
    /// since they were written count as one user).
    pub(crate) fn by_user(&self, store: &Store) -> HashMap<UserIx, Carry> {
        let mut out: HashMap<UserIx, Carry> = HashMap::with_capacity(self.0.len());
        for (u, c) in &self.0 {
            out.entry(store.find(*u)).or_default().absorb(c);
        }
        out
    }

    /// [`Carries::by_user`] for the representatives `among` accepts only.
    pub(crate) fn by_user_among(
        &self,
        store: &Store,
        among: impl Fn(UserIx) -> bool,
    ) -> HashMap<UserIx, Carry> {
        let mut out: HashMap<UserIx, Carry> = HashMap::new();
        for (u, c) in &self.0 {
            let r = store.find(*u);
            if among(r) {
                out.entry(r).or_default().absorb(c);
            }
        }
        out
    }

    /// Drop every carry of the person whose representative is `rep` (erasure).
    pub(crate) fn forget(&mut self, store: &Store, rep: UserIx) {
        self.0.retain(|u, _| store.find(*u) != rep);
    }

    /// Replace the carries of `store`'s users by `by_user` (keyed by representative).
    pub(crate) fn set_all(&mut self, by_user: HashMap<UserIx, Carry>) {
        self.0 = by_user.into_iter().collect();
    }
}
