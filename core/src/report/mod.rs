//! Reports: one serde type, printed as JSON by the `report` program, handed to Python as
//! dicts and to JS as plain objects.
//!
//! # Range rules
//!
//! - A range is half-open `[from, to)` in calendar days of the report time zone.
//! - `last` (`7d`, `14d`, `30d`, `6m`, `12m`) ends at the latest ingested day, inclusive:
//!   `to` is the day after it and `from` is `to` minus the period.
//! - With neither, the range covers every ingested day (or is empty when nothing was
//!   ingested).
//! - `phone` restricts every section to one business number (`phone_number_id`).
//! - The `input` section describes ingestion over the engine's life, not the range.
//! - `compare` adds the same report over the previous period of equal length and the change
//!   of each number ([`compare`]).

pub mod compare;
pub mod csv;
pub mod prepared;
pub mod text;

pub use prepared::Prepared;

use crate::attribution::ModelName;
use crate::config::{Config, parse_tz};
use crate::error::ReportError;
use crate::store::{InputStats, PhoneIx, Store};
use crate::time::{DayRange, day_in};
use chrono::{Months, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What to report on. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportOptions {
    /// First day, inclusive (report time zone).
    pub from: Option<NaiveDate>,
    /// Last day, exclusive.
    pub to: Option<NaiveDate>,
    /// A period ending at the latest ingested day: `7d`, `14d`, `30d`, `6m`, `12m` (any `Nd`,
    /// `Nw`, `Nm` is accepted).
    pub last: Option<String>,
    /// Only this business number.
    pub phone: Option<String>,
    /// Override the config's time zone.
    pub time_zone: Option<String>,
    /// Override the config's attribution model.
    pub model: Option<ModelName>,
    /// Compute every attribution model side by side (`attribution.comparison`).
    pub compare_models: bool,
    /// Also report the previous period of equal length and the change (see [`compare`]).
    pub compare: bool,
}

/// The reported range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// A full report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The range reported on.
    pub range: RangeInfo,
    /// Ingestion counts (over the engine's life).
    pub input: InputStats,
    /// What Meta charges for business messages (semantics §2).
    pub billing: crate::billing::BillingSection,
    /// Monthly usage against the quota (semantics §2, seed 004).
    pub usage: crate::billing::UsageSection,
    /// One row per source (semantics §3, §4): see [`crate::sources`].
    pub sources: Vec<crate::sources::SourceRow>,
    /// What was attributed and how (see [`crate::attribution`]).
    pub attribution: crate::sources::AttributionSummary,
    /// Engagement: active users, volumes, support, authorship (semantics §5).
    pub engagement: crate::engagement::Engagement,
    /// Per-template funnels (semantics §5).
    pub templates: Vec<crate::engagement::TemplateRow>,
    /// Per-campaign funnels (semantics §5).
    pub campaigns: Vec<crate::engagement::TemplateRow>,
    /// The previous period and the change, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<compare::Comparison>,
    /// What the report left out or could not price, in plain words (empty when nothing):
    /// e.g. charged units without a rate, Meta Business Agent messages without a price.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Everything a section needs to compute itself.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The facts (timelines prepared).
    pub store: &'a Store,
    /// The configuration.
    pub config: &'a Config,
    /// The days reported on.
    pub range: DayRange,
    /// The business number filter.
    pub phone: Option<PhoneIx>,
    /// True when a phone filter names a number never seen (every section is then empty).
    pub phone_unknown: bool,
    /// The attribution model.
    pub model: ModelName,
}

impl Ctx<'_> {
    /// Whether a message on business number `p` is included by the phone filter.
    pub fn phone_ok(&self, p: PhoneIx) -> bool {
        !self.phone_unknown && self.phone.is_none_or(|x| x == p)
    }
}

/// Parse a period like `7d`, `2w`, `6m`, `12m`, `1y`.
fn parse_last(s: &str) -> Result<(u32, char), ReportError> {
    let bad = || ReportError::Option {
        option: "last".into(),
        message: format!("`{s}` is not a period like 7d, 14d, 30d, 6m or 12m"),
    };
    let s = s.trim().to_ascii_lowercase();
    let unit = s.chars().last().ok_or_else(bad)?;
    let n: u32 = s[..s.len() - 1].parse().map_err(|_| bad())?;
    if n == 0 || n > 3660 || !matches!(unit, 'd' | 'w' | 'm' | 'y') {
        return Err(bad());
    }
    Ok((n, unit))
}

/// Resolve the options into a day range.
pub fn resolve_range(store: &Store, tz: Tz, opts: &ReportOptions) -> Result<DayRange, ReportError> {
    let latest = store.max_ts.map(|t| day_in(t, tz));
    let earliest = store.min_ts.map(|t| day_in(t, tz));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let (from, to) = match (&opts.last, opts.from, opts.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(ReportError::Option {
                option: "last".into(),
                message: "use either `last` or `from`/`to`, not both".into(),
            });
        }
        (Some(last), None, None) => {
            let (n, unit) = parse_last(last)?;
            let to = latest.map_or(epoch, |d| d.succ_opt().unwrap_or(d));
            let from = match unit {
                'd' => to - chrono::Duration::days(i64::from(n)),
                'w' => to - chrono::Duration::days(7 * i64::from(n)),
                'm' => to.checked_sub_months(Months::new(n)).unwrap_or(epoch),
                _ => to.checked_sub_months(Months::new(12 * n)).unwrap_or(epoch),
            };
            (from, to)
        }
        (None, from, to) => {
            let to = to
                .or_else(|| latest.and_then(|d| d.succ_opt()))
                .unwrap_or(epoch);
            let from = from.or(earliest).unwrap_or(to);
            (from, to)
        }
    };
    if to < from {
        return Err(ReportError::Range(format!(
            "`to` {to} is before `from` {from}"
        )));
    }
    Ok(DayRange { from, to, tz })
}

