#![doc = include_str!("../guide/model/country.md")]

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::num::NonZeroU8;

// ---------------------------------------------------------------------------
// Country
// ---------------------------------------------------------------------------

/// An ISO 3166-1 alpha-2 country code (`US`, `IN`, `DO`), stored as two upper-case
/// ASCII letters. Serialised as the two-letter string.
///
/// Only the shape is checked (two ASCII letters), not membership of the ISO list, so
/// user-assigned codes such as `XK` (Kosovo) are accepted.
///
/// The letters are held as non-zero bytes, so an `Option<Country>` takes two bytes, not
/// three (it sits in every business message's kept charge).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[doc(hidden)]
pub(crate) struct Country([NonZeroU8; 2]);

/// Every pair of upper-case letters, `AA` to `ZZ`, one after the other: what
/// [`Country::as_str`] lends a slice of.
const PAIRS: [u8; 2 * 26 * 26] = {
    let mut all = [0u8; 2 * 26 * 26];
    let mut i = 0;
    while i < 26 * 26 {
        all[2 * i] = b'A' + (i / 26) as u8;
        all[2 * i + 1] = b'A' + (i % 26) as u8;
        i += 1;
    }
    all
};

impl Country {
    /// From two upper-case ASCII letters, as the tables and [`Country::new`] give them. A
    /// zero byte (which neither has) would read as `\u{1}`.
    const fn of(code: [u8; 2]) -> Country {
        const fn byte(b: u8) -> NonZeroU8 {
            match NonZeroU8::new(b) {
                Some(n) => n,
                None => NonZeroU8::MIN,
            }
        }
        Country([byte(code[0]), byte(code[1])])
    }

    /// The two bytes of the code.
    const fn bytes(self) -> [u8; 2] {
        [self.0[0].get(), self.0[1].get()]
    }

    /// Parse a two-letter code, case-insensitively (`"us"` → `US`). Surrounding
    /// whitespace is ignored; anything but exactly two ASCII letters is `None`.
    pub(crate) fn new(code: &str) -> Option<Country> {
        match code.trim().as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(Country::of([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
            ])),
            _ => None,
        }
    }

    /// The upper-case two-letter code.
    pub(crate) fn as_str(&self) -> &str {
        // Always upper-case ASCII letters: every constructor checks or uses upper-case
        // literals (a unit test checks the tables); anything else would read as "".
        let [a, b] = self.bytes();
        let (a, b) = (a.wrapping_sub(b'A'), b.wrapping_sub(b'A'));
        if a >= 26 || b >= 26 {
            return "";
        }
        let i = 2 * (usize::from(a) * 26 + usize::from(b));
        std::str::from_utf8(&PAIRS[i..i + 2]).unwrap_or_default()
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Country {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Country".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A two-letter ISO 3166-1 alpha-2 country code (`\"DE\"`).",
            "type": "string",
        })
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountryVisitor;
        impl Visitor<'_> for CountryVisitor {
            type Value = Country;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a two-letter ISO 3166-1 alpha-2 country code")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Country, E> {
                Country::new(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_str(CountryVisitor)
    }
}

// ---------------------------------------------------------------------------
// Calling codes
// ---------------------------------------------------------------------------

/// Country calling codes and the sub-prefixes that split a shared code, as
/// `(prefix digits read as a number, country)`, sorted by prefix.
///
/// Source: the ITU-T E.164 list of assigned country codes (complement to
/// Recommendation E.164, "List of ITU-T Recommendation E.164 assigned country codes",
/// with its Operational Bulletin amendments) and the national numbering plans for the
/// shared codes (+7, +39, +47, +61, +262, +358, +599, +672), as in force in 2025;
/// compiled 2026-11-23. Codes start with a non-zero digit, so a prefix read as a number
/// keeps its length and every entry is distinct. Lookup is longest prefix first. +1 is
/// refined by [`NANP_AREA_CODES`].
#[rustfmt::skip]
static CALLING_CODES: &[(u32, [u8; 2])] = &[
    (1, *b"US"), (7, *b"RU"), (20, *b"EG"), (27, *b"ZA"), (30, *b"GR"), (31, *b"NL"),
    (32, *b"BE"), (33, *b"FR"), (34, *b"ES"), (36, *b"HU"), (39, *b"IT"), (40, *b"RO"),
    (41, *b"CH"), (43, *b"AT"), (44, *b"GB"), (45, *b"DK"), (46, *b"SE"), (47, *b"NO"),
    (48, *b"PL"), (49, *b"DE"), (51, *b"PE"), (52, *b"MX"), (53, *b"CU"), (54, *b"AR"),
    (55, *b"BR"), (56, *b"CL"), (57, *b"CO"), (58, *b"VE"), (60, *b"MY"), (61, *b"AU"),
    (62, *b"ID"), (63, *b"PH"), (64, *b"NZ"), (65, *b"SG"), (66, *b"TH"), (76, *b"KZ"),
    (77, *b"KZ"), (81, *b"JP"), (82, *b"KR"), (84, *b"VN"), (86, *b"CN"), (90, *b"TR"),
    (91, *b"IN"), (92, *b"PK"), (93, *b"AF"), (94, *b"LK"), (95, *b"MM"), (98, *b"IR"),
    (211, *b"SS"), (212, *b"MA"), (213, *b"DZ"), (216, *b"TN"), (218, *b"LY"), (220, *b"GM"),
    (221, *b"SN"), (222, *b"MR"), (223, *b"ML"), (224, *b"GN"), (225, *b"CI"), (226, *b"BF"),
    (227, *b"NE"), (228, *b"TG"), (229, *b"BJ"), (230, *b"MU"), (231, *b"LR"), (232, *b"SL"),
    (233, *b"GH"), (234, *b"NG"), (235, *b"TD"), (236, *b"CF"), (237, *b"CM"), (238, *b"CV"),
    (239, *b"ST"), (240, *b"GQ"), (241, *b"GA"), (242, *b"CG"), (243, *b"CD"), (244, *b"AO"),
    (245, *b"GW"), (246, *b"IO"), (247, *b"SH"), (248, *b"SC"), (249, *b"SD"), (250, *b"RW"),
    (251, *b"ET"), (252, *b"SO"), (253, *b"DJ"), (254, *b"KE"), (255, *b"TZ"), (256, *b"UG"),
    (257, *b"BI"), (258, *b"MZ"), (260, *b"ZM"), (261, *b"MG"), (262, *b"RE"), (263, *b"ZW"),
    (264, *b"NA"), (265, *b"MW"), (266, *b"LS"), (267, *b"BW"), (268, *b"SZ"), (269, *b"KM"),
    (290, *b"SH"), (291, *b"ER"), (297, *b"AW"), (298, *b"FO"), (299, *b"GL"), (350, *b"GI"),
    (351, *b"PT"), (352, *b"LU"), (353, *b"IE"), (354, *b"IS"), (355, *b"AL"), (356, *b"MT"),
    (357, *b"CY"), (358, *b"FI"), (359, *b"BG"), (370, *b"LT"), (371, *b"LV"), (372, *b"EE"),
    (373, *b"MD"), (374, *b"AM"), (375, *b"BY"), (376, *b"AD"), (377, *b"MC"), (378, *b"SM"),
    (379, *b"VA"), (380, *b"UA"), (381, *b"RS"), (382, *b"ME"), (383, *b"XK"), (385, *b"HR"),
    (386, *b"SI"), (387, *b"BA"), (389, *b"MK"), (420, *b"CZ"), (421, *b"SK"), (423, *b"LI"),
    (500, *b"FK"), (501, *b"BZ"), (502, *b"GT"), (503, *b"SV"), (504, *b"HN"), (505, *b"NI"),
    (506, *b"CR"), (507, *b"PA"), (508, *b"PM"), (509, *b"HT"), (590, *b"GP"), (591, *b"BO"),
    (592, *b"GY"), (593, *b"EC"), (594, *b"GF"), (595, *b"PY"), (596, *b"MQ"), (597, *b"SR"),
    (598, *b"UY"), (599, *b"CW"), (670, *b"TL"), (672, *b"NF"), (673, *b"BN"), (674, *b"NR"),
    (675, *b"PG"), (676, *b"TO"), (677, *b"SB"), (678, *b"VU"), (679, *b"FJ"), (680, *b"PW"),
    (681, *b"WF"), (682, *b"CK"), (683, *b"NU"), (685, *b"WS"), (686, *b"KI"), (687, *b"NC"),
    (688, *b"TV"), (689, *b"PF"), (690, *b"TK"), (691, *b"FM"), (692, *b"MH"), (850, *b"KP"),
    (852, *b"HK"), (853, *b"MO"), (855, *b"KH"), (856, *b"LA"), (880, *b"BD"), (886, *b"TW"),
    (960, *b"MV"), (961, *b"LB"), (962, *b"JO"), (963, *b"SY"), (964, *b"IQ"), (965, *b"KW"),
    (966, *b"SA"), (967, *b"YE"), (968, *b"OM"), (970, *b"PS"), (971, *b"AE"), (972, *b"IL"),
    (973, *b"BH"), (974, *b"QA"), (975, *b"BT"), (976, *b"MN"), (977, *b"NP"), (992, *b"TJ"),
    (993, *b"TM"), (994, *b"AZ"), (995, *b"GE"), (996, *b"KG"), (998, *b"UZ"), (4779, *b"SJ"),
    (5993, *b"BQ"), (5994, *b"BQ"), (5997, *b"BQ"), (6721, *b"AQ"), (35818, *b"AX"),
    (262_269, *b"YT"), (262_639, *b"YT"), (3_906_698, *b"VA"), (6_189_162, *b"CC"),
    (6_189_164, *b"CX"),
];

