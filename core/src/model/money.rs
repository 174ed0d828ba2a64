//! Money as integer micro-units of a currency.
//!
//! Amounts are stored as `i64` millionths of the currency's major unit ("micros").
//! That is exact for every ISO 4217 minor unit (cents, fils, ...) and for per-message
//! rates quoted to four or more decimals (e.g. INR 0.7846), and it leaves room for
//! ±9.2 × 10¹² major units. Sums never touch binary floating point; conversion to a
//! decimal number happens only at the edges (JSON output, Python, JS).

use crate::util::sort::SortSlice as _;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Micro-units per major unit.
pub(crate) const MICROS: i64 = 1_000_000;

/// The largest absolute amount accepted on input, in major units (10¹²).
pub(crate) const MAX_MAJOR: i64 = 1_000_000_000_000;

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars, the default reporting currency.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");

    /// Parse a three-letter code (case-insensitive). `None` unless exactly three ASCII letters.
    pub fn new(code: &str) -> Option<Currency> {
        let b = code.as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        Some(Currency([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    /// Whether the code is one of ISO 4217's (active codes, plus the funds, metals and
    /// special codes of the standard's list). [`Currency::new`] accepts any three letters;
    /// the configuration insists on a real code.
    pub fn is_iso4217(&self) -> bool {
        ISO_4217.binary_search(&self.as_str()).is_ok()
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Currency::new(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a three-letter ISO 4217 currency code"
            ))
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Currency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A three-letter ISO 4217 currency code (`\"EUR\"`).",
            "type": "string",
            "pattern": "^[A-Z]{3}$",
        })
    }
}

/// The schema of an amount written by [`decimal_micros`]: a decimal number in major
/// units (also read from a string). Fields name it with `schemars(with = ...)`.
#[cfg(feature = "schema")]
pub(crate) struct MajorUnits;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for MajorUnits {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MajorUnits".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        if g.contract().is_serialize() {
            schemars::json_schema!({ "type": "number", "format": "major_units" })
        } else {
            schemars::json_schema!({ "type": ["number", "string"], "format": "major_units" })
        }
    }
}

/// ISO 4217 codes, sorted (the standard's list one, 2024, plus codes withdrawn since 2023
/// that old data may still carry: HRK, SLL, ZWL).
const ISO_4217: [&str; 183] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
    "ZWL",
];

/// An amount of money: integer micro-units plus a currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub struct Money {
    /// Millionths of the major unit.
    pub micros: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// An amount from micro-units.
    pub const fn from_micros(micros: i64, currency: Currency) -> Money {
        Money { micros, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money {
            micros: 0,
            currency,
        }
    }

    /// The amount in major units as a float, for display and JSON output only.
    pub fn to_major_f64(&self) -> f64 {
        micros_to_f64(self.micros)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_micros(self.micros, 2), self.currency)
    }
}

/// Convert micro-units to a float in major units (the output edge).
pub(crate) fn micros_to_f64(micros: i64) -> f64 {
    // The double nearest the decimal value, so that JSON shows `1.7655`, not the
    // `1.7654999999999998` a split sum gives: one correctly rounded division while both
    // operands are exact, else a correctly rounded parse of the decimal.
    if micros.unsigned_abs() <= 1 << 53 {
        micros as f64 / MICROS as f64
    } else {
        format_micros(micros, 0)
            .parse()
            .unwrap_or(micros as f64 / MICROS as f64)
    }
}

/// Format micro-units as a decimal with at least `min_decimals` decimals and no trailing
/// zeros beyond that (`1_234_500` → `"1.2345"`, `1_000_000` with 2 → `"1.00"`).
pub(crate) fn format_micros(micros: i64, min_decimals: usize) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let int = abs / MICROS as u64;
    let frac = abs % MICROS as u64;
    let mut frac_s = format!("{frac:06}");
    while frac_s.len() > min_decimals && frac_s.ends_with('0') {
        frac_s.pop();
    }
    if frac_s.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac_s}")
    }
}

