#![doc = include_str!("../guide/engagement.md")]

pub(crate) mod activity;
pub(crate) mod authors;
pub(crate) mod carry;
pub(crate) mod day_store;
pub(crate) mod funnel;
pub(crate) mod sections;
pub(crate) mod support;
pub(crate) mod templates;

pub(crate) use carry::{Carries, Carry};
pub(crate) use day_store::{Contribution, DayStore, Ledger};

pub use authors::TopAuthor;
pub use sections::{DailyActive, DailyVolume, Engagement};
pub use support::{AuthorResponse, ResponseTime, Support};
#[cfg(test)]
pub(crate) use templates::RowRef;
pub use templates::{ButtonRow, TemplateRow};
pub(crate) use templates::{CreditRow, RowKey, TemplateMoney};

use crate::store::{MsgIx, Pending, PhoneIx, Store, UserIx, UserRec};
use crate::util::time::local;
use chrono::Timelike;
use chrono_tz::Tz;
use day_store::{DayNum, day_num};
use hashbrown::HashMap;

/// What a per-user fold reads besides the user's own timeline.
pub(crate) struct FoldCtx<'a> {
    /// The prepared fact store.
    pub(crate) store: &'a Store,
    /// The report time zone.
    pub(crate) tz: Tz,
    /// URL clicks by business message: the clicked button texts.
    pub(crate) clicks: HashMap<MsgIx, Vec<&'a str>>,
    /// The "no business number" index (records that named none), if any.
    pub(crate) no_phone: Option<PhoneIx>,
    /// What expired history left each user (by representative), when some expired.
    pub(crate) carries: HashMap<UserIx, Carry>,
}

impl<'a> FoldCtx<'a> {
    /// The context for folding users of `store` into days of `tz`, continuing from the
    /// `carries` expired history left.
    pub(crate) fn new(store: &'a Store, tz: Tz, carries: Option<&Carries>) -> FoldCtx<'a> {
        FoldCtx::with_clicks(store, tz, carries, |_| true)
    }

    /// [`FoldCtx::new`] for folding only the users `of` accepts (by representative): it
    /// keeps only their clicks.
    fn with_clicks(
        store: &'a Store,
        tz: Tz,
        carries: Option<&Carries>,
        of: impl Fn(UserIx) -> bool,
    ) -> FoldCtx<'a> {
        let mut clicks: HashMap<MsgIx, Vec<&'a str>> = HashMap::new();
        for c in store.clicks.values() {
            if let Some(m) = store.outbound(&c.message_id) {
                if of(store.find(store.msgs[m as usize].user)) {
                    clicks.entry(m).or_default().push(&c.button);
                }
            }
        }
        FoldCtx::with_these_clicks(store, tz, carries, clicks)
    }

    /// [`FoldCtx::new`] with the clicks already gathered.
    fn with_these_clicks(
        store: &'a Store,
        tz: Tz,
        carries: Option<&Carries>,
        clicks: HashMap<MsgIx, Vec<&'a str>>,
    ) -> FoldCtx<'a> {
        FoldCtx {
            store,
            tz,
            clicks,
            no_phone: store.phone_by_id(""),
            carries: carries.map(|c| c.by_user(store)).unwrap_or_default(),
        }
    }

    /// The local calendar day of `ts`.
    pub(crate) fn day(&self, ts: i64) -> DayNum {
        day_num(local(ts, self.tz).date_naive())
    }

    /// The local calendar day and hour of `ts`.
    pub(crate) fn day_hour(&self, ts: i64) -> (DayNum, u8) {
        let l = local(ts, self.tz);
        (day_num(l.date_naive()), l.hour() as u8)
    }
}

/// Fold one user (a live, prepared user) into contributions: activity, support,
/// authorship, funnels.
pub(crate) fn fold_user<'a>(
    cx: &FoldCtx<'a>,
    u: UserIx,
    user: &'a UserRec,
    out: &mut Vec<Contribution<'a>>,
) {
    let carry = cx.carries.get(&u);
    activity::fold(cx, user, carry, out);
    support::fold(cx, user, carry, out);
    authors::fold(cx, user, out);
    templates::fold(cx, user, out);
}

/// Build the day aggregates of `users` (live users of a prepared store) in `tz`.
#[doc(hidden)]
pub(crate) fn build_users(
    store: &Store,
    tz: Tz,
    carries: Option<&Carries>,
    users: impl IntoIterator<Item = UserIx>,
) -> DayStore {
    build_users_into(store, tz, carries, users, None)
}

