//! The range query: sum the day aggregates of a range into the `engagement`, `templates`
//! and `campaigns` sections.
//!
//! The query reads, for each day of the range and each business number in scope, one
//! `DayAgg`: its cost is proportional to days × numbers × (size of a day's data) and
//! does not depend on how much was ingested outside the range. Distinct users are exact
//! unions of the days' `UserSet`s, or — over the range the store watches (the last one a
//! report was over; `day_store::watch`) — the counts it kept up to date, which equal them.

use super::authors::{self, TopAuthor};
use super::day_store::watch::Scope as WatchScope;
use super::day_store::{DayAgg, DayNum, DayStore, day_date, day_num};
use super::support::{self, ResponseTime, Support};
use super::templates::{self, TemplateRow};
use crate::model::country::Country;
use crate::scope::Scope;
use crate::store::PhoneIx;
use crate::util::sorted_map::Map;
use crate::util::userset::UserSet;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The engagement section (Turn.io's Insights): see `super` for every rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Engagement {
    /// Distinct users who sent at least one message in the range.
    pub active_users: u64,
    /// Of those, users whose first message ever is in the range.
    pub new_users: u64,
    /// Of those, users who had written before the range.
    pub returning_users: u64,
    /// Distinct active users per day, every day of the range.
    pub daily_active: Vec<DailyActive>,
    /// Active users by country (ISO 3166 code, or `unknown`).
    pub countries: Map<String, u64>,
    /// Users' messages received.
    pub messages_received: u64,
    /// Business messages sent, delivered or not.
    pub messages_sent: u64,
    /// Of those, delivered.
    pub messages_delivered: u64,
    /// Messages received ÷ Σ daily active users.
    pub avg_received_per_user_per_day: Option<f64>,
    /// Users' messages by local weekday (rows, Monday first) and hour (columns, 0–23).
    pub heatmap: [[u64; 24]; 7],
    /// Sent and received messages per day, every day of the range.
    pub daily_volume: Vec<DailyVolume>,
    /// Support conversations.
    pub support: Support,
    /// Delivered business messages by author kind.
    pub authors: Map<String, u64>,
    /// The authors with most delivered messages.
    pub top_authors: Vec<TopAuthor>,
    /// First-response times of the support conversations opened in the range.
    pub response_time: ResponseTime,
}

/// Active users on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DailyActive {
    /// The day.
    pub date: NaiveDate,
    /// Distinct users who sent a message that day.
    pub users: u64,
    /// Of those, users whose first message ever was that day.
    pub new: u64,
    /// Of those, users who had written before (`users − new`).
    pub returning: u64,
}

/// Message volumes on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DailyVolume {
    /// The day.
    pub date: NaiveDate,
    /// Business messages sent that day, delivered or not (Turn.io's "sent").
    pub sent: u64,
    /// Of those, delivered.
    pub delivered: u64,
    /// Users' messages received that day.
    pub received: u64,
}

/// The three sections this module reports.
#[derive(Clone, Debug, Default, PartialEq)]
#[doc(hidden)]
pub(crate) struct Sections {
    /// `engagement`.
    pub(crate) engagement: Engagement,
    /// `templates`: one row per template.
    pub(crate) templates: Vec<TemplateRow>,
    /// `campaigns`: one row per campaign.
    pub(crate) campaigns: Vec<TemplateRow>,
}

/// Everything a range sums to, before it is shaped into sections.
#[derive(Clone, Debug, Default)]
pub(crate) struct RangeAgg {
    /// The sum of every day and number in scope, but for the user sets (`active` and
    /// `new_users` stay empty: the distinct counts are below).
    pub(crate) total: DayAgg,
    /// Distinct active users.
    pub(crate) active: u64,
    /// Distinct users whose first message (ever, or on the number when filtered) is in range.
    pub(crate) new_users: u64,
    /// Active users per country.
    pub(crate) countries: hashbrown::HashMap<Option<Country>, u64>,
    /// Per day, every day of the range.
    pub(crate) daily: Vec<DayCounts>,
    /// Inbound messages by weekday (Monday first) and hour.
    pub(crate) heatmap: [[u64; 24]; 7],
    /// Support conversations open at the end of the range.
    pub(crate) open_at_end: i64,
    /// The first-response times, when the range is watched (else they are summarized from
    /// `total.responses`).
    pub(crate) response_time: Option<ResponseTime>,
}