/// Area codes of the North American Numbering Plan (+1) that are not the United
/// States, as `(area code, country)`, sorted: Canada and the Caribbean and Pacific
/// members. Every other valid area code (`[2-9]XX`, not `N11`) is the United States
/// (including Hawaii and Alaska).
///
/// Source: the NANPA area code list (geographic and Canadian non-geographic codes in
/// service or assigned, with the Canadian overlays announced by the CRTC), as of 2025;
/// compiled 2026-11-23.
#[rustfmt::skip]
static NANP_AREA_CODES: &[(u16, [u8; 2])] = &[
    (204, *b"CA"), (226, *b"CA"), (236, *b"CA"), (242, *b"BS"), (246, *b"BB"), (249, *b"CA"),
    (250, *b"CA"), (257, *b"CA"), (263, *b"CA"), (264, *b"AI"), (268, *b"AG"), (284, *b"VG"),
    (289, *b"CA"), (306, *b"CA"), (340, *b"VI"), (343, *b"CA"), (345, *b"KY"), (354, *b"CA"),
    (365, *b"CA"), (367, *b"CA"), (368, *b"CA"), (382, *b"CA"), (387, *b"CA"), (403, *b"CA"),
    (416, *b"CA"), (418, *b"CA"), (428, *b"CA"), (431, *b"CA"), (437, *b"CA"), (438, *b"CA"),
    (441, *b"BM"), (450, *b"CA"), (460, *b"CA"), (468, *b"CA"), (473, *b"GD"), (474, *b"CA"),
    (506, *b"CA"), (514, *b"CA"), (519, *b"CA"), (548, *b"CA"), (579, *b"CA"), (581, *b"CA"),
    (584, *b"CA"), (587, *b"CA"), (600, *b"CA"), (604, *b"CA"), (613, *b"CA"), (639, *b"CA"),
    (647, *b"CA"), (649, *b"TC"), (658, *b"JM"), (664, *b"MS"), (670, *b"MP"), (671, *b"GU"),
    (672, *b"CA"), (683, *b"CA"), (684, *b"AS"), (705, *b"CA"), (709, *b"CA"), (721, *b"SX"),
    (742, *b"CA"), (753, *b"CA"), (758, *b"LC"), (767, *b"DM"), (778, *b"CA"), (780, *b"CA"),
    (782, *b"CA"), (784, *b"VC"), (787, *b"PR"), (807, *b"CA"), (809, *b"DO"), (819, *b"CA"),
    (825, *b"CA"), (829, *b"DO"), (849, *b"DO"), (867, *b"CA"), (868, *b"TT"), (869, *b"KN"),
    (873, *b"CA"), (876, *b"JM"), (879, *b"CA"), (902, *b"CA"), (905, *b"CA"), (939, *b"PR"),
    (942, *b"CA"),
];

/// The longest E.164 number (country code + national number) in digits.
const MAX_E164_DIGITS: usize = 15;
/// The longest prefix in [`CALLING_CODES`].
const MAX_PREFIX_DIGITS: usize = 7;

