#![doc = include_str!("guide/scope.md")]

use crate::config::{Config, ModelName};
use crate::error::ReportError;
use crate::model::money::Currency;
use crate::store::{PhoneIx, Store};
use crate::util::time::{DayRange, day_in, parse_tz};
use chrono::{Months, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// What to report on. Every field is optional; the default reports every ingested day in
/// the config's time zone, all business numbers and the config's attribution model.
///
/// Build one with the chained setters, or from JSON (the form Python keywords and JS
/// objects take) with [`ReportOptions::from_json`]. JSON names are the field names;
/// `start` and `end` are accepted for `from` and `to` (Python cannot name a keyword
/// `from`), as is `tz` for `time_zone`.
///
/// ```
/// use convolens::{ModelName, ReportOptions};
/// let a = ReportOptions::default().last("30d").phone("1001").model(ModelName::Linear);
/// let b = ReportOptions::from_json(r#"{"last": "30d", "phone": "1001", "model": "linear"}"#)?;
/// assert_eq!(a, b);
/// let err = ReportOptions::from_json(r#"{"start": "2025-13-01"}"#).unwrap_err();
/// assert_eq!(err.option(), Some("start"));
/// # Ok::<(), convolens::ReportError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ReportOptions {
    /// First day, inclusive (report time zone). JSON: `from` or `start`.
    #[serde(alias = "start")]
    pub from: Option<NaiveDate>,
    /// Last day, exclusive. JSON: `to` or `end`.
    #[serde(alias = "end")]
    pub to: Option<NaiveDate>,
    /// A period ending at the latest ingested day: `7d`, `14d`, `30d`, `6m`, `12m` (any `Nd`,
    /// `Nw`, `Nm` is accepted).
    pub last: Option<String>,
    /// Only this business number.
    pub phone: Option<String>,
    /// Override the config's time zone. JSON: `time_zone` or `tz`.
    #[serde(alias = "tz")]
    pub time_zone: Option<String>,
    /// Override the config's attribution model.
    pub model: Option<ModelName>,
    /// Compute every attribution model side by side (`attribution.comparison`).
    pub compare_models: bool,
    /// Also report the previous period of equal length and the change (see [`crate::report::compare`](crate::guide::report::compare)).
    pub compare: bool,
    /// The conversion event of this report, overriding the config's `conversion_event`:
    /// a configured messaging event or an external event name. JSON: `conversion_event`
    /// or (for JavaScript) `conversionEvent`.
    #[serde(alias = "conversionEvent")]
    pub conversion_event: Option<String>,
}

impl ReportOptions {
    /// Options from a JSON object. An unknown option, a wrong type or a bad value is a
    /// [`ReportError`] of kind `option` naming the option as written (`start` stays
    /// `start`).
    pub fn from_json(json: &str) -> Result<ReportOptions, ReportError> {
        let opts: ReportOptions =
            crate::util::serde::read_text_with_path(json).map_err(|(e, path)| {
                let mut option = path;
                let inner = e.to_string();
                if option.is_empty() {
                    // An unknown key is reported at the top level; name it.
                    option = unknown_field(&inner).unwrap_or_default();
                }
                let key = json_key_as_written(json, &option);
                ReportError::Option {
                    message: inner,
                    option: key,
                }
            })?;
        Ok(opts)
    }

    /// The first day, inclusive (report time zone).
    #[must_use]
    pub fn start(mut self, day: NaiveDate) -> Self {
        self.from = Some(day);
        self
    }

    /// The last day, exclusive.
    #[must_use]
    pub fn end(mut self, day: NaiveDate) -> Self {
        self.to = Some(day);
        self
    }

    /// A period ending at the latest ingested day: `7d`, `14d`, `30d`, `6m`, `12m`.
    #[must_use]
    pub fn last(mut self, period: impl Into<String>) -> Self {
        self.last = Some(period.into());
        self
    }

    /// Only this business number (`phone_number_id`).
    #[must_use]
    pub fn phone(mut self, phone_number_id: impl Into<String>) -> Self {
        self.phone = Some(phone_number_id.into());
        self
    }

    /// Report in this IANA time zone instead of the config's.
    #[must_use]
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
        self
    }

    /// Attribute with this model instead of the config's.
    #[must_use]
    pub fn model(mut self, model: ModelName) -> Self {
        self.model = Some(model);
        self
    }

    /// Every attribution model side by side (`attribution.comparison`).
    #[must_use]
    pub fn compare_models(mut self, on: bool) -> Self {
        self.compare_models = on;
        self
    }

    /// Also the previous period of equal length and the change.
    #[must_use]
    pub fn compare(mut self, on: bool) -> Self {
        self.compare = on;
        self
    }

    /// Choose the conversion event (a messaging event's name or an external event name).
    #[must_use]
    pub fn conversion_event(mut self, name: impl Into<String>) -> Self {
        self.conversion_event = Some(name.into());
        self
    }
}

/// The field serde calls unknown in `message` (``unknown field `x`, expected ...``).
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

/// `option` as the JSON wrote it: `start`/`end`/`tz` when the JSON used those aliases.
fn json_key_as_written(json: &str, option: &str) -> String {
    let alias = match option {
        "from" => "start",
        "to" => "end",
        "time_zone" => "tz",
        "conversion_event" => "conversionEvent",
        _ => return option.to_string(),
    };
    if json.contains(&format!("\"{alias}\"")) && !json.contains(&format!("\"{option}\"")) {
        alias.to_string()
    } else {
        option.to_string()
    }
}

