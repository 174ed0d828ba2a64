#![doc = include_str!("../guide/attribution.md")]

pub(crate) mod capi;
mod contacts;
mod credits;
pub(crate) mod markov;
pub(crate) mod rows;
mod section;
pub(crate) mod shapley;

pub use contacts::ContactFilter;
pub(crate) use contacts::{CONTACT_COLUMNS, contact_values, export_audience, export_contacts};
pub(crate) use credits::{CreditDay, CreditDays};
pub(crate) use section::sources_section;
pub use section::{
    AttributionSummary, ComparisonRow, FunnelRow, FunnelStep, ModelCredit, Overall, SourceRow,
};

use crate::config::{AttributionConfig, ModelName};
use crate::error::ReportError;
use crate::model::UNIT;
#[cfg(test)]
use crate::scope::Scope;
#[cfg(test)]
use crate::sources::analyse;
use crate::sources::{Analysis, Conversation};
use crate::util::time::{DAY, DayRange};
use std::collections::HashMap;

/// Credit one event gives one conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub(crate) struct Credit {
    /// Index in [`Analysis::conversations`].
    pub(crate) conversation: usize,
    /// Micro-conversions ([`UNIT`] = one whole conversion).
    pub(crate) count: i64,
    /// Micro-units of the report currency.
    pub(crate) value: i64,
}

/// How one attributed event was credited.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub(crate) struct EventCredit {
    /// Index in [`Analysis::touches`].
    pub(crate) touch: usize,
    /// Index in [`crate::store::Store::externals`].
    pub(crate) external: u32,
    /// When the event happened.
    pub(crate) ts: i64,
    /// Its value in micro-units of the report currency.
    pub(crate) value: i64,
    /// The credits, summing exactly to [`UNIT`] and `value`; empty when unattributed.
    pub(crate) credits: Vec<Credit>,
}

/// The attribution of every attributed event in a range under one model.
///
/// For other sections: a template's attributed conversions are the credits whose
/// conversation was opened by that template's messages
/// (`analysis.conversations[credit.conversation].opening`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub(crate) struct Attribution {
    /// The model used.
    pub(crate) model: ModelName,
    /// One entry per attributed event in the range, in the order of [`Analysis::touches`].
    pub(crate) events: Vec<EventCredit>,
}

/// Attribute the attributed events of `analysis` whose time is in `range` with `model`.
#[doc(hidden)]
pub(crate) fn attribute(
    analysis: &Analysis,
    range: &DayRange,
    cfg: &AttributionConfig,
    model: ModelName,
) -> Result<Attribution, ReportError> {
    attribute_between(analysis, range.instants(), cfg, model)
}

/// [`attribute`] over the instants `from..to` (seconds, end excluded).
fn attribute_between(
    analysis: &Analysis,
    (from, to): (i64, i64),
    cfg: &AttributionConfig,
    model: ModelName,
) -> Result<Attribution, ReportError> {
    let picked: Vec<usize> = analysis
        .touches
        .iter()
        .enumerate()
        .filter(|(_, t)| t.attributed && (from..to).contains(&t.ts))
        .map(|(i, _)| i)
        .collect();
    let convs = &analysis.conversations;
    // Source ids, for the data-driven models: in key order, so that the Markov system (and
    // so every float in it) is the same whatever order the users were stored in — a merged
    // engine gives bit-identical results.
    let mut ids: HashMap<&str, usize> = {
        let keys: std::collections::BTreeSet<&str> = convs.iter().map(|c| &*c.source.key).collect();
        keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect()
    };
    let global: Vec<f64> = match model {
        ModelName::Markov => markov_effects(analysis, &picked, &mut ids, cfg, (from, to)),
        ModelName::Shapley => {
            check_shapley_sources(analysis, &picked)?;
            Vec::new()
        }
        _ => Vec::new(),
    };
    let events = picked
        .into_iter()
        .map(|t| credit_event(convs, &analysis.touches, t, (model, cfg), &mut ids, &global))
        .collect();
    Ok(Attribution { model, events })
}