/// The country of an E.164 number, in the form of a `wa_id`: digits only, no `+`.
///
/// A leading `+` is tolerated, and spaces, dashes, dots and parentheses are ignored
/// (`"+1 (416) 555-0100"`); any other character, no digit at all, more than 15 digits,
/// or a prefix that is no assigned country code gives `None`. The country is found by
/// longest prefix over the E.164 country codes; inside +1 by the area code (the next three
/// digits): Canada's and each Caribbean and Pacific member's codes are theirs, any
/// other valid area code is the United States, and an area code starting with 0 or 1,
/// or an `N11` service code, is `None`. A +1 number too short to hold an area code is
/// taken as `US`, as a bare `7` is `RU`.
pub(crate) fn country_from_number(number: &str) -> Option<Country> {
    let mut digits = [0u8; MAX_E164_DIGITS];
    let mut len = 0usize;
    let rest = number.trim();
    let rest = rest.strip_prefix('+').unwrap_or(rest);
    for b in rest.bytes() {
        match b {
            b'0'..=b'9' => {
                if len == MAX_E164_DIGITS {
                    return None;
                }
                digits[len] = b - b'0';
                len += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    let digits = &digits[..len];
    match digits.first()? {
        0 => None,
        1 => nanp_country(&digits[1..]),
        _ => {
            let mut prefix = 0u32;
            let mut best = None;
            for &d in digits.iter().take(MAX_PREFIX_DIGITS) {
                prefix = prefix * 10 + u32::from(d);
                if let Ok(i) = CALLING_CODES.binary_search_by_key(&prefix, |&(p, _)| p) {
                    best = Some(Country::of(CALLING_CODES[i].1));
                }
            }
            best
        }
    }
}

/// The country of a +1 number from its national digits (area code first).
fn nanp_country(national: &[u8]) -> Option<Country> {
    let &[a, b, c, ..] = national else {
        return Some(Country::of(*b"US"));
    };
    if a < 2 || (b == 1 && c == 1) {
        return None;
    }
    let area = u16::from(a) * 100 + u16::from(b) * 10 + u16::from(c);
    match NANP_AREA_CODES.binary_search_by_key(&area, |&(code, _)| code) {
        Ok(i) => Some(Country::of(NANP_AREA_CODES[i].1)),
        Err(_) => Some(Country::of(*b"US")),
    }
}

/// The country of a business-scoped user id (BSUID): the two letters before the first
/// `.` (`"US.13491208655302741918"` and `"US.ENT.118…"` → `US`). Ids without a country
/// prefix (`"user.<hex>"`), or without a `.` at all, give `None`.
pub(crate) fn country_from_bsuid(user_id: &str) -> Option<Country> {
    let (prefix, rest) = user_id.trim().split_once('.')?;
    if rest.is_empty() {
        return None;
    }
    Country::new(prefix).filter(|_| prefix.len() == 2)
}

// ---------------------------------------------------------------------------
// Markets
// ---------------------------------------------------------------------------

/// A pricing market: the unit of Meta's rate card (semantics §2, "Price").
///
/// Serialised as the `snake_case` name (`"north_america"`, `"rest_of_africa"`,
/// `"india"`); deserialisation accepts anything [`Market::parse`] does, Meta's display
/// names included.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
#[non_exhaustive]
#[doc(hidden)]
pub(crate) enum Market {
    /// Argentina (AR).
    Argentina,
    /// Brazil (BR).
    Brazil,
    /// Chile (CL).
    Chile,
    /// Colombia (CO).
    Colombia,
    /// Egypt (EG).
    Egypt,
    /// France (FR).
    France,
    /// Germany (DE).
    Germany,
    /// India (IN).
    India,
    /// Indonesia (ID).
    Indonesia,
    /// Israel (IL).
    Israel,
    /// Italy (IT).
    Italy,
    /// Malaysia (MY).
    Malaysia,
    /// Mexico (MX).
    Mexico,
    /// Netherlands (NL).
    Netherlands,
    /// Nigeria (NG).
    Nigeria,
    /// Pakistan (PK).
    Pakistan,
    /// Peru (PE).
    Peru,
    /// Russia (RU).
    Russia,
    /// Saudi Arabia (SA).
    SaudiArabia,
    /// South Africa (ZA).
    SouthAfrica,
    /// Spain (ES).
    Spain,
    /// Turkey (TR).
    Turkey,
    /// United Arab Emirates (AE).
    UnitedArabEmirates,
    /// United Kingdom (GB).
    UnitedKingdom,
    /// Bangladesh (BD): standalone from 2026-10-01, Rest of Asia Pacific before.
    Bangladesh,
    /// Iraq (IQ): standalone from 2026-10-01, Rest of Middle East before.
    Iraq,
    /// Nepal (NP): standalone from 2026-10-01, Rest of Asia Pacific before.
    Nepal,
    /// Sri Lanka (LK): standalone from 2026-10-01, Rest of Asia Pacific before.
    SriLanka,
    /// Kazakhstan (KZ): standalone from 2026-10-01, Other before (it was on no regional
    /// list).
    Kazakhstan,
    /// Kuwait (KW): standalone from 2026-10-01, Rest of Middle East before.
    Kuwait,
    /// Morocco (MA): standalone from 2026-10-01, Rest of Africa before.
    Morocco,
    /// Oman (OM): standalone from 2026-10-01, Rest of Middle East before.
    Oman,
    /// Ukraine (UA): standalone from 2026-10-01, Rest of Central & Eastern Europe before.
    Ukraine,
    /// North America: the United States and Canada, and the other +1 members except the
    /// Dominican Republic, Jamaica and Puerto Rico.
    NorthAmerica,
    /// Rest of Africa.
    RestOfAfrica,
    /// Rest of Asia Pacific.
    RestOfAsiaPacific,
    /// Rest of Central & Eastern Europe.
    RestOfCentralEasternEurope,
    /// Rest of Western Europe.
    RestOfWesternEurope,
    /// Rest of Latin America.
    RestOfLatinAmerica,
    /// Rest of Middle East.
    RestOfMiddleEast,
    /// Every country in no other market, and numbers of unknown country.
    Other,
}

impl Market {
    /// Every market, in declaration order.
    pub(crate) const ALL: [Market; 41] = [
        Market::Argentina,
        Market::Brazil,
        Market::Chile,
        Market::Colombia,
        Market::Egypt,
        Market::France,
        Market::Germany,
        Market::India,
        Market::Indonesia,
        Market::Israel,
        Market::Italy,
        Market::Malaysia,
        Market::Mexico,
        Market::Netherlands,
        Market::Nigeria,
        Market::Pakistan,
        Market::Peru,
        Market::Russia,
        Market::SaudiArabia,
        Market::SouthAfrica,
        Market::Spain,
        Market::Turkey,
        Market::UnitedArabEmirates,
        Market::UnitedKingdom,
        Market::Bangladesh,
        Market::Iraq,
        Market::Nepal,
        Market::SriLanka,
        Market::Kazakhstan,
        Market::Kuwait,
        Market::Morocco,
        Market::Oman,
        Market::Ukraine,
        Market::NorthAmerica,
        Market::RestOfAfrica,
        Market::RestOfAsiaPacific,
        Market::RestOfCentralEasternEurope,
        Market::RestOfWesternEurope,
        Market::RestOfLatinAmerica,
        Market::RestOfMiddleEast,
        Market::Other,
    ];

    /// The `snake_case` name (`"rest_of_central_eastern_europe"`), used in serde and
    /// reports.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Market::Argentina => "argentina",
            Market::Brazil => "brazil",
            Market::Chile => "chile",
            Market::Colombia => "colombia",
            Market::Egypt => "egypt",
            Market::France => "france",
            Market::Germany => "germany",
            Market::India => "india",
            Market::Indonesia => "indonesia",
            Market::Israel => "israel",
            Market::Italy => "italy",
            Market::Malaysia => "malaysia",
            Market::Mexico => "mexico",
            Market::Netherlands => "netherlands",
            Market::Nigeria => "nigeria",
            Market::Pakistan => "pakistan",
            Market::Peru => "peru",
            Market::Russia => "russia",
            Market::SaudiArabia => "saudi_arabia",
            Market::SouthAfrica => "south_africa",
            Market::Spain => "spain",
            Market::Turkey => "turkey",
            Market::UnitedArabEmirates => "united_arab_emirates",
            Market::UnitedKingdom => "united_kingdom",
            Market::Bangladesh => "bangladesh",
            Market::Iraq => "iraq",
            Market::Nepal => "nepal",
            Market::SriLanka => "sri_lanka",
            Market::Kazakhstan => "kazakhstan",
            Market::Kuwait => "kuwait",
            Market::Morocco => "morocco",
            Market::Oman => "oman",
            Market::Ukraine => "ukraine",
            Market::NorthAmerica => "north_america",
            Market::RestOfAfrica => "rest_of_africa",
            Market::RestOfAsiaPacific => "rest_of_asia_pacific",
            Market::RestOfCentralEasternEurope => "rest_of_central_eastern_europe",
            Market::RestOfWesternEurope => "rest_of_western_europe",
            Market::RestOfLatinAmerica => "rest_of_latin_america",
            Market::RestOfMiddleEast => "rest_of_middle_east",
            Market::Other => "other",
        }
    }

    /// Meta's display name on the rate card (`"Rest of Central & Eastern Europe"`).
    pub(crate) fn display_name(self) -> &'static str {
        match self {
            Market::Argentina => "Argentina",
            Market::Brazil => "Brazil",
            Market::Chile => "Chile",
            Market::Colombia => "Colombia",
            Market::Egypt => "Egypt",
            Market::France => "France",
            Market::Germany => "Germany",
            Market::India => "India",
            Market::Indonesia => "Indonesia",
            Market::Israel => "Israel",
            Market::Italy => "Italy",
            Market::Malaysia => "Malaysia",
            Market::Mexico => "Mexico",
            Market::Netherlands => "Netherlands",
            Market::Nigeria => "Nigeria",
            Market::Pakistan => "Pakistan",
            Market::Peru => "Peru",
            Market::Russia => "Russia",
            Market::SaudiArabia => "Saudi Arabia",
            Market::SouthAfrica => "South Africa",
            Market::Spain => "Spain",
            Market::Turkey => "Turkey",
            Market::UnitedArabEmirates => "United Arab Emirates",
            Market::UnitedKingdom => "United Kingdom",
            Market::Bangladesh => "Bangladesh",
            Market::Iraq => "Iraq",
            Market::Nepal => "Nepal",
            Market::SriLanka => "Sri Lanka",
            Market::Kazakhstan => "Kazakhstan",
            Market::Kuwait => "Kuwait",
            Market::Morocco => "Morocco",
            Market::Oman => "Oman",
            Market::Ukraine => "Ukraine",
            Market::NorthAmerica => "North America",
            Market::RestOfAfrica => "Rest of Africa",
            Market::RestOfAsiaPacific => "Rest of Asia Pacific",
            Market::RestOfCentralEasternEurope => "Rest of Central & Eastern Europe",
            Market::RestOfWesternEurope => "Rest of Western Europe",
            Market::RestOfLatinAmerica => "Rest of Latin America",
            Market::RestOfMiddleEast => "Rest of Middle East",
            Market::Other => "Other",
        }
    }

    /// Parse a market name: the `snake_case` name or Meta's display name,
    /// case-insensitively, with any run of spaces, `_`, `-`, `&` or other punctuation
    /// as one separator and the word "and" ignored (`"north_america"`,
    /// `"North America"`, `"Rest of Central & Eastern Europe"`,
    /// `"rest-of-central-and-eastern-europe"`). `UAE`, `UK` and `Türkiye`/`Turkiye` are
    /// accepted too. Anything else is `None`.
    pub(crate) fn parse(name: &str) -> Option<Market> {
        let lower = name.to_lowercase();
        let key = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && *w != "and")
            .collect::<Vec<_>>()
            .join("_");
        match key.as_str() {
            "uae" => return Some(Market::UnitedArabEmirates),
            "uk" => return Some(Market::UnitedKingdom),
            "türkiye" | "turkiye" => return Some(Market::Turkey),
            _ => {}
        }
        Market::ALL.into_iter().find(|m| m.as_str() == key)
    }

    /// A market as configs and rate cards name it: a name [`Market::parse`] accepts, or
    /// an ISO 3166 alpha-2 code of a country that is a market of its own (`DE` is
    /// Germany). A code of a country inside a regional market (or in Other) is an error
    /// naming that market, e.g. "`PT` is in Rest of Western Europe"; the country's latest
    /// assignment in Meta's table counts.
    pub(crate) fn parse_name_or_code(s: &str) -> Result<Market, String> {
        if let Some(m) = Market::parse(s) {
            return Ok(m);
        }
        let code = s.trim();
        let country = Country::new(code).ok_or_else(|| format!("unknown market `{s}`"))?;
        match MarketTable::meta_default().market(Some(country), i32::MAX) {
            m @ (Market::NorthAmerica
            | Market::RestOfAfrica
            | Market::RestOfAsiaPacific
            | Market::RestOfCentralEasternEurope
            | Market::RestOfWesternEurope
            | Market::RestOfLatinAmerica
            | Market::RestOfMiddleEast
            | Market::Other) => Err(format!(
                "`{}` is in {}, not a market of its own: write the market's name",
                country,
                m.display_name()
            )),
            m => Ok(m),
        }
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Market {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Market {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Market".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A WhatsApp pricing market (`\"north_america\"`).",
            "type": "string",
        })
    }
}

