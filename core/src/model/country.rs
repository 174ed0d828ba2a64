//! Countries (temporary minimal version; replaced by the full E.164 table on `main`).
//! TEMPORARY: only enough of the coming API for the billing branch to compile and test.
#![allow(missing_docs, clippy::missing_panics_doc)]
use serde::{Deserialize, Serialize};
/// ISO 3166-1 alpha-2 code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct Country([u8; 2]);
impl Country {
    /// Parse.
    pub fn new(s: &str) -> Option<Country> {
        let b = s.as_bytes();
        (b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic))
            .then(|| Country([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
    }
    /// As str.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}
/// From number.
pub fn country_from_number(n: &str) -> Option<Country> {
    let n = n.trim_start_matches('+');
    let c = if n.starts_with("1809") {
        "DO"
    } else if n.starts_with('1') {
        "US"
    } else if n.starts_with("49") {
        "DE"
    } else if n.starts_with("91") {
        "IN"
    } else if n.starts_with("44") {
        "GB"
    } else if n.starts_with("55") {
        "BR"
    } else if n.starts_with("263") {
        "ZW"
    } else {
        return None;
    };
    Country::new(c)
}
/// From BSUID.
pub fn country_from_bsuid(b: &str) -> Option<Country> {
    b.split('.').next().and_then(Country::new)
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Market {
    Brazil,
    Germany,
    India,
    UnitedKingdom,
    NorthAmerica,
    RestOfAfrica,
    RestOfLatinAmerica,
    Other,
}
impl Market {
    pub fn parse(s: &str) -> Option<Market> {
        let k: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        Some(match k.as_str() {
            "brazil" => Market::Brazil,
            "germany" => Market::Germany,
            "india" => Market::India,
            "united_kingdom" => Market::UnitedKingdom,
            "north_america" => Market::NorthAmerica,
            "rest_of_africa" => Market::RestOfAfrica,
            "rest_of_latin_america" => Market::RestOfLatinAmerica,
            "other" => Market::Other,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Market::Brazil => "brazil",
            Market::Germany => "germany",
            Market::India => "india",
            Market::UnitedKingdom => "united_kingdom",
            Market::NorthAmerica => "north_america",
            Market::RestOfAfrica => "rest_of_africa",
            Market::RestOfLatinAmerica => "rest_of_latin_america",
            Market::Other => "other",
        }
    }
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketTable {
    overrides: Vec<(Country, Market, i32)>,
}
impl MarketTable {
    pub fn meta_default() -> MarketTable {
        MarketTable {
            overrides: vec![(
                Country::new("ZW").unwrap(),
                Market::RestOfAfrica,
                days_from_civil(2025, 10, 1),
            )],
        }
    }
    #[must_use]
    pub fn with_override(mut self, country: Country, market: Market, from_day: i32) -> MarketTable {
        self.overrides.push((country, market, from_day));
        self
    }
    pub fn market(&self, country: Option<Country>, day: i32) -> Market {
        let Some(c) = country else {
            return Market::Other;
        };
        if let Some((_, m, _)) = self
            .overrides
            .iter()
            .filter(|(oc, _, d)| *oc == c && *d <= day)
            .max_by_key(|(_, _, d)| *d)
        {
            return *m;
        }
        match c.as_str() {
            "BR" => Market::Brazil,
            "DE" => Market::Germany,
            "IN" => Market::India,
            "GB" => Market::UnitedKingdom,
            "US" | "CA" => Market::NorthAmerica,
            "DO" => Market::RestOfLatinAmerica,
            _ => Market::Other,
        }
    }
}
/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
