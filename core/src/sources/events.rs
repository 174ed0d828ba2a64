#![doc = include_str!("../guide/sources/events.md")]

use super::conversation::HitKind;
use super::matcher::ConversionKind;
use crate::model::money::{Currency, decimal_micros_opt};
use crate::scope::Scope;
use crate::store::{PhoneIx, UserIx};
use crate::util::counted::{Counted, Memo};
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use crate::util::time::{DayRange, day_in};
use crate::util::userset::UserSet;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One row of the events view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventRow {
    /// The event's name.
    pub name: String,
    /// `button_reply`, `list_reply`, `text_reply` or `external`.
    pub kind: ConversionKind,
    /// Occurrences in the range.
    pub occurrences: u64,
    /// Distinct users.
    pub users: u64,
    /// Distinct conversations they happened in.
    pub conversations: u64,
    /// External events: their value in the report currency (micro-units in Rust, major
    /// units in JSON); `null` for messaging events.
    #[serde(with = "decimal_micros_opt")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::model::money::MajorUnits>")
    )]
    pub value: Option<i64>,
    /// Occurrences per source key of the conversation they happened in.
    pub by_source: Map<String, u64>,
}

/// A conversation's identity that survives re-analysis: (user, number, start).
type ConvId = (UserIx, PhoneIx, i64);

/// What one event did on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EventDay {
    /// Occurrences.
    pub(crate) occurrences: u64,
    /// Their value in the report currency.
    pub(crate) value: i64,
    /// Users they came from.
    pub(crate) users: UserSet,
    /// Conversations they happened in.
    pub(crate) conversations: BTreeSet<ConvId>,
    /// Occurrences per source key.
    pub(crate) by_source: Map<Box<str>, u64>,
}

/// One event's days over a range, summed: the conversations gathered (sorted and
/// deduplicated once, at the end) instead of merged day by day.
#[derive(Default)]
struct RangeSum<'a> {
    occurrences: u64,
    value: i64,
    users: UserSet,
    conversations: Vec<ConvId>,
    by_source: Map<&'a str, u64>,
}

impl<'a> RangeSum<'a> {
    fn add(&mut self, o: &'a EventDay) {
        self.occurrences += o.occurrences;
        self.value += o.value;
        self.users.union_with(&o.users);
        self.conversations.extend(o.conversations.iter().copied());
        for (k, n) in &o.by_source {
            *self.by_source.entry(k).or_default() += n;
        }
    }
}

/// One event's figures over a range, however they were summed.
#[derive(Default)]
struct Totals<'a> {
    occurrences: u64,
    value: i64,
    users: u64,
    conversations: u64,
    by_source: Vec<(&'a str, u64)>,
}

impl<'a> Totals<'a> {
    fn of_range(mut d: RangeSum<'a>) -> Totals<'a> {
        d.conversations.sort_total();
        d.conversations.dedup();
        Totals {
            occurrences: d.occurrences,
            value: d.value,
            users: d.users.len(),
            conversations: d.conversations.len() as u64,
            by_source: d.by_source.into_iter().collect(),
        }
    }

    fn of_memo(d: &'a MemoSum) -> Totals<'a> {
        Totals {
            occurrences: d.occurrences,
            value: d.value,
            users: d.users.len(),
            conversations: d.conversations.len(),
            by_source: d.by_source.iter().map(|(k, n)| (&**k, *n)).collect(),
        }
    }
}

/// Events by day, and the external values left out for their currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct EventDays {
    /// The configured messaging events, in config order.
    pub(crate) messaging: Vec<(String, ConversionKind)>,
    /// Per day, per (kind, name).
    pub(crate) days: Map<NaiveDate, Map<(ConversionKind, Box<str>), EventDay>>,
    /// Per day, external event values in another currency: per currency (events, micros).
    pub(crate) other: Map<NaiveDate, Map<Currency, (u64, i64)>>,
    /// The sums of one range, kept up to date by [`EventDays::step_user`] once
    /// [`EventDays::watch`] asked for them: [`EventDays::rows`] over that range then costs
    /// the rows, not the range's days.
    #[serde(skip)]
    memo: Memo<RangeMemo>,
}

/// One event's sums over a watched range: what [`RangeSum`] gathers, with the users and
/// conversations counted per day of the range so that one leaving a day is exact.
#[derive(Debug, Default)]
struct MemoSum {
    occurrences: u64,
    value: i64,
    users: Counted<UserIx>,
    conversations: Counted<ConvId>,
    by_source: Map<Box<str>, u64>,
}

/// The sums of every event over the days `[from, to)`.
#[derive(Debug)]
struct RangeMemo {
    from: NaiveDate,
    to: NaiveDate,
    /// Per (kind, name), only while some day of the range has the entry.
    sums: Map<(ConversionKind, Box<str>), MemoSum>,
}

/// What one placement changed in a day's entry, for the memo to follow.
struct Placed<'a> {
    day: NaiveDate,
    kind: ConversionKind,
    name: &'a str,
    value: i64,
    /// The user, when the day's set gained (or lost) them.
    user: Option<UserIx>,
    /// The conversation, when the day's set gained (or lost) it.
    conversation: Option<ConvId>,
    source: Option<&'a str>,
}