impl<'de> Deserialize<'de> for Market {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MarketVisitor;
        impl Visitor<'_> for MarketVisitor {
            type Value = Market;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a WhatsApp pricing market name such as \"north_america\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Market, E> {
                Market::parse_name_or_code(v)
                    .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_str(MarketVisitor)
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Days since 1970-01-01 of the proleptic Gregorian date `y`-`m`-`d` (Howard Hinnant's
/// `days_from_civil`): `days_from_civil(1970, 1, 1) == 0`,
/// `days_from_civil(2025, 10, 1) == 20362`, negative before 1970.
///
/// `m` is 1–12 and `d` 1–31; the inputs are not validated, and out-of-range days roll
/// over arithmetically (`(2025, 2, 29)` is the day after `(2025, 2, 28)`). Exact for
/// every date whose day count fits in `i32`.
#[allow(clippy::cast_possible_wrap)]
pub(crate) const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = ((153 * mp + 2) / 5 + d - 1) as i32; // [0, 365] for valid m, d
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

// ---------------------------------------------------------------------------
// Country → market
// ---------------------------------------------------------------------------

/// Meta's assignment of countries to pricing markets, sorted by country; a country not
/// listed is [`Market::Other`].
///
/// Source: the market list of Meta's pricing page for the Business Platform and its rate
/// cards as published in 2025 (compiled 2026-11-23). Meta lists sovereign countries;
/// the territories that share a parent's calling code are given the parent's market
/// (Guernsey, Jersey, Isle of Man → United Kingdom; Vatican → Italy; Åland, Svalbard →
/// Rest of Western Europe; Christmas and Cocos Islands → Rest of Asia Pacific), and, as
/// semantics §2 says "North America (+1)", every NANP member except the Dominican
/// Republic, Jamaica and Puerto Rico (Rest of Latin America) is North America.
/// Greece is in Rest of Central & Eastern Europe on Meta's list. Kazakhstan, which
/// shares +7 with Russia, is on no list and so is Other (until it became a standalone
/// market on 2026-10-01, see `META_MARKET_CHANGES`).
#[rustfmt::skip]
static META_MARKETS_2025: &[([u8; 2], Market)] = {
    use Market::{
        Argentina, Brazil, Chile, Colombia, Egypt, France, Germany, India, Indonesia,
        Israel, Italy, Malaysia, Mexico, Netherlands, Nigeria, NorthAmerica, Pakistan, Peru,
        RestOfAfrica, RestOfAsiaPacific, RestOfCentralEasternEurope, RestOfLatinAmerica,
        RestOfMiddleEast, RestOfWesternEurope, Russia, SaudiArabia, SouthAfrica, Spain,
        Turkey, UnitedArabEmirates, UnitedKingdom,
    };
    &[
        (*b"AE", UnitedArabEmirates), (*b"AF", RestOfAsiaPacific), (*b"AG", NorthAmerica),
        (*b"AI", NorthAmerica), (*b"AL", RestOfCentralEasternEurope),
        (*b"AM", RestOfCentralEasternEurope), (*b"AO", RestOfAfrica), (*b"AR", Argentina),
        (*b"AS", NorthAmerica), (*b"AT", RestOfWesternEurope), (*b"AU", RestOfAsiaPacific),
        (*b"AX", RestOfWesternEurope), (*b"AZ", RestOfCentralEasternEurope),
        (*b"BB", NorthAmerica), (*b"BD", RestOfAsiaPacific), (*b"BE", RestOfWesternEurope),
        (*b"BF", RestOfAfrica), (*b"BG", RestOfCentralEasternEurope),
        (*b"BH", RestOfMiddleEast), (*b"BI", RestOfAfrica), (*b"BJ", RestOfAfrica),
        (*b"BM", NorthAmerica), (*b"BO", RestOfLatinAmerica), (*b"BR", Brazil),
        (*b"BS", NorthAmerica), (*b"BW", RestOfAfrica), (*b"BY", RestOfCentralEasternEurope),
        (*b"CA", NorthAmerica), (*b"CC", RestOfAsiaPacific), (*b"CG", RestOfAfrica),
        (*b"CH", RestOfWesternEurope), (*b"CI", RestOfAfrica), (*b"CL", Chile),
        (*b"CM", RestOfAfrica), (*b"CN", RestOfAsiaPacific), (*b"CO", Colombia),
        (*b"CR", RestOfLatinAmerica), (*b"CX", RestOfAsiaPacific),
        (*b"CZ", RestOfCentralEasternEurope), (*b"DE", Germany), (*b"DK", RestOfWesternEurope),
        (*b"DM", NorthAmerica), (*b"DO", RestOfLatinAmerica), (*b"DZ", RestOfAfrica),
        (*b"EC", RestOfLatinAmerica), (*b"EG", Egypt), (*b"ER", RestOfAfrica), (*b"ES", Spain),
        (*b"ET", RestOfAfrica), (*b"FI", RestOfWesternEurope), (*b"FR", France),
        (*b"GA", RestOfAfrica), (*b"GB", UnitedKingdom), (*b"GD", NorthAmerica),
        (*b"GE", RestOfCentralEasternEurope), (*b"GG", UnitedKingdom), (*b"GH", RestOfAfrica),
        (*b"GM", RestOfAfrica), (*b"GR", RestOfCentralEasternEurope),
        (*b"GT", RestOfLatinAmerica), (*b"GU", NorthAmerica), (*b"GW", RestOfAfrica),
        (*b"HK", RestOfAsiaPacific), (*b"HN", RestOfLatinAmerica),
        (*b"HR", RestOfCentralEasternEurope), (*b"HT", RestOfLatinAmerica),
        (*b"HU", RestOfCentralEasternEurope), (*b"ID", Indonesia),
        (*b"IE", RestOfWesternEurope), (*b"IL", Israel), (*b"IM", UnitedKingdom),
        (*b"IN", India), (*b"IQ", RestOfMiddleEast), (*b"IT", Italy), (*b"JE", UnitedKingdom),
        (*b"JM", RestOfLatinAmerica), (*b"JO", RestOfMiddleEast), (*b"JP", RestOfAsiaPacific),
        (*b"KE", RestOfAfrica), (*b"KH", RestOfAsiaPacific), (*b"KN", NorthAmerica),
        (*b"KW", RestOfMiddleEast), (*b"KY", NorthAmerica), (*b"LA", RestOfAsiaPacific),
        (*b"LB", RestOfMiddleEast), (*b"LC", NorthAmerica), (*b"LK", RestOfAsiaPacific),
        (*b"LR", RestOfAfrica), (*b"LS", RestOfAfrica), (*b"LT", RestOfCentralEasternEurope),
        (*b"LV", RestOfCentralEasternEurope), (*b"LY", RestOfAfrica), (*b"MA", RestOfAfrica),
        (*b"MD", RestOfCentralEasternEurope), (*b"MG", RestOfAfrica),
        (*b"MK", RestOfCentralEasternEurope), (*b"ML", RestOfAfrica),
        (*b"MN", RestOfAsiaPacific), (*b"MP", NorthAmerica), (*b"MR", RestOfAfrica),
        (*b"MS", NorthAmerica), (*b"MW", RestOfAfrica), (*b"MX", Mexico), (*b"MY", Malaysia),
        (*b"MZ", RestOfAfrica), (*b"NA", RestOfAfrica), (*b"NE", RestOfAfrica),
        (*b"NG", Nigeria), (*b"NI", RestOfLatinAmerica), (*b"NL", Netherlands),
        (*b"NO", RestOfWesternEurope), (*b"NP", RestOfAsiaPacific),
        (*b"NZ", RestOfAsiaPacific), (*b"OM", RestOfMiddleEast), (*b"PA", RestOfLatinAmerica),
        (*b"PE", Peru), (*b"PG", RestOfAsiaPacific), (*b"PH", RestOfAsiaPacific),
        (*b"PK", Pakistan), (*b"PL", RestOfCentralEasternEurope), (*b"PR", RestOfLatinAmerica),
        (*b"PT", RestOfWesternEurope), (*b"PY", RestOfLatinAmerica),
        (*b"QA", RestOfMiddleEast), (*b"RO", RestOfCentralEasternEurope),
        (*b"RS", RestOfCentralEasternEurope), (*b"RU", Russia), (*b"RW", RestOfAfrica),
        (*b"SA", SaudiArabia), (*b"SD", RestOfAfrica), (*b"SE", RestOfWesternEurope),
        (*b"SG", RestOfAsiaPacific), (*b"SI", RestOfCentralEasternEurope),
        (*b"SJ", RestOfWesternEurope), (*b"SK", RestOfCentralEasternEurope),
        (*b"SL", RestOfAfrica), (*b"SN", RestOfAfrica), (*b"SO", RestOfAfrica),
        (*b"SS", RestOfAfrica), (*b"SV", RestOfLatinAmerica), (*b"SX", NorthAmerica),
        (*b"SZ", RestOfAfrica), (*b"TC", NorthAmerica), (*b"TD", RestOfAfrica),
        (*b"TG", RestOfAfrica), (*b"TH", RestOfAsiaPacific), (*b"TJ", RestOfAsiaPacific),
        (*b"TM", RestOfAsiaPacific), (*b"TN", RestOfAfrica), (*b"TR", Turkey),
        (*b"TT", NorthAmerica), (*b"TW", RestOfAsiaPacific), (*b"TZ", RestOfAfrica),
        (*b"UA", RestOfCentralEasternEurope), (*b"UG", RestOfAfrica), (*b"US", NorthAmerica),
        (*b"UY", RestOfLatinAmerica), (*b"UZ", RestOfAsiaPacific), (*b"VA", Italy),
        (*b"VC", NorthAmerica), (*b"VE", RestOfLatinAmerica), (*b"VG", NorthAmerica),
        (*b"VI", NorthAmerica), (*b"VN", RestOfAsiaPacific), (*b"YE", RestOfMiddleEast),
        (*b"ZA", SouthAfrica), (*b"ZM", RestOfAfrica),
    ]
};

/// Meta's dated changes to [`META_MARKETS_2025`], as `(country, market, effective from
/// day)` (semantics §2):
///
/// | from | country | before | from then on |
/// |---|---|---|---|
/// | 2025-10-01 | ZW Zimbabwe | Other | Rest of Africa |
/// | 2026-10-01 | BD Bangladesh | Rest of Asia Pacific | Bangladesh |
/// | 2026-10-01 | IQ Iraq | Rest of Middle East | Iraq |
/// | 2026-10-01 | NP Nepal | Rest of Asia Pacific | Nepal |
/// | 2026-10-01 | LK Sri Lanka | Rest of Asia Pacific | Sri Lanka |
/// | 2026-10-01 | KZ Kazakhstan | Other | Kazakhstan |
/// | 2026-10-01 | KW Kuwait | Rest of Middle East | Kuwait |
/// | 2026-10-01 | MA Morocco | Rest of Africa | Morocco |
/// | 2026-10-01 | OM Oman | Rest of Middle East | Oman |
/// | 2026-10-01 | UA Ukraine | Rest of Central & Eastern Europe | Ukraine |
///
/// Source for 2026-10-01: Meta's pricing page ("nine more markets move out of their
/// regional groups onto standalone rates"; each gains an authentication-international rate),
/// announced 2026-06. The "before" column is [`META_MARKETS_2025`]: Meta's 2025 regional
/// lists, on which Kazakhstan appears nowhere (so it was Other).
static META_MARKET_CHANGES: &[([u8; 2], Market, i32)] = {
    const OCT_2026: i32 = days_from_civil(2026, 10, 1);
    &[
        (*b"ZW", Market::RestOfAfrica, days_from_civil(2025, 10, 1)),
        (*b"BD", Market::Bangladesh, OCT_2026),
        (*b"IQ", Market::Iraq, OCT_2026),
        (*b"NP", Market::Nepal, OCT_2026),
        (*b"LK", Market::SriLanka, OCT_2026),
        (*b"KZ", Market::Kazakhstan, OCT_2026),
        (*b"KW", Market::Kuwait, OCT_2026),
        (*b"MA", Market::Morocco, OCT_2026),
        (*b"OM", Market::Oman, OCT_2026),
        (*b"UA", Market::Ukraine, OCT_2026),
    ]
};

/// A dated country→market table: a base assignment plus overrides that take effect on
/// a given day, so a country can change market over time.
///
/// [`MarketTable::meta_default`] (also [`Default`]) is Meta's published assignment
/// with its dated changes; [`MarketTable::with_override`] adds more from
/// configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MarketTable {
    /// Base assignment, sorted by country.
    base: &'static [([u8; 2], Market)],
    /// `(country, effective from day, market)`, sorted by country then day.
    overrides: Vec<(Country, i32, Market)>,
}

impl MarketTable {
    /// The dated overrides, as `(country, effective from day, market)`, sorted by
    /// country then day.
    #[cfg(test)]
    fn overrides(&self) -> impl Iterator<Item = (Country, i32, Market)> + '_ {
        self.overrides.iter().copied()
    }

