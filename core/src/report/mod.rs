#![doc = include_str!("../guide/report.md")]

pub(crate) mod compare;
pub(crate) mod csv;
pub(crate) mod definitions;
pub(crate) mod prepared;
pub(crate) mod sealed;
pub(crate) mod text;

pub use compare::{Comparison, Figure};
pub use csv::Table;
pub use definitions::{DEFINITIONS, definition, explain};
pub(crate) use prepared::{Kept, Prepared};
pub(crate) use sealed::{Past, Sealed};
pub use text::TextOptions;

use crate::engagement::DayStore;
use crate::error::ReportError;
pub(crate) use crate::scope::ReportOptions;
use crate::scope::{Scope, context};
use crate::store::InputStats;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The reported range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RangeInfo {
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, exclusive.
    pub to: NaiveDate,
    /// Number of days.
    pub days: i64,
    /// The time zone the days are in.
    pub time_zone: String,
    /// The business number reported on, if restricted.
    pub phone: Option<String>,
}

/// A full report: every section, plus `compare` when the options ask for the previous
/// period (absent otherwise).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// The range reported on.
    pub range: RangeInfo,
    /// Every source together, each conversation counted once (semantics §4): see
    /// [`crate::attribution`](crate::guide::attribution).
    pub overall: crate::attribution::Overall,
    /// Ingestion counts (over the engine's life).
    pub input: InputStats,
    /// What Meta charges for business messages (semantics §2).
    pub billing: crate::billing::BillingSection,
    /// Monthly usage against the quota (semantics §2, seed 004).
    pub usage: crate::billing::UsageSection,
    /// One row per source (semantics §3, §4): see [`crate::sources`](crate::guide::sources).
    pub sources: Vec<crate::attribution::SourceRow>,
    /// One row per messaging event and external event name (semantics §4): see
    /// `crate::sources::events`.
    pub events: Vec<crate::sources::EventRow>,
    /// What was attributed and how (see [`crate::attribution`](crate::guide::attribution)).
    pub attribution: crate::attribution::AttributionSummary,
    /// Engagement: active users, volumes, support, authorship (semantics §5).
    pub engagement: crate::engagement::Engagement,
    /// Per-template funnels (semantics §5).
    pub templates: Vec<crate::engagement::TemplateRow>,
    /// Per-campaign funnels (semantics §5).
    pub campaigns: Vec<crate::engagement::TemplateRow>,
    /// The previous period and the change, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "compare::Comparison"))]
    // never null: absent when None
    pub compare: Option<compare::Comparison>,
    /// What the report left out or could not price, in plain words (empty when nothing):
    /// e.g. charged units without a rate, Meta Business Agent messages without a price,
    /// money in another currency, spend that names no number in a report on one.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Report {
    /// The report as the readable text dashboard the `report` program prints (the
    /// SOURCES table fits 120 columns; see [`Report::to_text_with`]).
    pub fn to_text(&self) -> String {
        text::render(self, TextOptions::default())
    }

    /// The text dashboard laid out as `opts` says (`report --wide`: every column).
    pub fn to_text_with(&self, opts: TextOptions) -> String {
        text::render(self, opts)
    }

    /// Every table of the report — every list and keyed map of its JSON form — for CSV
    /// export (`report --csv`) and the bindings' `tables()`: see [`Table`] and the
    /// `report::csv` rules.
    ///
    /// ```
    /// let mut engine = convolens::Engine::new(convolens::Config::default())?;
    /// engine.ingest_str(r#"{"type":"outbound","id":"w1","to":"4915112345678","timestamp":1751450000,"template":"promo","category":"marketing"}"#)?;
    /// let report = engine.report(&convolens::ReportOptions::default())?;
    /// let volume = report.tables().into_iter().find(|t| t.name == "engagement_daily_volume").unwrap();
    /// assert_eq!(volume.header[0], "date");
    /// assert!(volume.to_csv().starts_with("date,"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tables(&self) -> Vec<Table> {
        // A report always serialises: its maps have string keys and its floats are finite.
        serde_json::to_value(self).map_or_else(|_| Vec::new(), |v| csv::tables(&v))
    }
}