/// [`build_users`], keeping every user's contributions in `ledger` when given.
fn build_users_into(
    store: &Store,
    tz: Tz,
    carries: Option<&Carries>,
    users: impl IntoIterator<Item = UserIx>,
    mut ledger: Option<&mut Ledger>,
) -> DayStore {
    let cx = FoldCtx::new(store, tz, carries);
    let (from, to) = match (store.min_ts, store.max_ts) {
        (Some(a), Some(b)) => (cx.day(a), cx.day(b)),
        _ => (0, -1),
    };
    let mut days = DayStore::new(tz, from, to);
    let mut buf = Vec::new();
    let users: Vec<UserIx> = users.into_iter().collect();
    for (i, &u) in users.iter().enumerate() {
        store.warm_ahead(&users, i);
        let rec = &store.users[u as usize];
        buf.clear();
        fold_user(&cx, u, rec, &mut buf);
        days.absorb_into(u, store.country_of(u), &buf, ledger.as_deref_mut());
    }
    days.finalize();
    days
}

/// Fold again the users of `changed` (indices the store's journal noted, linked since or
/// not) into `days`, built with `ledger` from an earlier state of `store` (prepared) and
/// the same expired history `past`: take out what each of them and their representative
/// added, then add their representatives' new folds. Equals a fresh build (see the
/// `ledger` module).
fn refold(
    days: &mut DayStore,
    ledger: &mut Ledger,
    store: &Store,
    past: Option<Past<'_>>,
    changed: &[UserIx],
) {
    let roots = store.roots_of(changed);
    let ours = |u: UserIx| roots.binary_search(&u).is_ok();
    // Users folded again replace their contributions below (only what differs moves);
    // the others (merged away, or no longer live) are taken out.
    for &u in changed.iter().chain(&roots) {
        if !(ours(u) && store.is_live(u)) {
            days.retract(u, ledger);
        }
    }
    // Their clicks from the store's index when it is built (else by reading every click).
    let mut cx = match store.clicks_of(&roots) {
        Some(clicks) => FoldCtx::with_these_clicks(store, days.tz(), None, clicks),
        None => FoldCtx::with_clicks(store, days.tz(), None, ours),
    };
    if let Some(p) = past {
        cx.carries = p.carries.by_user_among(store, &roots);
    }
    let mut buf = Vec::new();
    for (i, &u) in roots.iter().enumerate() {
        store.warm_ahead(&roots, i);
        if !store.is_live(u) {
            continue;
        }
        buf.clear();
        fold_user(&cx, u, &store.users[u as usize], &mut buf);
        days.replace(u, store.country_of(u), &buf, ledger);
    }
    if let Some(p) = past {
        for u in changed.iter().chain(&roots) {
            days.restore_country(p.sealed, *u);
        }
    }
    days.finalize();
}

/// Build the day aggregates of every live user in `tz` from scratch, with a ledger when
/// the result can be kept up to date user by user: without expired history, or with
/// sealed days in the same zone (spliced in; the ledger skips their days).
fn build_tracked(store: &Store, tz: Tz, past: Option<Past<'_>>) -> (DayStore, Option<Ledger>) {
    match past {
        None => {
            let mut ledger = Ledger::default();
            let d = build_users_into(store, tz, None, store.live_users(), Some(&mut ledger));
            (d, Some(ledger))
        }
        Some(p) if p.sealed.tz() == tz => {
            let until = day_num(p.until);
            let mut ledger = Ledger::with_floor(Some(until));
            let users = store.live_users();
            let mut d = build_users_into(store, tz, Some(p.carries), users, Some(&mut ledger));
            // Same zone and fact store: the splice cannot fail.
            let _ = d.splice(p.sealed, until);
            (d, Some(ledger))
        }
        Some(_) => (build(store, tz, past), None),
    }
}

/// What expired history left for engagement: the users' carries and, in the zone they
/// were sealed in, the sealed days (see [`crate::expiry`](crate::guide::expiry)).
#[derive(Clone, Copy, Debug)]
#[doc(hidden)]
pub struct Past<'a> {
    /// Every user's carry.
    pub(crate) carries: &'a Carries,
    /// The sealed days' aggregates.
    pub(crate) sealed: &'a DayStore,
    /// The first day that is not sealed.
    pub(crate) until: chrono::NaiveDate,
}