    /// Meta's assignment of countries to pricing markets as published in 2025, with
    /// its dated changes (Zimbabwe: Other before 2025-10-01, Rest of Africa from then;
    /// Bangladesh, Iraq, Nepal, Sri Lanka, Kazakhstan, Kuwait, Morocco, Oman and Ukraine:
    /// their regional market before 2026-10-01, standalone from then). See the crate
    /// source's `META_MARKETS_2025` and `META_MARKET_CHANGES` for the lists and the rules
    /// for territories.
    pub(crate) fn meta_default() -> MarketTable {
        META_MARKET_CHANGES.iter().fold(
            MarketTable {
                base: META_MARKETS_2025,
                overrides: Vec::new(),
            },
            |table, &(country, market, from)| {
                table.with_override(Country::of(country), market, from)
            },
        )
    }

    /// The market of `country` on `day` (days since 1970-01-01, see
    /// [`days_from_civil`]): the latest override for the country effective on or
    /// before `day`, else the base assignment, else [`Market::Other`]. An unknown
    /// country (`None`) is [`Market::Other`].
    pub(crate) fn market(&self, country: Option<Country>, day: i32) -> Market {
        let Some(country) = country else {
            return Market::Other;
        };
        let after = self
            .overrides
            .partition_point(|&(c, from, _)| (c, from) <= (country, day));
        if let Some(&(c, _, market)) = after.checked_sub(1).map(|i| &self.overrides[i]) {
            if c == country {
                return market;
            }
        }
        self.base
            .binary_search_by_key(&country.bytes(), |&(c, _)| c)
            .map_or(Market::Other, |i| self.base[i].1)
    }

    /// Add a dated change: `country` is in `market` from `effective_from_day` (days
    /// since 1970-01-01) until a later override, if any. An override for the same
    /// country and day replaces the earlier one; `i32::MIN` makes it apply on every
    /// day.
    #[must_use]
    pub(crate) fn with_override(
        mut self,
        country: Country,
        market: Market,
        effective_from_day: i32,
    ) -> Self {
        let key = (country, effective_from_day);
        match self
            .overrides
            .binary_search_by_key(&key, |&(c, from, _)| (c, from))
        {
            Ok(i) => self.overrides[i].2 = market,
            Err(i) => self
                .overrides
                .insert(i, (country, effective_from_day, market)),
        }
        self
    }
}

impl Default for MarketTable {
    fn default() -> Self {
        MarketTable::meta_default()
    }
}

