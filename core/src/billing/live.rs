#![doc = include_str!("../guide/billing/live.md")]

use super::BillingSetup;
use super::charges::{Tallies, Tally, UserCharges, charge_user, price_unit, tally};
use super::reconcile::{Mismatch, compare_user};
use crate::store::{MsgIx, Store, UserIx};
use crate::util::sort::SortSlice as _;
use hashbrown::HashMap;
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// One user's priced charges and what the reconciliation found in them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct UserBill {
    /// The charges (priced).
    pub(crate) charges: UserCharges,
    /// Indices (into `charges.messages`) of the messages compared with Meta's view.
    pub(crate) checked: Box<[u32]>,
    /// The disagreeing ones (index, mismatch).
    pub(crate) mismatches: Box<[(u32, Mismatch)]>,
}

/// The units of one tally: per delivery second, the messages (sorted by id).
#[derive(Clone, Debug, Default)]
struct Units {
    total: u64,
    at: BTreeMap<i64, SmallVec<[MsgIx; 2]>>,
}

impl Units {
    fn insert(&mut self, store: &Store, at: i64, msg: MsgIx) {
        let v = self.at.entry(at).or_default();
        let id = |m: MsgIx| &store.msgs[m as usize].id;
        let i = v.partition_point(|m| id(*m) < id(msg));
        v.insert(i, msg);
        self.total += 1;
    }

    fn remove(&mut self, at: i64, msg: MsgIx) {
        if let Some(v) = self.at.get_mut(&at) {
            if let Some(i) = v.iter().position(|m| *m == msg) {
                v.remove(i);
                self.total -= 1;
            }
            if v.is_empty() {
                self.at.remove(&at);
            }
        }
    }
}

/// Billing for one report zone and number filter, kept up to date user by user.
#[derive(Clone, Debug)]
pub(crate) struct LiveBilling {
    setup: BillingSetup,
    /// Units of expired history per monthly count: numbering continues from them.
    expired: Tallies,
    /// Per user index: the priced charges of a live representative.
    /// (Held in place, not boxed: 80 bytes a user, where a box cost its pointer and 96.)
    users: Vec<Option<UserBill>>,
    tallies: HashMap<Tally, Units>,
}

/// What an update changed: the users whose bills were taken out, and those whose (new)
/// bills were added (a user repriced by another's change is in both).
#[derive(Debug, Default)]
pub(crate) struct Changed {
    /// Users whose old bill was taken out.
    pub(crate) out: Vec<UserIx>,
    /// Users whose new bill was added.
    pub(crate) added: Vec<UserIx>,
}

/// Where an update sends each bill it takes out (`-1`) or adds (`1`), with the user's
/// bill on the other side of the change when there is one (the new bill of a user taken
/// out, the old one of a user added): what the two share need not move (see
/// [`super::sections::apply_user`]). Every bill is taken out before any is added.
pub(crate) type Sink<'s> = dyn FnMut(&UserBill, Option<&UserBill>, i64) + 's;

impl LiveBilling {
    /// An empty state for `setup` (every unit numbered after the `expired` ones).
    pub(crate) fn new(setup: BillingSetup, expired: Option<&Tallies>) -> LiveBilling {
        LiveBilling {
            setup,
            expired: expired.cloned().unwrap_or_default(),
            users: Vec::new(),
            tallies: HashMap::new(),
        }
    }

    /// The bytes of the kept bills and of the unit tallies, measured by cloning each under
    /// the caller's allocation counter `live` (see [`super::BillingTrack::footprint`]).
    pub(crate) fn footprint(&self, live: &dyn Fn() -> isize) -> [isize; 2] {
        use crate::store::allocated_by;
        [
            allocated_by(live, || self.users.clone()),
            allocated_by(live, || self.tallies.clone()),
        ]
    }

    /// The setup (currency, timeline) in force.
    pub(crate) fn setup(&self) -> &BillingSetup {
        &self.setup
    }

