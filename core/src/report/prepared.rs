#![doc = include_str!("../guide/report/prepared.md")]

use crate::attribution::{Attribution, CreditDays, EventCredit, attribute_user};
use crate::billing::{BillingDays, BillingTrack, Charges};
use crate::config::ModelName;
use crate::engagement::TemplateMoney;
use crate::engagement::{CreditRow, RowKey};
use crate::error::ReportError;
use crate::model::money::Currency;
use crate::report::Past;
use crate::scope::Scope;
use crate::sources::conversation::EventHit;
use crate::sources::{
    Analysis, Conversation, EventDays, ExternalTouch, Matchers, SourceDays, SourceRefs, analyse_one,
};
use crate::store::{Pending, PhoneIx, UserIx};
use crate::util::interner::Numbered;
use crate::util::time::Ts32;
use crate::util::time::splice_days;
use chrono::NaiveDate;
use chrono_tz::Tz;

/// Day aggregates of every range-dependent section, for one (zone, number filter, model).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[doc(hidden)]
pub struct Prepared {
    key: PrepKey,
    /// Billing and usage by day.
    pub(crate) billing: BillingDays,
    /// Conversations by (start day, source).
    pub(crate) sources: SourceDays,
    /// The attributed events by day under the model, when it is range-independent.
    pub(crate) credits: Option<CreditDays>,
    /// Template and campaign costs (and, with `credits`, conversions) by send day.
    pub(crate) money: TemplateMoney,
    /// Every event by day.
    pub(crate) events: EventDays,
}

/// What a preparation depends on besides the engine's state.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct PrepKey {
    #[serde(with = "crate::util::serde::tz_name")]
    tz: Tz,
    phone: Option<PhoneIx>,
    phone_unknown: bool,
    model: ModelName,
    conversion_event: Option<Box<str>>,
    currency: Currency,
}

impl PrepKey {
    /// The key of a report context.
    fn of(ctx: &Scope<'_>) -> PrepKey {
        PrepKey {
            tz: ctx.range.tz,
            phone: ctx.phone,
            phone_unknown: ctx.phone_unknown,
            model: ctx.model,
            conversion_event: ctx.conversion_event.map(Into::into),
            currency: ctx.currency,
        }
    }
}

/// `(opening message, event time, micro-conversions, value)` for every credit of `att`.
pub(crate) fn opening_credits<'a>(
    analysis: &'a Analysis,
    att: &'a Attribution,
) -> impl Iterator<Item = (crate::store::MsgIx, i64, i64, i64)> + 'a {
    att.events.iter().flat_map(move |e| {
        e.credits.iter().map(move |c| {
            (
                analysis.conversations[c.conversation].opening,
                e.ts,
                c.count,
                c.value,
            )
        })
    })
}

impl Prepared {
    /// Prepare the context's zone, number filter and model (its range is not used).
    pub fn build(ctx: &Scope<'_>, past: Option<&Past<'_>>) -> Result<Prepared, ReportError> {
        Ok(Prepared::build_with_charges(ctx, past)?.0)
    }

    /// [`Prepared::build`], also returning the per-message charges billing computed.
    pub(crate) fn build_with_charges(
        ctx: &Scope<'_>,
        past: Option<&Past<'_>>,
    ) -> Result<(Prepared, Charges), ReportError> {
        let (p, track) = Kept::fresh(ctx, past.map(|p| p.tallies))?;
        let charges = track.billing.live().charges();
        Ok((spliced(&p, ctx, past).unwrap_or(p), charges))
    }

    /// Keep only the days before `until` (what [`crate::expiry`](crate::guide::expiry) seals).
    pub(crate) fn keep_before(&mut self, until: NaiveDate) {
        self.billing.days.split_off(&until);
        self.sources.days.split_off(&until);
        if let Some(c) = &mut self.credits {
            c.days.split_off(&until);
        }
        self.money.keep_before(until);
        self.events.keep_before(until);
    }

    /// Replace the days before `until` with those of `sealed` (a preparation of the same
    /// zone, numbers and model), and add the sources only sealed days had.
    pub(crate) fn splice(&mut self, sealed: &Prepared, until: NaiveDate) {
        splice_days(&mut self.billing.days, &sealed.billing.days, until);
        self.sources.splice(&sealed.sources, until);
        if let (Some(live), Some(old)) = (&mut self.credits, &sealed.credits) {
            splice_days(&mut live.days, &old.days, until);
        }
        self.money.splice(&sealed.money, until);
        self.events.splice(&sealed.events, until);
    }