impl RangeMemo {
    /// The sums of `days` over `[from, to)`.
    fn build(
        days: &Map<NaiveDate, Map<(ConversionKind, Box<str>), EventDay>>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> RangeMemo {
        let mut sums: Map<(ConversionKind, Box<str>), MemoSum> = Map::new();
        for per in days.range(from..to).map(|(_, p)| p) {
            for (k, d) in per {
                let m = sums.entry(k.clone()).or_default();
                m.occurrences += d.occurrences;
                m.value += d.value;
                d.users.for_each(|u| m.users.step(u, 1));
                for c in &d.conversations {
                    m.conversations.step(*c, 1);
                }
                for (k, n) in &d.by_source {
                    *super::slot(&mut m.by_source, k, Default::default) += n;
                }
            }
        }
        RangeMemo { from, to, sums }
    }

    /// Follow one placement (`s = 1` added, `-1` taken out) when its day is in range.
    fn follow(&mut self, p: &Placed<'_>, s: i64) {
        if p.day < self.from || p.day >= self.to {
            return;
        }
        let key = (p.kind, Box::<str>::from(p.name));
        if !self.sums.contains_key(&key) {
            self.sums.insert(key.clone(), MemoSum::default());
        }
        let Some(m) = self.sums.get_mut(&key) else {
            return;
        };
        crate::util::step(&mut m.occurrences, 1, s);
        m.value += s * p.value;
        if let Some(u) = p.user {
            m.users.step(u, s);
        }
        if let Some(c) = p.conversation {
            m.conversations.step(c, s);
        }
        if let Some(k) = p.source {
            let n = super::slot(&mut m.by_source, k, Default::default);
            crate::util::step(n, 1, s);
            if *n == 0 {
                m.by_source.remove(k);
            }
        }
        if m.occurrences == 0 {
            self.sums.remove(&key);
        }
    }
}

impl EventDays {
    /// No event yet, with the messaging events `m` defines.
    pub(crate) fn empty(m: &super::Matchers) -> EventDays {
        EventDays {
            messaging: m
                .messaging_events()
                .map(|(n, k)| (n.to_string(), k))
                .collect(),
            ..EventDays::default()
        }
    }

    /// Add (`s = 1`) or take out (`s = -1`) one user's events: the messaging events in
    /// `convs` and the external events `touches` (whose candidates index `convs`), each on
    /// its day in the context's zone. Taking out what was added leaves the days as if the
    /// user had never been added (the user and their conversations leave the sets; empty
    /// entries go). With every user's conversations and touches in one slice it adds them all.
    pub(crate) fn step_user(
        &mut self,
        ctx: &Scope<'_>,
        convs: &[super::Conversation],
        touches: &[super::ExternalTouch],
        s: i64,
    ) {
        let tz = ctx.range.tz;
        let mut seen: Vec<(NaiveDate, ConversionKind, &str)> = Vec::new();
        for c in convs {
            for h in c.events.iter().filter(|h| h.kind == HitKind::Messaging) {
                let Some(kind) = self.kind_of(&h.name) else {
                    continue;
                };
                let day = day_in(h.ts, tz);
                self.place(day, kind, &h.name, (c.user, 0), Some(c), s);
                seen.push((day, kind, &h.name));
            }
        }
        for t in touches {
            let day = day_in(t.ts, tz);
            let conv = t.candidates.last().map(|&c| &convs[c]);
            self.place(
                day,
                ConversionKind::External,
                &t.name,
                (t.user, t.value),
                conv,
                s,
            );
            seen.push((day, ConversionKind::External, &t.name));
            if let Some(v) = t.other_value {
                let per = self.other.entry(day).or_default();
                let e = per.entry(v.currency).or_default();
                crate::util::step(&mut e.0, 1, s);
                e.1 += s * v.micros;
                if e.0 == 0 {
                    per.remove(&v.currency);
                    if per.is_empty() {
                        self.other.remove(&day);
                    }
                }
            }
        }
        if s < 0 {
            for (day, kind, name) in seen {
                self.tidy(day, kind, name);
            }
        }
    }

