#![doc = include_str!("../guide/sources/source_days.md")]

use super::Source;
use super::conversation::{Conversation, HitKind, funnel_reach};
use super::matcher::ConversionEvent;
use crate::scope::Scope;
use crate::util::sorted_map::Map;
use crate::util::time::{DayRange, day_in};
use crate::util::userset::UserSet;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of `key` in `map`, inserted with `new()` when missing; the key is cloned only
/// then (source keys repeat for nearly every conversation and credit).
pub(crate) fn slot<'m, V>(
    map: &'m mut Map<Box<str>, V>,
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
pub(crate) struct SourceDay {
    /// Conversations started.
    pub(crate) conversations: u64,
    /// Of those, leads (the conversion event happened in them).
    pub(crate) leads: u64,
    /// Per configured funnel (config order), the conversations that reached each step.
    pub(crate) funnel: Vec<Vec<u64>>,
    /// Per configured funnel, the users who started it (reached its first step) and who
    /// completed it (reached its last step) in those conversations.
    pub(crate) funnel_users: Vec<[UserSet; 2]>,
    /// Occurrences of a messaging conversion event in those conversations (its
    /// conversions; an external conversion event is credited instead).
    pub(crate) occurrences: u64,
}

impl SourceDay {
    /// `self += other` (funnels of the same configuration).
    pub(crate) fn add(&mut self, other: &SourceDay) {
        self.conversations += other.conversations;
        self.leads += other.leads;
        self.occurrences += other.occurrences;
        if self.funnel.is_empty() {
            self.funnel.clone_from(&other.funnel);
            self.funnel_users.clone_from(&other.funnel_users);
            return;
        }
        for (a, b) in self.funnel.iter_mut().zip(&other.funnel) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.funnel_users.iter_mut().zip(&other.funnel_users) {
            a[0].union_with(&b[0]);
            a[1].union_with(&b[1]);
        }
    }

