//! The report's `sources` and `attribution` sections.

use super::{Attribution, CreditDay, attribute};
use crate::config::ModelName;
use crate::model::money::{Currency, decimal_micros, micros_to_f64};
use crate::scope::Scope;
use crate::sources::{
    Analysis, ConversionEvent, Names, Source, SourceDay, SourceDays, SourceDirection, SourceKind,
    SourceMeta, spend_by_day, spend_in_range,
};
use crate::util::ratio;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One step of a funnel, for one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// The step's event name.
    pub event: String,
    /// Conversations that reached this step (and every step before it, in order).
    pub reached: u64,
    /// Conversations that reached the step before (or, for the first step, all
    /// conversations) but not this one.
    pub drop_off: u64,
}

/// A configured funnel, for one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    /// The funnel's name.
    pub name: String,
    /// Its steps, in order.
    pub steps: Vec<FunnelStep>,
}

/// One source over the report range (semantics §4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    /// The source key (`meta_ad:120`, `campaign:spring`, `qr:shop`, `direct`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Kind (`meta_ad`, `meta_post`, `custom`, `campaign`, `direct`).
    pub kind: SourceKind,
    /// `incoming` or `outgoing`.
    pub direction: SourceDirection,
    /// Conversations started in the range.
    pub conversations: u64,
    /// Of those, the ones where the conversion event happened.
    pub leads: u64,
    /// leads / conversations (`null` without conversations).
    pub conversion_rate: Option<f64>,
    /// Spend on the range's days (micro-units in Rust, major units in JSON).
    #[serde(with = "decimal_micros")]
    pub invested: i64,
    /// invested / leads, in major units (`null` without leads).
    pub conversion_cost: Option<f64>,
    /// Attributed value of the attributed events in the range (micro-units in Rust, major
    /// units in JSON).
    #[serde(with = "decimal_micros")]
    pub revenue: i64,
    /// revenue / invested (`null` without spend).
    pub roas: Option<f64>,
    /// Attributed count of the attributed events in the range (fractional).
    pub conversions: f64,
    /// Configured funnels (absent when none are configured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funnel: Vec<FunnelRow>,
}

/// What one model credits one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCredit {
    /// The model.
    pub model: ModelName,
    /// Attributed count.
    pub conversions: f64,
    /// Attributed value (micro-units in Rust, major units in JSON).
    #[serde(with = "decimal_micros")]
    pub revenue: i64,
}

/// Every model's credit for one source (`report --compare-models`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The source key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// One entry per model that could be computed, in [`ModelName::ALL`] order.
    pub models: Vec<ModelCredit>,
}

/// The attribution summary: what was attributed, and what could not be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributionSummary {
    /// The model the `sources` rows use.
    pub model: ModelName,
    /// The lookback window, in days.
    pub lookback_days: u32,
    /// The conversion event in effect (`null`: none, so no leads).
    pub conversion_event: Option<ConversionEvent>,
    /// The currency of every amount.
    pub currency: Currency,
    /// Attributed events in the range.
    pub events: u64,
    /// Their value.
    #[serde(with = "decimal_micros")]
    pub value: i64,
    /// Of those, events credited to some conversation.
    pub attributed_events: u64,
    /// Their value.
    #[serde(with = "decimal_micros")]
    pub attributed_value: i64,
    /// Events with no conversation in the lookback window.
    pub unattributed_events: u64,
    /// Their value.
    #[serde(with = "decimal_micros")]
    pub unattributed_value: i64,
    /// Events in the range and spend records whose amounts were in another currency and
    /// were left out of the money figures.
    pub other_currency: u64,
    /// Every model side by side, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Vec<ComparisonRow>>,
    /// Models the comparison could not compute, with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comparison_errors: BTreeMap<String, String>,
}

/// Both sections, computed together.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SourcesSection {
    /// One row per source, most conversations first (ties: by key).
    pub rows: Vec<SourceRow>,
    /// The attribution summary.
    pub attribution: AttributionSummary,
}

#[derive(Default)]
struct Acc<'a> {
    meta: Option<&'a SourceMeta>,
    day: SourceDay,
    invested: i64,
    revenue: i64,
    count: i64,
}

/// The `sources` rows and the `attribution` summary from day aggregates: `days` over all
/// time, `credits` the sum of the range's attributed events under the report's model.
/// `compare` (the analysis the aggregates came from) adds the model comparison, which
/// attributes the range once per model.
pub(crate) fn sources_section(
    ctx: &Scope<'_>,
    days: &SourceDays,
    credits: &CreditDay,
    compare: Option<&Analysis>,
) -> SourcesSection {
    let (acc, other_spend) = accumulate(ctx, days, credits);
    let names = Names::new(ctx);
    let mut rows: Vec<SourceRow> = acc
        .into_iter()
        .filter(|(_, a)| {
            a.day.conversations > 0 || a.invested != 0 || a.count != 0 || a.revenue != 0
        })
        .map(|(key, a)| source_row(ctx, &names, key, &a))
        .collect();
    rows.sort_by(|a, b| {
        b.conversations
            .cmp(&a.conversations)
            .then_with(|| a.key.cmp(&b.key))
    });
    let mut attribution = AttributionSummary {
        model: ctx.model,
        lookback_days: ctx.config.attribution.lookback_days,
        conversion_event: days.conversion_event.clone(),
        currency: ctx.config.currency,
        events: credits.events,
        value: credits.value,
        attributed_events: credits.attributed_events,
        attributed_value: credits.attributed_value,
        unattributed_events: credits.unattributed_events,
        unattributed_value: credits.unattributed_value,
        other_currency: other_spend + credits.other_currency,
        comparison: None,
        comparison_errors: BTreeMap::new(),
    };
    if let Some(analysis) = compare {
        let (comparison, errors) = model_comparison(ctx, analysis, &rows);
        attribution.comparison = Some(comparison);
        attribution.comparison_errors = errors;
    }
    SourcesSection { rows, attribution }
}