/// The credits of touch `t` (an index into `touches`) to its candidate conversations
/// (indices into `convs`) under a model; `ids` interns source keys, `global` holds the
/// Markov removal effects by source id.
fn credit_event<'a>(
    convs: &'a [Conversation],
    touches: &[crate::sources::ExternalTouch],
    t: usize,
    (model, cfg): (ModelName, &AttributionConfig),
    ids: &mut HashMap<&'a str, usize>,
    global: &[f64],
) -> EventCredit {
    let touch = &touches[t];
    let cands = &touch.candidates;
    let mut credits = Vec::new();
    if !cands.is_empty() {
        let srcs: Vec<usize> = cands.iter().map(|&c| intern(ids, &convs[c])).collect();
        let starts: Vec<i64> = cands.iter().map(|&c| convs[c].start).collect();
        let w = weights(model, cfg, touch.ts, &starts, &srcs, global);
        let counts = split_exact(UNIT, &w);
        let values = split_exact(touch.value, &w);
        for ((&c, count), value) in cands.iter().zip(counts).zip(values) {
            if count != 0 || value != 0 {
                credits.push(Credit {
                    conversation: c,
                    count,
                    value,
                });
            }
        }
    }
    EventCredit {
        touch: t,
        external: touch.external,
        ts: touch.ts,
        value: touch.value,
        credits,
    }
}

/// The attribution of every attributed event of one user (`convs` and `touches` from
/// [`crate::sources::conversation::analyse_user`]) under a rule-based (range-independent)
/// model: the same credits [`attribute`] gives these events over all time, since a
/// rule-based model weighs an event's candidates by themselves alone.
pub(crate) fn attribute_user(
    convs: &[Conversation],
    touches: &[crate::sources::ExternalTouch],
    cfg: &AttributionConfig,
    model: ModelName,
) -> Vec<EventCredit> {
    debug_assert!(model.range_independent());
    let mut ids = HashMap::new();
    (0..touches.len())
        .filter(|t| touches[*t].attributed)
        .map(|t| credit_event(convs, touches, t, (model, cfg), &mut ids, &[]))
        .collect()
}

/// The Markov removal effect of every source id, from the converting paths of the
/// `picked` events and the range's other conversations (cut into lookback windows).
fn markov_effects<'a>(
    analysis: &'a Analysis,
    picked: &[usize],
    ids: &mut HashMap<&'a str, usize>,
    cfg: &AttributionConfig,
    (from, to): (i64, i64),
) -> Vec<f64> {
    let convs = &analysis.conversations;
    let mut paths: Vec<(Vec<usize>, bool)> = Vec::new();
    let mut in_event = vec![false; convs.len()];
    for &t in picked {
        let cands = &analysis.touches[t].candidates;
        if !cands.is_empty() {
            paths.push((
                cands.iter().map(|&c| intern(ids, &convs[c])).collect(),
                true,
            ));
            for &c in cands {
                in_event[c] = true;
            }
        }
    }
    // Non-converting paths: each user's other conversations started in the range,
    // cut into windows of the lookback from each window's first conversation.
    let lookback = i64::from(cfg.lookback_days) * DAY;
    let mut cur: Option<(u32, i64)> = None;
    for (i, c) in convs.iter().enumerate() {
        if in_event[i] || !(from..to).contains(&c.start) {
            continue;
        }
        let s = intern(ids, c);
        match (cur, paths.last_mut()) {
            (Some((u, first)), Some((p, false))) if u == c.user && c.start - first <= lookback => {
                p.push(s);
            }
            _ => {
                paths.push((vec![s], false));
                cur = Some((c.user, c.start));
            }
        }
    }
    markov::removal_effects(ids.len(), &paths).removal_effects
}

/// Attribute the events that can credit the conversations started in `range` (one
/// window, [`crate::sources`](crate::guide::sources)): those in it and up to the lookback after its end.
///
/// An event credits conversations that started at most the lookback before it, and every
/// conversation of the range started before the range's end, so the window's events are
/// those before the end plus the lookback: the instant, not the day after (a day-wide
/// margin would let the data-driven models count the next day's events and conversations
/// in their paths, and Shapley its sources against the limit).
pub(crate) fn attribute_window(
    analysis: &Analysis,
    range: &DayRange,
    cfg: &AttributionConfig,
    model: ModelName,
) -> Result<Attribution, ReportError> {
    let (from, to) = range.instants();
    let lookback = i64::from(cfg.lookback_days) * DAY;
    attribute_between(analysis, (from, to + lookback), cfg, model)
}

