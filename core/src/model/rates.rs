#![doc = include_str!("../guide/model/rates.md")]

use crate::model::Category;
use crate::model::country::Market;
use crate::model::money::{Currency, decimal_micros, parse_decimal_micros};
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A rate card in the config: an inline list, or a path for the caller to resolve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum RateCardSpec {
    /// A file path (CSV when it ends in `.csv`, else JSON), resolved by
    /// [`crate::Config::resolve_rate_card`].
    Path(String),
    /// The rates themselves.
    Inline(Vec<RateRow>),
}

impl RateCardSpec {
    /// Check the card: a path must not be empty; inline rows must form a valid `RateCard`.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            RateCardSpec::Path(p) if p.trim().is_empty() => Err("empty path".into()),
            RateCardSpec::Path(_) => Ok(()),
            RateCardSpec::Inline(rows) => RateCard::from_rows(rows).map(|_| ()),
        }
    }
}

/// One rate: the price of one charged unit (a CBP conversation or a PMP message) of a
/// category in a market, from a date on, optionally for one volume-tier band.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RateRow {
    /// Market name (`north_america`, `India`, `Rest of Africa`, ...).
    pub market: String,
    /// Category (`marketing`, `marketing_lite`, `utility`, `authentication`,
    /// `authentication_international`, `service`).
    pub category: String,
    /// Price in major units, stored as micro-units.
    #[serde(with = "decimal_micros")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::model::money::MajorUnits"))]
    pub price: i64,
    /// Currency of the price.
    pub currency: Currency,
    /// First day the price applies (business time zone).
    pub effective_from: NaiveDate,
    /// First charged message of the month in this band (1 = the first). Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_from: Option<u64>,
    /// Last charged message of the month in this band (inclusive). Default: no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_to: Option<u64>,
    /// What one `price` buys: `message` (default) or, for `meta_business_agent` rows only
    /// and required there, `token`, `1k_tokens` or `1m_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Tokens one price buys for a `unit` (`None`: per message); `Err` for an unknown unit.
fn tokens_per_price(unit: Option<&str>) -> Result<Option<u64>, String> {
    let Some(u) = unit.map(|u| u.trim().to_ascii_lowercase().replace([' ', '-'], "_")) else {
        return Ok(None);
    };
    Ok(match u.as_str() {
        "" | "message" | "messages" => None,
        "token" | "tokens" | "1_token" => Some(1),
        "1k_tokens" | "1000_tokens" | "1k_token" => Some(1_000),
        "1m_tokens" | "1000000_tokens" | "1m_token" => Some(1_000_000),
        _ => {
            return Err(format!(
                "unit `{u}` is not message, token, 1k_tokens or 1m_tokens"
            ));
        }
    })
}

impl RateRow {
    /// Parse a JSON array of rates.
    pub fn parse_json(text: &str) -> Result<Vec<RateRow>, String> {
        crate::util::serde::from_json_text(text).map_err(|e| e.to_string())
    }

