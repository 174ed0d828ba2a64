//! Retractable day aggregates: what each user added to a [`DayStore`], kept so that a
//! user whose facts changed can be taken out again and folded anew (issue 17: a report
//! after new input costs what changed).
//!
//! # Algebra
//!
//! [`DayStore::apply_held`] with `add = false` is the inverse of the same call with
//! `add = true`: counters are subtracted, a user leaves the day's user sets (each user
//! enters a set once per day, so removing them is exact), a first-response time leaves
//! the day's multiset, and map entries (authors, templates, campaigns, failure codes,
//! buttons) disappear when nothing counts in them any more — so the store left equals the
//! one built without that user. Two things a [`super::Funnel`] keeps are not invertible
//! by themselves: the bit set of categories and a declared button with no click. The
//! [`Ledger`] counts them per (number, day, template or campaign) to undo them exactly.

mod packed;

use super::watch::SetMove;
use super::{Contribution, DayNum, DayStore, Emit};
use crate::engagement::funnel::{category_bit, kind_code};
use crate::model::country::Country;
use crate::model::{AuthorKind, Category};
use crate::store::{PhoneIx, UserIx};
use crate::util::sort::SortSlice as _;
use hashbrown::HashMap;

/// One contribution with its names interned in the day store's interner, and how many
/// times the user made it (a user's equal contributions are kept once, counted).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Held {
    phone: PhoneIx,
    day: DayNum,
    emit: HeldEmit,
    times: u32,
}

/// [`Emit`] with interned names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum HeldEmit {
    Active,
    NewOnPhone,
    FirstEver,
    Received { hour: u8 },
    Sent { delivered: bool },
    Authored { kind: AuthorKind, id: Option<u32> },
    Opened { reopen: bool, manual: bool },
    Closed,
    Response { kind: AuthorKind, secs: u32 },
    Funnel(Box<HeldFunnel>),
}

/// A funnel message with interned names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct HeldFunnel {
    template: Option<u32>,
    campaign: Option<u32>,
    category: Category,
    delivered: bool,
    read: bool,
    replied: bool,
    #[allow(clippy::option_option)] // as FunnelMsg: not failed / without a code / with one
    failed: Option<Option<i64>>,
    /// (interned text, kind code, clicks, URL clicks).
    buttons: Box<[(u32, u8, u64, u64)]>,
}

/// What a funnel's bit set and button entries count: messages per category bit and
/// messages naming each button.
#[derive(Clone, Debug, Default)]
struct FunnelRefs {
    categories: [u32; 16],
    buttons: HashMap<(u32, u8), u32>,
}

/// (number, day, campaign rather than template, interned name).
type FunnelKey = (PhoneIx, DayNum, bool, u32);

/// Every user's contributions to one [`DayStore`], to retract them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ledger {
    /// By user index, packed (see [`packed`]); empty for users that contributed nothing.
    held: Vec<Box<[u8]>>,
    funnels: HashMap<FunnelKey, FunnelRefs>,
    /// The first day not sealed, when the store's days before it are sealed ones (spliced
    /// in from expired history): contributions to earlier days are kept but not applied,
    /// as the splice would have replaced them.
    floor: Option<DayNum>,
}

impl Ledger {
    /// An empty ledger for a store whose days before `floor` are sealed.
    pub(crate) fn with_floor(floor: Option<DayNum>) -> Ledger {
        Ledger {
            floor,
            ..Ledger::default()
        }
    }

    /// Whether a contribution to `day` is applied.
    fn applies(&self, day: DayNum) -> bool {
        self.floor.is_none_or(|f| day >= f)
    }
}

