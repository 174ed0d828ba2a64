#![doc = include_str!("../guide/engagement/day_store.md")]

mod ledger;
pub(crate) mod watch;

pub(crate) use ledger::Ledger;

use super::funnel::{Funnel, FunnelMsg};
use crate::error::ReportError;
use crate::model::AuthorKind;
use crate::model::country::Country;
use crate::store::{PhoneIx, UserIx};
use crate::util::counted::Memo;
use crate::util::interner::Interner;
use crate::util::sorted_map::Map;
use crate::util::userset::UserSet;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A calendar day as a number (days from the common era, `NaiveDate::num_days_from_ce`).
pub(crate) type DayNum = i32;

/// The number of `d`.
pub(crate) fn day_num(d: NaiveDate) -> DayNum {
    chrono::Datelike::num_days_from_ce(&d)
}

/// The date of day number `n`.
pub(crate) fn day_date(n: DayNum) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(n).unwrap_or_default()
}

/// One contribution of a user's fold to one (business number, day).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Contribution<'a> {
    /// The business number.
    pub(crate) phone: PhoneIx,
    /// The day.
    pub(crate) day: DayNum,
    /// What happened.
    pub(crate) emit: Emit<'a>,
}

/// What a user contributes to a day.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Emit<'a> {
    /// The user sent a message that day (deduplicated by the store).
    Active,
    /// The user's first message to this business number.
    NewOnPhone,
    /// The user's first message to any business number (the phone is ignored).
    FirstEver,
    /// One inbound message, in this local hour.
    Received {
        /// Hour of the day, 0–23, in the report zone.
        hour: u8,
    },
    /// One business message sent (by its send time), and whether it was delivered.
    Sent {
        /// Delivered (or read, or played).
        delivered: bool,
    },
    /// One delivered business message by this author.
    Authored {
        /// Author kind.
        kind: AuthorKind,
        /// Author id, when given.
        id: Option<&'a str>,
    },
    /// A support conversation opened (`reopen`: it had been closed before).
    Opened {
        /// Whether it followed a close.
        reopen: bool,
        /// Whether an agent reopened it with a reopen record (not a user's message).
        manual: bool,
    },
    /// A support conversation closed.
    Closed,
    /// A support conversation opened that day was first answered after `secs` seconds.
    Response {
        /// The reply's author kind.
        kind: AuthorKind,
        /// Seconds from the opening inbound message to the reply.
        secs: u32,
    },
    /// A template or campaign message sent that day, with its outcome.
    Funnel(Box<FunnelMsg<'a>>),
}

/// What happened on one business number on one day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DayAgg {
    /// Users who sent at least one message.
    pub(crate) active: UserSet,
    /// Users whose first message to this number was that day.
    pub(crate) new_users: UserSet,
    /// Inbound user messages.
    pub(crate) received: u64,
    /// Business messages sent, delivered or not (by send time).
    pub(crate) sent: u64,
    /// Of those, delivered.
    pub(crate) delivered: u64,
    /// Inbound user messages per local hour.
    pub(crate) hours: [u64; 24],
    /// Support conversations opened (reopens included).
    pub(crate) opened: u64,
    /// Of those, reopened after a close.
    pub(crate) reopened: u64,
    /// Of those, reopened by an agent's reopen record.
    pub(crate) reopened_manually: u64,
    /// Support conversations closed.
    pub(crate) closed: u64,
    /// First-response times of support conversations opened that day, with the reply's
    /// author kind (unordered).
    pub(crate) responses: Vec<(AuthorKind, u32)>,
    /// Delivered business messages by (author kind, interned author id).
    pub(crate) authors: Map<(AuthorKind, Option<u32>), u64>,
    /// Template funnels by interned template name.
    pub(crate) templates: Map<u32, Funnel>,
    /// Campaign funnels by interned campaign name.
    pub(crate) campaigns: Map<u32, Funnel>,
}

impl DayAgg {
    /// `self += other`, mapping `other`'s interned ids through `map` when given.
    pub(crate) fn merge_mapped(&mut self, other: &DayAgg, map: Option<&[u32]>) {
        self.active.union_with(&other.active);
        self.new_users.union_with(&other.new_users);
        self.merge_counts_mapped(other, map, true);
    }