    /// The report currency the preparation's money is in.
    pub(crate) fn currency(&self) -> Currency {
        self.key.currency
    }

    /// Whether this preparation answers reports of `ctx` (same zone, number filter and
    /// model; the caller keeps it only while the engine's state is unchanged).
    pub(crate) fn fits(&self, ctx: &Scope<'_>) -> bool {
        self.key == PrepKey::of(ctx)
    }
}

/// A preparation the engine keeps up to date as input arrives (issue 17): instead of
/// building it again after every change, it takes out what the users the store's journal
/// names added — to billing (see [`crate::billing::live`]), template costs and credits,
/// sources, events and credits — and adds back what they add now. Every part is a sum over
/// users whose taking out is exact, so the result equals a fresh build.
///
/// Built from scratch instead: the first report of its key, after input that left no
/// journal (restore, an expiry, an overflowed journal), and when the conversion event in
/// effect changed (the first external event makes external events the default one). With
/// expired history, the live users' preparation is kept up to date and the sealed days are
/// spliced over a copy of it after each update.
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    /// The live users' preparation.
    prep: Prepared,
    /// With expired history in the same zone, numbers and model: `prep` with the sealed
    /// days spliced over its days before their end (what reports read).
    spliced: Option<Prepared>,
    /// What brings `prep` up to date.
    track: Box<Track>,
    /// Users changed since `prep` was brought up to date.
    pending: Pending,
}

/// `prep` with the sealed days of `past` spliced over its days before their end, when
/// `past` serves `ctx` (same zone, all numbers, same model and currency).
fn spliced(prep: &Prepared, ctx: &Scope<'_>, past: Option<&Past<'_>>) -> Option<Prepared> {
    past.filter(|x| x.serves(ctx)).map(|x| {
        let mut p = prep.clone();
        p.splice(&x.sealed.prepared, x.until);
        p
    })
}

/// Where a user's charges went in the template costs: (send day, row numbered in
/// [`KeptNames`], micro-units), in the order of their charges.
type CostRows = Box<[(NaiveDate, u32, i64)]>;

/// What keeps a preparation up to date, per user index.
#[derive(Clone, Debug)]
struct Track {
    billing: BillingTrack,
    /// Where each of the user's charges went in the template costs: (send day, row
    /// numbered in `names`, micro-units).
    money: Vec<CostRows>,
    /// What the user added to sources, events and credits.
    users: Vec<Option<UserPart>>,
    /// The sources and headlines the kept conversations name.
    names: KeptNames,
    sources: SourceRefs,
    matchers: Matchers,
}

/// One user's analysis as it was added: conversations (kept compact), external events,
/// the events' credits and where those went in the template credits.
#[derive(Clone, Debug)]
struct UserPart {
    convs: Box<[KeptConv]>,
    /// The conversations' event hits, one after another in conversation order: those of
    /// conversation `i` end at `convs[i].hits_end` (one allocation per user, none per
    /// conversation).
    hits: Box<[EventHit]>,
    /// The rest, for the users who have any (few have external events).
    rest: Option<Box<PartRest>>,
}

/// What a [`UserPart`] keeps of a user's external events: the events, their credits and
/// where those went in the template credits.
#[derive(Clone, Debug, Default, PartialEq)]
struct PartRest {
    touches: Box<[ExternalTouch]>,
    events: Box<[EventCredit]>,
    credits: Box<[CreditRow]>,
}

/// A conversation as a user's analysis keeps it between reports, to take it out again
/// when the user changes: 32 bytes where a [`Conversation`] takes 120 and its source key,
/// headline and event hits their own allocations. The message list is not kept (taking a
/// user out does not read it); the source and headline are numbers in [`KeptNames`]; the
/// user is the one whose [`UserPart`] holds it (a user's conversations are all theirs);
/// the event hits are in that part's `hits`; the times, a first and a last message's, are
/// in the accepted range that ingest and restore hold every message time to, four bytes
/// each.
#[derive(Clone, Debug, PartialEq)]
struct KeptConv {
    start: Ts32,
    last: Ts32,
    phone: PhoneIx,
    opening: crate::store::MsgIx,
    source: u32,
    /// 0: none; else the headline numbered `headline - 1`.
    headline: u32,
    /// Where its event hits end in [`UserPart::hits`] (they start where the previous
    /// conversation's end).
    hits_end: u32,
    lead: bool,
}