    /// Count conversation `c` (of a source whose day this is) under `funnels` and the
    /// conversion event `conversion`: `s = 1` adds it, `s = -1` takes it out again (its
    /// user leaves the funnels' user sets: a user's conversations come and go together).
    fn count(
        &mut self,
        c: &Conversation,
        funnels: &[crate::config::FunnelDef],
        conversion: Option<&ConversionEvent>,
        s: i64,
    ) {
        let step = |x: &mut u64, n: u64| crate::util::step(x, n, s);
        step(&mut self.conversations, 1);
        step(&mut self.leads, u64::from(c.lead));
        if let Some(ce) = conversion.filter(|ce| ConversionEvent::is_messaging(Some(ce))) {
            let hits = c.events.iter().filter(|h| h.kind == HitKind::Messaging);
            step(
                &mut self.occurrences,
                hits.filter(|h| ce.is(&h.name, false)).count() as u64,
            );
        }
        for (i, f) in funnels.iter().enumerate() {
            let n = funnel_reach(c, &f.steps);
            for r in self.funnel[i].iter_mut().take(n) {
                step(r, 1);
            }
            let sets = &mut self.funnel_users[i];
            for (j, reached) in [n > 0, n == f.steps.len() && n > 0].into_iter().enumerate() {
                match (reached, s > 0) {
                    (true, true) => {
                        sets[j].insert(c.user);
                    }
                    (true, false) => {
                        sets[j].remove(c.user);
                    }
                    _ => {}
                }
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

/// Per source key: its conversations, and how many of them had each `(start, headline)`
/// (what [`SourceDays::step`] needs to take conversations out exactly).
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceRefs(Map<Box<str>, (u64, Headlines)>);

/// How many conversations had each `(start, headline)`.
type Headlines = BTreeMap<(i64, Box<str>), u32>;

/// A source and the headline of its latest conversation that had one: `(start, text)`.
pub(crate) type SourceMeta = (Source, Option<(i64, Box<str>)>);

/// Conversations by (start day, source), and every source's identity and headline.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SourceDays {
    /// Every source some conversation had (any day), with the headline of its latest
    /// conversation that had one: `(start, headline)`.
    pub(crate) meta: Map<Box<str>, SourceMeta>,
    /// Per start day, per source key.
    pub(crate) days: Map<NaiveDate, Map<Box<str>, SourceDay>>,
    /// The conversion event in effect.
    pub(crate) conversion_event: Option<ConversionEvent>,
}

impl SourceDays {
    /// Whether these days could have been built by the engine (checked when sealed days
    /// are restored from a snapshot): per source and day, leads and every funnel's first
    /// step at most the conversations, a funnel's reached counts never rising from one step
    /// to the next, and each funnel with `funnel_steps` steps (config order) or none.
    pub(crate) fn check(&self, funnel_steps: &[usize]) -> Result<(), String> {
        for (day, sources) in &self.days {
            for (key, d) in sources {
                let at = || format!("sealed source `{key}` on {day}");
                if d.leads > d.conversations {
                    return Err(format!("{}: more leads than conversations", at()));
                }
                let shape_ok = d.funnel.is_empty()
                    || (d.funnel.len() == funnel_steps.len()
                        && d.funnel
                            .iter()
                            .zip(funnel_steps)
                            .all(|(f, n)| f.len() == *n));
                if !shape_ok {
                    return Err(format!("{}: funnels do not match the config", at()));
                }
                for f in &d.funnel {
                    let mut before = d.conversations;
                    for r in f {
                        if *r > before {
                            return Err(format!(
                                "{}: a funnel step reached more than the one before",
                                at()
                            ));
                        }
                        before = *r;
                    }
                }
            }
        }
        Ok(())
    }

    /// No conversation yet, under the conversion event `conversion`.
    pub(crate) fn empty(conversion: Option<ConversionEvent>) -> SourceDays {
        SourceDays {
            conversion_event: conversion,
            ..SourceDays::default()
        }
    }

    /// Add conversation `c` (`s = 1`) on its start day in the context's zone, or take it
    /// out (`s = -1`) as if it had never been added: its source's entry goes when its
    /// last conversation goes, and the source's headline is again that of its latest
    /// conversation left with one (`refs` counts them).
    pub(crate) fn step(
        &mut self,
        ctx: &Scope<'_>,
        c: &Conversation,
        s: i64,
        refs: &mut SourceRefs,
    ) {
        let key = &c.source.key;
        let r = slot(&mut refs.0, key, Default::default);
        if let Some(h) = &c.headline {
            let k = (c.start, h.clone());
            let n =
                r.1.get(&k)
                    .copied()
                    .unwrap_or(0)
                    .wrapping_add_signed(s as i32);
            if n == 0 {
                r.1.remove(&k);
            } else {
                r.1.insert(k, n);
            }
        }
        crate::util::step(&mut r.0, 1, s);
        if r.0 == 0 {
            refs.0.remove(key);
            self.meta.remove(key);
        } else {
            let latest = r.1.last_key_value().map(|(k, _)| k);
            let meta = slot(&mut self.meta, key, || (c.source.clone(), None));
            if meta.1.as_ref() != latest {
                meta.1 = latest.cloned();
            }
        }
        let day = day_in(c.start, ctx.range.tz);
        let funnels = &ctx.config.funnels;
        let per = self.days.entry(day).or_default();
        let d = slot(per, key, || SourceDay {
            funnel: funnels.iter().map(|f| vec![0; f.steps.len()]).collect(),
            funnel_users: funnels.iter().map(|_| Default::default()).collect(),
            ..SourceDay::default()
        });
        d.count(c, funnels, self.conversion_event.as_ref(), s);
        if d.conversations == 0 {
            per.remove(key);
            if per.is_empty() {
                self.days.remove(&day);
            }
        }
    }

    /// Replace the days before `until` with those of `sealed` (the same sources' sealed
    /// days; see [`crate::expiry`](crate::guide::expiry)) and add the sources only sealed days had.
    pub(crate) fn splice(&mut self, sealed: &SourceDays, until: NaiveDate) {
        crate::util::time::splice_days(&mut self.days, &sealed.days, until);
        for (k, (source, headline)) in &sealed.meta {
            let meta = slot(&mut self.meta, k, || (source.clone(), None));
            if let Some((t, h)) = headline {
                keep_latest(&mut meta.1, (*t, h));
            }
        }
    }

    /// The per-source sums over `range`.
    pub(crate) fn in_range(&self, range: &DayRange) -> Map<&str, SourceDay> {
        let mut acc: Map<&str, SourceDay> = Map::new();
        for per in self.days.range(range.from..range.to).map(|(_, p)| p) {
            for (k, d) in per {
                acc.entry(&**k).or_default().add(d);
            }
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(conversations: u64, leads: u64, funnel: Vec<Vec<u64>>) -> SourceDay {
        SourceDay {
            conversations,
            leads,
            funnel_users: funnel.iter().map(|_| Default::default()).collect(),
            funnel,
            occurrences: 0,
        }
    }

    fn days(entries: Vec<(&str, SourceDay)>) -> SourceDays {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let per = entries.into_iter().map(|(k, v)| (k.into(), v)).collect();
        SourceDays {
            days: [(d, per)].into_iter().collect(),
            ..SourceDays::default()
        }
    }

    #[test]
    fn sealed_days_pass_the_check_only_when_the_engine_could_build_them() {
        // One funnel of 3 steps. At the limits, all possible: as many leads as
        // conversations, a first step reached by every conversation, a step reached as
        // often as the one before; a source-day without funnels (`funnel` empty) and one
        // with fewer leads than conversations.
        let steps = [3];
        let ok = days(vec![
            ("direct", day(3, 3, vec![vec![3, 2, 2]])),
            ("qr:shop", day(2, 1, vec![])),
        ]);
        assert_eq!(ok.check(&steps), Ok(()));
        let err = |entries| days(entries).check(&steps).unwrap_err();
        // 4 leads of 3 conversations.
        let e = err(vec![("direct", day(3, 4, vec![vec![3, 2, 2]]))]);
        assert!(e.contains("more leads than conversations"), "{e}");
        // A first step reached by 4 of 3 conversations; a step above the one before.
        let e = err(vec![("direct", day(3, 3, vec![vec![4, 2, 2]]))]);
        assert!(
            e.contains("a funnel step reached more than the one before"),
            "{e}"
        );
        let e = err(vec![("direct", day(3, 3, vec![vec![2, 1, 2]]))]);
        assert!(
            e.contains("a funnel step reached more than the one before"),
            "{e}"
        );
        // The right number of funnels with the wrong number of steps, and one funnel too
        // many.
        let e = err(vec![("direct", day(3, 3, vec![vec![3, 2]]))]);
        assert!(e.contains("funnels do not match the config"), "{e}");
        let e = err(vec![(
            "direct",
            day(3, 3, vec![vec![3, 2, 2], vec![1, 1, 1]]),
        )]);
        assert!(e.contains("funnels do not match the config"), "{e}");
        assert!(e.starts_with("sealed source `direct` on 2025-07-01"), "{e}");
    }

    #[test]
    fn splicing_sealed_days_keeps_the_latest_headline_of_either_side() {
        type Headline = Option<(i64, Box<str>)>;
        let date = |n| NaiveDate::from_ymd_opt(2025, 7, n).unwrap();
        let headline = |t: i64, h: &str| -> Headline { Some((t, Box::from(h))) };
        let meta = |entries: Vec<(&str, Headline)>| -> Map<Box<str>, SourceMeta> {
            entries
                .into_iter()
                .map(|(k, h)| (k.into(), (Source::from_key(k), h)))
                .collect()
        };
        let one = |n: u64| -> Map<Box<str>, SourceDay> {
            [("direct".into(), day(n, 0, vec![]))].into_iter().collect()
        };
        let mut live = SourceDays {
            meta: meta(vec![
                ("meta_ad:1", headline(50, "live")),
                ("meta_post:3", headline(20, "x")),
                ("meta_ad:4", headline(5, "a")),
                ("direct", None),
            ]),
            days: [(date(1), one(1)), (date(3), one(3))].into_iter().collect(),
            conversion_event: None,
        };
        let sealed = SourceDays {
            meta: meta(vec![
                ("meta_ad:1", headline(40, "older")),
                ("meta_ad:2", headline(10, "two")),
                ("meta_post:3", headline(30, "y")),
                ("meta_ad:4", headline(5, "b")),
            ]),
            days: [(date(1), one(10)), (date(2), one(20)), (date(3), one(30))]
                .into_iter()
                .collect(),
            conversion_event: None,
        };
        live.splice(&sealed, date(3));
        // Before 07-03 the sealed days (10 on 07-01, 20 on 07-02), from 07-03 the live
        // ones (3).
        let conversations: Vec<(NaiveDate, u64)> = (live.days.iter())
            .map(|(d, per)| (*d, per["direct"].conversations))
            .collect();
        assert_eq!(conversations, [(date(1), 10), (date(2), 20), (date(3), 3)]);
        // Headlines, the latest (start, then text) of either side: ad 1 keeps its live
        // (50) over the sealed (40); ad 2, only sealed, comes with its own; post 3 takes
        // the sealed (30) over the live (20); ad 4 at the same start takes the greater
        // text "b"; direct has none on either side.
        let h = |k: &str| live.meta[k].1.clone();
        assert_eq!(h("meta_ad:1"), headline(50, "live"));
        assert_eq!(h("meta_ad:2"), headline(10, "two"));
        assert_eq!(h("meta_post:3"), headline(30, "y"));
        assert_eq!(h("meta_ad:4"), headline(5, "b"));
        assert_eq!(h("direct"), None);
        assert_eq!(
            live.meta["meta_ad:2"].0.kind,
            super::super::SourceKind::MetaAd
        );
        assert_eq!(live.meta.len(), 5);
    }
}