    /// `self += other` for everything but the user sets (`active`, `new_users`), mapping
    /// `other`'s interned ids through `map` when given; the first-response times too when
    /// `responses` (a watched range keeps its own).
    pub(crate) fn merge_counts_mapped(
        &mut self,
        other: &DayAgg,
        map: Option<&[u32]>,
        responses: bool,
    ) {
        let m = |i: u32| map.map_or(i, |m| m[i as usize]);
        self.received += other.received;
        self.sent += other.sent;
        self.delivered += other.delivered;
        for (a, b) in self.hours.iter_mut().zip(other.hours) {
            *a += b;
        }
        self.opened += other.opened;
        self.reopened += other.reopened;
        self.reopened_manually += other.reopened_manually;
        self.closed += other.closed;
        if responses {
            self.responses.extend_from_slice(&other.responses);
        }
        for ((k, id), n) in &other.authors {
            *self.authors.entry((*k, id.map(m))).or_default() += n;
        }
        for (t, f) in &other.templates {
            self.templates
                .entry(m(*t))
                .or_default()
                .merge_mapped(f, map);
        }
        for (c, f) in &other.campaigns {
            self.campaigns
                .entry(m(*c))
                .or_default()
                .merge_mapped(f, map);
        }
    }
}

/// Days per chunk of a [`DaySeries`].
const CHUNK: usize = 32;

/// Per-day values, stored in chunks of 32 consecutive days that exist only where some day
/// has a value.
///
/// Lookups are O(1) (two indexings), so summing a range costs time proportional to its
/// days. Memory is proportional to the *active* days, not to the span between the first
/// and the last: two messages 99 years apart (ingestion accepts 2000..2100) cost two
/// chunks and 8 bytes of index per 32 days between them, not 36,000 aggregates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DaySeries<T> {
    /// The first day of chunk 0 (a multiple of [`CHUNK`]).
    base: DayNum,
    chunks: Vec<Option<Box<[T]>>>,
    /// The first and last day written, when any.
    covered: Option<(DayNum, DayNum)>,
}

fn chunk_start(day: DayNum) -> DayNum {
    day.div_euclid(CHUNK as DayNum) * CHUNK as DayNum
}

impl<T: Default> DaySeries<T> {
    /// An empty series whose chunk index is pre-sized for `[from, to]` (a hint: any day
    /// fits later, and no value is allocated until written).
    pub(crate) fn with_span(from: DayNum, to: DayNum) -> Self {
        let base = chunk_start(from);
        let n = ((i64::from(to) - i64::from(base)) / CHUNK as i64 + 1).clamp(0, 1 << 16) as usize;
        DaySeries {
            base,
            chunks: std::iter::repeat_with(|| None).take(n).collect(),
            covered: None,
        }
    }

    /// Reset every day for which `drop` holds to the default.
    pub(crate) fn clear_days(&mut self, drop: impl Fn(DayNum) -> bool) {
        for (c, chunk) in self.chunks.iter_mut().enumerate() {
            let Some(chunk) = chunk else { continue };
            let first = self.base + (c * CHUNK) as DayNum;
            for (j, v) in chunk.iter_mut().enumerate() {
                if drop(first + j as DayNum) {
                    *v = T::default();
                }
            }
        }
    }

    /// Whether every stored chunk holds 32 days (what indexing relies on; checked
    /// on restored snapshots).
    pub(crate) fn is_well_formed(&self) -> bool {
        self.chunks.iter().flatten().all(|c| c.len() == CHUNK)
    }

    /// The value of `day`, created (as the default) when missing.
    pub(crate) fn get_mut(&mut self, day: DayNum) -> &mut T {
        if self.covered.is_none() && self.chunks.iter().all(Option::is_none) {
            let n = self.chunks.len();
            self.chunks.clear();
            self.base = chunk_start(day);
            self.chunks.resize_with(n.max(1), || None);
        }
        if day < self.base {
            let start = chunk_start(day);
            let extra = ((self.base - start) as usize) / CHUNK;
            let mut front: Vec<Option<Box<[T]>>> = Vec::with_capacity(extra + self.chunks.len());
            front.resize_with(extra, || None);
            front.append(&mut self.chunks);
            self.chunks = front;
            self.base = start;
        }
        let i = (day - self.base) as usize;
        let c = i / CHUNK;
        if c >= self.chunks.len() {
            self.chunks.resize_with(c + 1, || None);
        }
        self.covered = Some(match self.covered {
            Some((lo, hi)) => (lo.min(day), hi.max(day)),
            None => (day, day),
        });
        let chunk = self.chunks[c]
            .get_or_insert_with(|| std::iter::repeat_with(T::default).take(CHUNK).collect());
        &mut chunk[i % CHUNK]
    }
}