impl KeptConv {
    /// The (start day, source) group whose day aggregates the conversation is in.
    fn group(&self, tz: Tz) -> (NaiveDate, u32) {
        (crate::util::time::day_in(self.start.get(), tz), self.source)
    }
}

impl UserPart {
    /// The user's external events.
    fn touches(&self) -> &[ExternalTouch] {
        self.rest.as_ref().map_or(&[], |r| &r.touches)
    }

    /// The credits of the user's external events.
    fn events(&self) -> &[EventCredit] {
        self.rest.as_ref().map_or(&[], |r| &r.events)
    }

    /// Where those credits went in the template credits.
    fn credits(&self) -> &[CreditRow] {
        self.rest.as_ref().map_or(&[], |r| &r.credits)
    }

    /// The event hits of conversation `i`.
    fn hits_of(&self, i: usize) -> &[EventHit] {
        let start = i
            .checked_sub(1)
            .map_or(0, |j| self.convs[j].hits_end as usize);
        &self.hits[start..self.convs[i].hits_end as usize]
    }

    /// Whether conversation `i` here and conversation `i` of `other` (the same user's) are
    /// the same: the same fields and the same event hits.
    fn same_conv(&self, other: &UserPart, i: usize) -> bool {
        let (a, b) = (&self.convs[i], &other.convs[i]);
        (
            a.start, a.last, a.phone, a.opening, a.source, a.headline, a.lead,
        ) == (
            b.start, b.last, b.phone, b.opening, b.source, b.headline, b.lead,
        ) && self.hits_of(i) == other.hits_of(i)
    }

    /// What events and credits read of conversation `i`.
    fn event_view(&self, i: usize) -> (PhoneIx, i64, u32, &[EventHit]) {
        let k = &self.convs[i];
        (k.phone, k.start.get(), k.source, self.hits_of(i))
    }

    /// Conversation `i` of user `u` (this part's), with an empty message list.
    fn conversation(&self, names: &KeptNames, u: UserIx, i: usize) -> Conversation {
        names.conversation(&self.convs[i], u, self.hits_of(i))
    }

    /// Every conversation of user `u`, each with an empty message list.
    fn conversations(&self, names: &KeptNames, u: UserIx) -> Vec<Conversation> {
        (0..self.convs.len())
            .map(|i| self.conversation(names, u, i))
            .collect()
    }
}

/// The distinct sources and headlines of kept conversations, and the template cost rows
/// (template, campaign) of kept charges, numbered in order of first use. They are few
/// (one per ad, post, campaign, template and rule) and hold nothing about a person, so
/// they are never dropped.
#[derive(Clone, Debug, Default)]
struct KeptNames {
    sources: Numbered<crate::sources::Source>,
    headlines: Numbered<Box<str>>,
    rows: Numbered<RowKey>,
}

impl KeptNames {
    /// `c` as kept (its message list dropped; its event hits, `hits_end` says where they
    /// end, go to the caller's list).
    fn keep(&mut self, c: &Conversation, hits_end: u32) -> KeptConv {
        KeptConv {
            start: Ts32::clamped(c.start),
            last: Ts32::clamped(c.last),
            phone: c.phone,
            opening: c.opening,
            source: self.sources.number(&c.source),
            headline: c
                .headline
                .as_ref()
                .map_or(0, |h| self.headlines.number(h) + 1),
            lead: c.lead,
            hits_end,
        }
    }

    /// The conversation `k` of user `u` with event hits `hits` keeps, with an empty
    /// message list.
    fn conversation(&self, k: &KeptConv, u: UserIx, hits: &[EventHit]) -> Conversation {
        Conversation {
            user: u,
            phone: k.phone,
            start: k.start.get(),
            last: k.last.get(),
            source: self.sources.get(k.source).clone(),
            opening: k.opening,
            messages: 0,
            events: hits.to_vec(),
            lead: k.lead,
            headline: (k.headline.checked_sub(1)).map(|i| self.headlines.get(i).clone()),
        }
    }
}