    /// Parse CSV with a header naming at least `market,category,price,currency,effective_from`
    /// (any order; optional `tier_from`, `tier_to`, `unit`). Lines starting with `#` and blank lines
    /// are skipped. Errors name the line (1-based, counting every line of the text).
    pub fn parse_csv(text: &str) -> Result<Vec<RateRow>, String> {
        Ok(RateRow::parse_csv_lines(text)?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// [`RateRow::parse_csv`], each row with its 1-based line in the text. Read by the
    /// `csv` crate: a quoted field may hold commas, quotes (`""`) and line breaks.
    pub(crate) fn parse_csv_lines(text: &str) -> Result<Vec<(usize, RateRow)>, String> {
        let mut rows = Vec::new();
        let mut reader = crate::util::csv::reader(text);
        let cols: Vec<String> = match reader.headers() {
            Ok(h) => h
                .iter()
                .map(|c| c.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
                .collect(),
            Err(e) => return Err(format!("CSV header: {e}")),
        };
        if cols.iter().all(String::is_empty) {
            return Ok(rows);
        }
        let ix = CsvColumns::of(&cols)?;
        for record in reader.records() {
            let record = record.map_err(|e| e.to_string())?;
            let ln = record.position().map_or(0, |p| p.line() as usize);
            let f: Vec<&str> = record.iter().collect();
            if f.iter().all(|c| c.is_empty()) {
                continue;
            }
            rows.push((ln, ix.row(&f, ln)?));
        }
        Ok(rows)
    }
}

/// Where each field of a rate card CSV is.
struct CsvColumns {
    market: usize,
    category: usize,
    price: usize,
    currency: usize,
    effective_from: usize,
    tier_from: Option<usize>,
    tier_to: Option<usize>,
    unit: Option<usize>,
}

impl CsvColumns {
    /// The columns of a (lower-cased) header; the first five are required.
    fn of(cols: &[String]) -> Result<CsvColumns, String> {
        let idx = |name: &str| cols.iter().position(|c| c == name);
        let need = |name: &str| idx(name).ok_or_else(|| format!("CSV header lacks `{name}`"));
        Ok(CsvColumns {
            market: need("market")?,
            category: need("category")?,
            price: need("price")?,
            currency: need("currency")?,
            effective_from: need("effective_from")?,
            tier_from: idx("tier_from"),
            tier_to: idx("tier_to"),
            unit: idx("unit"),
        })
    }

    /// The rate of one record `f`, which starts on line `ln`.
    fn row(&self, f: &[&str], ln: usize) -> Result<RateRow, String> {
        let get = |i: usize, name: &str| {
            f.get(i)
                .copied()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("line {ln}: `{name}` is empty"))
        };
        let opt_u64 = |i: Option<usize>, name: &str| -> Result<Option<u64>, String> {
            match i
                .and_then(|i| f.get(i))
                .map(|s| s.replace('_', ""))
                .filter(|s| !s.is_empty())
            {
                None => Ok(None),
                Some(s) => s
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("line {ln}: `{name}`: `{s}` is not a whole number")),
            }
        };
        Ok(RateRow {
            market: get(self.market, "market")?.to_string(),
            category: get(self.category, "category")?.to_string(),
            price: parse_decimal_micros(get(self.price, "price")?)
                .map_err(|e| format!("line {ln}: `price`: {e}"))?,
            currency: Currency::new(get(self.currency, "currency")?)
                .ok_or_else(|| format!("line {ln}: `currency` is not a three-letter code"))?,
            effective_from: crate::util::time::parse_ymd(get(
                self.effective_from,
                "effective_from",
            )?)
            .map_err(|e| format!("line {ln}: `effective_from`: {e}"))?,
            tier_from: opt_u64(self.tier_from, "tier_from")?,
            tier_to: opt_u64(self.tier_to, "tier_to")?,
            unit: self
                .unit
                .and_then(|i| f.get(i))
                .filter(|u| !u.is_empty())
                .map(|u| (*u).to_string()),
        })
    }
}

/// One priced band of a rate card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Band {
    from: NaiveDate,
    tier_from: u64,
    tier_to: u64,
    micros: i64,
    /// Tokens the price buys (`None`: one message).
    per_tokens: Option<u64>,
}

impl Band {
    /// Same effective day and overlapping tiers: two prices for one message.
    fn overlaps(&self, o: &Band) -> bool {
        self.from == o.from && self.tier_from <= o.tier_to && o.tier_from <= self.tier_to
    }
}

/// A validated rate card: prices by market, category, day and tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RateCard {
    currency: Currency,
    /// `None` as the market: the `*` rows, for markets without their own.
    rates: Map<(Option<Market>, Category), Vec<Band>>,
}

/// The categories a rate card can price.
fn rate_category(s: &str) -> Option<Category> {
    match Category::parse(s) {
        Category::Other | Category::ReferralConversion => None,
        c => Some(c),
    }
}

/// A row's market (`None`: any market), category and, for token rates, the tokens its
/// price buys; errors say what is wrong with the row.
fn row_key(r: &RateRow) -> Result<(Option<Market>, Category, Option<u64>), String> {
    let market = match r.market.trim() {
        "*" | "any" | "ANY" | "Any" => None,
        name => Some(Market::parse_name_or_code(name)?),
    };
    let cat = rate_category(&r.category).ok_or_else(|| {
        format!(
            "`{}` is not marketing, marketing_lite, utility, authentication, authentication_international, service or meta_business_agent",
            r.category
        )
    })?;
    let per_tokens = tokens_per_price(r.unit.as_deref())?;
    match (cat == Category::BusinessAgent, per_tokens) {
        (true, None) => Err(
            "a meta_business_agent rate is per token: give `unit` token, 1k_tokens or 1m_tokens"
                .into(),
        ),
        (false, Some(_)) => Err(format!(
            "only meta_business_agent rates are per token, not {cat}"
        )),
        (true, Some(_)) if r.tier_from.is_some() || r.tier_to.is_some() => {
            Err("token rates have no tier band".into())
        }
        _ => Ok((market, cat, per_tokens)),
    }
}