impl<T> DaySeries<T> {
    /// The value of `day`, if its chunk exists (days never written may read as the
    /// default when a neighbour in their chunk was written).
    pub(crate) fn get(&self, day: DayNum) -> Option<&T> {
        let (lo, hi) = self.covered?;
        if day < lo || day > hi {
            return None;
        }
        let i = (day - self.base) as usize;
        self.chunks.get(i / CHUNK)?.as_ref().map(|c| &c[i % CHUNK])
    }

    /// First day written (0 when none).
    #[cfg(test)]
    fn first_day(&self) -> DayNum {
        self.covered.map_or(0, |(lo, _)| lo)
    }

    /// Days from the first written to the last written, inclusive.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.covered
            .map_or(0, |(lo, hi)| (i64::from(hi) - i64::from(lo) + 1) as usize)
    }

    /// Every day of an existing chunk between the first and the last written day, in order,
    /// with its value.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (DayNum, &T)> {
        let (lo, hi) = self.covered.unwrap_or((1, 0));
        let base = self.base;
        self.chunks
            .iter()
            .enumerate()
            .filter_map(|(c, x)| x.as_ref().map(|x| (c, x)))
            .flat_map(move |(c, x)| {
                x.iter()
                    .enumerate()
                    .map(move |(i, t)| (base + (c * CHUNK + i) as DayNum, t))
            })
            .filter(move |(d, _)| (lo..=hi).contains(d))
    }
}

/// Per-day aggregates for every business number, in one time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayStore {
    #[serde(with = "crate::util::serde::tz_name")]
    tz: Tz,
    span: (DayNum, DayNum),
    phones: Map<PhoneIx, DaySeries<DayAgg>>,
    /// Derived: open support conversations at the end of each day, per number.
    /// Stored on the days the value changes; a day reads the latest change at or before it.
    gauges: Map<PhoneIx, Map<DayNum, i64>>,
    first_ever: DaySeries<UserSet>,
    countries: Vec<Option<Country>>,
    names: Interner,
    /// Support conversations open before the first day folded, per number (those of
    /// expired history, when the days are not spliced with sealed ones).
    base_open: Map<PhoneIx, i64>,
    /// The distinct users of the last range a report was over, kept up to date by every
    /// set change from then on (see [`watch`]).
    #[serde(skip)]
    watched: Memo<watch::RangeUsers>,
}

impl DayStore {
    /// An empty store for days in `tz`, pre-sized for `[from, to]` (a hint; any day fits).
    pub(crate) fn new(tz: Tz, from: DayNum, to: DayNum) -> DayStore {
        DayStore {
            tz,
            span: (from, to),
            phones: Map::new(),
            gauges: Map::new(),
            first_ever: DaySeries::with_span(from, to),
            countries: Vec::new(),
            names: Interner::default(),
            base_open: Map::new(),
            watched: Memo::default(),
        }
    }

    /// Keep the distinct users of `[from, to)` on `scope` up to date from now on (one
    /// range at a time; built once from the days).
    pub(crate) fn watch(&mut self, scope: watch::Scope, from: DayNum, to: DayNum) {
        if !self
            .watched
            .0
            .as_ref()
            .is_some_and(|w| w.is(scope, from, to))
        {
            let w = watch::RangeUsers::build(self, scope, from, to);
            self.watched.0 = Some(Box::new(w));
        }
    }

    /// The watched distinct users of `[from, to)` on `scope`, if that range is watched.
    pub(crate) fn watched(
        &self,
        scope: watch::Scope,
        from: DayNum,
        to: DayNum,
    ) -> Option<&watch::RangeUsers> {
        self.watched.0.as_deref().filter(|w| w.is(scope, from, to))
    }

    /// The time zone the days are in.
    pub(crate) fn tz(&self) -> Tz {
        self.tz
    }

    /// The interned names.
    pub(crate) fn names(&self) -> &Interner {
        &self.names
    }