impl Kept {
    /// Prepare `ctx` from scratch, after the expired history `past` if any.
    pub(crate) fn build(ctx: &Scope<'_>, past: Option<&Past<'_>>) -> Result<Kept, ReportError> {
        let (prep, track) = Kept::fresh(ctx, past.map(|p| p.tallies))?;
        Ok(Kept {
            spliced: spliced(&prep, ctx, past),
            prep,
            track,
            pending: Pending::default(),
        })
    }

    /// Every live user of `ctx` added to an empty preparation, billing numbering on from
    /// the `expired` units.
    fn fresh(
        ctx: &Scope<'_>,
        expired: Option<&crate::billing::Tallies>,
    ) -> Result<(Prepared, Box<Track>), ReportError> {
        let (billing, track) = BillingDays::build_tracked(ctx, expired)?;
        let matchers = Matchers::new(ctx.config, ctx.store, ctx.conversion_event);
        let mut prep = Prepared {
            key: PrepKey::of(ctx),
            billing,
            sources: SourceDays::empty(matchers.conversion.clone()),
            credits: ctx.model.range_independent().then(|| CreditDays {
                model: ctx.model,
                days: crate::util::sorted_map::Map::new(),
            }),
            money: TemplateMoney::default(),
            events: EventDays::empty(&matchers),
        };
        let mut track = Box::new(Track {
            billing: track,
            money: Vec::new(),
            users: Vec::new(),
            names: KeptNames::default(),
            sources: SourceRefs::default(),
            matchers,
        });
        let users: Vec<UserIx> = ctx.store.live_users().collect();
        track.costs(&mut prep, ctx, &[], &users);
        track.analyse(&mut prep, ctx, &[], &users);
        Ok((prep, track))
    }

    /// Its parts and their bytes, measured by cloning each under the caller's allocation
    /// counter `live` (for the memory benchmarks).
    pub(crate) fn footprint(&self, live: &dyn Fn() -> isize) -> Vec<(&'static str, isize)> {
        use crate::store::allocated_by;
        let mut out = vec![(
            "prepared day aggregates",
            allocated_by(live, || self.prep.clone()),
        )];
        {
            let t = &self.track;
            // The sum of `f` over the kept user parts (their heap parts measured apart).
            let parts =
                |f: &dyn Fn(&UserPart) -> isize| -> isize { t.users.iter().flatten().map(f).sum() };
            let touches = |p: &UserPart| allocated_by(live, || p.touches().to_vec());
            out.extend(t.billing.footprint(live));
            out.extend([
                (
                    "template cost rows",
                    allocated_by(live, || (t.money.clone(), t.names.rows.clone())),
                ),
                (
                    "kept analyses: conversations and their hits",
                    parts(&|p| allocated_by(live, || (p.convs.clone(), p.hits.clone()))),
                ),
                ("kept analyses: external events (touches)", parts(&touches)),
                (
                    "kept analyses: credits (events, template rows)",
                    parts(&|p| allocated_by(live, || p.rest.clone()) - touches(p)),
                ),
                (
                    "kept analyses: per-user rows, names",
                    allocated_by(live, || {
                        let n = &t.names;
                        let rows = t.users.capacity() * std::mem::size_of::<Option<UserPart>>();
                        (vec![0u8; rows], n.sources.clone(), n.headlines.clone())
                    }),
                ),
                (
                    "source references",
                    allocated_by(live, || t.sources.clone()),
                ),
            ]);
        }
        out
    }

    /// The preparation.
    pub(crate) fn prepared(&self) -> &Prepared {
        self.spliced.as_ref().unwrap_or(&self.prep)
    }

    /// Keep the range sums of `range` up to date from now on, where a report reads them
    /// from the live preparation (not from one spliced with expired history, which is a
    /// fresh copy each time): the next report over the same range then costs what changed.
    pub(crate) fn watch(&mut self, range: &crate::util::time::DayRange) {
        if self.spliced.is_none() {
            self.prep.events.watch(range);
        }
    }

    /// Gather a journal taken from the store.
    pub(crate) fn note(&mut self, changed: Option<&[UserIx]>) {
        self.pending.note(changed);
    }

