#![doc = include_str!("guide/expiry.md")]

use crate::billing::{BillingSetup, Charges, Tallies, tally};
use crate::config::{Config, ModelName};
use crate::engagement::support;
use crate::engagement::{Carries, Carry, FoldCtx};
use crate::error::ReportError;
use crate::report::{Past, Prepared, Sealed};
use crate::scope::Scope;
use crate::store::{MsgIx, Store, UserIx, UserRec};
use crate::util::sort::SortSlice as _;
use crate::util::time::{DAY, HOUR, day_in, start_of_day};
use chrono::NaiveDate;
use chrono_tz::Tz;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

/// How far back, beyond the lookback, a late fact may refer and still count: sealed days end
/// this long before the lateness watermark (longer than every window the analytics apply).
pub(crate) const QUIET: i64 = 4 * DAY;

/// What one [`crate::Engine::expire`] did (or, in `Expiry::totals`, every expiry so far).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExpiryOutcome {
    /// Days before this one are sealed (engine time zone); `None` when nothing is.
    pub sealed_until: Option<NaiveDate>,
    /// Users whose history was cut.
    pub users: u64,
    /// Messages dropped.
    pub messages: u64,
    /// External events dropped.
    pub external_events: u64,
    /// Close and reopen records dropped.
    pub closes: u64,
}

impl ExpiryOutcome {
    /// Add the counts of a later expiry (whose horizon is the newer one).
    fn add(&mut self, later: &ExpiryOutcome) {
        self.sealed_until = later.sealed_until;
        // Totals restored from a snapshot are untrusted: saturate rather than overflow.
        self.users = self.users.saturating_add(later.users);
        self.messages = self.messages.saturating_add(later.messages);
        self.external_events = self.external_events.saturating_add(later.external_events);
        self.closes = self.closes.saturating_add(later.closes);
    }
}

/// An engine's sealed days and the counts that continue after them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[doc(hidden)]
pub struct Expiry {
    /// The first day that is not sealed (engine time zone).
    pub(crate) until: NaiveDate,
    /// The first instant of `until`: events before it are late.
    pub(crate) floor: i64,
    /// The engine's time zone when the days were sealed.
    #[serde(with = "crate::util::serde::tz_name")]
    pub(crate) tz: Tz,
    /// The attribution model the sealed credits were computed with.
    pub(crate) model: ModelName,
    /// Expired charged units per month count (free tier, volume tiers).
    pub(crate) tallies: Tallies,
    /// The sealed days' aggregates.
    pub(crate) sealed: Sealed,
    /// Everything every expiry so far dropped.
    pub(crate) totals: ExpiryOutcome,
}

/// What expiry keeps beside the fact store: the sealed days, and what each user's
/// expired history left for the folds that continue after it. The engine owns it; the
/// store holds facts only.
#[derive(Clone, Debug, Default, PartialEq)]
#[doc(hidden)]
pub struct Expired {
    /// The sealed days, once an expiry sealed some.
    pub(crate) expiry: Option<Box<Expiry>>,
    /// Every cut user's carry.
    pub(crate) carries: Carries,
}

impl Expired {
    /// The sealed days and carries as reports read them; `None` before any expiry.
    pub(crate) fn past(&self) -> Option<Past<'_>> {
        let x = self.expiry.as_deref()?;
        Some(Past {
            until: x.until,
            floor: x.floor,
            tz: x.tz,
            model: x.model,
            sealed: &x.sealed,
            tallies: &x.tallies,
            carries: &self.carries,
        })
    }

    /// The first instant of the first day not sealed: input timed before it is late.
    pub(crate) fn floor(&self) -> Option<i64> {
        self.expiry.as_deref().map(|x| x.floor)
    }
}