/// Refuse exact Shapley over more than [`shapley::MAX_SOURCES`] distinct sources in the
/// converting paths of the `picked` events.
fn check_shapley_sources(analysis: &Analysis, picked: &[usize]) -> Result<(), ReportError> {
    let convs = &analysis.conversations;
    let distinct: std::collections::BTreeSet<&str> = picked
        .iter()
        .flat_map(|&t| &analysis.touches[t].candidates)
        .map(|&c| &*convs[c].source.key)
        .collect();
    if distinct.len() > shapley::MAX_SOURCES {
        return Err(ReportError::Unsupported(format!(
            "exact Shapley attribution supports at most {} sources; the converting paths in this range have {}",
            shapley::MAX_SOURCES,
            distinct.len()
        )));
    }
    Ok(())
}

/// The conversations and the attribution of the range's attributed events under the
/// report's model: what other sections (e.g. a template's attributed conversions and value)
/// build on. A credit's `conversation` indexes `Analysis::conversations`.
#[cfg(test)]
pub(crate) fn attributed(ctx: &Scope<'_>) -> Result<(Analysis, Attribution), ReportError> {
    let analysis = analyse(ctx);
    let att = attribute(&analysis, &ctx.range, &ctx.config.attribution, ctx.model)?;
    Ok((analysis, att))
}

fn intern<'a>(ids: &mut HashMap<&'a str, usize>, c: &'a Conversation) -> usize {
    let n = ids.len();
    *ids.entry(&*c.source.key).or_insert(n)
}

/// Weights of one event's candidates (oldest first) under `model`; never all zero.
/// `srcs` are the candidates' source ids, `global` the Markov removal effects by source id.
#[allow(clippy::many_single_char_names)] // f, m, l: the position weights
pub(crate) fn weights(
    model: ModelName,
    cfg: &AttributionConfig,
    ts: i64,
    starts: &[i64],
    srcs: &[usize],
    global: &[f64],
) -> Vec<f64> {
    let n = starts.len();
    let mut w = vec![0.0f64; n];
    if n == 0 {
        return w;
    }
    // How many of the candidates share each candidate's source.
    let mult = |i: usize| srcs.iter().filter(|s| **s == srcs[i]).count() as f64;
    match model {
        ModelName::LastTouch => w[n - 1] = 1.0,
        ModelName::FirstTouch => w[0] = 1.0,
        ModelName::Linear => w.fill(1.0),
        ModelName::TimeDecay => {
            let half = cfg.half_life_days * DAY as f64;
            for (x, s) in w.iter_mut().zip(starts) {
                *x = 0.5f64.powf((ts - s).max(0) as f64 / half);
            }
        }
        ModelName::PositionBased => {
            let [f, m, l] = cfg.position_weights;
            match n {
                1 => w[0] = 1.0,
                2 => {
                    w[0] = f;
                    w[1] = l;
                }
                _ => {
                    w.fill(m / (n - 2) as f64);
                    w[0] = f;
                    w[n - 1] = l;
                }
            }
        }
        ModelName::Markov => {
            for (i, x) in w.iter_mut().enumerate() {
                *x = global.get(srcs[i]).copied().unwrap_or(0.0) / mult(i);
            }
        }
        ModelName::Shapley => {
            for (i, x) in w.iter_mut().enumerate() {
                *x = 1.0 / mult(i);
            }
        }
    }
    if !w.iter().any(|x| x.is_finite() && *x > 0.0) {
        w.fill(1.0);
    }
    w
}

