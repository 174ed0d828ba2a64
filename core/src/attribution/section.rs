#![doc = include_str!("../guide/attribution/section.md")]

use super::{Attribution, CreditDay};
use crate::config::ModelName;
use crate::model::money::{Currency, decimal_micros, decimal_micros_opt, micros_to_f64};
use crate::scope::Scope;
use crate::sources::{
    Analysis, ConversionEvent, Names, Source, SourceDay, SourceDays, SourceDirection, SourceKind,
    SourceMeta, Spend, spend_in_range,
};
use crate::util::ratio;
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use serde::{Deserialize, Serialize};

/// One step of a funnel, for one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FunnelRow {
    /// The funnel's name.
    pub name: String,
    /// Distinct users who reached its first step in the source's conversations.
    pub users_started: u64,
    /// Distinct users who reached its last step in them.
    pub users_completed: u64,
    /// Its steps, in order.
    pub steps: Vec<FunnelStep>,
}

/// One source over the report range (semantics §4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SourceRow {
    /// The source key (`meta_ad:120`, `campaign:spring`, `qr:shop`, `direct`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Kind (`meta_ad`, `meta_post`, `meta_campaign`, `custom`, `campaign`, `direct`).
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
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub invested: i64,
    /// invested / leads, in major units (`null` without leads).
    pub conversion_cost: Option<f64>,
    /// Attributed value of the conversion events its conversations led to (micro-units in
    /// Rust, major units in JSON); `null` when the conversion event is a messaging event.
    #[serde(with = "decimal_micros_opt")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::model::money::MajorUnits>")
    )]
    pub revenue: Option<i64>,
    /// revenue / invested (`null` without spend or revenue).
    pub roas: Option<f64>,
    /// Conversions its conversations led to: the attributed count of an external
    /// conversion event (fractional under multi-touch models), or the occurrences of a
    /// messaging one.
    pub conversions: f64,
    /// Configured funnels (absent when none are configured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funnel: Vec<FunnelRow>,
}

/// The overall results: every source together, each conversation counted once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Overall {
    /// Conversations started in the range.
    pub conversations: u64,
    /// Of those, leads.
    pub leads: u64,
    /// leads / conversations.
    pub conversion_rate: Option<f64>,
    /// Conversions those conversations led to.
    pub conversions: f64,
    /// Spend counted in the range (micro-units in Rust, major units in JSON).
    #[serde(with = "decimal_micros")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub invested: i64,
    /// invested / leads, in major units.
    pub conversion_cost: Option<f64>,
    /// Revenue those conversations led to; `null` with a messaging conversion event.
    #[serde(with = "decimal_micros_opt")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::model::money::MajorUnits>")
    )]
    pub revenue: Option<i64>,
    /// revenue / invested.
    pub roas: Option<f64>,
}

/// What one model credits one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ModelCredit {
    /// The model.
    pub model: ModelName,
    /// Attributed count.
    pub conversions: f64,
    /// Attributed value (micro-units in Rust, major units in JSON).
    #[serde(with = "decimal_micros")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub revenue: i64,
}

/// Every model's credit for one source (`report --compare-models`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub value: i64,
    /// Of those, events credited to some conversation.
    pub attributed_events: u64,
    /// Their value.
    #[serde(with = "decimal_micros")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub attributed_value: i64,
    /// Events with no conversation in the lookback window.
    pub unattributed_events: u64,
    /// Their value.
    #[serde(with = "decimal_micros")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub unattributed_value: i64,
    /// Events in the range and spend records (on their first day in the range) whose
    /// amounts were in another currency and were left out of the money figures (the
    /// report's `warnings` say how much).
    pub other_currency: u64,
    /// Every model side by side, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<ComparisonRow>"))]
    // never null: absent when None
    pub comparison: Option<Vec<ComparisonRow>>,
    /// Models the comparison could not compute, with the reason.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub comparison_errors: Map<String, String>,
}

/// The sections, computed together.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SourcesSection {
    /// One row per source, most conversations first (ties: by key).
    pub(crate) rows: Vec<SourceRow>,
    /// Every source together.
    pub(crate) overall: Overall,
    /// The attribution summary.
    pub(crate) attribution: AttributionSummary,
    /// What was left out, in words.
    pub(crate) warnings: Vec<String>,
}

#[derive(Default)]
struct Acc<'a> {
    meta: Option<&'a SourceMeta>,
    day: SourceDay,
    invested: i64,
    revenue: i64,
    count: i64,
}

impl Acc<'_> {
    fn is_empty(&self) -> bool {
        self.day.conversations == 0 && self.invested == 0 && self.count == 0 && self.revenue == 0
    }
}

/// What the rows are built from: every source's sums, and what the overall figures add.
struct Accumulated<'d> {
    acc: Map<String, Acc<'d>>,
    /// Campaign-level spend counted on days without ad rows (in no ad's row).
    campaign_only: i64,
    spend: Spend,
}