/// Seal the days that can no longer change and drop the history behind each user's cut
/// (see the module rules). The store's timelines must be in order.
pub(crate) fn expire(
    store: &mut Store,
    expired: &mut Expired,
    config: &Config,
    tz: Tz,
) -> Result<ExpiryOutcome, ReportError> {
    let model = config.attribution.model;
    if !model.range_independent() {
        return Err(ReportError::Unsupported(format!(
            "expiry needs a rule-based attribution model; `{}` credits depend on every path in a range",
            model.as_str()
        )));
    }
    let prev = expired.expiry.as_deref().map(|x| x.until);
    let Some(until) = horizon(store, config, tz).filter(|u| prev.is_none_or(|p| *u > p)) else {
        return Ok(ExpiryOutcome {
            sealed_until: prev,
            ..ExpiryOutcome::default()
        });
    };
    let floor = start_of_day(until, tz);
    let (sealed, charges) = seal(store, expired, config, tz, until)?;
    let setup = BillingSetup::from_config(config)?;
    let mut tallies = expired
        .expiry
        .as_deref()
        .map(|x| x.tallies.clone())
        .unwrap_or_default();
    let lookback = i64::from(config.attribution.lookback_days) * DAY;
    let cut_max = floor - lookback - DAY;
    let reach = Reach::of(config, &setup);
    let mut carries = expired.carries.by_user(store);
    let cuts = cut_users(store, tz, cut_max, reach, &mut carries);
    let mut out = ExpiryOutcome {
        sealed_until: Some(until),
        ..ExpiryOutcome::default()
    };
    let (drop_msg, drop_ext) =
        drop_behind_cuts(store, &cuts, &charges, &setup, &mut tallies, &mut out);
    expired.carries.set_all(carries);
    store.compact(&drop_msg, &drop_ext);
    let mut totals = expired
        .expiry
        .as_deref()
        .map(|x| x.totals.clone())
        .unwrap_or_default();
    totals.add(&out);
    expired.expiry = Some(Box::new(Expiry {
        until,
        floor,
        tz,
        model,
        tallies,
        sealed,
        totals,
    }));
    Ok(out)
}

/// Mark what each cut drops (messages and external events before the cut, counted in
/// `out` and, for charged units, in the monthly `tallies`) and drop the user's closes
/// before it; returns the marks for [`Store::compact`].
fn drop_behind_cuts(
    store: &mut Store,
    cuts: &[(UserIx, i64)],
    charges: &Charges,
    setup: &BillingSetup,
    tallies: &mut Tallies,
    out: &mut ExpiryOutcome,
) -> (Vec<bool>, Vec<bool>) {
    let mut drop_msg = vec![false; store.msgs.len()];
    let mut drop_ext = vec![false; store.externals.len()];
    for &(u, cut) in cuts {
        let rec = &store.users[u as usize];
        for &m in &rec.timeline {
            if store.msgs[m as usize].ts >= cut {
                continue;
            }
            if let Some(t) = charges.get(m).and_then(|c| tally(setup, c)) {
                let n = tallies.entry(t).or_default();
                *n = n.saturating_add(1);
            }
            drop_msg[m as usize] = true;
            out.messages += 1;
        }
        for &x in &rec.externals {
            if store.externals[x as usize].ts < cut {
                drop_ext[x as usize] = true;
                out.external_events += 1;
            }
        }
        out.users += 1;
    }
    for &(u, cut) in cuts {
        let rec = &mut store.users[u as usize];
        for marks in [&mut rec.closes, &mut rec.reopens] {
            let before = marks.len();
            marks.retain(|c| c.0 >= cut);
            out.closes += (before - marks.len()) as u64;
        }
    }
    (drop_msg, drop_ext)
}

/// The first day that may stay open: days before the one of `latest − lateness −
/// lookback − QUIET` can be sealed. `None` while nothing was ingested.
fn horizon(store: &Store, config: &Config, tz: Tz) -> Option<NaiveDate> {
    let latest = store.max_ts?;
    let lookback = i64::from(config.attribution.lookback_days) * DAY;
    let lateness = i64::from(config.lateness_days) * DAY;
    Some(day_in(latest - lateness - lookback - QUIET, tz))
}

/// The aggregates of every day before `until`, built with the days sealed so far spliced
/// in (so the new sealed state is simply everything before `until`), and the charges of
/// every message (for the monthly tallies).
fn seal(
    store: &Store,
    expired: &Expired,
    config: &Config,
    tz: Tz,
    until: NaiveDate,
) -> Result<(Sealed, Charges), ReportError> {
    let ctx = Scope::whole(store, config, tz);
    let past = expired.past();
    let (mut prepared, charges) = Prepared::build_with_charges(&ctx, past.as_ref())?;
    prepared.keep_before(until);
    let mut days = crate::engagement::build(store, tz, past.map(|p| p.engagement()));
    days.keep_before(crate::engagement::day_store::day_num(until));
    Ok((Sealed { prepared, days }, charges))
}