    /// Bring the preparation up to date for `ctx` (of the same key, after the same expired
    /// history `past`). Returns `false` when it cannot (no journal, another conversion
    /// event): build it afresh.
    pub(crate) fn refresh(&mut self, ctx: &Scope<'_>, past: Option<&Past<'_>>) -> bool {
        let Some(changed) = self.pending.take() else {
            return false;
        };
        if changed.is_empty() {
            return true;
        }
        let t = &mut self.track;
        let matchers = Matchers::new(ctx.config, ctx.store, ctx.conversion_event);
        if matchers.conversion != t.matchers.conversion {
            return false;
        }
        let p = &mut self.prep;
        let done = p.billing.update(&mut t.billing, ctx, Some(&changed));
        t.costs(p, ctx, &done.out, &done.added);
        t.analyse(p, ctx, &changed, &ctx.store.roots_of(&changed));
        self.spliced = spliced(p, ctx, past);
        true
    }
}

impl Track {
    /// Take the template costs of the users in `out` out of `p` and add those of `added`.
    /// A user in both keeps the rows their old and new charges share at the start (a new
    /// message comes after the ones charged before): only the rows after those move.
    fn costs(&mut self, p: &mut Prepared, ctx: &Scope<'_>, out: &[UserIx], added: &[UserIx]) {
        let t = self;
        let mut olds: Vec<(UserIx, CostRows, usize)> = Vec::new();
        for &u in out {
            if let Some(rows) = t.money.get_mut(u as usize).filter(|r| !r.is_empty()) {
                olds.push((u, std::mem::take(rows), 0));
            }
        }
        olds.sort_unstable_by_key(|(u, ..)| *u);
        if t.money.len() < ctx.store.users.len() {
            t.money.resize_with(ctx.store.users.len(), Default::default);
        }
        let mut news: Vec<(UserIx, CostRows, usize)> = Vec::new();
        for &u in added {
            let Some(bill) = t.billing.live().bill(u) else {
                continue;
            };
            let names = &mut t.names;
            let rows: Box<[_]> = (bill.charges.messages.iter())
                .filter_map(|m| TemplateMoney::cost_row(ctx, m.msg, m.cost))
                // Numbered first, so the names are copied only for a new row.
                .map(|(day, key, micros)| (day, names.rows.number_of(&key, || key.owned()), micros))
                .collect();
            let mut same = 0;
            if let Ok(i) = olds.binary_search_by_key(&u, |(v, ..)| *v) {
                let old = &mut olds[i];
                same = (old.1.iter().zip(rows.iter()))
                    .take_while(|(a, b)| a == b)
                    .count();
                old.2 = same;
            }
            news.push((u, rows, same));
        }
        for (rows, s) in [(&olds, -1), (&news, 1)] {
            for (_, rows, same) in rows {
                for (day, k, micros) in &rows[*same..] {
                    p.money.step_cost((day, t.names.rows.get(*k), micros), s);
                }
            }
        }
        for (u, rows, _) in news {
            t.money[u as usize] = rows;
        }
    }

