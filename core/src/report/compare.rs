#![doc = include_str!("../guide/report/compare.md")]

use super::{RangeInfo, Report};
use crate::attribution::{Overall, SourceRow};
use crate::billing::BillingSection;
use crate::engagement::{Engagement, TemplateRow};
use crate::model::money::micros_to_f64;
use crate::sources::EventRow;
use crate::util::sorted_map::Map;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The previous period and the change of each figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Comparison {
    /// The previous period.
    pub previous_range: RangeInfo,
    /// Every figure of the compared sections, in section order.
    pub figures: Vec<Figure>,
}

/// One figure in both periods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Figure {
    /// `overall`, `billing`, `sources`, `events`, `templates`, `campaigns` or
    /// `engagement`.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["overall", "billing", "sources", "events", "templates", "campaigns", "engagement"])))]
    pub section: String,
    /// The row (source key, event or template name) in row sections, else `null`.
    pub row: Option<String>,
    /// The field's JSON name (dotted inside nested objects: `cost.total`).
    pub figure: String,
    /// Its value in the previous period (a number, or `null`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub previous: Value,
    /// Its value in the current period.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub current: Value,
    /// `current − previous` (`null` when either is `null`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub change: Value,
    /// `change ÷ |previous| × 100` (`null` when `previous` is zero or `null`).
    pub change_pct: Option<f64>,
}

/// A figure's value, by how it compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A count.
    Count(i64),
    /// Money in micro-units (`None`: undefined, e.g. revenue of a messaging event).
    Money(Option<i64>),
    /// A ratio or other decimal (`None`: undefined).
    Ratio(Option<f64>),
}

impl Num {
    /// What an absent row's figure compares as.
    fn zero_like(self) -> Num {
        match self {
            Num::Count(_) => Num::Count(0),
            Num::Money(_) => Num::Money(Some(0)),
            Num::Ratio(_) => Num::Ratio(None),
        }
    }

    /// The value as a number in major units (`None` when undefined).
    pub(crate) fn as_f64(self) -> Option<f64> {
        match self {
            Num::Count(n) => Some(n as f64),
            Num::Money(m) => m.map(micros_to_f64),
            Num::Ratio(r) => r,
        }
    }

    fn json(self) -> Value {
        match self {
            Num::Count(n) => Value::from(n),
            _ => self.as_f64().map_or(Value::Null, Value::from),
        }
    }

    /// `cur − prev` in the kind's own arithmetic (exact for counts and money).
    fn minus(cur: Num, prev: Num) -> Num {
        match (cur, prev) {
            (Num::Count(c), Num::Count(p)) => Num::Count(c - p),
            (Num::Money(Some(c)), Num::Money(Some(p))) => Num::Money(Some(c - p)),
            (c, p) => Num::Ratio(
                c.as_f64()
                    .zip(p.as_f64())
                    .map(|(c, p)| ((c - p) * 1e9).round() / 1e9),
            ),
        }
    }
}

/// A section's figures: (row, figure name, value).
type Figures = Vec<(Option<String>, String, Num)>;

/// A section's figures in both periods: (row, figure name, previous, current).
type Pairs = Vec<(Option<String>, String, Num, Num)>;

fn count(n: u64) -> Num {
    Num::Count(i64::try_from(n).unwrap_or(i64::MAX))
}

fn money_opt(v: Option<f64>) -> Num {
    // Row money fields kept as decimals (templates): exact to the micro-unit.
    Num::Money(v.map(|x| (x * 1e6).round() as i64))
}

fn overall_figures(o: &Overall) -> Vec<(&'static str, Num)> {
    vec![
        ("conversations", count(o.conversations)),
        ("leads", count(o.leads)),
        ("conversion_rate", Num::Ratio(o.conversion_rate)),
        ("conversions", Num::Ratio(Some(o.conversions))),
        ("invested", Num::Money(Some(o.invested))),
        ("conversion_cost", Num::Ratio(o.conversion_cost)),
        ("revenue", Num::Money(o.revenue)),
        ("roas", Num::Ratio(o.roas)),
    ]
}

fn source_figures(r: &SourceRow) -> Vec<(&'static str, Num)> {
    vec![
        ("conversations", count(r.conversations)),
        ("leads", count(r.leads)),
        ("conversion_rate", Num::Ratio(r.conversion_rate)),
        ("conversions", Num::Ratio(Some(r.conversions))),
        ("invested", Num::Money(Some(r.invested))),
        ("conversion_cost", Num::Ratio(r.conversion_cost)),
        ("revenue", Num::Money(r.revenue)),
        ("roas", Num::Ratio(r.roas)),
    ]
}

fn event_figures(r: &EventRow) -> Vec<(&'static str, Num)> {
    vec![
        ("occurrences", count(r.occurrences)),
        ("users", count(r.users)),
        ("conversations", count(r.conversations)),
        ("value", Num::Money(r.value)),
    ]
}