    /// The bill of user `u`, when it is a live representative with one.
    pub(crate) fn bill(&self, u: UserIx) -> Option<&UserBill> {
        self.users.get(u as usize).and_then(Option::as_ref)
    }

    /// Every bill, by user index.
    pub(crate) fn bills(&self) -> impl Iterator<Item = (UserIx, &UserBill)> {
        (0..self.users.len() as UserIx).filter_map(|u| self.bill(u).map(|b| (u, b)))
    }

    /// Every live user's charges, in user order (see [`super::compute`]).
    pub(crate) fn charges(&self) -> super::Charges {
        super::Charges::from_users(self.setup.currency, self.bills().map(|(_, b)| &b.charges))
    }

    /// Bring the state up to date for the users in `changed` (journal entries: linked
    /// since or not; `None`: every live user, on an empty state), sending every bill taken
    /// out and added to `sink`.
    pub(crate) fn update(
        &mut self,
        store: &Store,
        changed: Option<&[UserIx]>,
        sink: &mut Sink<'_>,
    ) -> Changed {
        let roots: Vec<UserIx> = match changed {
            Some(c) => store.roots_of(c),
            None => store.live_users().collect(),
        };
        let mut from: HashMap<Tally, i64> = HashMap::new();
        let mut done = Changed::default();
        // Take out the old bills of every changed user and representative; their tallied
        // units stay indexed until we know whether the new bills moved them.
        let mut old_units: HashMap<MsgIx, (Tally, i64, Option<u64>)> = HashMap::new();
        // The bills taken out, sent to the sink once the new ones are known.
        let mut olds: Vec<(UserIx, UserBill)> = Vec::new();
        for &u in changed.unwrap_or(&[]).iter().chain(&roots) {
            if let Some(old) = self.users.get_mut(u as usize).and_then(Option::take) {
                for m in &old.charges.messages {
                    if let Some(t) = tally(&self.setup, m) {
                        let at = m.delivered_at().unwrap_or_default();
                        old_units.insert(m.msg, (t, at, m.tally_number()));
                    }
                }
                olds.push((u, old));
                done.out.push(u);
            }
        }
        if self.users.len() < store.users.len() {
            self.users.resize(store.users.len(), None);
        }
        // Fold the representatives again. A unit in the same tally at the same instant as
        // before keeps its place and number; other units change their tallies from there on.
        for (i, &u) in roots.iter().enumerate() {
            store.warm_ahead(&roots, i);
            if !store.is_live(u) {
                continue;
            }
            let mut charges = charge_user(store, &self.setup, u);
            charges.messages.shrink_to_fit();
            charges.conversations.shrink_to_fit();
            for m in &mut charges.messages {
                let Some(t) = tally(&self.setup, m) else {
                    price_unit(&self.setup, m, None);
                    continue;
                };
                let at = m.delivered_at().unwrap_or_default();
                match old_units.remove(&m.msg) {
                    Some((t0, at0, Some(n))) if (t0, at0) == (t, at) => {
                        price_unit(&self.setup, m, Some((t, n)));
                    }
                    old => {
                        if let Some((t0, at0, _)) = old {
                            self.unindex(t0, at0, m.msg, &mut from);
                        }
                        self.tallies.entry(t).or_default().insert(store, at, m.msg);
                        note(&mut from, t, at);
                    }
                }
            }
            // Meta's view is compared with what billing decided, not with prices.
            let (checked, mismatches) = compare_user(store, &charges);
            self.users[u as usize] = Some(UserBill {
                charges,
                checked: checked.into(),
                mismatches: mismatches.into(),
            });
            done.added.push(u);
        }
        for (msg, (t, at, _)) in old_units {
            self.unindex(t, at, msg, &mut from);
        }
        // Number the changed tallies again from their earliest change on.
        let repriced = self.renumber(store, &from, &done.added);
        for (u, old) in repriced {
            olds.push((u, old));
            done.out.push(u);
            done.added.push(u);
        }
        done.added.sort_total();
        done.added.dedup();
        self.send(olds, &done.added, sink);
        done
    }

