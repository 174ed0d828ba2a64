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
pub(crate) use day_store::{Contribution, DayStore};

pub use authors::TopAuthor;
pub use sections::{DailyActive, DailyVolume, Engagement};
pub use support::{AuthorResponse, ResponseTime, Support};
pub(crate) use templates::TemplateMoney;
pub use templates::{ButtonRow, TemplateRow};

use crate::store::{MsgIx, PhoneIx, Store, UserIx, UserRec};
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
        let mut clicks: HashMap<MsgIx, Vec<&'a str>> = HashMap::new();
        for c in store.clicks.values() {
            if let Some(m) = store.outbound(&c.message_id) {
                clicks.entry(m).or_default().push(&c.button);
            }
        }
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
pub fn build_users(
    store: &Store,
    tz: Tz,
    carries: Option<&Carries>,
    users: impl IntoIterator<Item = UserIx>,
) -> DayStore {
    let cx = FoldCtx::new(store, tz, carries);
    let (from, to) = match (store.min_ts, store.max_ts) {
        (Some(a), Some(b)) => (cx.day(a), cx.day(b)),
        _ => (0, -1),
    };
    let mut days = DayStore::new(tz, from, to);
    let mut buf = Vec::new();
    for u in users {
        let rec = &store.users[u as usize];
        buf.clear();
        fold_user(&cx, u, rec, &mut buf);
        days.absorb(u, store.country_of(u), &buf);
    }
    days.finalize();
    days
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
            let mut open = std::collections::BTreeMap::new();
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

/// The engine's built [`DayStore`], rebuilt when a report asks for another time zone or
/// after [`DayCache::clear`], which the engine calls whenever its state changes (ingest,
/// merge, restore).
#[derive(Clone, Debug, Default)]
pub(crate) struct DayCache {
    days: Option<DayStore>,
}

impl DayCache {
    /// The day aggregates of `store` (prepared) in `tz`, built if missing or in another
    /// zone.
    pub(crate) fn get(&mut self, store: &Store, tz: Tz, past: Option<Past<'_>>) -> &DayStore {
        if self.days.as_ref().is_some_and(|d| d.tz() != tz) {
            self.days = None;
        }
        self.days.get_or_insert_with(|| build(store, tz, past))
    }

    /// Forget the built store.
    pub(crate) fn clear(&mut self) {
        self.days = None;
    }
}