    /// One occurrence of `(kind, name)` on `day` by `user` with `value`, in conversation
    /// `c` when there is one, added (`s = 1`) or taken out (`-1`); the watched range
    /// follows.
    fn place(
        &mut self,
        day: NaiveDate,
        kind: ConversionKind,
        name: &str,
        (user, value): (UserIx, i64),
        c: Option<&super::Conversation>,
        s: i64,
    ) {
        let d = self.day(day, kind, name);
        crate::util::step(&mut d.occurrences, 1, s);
        d.value += s * value;
        let user_moved = if s > 0 {
            d.users.insert(user)
        } else {
            d.users.remove(user)
        };
        let mut placed = Placed {
            day,
            kind,
            name,
            value,
            user: user_moved.then_some(user),
            conversation: None,
            source: None,
        };
        if let Some(c) = c {
            let id = (c.user, c.phone, c.start);
            let moved = if s > 0 {
                d.conversations.insert(id)
            } else {
                d.conversations.remove(&id)
            };
            placed.conversation = moved.then_some(id);
            placed.source = Some(&c.source.key);
            let n = super::slot(&mut d.by_source, &c.source.key, Default::default);
            crate::util::step(n, 1, s);
            if *n == 0 {
                d.by_source.remove(&c.source.key);
            }
        }
        if let Some(m) = &mut self.memo.0 {
            m.follow(&placed, s);
        }
    }

    /// Remove the entry of `(day, kind, name)` when nothing is left in it.
    fn tidy(&mut self, day: NaiveDate, kind: ConversionKind, name: &str) {
        let Some(per) = self.days.get_mut(&day) else {
            return;
        };
        let key = (kind, Box::<str>::from(name));
        if per.get(&key).is_some_and(|d| d.occurrences == 0) {
            per.remove(&key);
            if per.is_empty() {
                self.days.remove(&day);
            }
        }
    }

    fn kind_of(&self, name: &str) -> Option<ConversionKind> {
        self.messaging
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k)
    }

    fn day(&mut self, day: NaiveDate, kind: ConversionKind, name: &str) -> &mut EventDay {
        self.days
            .entry(day)
            .or_default()
            .entry((kind, name.into()))
            .or_default()
    }

    /// Keep the sums over `range` up to date from now on (one range at a time), so that
    /// [`EventDays::rows`] over it costs the rows, not the range's days.
    pub(crate) fn watch(&mut self, range: &DayRange) {
        if self.watched(range).is_none() {
            self.memo.0 = Some(Box::new(RangeMemo::build(&self.days, range.from, range.to)));
        }
    }

    /// The sums kept for `range`, when it is the watched one.
    fn watched(&self, range: &DayRange) -> Option<&RangeMemo> {
        self.memo
            .0
            .as_deref()
            .filter(|m| m.from == range.from && m.to == range.to)
    }