/// One day's counts in a [`RangeAgg`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DayCounts {
    /// The day.
    pub(crate) day: DayNum,
    /// Distinct active users.
    pub(crate) active: u64,
    /// Of those, new (first message ever, or on the number when filtered).
    pub(crate) new: u64,
    /// Business messages sent.
    pub(crate) sent: u64,
    /// Of those, delivered.
    pub(crate) delivered: u64,
    /// Users' messages received.
    pub(crate) received: u64,
}

/// The distinct users of a range as its days' sets give them, for a range not watched:
/// the unions, and per day the union over the numbers.
#[derive(Default)]
struct Unions {
    active: UserSet,
    new_users: UserSet,
}

/// Sum days `[from, to)` of `phones` (`None`: every number, with "new" meaning the first
/// message to any number). The distinct users come from the store's watched range when it
/// is this one (`DayStore::watch`), else from the unions of the days' sets.
pub(crate) fn range_agg(
    days: &DayStore,
    phones: Option<&[PhoneIx]>,
    from: DayNum,
    to: DayNum,
) -> RangeAgg {
    let all: Vec<PhoneIx>;
    let scope: &[PhoneIx] = if let Some(p) = phones {
        p
    } else {
        all = days.phones().collect();
        &all
    };
    let watched = watch_scope(phones).and_then(|w| days.watched(w, from, to));
    let mut unions = watched.is_none().then(Unions::default);
    let mut r = RangeAgg::default();
    // Days outside those with data cost a zero entry each, not a lookup per number.
    let (lo, hi) = days.data_days().unwrap_or((to, to));
    for day in from..to {
        let mut c = DayCounts {
            day,
            ..DayCounts::default()
        };
        if day >= lo && day <= hi {
            sum_day(days, phones, scope, day, &mut r, &mut c, unions.as_mut());
            if let Some(w) = watched {
                if let Some(n) = w.daily_active(day) {
                    c.active = n;
                }
            }
            // Every new user was active that day (their first message is on it).
            c.new = c.new.min(c.active);
        }
        r.daily.push(c);
    }
    if let Some(w) = watched {
        r.active = w.active();
        r.new_users = w.new_users();
        r.countries.clone_from(w.countries());
        let opened = r.total.opened.saturating_sub(r.total.reopened_manually);
        r.response_time = Some(w.responses().summary(opened));
    } else if let Some(u) = unions {
        r.active = u.active.len();
        r.new_users = u.new_users.len();
        // Counted by country first (no name allocated per user), then named.
        u.active
            .for_each(|x| *r.countries.entry(days.country(x)).or_default() += 1);
    }
    if to > from {
        r.open_at_end = scope.iter().map(|p| days.open_at_end_of(*p, to - 1)).sum();
    }
    r
}

/// Add one day of the numbers of `scope` to `r` and `c`: the counters always, the user
/// sets into `unions` when the range is not watched (with one number, the day's sets give
/// the day's distinct counts as they are).
fn sum_day(
    days: &DayStore,
    phones: Option<&[PhoneIx]>,
    scope: &[PhoneIx],
    day: DayNum,
    r: &mut RangeAgg,
    c: &mut DayCounts,
    mut unions: Option<&mut Unions>,
) {
    let first_ever = if phones.is_none() {
        days.first_ever(day)
    } else {
        None
    };
    if let (Some(s), Some(u)) = (first_ever, unions.as_deref_mut()) {
        u.new_users.union_with(s);
    }
    c.new = first_ever.map_or(0, UserSet::len);
    let mut day_active: Option<Cow<'_, UserSet>> = None;
    for p in scope {
        let Some(a) = days.day(*p, day) else { continue };
        c.sent += a.sent;
        c.delivered += a.delivered;
        c.received += a.received;
        let wd = day_date(day).weekday().num_days_from_monday() as usize;
        for (h, n) in a.hours.iter().enumerate() {
            r.heatmap[wd][h] += n;
        }
        // A watched range keeps its first-response times (see `range_agg`).
        r.total.merge_counts_mapped(a, None, unions.is_some());
        if phones.is_some() {
            c.new += a.new_users.len();
            c.active += a.active.len();
        }
        if let Some(u) = unions.as_deref_mut() {
            u.active.union_with(&a.active);
            if phones.is_some() {
                u.new_users.union_with(&a.new_users);
            } else {
                match &mut day_active {
                    None => day_active = Some(Cow::Borrowed(&a.active)),
                    Some(t) => t.to_mut().union_with(&a.active),
                }
            }
        }
    }
    if let Some(t) = day_active {
        c.active = t.len();
    }
}