/// Where each live user's history is cut (users with nothing to drop are left out), with
/// their carries brought up to the cut: the numbers they wrote to and their support state.
fn cut_users(
    store: &Store,
    tz: Tz,
    cut_max: i64,
    reach: Reach,
    carries: &mut HashMap<UserIx, Carry>,
) -> Vec<(UserIx, i64)> {
    let mut click_hi: HashMap<MsgIx, i64> = HashMap::new();
    for c in store.clicks.values() {
        if let Some(m) = store.outbound(&c.message_id) {
            let e = click_hi.entry(m).or_insert(c.ts);
            *e = (*e).max(c.ts);
        }
    }
    let cx = FoldCtx::new(store, tz, None);
    let mut cuts = Vec::new();
    for u in store.live_users() {
        let rec = &store.users[u as usize];
        let Some(cut) = cut_point(store, rec, &click_hi, cut_max, reach) else {
            continue;
        };
        let gone = UserRec {
            timeline: rec
                .timeline
                .iter()
                .copied()
                .filter(|m| store.msgs[*m as usize].ts < cut)
                .collect(),
            closes: rec.closes.iter().copied().filter(|c| c.0 < cut).collect(),
            reopens: rec.reopens.iter().copied().filter(|c| c.0 < cut).collect(),
            ..UserRec::default()
        };
        let mut carry = carries.remove(&u).unwrap_or_default();
        for &m in &gone.timeline {
            let msg = &store.msgs[m as usize];
            let wrote = msg
                .inbound
                .as_deref()
                .is_some_and(|d| d.ty.is_user_message());
            if wrote && !carry.phones.contains(&msg.phone) {
                carry.phones.push(msg.phone);
            }
        }
        let mut scratch = Vec::new();
        carry.support = support::fold_from(&cx, &gone, carry.support.clone(), &mut scratch);
        carries.insert(u, carry);
        cuts.push((u, cut));
    }
    cuts
}

/// How long a fact keeps per-user state open after it ends: `short` for any fact, `long`
/// for facts that may fall in a free entry point window (from a Click-to-WhatsApp referral
/// until the business's reply window closes), with `reply` that reply window.
#[derive(Clone, Copy, Debug)]
struct Reach {
    short: i64,
    long: i64,
    reply: i64,
}

impl Reach {
    /// The longest windows of every pricing period, and the inactivity timeout, plus an hour.
    fn of(config: &Config, setup: &BillingSetup) -> Reach {
        let hours = |f: fn(&crate::model::pricing::Rules) -> i64| {
            setup
                .timeline
                .entries()
                .iter()
                .map(|e| f(&e.rules))
                .max()
                .unwrap_or(0)
        };
        let short = hours(|r| r.conversation_secs().max(r.service_window_secs()))
            .max(i64::from(config.inactivity_timeout_hours) * HOUR)
            .max(DAY)
            + HOUR;
        let reply = hours(crate::model::pricing::Rules::free_entry_reply_secs) + HOUR;
        let long = short.max(hours(crate::model::pricing::Rules::free_entry_secs) + HOUR);
        Reach { short, long, reply }
    }
}

/// Where user `rec`'s history can be cut: `cut_max` itself when no fact that started by
/// then keeps state open past it, else the latest start of a fact, at most `cut_max`, that
/// no earlier fact's state reaches ([`Reach`]). `None`: nothing to drop.
fn cut_point(
    store: &Store,
    rec: &UserRec,
    click_hi: &HashMap<MsgIx, i64>,
    cut_max: i64,
    reach: Reach,
) -> Option<i64> {
    // Each fact as (first instant, last instant, opens a free entry point): a message
    // spans its statuses and clicks.
    let mut spans: Vec<(i64, i64, bool)> =
        Vec::with_capacity(rec.timeline.len() + rec.closes.len());
    for &m in &rec.timeline {
        let msg = &store.msgs[m as usize];
        let hi = msg
            .status()
            .times()
            .into_iter()
            .flatten()
            .chain(click_hi.get(&m).copied())
            .fold(msg.ts, i64::max);
        let entry = msg
            .inbound
            .as_deref()
            .is_some_and(|d| d.referral().is_some());
        spans.push((msg.ts, hi, entry));
    }
    spans.extend(
        rec.externals
            .iter()
            .map(|x| store.externals[*x as usize].ts)
            .chain(rec.closes.iter().chain(&rec.reopens).map(|c| c.0))
            .map(|t| (t, t, false)),
    );
    spans.sort_total();
    let mut open_until: Option<i64> = None;
    let mut entry_until = i64::MIN;
    let mut cut = None;
    for (lo, last, entry) in spans {
        if lo > cut_max {
            break;
        }
        if open_until.is_some_and(|h| lo >= h) {
            cut = Some(lo);
        }
        if entry {
            entry_until = entry_until.max(last + reach.reply);
        }
        let keep = if lo <= entry_until {
            reach.long
        } else {
            reach.short
        };
        open_until = Some(open_until.map_or(last + keep, |h| h.max(last + keep)));
    }
    match open_until {
        Some(h) if h <= cut_max => Some(cut_max),
        _ => cut,
    }
}
