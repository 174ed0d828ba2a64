#![doc = include_str!("../guide/config.md")]

mod attribution;
mod events;
mod privacy;

pub use attribution::{AttributionConfig, ModelName};
pub use events::{EventDef, EventKind, FunnelDef, MatchKind, SourceRule};
pub use privacy::{CapiConfig, CapiEventName, Pseudonymise};

use crate::error::ConfigError;
use crate::model::country::MarketOverride;
use crate::model::money::Currency;
use crate::model::pricing::{Timeline, TimelineEntry};
use crate::model::rates::{RateCard, RateCardSpec, RateRow};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Engine and report configuration. Every field has a default; `{}` is a valid config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// IANA time zone for calendar days, weekdays and hours in reports. Default `"UTC"`.
    pub time_zone: String,
    /// The report currency: money in it is summed, money in another currency is left out
    /// (and said so in the report's `warnings`); also the currency of records that do not
    /// name one. Default: the rate card's currency, else the single currency of the money
    /// records (external event values and spend), else the most frequent of them; records
    /// without a currency are then read as USD. See `Config::report_currency`.
    pub currency: Option<Currency>,
    /// The conversion event that makes a conversation a lead: an external event name
    /// (`purchase`), or the name of a messaging event in `events`. Default: chosen in the
    /// order external event, button reply, list reply, text reply (semantics §4).
    pub conversion_event: Option<String>,
    /// Messaging events: patterns on inbound messages (semantics §4).
    pub events: Vec<EventDef>,
    /// Attribution of external events to conversations (semantics §4).
    pub attribution: AttributionConfig,
    /// Custom incoming source rules on the first inbound text (wa.me prefilled text, QR refs).
    pub sources: Vec<SourceRule>,
    /// Display names for source keys (`{"meta_ad:123": "Summer sale"}`).
    pub source_names: crate::util::sorted_map::Map<String, String>,
    /// Funnels: ordered event names, reported per source.
    pub funnels: Vec<FunnelDef>,
    /// Rate card: an inline list of rates, or a path the caller resolves
    /// (see [`Config::resolve_rate_card`]).
    pub rate_card: Option<RateCardSpec>,
    /// Edits of the pricing timeline: switch a built-in entry on or off, move it, or add
    /// Meta's next change (see [`crate::model::pricing`](crate::guide::model::pricing)).
    pub pricing_timeline: Vec<TimelineEntry>,
    /// Dated country→market overrides on top of Meta's table.
    pub markets: Vec<MarketOverride>,
    /// Analytic conversations end after this many hours without messages. Default 24.
    pub inactivity_timeout_hours: u32,
    /// Monthly quota of billable units (CBP conversations, PMP charged messages) for the
    /// `usage` section (seed 004).
    pub quota: Option<u64>,
    /// Names of custom external events (besides `purchase` and `subscription`) that funnel
    /// steps may name. A funnel step must name a messaging event of `events`, `purchase`,
    /// `subscription`, the `conversion_event` or one of these, so a misspelt step is an
    /// error rather than a funnel nobody ever reaches.
    pub external_events: Vec<String>,
    /// How late (in days) input may arrive and still be placed in order. Default 7.
    pub lateness_days: u32,
    /// Meta's Conversions API for Business Messaging: which events to send under which
    /// name (see [`crate::attribution::capi`](crate::guide::attribution::capi)).
    pub capi: CapiConfig,
    /// Keep keyed hashes of user identifiers instead of the identifiers, and no names or
    /// message text (see [`crate::Engine::with_secret`]). Default off.
    pub pseudonymise: Option<Pseudonymise>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            time_zone: "UTC".into(),
            currency: None,
            conversion_event: None,
            events: Vec::new(),
            attribution: AttributionConfig::default(),
            sources: Vec::new(),
            source_names: crate::util::sorted_map::Map::new(),
            funnels: Vec::new(),
            rate_card: None,
            pricing_timeline: Vec::new(),
            markets: Vec::new(),
            inactivity_timeout_hours: 24,
            quota: None,
            external_events: Vec::new(),
            lateness_days: 7,
            capi: CapiConfig::default(),
            pseudonymise: None,
        }
    }
}

