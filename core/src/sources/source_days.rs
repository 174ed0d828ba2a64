//! Per-day aggregates of the `sources` and `attribution` sections, so that a report over
//! any range sums days instead of walking every conversation and event.
//!
//! # Rules applied here
//!
//! - A conversation counts on the calendar day (report time zone) of its start; its lead
//!   and funnel steps count with it. This is the same rule as "start in `[from, to)`":
//!   ranges are whole days and a day's first instant is its local midnight (or the first
//!   instant after a DST gap).
//! - An attributed event counts, with its credits, on the day of its own time; its credits
//!   go to the sources of the conversations they credit, wherever those started.
//! - A source's display headline is the one of its latest conversation over all time, so a
//!   row's name does not change with the range.
//! - Only models whose per-event credit does not depend on the range can be pre-aggregated
//!   ([`ModelName::range_independent`]); the data-driven models attribute each range anew
//!   and aggregate the result the same way.
//!
//! # Cost
//!
//! Building is one pass over the conversations and events. Summing a range touches each
//! day in it once and each (day, source) pair active that day once.

use super::Source;
use super::conversation::{Analysis, funnel_reach};
use super::matcher::ConversionEvent;
use crate::scope::Scope;
use crate::util::time::{DayRange, day_in};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of `key` in `map`, inserted with `new()` when missing; the key is cloned only
/// then (source keys repeat for nearly every conversation and credit).
pub(crate) fn slot<'m, V>(
    map: &'m mut BTreeMap<Box<str>, V>,
    key: &str,
    new: impl FnOnce() -> V,
) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.into(), new());
    }
    // Present: inserted just above when it was missing.
    map.get_mut(key).expect("present")
}

/// What the conversations of one source that started on one day did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDay {
    /// Conversations started.
    pub conversations: u64,
    /// Of those, leads (the conversion event happened in them).
    pub leads: u64,
    /// Per configured funnel (config order), the conversations that reached each step.
    pub funnel: Vec<Vec<u64>>,
}

impl SourceDay {
    /// `self += other` (funnels of the same configuration).
    pub fn add(&mut self, other: &SourceDay) {
        self.conversations += other.conversations;
        self.leads += other.leads;
        if self.funnel.is_empty() {
            self.funnel.clone_from(&other.funnel);
            return;
        }
        for (a, b) in self.funnel.iter_mut().zip(&other.funnel) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
}

/// Keep `(start, text)` in `kept` when it is later (ties: the greater text).
fn keep_latest(kept: &mut Option<(i64, Box<str>)>, (start, text): (i64, &str)) {
    if kept
        .as_ref()
        .is_none_or(|(t, x)| (start, text) > (*t, &**x))
    {
        *kept = Some((start, text.into()));
    }
}

/// A source and the headline of its latest conversation that had one: `(start, text)`.
pub(crate) type SourceMeta = (Source, Option<(i64, Box<str>)>);

/// Conversations by (start day, source), and every source's identity and headline.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceDays {
    /// Every source some conversation had (any day), with the headline of its latest
    /// conversation that had one: `(start, headline)`.
    pub meta: BTreeMap<Box<str>, SourceMeta>,
    /// Per start day, per source key.
    pub days: BTreeMap<NaiveDate, BTreeMap<Box<str>, SourceDay>>,
    /// The conversion event in effect.
    pub conversion_event: Option<ConversionEvent>,
}

impl SourceDays {
    /// Aggregate every conversation of `analysis` by start day in the context's zone.
    pub fn build(ctx: &Scope<'_>, analysis: &Analysis) -> SourceDays {
        let tz = ctx.range.tz;
        let funnels = &ctx.config.funnels;
        let mut out = SourceDays {
            conversion_event: analysis.matchers.conversion.clone(),
            ..SourceDays::default()
        };
        for c in &analysis.conversations {
            let key = &c.source.key;
            let meta = slot(&mut out.meta, key, || (c.source.clone(), None));
            if let Some(h) = &c.headline {
                keep_latest(&mut meta.1, (c.start, h));
            }
            let per = out.days.entry(day_in(c.start, tz)).or_default();
            let d = slot(per, key, || SourceDay {
                funnel: funnels.iter().map(|f| vec![0; f.steps.len()]).collect(),
                ..SourceDay::default()
            });
            d.conversations += 1;
            d.leads += u64::from(c.lead);
            for (f, reached) in funnels.iter().zip(&mut d.funnel) {
                for r in reached.iter_mut().take(funnel_reach(c, &f.steps)) {
                    *r += 1;
                }
            }
        }
        out
    }

    /// Replace the days before `until` with those of `sealed` (the same sources' sealed
    /// days; see [`crate::expiry`]) and add the sources only sealed days had.
    pub fn splice(&mut self, sealed: &SourceDays, until: NaiveDate) {
        crate::util::time::splice_days(&mut self.days, &sealed.days, until);
        for (k, (source, headline)) in &sealed.meta {
            let meta = slot(&mut self.meta, k, || (source.clone(), None));
            if let Some((t, h)) = headline {
                keep_latest(&mut meta.1, (*t, h));
            }
        }
    }

    /// The per-source sums over `range`.
    pub fn in_range(&self, range: &DayRange) -> BTreeMap<&str, SourceDay> {
        let mut acc: BTreeMap<&str, SourceDay> = BTreeMap::new();
        for per in self.days.range(range.from..range.to).map(|(_, p)| p) {
            for (k, d) in per {
                acc.entry(&**k).or_default().add(d);
            }
        }
        acc
    }
}