/// A row's price band: a non-negative price over a tier band that starts at 1 or later and
/// ends after it starts.
fn row_band(r: &RateRow, per_tokens: Option<u64>) -> Result<Band, String> {
    if r.price < 0 {
        return Err("negative price".into());
    }
    let tier_from = r.tier_from.unwrap_or(1);
    let tier_to = r.tier_to.unwrap_or(u64::MAX);
    if tier_from == 0 || tier_to < tier_from {
        return Err(format!(
            "bad tier band {tier_from}–{tier_to} (bands start at 1 and end after they start)"
        ));
    }
    Ok(Band {
        from: r.effective_from,
        tier_from,
        tier_to,
        micros: r.price,
        per_tokens,
    })
}

impl RateCard {
    /// Validate rows into a card. Errors name the row (1-based) and the problem: unknown
    /// market or category, unknown currency, negative price, a bad band, overlapping
    /// bands, mixed currencies.
    pub(crate) fn from_rows(rows: &[RateRow]) -> Result<RateCard, String> {
        RateCard::from_rows_at(rows).map_err(|(i, m)| format!("row {}: {m}", i + 1))
    }

    /// [`RateCard::from_rows`], with the failing row's 0-based index apart from the message.
    pub(crate) fn from_rows_at(rows: &[RateRow]) -> Result<RateCard, (usize, String)> {
        let mut rates: Map<(Option<Market>, Category), Vec<Band>> = Map::new();
        let mut currency = None;
        for (i, r) in rows.iter().enumerate() {
            let at = |m: String| (i, m);
            let (market, cat, per_tokens) = row_key(r).map_err(at)?;
            if !r.currency.is_iso4217() {
                return Err(at(format!(
                    "`{}` is not an ISO 4217 currency code",
                    r.currency
                )));
            }
            match currency {
                None => currency = Some(r.currency),
                Some(c) if c != r.currency => {
                    return Err(at(format!(
                        "currency {} differs from {c}: one card, one currency",
                        r.currency
                    )));
                }
                Some(_) => {}
            }
            let band = row_band(r, per_tokens).map_err(at)?;
            let bands = rates.entry((market, cat)).or_default();
            if let Some(b) = bands.iter().find(|b| b.overlaps(&band)) {
                return Err(at(format!(
                    "overlaps the {} {} band {}–{} from {}",
                    r.market,
                    cat,
                    b.tier_from,
                    if b.tier_to == u64::MAX {
                        String::new()
                    } else {
                        b.tier_to.to_string()
                    },
                    b.from
                )));
            }
            bands.push(band);
        }
        for bands in rates.values_mut() {
            bands.stable_sort_by_key(|b| (b.from, b.tier_from));
        }
        Ok(RateCard {
            currency: currency.unwrap_or_default(),
            rates,
        })
    }

    /// The card's currency (USD for an empty card).
    pub(crate) fn currency(&self) -> Currency {
        self.currency
    }

    /// The price in micro-units of the `ordinal`-th (1-based) charged unit of the month of
    /// `category` in `market` on `day`, falling back from `marketing_lite` to `marketing` and
    /// from `authentication_international` to `authentication`, and from the market's own
    /// rows to the card's `*` rows. `None` when the card has no rate for it, and always for
    /// `meta_business_agent` (priced by tokens: [`RateCard::token_cost`]).
    pub(crate) fn price(
        &self,
        market: Market,
        category: Category,
        day: NaiveDate,
        ordinal: u64,
    ) -> Option<i64> {
        self.lookup(market, category, day, ordinal)
            .or_else(|| match category {
                Category::MarketingLite => self.lookup(market, Category::Marketing, day, ordinal),
                Category::AuthenticationInternational => {
                    self.lookup(market, Category::Authentication, day, ordinal)
                }
                _ => None,
            })
    }

    fn lookup(
        &self,
        market: Market,
        category: Category,
        day: NaiveDate,
        ordinal: u64,
    ) -> Option<i64> {
        self.band(market, category, day, ordinal)
            .filter(|b| b.per_tokens.is_none())
            .map(|b| b.micros)
    }