impl Config {
    /// Parse a JSON config: an object. Unknown keys, wrong types and invalid values are
    /// errors that name the key; anything but an object (an array, which serde would read
    /// field by field in order, a string, ...) is an error too.
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let first = json.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if !first.is_empty() && !first.starts_with('{') {
            let what = match first.as_bytes()[0] {
                b'[' => "an array",
                b'"' => "a string",
                b'n' => "null",
                b't' | b'f' => "a boolean",
                _ => "not a JSON object",
            };
            return Err(ConfigError::Invalid {
                path: String::new(),
                message: format!("a config is a JSON object (`{{...}}`), this is {what}"),
            });
        }
        let cfg: Config = crate::util::serde::read_text_with_path(json).map_err(|(e, path)| {
            ConfigError::Invalid {
                path,
                message: e.to_string(),
            }
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The currency of records that do not name one: the configured `currency`, else the
    /// rate card's (when given inline), else USD.
    pub fn record_currency(&self) -> Currency {
        self.currency
            .or_else(|| self.card_currency())
            .unwrap_or(Currency::USD)
    }

    /// The currency of an inline rate card (its first row's: a card has one currency).
    fn card_currency(&self) -> Option<Currency> {
        match &self.rate_card {
            Some(RateCardSpec::Inline(rows)) => rows.first().map(|r| r.currency),
            _ => None,
        }
    }

    /// The report currency: the configured `currency`, else the rate card's, else the most
    /// frequent currency of the money records (`counts()`: records per currency; ties: the
    /// first in alphabetical order), else USD. The second value is true when it was chosen
    /// among several currencies (a report says so in `warnings`).
    pub(crate) fn report_currency(
        &self,
        counts: impl FnOnce() -> crate::util::sorted_map::Map<Currency, u64>,
    ) -> (Currency, bool) {
        if let Some(c) = self.currency.or_else(|| self.card_currency()) {
            return (c, false);
        }
        let counts = counts();
        // Most records first, then alphabetical (the map iterates in currency order).
        let best = counts
            .iter()
            .fold(None, |best: Option<(&Currency, u64)>, (c, n)| match best {
                Some((_, m)) if m >= *n => best,
                _ => Some((c, *n)),
            });
        (best.map_or(Currency::USD, |(c, _)| *c), counts.len() > 1)
    }

    /// The time zone, parsed.
    pub fn tz(&self) -> Result<Tz, ConfigError> {
        crate::util::time::parse_tz(&self.time_zone).map_err(|m| ConfigError::value("time_zone", m))
    }

    /// Check every value that types alone cannot: the zone exists, regexes compile,
    /// numbers are in range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.tz()?;
        if let Some(c) = self.currency.filter(|c| !c.is_iso4217()) {
            return Err(ConfigError::value(
                "currency",
                format!("`{c}` is not an ISO 4217 currency code"),
            ));
        }
        if self.inactivity_timeout_hours == 0 || self.inactivity_timeout_hours > 24 * 365 {
            return Err(ConfigError::value(
                "inactivity_timeout_hours",
                "must be between 1 and 8760",
            ));
        }
        if self.lateness_days > 366 {
            return Err(ConfigError::value("lateness_days", "must be at most 366"));
        }
        self.attribution.validate()?;
        self.capi
            .validate()
            .map_err(|m| ConfigError::value("capi", m))?;
        if let Some(p) = &self.pseudonymise {
            if p.secret_env.trim().is_empty() {
                return Err(ConfigError::value(
                    "pseudonymise.secret_env",
                    "must name an environment variable",
                ));
            }
        }
        for (i, r) in self.sources.iter().enumerate() {
            r.validate()
                .map_err(|m| ConfigError::value(format!("sources[{i}]"), m))?;
        }
        for (i, e) in self.events.iter().enumerate() {
            e.validate()
                .map_err(|m| ConfigError::value(format!("events[{i}]"), m))?;
        }
        Timeline::from_config(&self.pricing_timeline)
            .map_err(|m| ConfigError::value("pricing_timeline", m))?;
        crate::model::country::market_table(&self.markets)
            .map_err(|m| ConfigError::value("markets", m))?;
        if let Some(rc) = &self.rate_card {
            rc.validate()
                .map_err(|m| ConfigError::value("rate_card", m))?;
        }
        self.validate_funnels()
    }

    /// Every funnel step names a known event (see `external_events`).
    fn validate_funnels(&self) -> Result<(), ConfigError> {
        let known = |name: &str| {
            self.events.iter().any(|e| e.name == name)
                || matches!(name, "purchase" | "subscription")
                || self.conversion_event.as_deref() == Some(name)
                || self.external_events.iter().any(|x| x == name)
        };
        for (i, f) in self.funnels.iter().enumerate() {
            for (j, step) in f.steps.iter().enumerate() {
                if !known(step) {
                    return Err(ConfigError::value(
                        format!("funnels[{i}].steps[{j}]"),
                        format!(
                            "`{step}` is not a messaging event of `events`, `purchase`, `subscription`, the `conversion_event` or a name in `external_events`"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Replace a `rate_card` given as a path by its contents, read with `read` (the core does
    /// no file I/O itself). CSV when the path ends in `.csv`, else JSON.
    ///
    /// **The path rule**, the same for the `report` program, Python and JS: a relative
    /// path is relative to the folder of the config file it was written in (`config_dir`);
    /// with no config file (a config built in code, a Python dict, a JS object) it is
    /// relative to the working directory, or whatever `read` makes of it (`config_dir`
    /// `None`). `read` receives the resolved path.
    ///
    /// ```
    /// use std::path::Path;
    /// let mut cfg = convolens::Config::from_json(r#"{"rate_card": "cards/rates.csv"}"#)?;
    /// let mut asked = String::new();
    /// cfg.resolve_rate_card(Some(Path::new("/etc/convolens")), |p| {
    ///     asked = p.display().to_string();
    ///     Ok("market,category,price,currency,effective_from\nIndia,utility,0.0014,USD,2025-07-01\n".into())
    /// })?;
    /// assert_eq!(asked, "/etc/convolens/cards/rates.csv");
    /// assert!(matches!(cfg.rate_card, Some(convolens::RateCardSpec::Inline(_))));
    /// # Ok::<(), convolens::ConfigError>(())
    /// ```
    pub fn resolve_rate_card<F>(
        &mut self,
        config_dir: Option<&std::path::Path>,
        read: F,
    ) -> Result<(), ConfigError>
    where
        F: FnOnce(&std::path::Path) -> std::io::Result<String>,
    {
        if let Some(RateCardSpec::Path(p)) = &self.rate_card {
            let path = std::path::Path::new(p);
            let path = match config_dir {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path.to_path_buf(),
            };
            let text = read(&path)
                .map_err(|e| ConfigError::value("rate_card", format!("cannot read `{p}`: {e}")))?;
            let fail = |m: String| ConfigError::value("rate_card", format!("`{p}`: {m}"));
            // Rows are checked here, where the file is known: a bad value names the file
            // and its line (CSV) or its 1-based row (JSON), as syntax errors do.
            let rates = if p.to_ascii_lowercase().ends_with(".csv") {
                let rows = RateRow::parse_csv_lines(&text).map_err(fail)?;
                let (lines, rates): (Vec<usize>, Vec<_>) = rows.into_iter().unzip();
                RateCard::from_rows_at(&rates)
                    .map_err(|(i, m)| fail(format!("line {}: {m}", lines[i])))?;
                rates
            } else {
                let rates = RateRow::parse_json(&text).map_err(fail)?;
                RateCard::from_rows_at(&rates)
                    .map_err(|(i, m)| fail(format!("row {}: {m}", i + 1)))?;
                rates
            };
            self.rate_card = Some(RateCardSpec::Inline(rates));
        }
        Ok(())
    }
}
