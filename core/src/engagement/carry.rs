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
///
/// A report after new input folds again only the users it changed, and needs the carries
/// of their representatives alone. An expiry writes each carry under a representative, and
/// a representative stops being one only when an identity link joins it to a smaller
/// index — which puts it in the store's journal. So the carries keep the list of their
/// keys that links have joined to another user since (`moved`, from the journals the
/// engine gathers before each report: [`Carries::note`]), and a user's carries are the
/// one under their own index plus those of the moved keys that lead to them: the fold
/// costs the users changed and the links, not every user the expiry cut.
#[derive(Clone, Debug, Default)]
pub(crate) struct Carries {
    by_key: BTreeMap<UserIx, Carry>,
    /// The keys that are no longer representatives, sorted; `None`: not known (after a
    /// restore, an erasure or a journal that overflowed), found again at the next
    /// [`Carries::note`].
    moved: Option<Vec<UserIx>>,
}

impl PartialEq for Carries {
    /// Equal carries (what is known of the keys' links does not count).
    fn eq(&self, other: &Carries) -> bool {
        self.by_key == other.by_key
    }
}

impl Carries {
    /// Carries from `(user, carry)` pairs (a snapshot's form).
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (UserIx, Carry)>) -> Carries {
        Carries {
            by_key: pairs.into_iter().collect(),
            moved: None,
        }
    }

    /// Follow a journal taken from `store` ([`Store::take_touched`]; `None`: every user may
    /// have changed): note the keys it links to another user.
    pub(crate) fn note(&mut self, store: &Store, changed: Option<&[UserIx]>) {
        if self.by_key.is_empty() {
            self.moved = Some(Vec::new());
            return;
        }
        if let (Some(moved), Some(changed)) = (&mut self.moved, changed) {
            let before = moved.len();
            let by_key = &self.by_key;
            moved.extend(
                (changed.iter().copied())
                    .filter(|&u| store.find(u) != u && by_key.contains_key(&u)),
            );
            if moved.len() != before {
                moved.sort_unstable();
                moved.dedup();
            }
        } else {
            let keys = self.by_key.keys().copied();
            self.moved = Some(keys.filter(|&u| store.find(u) != u).collect());
        }
    }

    /// The `(user, carry)` pairs, in user order (a snapshot's form).
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (UserIx, &Carry)> + '_ {
        self.by_key.iter().map(|(u, c)| (*u, c))
    }

    /// Every carry combined under its user's representative in `store` (identities linked
    /// since they were written count as one user).
    pub(crate) fn by_user(&self, store: &Store) -> HashMap<UserIx, Carry> {
        let mut out: HashMap<UserIx, Carry> = HashMap::with_capacity(self.by_key.len());
        for (u, c) in &self.by_key {
            out.entry(store.find(*u)).or_default().absorb(c);
        }
        out
    }

    /// [`Carries::by_user`] for the representatives `roots` (sorted) only. With the moved
    /// keys known, this reads the carries of `roots` and the moved keys, not every carry:
    /// a representative is the smallest index of its users (see `Store::union`), so its
    /// own carry comes first and the moved keys follow in index order, as in
    /// [`Carries::by_user`].
    pub(crate) fn by_user_among(&self, store: &Store, roots: &[UserIx]) -> HashMap<UserIx, Carry> {
        let ours = |u: UserIx| roots.binary_search(&u).is_ok();
        let Some(moved) = &self.moved else {
            let mut all = self.by_user(store);
            all.retain(|r, _| ours(*r));
            return all;
        };
        let mut out: HashMap<UserIx, Carry> = HashMap::new();
        for &r in roots {
            if let Some(c) = self.by_key.get(&r).filter(|_| store.find(r) == r) {
                out.entry(r).or_default().absorb(c);
            }
        }
        for &u in moved {
            let r = store.find(u);
            if let Some(c) = self.by_key.get(&u).filter(|_| ours(r)) {
                out.entry(r).or_default().absorb(c);
            }
        }
        out
    }

    /// Drop every carry of the person whose representative is `rep` (erasure).
    pub(crate) fn forget(&mut self, store: &Store, rep: UserIx) {
        self.by_key.retain(|u, _| store.find(*u) != rep);
        // Erasure may rewrite the links: find the moved keys again at the next report.
        self.moved = None;
    }

    /// Replace the carries of `store`'s users by `by_user` (keyed by representative).
    pub(crate) fn set_all(&mut self, by_user: HashMap<UserIx, Carry>) {
        self.by_key = by_user.into_iter().collect();
        self.moved = Some(Vec::new());
    }
}