/// Every source's conversations (in the range), credits and spend, by key; and the
/// number of spend records left out for their currency.
fn accumulate<'d>(
    ctx: &Scope<'_>,
    days: &'d SourceDays,
    credits: &CreditDay,
) -> (BTreeMap<String, Acc<'d>>, u64) {
    let mut acc: BTreeMap<String, Acc<'_>> = days
        .meta
        .iter()
        .map(|(k, m)| {
            let a = Acc {
                meta: Some(m),
                ..Acc::default()
            };
            (k.to_string(), a)
        })
        .collect();
    for (k, d) in days.in_range(&ctx.range) {
        acc.entry(k.to_string()).or_default().day = d;
    }
    for (k, (count, value)) in &credits.by_source {
        let a = acc.entry(k.to_string()).or_default();
        a.count += count;
        a.revenue += value;
    }
    let (spend, other_spend) = spend_by_day(ctx.store, ctx.config.currency);
    for (k, v) in spend_in_range(&spend, &ctx.range) {
        acc.entry(k).or_default().invested += v;
    }
    (acc, other_spend)
}

/// One source's row.
fn source_row(ctx: &Scope<'_>, names: &Names<'_>, key: String, a: &Acc<'_>) -> SourceRow {
    let source = a
        .meta
        .map_or_else(|| Source::from_key(&key), |m| m.0.clone());
    let headline = a.meta.and_then(|m| m.1.as_ref()).map(|(_, h)| &**h);
    let conversations = a.day.conversations;
    SourceRow {
        name: names.name(&key, headline),
        key,
        kind: source.kind,
        direction: source.direction,
        conversations,
        leads: a.day.leads,
        conversion_rate: ratio(a.day.leads as f64, conversations as f64),
        invested: a.invested,
        conversion_cost: ratio(micros_to_f64(a.invested), a.day.leads as f64),
        revenue: a.revenue,
        roas: ratio(a.revenue as f64, a.invested as f64),
        conversions: a.count as f64 / crate::model::UNIT as f64,
        funnel: funnel_rows(ctx, &a.day, conversations),
    }
}

/// Each configured funnel's steps for one source: how many conversations reached each
/// step, and the drop-off from the step before (the first from all conversations).
fn funnel_rows(ctx: &Scope<'_>, day: &SourceDay, conversations: u64) -> Vec<FunnelRow> {
    ctx.config
        .funnels
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let reached = day
                .funnel
                .get(i)
                .cloned()
                .unwrap_or_else(|| vec![0; f.steps.len()]);
            let mut before = conversations;
            let steps = f
                .steps
                .iter()
                .zip(reached)
                .map(|(e, r)| {
                    let step = FunnelStep {
                        event: e.clone(),
                        reached: r,
                        drop_off: before - r,
                    };
                    before = r;
                    step
                })
                .collect();
            FunnelRow {
                name: f.name.clone(),
                steps,
            }
        })
        .collect()
}

/// Every model's credit per row's source, side by side, and the models that could not
/// attribute the range (with the reason).
fn model_comparison(
    ctx: &Scope<'_>,
    analysis: &Analysis,
    rows: &[SourceRow],
) -> (Vec<ComparisonRow>, BTreeMap<String, String>) {
    let mut per: BTreeMap<String, Vec<ModelCredit>> =
        rows.iter().map(|r| (r.key.clone(), Vec::new())).collect();
    let mut errors = BTreeMap::new();
    for model in ModelName::ALL {
        let att = match attribute(analysis, &ctx.range, &ctx.config.attribution, model) {
            Ok(att) => att,
            Err(e) => {
                errors.insert(model.as_str().to_string(), e.to_string());
                continue;
            }
        };
        let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        credit_into(analysis, &att, &mut sums, |a, count, value| {
            a.0 += count;
            a.1 += value;
        });
        for (key, list) in &mut per {
            let (count, revenue) = sums.get(key).copied().unwrap_or_default();
            list.push(ModelCredit {
                model,
                conversions: count as f64 / crate::model::UNIT as f64,
                revenue,
            });
        }
    }
    let comparison = rows
        .iter()
        .map(|r| ComparisonRow {
            key: r.key.clone(),
            name: r.name.clone(),
            models: per.remove(&r.key).unwrap_or_default(),
        })
        .collect();
    (comparison, errors)
}

/// Add every credit of `att` to its conversation's source in `acc`.
fn credit_into<A: Default>(
    analysis: &Analysis,
    att: &Attribution,
    acc: &mut BTreeMap<String, A>,
    mut add: impl FnMut(&mut A, i64, i64),
) {
    for e in &att.events {
        for c in &e.credits {
            let key = &analysis.conversations[c.conversation].source.key;
            let a = match acc.get_mut(&**key) {
                Some(a) => a,
                None => acc.entry(key.to_string()).or_default(),
            };
            add(a, c.count, c.value);
        }
    }
}