/// The context every section computes from.
pub fn context<'a>(
    store: &'a Store,
    config: &'a Config,
    default_tz: Tz,
    opts: &ReportOptions,
) -> Result<Ctx<'a>, ReportError> {
    let tz = match &opts.time_zone {
        Some(z) => parse_tz(z).map_err(|m| ReportError::Option {
            option: "time_zone".into(),
            message: m,
        })?,
        None => default_tz,
    };
    let range = resolve_range(store, tz, opts)?;
    let phone = opts.phone.as_deref().and_then(|p| store.phone_by_id(p));
    Ok(Ctx {
        store,
        config,
        range,
        phone,
        phone_unknown: opts.phone.is_some() && phone.is_none(),
        model: opts.model.unwrap_or(config.attribution.model),
    })
}

/// Build a report from a prepared store.
pub fn build(
    store: &Store,
    config: &Config,
    default_tz: Tz,
    opts: &ReportOptions,
) -> Result<Report, ReportError> {
    build_with(store, config, default_tz, opts, None)
}

/// [`build`] with day aggregates already built (used when they are in the zone reported in;
/// otherwise they are built for this report).
pub fn build_with(
    store: &Store,
    config: &Config,
    default_tz: Tz,
    opts: &ReportOptions,
    days: Option<&crate::engagement::DayStore>,
) -> Result<Report, ReportError> {
    build_prepared(store, config, default_tz, opts, days, None)
}

/// [`build_with`] with a [`Prepared`] of the same engine state, used when it fits the
/// report's zone, number filter and model (otherwise one is built for this report).
pub fn build_prepared(
    store: &Store,
    config: &Config,
    default_tz: Tz,
    opts: &ReportOptions,
    days: Option<&crate::engagement::DayStore>,
    prepared: Option<&Prepared>,
) -> Result<Report, ReportError> {
    let ctx = context(store, config, default_tz, opts)?;
    if let Some(x) = store.expiry.as_deref() {
        x.check(&ctx, opts)?;
    }
    let range = ctx.range;
    let tz = range.tz;
    let built;
    let days = match days {
        Some(d) if d.tz() == tz => d,
        _ => {
            built = crate::engagement::build(store, tz);
            &built
        }
    };
    let built_prep;
    let prep = match prepared {
        Some(p) if p.fits(&ctx) => p,
        _ => {
            built_prep = Prepared::build(&ctx)?;
            &built_prep
        }
    };
    let (billing, usage) = prep.billing.sections(&ctx);
    let warnings = crate::billing::report::warnings(&billing, config.rate_card.is_some());
    // Without pre-aggregated credits (the data-driven models), attribute the range anew;
    // the model comparison does so under every model. Both share one analysis.
    let mut analysis = None;
    let fresh;
    let (credits, money) = if let Some(c) = &prep.credits {
        (c.in_range(&range), &prep.money)
    } else {
        let a = analysis.insert(crate::sources::analyse(&ctx));
        let att = crate::attribution::attribute(a, &range, &config.attribution, ctx.model)?;
        let mut money = prep.money.clone();
        money.clear_credits();
        money.add_credits(&ctx, prepared::opening_credits(a, &att));
        fresh = money;
        (
            crate::sources::CreditDays::build(&ctx, a, &att).in_range(&range),
            &fresh,
        )
    };
    let compare_with = if opts.compare_models {
        Some(&*analysis.get_or_insert_with(|| crate::sources::analyse(&ctx)))
    } else {
        None
    };
    let sources = crate::sources::build_section_days(&ctx, &prep.sources, &credits, compare_with)?;
    let mut engagement = crate::engagement::report::sections(&ctx, days);
    // A template's (and campaign's) cost is what billing charged its messages; its
    // conversions are the credits of conversations its messages opened.
    money.fill(&range, &mut engagement.templates, &mut engagement.campaigns);
    let mut report = Report {
        range: RangeInfo {
            from: range.from,
            to: range.to,
            days: range.days(),
            time_zone: tz.name().to_string(),
            phone: opts.phone.clone(),
        },
        input: store.stats.clone(),
        billing,
        usage,
        sources: sources.rows,
        attribution: sources.attribution,
        engagement: engagement.engagement,
        templates: engagement.templates,
        campaigns: engagement.campaigns,
        compare: None,
        warnings,
    };
    if opts.compare {
        let n = chrono::Duration::days(range.days());
        let prev_opts = ReportOptions {
            from: Some(range.from - n),
            to: Some(range.from),
            last: None,
            compare: false,
            time_zone: Some(tz.name().to_string()),
            ..opts.clone()
        };
        let previous = build_prepared(
            store,
            config,
            default_tz,
            &prev_opts,
            Some(days),
            Some(prep),
        )?;
        report.compare = Some(compare::Comparison::new(&previous, &report));
    }
    Ok(report)
}