/// Why a decimal amount was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[doc(hidden)]
pub(crate) enum AmountError {
    /// Not a decimal number.
    Syntax,
    /// Larger in magnitude than [`MAX_MAJOR`] major units.
    TooLarge,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Syntax => f.write_str("not a decimal amount"),
            AmountError::TooLarge => write!(f, "amount exceeds {MAX_MAJOR} major units"),
        }
    }
}

/// Parse a decimal string (`"12.5"`, `"-0.01"`, `"1e3"`, `"7"`) exactly into micro-units.
/// Digits beyond the sixth decimal are rounded half away from zero.
#[doc(hidden)]
pub(crate) fn parse_decimal_micros(s: &str) -> Result<i64, AmountError> {
    let s = s.trim();
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = body[i + 1..].parse().map_err(|_| AmountError::Syntax)?;
            (&body[..i], e)
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(AmountError::Syntax);
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return Err(AmountError::Syntax);
    }
    // All digits, with the decimal point `point` digits from the left.
    let digits: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let point = i64::from(int_part.len() as u32) + i64::from(exp);
    // Value = digits × 10^(point - len); we want value × 10^6.
    let shift = point + 6; // number of leading digits that form the integer micros
    let mut micros: i128 = 0;
    let mut round_digit = 0u8;
    for (i, d) in digits.iter().enumerate() {
        let i = i as i64;
        if i < shift {
            micros = micros * 10 + i128::from(*d);
            if micros > i128::from(MAX_MAJOR) * i128::from(MICROS) {
                return Err(AmountError::TooLarge);
            }
        } else if i == shift {
            round_digit = *d;
        }
    }
    // Pad with zeros when the exponent moves the point past the digits (none for zero,
    // which stays zero: `0E2000000000` must not loop two billion times).
    let missing = if micros == 0 {
        0
    } else {
        shift - digits.len() as i64
    };
    for _ in 0..missing.max(0) {
        micros *= 10;
        if micros > i128::from(MAX_MAJOR) * i128::from(MICROS) {
            return Err(AmountError::TooLarge);
        }
    }
    if round_digit >= 5 {
        micros += 1;
    }
    if micros > i128::from(MAX_MAJOR) * i128::from(MICROS) {
        return Err(AmountError::TooLarge);
    }
    let v = micros as i64;
    Ok(if neg { -v } else { v })
}