impl DayStore {
    /// `c` with its names interned.
    fn hold(&mut self, c: &Contribution<'_>) -> Held {
        let names = &mut self.names;
        let emit = match &c.emit {
            Emit::Active => HeldEmit::Active,
            Emit::NewOnPhone => HeldEmit::NewOnPhone,
            Emit::FirstEver => HeldEmit::FirstEver,
            Emit::Received { hour } => HeldEmit::Received { hour: *hour },
            Emit::Sent { delivered } => HeldEmit::Sent {
                delivered: *delivered,
            },
            Emit::Authored { kind, id } => HeldEmit::Authored {
                kind: *kind,
                id: id.map(|s| names.intern(s)),
            },
            Emit::Opened { reopen, manual } => HeldEmit::Opened {
                reopen: *reopen,
                manual: *manual,
            },
            Emit::Closed => HeldEmit::Closed,
            Emit::Response { kind, secs } => HeldEmit::Response {
                kind: *kind,
                secs: *secs,
            },
            Emit::Funnel(f) => {
                // Interned in the order a fresh build meets the names: the template, its
                // buttons, the campaign (its buttons first when there is no template).
                let template = f.template.map(|t| names.intern(t));
                let early = template
                    .is_none()
                    .then(|| f.campaign.map(|k| names.intern(k)));
                let buttons = f
                    .buttons
                    .iter()
                    .map(|b| {
                        (
                            names.intern(b.text),
                            kind_code(b.kind),
                            b.clicks,
                            b.url_clicks,
                        )
                    })
                    .collect();
                let campaign = early.unwrap_or_else(|| f.campaign.map(|k| names.intern(k)));
                HeldEmit::Funnel(Box::new(HeldFunnel {
                    template,
                    campaign,
                    category: f.category,
                    delivered: f.delivered,
                    read: f.read,
                    replied: f.replied,
                    failed: f.failed,
                    buttons,
                }))
            }
        };
        Held {
            // A first message ever is one set membership whatever the number: held under
            // one number, two of them on a day are one entry counted twice (so replacing
            // one leaves the other's membership, see `DayStore::replace`).
            phone: if emit == HeldEmit::FirstEver {
                0
            } else {
                c.phone
            },
            day: c.day,
            emit,
            times: 1,
        }
    }