/// Split `total` in proportion to `weights` so that the parts sum exactly to `total`
/// (largest remainder; any residue left by floating point goes to the heaviest part).
pub(crate) fn split_exact(total: i64, weights: &[f64]) -> Vec<i64> {
    let mut parts = crate::model::money::split_largest_remainder(total, weights);
    let diff = total - parts.iter().sum::<i64>();
    if diff != 0 {
        if let Some((i, _)) = weights
            .iter()
            .enumerate()
            .filter(|(_, w)| w.is_finite())
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        {
            parts[i] += diff;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::sources::{ExternalTouch, Matchers, Source};
    use crate::store::Store;

    const T0: i64 = 1_751_364_000; // 2025-07-01T10:00Z

    fn conv(user: u32, start: i64, key: &str) -> Conversation {
        Conversation {
            user,
            phone: 0,
            start,
            last: start,
            source: Source::from_key(key),
            opening: 0,
            messages: 0,
            events: Vec::new(),
            lead: false,
            headline: None,
        }
    }

    fn touch(user: u32, ts: i64, value: i64, candidates: Vec<usize>) -> ExternalTouch {
        ExternalTouch::for_test(user, (ts, "purchase", value), candidates)
    }

    fn july() -> DayRange {
        DayRange {
            from: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
            tz: chrono_tz::Tz::UTC,
        }
    }

    /// Attribute `a` over July under `model`, with the default configuration.
    fn in_july(a: &Analysis, model: ModelName) -> Attribution {
        attribute(a, &july(), &AttributionConfig::default(), model).unwrap()
    }

    /// A report scope over July (UTC) on `store` and `config`.
    fn july_scope<'a>(store: &'a Store, config: &'a Config) -> crate::scope::Scope<'a> {
        let mut opts = crate::ReportOptions::default();
        (opts.from, opts.to) = (Some(july().from), Some(july().to));
        crate::scope::context(store, config, chrono_tz::Tz::UTC, &opts).unwrap()
    }

    /// `a` attributed under the linear model over July, and its credit days in `ctx`.
    fn linear_credit_days(
        ctx: &crate::scope::Scope<'_>,
        a: &Analysis,
    ) -> (CreditDays, Attribution) {
        let config = AttributionConfig::default();
        let att = attribute(a, &july(), &config, ModelName::Linear).unwrap();
        (CreditDays::build(ctx, a, &att), att)
    }

    /// Paths: user 0 `A → conv`, user 1 `A → B → conv` (10.00), user 2 `B → null`.
    fn small_case() -> Analysis {
        Analysis {
            conversations: vec![
                conv(0, T0, "meta_ad:A"),
                conv(1, T0, "meta_ad:A"),
                conv(1, T0 + DAY, "campaign:B"),
                conv(2, T0, "campaign:B"),
            ],
            touches: vec![
                touch(0, T0 + 3600, 0, vec![0]),
                touch(1, T0 + DAY + 3600, 10_000_000, vec![1, 2]),
            ],
            matchers: Matchers::new(&Config::default(), &Store::default(), None),
        }
    }

    fn totals(a: &Analysis, att: &Attribution) -> HashMap<String, (i64, i64)> {
        let mut m: HashMap<String, (i64, i64)> = HashMap::new();
        for e in &att.events {
            for c in &e.credits {
                let x = m
                    .entry(a.conversations[c.conversation].source.key.to_string())
                    .or_default();
                x.0 += c.count;
                x.1 += c.value;
            }
        }
        m
    }

    #[test]
    fn markov_on_a_small_case_by_hand() {
        // As in `markov::tests::removal_effects_by_hand`: RE(A) = 3/4, RE(B) = 1/2.
        // Event 1 (path A) goes wholly to A. Event 2 (path A, B) splits 3/4 : 1/2 = 0.6 : 0.4,
        // and its 10.00 value 6.00 : 4.00. Totals: A 1.6 conversions, B 0.4.
        let a = small_case();
        let att = in_july(&a, ModelName::Markov);
        let t = totals(&a, &att);
        assert_eq!(t["meta_ad:A"], (1_600_000, 6_000_000));
        assert_eq!(t["campaign:B"], (400_000, 4_000_000));
    }

    /// Credit days of `small_case` under linear, and taking events out again (the
    /// contract of `CreditDays::step`: what was added and is taken out leaves nothing).
    #[test]
    fn credit_days_by_hand_and_taken_out_again() {
        // Event 1 (user 0, 07-01 11:00, value 0) credits conv 0 (meta_ad:A, 07-01) whole.
        // Event 2 (user 1, 07-02 11:00, 10.00) splits linearly between conv 1 (meta_ad:A,
        // 07-01) and conv 2 (campaign:B, 07-02): 0.5 and 5.00 each. By the start day of
        // the credited conversation: 07-01 A (1.5, 5.00); 07-02 B (0.5, 5.00). By event
        // day: 07-01 one event worth 0, 07-02 one worth 10.00, both attributed.
        let a = small_case();
        let (store, config) = (Store::default(), Config::default());
        let ctx = july_scope(&store, &config);
        let (mut cd, att) = linear_credit_days(&ctx, &a);
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2025, 7, d).unwrap();
        let (d1, d2) = (&cd.days[&day(1)], &cd.days[&day(2)]);
        assert_eq!(d1.by_source.get("meta_ad:A"), Some(&(1_500_000, 5_000_000)));
        assert_eq!(d1.by_source.get("campaign:B"), None);
        assert_eq!((d1.events, d1.value, d1.attributed_events), (1, 0, 1));
        assert_eq!(d2.by_source.get("campaign:B"), Some(&(500_000, 5_000_000)));
        assert_eq!(
            (d2.events, d2.value, d2.attributed_value),
            (1, 10_000_000, 10_000_000)
        );
        assert_eq!(cd.days.len(), 2);
        // Event 2 out: 07-01 keeps event 1's credit to A (1.0, 0) and its event; 07-02 is
        // left with nothing and goes.
        let convs = (&a.conversations[..], &a.touches[..]);
        cd.step(&ctx, convs, &att.events[1..], -1);
        assert_eq!(cd.days.len(), 1, "{:?}", cd.days);
        let d1 = &cd.days[&day(1)];
        assert_eq!(d1.by_source.get("meta_ad:A"), Some(&(1_000_000, 0)));
        assert_eq!((d1.events, d1.attributed_events), (1, 1));
        // Event 1 out too: A's credit is back at zero, and no day is left.
        cd.step(&ctx, convs, &att.events[..1], -1);
        assert!(cd.days.is_empty(), "{:?}", cd.days);
    }

    #[test]
    fn shapley_on_a_small_case_by_hand() {
        // v(∅) = 0, v({A}) = 1 (event 1), v({B}) = 0, v({A, B}) = 2.
        // φ_A = ½ (v(A) − v(∅)) + ½ (v(AB) − v(B)) = ½ + 1 = 1.5; φ_B = ½ · 0 + ½ (2 − 1) = 0.5.
        let a = small_case();
        let att = in_july(&a, ModelName::Shapley);
        let t = totals(&a, &att);
        assert_eq!(t["meta_ad:A"], (1_500_000, 5_000_000));
        assert_eq!(t["campaign:B"], (500_000, 5_000_000));
        // The enumeration over coalitions gives the same totals.
        let v = shapley::game_from_sets(2, &[(0b01, 1.0), (0b11, 1.0)]);
        let phi = shapley::shapley_exact(2, &v);
        assert!((phi[0] - 1.5).abs() < 1e-12 && (phi[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn weights_per_model() {
        let cfg = AttributionConfig::default();
        let day = DAY;
        let starts = [T0, T0 + day, T0 + 2 * day, T0 + 3 * day];
        let srcs = [0, 1, 1, 2];
        let ts = T0 + 7 * day;
        let w = |m| weights(m, &cfg, ts, &starts, &srcs, &[0.5, 0.2, 0.0]);
        assert_eq!(w(ModelName::LastTouch), vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(w(ModelName::FirstTouch), vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(w(ModelName::Linear), vec![1.0; 4]);
        // Ages 7, 6, 5, 4 days with a 7-day half-life: 2^-1, 2^-6/7, 2^-5/7, 2^-4/7.
        let td = w(ModelName::TimeDecay);
        for (got, age) in td.iter().zip([7.0f64, 6.0, 5.0, 4.0]) {
            assert!((got - 0.5f64.powf(age / 7.0)).abs() < 1e-12);
        }
        // Four touches: 0.4, 0.1, 0.1, 0.4.
        let pb = w(ModelName::PositionBased);
        for (got, want) in pb.iter().zip([0.4, 0.1, 0.1, 0.4]) {
            assert!((got - want).abs() < 1e-12);
        }
        // Markov: source 1 appears twice, so each of its conversations gets RE/2; source 2
        // has no removal effect.
        assert_eq!(w(ModelName::Markov), vec![0.5, 0.1, 0.1, 0.0]);
        // Shapley: three distinct sources; source 1's third is shared by its two conversations.
        assert_eq!(w(ModelName::Shapley), vec![1.0, 0.5, 0.5, 1.0]);
        // All-zero weights fall back to equal ones.
        let zero = AttributionConfig {
            position_weights: [0.0, 1.0, 0.0],
            ..cfg
        };
        assert_eq!(
            weights(
                ModelName::PositionBased,
                &zero,
                ts,
                &starts[..2],
                &srcs[..2],
                &[]
            ),
            vec![1.0, 1.0]
        );
    }

    #[test]
    fn exact_splits_never_lose_a_micro() {
        assert_eq!(split_exact(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        let big = 999_999_999_999_999_999;
        let parts = split_exact(big, &[0.1, 0.7, 0.2, 1e-9]);
        assert_eq!(parts.iter().sum::<i64>(), big);
        assert_eq!(split_exact(7, &[0.0, 2.0]), vec![0, 7]);
    }

    /// The residue floating point leaves goes to the heaviest part, ties to the older.
    #[test]
    fn a_split_that_floating_point_overshoots_takes_the_residue_from_the_heaviest_part() {
        // 999 999 999 999 999 999 has no f64: the nearest is 10^18 (doubles are 128 apart
        // there), so the largest-remainder split of it over two equal weights floors
        // 5·10^17 + 5·10^17 = 10^18, one micro too many, and has nothing left to hand out.
        // The residue, −1, goes to the heaviest part: both weigh 1, so the older (first).
        let big = 999_999_999_999_999_999;
        assert_eq!(
            split_exact(big, &[1.0, 1.0]),
            vec![499_999_999_999_999_999, 500_000_000_000_000_000]
        );
        // One part alone takes it all, exactly.
        assert_eq!(split_exact(big, &[1.0]), vec![big]);
    }

    /// A range's sum of credit days: every field added up over the range's days, and only
    /// theirs (`CreditDays::in_range` with `CreditDay::add`).
    #[test]
    fn credit_days_of_a_range_add_up_every_field() {
        // small_case under linear, with event 1 (user 0, 07-01 11:00, value 0) an event
        // whose value was in another currency. As in credit_days_by_hand_and_taken_out_
        // again: 07-01 holds event 1 (attributed, worth 0) and A's credits (1.5, 5.00);
        // 07-02 holds event 2 (attributed, 10.00) and B's credit (0.5, 5.00).
        // July: 2 events worth 10.00, both attributed, none unattributed, 1 in another
        // currency; A (1.5, 5.00), B (0.5, 5.00). 07-02 alone: event 2 only, B only.
        let mut a = small_case();
        a.touches[0].other_currency = true;
        let (store, config) = (Store::default(), Config::default());
        let (cd, _) = linear_credit_days(&july_scope(&store, &config), &a);
        let sum = cd.in_range(&july());
        assert_eq!(
            (
                sum.events,
                sum.value,
                sum.attributed_events,
                sum.attributed_value
            ),
            (2, 10_000_000, 2, 10_000_000)
        );
        assert_eq!(
            (
                sum.unattributed_events,
                sum.unattributed_value,
                sum.other_currency
            ),
            (0, 0, 1)
        );
        assert_eq!(
            sum.by_source.get("meta_ad:A"),
            Some(&(1_500_000, 5_000_000))
        );
        assert_eq!(sum.by_source.get("campaign:B"), Some(&(500_000, 5_000_000)));
        let second = DayRange {
            from: chrono::NaiveDate::from_ymd_opt(2025, 7, 2).unwrap(),
            ..july()
        };
        let sum = cd.in_range(&second);
        assert_eq!(
            (sum.events, sum.value, sum.other_currency),
            (1, 10_000_000, 0)
        );
        assert_eq!(sum.by_source.get("meta_ad:A"), None);
        assert_eq!(sum.by_source.get("campaign:B"), Some(&(500_000, 5_000_000)));
    }

    /// Which touches `attribute` takes: the attributed ones whose time is in the range.
    #[test]
    fn only_the_attributed_events_of_the_range_are_attributed() {
        // small_case's touches 0 (07-01 11:00) and 1 (07-02 11:00) are attributed and in
        // July. Touch 2 is attributed but on 06-30, before the range; touch 3 is in July
        // but not an attributed event (an external event the conversion event does not
        // name). Only touches 0 and 1 are attributed over July, with their value.
        let mut a = small_case();
        a.touches.push(touch(0, T0 - DAY, 5_000_000, vec![]));
        let mut other = touch(1, T0 + DAY + 7200, 3_000_000, vec![1, 2]);
        other.attributed = false;
        a.touches.push(other);
        let att = in_july(&a, ModelName::Linear);
        let picked: Vec<(usize, i64)> = att.events.iter().map(|e| (e.touch, e.value)).collect();
        assert_eq!(picked, [(0, 0), (1, 10_000_000)]);
    }

    /// The one window's events: those of the range and up to the lookback after its end.
    #[test]
    fn a_window_takes_the_events_up_to_the_lookback_after_the_range() {
        // July (UTC), lookback 7 days. User 0's conversation A starts 07-31 23:00, the
        // range's last hour. Events: 0 on 07-28 (in the range); 1 on 08-07 22:59:59, 7 days
        // less a second after A (it can credit A); 2 on 08-08 00:00, the range's end plus
        // exactly 7 days, and 3 on 08-08 12:00: no conversation started in July can be
        // within 7 days before them. The window takes events 0 and 1.
        let end = T0 + 30 * DAY + 14 * 3600; // 2025-08-01T00:00Z
        let a = Analysis {
            conversations: vec![conv(0, end - 3600, "meta_ad:A")],
            touches: vec![
                touch(0, end - 4 * DAY, 0, vec![]),
                touch(0, end + 7 * DAY - 1, 1_000_000, vec![0]),
                touch(0, end + 7 * DAY, 2_000_000, vec![]),
                touch(0, end + 7 * DAY + 12 * 3600, 3_000_000, vec![]),
            ],
            matchers: Matchers::new(&Config::default(), &Store::default(), None),
        };
        let cfg = AttributionConfig::default();
        let att = attribute_window(&a, &july(), &cfg, ModelName::Linear).unwrap();
        let picked: Vec<usize> = att.events.iter().map(|e| e.touch).collect();
        assert_eq!(picked, [0, 1]);
        assert_eq!(att.events[1].credits.len(), 1);
    }

    /// Exact Shapley counts the distinct sources of the range's converting paths and
    /// refuses more than `shapley::MAX_SOURCES` (15), naming the count.
    #[test]
    fn exact_shapley_takes_15_distinct_sources_and_refuses_16() {
        // User 0's conversations S0 … S(n-1) (one source each, a minute apart), then a
        // second S0 conversation. Event 1 (07-02) has candidates S0 … S7, event 2 (07-03)
        // S8 … S(n-1) and the second S0. Distinct sources over both paths: n.
        let case = |n: usize| {
            let mut conversations: Vec<Conversation> = (0..n)
                .map(|i| conv(0, T0 + 60 * i as i64, &format!("campaign:S{i}")))
                .collect();
            conversations.push(conv(0, T0 + 3600, "campaign:S0"));
            Analysis {
                conversations,
                touches: vec![
                    touch(0, T0 + DAY, 0, (0..8).collect()),
                    touch(0, T0 + 2 * DAY, 0, (8..=n).collect()),
                ],
                matchers: Matchers::new(&Config::default(), &Store::default(), None),
            }
        };
        let cfg = AttributionConfig::default();
        // 15 distinct sources (16 conversations): attributed. Event 2 has 8 candidates,
        // S8 … S14 and the second S0, each a distinct source: 1/8 = 125 000 each.
        let att = attribute(&case(15), &july(), &cfg, ModelName::Shapley).unwrap();
        assert_eq!(att.events.len(), 2);
        let second: Vec<i64> = att.events[1].credits.iter().map(|c| c.count).collect();
        assert_eq!(second, [125_000; 8]);
        // 16 distinct sources: refused.
        match attribute(&case(16), &july(), &cfg, ModelName::Shapley) {
            Err(ReportError::Unsupported(msg)) => {
                assert!(msg.contains("at most 15 sources"), "{msg}");
                assert!(msg.ends_with("have 16"), "{msg}");
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }

    /// The credits (A, B) of one converting event with path `A → B` under Markov, with
    /// other conversations `others` (user, start, source key) that converted nothing.
    fn markov_split(others: &[(u32, i64, &str)]) -> (i64, i64) {
        let mut conversations = vec![conv(0, T0, "meta_ad:A"), conv(0, T0 + DAY, "campaign:B")];
        conversations.extend(others.iter().map(|&(u, s, k)| conv(u, s, k)));
        let a = Analysis {
            conversations,
            touches: vec![touch(0, T0 + DAY + 3600, 10_000_000, vec![0, 1])],
            matchers: Matchers::new(&Config::default(), &Store::default(), None),
        };
        let att = in_july(&a, ModelName::Markov);
        let c = &att.events[0].credits;
        assert_eq!((c[0].conversation, c[1].conversation), (0, 1));
        (c[0].count, c[1].count)
    }

    /// Markov's paths that did not convert: a user's conversations, cut into windows of
    /// the lookback (7 days) from each window's first conversation.
    #[test]
    fn markov_paths_that_did_not_convert_are_one_per_user_and_lookback_window() {
        // Joined, one user's A then B within 7 days: paths A→B→conv, A→B→null. start→A
        // always, A→B always, B→conv ½: P = ½. Removing A (start→null) or B (A→null)
        // leaves P = 0, so RE(A) = RE(B) = 1: the event splits ½ : ½.
        let joined = (500_000, 500_000);
        // Cut, A and B in two paths: A→B→conv, A→null, B→null. start→A 2/3, start→B
        // 1/3; A→B ½, A→null ½; B→conv ½. P(B) = ½, P(A) = ¼, P = 2/3·¼ + 1/3·½ = 1/3.
        // Without A: P = 1/3·½ = 1/6, RE(A) = (1/3 − 1/6)/(1/3) = ½; without B: P = 0,
        // RE(B) = 1. The event splits ½ : 1 = 1/3 : 2/3, the odd micro to B (largest
        // remainder: 333 333.3 and 666 666.7).
        let cut = (333_333, 666_667);
        let (a, b) = ("meta_ad:A", "campaign:B");
        // One user, 2 days apart: one window.
        assert_eq!(markov_split(&[(1, T0, a), (1, T0 + 2 * DAY, b)]), joined);
        // One user, exactly 7 days apart: still within the lookback.
        assert_eq!(markov_split(&[(1, T0, a), (1, T0 + 7 * DAY, b)]), joined);
        // One user, 8 days apart: two windows.
        assert_eq!(markov_split(&[(1, T0, a), (1, T0 + 8 * DAY, b)]), cut);
        // Two users, 2 days apart: two paths.
        assert_eq!(markov_split(&[(1, T0, a), (2, T0 + 2 * DAY, b)]), cut);
    }

    #[test]
    fn position_based_with_one_three_and_five_candidates() {
        // Default weights (0.4, 0.2, 0.4). One candidate takes all; three give 0.4, 0.2 /
        // (3 − 2) = 0.2, 0.4; five give 0.4, then 0.2 / (5 − 2) = 1/15 to each of the
        // three between, then 0.4.
        let cfg = AttributionConfig::default();
        let w = |n: usize| {
            let starts: Vec<i64> = (0..n as i64).map(|i| T0 + i * DAY).collect();
            let srcs: Vec<usize> = (0..n).collect();
            weights(
                ModelName::PositionBased,
                &cfg,
                T0 + 7 * DAY,
                &starts,
                &srcs,
                &[],
            )
        };
        assert_eq!(w(1), [1.0]);
        let close = |got: Vec<f64>, want: &[f64]| {
            assert_eq!(got.len(), want.len());
            for (g, x) in got.iter().zip(want) {
                assert!((g - x).abs() < 1e-12, "{got:?} != {want:?}");
            }
        };
        close(w(3), &[0.4, 0.2, 0.4]);
        let m = 0.2 / 3.0;
        close(w(5), &[0.4, m, m, m, 0.4]);
    }
}