    /// The first and last day with an aggregate on any number, or a first-ever user; `None`
    /// when nothing is stored.
    pub(crate) fn data_days(&self) -> Option<(DayNum, DayNum)> {
        self.phones
            .values()
            .filter_map(|s| s.covered)
            .chain(self.first_ever.covered)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
    }

    /// Business numbers with data.
    pub(crate) fn phones(&self) -> impl Iterator<Item = PhoneIx> + '_ {
        self.phones.keys().copied()
    }

    /// The aggregate of `phone` on `day`, if anything happened.
    pub(crate) fn day(&self, phone: PhoneIx, day: DayNum) -> Option<&DayAgg> {
        self.phones.get(&phone).and_then(|s| s.get(day))
    }

    /// Users whose first message to any number was on `day`.
    pub(crate) fn first_ever(&self, day: DayNum) -> Option<&UserSet> {
        self.first_ever.get(day)
    }

    /// The country of a user counted as active (None when unknown).
    pub(crate) fn country(&self, user: UserIx) -> Option<Country> {
        self.countries.get(user as usize).copied().flatten()
    }

    /// Open support conversations on `phone` at the end of `day` (after
    /// [`DayStore::finalize`]).
    pub(crate) fn open_at_end_of(&self, phone: PhoneIx, day: DayNum) -> i64 {
        self.gauges
            .get(&phone)
            .and_then(|g| g.range(..=day).next_back())
            .map_or(0, |(_, v)| *v)
    }

    /// Put back the country `sealed` recorded for `user`, if any (what a splice with
    /// `sealed` does for every user).
    pub(crate) fn restore_country(&mut self, sealed: &DayStore, user: UserIx) {
        if let Some(c) = sealed.country(user) {
            // A watched range counted the user under the country they entered with.
            self.watched = Memo::default();
            let i = user as usize;
            if self.countries.len() <= i {
                self.countries.resize(i + 1, None);
            }
            self.countries[i] = Some(c);
        }
    }

    fn agg(&mut self, phone: PhoneIx, day: DayNum) -> &mut DayAgg {
        let (from, to) = self.span;
        self.phones
            .entry(phone)
            .or_insert_with(|| DaySeries::with_span(from, to))
            .get_mut(day)
    }

    /// Add one user's contributions (the output of one per-user fold). `country` is
    /// recorded when the user was active. Call [`DayStore::finalize`] once every user is in.
    #[cfg(test)]
    pub(crate) fn absorb(
        &mut self,
        user: UserIx,
        country: Option<Country>,
        contribs: &[Contribution<'_>],
    ) {
        self.absorb_into(user, country, contribs, None);
    }

    /// Recompute the derived gauges (open support conversations at the end of each day).
    pub(crate) fn finalize(&mut self) {
        self.gauges.clear();
        for (p, s) in &self.phones {
            let mut g = Map::new();
            let mut open = self.base_open.get(p).copied().unwrap_or(0);
            for (d, a) in s.iter() {
                let was = open;
                open += a.opened as i64 - a.closed as i64;
                if open != was || g.is_empty() {
                    g.insert(d, open);
                }
            }
            self.gauges.insert(*p, g);
        }
    }

    /// Merge a store built from a disjoint set of users of the same fact store (same user
    /// and number indices) into this one, then recompute the gauges. The result equals the
    /// store built from both sets of users at once.
    pub(crate) fn merge(&mut self, other: &DayStore) -> Result<(), ReportError> {
        if self.tz != other.tz {
            return Err(ReportError::Unsupported(format!(
                "cannot merge day aggregates in {} and {}",
                self.tz.name(),
                other.tz.name()
            )));
        }
        self.watched = Memo::default();
        let map: Vec<u32> = (0..other.names.len() as u32)
            .map(|i| self.names.intern(other.names.name(i)))
            .collect();
        for (p, s) in &other.phones {
            for (d, a) in s.iter() {
                if *a != DayAgg::default() {
                    self.agg(*p, d).merge_mapped(a, Some(&map));
                }
            }
        }
        for (d, set) in other.first_ever.iter() {
            if !set.is_empty() {
                self.first_ever.get_mut(d).union_with(set);
            }
        }
        if self.countries.len() < other.countries.len() {
            self.countries.resize(other.countries.len(), None);
        }
        for (i, c) in other.countries.iter().enumerate() {
            if c.is_some() {
                self.countries[i] = *c;
            }
        }
        self.finalize();
        Ok(())
    }

    /// Reset every day for which `drop` holds, then recompute the gauges.
    fn clear_days(&mut self, drop: impl Fn(DayNum) -> bool) {
        self.watched = Memo::default();
        for s in self.phones.values_mut() {
            s.clear_days(&drop);
        }
        self.first_ever.clear_days(&drop);
        self.finalize();
    }

    /// Count `open` support conversations per number as open before every day (those
    /// the users' expired history left open), then recompute the gauges.
    pub(crate) fn set_base_open(&mut self, open: Map<PhoneIx, i64>) {
        self.base_open = open;
        self.finalize();
    }

    /// Keep only the days before `until` (what [`crate::expiry`](crate::guide::expiry) seals).
    pub(crate) fn keep_before(&mut self, until: DayNum) {
        self.clear_days(|d| d >= until);
    }

    /// Replace every day before `until` with the days of `sealed` (same zone and fact
    /// store; see [`crate::expiry`](crate::guide::expiry)).
    pub(crate) fn splice(&mut self, sealed: &DayStore, until: DayNum) -> Result<(), ReportError> {
        self.clear_days(|d| d < until);
        self.merge(sealed)
    }

    /// Whether every index a report follows is in bounds for a store of `users` users
    /// and `phones` numbers (checked on restored snapshots).
    pub(crate) fn check(&self, users: usize, phones: usize) -> Result<(), String> {
        let names = self.names.len() as u32;
        let series_ok =
            self.phones.values().all(DaySeries::is_well_formed) && self.first_ever.is_well_formed();
        if !series_ok {
            return Err("sealed engagement days: malformed day series".into());
        }
        if self.phones.keys().any(|p| *p as usize >= phones) || self.countries.len() > users {
            return Err("sealed engagement days: number or user out of range".into());
        }
        for s in self.phones.values() {
            for (_, a) in s.iter() {
                let funnels = a.templates.iter().chain(&a.campaigns);
                let bad_name = a
                    .authors
                    .keys()
                    .any(|(_, id)| id.is_some_and(|i| i >= names))
                    || funnels.clone().any(|(t, _)| *t >= names)
                    || funnels
                        .flat_map(|(_, f)| f.buttons.keys())
                        .any(|(b, _)| *b >= names);
                if bad_name {
                    return Err("sealed engagement days: name out of range".into());
                }
                let sets = [&a.active, &a.new_users];
                if sets.iter().any(|s| !s.is_well_formed(users)) {
                    return Err("sealed engagement days: malformed user set".into());
                }
            }
        }
        if self
            .first_ever
            .iter()
            .any(|(_, s)| !s.is_well_formed(users))
        {
            return Err("sealed engagement days: malformed user set".into());
        }
        Ok(())
    }

    /// Heap bytes held by the user sets (for the memory figures in the docs).
    pub fn user_set_bytes(&self) -> usize {
        let sets: usize = self
            .phones
            .values()
            .flat_map(DaySeries::iter)
            .map(|(_, a)| a.active.heap_bytes() + a.new_users.heap_bytes())
            .sum();
        sets + self
            .first_ever
            .iter()
            .map(|(_, s)| s.heap_bytes())
            .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> DayNum {
        day_num(NaiveDate::from_ymd_opt(y, m, day).unwrap())
    }

    #[test]
    fn series_grow_both_ways() {
        let mut s = DaySeries::<u32>::default();
        *s.get_mut(10) = 1;
        *s.get_mut(7) = 2;
        *s.get_mut(12) = 3;
        assert_eq!(s.first_day(), 7);
        assert_eq!(s.len(), 6);
        // Days 7..12 share the chunk 0..31: every day between first and last is listed.
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![(7, &2), (8, &0), (9, &0), (10, &1), (11, &0), (12, &3)]
        );
        assert_eq!(s.get(6), None);
        assert_eq!(s.get(13), None);
        // A day far before, in another chunk: the chunks between are not allocated.
        *s.get_mut(-1000) = 9;
        assert_eq!(s.first_day(), -1000);
        assert_eq!(s.len(), 1013);
        assert_eq!(s.get(-1000), Some(&9));
        assert_eq!(s.get(-500), None);
        assert_eq!(s.get(10), Some(&1));
        let days: Vec<DayNum> = s.iter().map(|(d, _)| d).collect();
        // -1000 is in chunk -1024..-993: its 8 days from -1000; then chunk 0..31 up to
        // the last written day, 0..12 (13 days, now that the first day is before it).
        assert_eq!(days.len(), 8 + 13);
        assert_eq!((days[0], days[7], days[8], days[20]), (-1000, -993, 0, 12));
        let allocated = s.chunks.iter().filter(|c| c.is_some()).count();
        assert_eq!(allocated, 2);
    }

    #[test]
    fn gauge_carries_past_the_last_day() {
        let day = d(2025, 7, 1);
        let mut st = DayStore::new(Tz::UTC, day, day + 2);
        let open = |day| Contribution {
            phone: 0,
            day,
            emit: Emit::Opened {
                reopen: false,
                manual: false,
            },
        };
        let close = |day| Contribution {
            phone: 0,
            day,
            emit: Emit::Closed,
        };
        // User 0 opens on day 0 and is closed on day 2; user 1 opens on day 1.
        st.absorb(0, None, &[open(day), close(day + 2)]);
        st.absorb(1, None, &[open(day + 1)]);
        st.finalize();
        // End of day -1: 0; day 0: 1; day 1: 2; day 2: 1; later days carry 1.
        assert_eq!(st.open_at_end_of(0, day - 1), 0);
        assert_eq!(st.open_at_end_of(0, day), 1);
        assert_eq!(st.open_at_end_of(0, day + 1), 2);
        assert_eq!(st.open_at_end_of(0, day + 2), 1);
        assert_eq!(st.open_at_end_of(0, day + 40), 1);
        assert_eq!(st.open_at_end_of(9, day), 0);
    }

    #[test]
    fn merge_of_disjoint_users_equals_building_together() {
        let day = d(2025, 7, 1);
        let a = [
            Contribution {
                phone: 0,
                day,
                emit: Emit::Active,
            },
            Contribution {
                phone: 0,
                day,
                emit: Emit::Authored {
                    kind: AuthorKind::Agent,
                    id: Some("ana"),
                },
            },
        ];
        let b = [
            Contribution {
                phone: 1,
                day: day + 3,
                emit: Emit::Active,
            },
            Contribution {
                phone: 0,
                day,
                emit: Emit::Authored {
                    kind: AuthorKind::Agent,
                    id: Some("bob"),
                },
            },
            Contribution {
                phone: 0,
                day,
                emit: Emit::Authored {
                    kind: AuthorKind::Agent,
                    id: Some("ana"),
                },
            },
        ];
        let mut together = DayStore::new(Tz::UTC, day, day);
        together.absorb(1, None, &a);
        together.absorb(2, Country::new("DE"), &b);
        together.finalize();
        // `b` first in its own store, so "bob" is interned before "ana" there.
        let mut sb = DayStore::new(Tz::UTC, day, day);
        sb.absorb(2, Country::new("DE"), &b);
        sb.finalize();
        let mut sa = DayStore::new(Tz::UTC, day, day);
        sa.absorb(1, None, &a);
        sa.finalize();
        sa.merge(&sb).unwrap();
        let ana = sa.names().lookup("ana");
        assert_eq!(
            sa.day(0, day).unwrap().authors[&(AuthorKind::Agent, ana)],
            2
        );
        assert_eq!(sa.day(0, day).unwrap().active.to_vec(), vec![1]);
        assert_eq!(sa.day(1, day + 3).unwrap().active.to_vec(), vec![2]);
        assert_eq!(sa.country(2), Country::new("DE"));
        // Same content as the store built in one go (names may be numbered differently).
        let by_name = |s: &DayStore| {
            let a = s.day(0, day).unwrap();
            a.authors
                .iter()
                .map(|((k, id), n)| (*k, id.map(|i| s.names().name(i).to_string()), *n))
                .collect::<Vec<_>>()
        };
        assert_eq!(by_name(&sa), by_name(&together));
        assert_eq!(sa.day(1, day + 3), together.day(1, day + 3));
        assert!(
            sa.merge(&DayStore::new(Tz::Europe__Berlin, day, day))
                .is_err()
        );
    }
}