    /// Take out what the users of `out` added to sources, events and credits, and add the
    /// new analysis of the live ones among `roots` (representatives).
    ///
    /// A user analysed again mostly adds what they added before: their older conversations
    /// and events are the same, and only the newest differ. So a user who had an analysis
    /// moves only the difference (see [`Diff`]): everything is taken out first, then added
    /// in `roots` order, as when every part is moved.
    fn analyse(&mut self, p: &mut Prepared, ctx: &Scope<'_>, out: &[UserIx], roots: &[UserIx]) {
        let t = self;
        let mut olds: Vec<(UserIx, UserPart)> = Vec::new();
        for &u in out.iter().chain(roots) {
            if let Some(old) = t.users.get_mut(u as usize).and_then(Option::take) {
                olds.push((u, old));
            }
        }
        if t.users.len() < ctx.store.users.len() {
            t.users.resize(ctx.store.users.len(), None);
        }
        if olds.is_empty() {
            // Nothing to take out (a fresh build, or new users only): add each user as it
            // is analysed, holding one user's conversations at a time.
            for (i, &u) in roots.iter().enumerate() {
                ctx.store.warm_ahead(roots, i);
                if ctx.store.is_live(u) {
                    let (convs, part) = t.analyse_user(ctx, u);
                    p.step_user(ctx, (&convs, &part), &mut t.sources, 1);
                    t.users[u as usize] = Some(part);
                }
            }
            return;
        }
        // Every new analysis first (its conversations are held until they are added: the
        // users of one journal), so that everything goes out before anything comes in.
        let mut news: Vec<(UserIx, Vec<Conversation>, UserPart)> = Vec::new();
        for (i, &u) in roots.iter().enumerate() {
            ctx.store.warm_ahead(roots, i);
            if ctx.store.is_live(u) {
                let (convs, part) = t.analyse_user(ctx, u);
                news.push((u, convs, part));
            }
        }
        // `roots` is sorted (a journal's representatives), and so is `news`. (Were it not,
        // a user the search misses would just move whole: out with `olds`, in with `news`.)
        let mut diffs: Vec<Option<Diff>> = news.iter().map(|_| None).collect();
        for (u, old) in &olds {
            let Ok(i) = news.binary_search_by_key(u, |(v, ..)| *v) else {
                // Gone (linked into another user) or no longer live: all of it goes.
                let convs = old.conversations(&t.names, *u);
                p.step_user(ctx, (&convs, old), &mut t.sources, -1);
                continue;
            };
            let diff = Diff::of(old, &news[i].2, ctx.range.tz);
            let convs: Vec<Conversation> = if diff.events {
                old.conversations(&t.names, *u)
            } else {
                (0..old.convs.len())
                    .filter(|&j| diff.moves(&old.convs[j], ctx.range.tz))
                    .map(|j| old.conversation(&t.names, *u, j))
                    .collect()
            };
            if diff.events {
                let moved = diff.moved(&convs, &old.convs, ctx.range.tz);
                p.step_sources(ctx, moved, &mut t.sources, -1);
                p.step_events(ctx, (&convs, old), -1);
            } else {
                p.step_sources(ctx, convs.iter(), &mut t.sources, -1);
            }
            diffs[i] = Some(diff);
        }
        for ((u, convs, part), diff) in news.into_iter().zip(diffs) {
            match diff {
                None => p.step_user(ctx, (&convs, &part), &mut t.sources, 1),
                Some(diff) => {
                    let moved = diff.moved(&convs, &part.convs, ctx.range.tz);
                    p.step_sources(ctx, moved, &mut t.sources, 1);
                    if diff.events {
                        p.step_events(ctx, (&convs, &part), 1);
                    }
                }
            }
            t.users[u as usize] = Some(part);
        }
    }

    /// User `u`'s analysis: their conversations, and what is kept of it (the conversations
    /// in their kept form, external events, credits and template credit rows).
    fn analyse_user(&mut self, ctx: &Scope<'_>, u: UserIx) -> (Vec<Conversation>, UserPart) {
        let (mut convs, touches) = analyse_one(ctx, &self.matchers, u);
        let mut events = if ctx.model.range_independent() {
            attribute_user(&convs, &touches, &ctx.config.attribution, ctx.model)
        } else {
            Vec::new()
        };
        // Kept until the user changes: without the room their building left.
        for e in &mut events {
            e.credits.shrink_to_fit();
        }
        let credits: Box<[CreditRow]> = events
            .iter()
            .flat_map(|e| e.credits.iter().map(move |c| (e, c)))
            .filter_map(|(e, c)| {
                let opening = convs[c.conversation].opening;
                TemplateMoney::credit_row(ctx, (opening, e.ts, c.count, c.value))
            })
            .collect();
        // Taking the user out again sees no message counts: neither does adding.
        for c in &mut convs {
            c.messages = 0;
        }
        let mut touches = touches;
        for t in &mut touches {
            t.candidates.shrink_to_fit();
        }
        let rest = (!touches.is_empty() || !events.is_empty() || !credits.is_empty()).then(|| {
            Box::new(PartRest {
                touches: touches.into(),
                events: events.into(),
                credits,
            })
        });
        let mut hits: Vec<EventHit> =
            Vec::with_capacity(convs.iter().map(|c| c.events.len()).sum());
        let kept = (convs.iter())
            .map(|c| {
                hits.extend_from_slice(&c.events);
                // A user's hits are fewer than their messages, which `u32` numbers.
                let end = u32::try_from(hits.len()).unwrap_or(u32::MAX);
                self.names.keep(c, end)
            })
            .collect();
        let part = UserPart {
            convs: kept,
            hits: hits.into_boxed_slice(),
            rest,
        };
        (convs, part)
    }
}