/// Split `total` micro-units into parts proportional to `weights` so that the parts sum
/// exactly to `total` (largest-remainder method; ties go to the earlier index).
/// Returns all zeros when every weight is zero.
pub(crate) fn split_largest_remainder(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let neg = total < 0;
    let t = total.unsigned_abs() as f64;
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut rema: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    let mut assigned: i64 = 0;
    for (i, w) in weights.iter().enumerate() {
        let w = if w.is_finite() && *w > 0.0 { *w } else { 0.0 };
        let exact = t * w / sum;
        let floor = exact.floor();
        parts.push(floor as i64);
        assigned += floor as i64;
        rema.push((exact - floor, i));
    }
    let mut left = total.unsigned_abs() as i64 - assigned;
    rema.stable_sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    let mut k = 0;
    while left > 0 && !rema.is_empty() {
        let idx = rema[k % rema.len()].1;
        if weights[idx] > 0.0 {
            parts[idx] += 1;
            left -= 1;
        }
        k += 1;
    }
    if neg {
        for p in &mut parts {
            *p = -*p;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(parse_decimal_micros("12.5"), Ok(12_500_000));
        assert_eq!(parse_decimal_micros("0.1"), Ok(100_000));
        assert_eq!(parse_decimal_micros("-0.01"), Ok(-10_000));
        assert_eq!(parse_decimal_micros("7"), Ok(7_000_000));
        assert_eq!(parse_decimal_micros("1e3"), Ok(1_000_000_000));
        assert_eq!(parse_decimal_micros("2.5E-1"), Ok(250_000));
        assert_eq!(parse_decimal_micros("0.0000005"), Ok(1)); // rounds half away from zero
        assert_eq!(parse_decimal_micros(".5"), Ok(500_000));
        assert_eq!(parse_decimal_micros("0.7846"), Ok(784_600));
        assert_eq!(parse_decimal_micros("abc"), Err(AmountError::Syntax));
        assert_eq!(parse_decimal_micros(""), Err(AmountError::Syntax));
        assert_eq!(parse_decimal_micros("1e400"), Err(AmountError::TooLarge));
        assert_eq!(
            parse_decimal_micros("99999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn a_huge_exponent_costs_no_more_than_its_digits() {
        // Zero times any power of ten is zero: found by the fast_parse fuzz target, where
        // `"00000E2000000000"` as an amount padded two billion zeros onto zero (44 s).
        assert_eq!(parse_decimal_micros("00000E2000000000"), Ok(0));
        assert_eq!(parse_decimal_micros("0.000E2147483647"), Ok(0));
        // Any other digit overflows within a few dozen steps.
        assert_eq!(
            parse_decimal_micros("0001E2147483647"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn formats_micros() {
        assert_eq!(format_micros(1_234_500, 2), "1.2345");
        assert_eq!(format_micros(1_000_000, 2), "1.00");
        assert_eq!(format_micros(-10_000, 2), "-0.01");
        assert_eq!(format_micros(5, 0), "0.000005");
        assert!((micros_to_f64(12_500_000) - 12.5).abs() < f64::EPSILON);
        assert_eq!(micros_to_f64(1_765_500).to_string(), "1.7655");
        assert_eq!(
            micros_to_f64(-9_007_199_254_740_993).to_string(),
            "-9007199254.740993"
        );
    }

    #[test]
    fn largest_remainder_sums_exactly() {
        // 100 split in thirds: 33.33.. each; the remainder unit goes to index 0.
        assert_eq!(
            split_largest_remainder(100, &[1.0, 1.0, 1.0]),
            vec![34, 33, 33]
        );
        assert_eq!(
            split_largest_remainder(-100, &[1.0, 1.0, 1.0]),
            vec![-34, -33, -33]
        );
        assert_eq!(split_largest_remainder(10, &[0.4, 0.2, 0.4]), vec![4, 2, 4]);
        assert_eq!(split_largest_remainder(10, &[0.0, 0.0]), vec![0, 0]);
        assert_eq!(split_largest_remainder(7, &[0.0, 1.0]), vec![0, 7]);
    }

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::new("eur"), Some(Currency::EUR));
        assert_eq!(Currency::new("EURO"), None);
        assert_eq!(Currency::new("E1R"), None);
    }
}

/// Serde adapter for an `i64` micro-unit amount written as a decimal number in major units
/// (`12.5` or `"12.5"` ↔ `12_500_000`). Use with `#[serde(with = "decimal_micros")]`.
pub(crate) mod decimal_micros {
    use super::{micros_to_f64, parse_decimal_micros};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Write micro-units as a decimal number in major units.
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub(crate) fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(micros_to_f64(*v))
    }

    /// Read a decimal number or string in major units.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<'a> {
            Int(i64),
            Float(f64),
            #[serde(borrow)]
            Str(std::borrow::Cow<'a, str>),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Int(i) => i.to_string(),
            Raw::Float(f) if f.is_finite() => format!("{f}"),
            Raw::Float(_) => return Err(serde::de::Error::custom("amount is not a finite number")),
            Raw::Str(s) => s.into_owned(),
        };
        parse_decimal_micros(&text).map_err(|e| serde::de::Error::custom(format!("`{text}`: {e}")))
    }
}

/// Serde adapter for an optional micro-unit amount: a decimal number in major units, or
/// `null` ([`decimal_micros`] for the number).
pub(crate) mod decimal_micros_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Write `None` as `null`, an amount as [`super::decimal_micros`] does.
    #[allow(clippy::ref_option)] // serde's `with` signature
    pub(crate) fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(m) => super::decimal_micros::serialize(m, s),
            None => s.serialize_none(),
        }
    }

    /// Read `null` or a decimal number or string in major units.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "super::decimal_micros")] i64);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}