/// A dated country→market override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MarketOverride {
    /// ISO 3166 alpha-2 country code.
    pub country: String,
    /// Market name.
    pub market: String,
    /// First day the override applies.
    pub effective_from: NaiveDate,
}

/// Days since 1970-01-01 of `day`, as the market table counts them.
pub(crate) fn epoch_day(day: NaiveDate) -> i32 {
    days_from_civil(day.year(), day.month(), day.day())
}

/// Meta's country→market table with the config's overrides on top. Errors name the entry.
pub(crate) fn market_table(overrides: &[MarketOverride]) -> Result<MarketTable, String> {
    let mut t = MarketTable::meta_default();
    for (i, o) in overrides.iter().enumerate() {
        let c = Country::new(&o.country)
            .ok_or_else(|| format!("[{i}]: `{}` is not a two-letter country code", o.country))?;
        let m = Market::parse_name_or_code(&o.market).map_err(|e| format!("[{i}]: {e}"))?;
        t = t.with_override(c, m, epoch_day(o.effective_from));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Country {
        Country::new(code).unwrap()
    }

    fn num(n: &str) -> Option<String> {
        country_from_number(n).map(|c| c.to_string())
    }

    #[test]
    fn country_new_and_display() {
        assert_eq!(c("us").as_str(), "US");
        assert_eq!(c("Gb").to_string(), "GB");
        assert_eq!(c(" in ").as_str(), "IN");
        assert_eq!(format!("{:?}", c("DE")), "Country(DE)");
        for bad in ["", "U", "USA", "U1", "1U", "ü1", "é", "U S", "--"] {
            assert_eq!(Country::new(bad), None, "{bad:?}");
        }
        assert!(c("AT") < c("US"));
    }

    #[test]
    fn country_serde() {
        assert_eq!(serde_json::to_string(&c("us")).unwrap(), "\"US\"");
        let back: Country = serde_json::from_str("\"br\"").unwrap();
        assert_eq!(back, c("BR"));
        // Owned (escaped) strings go through the same path.
        let esc: Country = serde_json::from_str("\"\\u0046R\"").unwrap();
        assert_eq!(esc, c("FR"));
        assert!(serde_json::from_str::<Country>("\"USA\"").is_err());
        assert!(serde_json::from_str::<Country>("12").is_err());
        let v = serde_json::to_value([c("IN"), c("ZW")]).unwrap();
        assert_eq!(v, serde_json::json!(["IN", "ZW"]));
    }

    #[test]
    fn numbers_hand_checked() {
        let cases = [
            ("14155552671", "US"),
            ("16135550123", "CA"),
            ("18095551234", "DO"),
            ("18295551234", "DO"),
            ("18495551234", "DO"),
            ("16585551234", "JM"),
            ("18765551234", "JM"),
            ("17875551234", "PR"),
            ("19395551234", "PR"),
            ("447911123456", "GB"),
            ("4915112345678", "DE"),
            ("919876543210", "IN"),
            ("5511987654321", "BR"),
            ("77012345678", "KZ"),
            ("76012345678", "KZ"),
            ("79161234567", "RU"),
            ("74951234567", "RU"),
            ("2348012345678", "NG"),
            ("263771234567", "ZW"),
            ("972987654321", "IL"),
            ("971501234567", "AE"),
            ("12425551234", "BS"),
            ("+1-416-555-0100", "CA"),
            ("+1 (416) 555-0100", "CA"),
            ("+44 20 7946 0958", "GB"),
            ("12045551234", "CA"),
            ("19425551234", "CA"),
            ("18685551234", "TT"),
            ("16715551234", "GU"),
            ("13405551234", "VI"),
            ("18085551234", "US"),
            ("19075551234", "US"),
            ("12125551234", "US"),
            ("1", "US"),
            ("1415", "US"),
            ("201001234567", "EG"),
            ("27821234567", "ZA"),
            ("212612345678", "MA"),
            ("211912345678", "SS"),
            ("998901234567", "UZ"),
            ("33612345678", "FR"),
            ("262692123456", "RE"),
            ("262269612345", "YT"),
            ("262639123456", "YT"),
            ("590690123456", "GP"),
            ("59995181234", "CW"),
            ("5997171234", "BQ"),
            ("393471234567", "IT"),
            ("390669812345", "VA"),
            ("390612345678", "IT"),
            ("4791234567", "NO"),
            ("4779021234", "SJ"),
            ("358401234567", "FI"),
            ("358181234567", "AX"),
            ("61412345678", "AU"),
            ("61891641234", "CX"),
            ("61891621234", "CC"),
            ("6723212345", "NF"),
            ("38344123456", "XK"),
            ("85291234567", "HK"),
            ("8613812345678", "CN"),
            ("886912345678", "TW"),
            ("5215512345678", "MX"),
            ("541112345678", "AR"),
            ("573001234567", "CO"),
            ("34612345678", "ES"),
            ("905321234567", "TR"),
            ("966501234567", "SA"),
            ("6281234567890", "ID"),
            ("60123456789", "MY"),
            ("923001234567", "PK"),
            ("51912345678", "PE"),
            ("56912345678", "CL"),
            ("31612345678", "NL"),
            ("306912345678", "GR"),
        ];
        for (n, want) in cases {
            assert_eq!(num(n).as_deref(), Some(want), "{n}");
        }
    }

    #[test]
    fn numbers_rejected() {
        for n in [
            "",
            "+",
            "abc",
            "999",
            "9",
            "0",
            "0044791112345",
            "+-",
            "1x415",
            "44_79",
            "1234567890123456", // 16 digits
            "10015551234",      // area code 001
            "11235551234",      // area code starting with 1
            "19115551234",      // N11
            "8001234567",       // international freephone
            "8821234567",       // international networks
            "8701234567",       // Inmarsat
            "2101234",          // unassigned
            "3841234",          // unassigned
            "6931234",          // unassigned
        ] {
            assert_eq!(country_from_number(n), None, "{n:?}");
        }
        // Exactly 15 digits is fine.
        assert_eq!(num("491234567890123").as_deref(), Some("DE"));
    }

    /// Every two-letter code reads back as itself, in either case, and orders as its
    /// letters do (the non-zero bytes keep the order of the plain ones).
    #[test]
    fn every_code_reads_back_and_orders_by_its_letters() {
        let mut last = None;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap();
                let c = Country::new(&code.to_lowercase()).unwrap();
                assert_eq!((c.as_str(), c.bytes()), (&*code, [a, b]));
                assert!(last < Some(c), "{code}");
                last = Some(c);
            }
        }
    }

    #[test]
    fn tables_sorted_unique_and_valid() {
        assert!(CALLING_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(NANP_AREA_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(META_MARKETS_2025.windows(2).all(|w| w[0].0 < w[1].0));
        let valid = |b: [u8; 2]| b.iter().all(u8::is_ascii_uppercase);
        assert!(
            CALLING_CODES
                .iter()
                .all(|&(p, b)| { valid(b) && p > 0 && p.to_string().len() <= MAX_PREFIX_DIGITS })
        );
        assert!(
            NANP_AREA_CODES
                .iter()
                .all(|&(a, b)| valid(b) && (200..1000).contains(&a))
        );
        assert!(META_MARKETS_2025.iter().all(|&(b, _)| valid(b)));
        assert!(META_MARKET_CHANGES.iter().all(|&(b, _, _)| valid(b)));
        // Every sub-prefix refines a code that is itself in the table.
        for &(p, _) in CALLING_CODES {
            let s = p.to_string();
            if s.len() > 3 {
                assert!(
                    (1..=3).any(|k| CALLING_CODES
                        .binary_search_by_key(&s[..k].parse::<u32>().unwrap(), |&(q, _)| q)
                        .is_ok()),
                    "{s} has no parent code"
                );
            }
        }
        // Keep the shipped data small (WASM).
        let bytes = std::mem::size_of_val(CALLING_CODES)
            + std::mem::size_of_val(NANP_AREA_CODES)
            + std::mem::size_of_val(META_MARKETS_2025);
        assert!(bytes < 4096, "{bytes} bytes");
    }

    #[test]
    fn every_calling_code_round_trips() {
        // Each table prefix followed by plausible digits resolves to its own country
        // (longest match), except +1, which goes by area code.
        for &(p, b) in CALLING_CODES {
            if p == 1 {
                continue;
            }
            let n = format!("{p}55512345");
            let n = &n[..n.len().min(15)];
            let want = if p == 7 {
                "RU"
            } else {
                std::str::from_utf8(&b).unwrap()
            };
            assert_eq!(country_from_number(n).unwrap().as_str(), want, "{n}");
        }
        for &(a, b) in NANP_AREA_CODES {
            let n = format!("1{a}5551234");
            assert_eq!(country_from_number(&n), Some(Country::of(b)), "{n}");
        }
    }

    #[test]
    fn canada_area_codes() {
        for a in [
            204, 226, 236, 249, 250, 263, 289, 306, 343, 354, 365, 367, 368, 382, 387, 403, 416,
            418, 428, 431, 437, 438, 450, 460, 468, 474, 506, 514, 519, 548, 579, 581, 584, 587,
            600, 604, 613, 639, 647, 672, 683, 705, 709, 742, 753, 778, 780, 782, 807, 819, 825,
            867, 873, 879, 902, 905, 942,
        ] {
            assert_eq!(num(&format!("1{a}5550100")).as_deref(), Some("CA"), "{a}");
        }
    }

    #[test]
    fn bsuid() {
        assert_eq!(country_from_bsuid("US.13491208655302741918"), Some(c("US")));
        assert_eq!(country_from_bsuid("US.ENT.118234"), Some(c("US")));
        assert_eq!(country_from_bsuid("br.123"), Some(c("BR")));
        for bad in [
            "user.abc",
            "user.0f3a9c",
            "",
            "US",
            "US.",
            ".123",
            "U.1",
            "USA.1",
            "1S.2",
            " U.1",
        ] {
            assert_eq!(country_from_bsuid(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(2025, 1, 1), 20_089);
        assert_eq!(days_from_civil(2025, 7, 1), 20_270);
        assert_eq!(days_from_civil(2025, 9, 30), 20_361);
        assert_eq!(days_from_civil(2025, 10, 1), 20_362);
        assert_eq!(days_from_civil(1900, 1, 1), -25_567);
        assert_eq!(days_from_civil(1600, 1, 1), -135_140);
        // Consecutive days across years, including century rules.
        let mut prev = days_from_civil(1899, 12, 31);
        for y in 1900..=2100 {
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let lens = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            for (m, &len) in (1u32..).zip(lens.iter()) {
                for d in 1..=len {
                    let day = days_from_civil(y, m, d);
                    assert_eq!(day, prev + 1, "{y}-{m}-{d}");
                    prev = day;
                }
            }
        }
        // Matches the Unix clock: 2026-01-01T00:00:00Z = 1767225600.
        assert_eq!(
            i64::from(days_from_civil(2026, 1, 1)) * 86_400,
            1_767_225_600
        );
    }

    #[test]
    fn market_names() {
        for m in Market::ALL {
            assert_eq!(Market::parse(m.as_str()), Some(m));
            assert_eq!(Market::parse(m.display_name()), Some(m));
            assert_eq!(Market::parse(&m.display_name().to_uppercase()), Some(m));
            assert_eq!(m.to_string(), m.as_str());
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
            assert_eq!(serde_json::from_str::<Market>(&json).unwrap(), m);
        }
        let mut names: Vec<_> = Market::ALL.iter().map(|m| m.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Market::ALL.len());
        assert_eq!(Market::NorthAmerica.as_str(), "north_america");
        assert_eq!(Market::RestOfAfrica.as_str(), "rest_of_africa");
        assert_eq!(Market::UnitedKingdom.as_str(), "united_kingdom");
        assert_eq!(Market::parse("North America"), Some(Market::NorthAmerica));
        assert_eq!(Market::parse("rest of africa"), Some(Market::RestOfAfrica));
        assert_eq!(
            Market::parse("Rest of Central & Eastern Europe"),
            Some(Market::RestOfCentralEasternEurope)
        );
        assert_eq!(
            Market::parse("rest-of-central-and-eastern-europe"),
            Some(Market::RestOfCentralEasternEurope)
        );
        assert_eq!(
            Market::parse("Rest of Asia-Pacific"),
            Some(Market::RestOfAsiaPacific)
        );
        assert_eq!(Market::parse("  OTHER "), Some(Market::Other));
        assert_eq!(Market::parse("United Kingdom"), Some(Market::UnitedKingdom));
        assert_eq!(Market::parse("UAE"), Some(Market::UnitedArabEmirates));
        assert_eq!(Market::parse("Türkiye"), Some(Market::Turkey));
        assert_eq!(Market::parse("India"), Some(Market::India));
        for bad in [
            "",
            "Narnia",
            "rest of",
            "north",
            "united states",
            "rest_of_europe",
        ] {
            assert_eq!(Market::parse(bad), None, "{bad:?}");
        }
        let from_display: Market = serde_json::from_str("\"Rest of Middle East\"").unwrap();
        assert_eq!(from_display, Market::RestOfMiddleEast);
        assert!(serde_json::from_str::<Market>("\"nowhere\"").is_err());
    }

    #[test]
    fn meta_markets() {
        let t = MarketTable::meta_default();
        let day = days_from_civil(2025, 8, 1);
        let m = |code: &str| t.market(Some(c(code)), day);
        assert_eq!(m("IN"), Market::India);
        assert_eq!(m("US"), Market::NorthAmerica);
        assert_eq!(m("CA"), Market::NorthAmerica);
        assert_eq!(m("DO"), Market::RestOfLatinAmerica);
        assert_eq!(m("JM"), Market::RestOfLatinAmerica);
        assert_eq!(m("PR"), Market::RestOfLatinAmerica);
        assert_eq!(m("BS"), Market::NorthAmerica);
        assert_eq!(m("AT"), Market::RestOfWesternEurope);
        assert_eq!(m("CH"), Market::RestOfWesternEurope);
        assert_eq!(m("PL"), Market::RestOfCentralEasternEurope);
        assert_eq!(m("GR"), Market::RestOfCentralEasternEurope);
        assert_eq!(m("AU"), Market::RestOfAsiaPacific);
        assert_eq!(m("SG"), Market::RestOfAsiaPacific);
        assert_eq!(m("QA"), Market::RestOfMiddleEast);
        assert_eq!(m("KE"), Market::RestOfAfrica);
        assert_eq!(m("GB"), Market::UnitedKingdom);
        assert_eq!(m("JE"), Market::UnitedKingdom);
        assert_eq!(m("SA"), Market::SaudiArabia);
        assert_eq!(m("ZA"), Market::SouthAfrica);
        assert_eq!(m("AE"), Market::UnitedArabEmirates);
        assert_eq!(m("KZ"), Market::Other);
        assert_eq!(m("KR"), Market::Other);
        assert_eq!(m("IS"), Market::Other);
        assert_eq!(t.market(None, day), Market::Other);
        // Every standalone market has exactly its own country.
        for (code, market) in [
            ("AR", Market::Argentina),
            ("BR", Market::Brazil),
            ("CL", Market::Chile),
            ("CO", Market::Colombia),
            ("EG", Market::Egypt),
            ("FR", Market::France),
            ("DE", Market::Germany),
            ("IN", Market::India),
            ("ID", Market::Indonesia),
            ("IL", Market::Israel),
            ("IT", Market::Italy),
            ("MY", Market::Malaysia),
            ("MX", Market::Mexico),
            ("NL", Market::Netherlands),
            ("NG", Market::Nigeria),
            ("PK", Market::Pakistan),
            ("PE", Market::Peru),
            ("RU", Market::Russia),
            ("SA", Market::SaudiArabia),
            ("ZA", Market::SouthAfrica),
            ("ES", Market::Spain),
            ("TR", Market::Turkey),
            ("AE", Market::UnitedArabEmirates),
            ("GB", Market::UnitedKingdom),
        ] {
            assert_eq!(m(code), market, "{code}");
        }
        assert_eq!(MarketTable::default(), t);
    }

    #[test]
    fn zimbabwe_moves_on_2025_10_01() {
        let t = MarketTable::default();
        let zw = Some(c("ZW"));
        assert_eq!(t.market(zw, days_from_civil(2024, 1, 1)), Market::Other);
        assert_eq!(t.market(zw, days_from_civil(2025, 9, 30)), Market::Other);
        assert_eq!(
            t.market(zw, days_from_civil(2025, 10, 1)),
            Market::RestOfAfrica
        );
        assert_eq!(
            t.market(zw, days_from_civil(2030, 1, 1)),
            Market::RestOfAfrica
        );
        // Neighbours in sort order are unaffected by ZW's override.
        assert_eq!(
            t.market(Some(c("ZM")), days_from_civil(2025, 10, 1)),
            Market::RestOfAfrica
        );
        assert_eq!(
            t.market(Some(c("ZA")), days_from_civil(2025, 10, 1)),
            Market::SouthAfrica
        );
        assert_eq!(
            t.market(Some(c("ZZ")), days_from_civil(2025, 10, 1)),
            Market::Other
        );
        assert_eq!(
            t.overrides().find(|o| o.0 == c("ZW")),
            Some((c("ZW"), days_from_civil(2025, 10, 1), Market::RestOfAfrica))
        );
    }

    #[test]
    fn nine_markets_become_standalone_on_2026_10_01() {
        let t = MarketTable::default();
        let (before, from) = (days_from_civil(2026, 9, 30), days_from_civil(2026, 10, 1));
        // (country, market on 2026-09-30 from Meta's 2025 lists, market from 2026-10-01)
        let rows = [
            ("BD", Market::RestOfAsiaPacific, Market::Bangladesh),
            ("IQ", Market::RestOfMiddleEast, Market::Iraq),
            ("NP", Market::RestOfAsiaPacific, Market::Nepal),
            ("LK", Market::RestOfAsiaPacific, Market::SriLanka),
            ("KZ", Market::Other, Market::Kazakhstan),
            ("KW", Market::RestOfMiddleEast, Market::Kuwait),
            ("MA", Market::RestOfAfrica, Market::Morocco),
            ("OM", Market::RestOfMiddleEast, Market::Oman),
            ("UA", Market::RestOfCentralEasternEurope, Market::Ukraine),
        ];
        for (code, old, new) in rows {
            let k = Some(c(code));
            assert_eq!(t.market(k, days_from_civil(2025, 1, 1)), old, "{code}");
            assert_eq!(t.market(k, before), old, "{code}");
            assert_eq!(t.market(k, from), new, "{code}");
            assert_eq!(t.market(k, days_from_civil(2030, 1, 1)), new, "{code}");
        }
        // Their neighbours in the regional groups stay where they were.
        for (code, m) in [
            ("PK", Market::Pakistan),
            ("QA", Market::RestOfMiddleEast),
            ("JO", Market::RestOfMiddleEast),
            ("AF", Market::RestOfAsiaPacific),
            ("DZ", Market::RestOfAfrica),
            ("TN", Market::RestOfAfrica),
            ("MD", Market::RestOfCentralEasternEurope),
            ("RU", Market::Russia),
            ("KG", Market::Other),
        ] {
            assert_eq!(t.market(Some(c(code)), from), m, "{code}");
        }
        // End to end from numbers: +880 Bangladesh, +7 7xx Kazakhstan (not Russia), +380
        // Ukraine, +212 Morocco.
        let mk = |n: &str, d| t.market(country_from_number(n), d);
        assert_eq!(mk("8801712345678", before), Market::RestOfAsiaPacific);
        assert_eq!(mk("8801712345678", from), Market::Bangladesh);
        assert_eq!(mk("77012345678", before), Market::Other);
        assert_eq!(mk("77012345678", from), Market::Kazakhstan);
        assert_eq!(mk("79161234567", from), Market::Russia);
        assert_eq!(mk("380501234567", from), Market::Ukraine);
        assert_eq!(mk("212612345678", from), Market::Morocco);
        // Ten dated changes in all: Zimbabwe and the nine.
        assert_eq!(t.overrides().count(), 10);
        // The names parse both ways.
        assert_eq!(Market::parse("Sri Lanka"), Some(Market::SriLanka));
        assert_eq!(Market::parse("sri_lanka"), Some(Market::SriLanka));
        assert_eq!(Market::parse("KAZAKHSTAN"), Some(Market::Kazakhstan));
        assert_eq!(Market::SriLanka.display_name(), "Sri Lanka");
    }

    #[test]
    fn overrides_from_config() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        let t = MarketTable::meta_default()
            .with_override(c("KZ"), Market::Russia, d(2026, 10, 1))
            .with_override(c("BD"), Market::Other, d(2026, 10, 1))
            .with_override(c("BD"), Market::RestOfAsiaPacific, d(2027, 1, 1))
            .with_override(c("ZW"), Market::Other, d(2026, 1, 1))
            .with_override(c("XK"), Market::RestOfCentralEasternEurope, i32::MIN);
        let kz = Some(c("KZ"));
        assert_eq!(t.market(kz, d(2026, 9, 30)), Market::Other);
        assert_eq!(t.market(kz, d(2026, 10, 1)), Market::Russia);
        let bd = Some(c("BD"));
        assert_eq!(t.market(bd, d(2026, 9, 30)), Market::RestOfAsiaPacific);
        assert_eq!(t.market(bd, d(2026, 10, 1)), Market::Other);
        assert_eq!(t.market(bd, d(2026, 12, 31)), Market::Other);
        assert_eq!(t.market(bd, d(2027, 1, 1)), Market::RestOfAsiaPacific);
        let zw = Some(c("ZW"));
        assert_eq!(t.market(zw, d(2025, 9, 30)), Market::Other);
        assert_eq!(t.market(zw, d(2025, 10, 1)), Market::RestOfAfrica);
        assert_eq!(t.market(zw, d(2026, 1, 1)), Market::Other);
        assert_eq!(
            t.market(Some(c("XK")), i32::MIN),
            Market::RestOfCentralEasternEurope
        );
        assert_eq!(
            t.market(Some(c("XK")), 0),
            Market::RestOfCentralEasternEurope
        );
        // Same country and day: the later call wins.
        let t2 = t
            .clone()
            .with_override(c("KZ"), Market::Other, d(2026, 10, 1));
        assert_eq!(t2.market(kz, d(2027, 1, 1)), Market::Other);
        assert_eq!(t2.overrides().count(), t.overrides().count());
        let o: Vec<_> = t.overrides().collect();
        assert!(o.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    }

    #[test]
    fn number_to_market_end_to_end() {
        let t = MarketTable::default();
        let day = days_from_civil(2025, 11, 1);
        let mk = |n: &str| t.market(country_from_number(n), day);
        assert_eq!(mk("14155552671"), Market::NorthAmerica);
        assert_eq!(mk("16135550123"), Market::NorthAmerica);
        assert_eq!(mk("18095551234"), Market::RestOfLatinAmerica);
        assert_eq!(mk("16585551234"), Market::RestOfLatinAmerica);
        assert_eq!(mk("19395551234"), Market::RestOfLatinAmerica);
        assert_eq!(mk("12425551234"), Market::NorthAmerica);
        assert_eq!(mk("919876543210"), Market::India);
        assert_eq!(mk("263771234567"), Market::RestOfAfrica);
        assert_eq!(mk("79161234567"), Market::Russia);
        assert_eq!(mk("390669812345"), Market::Italy);
        assert_eq!(mk("999"), Market::Other);
        assert_eq!(mk("abc"), Market::Other);
    }

    #[test]
    fn single_country_markets_by_iso_code_and_regional_ones_refused_by_name() {
        // DE is Germany's own market; codes are case-insensitive; names still work.
        assert_eq!(Market::parse_name_or_code("DE"), Ok(Market::Germany));
        assert_eq!(Market::parse_name_or_code(" in "), Ok(Market::India));
        assert_eq!(Market::parse_name_or_code("Germany"), Ok(Market::Germany));
        // Portugal is priced in Rest of Western Europe, the US in North America, Zimbabwe
        // (since 2025-10-01, its latest assignment) in Rest of Africa.
        let err = |c| Market::parse_name_or_code(c).unwrap_err();
        assert!(
            err("PT").starts_with("`PT` is in Rest of Western Europe"),
            "{}",
            err("PT")
        );
        assert!(err("us").starts_with("`US` is in North America"));
        assert!(err("ZW").starts_with("`ZW` is in Rest of Africa"));
        assert_eq!(err("Atlantis"), "unknown market `Atlantis`");
        // Through the config's overrides and the rate card alike.
        let o = |m: &str| MarketOverride {
            country: "AT".into(),
            market: m.into(),
            effective_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        };
        let t = market_table(&[o("DE")]).unwrap();
        assert_eq!(t.market(Country::new("AT"), i32::MAX), Market::Germany);
        assert!(
            market_table(&[o("PT")])
                .unwrap_err()
                .contains("`PT` is in Rest of Western Europe")
        );
    }
}