/// What differs between a user's analysis as it was added and as it is now, and so what
/// moves in the day aggregates (the rest stays, as taking it out and adding it back would
/// leave it).
///
/// - Conversations: the kept lists share a prefix (a new message extends the last
///   conversation or opens one after it). A source's day holds the user in sets (funnel
///   reach), so the unit that moves is a (start day, source) group: every conversation of
///   a group that has a differing conversation, on either side, moves; the other groups
///   stay.
/// - Events, credits and template credits move as a whole, unless the external events,
///   credits and credit rows are equal and so is every conversation they read: those with
///   event hits and those the external events and credits name, compared on what events
///   read (user, number, start, source, hits).
struct Diff {
    /// The (start day, source) groups that move.
    groups: Vec<(NaiveDate, u32)>,
    /// Whether events, credits and template credits move.
    events: bool,
}

impl Diff {
    /// What moves when the user's analysis `old` is replaced by `new` (days in `tz`).
    fn of(old: &UserPart, new: &UserPart, tz: Tz) -> Diff {
        let same = (0..old.convs.len().min(new.convs.len()))
            .take_while(|&i| old.same_conv(new, i))
            .count();
        let mut groups: Vec<(NaiveDate, u32)> = old.convs[same..]
            .iter()
            .chain(&new.convs[same..])
            .map(|k| k.group(tz))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        Diff {
            groups,
            events: !same_events(old, new),
        }
    }

    /// Whether conversation `k` moves.
    fn moves(&self, k: &KeptConv, tz: Tz) -> bool {
        !self.groups.is_empty() && self.groups.binary_search(&k.group(tz)).is_ok()
    }

    /// The conversations of `convs` that move (`kept`: the same, kept).
    fn moved<'c>(
        &'c self,
        convs: &'c [Conversation],
        kept: &'c [KeptConv],
        tz: Tz,
    ) -> impl Iterator<Item = &'c Conversation> + 'c {
        let pairs = convs.iter().zip(kept);
        pairs
            .filter(move |(_, k)| self.moves(k, tz))
            .map(|(c, _)| c)
    }
}

/// Whether `a` and `b` add the same to events, credits and template credits (see [`Diff`]).
fn same_events(a: &UserPart, b: &UserPart) -> bool {
    if a.rest != b.rest {
        return false;
    }
    let n = a.convs.len().max(b.convs.len());
    let mut read = vec![false; n];
    let named = (b.touches().iter())
        .flat_map(|t| t.candidates.iter().copied())
        .chain(
            b.events()
                .iter()
                .flat_map(|e| e.credits.iter().map(|c| c.conversation)),
        );
    for i in named {
        if let Some(r) = read.get_mut(i) {
            *r = true;
        } else {
            return false;
        }
    }
    (0..n).all(|i| {
        let hits = |p: &UserPart| i < p.convs.len() && !p.hits_of(i).is_empty();
        if !read[i] && !hits(a) && !hits(b) {
            return true;
        }
        i < a.convs.len() && i < b.convs.len() && a.event_view(i) == b.event_view(i)
    })
}

impl Prepared {
    /// Add (`s = 1`) or take out (`s = -1`) what one user's analysis adds: their
    /// conversations and the rest of what was kept of it.
    fn step_user(
        &mut self,
        ctx: &Scope<'_>,
        (convs, part): (&[Conversation], &UserPart),
        refs: &mut SourceRefs,
        s: i64,
    ) {
        self.step_sources(ctx, convs.iter(), refs, s);
        self.step_events(ctx, (convs, part), s);
    }