/// The `sources` rows, `overall` and the `attribution` summary from day aggregates:
/// `days` over all time, `credits` the sum of the range's days (events by their day,
/// credits by their conversation's start day) under the report's model. `compare` (the
/// analysis the aggregates came from) adds the model comparison, which attributes the
/// range once per model.
pub(crate) fn sources_section(
    ctx: &Scope<'_>,
    days: &SourceDays,
    credits: &CreditDay,
    compare: Option<&Analysis>,
) -> SourcesSection {
    let a = accumulate(ctx, days, credits);
    let messaging = ConversionEvent::is_messaging(days.conversion_event.as_ref());
    let names = Names::new(ctx);
    let mut rows: Vec<SourceRow> = a
        .acc
        .iter()
        .filter(|(_, x)| !x.is_empty())
        .map(|(key, x)| source_row(ctx, &names, key.clone(), x, messaging))
        .collect();
    rows.stable_sort_by(|a, b| {
        b.conversations
            .cmp(&a.conversations)
            .then_with(|| a.key.cmp(&b.key))
    });
    let overall = overall(&rows, a.campaign_only, messaging);
    let mut attribution = AttributionSummary {
        model: ctx.model,
        lookback_days: ctx.config.attribution.lookback_days,
        conversion_event: days.conversion_event.clone(),
        currency: ctx.currency,
        events: credits.events,
        value: credits.value,
        attributed_events: credits.attributed_events,
        attributed_value: credits.attributed_value,
        unattributed_events: credits.unattributed_events,
        unattributed_value: credits.unattributed_value,
        other_currency: credits.other_currency,
        comparison: None,
        comparison_errors: Map::new(),
    };
    let warnings = spend_warnings(ctx, &a.spend, &mut attribution.other_currency);
    if let Some(analysis) = compare {
        let (comparison, errors) = model_comparison(ctx, analysis, &rows, &a.spend.ad_campaign);
        attribution.comparison = Some(comparison);
        attribution.comparison_errors = errors;
    }
    SourcesSection {
        rows,
        overall,
        attribution,
        warnings,
    }
}

/// Every source's conversations (started in the range), credits and spend, by key, with
/// the Meta campaigns rolled up.
fn accumulate<'d>(ctx: &Scope<'_>, days: &'d SourceDays, credits: &CreditDay) -> Accumulated<'d> {
    let mut acc: Map<String, Acc<'_>> = days
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
    let phone = ctx.phone.map(|p| ctx.store.phone(p));
    let spend = Spend::build(ctx.store, ctx.currency, phone);
    for (k, v) in spend_in_range(&spend.days, &ctx.range) {
        // Campaign-level spend is a campaign's, counted with its ads' below.
        if !k.starts_with("meta_campaign:") {
            acc.entry(k).or_default().invested += v;
        }
    }
    let campaign_only = roll_up_campaigns(ctx, &spend, &mut acc);
    Accumulated {
        acc,
        campaign_only,
        spend,
    }
}

/// Add a `meta_campaign:` entry per Meta campaign: the sum of its ads' entries and the
/// campaign's spend. Returns the campaign-level spend counted in the range.
fn roll_up_campaigns(ctx: &Scope<'_>, spend: &Spend, acc: &mut Map<String, Acc<'_>>) -> i64 {
    let (campaign_days, extra) = spend.campaigns();
    let range = ctx.range;
    let mut sums: Map<String, Acc<'_>> = Map::new();
    for (ad, campaign) in &spend.ad_campaign {
        let Some(a) = acc.get(ad) else { continue };
        let c = sums.entry(campaign.clone()).or_default();
        c.day.add(&a.day);
        c.count += a.count;
        c.revenue += a.revenue;
    }
    for (campaign, v) in spend_in_range(&campaign_days, &range) {
        sums.entry(campaign).or_default().invested = v;
    }
    for (k, c) in sums {
        let e = acc.entry(k).or_default();
        e.day = c.day;
        e.count = c.count;
        e.revenue = c.revenue;
        e.invested = c.invested;
    }
    extra.range(range.from..range.to).map(|(_, v)| v).sum()
}

/// One source's row.
fn source_row(
    ctx: &Scope<'_>,
    names: &Names<'_>,
    key: String,
    a: &Acc<'_>,
    messaging: bool,
) -> SourceRow {
    let source = a
        .meta
        .map_or_else(|| Source::from_key(&key), |m| m.0.clone());
    let headline = a.meta.and_then(|m| m.1.as_ref()).map(|(_, h)| &**h);
    let conversations = a.day.conversations;
    let revenue = (!messaging).then_some(a.revenue);
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
        revenue,
        roas: revenue.and_then(|r| ratio(r as f64, a.invested as f64)),
        conversions: if messaging {
            a.day.occurrences as f64
        } else {
            a.count as f64 / crate::model::UNIT as f64
        },
        funnel: funnel_rows(ctx, &a.day, conversations),
    }
}