/// The scope a watched range of a report on `phones` has (`None` when there is nothing
/// to watch: a number filter naming no number).
fn watch_scope(phones: Option<&[PhoneIx]>) -> Option<WatchScope> {
    match phones {
        None => Some(WatchScope::All),
        Some([p]) => Some(WatchScope::One(*p)),
        Some(_) => None,
    }
}

/// Shape a summed range into the engagement section.
pub(crate) fn engagement(days: &DayStore, r: &RangeAgg) -> Engagement {
    let t = &r.total;
    let active = r.active;
    // Every new user was active in the range (their first message is in it).
    let new = r.new_users.min(active);
    let mut countries: Map<String, u64> = Map::new();
    for (c, n) in &r.countries {
        *countries
            .entry(c.map_or_else(|| "unknown".to_string(), |c| c.as_str().to_string()))
            .or_default() += *n;
    }
    let user_days: u64 = r.daily.iter().map(|d| d.active).sum();
    let (by_kind, top) = authors::summarize(&t.authors, days.names());
    Engagement {
        active_users: active,
        new_users: new,
        returning_users: active - new,
        daily_active: r
            .daily
            .iter()
            .map(|d| DailyActive {
                date: day_date(d.day),
                users: d.active,
                new: d.new,
                returning: d.active - d.new,
            })
            .collect(),
        countries,
        messages_received: t.received,
        messages_sent: t.sent,
        messages_delivered: t.delivered,
        avg_received_per_user_per_day: templates::ratio(t.received as f64, user_days),
        heatmap: r.heatmap,
        daily_volume: r
            .daily
            .iter()
            .map(|d| DailyVolume {
                date: day_date(d.day),
                sent: d.sent,
                delivered: d.delivered,
                received: d.received,
            })
            .collect(),
        support: Support {
            opened: t.opened,
            closed: t.closed,
            reopened: t.reopened,
            reopened_manually: t.reopened_manually,
            open_at_end: r.open_at_end,
        },
        authors: by_kind,
        top_authors: top,
        response_time: r.response_time.clone().unwrap_or_else(|| {
            support::response_time(t.opened.saturating_sub(t.reopened_manually), &t.responses)
        }),
    }
}

/// The range a report over `ctx` reads, as [`DayStore::watch`] takes it (`None` when a
/// number filter names no number: nothing to watch).
pub(crate) fn watched_range(ctx: &Scope<'_>) -> Option<(WatchScope, DayNum, DayNum)> {
    let scope = watch_scope(report_phones(ctx).as_deref())?;
    Some((scope, day_num(ctx.range.from), day_num(ctx.range.to)))
}

/// The numbers a report over `ctx` reads: every number (`None`), or the filter's (none
/// when it names no known number).
fn report_phones(ctx: &Scope<'_>) -> Option<Vec<PhoneIx>> {
    if ctx.phone_unknown {
        Some(Vec::new())
    } else {
        ctx.phone.map(|p| vec![p])
    }
}

/// The engagement, templates and campaigns sections of a report.
#[doc(hidden)]
pub(crate) fn sections(ctx: &Scope<'_>, days: &DayStore) -> Sections {
    let (from, to) = (day_num(ctx.range.from), day_num(ctx.range.to));
    let r = range_agg(days, report_phones(ctx).as_deref(), from, to);
    Sections {
        engagement: engagement(days, &r),
        templates: templates::rows(&r.total.templates, days.names()),
        campaigns: templates::rows(&r.total.campaigns, days.names()),
    }
}