    /// Add or take out what conversations `convs` add to sources.
    fn step_sources<'c>(
        &mut self,
        ctx: &Scope<'_>,
        convs: impl Iterator<Item = &'c Conversation>,
        refs: &mut SourceRefs,
        s: i64,
    ) {
        for c in convs {
            self.sources.step(ctx, c, s, refs);
        }
    }

    /// Add or take out what one user's analysis adds to events, credits and template
    /// credits (`convs`: all their conversations, which `part` names by index).
    fn step_events(
        &mut self,
        ctx: &Scope<'_>,
        (convs, part): (&[Conversation], &UserPart),
        s: i64,
    ) {
        self.events.step_user(ctx, convs, part.touches(), s);
        if let Some(cd) = &mut self.credits {
            cd.step(ctx, (convs, part.touches()), part.events(), s);
        }
        for r in part.credits() {
            self.money.step_credit(r, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::conversation::{EventHit, HitKind};
    use crate::sources::{Source, SourceDirection, SourceKind};

    fn conversation(user: UserIx, key: &str, headline: Option<&str>) -> Conversation {
        Conversation {
            user,
            phone: 2,
            start: 1_751_450_000,
            last: 1_751_453_600,
            source: Source {
                key: key.into(),
                kind: SourceKind::MetaAd,
                direction: SourceDirection::Incoming,
            },
            opening: 7,
            messages: 0,
            events: vec![EventHit {
                name: "purchase".into(),
                kind: HitKind::External,
                ts: 1_751_451_000,
                msg: None,
                external: Some(3),
            }],
            lead: true,
            headline: headline.map(Into::into),
        }
    }

    #[test]
    fn a_kept_conversation_is_the_conversation_without_its_messages() {
        // start, last, number, opening, source, headline, end of its hits 4 each + lead 1
        // = 29, aligned to 32.
        assert_eq!(std::mem::size_of::<KeptConv>(), 32);
        let mut names = KeptNames::default();
        // One user's three conversations: one event hit, none, then two.
        let a = conversation(1, "meta_ad:120", Some("Summer sale"));
        let mut b = conversation(1, "meta_ad:120", Some("Summer sale"));
        b.events.clear();
        let mut c = conversation(1, "meta_ad:121", None);
        c.events.push(EventHit {
            ts: 1_751_452_000,
            ..c.events[0].clone()
        });
        let (mut hits, mut convs) = (Vec::new(), Vec::new());
        for x in [&a, &b, &c] {
            hits.extend_from_slice(&x.events);
            convs.push(names.keep(x, hits.len() as u32));
        }
        let part = UserPart {
            convs: convs.into(),
            hits: hits.into(),
            rest: None,
        };
        let kept = &part.convs;
        // One source and one headline for the two conversations of the same ad.
        assert_eq!((names.sources.len(), names.headlines.len()), (2, 1));
        assert_eq!((kept[0].source, kept[1].source, kept[2].source), (0, 0, 1));
        assert_eq!((kept[0].headline, kept[2].headline), (1, 0));
        // The hits end after 1, 1 and 3 of the user's list.
        assert_eq!(
            kept.iter().map(|k| k.hits_end).collect::<Vec<_>>(),
            [1, 1, 3]
        );
        assert_eq!(part.hits_of(1), &[]);
        assert_eq!(part.hits_of(2), c.events.as_slice());
        assert_eq!(
            part.conversations(&names, 1),
            [a.clone(), b.clone(), c.clone()]
        );
        // The same conversation: same fields and hits; b has a's fields but not its hit.
        let other = part.clone();
        assert!((0..3).all(|i| part.same_conv(&other, i)));
        // The same user without the first conversation's hit: only that one differs.
        let mut without = part.clone();
        for k in &mut without.convs {
            k.hits_end -= 1;
        }
        without.hits = without.hits[1..].into();
        let same: Vec<bool> = (0..3).map(|i| part.same_conv(&without, i)).collect();
        assert_eq!(same, [false, true, true]);
        // Cost rows: (template, campaign) numbered once each, in order of first use.
        let row = |t: &str, c: Option<&str>| (Some(t.into()), c.map(Into::into));
        assert_eq!(names.rows.number(&row("promo", Some("june"))), 0);
        assert_eq!(names.rows.number(&row("welcome", None)), 1);
        assert_eq!(names.rows.number(&row("promo", Some("june"))), 0);
        assert_eq!(*names.rows.get(1), row("welcome", None));
        // A borrowed key finds the row of the owned one (same hash, same names), and makes
        // its own only when new.
        let never = || -> RowKey { unreachable!("the row exists") };
        let borrowed = |t: &'static str, c| crate::engagement::RowRef(Some(t), c);
        assert_eq!(names.rows.number_of(&borrowed("welcome", None), never), 1);
        assert_eq!(
            names
                .rows
                .number_of(&borrowed("promo", Some("june")), never),
            0
        );
        let new = borrowed("promo", None);
        assert_eq!(names.rows.number_of(&new, || new.owned()), 2);
        assert_eq!(*names.rows.get(2), row("promo", None));
    }
}