    /// Add one user's contributions (one per-user fold), keeping them in `ledger` when
    /// given so that [`DayStore::retract`] can take them out again. `country` is recorded
    /// when the user was active.
    pub(crate) fn absorb_into(
        &mut self,
        user: UserIx,
        country: Option<Country>,
        contribs: &[Contribution<'_>],
        ledger: Option<&mut Ledger>,
    ) {
        let mut held: Vec<Held> = contribs.iter().map(|c| self.hold(c)).collect();
        if ledger.is_some() {
            held = counted(held);
        }
        self.absorb_held(user, country, &held, ledger);
    }

    /// [`DayStore::absorb_into`] of contributions already held.
    fn absorb_held(
        &mut self,
        user: UserIx,
        country: Option<Country>,
        held: &[Held],
        mut ledger: Option<&mut Ledger>,
    ) {
        // The country first: a watched range counts the user under it as they enter.
        if held.iter().any(|h| h.emit == HeldEmit::Active) {
            let i = user as usize;
            if self.countries.len() <= i {
                self.countries.resize(i + 1, None);
            }
            self.countries[i] = country;
        }
        for h in held {
            if ledger.as_deref().is_none_or(|l| l.applies(h.day)) {
                for _ in 0..h.times {
                    self.apply_held(user, h, true, ledger.as_deref_mut());
                }
            }
        }
        if let Some(l) = ledger {
            let i = user as usize;
            if l.held.len() <= i {
                l.held.resize_with(i + 1, Box::default);
            }
            l.held[i] = packed::pack(held);
        }
    }

    /// Take out everything `user` added (as kept in `ledger`); call
    /// [`DayStore::finalize`] once the changed users are back in.
    pub(crate) fn retract(&mut self, user: UserIx, ledger: &mut Ledger) {
        let Some(slot) = ledger.held.get_mut(user as usize) else {
            return;
        };
        let held = packed::unpack(&std::mem::take(slot));
        for h in &held {
            if ledger.applies(h.day) {
                for _ in 0..h.times {
                    self.apply_held(user, h, false, Some(ledger));
                }
            }
        }
        if let Some(c) = self.countries.get_mut(user as usize) {
            *c = None;
        }
    }

    /// Replace what `user` added (kept in `ledger`) by the contributions `contribs` of
    /// their new fold. Equals [`DayStore::retract`] then [`DayStore::absorb_into`], but
    /// only the held contributions that differ are taken out and added (all taken out
    /// first, then the new ones added, as the two calls would): a user whose fold changed
    /// in one day costs that day's contributions, not their whole history. When the
    /// country the user is counted under changes, everything is taken out and added, so a
    /// watched range moves the user from one country to the other.
    pub(crate) fn replace(
        &mut self,
        user: UserIx,
        country: Option<Country>,
        contribs: &[Contribution<'_>],
        ledger: &mut Ledger,
    ) {
        let i = user as usize;
        let new = counted(contribs.iter().map(|c| self.hold(c)).collect());
        let active = new.iter().any(|h| h.emit == HeldEmit::Active);
        let counted_under = active.then_some(country).flatten();
        if self.countries.get(i).copied().flatten() != counted_under {
            self.retract(user, ledger);
            return self.absorb_held(user, country, &new, Some(ledger));
        }
        let old = ledger
            .held
            .get_mut(i)
            .map_or_else(Vec::new, |slot| packed::unpack(&std::mem::take(slot)));
        // Both are sorted (see `counted`): walk them together, marking the equal ones.
        let (mut kept_old, mut kept_new) = (vec![false; old.len()], vec![false; new.len()]);
        let (mut a, mut b) = (0, 0);
        while a < old.len() && b < new.len() {
            match old[a].cmp(&new[b]) {
                std::cmp::Ordering::Less => a += 1,
                std::cmp::Ordering::Greater => b += 1,
                std::cmp::Ordering::Equal => {
                    (kept_old[a], kept_new[b]) = (true, true);
                    (a, b) = (a + 1, b + 1);
                }
            }
        }
        for (h, _) in old.iter().zip(&kept_old).filter(|(_, k)| !**k) {
            if ledger.applies(h.day) {
                for _ in 0..h.times {
                    self.apply_held(user, h, false, Some(ledger));
                }
            }
        }
        for (h, _) in new.iter().zip(&kept_new).filter(|(_, k)| !**k) {
            if ledger.applies(h.day) {
                for _ in 0..h.times {
                    self.apply_held(user, h, true, Some(ledger));
                }
            }
        }
        if ledger.held.len() <= i {
            ledger.held.resize_with(i + 1, Box::default);
        }
        ledger.held[i] = packed::pack(&new);
    }

    /// Add (`add`) or take out one held contribution of `user`.
    fn apply_held(&mut self, user: UserIx, h: &Held, add: bool, ledger: Option<&mut Ledger>) {
        let n = |x: &mut u64| {
            if add {
                *x += 1;
            } else {
                *x = x.saturating_sub(1);
            }
        };
        match &h.emit {
            HeldEmit::FirstEver => self.member(user, h.day, SetMove::FirstEver, add),
            HeldEmit::NewOnPhone => self.member(user, h.day, SetMove::NewOnPhone(h.phone), add),
            HeldEmit::Active => {
                let country = self.country(user);
                self.member(user, h.day, SetMove::Active(h.phone, country), add);
            }
            HeldEmit::Received { hour } => {
                let a = self.agg(h.phone, h.day);
                n(&mut a.received);
                n(&mut a.hours[usize::from(*hour).min(23)]);
            }
            HeldEmit::Sent { delivered } => {
                let a = self.agg(h.phone, h.day);
                n(&mut a.sent);
                if *delivered {
                    n(&mut a.delivered);
                }
            }
            HeldEmit::Authored { kind, id } => {
                let authors = &mut self.agg(h.phone, h.day).authors;
                count_entry(authors, (*kind, *id), add);
            }
            HeldEmit::Opened { reopen, manual } => {
                let a = self.agg(h.phone, h.day);
                n(&mut a.opened);
                if *reopen {
                    n(&mut a.reopened);
                }
                if *manual {
                    n(&mut a.reopened_manually);
                }
            }
            HeldEmit::Closed => n(&mut self.agg(h.phone, h.day).closed),
            HeldEmit::Response { kind, secs } => {
                let r = &mut self.agg(h.phone, h.day).responses;
                let moved = if add {
                    r.push((*kind, *secs));
                    true
                } else if let Some(i) = r.iter().position(|x| *x == (*kind, *secs)) {
                    r.swap_remove(i);
                    true
                } else {
                    false
                };
                if let (true, Some(w)) = (moved, self.watched.0.as_deref_mut()) {
                    w.step_response((h.phone, h.day), *kind, *secs, if add { 1 } else { -1 });
                }
            }
            HeldEmit::Funnel(f) => self.apply_funnel(h, f, add, ledger),
        }
    }

    /// Put `user` into (`add`) or take them out of the set of `day` that `m` names; a
    /// watched range follows when the set changed.
    fn member(&mut self, user: UserIx, day: DayNum, m: SetMove, add: bool) {
        let set = match m {
            SetMove::FirstEver => self.first_ever.get_mut(day),
            SetMove::NewOnPhone(p) => &mut self.agg(p, day).new_users,
            SetMove::Active(p, _) => &mut self.agg(p, day).active,
        };
        let moved = if add {
            set.insert(user)
        } else {
            set.remove(user)
        };
        if let (true, Some(w)) = (moved, self.watched.0.as_deref_mut()) {
            w.step(user, m, day, if add { 1 } else { -1 });
        }
    }

    /// Add or take out one funnel message, under its template and its campaign.
    fn apply_funnel(
        &mut self,
        h: &Held,
        f: &HeldFunnel,
        add: bool,
        mut ledger: Option<&mut Ledger>,
    ) {
        let a = self.agg(h.phone, h.day);
        for (campaign, name) in [(false, f.template), (true, f.campaign)] {
            let Some(name) = name else { continue };
            let map = if campaign {
                &mut a.campaigns
            } else {
                &mut a.templates
            };
            let refs = ledger.as_deref_mut().map(|l| {
                l.funnels
                    .entry((h.phone, h.day, campaign, name))
                    .or_default()
            });
            let funnel = map.entry(name).or_default();
            step_funnel(funnel, f, add, refs);
            if funnel.sent == 0 {
                map.remove(&name);
                if let Some(l) = ledger.as_deref_mut() {
                    l.funnels.remove(&(h.phone, h.day, campaign, name));
                }
            }
        }
    }
}

/// `held` with equal contributions kept once, counted (in a fixed order: the order of a
/// user's contributions changes no aggregate).
fn counted(mut held: Vec<Held>) -> Vec<Held> {
    held.sort_total();
    let mut out: Vec<Held> = Vec::with_capacity(held.len());
    for h in held {
        match out.last_mut() {
            Some(last) if last.phone == h.phone && last.day == h.day && last.emit == h.emit => {
                last.times += 1;
            }
            _ => out.push(h),
        }
    }
    out
}

/// Add or take out one message of a funnel; `refs` counts what the funnel cannot undo by
/// itself (needed when taking out).
fn step_funnel(
    funnel: &mut super::Funnel,
    f: &HeldFunnel,
    add: bool,
    refs: Option<&mut FunnelRefs>,
) {
    let d = |x: &mut u64, on: bool| {
        if on {
            *x = if add { *x + 1 } else { x.saturating_sub(1) };
        }
    };
    d(&mut funnel.sent, true);
    d(&mut funnel.delivered, f.delivered);
    d(&mut funnel.read, f.read);
    d(&mut funnel.replied, f.replied);
    if let Some(code) = f.failed {
        count_entry(&mut funnel.failed, code, add);
    }
    let bit = category_bit(f.category);
    let Some(refs) = refs else {
        // Untracked: only adding is possible.
        funnel.categories |= bit;
        for (text, kind, clicks, url) in &f.buttons {
            let e = funnel.buttons.entry((*text, *kind)).or_default();
            e.0 += clicks;
            e.1 += url;
        }
        return;
    };
    let slot = &mut refs.categories[bit.trailing_zeros() as usize];
    *slot = if add {
        *slot + 1
    } else {
        slot.saturating_sub(1)
    };
    funnel.categories = refs
        .categories
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .fold(0, |bits, (i, _)| bits | (1 << i));
    for (text, kind, clicks, url) in &f.buttons {
        let key = (*text, *kind);
        let uses = refs.buttons.entry(key).or_default();
        let e = funnel.buttons.entry(key).or_default();
        if add {
            *uses += 1;
            e.0 += clicks;
            e.1 += url;
        } else {
            *uses = uses.saturating_sub(1);
            e.0 = e.0.saturating_sub(*clicks);
            e.1 = e.1.saturating_sub(*url);
            if *uses == 0 {
                funnel.buttons.remove(&key);
                refs.buttons.remove(&key);
            }
        }
    }
}

/// Count one more (`add`) or one fewer in `map[key]`, dropping the entry at zero.
fn count_entry<K: Ord>(map: &mut crate::util::sorted_map::Map<K, u64>, key: K, add: bool) {
    if add {
        *map.entry(key).or_default() += 1;
    } else if let Some(n) = map.get_mut(&key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::watch::Scope as WatchScope;
    use super::super::{Contribution, DayNum, DayStore, Emit};
    use super::*;
    use crate::engagement::sections::{engagement, range_agg};
    use proptest::prelude::*;

    /// One user's fold as the test draws it: (number, day, what) per contribution.
    type Spec = Vec<(u8, u8, u8)>;

    /// One user's fold: (number, day, what) specs made contributions.
    fn contribs(spec: &[(u8, u8, u8)]) -> Vec<Contribution<'static>> {
        spec.iter()
            .map(|&(phone, day, what)| Contribution {
                phone: PhoneIx::from(phone),
                day: DayNum::from(day),
                emit: match what {
                    0 => Emit::Active,
                    1 => Emit::Received { hour: day },
                    2 => Emit::Response {
                        kind: AuthorKind::Agent,
                        secs: u32::from(day) * 700 + u32::from(phone),
                    },
                    3 => Emit::FirstEver,
                    4 => Emit::NewOnPhone,
                    _ => Emit::Authored {
                        kind: AuthorKind::Api,
                        id: Some(["a", "b"][usize::from(phone)]),
                    },
                },
            })
            .collect()
    }

    fn country(c: u8) -> Option<Country> {
        [None, Country::new("BR"), Country::new("IN")][usize::from(c)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(64)))]
        /// Users replacing their folds one at a time (only what differs moves, or all of
        /// it when their country changed) leave the days, and the watched ranges, equal
        /// to a fresh build from every user's last fold.
        #[test]
        fn replacing_folds_equals_a_fresh_build(
            steps in proptest::collection::vec(
                (0u32..4, 0u8..3, proptest::collection::vec((0u8..2, 0u8..6, 0u8..6), 0..8)),
                1..24,
            )
        ) {
            let tz = chrono_tz::UTC;
            let mut live = DayStore::new(tz, 0, 5);
            let mut ledger = Ledger::default();
            live.watch(WatchScope::All, 1, 4);
            let mut last = crate::util::sorted_map::Map::<u32, (u8, Spec)>::new();
            for (i, (user, c, spec)) in steps.into_iter().enumerate() {
                if i == 3 {
                    // A second range watched part way (built from the days as they are).
                    live.watch(WatchScope::One(1), 0, 3);
                }
                live.replace(user, country(c), &contribs(&spec), &mut ledger);
                live.finalize();
                last.insert(user, (c, spec));
            }
            let mut fresh = DayStore::new(tz, 0, 5);
            let mut fresh_ledger = Ledger::default();
            for (user, (c, spec)) in &last {
                fresh.absorb_into(*user, country(*c), &contribs(spec), Some(&mut fresh_ledger));
            }
            fresh.finalize();
            // What reports read: every range below, the watched ones read from their
            // memo on `live` and summed from the days on `fresh`.
            for (phones, from, to) in [
                (None, 1, 4),
                (Some(&[1u32][..]), 0, 3),
                (None, 0, 6),
                (Some(&[0u32][..]), 2, 5),
            ] {
                let a = engagement(&live, &range_agg(&live, phones, from, to));
                let b = engagement(&fresh, &range_agg(&fresh, phones, from, to));
                prop_assert_eq!(a, b);
            }
        }
    }
}
