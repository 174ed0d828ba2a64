//! Billing: what WhatsApp charges (semantics §2).

use crate::model::money::{Currency, decimal_micros};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A rate card in the config: an inline list, or a path for the caller to resolve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RateCardSpec {
    /// A file path (CSV when it ends in `.csv`, else JSON), resolved by
    /// [`crate::Config::resolve_rate_card`].
    Path(String),
    /// The rates themselves.
    Inline(Vec<RateRow>),
}

impl RateCardSpec {
    /// Check the card: a path must have been resolved before use is not checked here.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            RateCardSpec::Path(p) if p.trim().is_empty() => Err("empty path".into()),
            _ => Ok(()),
        }
    }
}

/// One rate: the price of one charged unit (a CBP conversation or a PMP message) of a
/// category in a market, from a date on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    /// Market name (`north_america`, `India`, `Rest of Africa`, ...).
    pub market: String,
    /// Category (`marketing`, `utility`, `authentication`, `authentication_international`, `service`).
    pub category: String,
    /// Price in major units, stored as micro-units.
    #[serde(with = "decimal_micros")]
    pub price: i64,
    /// Currency of the price.
    pub currency: Currency,
    /// First day (UTC) the price applies.
    pub effective_from: NaiveDate,
}

impl RateRow {
    /// Parse a JSON array of rates.
    pub fn parse_json(text: &str) -> Result<Vec<RateRow>, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Parse CSV with a header `market,category,price,currency,effective_from`.
    pub fn parse_csv(text: &str) -> Result<Vec<RateRow>, String> {
        let mut rows = Vec::new();
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let Some((_, header)) = lines.next() else {
            return Ok(rows);
        };
        let cols: Vec<String> = header
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let idx = |name: &str| {
            cols.iter()
                .position(|c| c == name)
                .ok_or_else(|| format!("CSV header lacks `{name}`"))
        };
        let (im, ic, ip, icur, ie) = (
            idx("market")?,
            idx("category")?,
            idx("price")?,
            idx("currency")?,
            idx("effective_from")?,
        );
        for (n, line) in lines {
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let get = |i: usize| {
                f.get(i)
                    .copied()
                    .ok_or_else(|| format!("line {}: missing column {}", n + 1, i + 1))
            };
            rows.push(RateRow {
                market: get(im)?.to_string(),
                category: get(ic)?.to_string(),
                price: crate::model::money::parse_decimal_micros(get(ip)?)
                    .map_err(|e| format!("line {}: price: {e}", n + 1))?,
                currency: Currency::new(get(icur)?)
                    .ok_or_else(|| format!("line {}: bad currency", n + 1))?,
                effective_from: NaiveDate::parse_from_str(get(ie)?, "%Y-%m-%d")
                    .map_err(|e| format!("line {}: effective_from: {e}", n + 1))?,
            });
        }
        Ok(rows)
    }
}

/// A dated entry of the pricing timeline supplied in the config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// The rule's name.
    pub rule: String,
    /// First day the entry applies.
    pub effective_from: NaiveDate,
    /// Whether the rule is on from that day.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A dated country→market override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketOverride {
    /// ISO 3166 alpha-2 country code.
    pub country: String,
    /// Market name.
    pub market: String,
    /// First day the override applies.
    pub effective_from: NaiveDate,
}
