//! The attributed events of each day and the credit they gave each source, so a report
//! over any range sums days instead of attributing anew (for the rule-based models).
//!
//! Two days matter for an event: its own (the summary: events, values, unattributed) and
//! the start day of each conversation it credits (the rows: one window, see
//! [`crate::sources`](crate::guide::sources)). A day's entry holds the events of that day and the credits given
//! to conversations started that day.

use super::Attribution;
use crate::config::ModelName;
use crate::scope::Scope;
use crate::sources::{Analysis, slot};
use crate::util::sorted_map::Map;
use crate::util::time::{DayRange, day_in};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The attributed events of one day under one model, and the credit they gave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CreditDay {
    /// Attributed events.
    pub(crate) events: u64,
    /// Their value (micro-units of the report currency).
    pub(crate) value: i64,
    /// Events with at least one candidate conversation.
    pub(crate) attributed_events: u64,
    /// Their value.
    pub(crate) attributed_value: i64,
    /// Events with no conversation in the lookback.
    pub(crate) unattributed_events: u64,
    /// Their value.
    pub(crate) unattributed_value: i64,
    /// Events whose value was in another currency (and so dropped).
    pub(crate) other_currency: u64,
    /// Credit per source key to the conversations started this day: (micro-conversions,
    /// value).
    pub(crate) by_source: Map<Box<str>, (i64, i64)>,
}

impl CreditDay {
    /// `self += other`.
    pub(crate) fn add(&mut self, other: &CreditDay) {
        self.events += other.events;
        self.value += other.value;
        self.attributed_events += other.attributed_events;
        self.attributed_value += other.attributed_value;
        self.unattributed_events += other.unattributed_events;
        self.unattributed_value += other.unattributed_value;
        self.other_currency += other.other_currency;
        for (k, (n, v)) in &other.by_source {
            let e = slot(&mut self.by_source, k, Default::default);
            e.0 += n;
            e.1 += v;
        }
    }
}

/// An attribution's events and credits by event day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CreditDays {
    /// The model the credits were computed with.
    pub(crate) model: ModelName,
    /// Per event day.
    pub(crate) days: Map<NaiveDate, CreditDay>,
}

impl CreditDays {
    /// Bucket every event of `att` (computed on `analysis`) by its day, and its credits by
    /// the start day of the conversations they credit, in the context's zone.
    pub(crate) fn build(ctx: &Scope<'_>, analysis: &Analysis, att: &Attribution) -> CreditDays {
        let mut out = CreditDays {
            model: att.model,
            days: Map::new(),
        };
        out.step(
            ctx,
            (&analysis.conversations, &analysis.touches),
            &att.events,
            1,
        );
        out
    }

    /// Add (`s = 1`) or take out (`s = -1`) attributed `events` (of touches into the
    /// given conversations and touches): each event on its day, each credit on the start
    /// day of the conversation it went to. Taking out what was added leaves the days as if
    /// it had never been added (credits back at zero and empty days go).
    pub(crate) fn step(
        &mut self,
        ctx: &Scope<'_>,
        (convs, touches): (
            &[crate::sources::Conversation],
            &[crate::sources::ExternalTouch],
        ),
        events: &[super::EventCredit],
        s: i64,
    ) {
        let tz = ctx.range.tz;
        let days = &mut self.days;
        let mut seen: Vec<NaiveDate> = Vec::new();
        let step = |x: &mut u64| crate::util::step(x, 1, s);
        for e in events {
            for c in &e.credits {
                let conv = &convs[c.conversation];
                let day = day_in(conv.start, tz);
                let d = days.entry(day).or_default();
                let k = &conv.source.key;
                let v = slot(&mut d.by_source, k, Default::default);
                v.0 += s * c.count;
                v.1 += s * c.value;
                if *v == (0, 0) && s < 0 {
                    d.by_source.remove(k);
                }
                seen.push(day);
            }
            let day = day_in(e.ts, tz);
            let d = days.entry(day).or_default();
            step(&mut d.events);
            d.value += s * e.value;
            if touches[e.touch].other_currency {
                step(&mut d.other_currency);
            }
            if e.credits.is_empty() {
                step(&mut d.unattributed_events);
                d.unattributed_value += s * e.value;
            } else {
                step(&mut d.attributed_events);
                d.attributed_value += s * e.value;
            }
            seen.push(day);
        }
        if s < 0 {
            for day in seen {
                if days.get(&day).is_some_and(|d| *d == CreditDay::default()) {
                    days.remove(&day);
                }
            }
        }
    }

    /// The sum over `range`.
    pub(crate) fn in_range(&self, range: &DayRange) -> CreditDay {
        let mut sum = CreditDay::default();
        for (_, d) in self.days.range(range.from..range.to) {
            sum.add(d);
        }
        sum
    }
}