/// Build the day aggregates of every live user of a prepared store in `tz`; in the zone
/// of the sealed days `past` holds, the days before their end are the sealed ones.
#[doc(hidden)]
pub fn build(store: &Store, tz: Tz, past: Option<Past<'_>>) -> DayStore {
    let mut days = build_users(store, tz, past.map(|p| p.carries), store.live_users());
    match past {
        Some(p) if p.sealed.tz() == tz => {
            // Same zone and fact store: the splice cannot fail.
            let _ = days.splice(p.sealed, day_store::day_num(p.until));
        }
        Some(p) => {
            // Another zone: no sealed days, but the conversations expired history left
            // open are still open (reports here start after the sealed days).
            let mut open = crate::util::sorted_map::Map::new();
            for carry in p.carries.by_user(store).values() {
                for (ph, st) in &carry.support {
                    if matches!(st, support::State::Open { .. }) {
                        *open.entry(*ph).or_default() += 1;
                    }
                }
            }
            days.set_base_open(open);
        }
        None => {}
    }
    days
}

/// The engine's built [`DayStore`], kept up to date by folding again only the users
/// input changed (issue 17).
///
/// # When it is built from scratch instead
///
/// - the first report, and a report in another time zone than the last one;
/// - after [`DayCache::clear`], which the engine calls when analysis state it does not
///   track changes: restore, and an expiry that sealed days;
/// - a change while expired history exists and the report is in another zone than the
///   sealed days' (the support conversations expired history left open are counted over
///   all users then: not tracked per user);
/// - when the store's journal overflowed (more changes than users since the last report).
///
/// Otherwise the users the journal names are refolded (see `refold`). Merges of other
/// engines go this way too, since they replay facts through the store's ingest path, and
/// so does erasure: the erased person's slot is journaled and no longer live, so what
/// they added is taken out and nothing comes back.
#[derive(Clone, Debug, Default)]
pub(crate) struct DayCache {
    days: Option<DayStore>,
    /// What each user added to `days`, when it was built without expired history.
    ledger: Option<Ledger>,
    /// Users changed since `days` was last brought up to date (the store's journals,
    /// gathered; `None`: every user may have changed).
    pending: Pending,
}

impl DayCache {
    /// Gather a journal taken from the store ([`Store::take_touched`]).
    pub(crate) fn note(&mut self, changed: Option<&[UserIx]>) {
        self.pending.note(changed);
    }

    /// The day aggregates of `store` (prepared) in `tz`: built if missing, in another zone
    /// or not incrementally maintainable; else updated for the users noted since.
    fn get(&mut self, store: &Store, tz: Tz, past: Option<Past<'_>>) -> &mut DayStore {
        let noted = self.pending.take();
        let changed = noted.as_deref();
        let stale = match (&self.days, changed) {
            (None, _) | (_, None) => true,
            (Some(d), Some(c)) => d.tz() != tz || (!c.is_empty() && self.ledger.is_none()),
        };
        if stale {
            self.clear();
        }
        match (&mut self.days, &mut self.ledger, changed) {
            (Some(d), Some(l), Some(c)) if !c.is_empty() => refold(d, l, store, past, c),
            (Some(_), ..) => {}
            (None, ..) => {
                let (days, ledger) = build_tracked(store, tz, past);
                self.days = Some(days);
                self.ledger = ledger;
            }
        }
        self.days.get_or_insert_with(|| build(store, tz, past))
    }

    /// [`DayCache::get`] in the zone of `ctx`, then keep the distinct users of the range a
    /// report over `ctx` reads up to date from now on (see [`DayStore::watch`]) when the
    /// store is kept up to date user by user without expired history (with it, the store
    /// is built again after any change).
    pub(crate) fn get_watching(
        &mut self,
        store: &Store,
        ctx: &crate::scope::Scope<'_>,
        past: Option<Past<'_>>,
    ) -> &DayStore {
        let watching = past.is_none();
        let days = self.get(store, ctx.range.tz, past);
        if let (true, Some((scope, from, to))) = (watching, sections::watched_range(ctx)) {
            days.watch(scope, from, to);
        }
        days
    }

    /// Its parts and their bytes, measured by cloning each under the caller's allocation
    /// counter `live` (for the memory benchmarks).
    pub(crate) fn footprint(&self, live: &dyn Fn() -> isize) -> [(&'static str, isize); 2] {
        use crate::store::allocated_by;
        [
            (
                "engagement days (aggregates, user sets)",
                allocated_by(live, || self.days.clone()),
            ),
            (
                "engagement ledger (held contributions)",
                allocated_by(live, || self.ledger.clone()),
            ),
        ]
    }

    /// Forget the built store.
    pub(crate) fn clear(&mut self) {
        self.days = None;
        self.ledger = None;
        self.pending = Pending::default();
    }
}