fn template_figures(r: &TemplateRow) -> Vec<(&'static str, Num)> {
    vec![
        ("sent", count(r.sent)),
        ("delivered", count(r.delivered)),
        ("read", count(r.read)),
        ("replied", count(r.replied)),
        ("clicks", count(r.clicks)),
        ("ctr", Num::Ratio(r.ctr)),
        (
            "cost",
            r.cost_micros
                .map_or(money_opt(r.cost), |m| Num::Money(Some(m))),
        ),
        ("cost_per_delivered", Num::Ratio(r.cost_per_delivered)),
        ("cost_per_click", Num::Ratio(r.cost_per_click)),
        ("conversions", Num::Ratio(r.conversions)),
        (
            "conversion_value",
            r.conversion_value_micros
                .map_or(money_opt(r.conversion_value), |m| Num::Money(Some(m))),
        ),
    ]
}

fn billing_figures(b: &BillingSection) -> Figures {
    let mut out: Figures = vec![(None, "cost.total".into(), Num::Money(Some(b.cost.total.0)))];
    for (k, v) in &b.cost.by_category {
        out.push((None, format!("cost.by_category.{k}"), Num::Money(Some(v.0))));
    }
    let c = &b.conversations;
    let m = &b.charged_messages;
    let f = &b.free_messages;
    let counts = [
        ("conversations.marketing", c.marketing),
        ("conversations.utility", c.utility),
        ("conversations.authentication", c.authentication),
        ("conversations.service", c.service),
        ("conversations.free_entry_point", c.free_entry_point),
        ("charged_messages.marketing", m.marketing),
        ("charged_messages.utility", m.utility),
        ("charged_messages.authentication", m.authentication),
        ("charged_messages.service", m.service),
        ("free_messages.service_window", f.service_window),
        ("free_messages.free_entry_point", f.free_entry_point),
        ("free_messages.free_form", f.free_form),
        ("free_messages.free_service", f.free_service),
        ("free_tier_conversations", b.free_tier_conversations),
        ("cost.unpriced", b.cost.unpriced),
    ];
    out.extend(
        counts
            .iter()
            .map(|(k, n)| (None, (*k).to_string(), count(*n))),
    );
    out
}

fn engagement_figures(e: &Engagement) -> Figures {
    let rt = &e.response_time;
    let s = &e.support;
    let figures = [
        ("active_users", count(e.active_users)),
        ("new_users", count(e.new_users)),
        ("returning_users", count(e.returning_users)),
        ("messages_received", count(e.messages_received)),
        ("messages_sent", count(e.messages_sent)),
        ("messages_delivered", count(e.messages_delivered)),
        (
            "avg_received_per_user_per_day",
            Num::Ratio(e.avg_received_per_user_per_day),
        ),
        ("support.opened", count(s.opened)),
        ("support.reopened", count(s.reopened)),
        ("support.closed", count(s.closed)),
        ("support.open_at_end", Num::Count(s.open_at_end)),
        ("response_time.answered", count(rt.answered)),
        (
            "response_time.first_response_median_s",
            Num::Ratio(rt.first_response_median_s),
        ),
        (
            "response_time.first_response_p90_s",
            Num::Ratio(rt.first_response_p90_s),
        ),
    ];
    figures
        .into_iter()
        .map(|(k, v)| (None, k.to_string(), v))
        .collect()
}