/// The overall results from the rows (see the module rules); `campaign_only` is the
/// campaign-level spend no ad row holds.
fn overall(rows: &[SourceRow], campaign_only: i64, messaging: bool) -> Overall {
    let mut o = Overall {
        invested: campaign_only,
        revenue: (!messaging).then_some(0),
        ..Overall::default()
    };
    for r in rows.iter().filter(|r| r.kind != SourceKind::MetaCampaign) {
        o.conversations += r.conversations;
        o.leads += r.leads;
        o.conversions += r.conversions;
        o.invested += r.invested;
        if let (Some(sum), Some(v)) = (&mut o.revenue, r.revenue) {
            *sum += v;
        }
    }
    o.conversion_rate = ratio(o.leads as f64, o.conversations as f64);
    o.conversion_cost = ratio(micros_to_f64(o.invested), o.leads as f64);
    o.roas = o.revenue.and_then(|r| ratio(r as f64, o.invested as f64));
    o
}

/// The warnings about spend left out of the range's money figures (another currency, or
/// no business number in a report on one); counts the other-currency records into
/// `other_currency`.
fn spend_warnings(ctx: &Scope<'_>, spend: &Spend, other_currency: &mut u64) -> Vec<String> {
    let mut out = Vec::new();
    for (cur, per) in &spend.other {
        let (n, micros) = crate::sources::left_in_range(per, &ctx.range);
        if micros != 0 || n != 0 {
            *other_currency += n;
            out.push(format!(
                "{} {cur} of spend left out: it is not in the report currency {} (no conversion is done)",
                crate::model::money::format_micros(micros, 2),
                ctx.currency
            ));
        }
    }
    if let Some(p) = ctx.phone {
        let (n, micros) = crate::sources::left_in_range(&spend.unnumbered, &ctx.range);
        if micros != 0 || n != 0 {
            out.push(format!(
                "{} {} of spend left out of this report on number {}: the spend names no phone_number_id",
                crate::model::money::format_micros(micros, 2),
                ctx.currency,
                ctx.store.phone(p)
            ));
        }
    }
    out
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
                        // Reached counts fall step by step in anything the engine builds;
                        // sealed days restored from a damaged snapshot need not, and a
                        // report never panics.
                        drop_off: before.saturating_sub(r),
                    };
                    before = r;
                    step
                })
                .collect();
            let users = day.funnel_users.get(i);
            FunnelRow {
                name: f.name.clone(),
                users_started: users.map_or(0, |u| u[0].len()),
                users_completed: users.map_or(0, |u| u[1].len()),
                steps,
            }
        })
        .collect()
}

/// Every model's credit per row's source (one window: credits to the conversations
/// started in the range; a Meta campaign sums its ads), side by side, and the models that
/// could not attribute the range (with the reason).
fn model_comparison(
    ctx: &Scope<'_>,
    analysis: &Analysis,
    rows: &[SourceRow],
    ad_campaign: &Map<String, String>,
) -> (Vec<ComparisonRow>, Map<String, String>) {
    let mut per: Map<String, Vec<ModelCredit>> =
        rows.iter().map(|r| (r.key.clone(), Vec::new())).collect();
    let mut errors = Map::new();
    for model in ModelName::ALL {
        let cfg = &ctx.config.attribution;
        let att = match super::attribute_window(analysis, &ctx.range, cfg, model) {
            Ok(att) => att,
            Err(e) => {
                errors.insert(model.as_str().to_string(), e.to_string());
                continue;
            }
        };
        let mut sums: Map<String, (i64, i64)> = Map::new();
        credit_into(
            analysis,
            &att,
            ctx.range.instants(),
            &mut sums,
            |a, count, value| {
                a.0 += count;
                a.1 += value;
            },
        );
        for (ad, campaign) in ad_campaign {
            if let Some(&(n, v)) = sums.get(ad) {
                let c = sums.entry(campaign.clone()).or_default();
                c.0 += n;
                c.1 += v;
            }
        }
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

/// Add every credit of `att` to a conversation started in `[from, to)` to its source in
/// `acc`.
fn credit_into<A: Default>(
    analysis: &Analysis,
    att: &Attribution,
    (from, to): (i64, i64),
    acc: &mut Map<String, A>,
    mut add: impl FnMut(&mut A, i64, i64),
) {
    for e in &att.events {
        for c in &e.credits {
            let conv = &analysis.conversations[c.conversation];
            if !(from..to).contains(&conv.start) {
                continue;
            }
            let key = &conv.source.key;
            let a = match acc.get_mut(&**key) {
                Some(a) => a,
                None => acc.entry(key.to_string()).or_default(),
            };
            add(a, c.count, c.value);
        }
    }
}