    /// The rows over `range` (see the module rules).
    pub(crate) fn rows(&self, range: &DayRange) -> Vec<EventRow> {
        let totals: Map<(ConversionKind, &str), Totals<'_>> = if let Some(m) = self.watched(range) {
            m.sums
                .iter()
                .map(|((k, n), d)| ((*k, &**n), Totals::of_memo(d)))
                .collect()
        } else {
            let mut sums: Map<(ConversionKind, &str), RangeSum<'_>> = Map::new();
            for per in self.days.range(range.from..range.to).map(|(_, p)| p) {
                for ((k, n), d) in per {
                    sums.entry((*k, n)).or_default().add(d);
                }
            }
            sums.into_iter()
                .map(|(k, d)| (k, Totals::of_range(d)))
                .collect()
        };
        let none = Totals::default();
        let row = |name: &str, kind: ConversionKind, d: Option<&Totals<'_>>| {
            let d = d.unwrap_or(&none);
            EventRow {
                name: name.to_string(),
                kind,
                occurrences: d.occurrences,
                users: d.users,
                conversations: d.conversations,
                value: (kind == ConversionKind::External).then_some(d.value),
                by_source: d
                    .by_source
                    .iter()
                    .map(|(k, n)| ((*k).to_string(), *n))
                    .collect(),
            }
        };
        let mut rows: Vec<EventRow> = self
            .messaging
            .iter()
            .map(|(n, k)| row(n, *k, totals.get(&(*k, n.as_str()))))
            .collect();
        rows.extend(
            totals
                .iter()
                .filter(|((k, _), _)| *k == ConversionKind::External)
                .map(|((_, n), d)| row(n, ConversionKind::External, Some(d))),
        );
        rows
    }

    /// External values left out over `range` for their currency: per currency (events,
    /// micro-units).
    pub(crate) fn other_in_range(&self, range: &DayRange) -> Map<Currency, (u64, i64)> {
        let mut out: Map<Currency, (u64, i64)> = Map::new();
        for per in self.days_other(range) {
            for (c, (n, v)) in per {
                let e = out.entry(*c).or_default();
                e.0 += n;
                e.1 += v;
            }
        }
        out
    }

    fn days_other(&self, range: &DayRange) -> impl Iterator<Item = &Map<Currency, (u64, i64)>> {
        self.other.range(range.from..range.to).map(|(_, p)| p)
    }

    /// Keep only the days before `until` (what [`crate::expiry`](crate::guide::expiry) seals).
    pub(crate) fn keep_before(&mut self, until: NaiveDate) {
        self.memo = Memo::default();
        self.days.split_off(&until);
        self.other.split_off(&until);
    }

    /// Replace the days before `until` with those of `sealed`.
    pub(crate) fn splice(&mut self, sealed: &EventDays, until: NaiveDate) {
        self.memo = Memo::default();
        crate::util::time::splice_days(&mut self.days, &sealed.days, until);
        crate::util::time::splice_days(&mut self.other, &sealed.other, until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, EventDef, EventKind, MatchKind};
    use crate::model::money::Money;
    use crate::sources::conversation::EventHit;
    use crate::sources::{Conversation, ExternalTouch, Matchers, Source};
    use crate::store::Store;

    /// 2025-07-01T00:00:00Z.
    const T: i64 = 1_751_328_000;
    const H: i64 = 3_600;
    const D: i64 = 86_400;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 7, d).unwrap()
    }

    /// July `from` to `to` (excluded), in UTC.
    fn july(from: u32, to: u32) -> DayRange {
        DayRange {
            from: date(from),
            to: date(to),
            tz: chrono_tz::UTC,
        }
    }

    fn conv(user: UserIx, phone: PhoneIx, start: i64, key: &str) -> Conversation {
        Conversation {
            user,
            phone,
            start,
            last: start,
            source: Source::from_key(key),
            opening: 0,
            messages: 1,
            events: Vec::new(),
            lead: false,
            headline: None,
        }
    }

    fn hit(name: &str, kind: HitKind, ts: i64) -> EventHit {
        EventHit {
            name: name.into(),
            kind,
            ts,
            msg: None,
            external: None,
        }
    }

    fn touch(user: UserIx, ts: i64, name: &str, value: i64, conv: Option<usize>) -> ExternalTouch {
        ExternalTouch::for_test(user, (ts, name, value), conv.into_iter().collect())
    }

    /// An external event worth `micros` US dollars, left out of a EUR report.
    fn in_usd(mut t: ExternalTouch, micros: i64) -> ExternalTouch {
        t.other_currency = true;
        t.other_value = Some(Money {
            micros,
            currency: Currency::new("USD").unwrap(),
        });
        t
    }

    fn row(
        name: &str,
        kind: ConversionKind,
        [occurrences, users, conversations]: [u64; 3],
        value: Option<i64>,
        by_source: &[(&str, u64)],
    ) -> EventRow {
        EventRow {
            name: name.into(),
            kind,
            occurrences,
            users,
            conversations,
            value,
            by_source: by_source.iter().map(|&(k, n)| (k.to_string(), n)).collect(),
        }
    }

    /// Three users' conversations and external events, as `step_user` takes them.
    type User = (Vec<Conversation>, Vec<ExternalTouch>);

    /// A (user 1): an ad conversation on 07-01 where they say "yes" twice (plus an
    /// unconfigured messaging hit and the external hit of their purchase, neither of
    /// which is a messaging event of the view), and a purchase of 10 EUR in it.
    /// B (user 2, another number): a direct conversation on 07-02 with a "pick" that day
    /// and one on 07-03; a purchase of 5 EUR in it on 07-02 and a refund on 07-02 in USD
    /// (3 USD, left out) in no conversation.
    /// C (user 3): no conversation; on 07-01 a purchase of 1 EUR and a refund of 2 USD.
    fn users() -> [User; 3] {
        let mut a0 = conv(1, 0, T + H, "meta_ad:1");
        a0.events = vec![
            hit("yes", HitKind::Messaging, T + 2 * H),
            hit("yes", HitKind::Messaging, T + 3 * H),
            hit("unconfigured", HitKind::Messaging, T + 4 * H),
            hit("purchase", HitKind::External, T + 5 * H),
        ];
        let a = (
            vec![a0],
            vec![touch(1, T + 5 * H, "purchase", 10_000_000, Some(0))],
        );
        let mut b0 = conv(2, 1, T + D + H, "direct");
        b0.events = vec![
            hit("pick", HitKind::Messaging, T + D + 2 * H),
            hit("pick", HitKind::Messaging, T + 2 * D + H),
        ];
        let b = (
            vec![b0],
            vec![
                touch(2, T + D + 3 * H, "purchase", 5_000_000, Some(0)),
                in_usd(touch(2, T + D + 4 * H, "refund", 0, None), 3_000_000),
            ],
        );
        let c = (
            vec![],
            vec![
                touch(3, T + 6 * H, "purchase", 1_000_000, None),
                in_usd(touch(3, T + 7 * H, "refund", 0, None), 2_000_000),
            ],
        );
        [a, b, c]
    }

    fn step(ev: &mut EventDays, ctx: &Scope<'_>, (convs, touches): &User, s: i64) {
        ev.step_user(ctx, convs, touches, s);
    }

    /// Messaging events "yes" (a text reply) and "pick" (a list reply), in that order.
    fn config() -> Config {
        let ev = |name: &str, kind, pattern: &str| EventDef {
            name: name.into(),
            kind,
            match_kind: MatchKind::Exact,
            pattern: pattern.into(),
        };
        Config {
            events: vec![
                ev("yes", EventKind::TextReply, "yes"),
                ev("pick", EventKind::ListReply, "x"),
            ],
            ..Config::default()
        }
    }

    const TEXT: ConversionKind = ConversionKind::TextReply;
    const LIST: ConversionKind = ConversionKind::ListReply;
    const EXT: ConversionKind = ConversionKind::External;

    /// The rows of 07-01 and 07-02. yes: A's two, 1 user, 1 conversation (ad), no value.
    /// pick: B's on 07-02 (the one on 07-03 is out). purchase: A 10 + C 1 on 07-01, B 5 on
    /// 07-02 = 3 occurrences, 3 users, 16 EUR, in A's and B's conversations (C's is in
    /// none). refund: B's and C's, 2 users, in no conversation, worth 0 EUR (the USD are
    /// left out).
    fn both_days() -> Vec<EventRow> {
        vec![
            row("yes", TEXT, [2, 1, 1], None, &[("meta_ad:1", 2)]),
            row("pick", LIST, [1, 1, 1], None, &[("direct", 1)]),
            row(
                "purchase",
                EXT,
                [3, 3, 2],
                Some(16_000_000),
                &[("direct", 1), ("meta_ad:1", 1)],
            ),
            row("refund", EXT, [2, 2, 0], Some(0), &[]),
        ]
    }

    /// The rows of 07-02 alone: "yes" did not happen (listed with zeros); B's pick,
    /// purchase (5 EUR) and refund.
    fn second_day() -> Vec<EventRow> {
        vec![
            row("yes", TEXT, [0, 0, 0], None, &[]),
            row("pick", LIST, [1, 1, 1], None, &[("direct", 1)]),
            row(
                "purchase",
                EXT,
                [1, 1, 1],
                Some(5_000_000),
                &[("direct", 1)],
            ),
            row("refund", EXT, [1, 1, 0], Some(0), &[]),
        ]
    }

    /// The rows of 07-02 and 07-03: those of 07-02 with B's two picks, in one conversation.
    fn second_and_third_days() -> Vec<EventRow> {
        let mut rows = second_day();
        rows[1] = row("pick", LIST, [2, 1, 1], None, &[("direct", 2)]);
        rows
    }

    /// `n` events worth `micros` US dollars left out.
    fn usd(n: u64, micros: i64) -> Map<Currency, (u64, i64)> {
        [(Currency::new("USD").unwrap(), (n, micros))]
            .into_iter()
            .collect()
    }

    #[test]
    fn event_rows_sum_the_days_of_their_range() {
        let (cfg, store) = (config(), Store::default());
        let ctx = Scope::whole(&store, &cfg, chrono_tz::UTC);
        let mut all = EventDays::empty(&Matchers::new(&cfg, &store, None));
        for u in &users() {
            step(&mut all, &ctx, u, 1);
        }
        // No range watched: the rows sum the days.
        assert_eq!(all.rows(&july(1, 3)), both_days());
        assert_eq!(all.rows(&july(2, 3)), second_day());
        assert_eq!(all.rows(&july(2, 4)), second_and_third_days());
        // C's 2 USD on 07-01 and B's 3 on 07-02.
        assert_eq!(all.other_in_range(&july(1, 3)), usd(2, 5_000_000));
        assert_eq!(all.other_in_range(&july(2, 3)), usd(1, 3_000_000));
        // Watched: the same rows, from the sums built over the days.
        all.watch(&july(1, 3));
        assert!(all.watched(&july(1, 3)).is_some());
        assert_eq!(all.rows(&july(1, 3)), both_days());
    }

    #[test]
    fn watched_sums_follow_the_users_added_and_taken_out_on_their_days() {
        let (cfg, store) = (config(), Store::default());
        let ctx = Scope::whole(&store, &cfg, chrono_tz::UTC);
        let [a, b, c] = users();
        // Only A added, then 07-02 watched (nothing there yet), then B and C added: the
        // sums follow the placements on 07-02 and ignore those on 07-01 (C's) and on
        // 07-03 (B's second pick).
        let mut ev = EventDays::empty(&Matchers::new(&cfg, &store, None));
        step(&mut ev, &ctx, &a, 1);
        let only_a = ev.clone();
        ev.watch(&july(2, 3));
        step(&mut ev, &ctx, &b, 1);
        step(&mut ev, &ctx, &c, 1);
        assert!(ev.watched(&july(2, 3)).is_some());
        assert_eq!(ev.rows(&july(2, 3)), second_day());
        // Another start, or the same start and another end, is not the watched range: the
        // rows sum the days.
        assert!(ev.watched(&july(1, 3)).is_none() && ev.watched(&july(2, 4)).is_none());
        assert_eq!(ev.rows(&july(1, 3)), both_days());
        assert_eq!(ev.rows(&july(2, 4)), second_and_third_days());
        // C then B taken out: the days are A's again (C's purchase leaves A's on 07-01;
        // emptied entries and days go) and the watched sums are empty: the messaging
        // events listed with zeros, no external row.
        step(&mut ev, &ctx, &c, -1);
        step(&mut ev, &ctx, &b, -1);
        assert_eq!(ev.days, only_a.days);
        assert!(ev.other.is_empty());
        assert_eq!(
            ev.rows(&july(2, 3)),
            [
                row("yes", TEXT, [0, 0, 0], None, &[]),
                row("pick", LIST, [0, 0, 0], None, &[]),
            ]
        );
    }

    #[test]
    fn sealed_event_days_keep_the_days_before_the_cut_and_splice_back() {
        let (cfg, store) = (config(), Store::default());
        let ctx = Scope::whole(&store, &cfg, chrono_tz::UTC);
        let empty = EventDays::empty(&Matchers::new(&cfg, &store, None));
        let [a, b, c] = users();
        let mut all = empty.clone();
        for u in [&a, &b, &c] {
            step(&mut all, &ctx, u, 1);
        }
        // Sealed before 07-02: A's and C's 07-01 (their events and C's USD) are kept, B's
        // 07-02 and 07-03 go.
        let mut sealed = all.clone();
        sealed.keep_before(date(2));
        assert_eq!(sealed.days.keys().copied().collect::<Vec<_>>(), [date(1)]);
        assert_eq!(sealed.other.keys().copied().collect::<Vec<_>>(), [date(1)]);
        // Live days with only B, spliced with the sealed days before 07-02: every user's.
        let mut live = empty;
        step(&mut live, &ctx, &b, 1);
        live.splice(&sealed, date(2));
        assert_eq!(live.days, all.days);
        assert_eq!(live.other, all.other);
    }
}