    /// The band in force: the market's own rows, else the `*` rows.
    fn band(
        &self,
        market: Market,
        category: Category,
        day: NaiveDate,
        ordinal: u64,
    ) -> Option<Band> {
        let in_force = |bands: &Vec<Band>| {
            let n = bands.partition_point(|b| b.from <= day);
            let from = bands[..n].last()?.from;
            bands[..n]
                .iter()
                .rev()
                .take_while(|b| b.from == from)
                .find(|b| b.tier_from <= ordinal && ordinal <= b.tier_to)
                .copied()
        };
        self.rates
            .get(&(Some(market), category))
            .and_then(in_force)
            .or_else(|| self.rates.get(&(None, category)).and_then(in_force))
    }

    /// The cost in micro-units of a Meta Business Agent message of `tokens` tokens to
    /// `market` on `day`: the card's `meta_business_agent` rate in force (the market's, else
    /// the `*` row) times the tokens over the tokens the rate buys, rounded to the nearest
    /// micro-unit (halves up; saturating). `None` when the card has no such rate.
    /// (`tests::token_cost_rounds_per_million` checks 1,250 tokens at USD 0.80 per million.)
    pub(crate) fn token_cost(&self, market: Market, day: NaiveDate, tokens: u64) -> Option<i64> {
        let b = self.band(market, Category::BusinessAgent, day, 1)?;
        let per = i128::from(b.per_tokens?);
        let num = i128::from(tokens) * i128::from(b.micros);
        Some(i64::try_from((2 * num + per) / (2 * per)).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_cost_rounds_per_million() {
        use crate::model::country::Market;
        use chrono::NaiveDate;
        let rows = RateRow::parse_csv(
            "market,category,price,currency,effective_from,unit
*,meta_business_agent,0.80,USD,2026-08-01,1m_tokens",
        )
        .unwrap();
        let card = RateCard::from_rows(&rows).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        // 1,250 tokens at USD 0.80 per million: 0.001 USD = 1,000 micro-units.
        assert_eq!(card.token_cost(Market::India, day, 1_250), Some(1_000));
        // Before the rate's effective day there is no rate.
        let before = NaiveDate::from_ymd_opt(2026, 7, 31).unwrap();
        assert_eq!(card.token_cost(Market::India, before, 1_250), None);
    }

    #[test]
    fn tier_bands_price_each_side_of_the_boundary() {
        use crate::model::Category;
        use crate::model::country::Market;
        use chrono::NaiveDate;
        let rows = RateRow::parse_csv(
            "market,category,price,currency,effective_from,tier_from,tier_to
        India,utility,0.0014,USD,2025-07-01,1,100000
        India,utility,0.0013,USD,2025-07-01,100001,
        ",
        )
        .unwrap();
        let card = RateCard::from_rows(&rows).unwrap();
        let day = NaiveDate::from_ymd_opt(2025, 7, 3).unwrap();
        let india = Market::parse("India").unwrap();
        assert_eq!(
            card.price(india, Category::Utility, day, 100_000),
            Some(1_400)
        );
        assert_eq!(
            card.price(india, Category::Utility, day, 100_001),
            Some(1_300)
        );
    }
    use crate::model::country::{Country, MarketOverride, epoch_day, market_table};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn m(s: &str) -> Market {
        Market::parse(s).unwrap()
    }

    #[test]
    fn csv_with_bands_quotes_and_comments() {
        let rows = RateRow::parse_csv(
            "# example\n\u{feff}Market,Category,Price,Currency,Effective_From,Tier_From,Tier_To\n\
             \"North America\",marketing,0.025,USD,2025-07-01,,\n\
             India,utility,0.0014,USD,2025-07-01,1,100_000\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].market, "North America");
        assert_eq!(rows[0].price, 25_000);
        assert_eq!((rows[0].tier_from, rows[0].tier_to), (None, None));
        assert_eq!(
            (rows[1].tier_from, rows[1].tier_to),
            (Some(1), Some(100_000))
        );
        let e = RateRow::parse_csv(
            "market,category,price,currency,effective_from\nIndia,utility,abc,USD,2025-07-01",
        )
        .unwrap_err();
        assert!(e.starts_with("line 2: `price`"), "{e}");
        assert!(
            RateRow::parse_csv("market,category,price\n")
                .unwrap_err()
                .contains("currency")
        );
    }

    #[test]
    fn a_quoted_field_may_hold_a_line_break_and_later_lines_keep_their_numbers() {
        // Line 1 header, lines 2-3 one record (the quoted market spans them), line 4 a
        // bad price: the error names line 4, not 3.
        let text = "market,category,price,currency,effective_from\n\
                    \"Rest of\nAfrica\",marketing,0.02,USD,2025-07-01\n\
                    India,utility,x,USD,2025-07-01\n";
        let e = RateRow::parse_csv(text).unwrap_err();
        assert!(e.starts_with("line 4: `price`"), "{e}");
        let rows = RateRow::parse_csv(&text.replace(",x,", ",0.001,")).unwrap();
        assert_eq!(rows[0].market, "Rest of\nAfrica");
        assert_eq!(rows[1].price, 1_000);
    }

    #[test]
    fn json_rows() {
        let rows = RateRow::parse_json(
            r#"[{"market":"germany","category":"marketing","price":0.1365,"currency":"EUR","effective_from":"2025-07-01"}]"#,
        )
        .unwrap();
        assert_eq!(rows[0].price, 136_500);
        assert!(RateRow::parse_json(r#"[{"market":"x"}]"#).is_err());
    }

    #[test]
    fn latest_effective_row_wins_and_falls_back() {
        let rows = RateRow::parse_csv(
            "market,category,price,currency,effective_from\n\
             Germany,marketing,0.10,EUR,2024-01-01\n\
             Germany,marketing,0.12,EUR,2025-07-01\n\
             Germany,authentication,0.05,EUR,2024-01-01\n",
        )
        .unwrap();
        let c = RateCard::from_rows(&rows).unwrap();
        assert_eq!(c.currency(), Currency::EUR);
        assert_eq!(
            c.price(m("germany"), Category::Marketing, day("2023-12-31"), 1),
            None
        );
        assert_eq!(
            c.price(m("germany"), Category::Marketing, day("2025-06-30"), 1),
            Some(100_000)
        );
        assert_eq!(
            c.price(m("germany"), Category::Marketing, day("2025-07-01"), 1),
            Some(120_000)
        );
        assert_eq!(
            c.price(m("germany"), Category::MarketingLite, day("2025-07-01"), 1),
            Some(120_000)
        );
        assert_eq!(
            c.price(
                m("germany"),
                Category::AuthenticationInternational,
                day("2025-07-01"),
                9
            ),
            Some(50_000)
        );
        assert_eq!(
            c.price(m("germany"), Category::Utility, day("2025-07-01"), 1),
            None
        );
        assert_eq!(
            c.price(m("india"), Category::Marketing, day("2025-07-01"), 1),
            None
        );
    }

    #[test]
    fn card_validation() {
        let row = |market: &str,
                   cat: &str,
                   price: i64,
                   cur: Currency,
                   tf: Option<u64>,
                   tt: Option<u64>| RateRow {
            market: market.into(),
            category: cat.into(),
            price,
            currency: cur,
            effective_from: day("2025-07-01"),
            tier_from: tf,
            tier_to: tt,
            unit: None,
        };
        let usd = Currency::USD;
        assert!(
            RateCard::from_rows(&[row("Atlantis", "marketing", 1, usd, None, None)])
                .unwrap_err()
                .contains("unknown market")
        );
        assert!(
            RateCard::from_rows(&[row("India", "promo", 1, usd, None, None)])
                .unwrap_err()
                .contains("`promo`")
        );
        assert!(
            RateCard::from_rows(&[row("India", "utility", -1, usd, None, None)])
                .unwrap_err()
                .contains("negative")
        );
        assert!(
            RateCard::from_rows(&[row("India", "utility", 1, usd, Some(0), None)])
                .unwrap_err()
                .contains("band")
        );
        assert!(
            RateCard::from_rows(&[row("India", "utility", 1, usd, Some(5), Some(4))])
                .unwrap_err()
                .contains("band")
        );
        let e = RateCard::from_rows(&[
            row("India", "utility", 1, usd, None, None),
            row("India", "utility", 1, Currency::EUR, None, None),
        ])
        .unwrap_err();
        assert!(e.contains("one card, one currency"), "{e}");
        let e = RateCard::from_rows(&[
            row("India", "utility", 1, usd, Some(1), Some(10)),
            row("India", "utility", 1, usd, Some(10), None),
        ])
        .unwrap_err();
        // Rows count from 1 (issue 19.9): the second row overlaps.
        assert!(e.starts_with("row 2: overlaps"), "{e}");
        assert!(
            RateCard::from_rows(&[
                row("India", "utility", 1, usd, Some(1), Some(10)),
                row("India", "utility", 2, usd, Some(11), None)
            ])
            .is_ok()
        );
    }

    #[test]
    fn token_rates_units_and_any_market() {
        let rows = RateRow::parse_csv(
            "market,category,price,currency,effective_from,unit\n\
             *,meta_business_agent,0.90,USD,2026-08-01,1m_tokens\n\
             India,meta_business_agent,0.0004,USD,2026-08-01,1k_tokens\n\
             India,meta_business_agent,0.000002,USD,2026-10-01,token\n\
             *,service,0.004,USD,2026-10-01,\n\
             kazakhstan,service,0.02,USD,2026-10-01,message\n",
        )
        .unwrap();
        let c = RateCard::from_rows(&rows).unwrap();
        // Any market without its own row: 1,000 tokens × 0.90 / 1,000,000 = 0.0009 USD.
        assert_eq!(
            c.token_cost(m("germany"), day("2026-08-01"), 1_000),
            Some(900)
        );
        // India's own row: 1,000 tokens × 0.0004 / 1,000 = 0.0004 USD = 400 micros; from
        // 2026-10-01 0.000002 per token: 1,234 tokens = 2,468 micros.
        assert_eq!(
            c.token_cost(m("india"), day("2026-09-30"), 1_000),
            Some(400)
        );
        assert_eq!(
            c.token_cost(m("india"), day("2026-10-01"), 1_234),
            Some(2_468)
        );
        // Rounding: 1 token × 0.90 / 1e6 = 0.9 micro → 1; 1 token × 0.4 / 1000 = 0.4 → 0.
        assert_eq!(c.token_cost(m("germany"), day("2026-08-01"), 1), Some(1));
        assert_eq!(c.token_cost(m("india"), day("2026-09-30"), 1), Some(0));
        // Before the first row: no rate.
        assert_eq!(c.token_cost(m("germany"), day("2026-07-31"), 1_000), None);
        // Per-message prices never price agent messages, nor the other way round.
        assert_eq!(
            c.price(m("india"), Category::BusinessAgent, day("2026-10-01"), 1),
            None
        );
        // `*` rows fill markets without their own; a market's own row wins.
        assert_eq!(
            c.price(m("bangladesh"), Category::Service, day("2026-10-02"), 1),
            Some(4_000)
        );
        assert_eq!(
            c.price(m("kazakhstan"), Category::Service, day("2026-10-02"), 1),
            Some(20_000)
        );
        let bad = |csv: &str| {
            RateCard::from_rows(
                &RateRow::parse_csv(&format!(
                    "market,category,price,currency,effective_from,unit,tier_from\n{csv}"
                ))
                .unwrap(),
            )
            .unwrap_err()
        };
        assert!(bad("*,meta_business_agent,1,USD,2026-08-01,,").contains("per token"));
        assert!(bad("*,utility,1,USD,2026-08-01,token,").contains("only meta_business_agent"));
        assert!(bad("*,meta_business_agent,1,USD,2026-08-01,page,").contains("unit `page`"));
        assert!(bad("*,meta_business_agent,1,USD,2026-08-01,token,1").contains("tier band"));
    }

    #[test]
    fn overrides_apply_from_their_date() {
        let t = market_table(&[MarketOverride {
            country: "DE".into(),
            market: "Other".into(),
            effective_from: day("2026-01-01"),
        }])
        .unwrap();
        let de = Country::new("DE");
        assert_eq!(t.market(de, epoch_day(day("2025-12-31"))), m("germany"));
        assert_eq!(t.market(de, epoch_day(day("2026-01-01"))), m("other"));
        assert!(
            market_table(&[MarketOverride {
                country: "DEU".into(),
                market: "Other".into(),
                effective_from: day("2026-01-01")
            }])
            .unwrap_err()
            .contains("country code")
        );
        assert!(
            market_table(&[MarketOverride {
                country: "DE".into(),
                market: "Mars".into(),
                effective_from: day("2026-01-01")
            }])
            .unwrap_err()
            .contains("unknown market")
        );
    }
}