/// One report over a prepared fact store: `days` are the engagement aggregates in the
/// report's zone and `prep` a [`Prepared`] that [fits](Prepared::fits) its scope (both
/// from the engine's caches); `past` is what expiry left, if anything.
pub(crate) fn build_report(
    ctx: &Scope<'_>,
    opts: &ReportOptions,
    days: &DayStore,
    prep: &Prepared,
    past: Option<&Past<'_>>,
) -> Result<Report, ReportError> {
    if let Some(p) = past {
        p.check(ctx, opts)?;
    }
    let range = ctx.range;
    let (billing, usage) = prep.billing.sections(ctx);
    let mut warnings = crate::billing::sections::warnings(&billing, ctx.config.rate_card.is_some());
    // Without pre-aggregated credits (the data-driven models), attribute the range anew;
    // the model comparison does so under every model. Both share one analysis.
    let mut analysis = None;
    let fresh;
    let (credits, money) = if let Some(c) = &prep.credits {
        (c.in_range(&range), &prep.money)
    } else {
        let a = analysis.insert(crate::sources::analyse(ctx));
        let cfg = &ctx.config.attribution;
        let att = crate::attribution::attribute_window(a, &range, cfg, ctx.model)?;
        let mut money = prep.money.clone();
        money.clear_credits();
        money.add_credits(ctx, prepared::opening_credits(a, &att));
        fresh = money;
        (
            crate::attribution::CreditDays::build(ctx, a, &att).in_range(&range),
            &fresh,
        )
    };
    let compare_with = if opts.compare_models {
        Some(&*analysis.get_or_insert_with(|| crate::sources::analyse(ctx)))
    } else {
        None
    };
    let sources = crate::attribution::sources_section(ctx, &prep.sources, &credits, compare_with);
    let mut engagement = crate::engagement::sections::sections(ctx, days);
    // A template's (and campaign's) cost is what billing charged its messages; its
    // conversions are the credits of conversations its messages opened.
    money.fill(&range, &mut engagement.templates, &mut engagement.campaigns);
    warnings.extend(currency_warnings(ctx, prep));
    warnings.extend(sources.warnings);
    let mut report = Report {
        range: RangeInfo {
            from: range.from,
            to: range.to,
            days: range.days(),
            time_zone: range.tz.name().to_string(),
            phone: opts.phone.clone(),
        },
        overall: sources.overall,
        input: ctx.store.stats.clone(),
        billing,
        usage,
        sources: sources.rows,
        events: prep.events.rows(&range),
        attribution: sources.attribution,
        engagement: engagement.engagement,
        templates: engagement.templates,
        campaigns: engagement.campaigns,
        compare: None,
        warnings,
    };
    if opts.compare {
        report.compare = Some(previous_period(ctx, opts, days, prep, past, &report)?);
    }
    Ok(report)
}

/// The warnings about the report currency: how it was chosen when none is configured, and
/// the external event values in the range left out for their currency.
fn currency_warnings(ctx: &Scope<'_>, prep: &Prepared) -> Vec<String> {
    let mut out = Vec::new();
    if ctx.currency_guessed {
        out.push(format!(
            "no currency configured: the report is in {}, the most frequent currency of the money records (set `currency` in the config to choose)",
            ctx.currency
        ));
    }
    for (cur, (n, micros)) in prep.events.other_in_range(&ctx.range) {
        out.push(format!(
            "{} {cur} of external event values left out ({n} event{}): not in the report currency {} (no conversion is done)",
            crate::model::money::format_micros(micros, 2),
            if n == 1 { "" } else { "s" },
            ctx.currency
        ));
    }
    out
}

/// The same report over the previous period of equal length, compared with `report`.
fn previous_period(
    ctx: &Scope<'_>,
    opts: &ReportOptions,
    days: &DayStore,
    prep: &Prepared,
    past: Option<&Past<'_>>,
    report: &Report,
) -> Result<compare::Comparison, ReportError> {
    let range = ctx.range;
    let n = chrono::Duration::days(range.days());
    let prev_opts = ReportOptions {
        from: Some(range.from - n),
        to: Some(range.from),
        last: None,
        compare: false,
        time_zone: Some(range.tz.name().to_string()),
        ..opts.clone()
    };
    // Same zone, number filter, model and conversion event: the same days and
    // preparation serve.
    let prev_ctx = context(ctx.store, ctx.config, range.tz, &prev_opts)?;
    let previous = build_report(&prev_ctx, &prev_opts, days, prep, past)?;
    Ok(compare::Comparison::new(&previous, report))
}
