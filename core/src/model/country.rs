//! Countries (temporary minimal version; replaced by the full E.164 table).
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
    if n.starts_with("49") {
        Country::new("DE")
    } else {
        None
    }
}
/// From BSUID.
pub fn country_from_bsuid(b: &str) -> Option<Country> {
    b.split('.').next().and_then(Country::new)
}