    /// Send every old bill out, then every new bill of `added` (sorted) in, each against
    /// the user's bill on the other side of the change.
    fn send(&self, mut olds: Vec<(UserIx, UserBill)>, added: &[UserIx], sink: &mut Sink<'_>) {
        olds.sort_unstable_by_key(|(u, _)| *u);
        for (u, old) in &olds {
            let new = added.binary_search(u).ok().and(self.bill(*u));
            sink(old, new, -1);
        }
        for &u in added {
            if let Some(b) = self.bill(u) {
                let old = olds
                    .binary_search_by_key(&u, |(x, _)| *x)
                    .ok()
                    .map(|i| &olds[i].1);
                sink(b, old, 1);
            }
        }
    }

    /// Remove one tallied unit from the index, noting where its tally changed.
    fn unindex(&mut self, t: Tally, at: i64, msg: MsgIx, from: &mut HashMap<Tally, i64>) {
        if let Some(units) = self.tallies.get_mut(&t) {
            units.remove(at, msg);
        }
        note(from, t, at);
    }

    /// Number the units of each tally in `from` again from its earliest changed second on
    /// (counting back from the tally's last unit), pricing each. Returns the old bills of
    /// the users outside `fresh` whose prices changed (their bills are updated in place).
    fn renumber(
        &mut self,
        store: &Store,
        from: &HashMap<Tally, i64>,
        fresh: &[UserIx],
    ) -> Vec<(UserIx, UserBill)> {
        let mut old: Vec<(UserIx, UserBill)> = Vec::new();
        for (t, &start) in from {
            let Some(units) = self.tallies.get(t) else {
                continue;
            };
            let base = self.expired.get(t).copied().unwrap_or(0);
            let mut n = base.saturating_add(units.total);
            for msg in units
                .at
                .range(start..)
                .rev()
                .flat_map(|(_, v)| v.iter().rev())
            {
                let u = store.find(store.msgs[*msg as usize].user);
                let Some(b) = self.users.get_mut(u as usize).and_then(Option::as_mut) else {
                    n = n.saturating_sub(1);
                    continue;
                };
                let Some(i) = b.charges.messages.iter().position(|m| m.msg == *msg) else {
                    n = n.saturating_sub(1);
                    continue;
                };
                let mut m = b.charges.messages[i].clone();
                price_unit(&self.setup, &mut m, Some((*t, n)));
                let was = &b.charges.messages[i];
                let fresh_user = fresh.binary_search(&u).is_ok();
                if !fresh_user && !same_price(was, &m) && !old.iter().any(|(x, _)| *x == u) {
                    old.push((u, b.clone()));
                }
                b.charges.messages[i] = m;
                n = n.saturating_sub(1);
            }
        }
        old
    }
}

/// Note that tally `t` changed at second `at`.
fn note(from: &mut HashMap<Tally, i64>, t: Tally, at: i64) {
    let e = from.entry(t).or_insert(at);
    *e = (*e).min(at);
}

/// Whether two versions of a charge add the same to the days (its number may differ).
fn same_price(a: &super::charges::MessageCharge, b: &super::charges::MessageCharge) -> bool {
    (a.cost, a.unpriced(), a.free_tier(), a.price_source)
        == (b.cost, b.unpriced(), b.free_tier(), b.price_source)
}

/// Every business message's charge (see the module rules), computed over the whole store —
/// tiers and free tiers count from the start of each month whatever the report range, on
/// from the `expired` units of each month ([`crate::expiry`](crate::guide::expiry)) — so sections filter by
/// range and number themselves. For each outbound message: its category, billable flag,
/// free reason, cost in micro-units of [`super::Charges::currency`], and (CBP) the conversation it
/// opened or rode. Users in index order; conversation indices global.
#[cfg(test)]
pub(crate) fn compute(
    store: &Store,
    setup: &BillingSetup,
    expired: Option<&Tallies>,
) -> super::Charges {
    let mut live = LiveBilling::new(setup.clone(), expired);
    live.update(store, None, &mut |_, _, _| {});
    live.charges()
}