/// The figures of a row section: every row of either period, matched by `id`, current
/// rows first (in their order), then rows of the previous period only.
fn row_pairs<T>(
    prev: &[T],
    cur: &[T],
    id: impl Fn(&T) -> String,
    figures: impl Fn(&T) -> Vec<(&'static str, Num)>,
) -> Pairs {
    let before: Map<String, &T> = prev.iter().map(|r| (id(r), r)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |key: String, p: Option<&T>, c: Option<&T>| {
        let (pf, cf) = (p.map(&figures), c.map(&figures));
        let n = pf.as_ref().or(cf.as_ref()).map_or(0, Vec::len);
        for i in 0..n {
            let pick = |f: &Option<Vec<(&'static str, Num)>>| f.as_ref().map(|v| v[i]);
            let (pv, cv) = (pick(&pf), pick(&cf));
            let name = pv.or(cv).map_or("", |x| x.0);
            let (pv, cv) = match (pv, cv) {
                (Some(p), Some(c)) => (p.1, c.1),
                (Some(p), None) => (p.1, p.1.zero_like()),
                (None, Some(c)) => (c.1.zero_like(), c.1),
                (None, None) => continue,
            };
            out.push((Some(key.clone()), name.to_string(), pv, cv));
        }
    };
    for c in cur {
        let k = id(c);
        push(k.clone(), before.get(&k).copied(), Some(c));
        seen.insert(k);
    }
    for p in prev {
        let k = id(p);
        if !seen.contains(&k) {
            push(k, Some(p), None);
        }
    }
    out
}

/// Pair two periods' figures of a section without rows (same names, same order).
fn zip_figures(prev: Figures, cur: Figures) -> Pairs {
    prev.into_iter()
        .zip(cur)
        .map(|((_, name, p), (row, _, c))| (row, name, p, c))
        .collect()
}

fn named(f: Vec<(&'static str, Num)>) -> Figures {
    f.into_iter()
        .map(|(k, v)| (None, k.to_string(), v))
        .collect()
}

impl Comparison {
    /// Compare `cur` with `prev`, the same report over the previous period.
    pub fn new(prev: &Report, cur: &Report) -> Comparison {
        let key = |r: &SourceRow| r.key.clone();
        let event = |r: &EventRow| format!("{} ({})", r.name, r.kind.as_str());
        let name = |r: &TemplateRow| r.name.clone();
        let sections: Vec<(&str, Pairs)> = vec![
            (
                "overall",
                zip_figures(
                    named(overall_figures(&prev.overall)),
                    named(overall_figures(&cur.overall)),
                ),
            ),
            (
                "billing",
                zip_figures(
                    billing_figures(&prev.billing),
                    billing_figures(&cur.billing),
                ),
            ),
            (
                "sources",
                row_pairs(&prev.sources, &cur.sources, key, source_figures),
            ),
            (
                "events",
                row_pairs(&prev.events, &cur.events, event, event_figures),
            ),
            (
                "templates",
                row_pairs(&prev.templates, &cur.templates, name, template_figures),
            ),
            (
                "campaigns",
                row_pairs(&prev.campaigns, &cur.campaigns, name, template_figures),
            ),
            (
                "engagement",
                zip_figures(
                    engagement_figures(&prev.engagement),
                    engagement_figures(&cur.engagement),
                ),
            ),
        ];
        let figures = sections
            .into_iter()
            .flat_map(|(section, rows)| {
                rows.into_iter()
                    .map(move |(row, figure, p, c)| figure_of(section, row, figure, p, c))
            })
            .collect();
        Comparison {
            previous_range: prev.range.clone(),
            figures,
        }
    }
}

fn figure_of(section: &str, row: Option<String>, figure: String, p: Num, c: Num) -> Figure {
    let change = Num::minus(c, p);
    let change_pct = match (change.as_f64(), p.as_f64()) {
        (Some(d), Some(b)) if b != 0.0 => Some(((d / b.abs()) * 100.0 * 1e6).round() / 1e6),
        _ => None,
    };
    Figure {
        section: section.to_string(),
        row,
        figure,
        previous: p.json(),
        current: c.json(),
        change: change.json(),
        change_pct,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_exact_for_counts_and_money_and_null_for_undefined_ratios() {
        // 4 → 6 conversations: +2, +50%.
        let f = figure_of("overall", None, "x".into(), Num::Count(4), Num::Count(6));
        assert_eq!((f.change, f.change_pct), (json!(2), Some(50.0)));
        // 0.10 → 0.30 (micro-units: exact): +0.2, +200%.
        let m = |v| Num::Money(Some(v));
        let f = figure_of("overall", None, "x".into(), m(100_000), m(300_000));
        assert_eq!((f.change, f.change_pct), (json!(0.2), Some(200.0)));
        // From zero: the change is defined, the percentage is not.
        let f = figure_of("overall", None, "x".into(), Num::Count(0), Num::Count(3));
        assert_eq!((f.change, f.change_pct), (json!(3), None));
        // An undefined ratio on one side: no change.
        let r = |v| Num::Ratio(v);
        let f = figure_of("overall", None, "x".into(), r(None), r(Some(0.5)));
        assert_eq!(
            (f.previous, f.change, f.change_pct),
            (Value::Null, Value::Null, None)
        );
        // A fall from 8 to 6: −2, −25%.
        let f = figure_of("overall", None, "x".into(), Num::Count(8), Num::Count(6));
        assert_eq!((f.change, f.change_pct), (json!(-2), Some(-25.0)));
    }

    #[test]
    fn rows_match_by_id_and_missing_rows_compare_against_zero() {
        let fig = |n: &(&str, u64)| vec![("n", count(n.1)), ("rate", Num::Ratio(Some(0.5)))];
        let prev = [("a", 5), ("b", 2)];
        let cur = [("b", 7), ("c", 1)];
        let out = row_pairs(&prev, &cur, |r| r.0.to_string(), fig);
        let n: Vec<(String, Num, Num)> = out
            .iter()
            .filter(|x| x.1 == "n")
            .map(|x| (x.0.clone().unwrap(), x.2, x.3))
            .collect();
        // b 2 → 7; c new (0 → 1); a gone (5 → 0), listed after the current rows.
        assert_eq!(
            n,
            vec![
                ("b".into(), Num::Count(2), Num::Count(7)),
                ("c".into(), Num::Count(0), Num::Count(1)),
                ("a".into(), Num::Count(5), Num::Count(0)),
            ]
        );
        // A ratio of a row absent in one period is undefined there.
        let c_rate = out
            .iter()
            .find(|x| x.0.as_deref() == Some("c") && x.1 == "rate");
        assert_eq!(c_rate.map(|x| x.2), Some(Num::Ratio(None)));
    }
}