/// Everything a section needs to compute itself.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The facts (timelines prepared).
    pub(crate) store: &'a Store,
    /// The configuration.
    pub(crate) config: &'a Config,
    /// The days reported on.
    pub(crate) range: DayRange,
    /// The business number filter.
    pub(crate) phone: Option<PhoneIx>,
    /// True when a phone filter names a number never seen (every section is then empty).
    pub(crate) phone_unknown: bool,
    /// The attribution model.
    pub(crate) model: ModelName,
    /// The conversion event chosen for this report, when it overrides the config's.
    pub(crate) conversion_event: Option<&'a str>,
    /// The report currency (see the module docs).
    pub(crate) currency: Currency,
    /// Whether `currency` was chosen as the most frequent of several (see the module docs).
    pub(crate) currency_guessed: bool,
}

impl<'a> Scope<'a> {
    /// Every day ingestion accepts, in `tz`, for all numbers, with the config's model,
    /// conversion event and report currency (what [`crate::expiry`](crate::guide::expiry) seals).
    pub fn whole(store: &'a Store, config: &'a Config, tz: Tz) -> Scope<'a> {
        let (currency, currency_guessed) = config.report_currency(|| store.money_currencies());
        Scope {
            store,
            config,
            range: crate::util::time::everything(tz),
            phone: None,
            phone_unknown: false,
            model: config.attribution.model,
            conversion_event: None,
            currency,
            currency_guessed,
        }
    }

    /// This scope over `range` instead (for benches that time the range query alone).
    #[must_use]
    pub fn with_range(self, range: DayRange) -> Scope<'a> {
        Scope { range, ..self }
    }

    /// Whether a message on business number `p` is included by the phone filter.
    pub(crate) fn phone_ok(&self, p: PhoneIx) -> bool {
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
    let last_message = store.last_message_ts.map(|t| day_in(t, tz)).or(latest);
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
            let to = last_message.map_or(epoch, |d| d.succ_opt().unwrap_or(d));
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
    let (from, to) = clamp_to_data(store, tz, from, to);
    Ok(DayRange { from, to, tz })
}

/// The longest range reported day by day as asked; a longer one is clamped to the days with
/// data in it (see the module docs).
pub(crate) const MAX_RANGE_DAYS: i64 = 3_660;

/// `[from, to)`, or when it is longer than [`MAX_RANGE_DAYS`], the days with data inside it
/// (none: an empty range at its start).
fn clamp_to_data(store: &Store, tz: Tz, from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    if (to - from).num_days() <= MAX_RANGE_DAYS {
        return (from, to);
    }
    match data_days(store, tz) {
        Some((first, last)) => {
            let f = from.max(first.min(to));
            (f, to.min(last.succ_opt().unwrap_or(last).max(f)))
        }
        None => (from, from),
    }
}

/// The first and last day (in `tz`) with an event or spend, if any.
fn data_days(store: &Store, tz: Tz) -> Option<(NaiveDate, NaiveDate)> {
    let events = store
        .min_ts
        .zip(store.max_ts)
        .map(|(a, b)| (day_in(a, tz), day_in(b, tz)));
    let spend = store.spend.values().map(|s| (s.from, s.to));
    events
        .into_iter()
        .chain(spend)
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// The context every section computes from.
pub fn context<'a>(
    store: &'a Store,
    config: &'a Config,
    default_tz: Tz,
    opts: &ReportOptions,
) -> Result<Scope<'a>, ReportError> {
    let tz = match &opts.time_zone {
        Some(z) => parse_tz(z).map_err(|m| ReportError::Option {
            option: "time_zone".into(),
            message: m,
        })?,
        None => default_tz,
    };
    let range = resolve_range(store, tz, opts)?;
    let phone = match opts.phone.as_deref() {
        Some(p) => Some(
            store
                .phone_by_id(p)
                .ok_or_else(|| unknown_phone(store, p))?,
        ),
        None => None,
    };
    let conversion_event = match opts.conversion_event.as_deref() {
        Some(name) => Some(known_event(store, config, name)?),
        None => None,
    };
    let (currency, currency_guessed) = config.report_currency(|| store.money_currencies());
    Ok(Scope {
        store,
        config,
        range,
        phone,
        phone_unknown: false,
        model: opts.model.unwrap_or(config.attribution.model),
        conversion_event: conversion_event
            .filter(|c| Some(*c) != config.conversion_event.as_deref()),
        currency,
        currency_guessed,
    })
}

/// The error for a `phone` the engine never saw: it lists the known numbers.
fn unknown_phone(store: &Store, p: &str) -> ReportError {
    let known: Vec<&str> = store
        .phones
        .iter()
        .map(|x| &**x)
        .filter(|x| !x.is_empty())
        .collect();
    ReportError::Option {
        option: "phone".into(),
        message: if known.is_empty() {
            format!("unknown business number `{p}`: no number has been seen")
        } else {
            format!(
                "unknown business number `{p}`; known numbers: {}",
                known.join(", ")
            )
        },
    }
}

/// The configured messaging event or the external event name `name` is; any other name
/// is refused (a typo would silently report no leads).
fn known_event<'a>(
    store: &'a Store,
    config: &'a Config,
    name: &str,
) -> Result<&'a str, ReportError> {
    let configured = config.events.iter().map(|e| e.name.as_str());
    let seen = store.externals.iter().map(|x| &*x.name);
    if let Some(n) = configured.chain(seen).find(|n| *n == name) {
        return Ok(n);
    }
    let mut known: Vec<&str> = config.events.iter().map(|e| e.name.as_str()).collect();
    let external: std::collections::BTreeSet<&str> =
        store.externals.iter().map(|x| &*x.name).collect();
    known.extend(external);
    Err(ReportError::Option {
        option: "conversion_event".into(),
        message: format!(
            "`{name}` is neither a configured messaging event nor an external event seen; known events: {}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ),
    })
}
