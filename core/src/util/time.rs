//! Time: UTC seconds inside, the report's IANA zone at the edges.
//!
//! Every timestamp the engine keeps is an `i64` count of UTC seconds. Days, weekdays and
//! hours exist only when a report buckets by the report time zone (default `UTC`).

#[cfg(not(feature = "compact"))]
use chrono::TimeZone;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset};
use chrono_tz::Tz;

/// Earliest accepted timestamp: 2000-01-01T00:00:00Z. WhatsApp did not exist before;
/// anything earlier is a unit mistake (milliseconds read as seconds go the other way).
pub(crate) const MIN_TS: i64 = 946_684_800;
/// Latest accepted timestamp (exclusive): 2100-01-01T00:00:00Z.
pub(crate) const MAX_TS: i64 = 4_102_444_800;

/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;
/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Whether `ts` is inside the accepted range `[MIN_TS, MAX_TS)`.
pub(crate) fn is_plausible(ts: i64) -> bool {
    (MIN_TS..MAX_TS).contains(&ts)
}

/// An accepted instant in four bytes (an `Option<Ts32>` too): the seconds after
/// `MIN_TS - 1`, which the century `[MIN_TS, MAX_TS)` fits in a `u32` without zero. The
/// store keeps a message's status times this way (a quarter of an `Option<i64>`); it
/// reads and writes them as the `i64` seconds they stand for, so snapshots are unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ts32(std::num::NonZeroU32);

impl Ts32 {
    /// `ts`, or `None` outside the accepted range.
    pub(crate) fn new(ts: i64) -> Option<Ts32> {
        if !is_plausible(ts) {
            return None;
        }
        let n = u32::try_from(ts - (MIN_TS - 1)).ok()?;
        std::num::NonZeroU32::new(n).map(Ts32)
    }

    /// `ts` moved into the accepted range first (the parser refuses other times, so only
    /// a bug could ask for one).
    pub(crate) fn clamped(ts: i64) -> Ts32 {
        let first = Ts32(std::num::NonZeroU32::MIN);
        Ts32::new(ts.clamp(MIN_TS, MAX_TS - 1)).unwrap_or(first)
    }

    /// The UTC seconds.
    pub(crate) fn get(self) -> i64 {
        i64::from(self.0.get()) + (MIN_TS - 1)
    }
}

impl serde::Serialize for Ts32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.get())
    }
}

impl<'de> serde::Deserialize<'de> for Ts32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Ts32, D::Error> {
        let ts = <i64 as serde::Deserialize>::deserialize(d)?;
        Ts32::new(ts).ok_or_else(|| {
            serde::de::Error::custom(format!("timestamp {ts} is outside 2000-01-01..2100-01-01"))
        })
    }
}

/// The calendar day of `ts` in `tz`.
pub(crate) fn day_in(ts: i64, tz: Tz) -> NaiveDate {
    local(ts, tz).date_naive()
}

/// `ts` as a date-time in `tz` (its fixed offset at that instant).
pub(crate) fn local(ts: i64, tz: Tz) -> DateTime<FixedOffset> {
    let utc = DateTime::from_timestamp(ts, 0).unwrap_or_default();
    #[cfg(not(feature = "compact"))]
    let offset = utc.with_timezone(&tz).offset().fix();
    #[cfg(feature = "compact")]
    let offset =
        FixedOffset::east_opt(super::zones::offset_at(tz.name(), ts)).unwrap_or(utc.offset().fix());
    utc.with_timezone(&offset)
}

/// The earliest UTC instant whose local date-time in `tz` is `naive` (`None` in a DST gap).
#[cfg(not(feature = "compact"))]
fn earliest_utc(naive: NaiveDateTime, tz: Tz) -> Option<i64> {
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
}

/// The earliest UTC instant whose local date-time in `tz` is `naive` (`None` in a DST gap).
#[cfg(feature = "compact")]
fn earliest_utc(naive: NaiveDateTime, tz: Tz) -> Option<i64> {
    super::zones::earliest_utc(tz.name(), naive.and_utc().timestamp())
}

/// The UTC timestamp at which `day` starts in `tz` (the earliest instant of that date; on a
/// DST gap at midnight, the first existing instant).
pub(crate) fn start_of_day(day: NaiveDate, tz: Tz) -> i64 {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    earliest_utc(naive, tz)
        // Midnight does not exist (DST gap): step forward an hour at a time.
        .or_else(|| (1..=3).find_map(|h| earliest_utc(naive + chrono::Duration::hours(h), tz)))
        .unwrap_or_else(|| naive.and_utc().timestamp())
}

/// `NaiveDate::parse_from_str(s, "%Y-%m-%d")`, with the format's items written out: the
/// same parse and errors, without reading the format string on every call, and the one
/// chrono parser over an item slice that serde's `NaiveDate` (`NaiveDate::from_str`)
/// already brings, instead of a second one over `StrftimeItems` and the strftime reader
/// itself (9 kB of the .wasm before `wasm-opt`).
pub(crate) fn parse_ymd(s: &str) -> chrono::ParseResult<NaiveDate> {
    use chrono::format::{Item, Numeric, Pad, Parsed};
    /// What `StrftimeItems::new("%Y-%m-%d")` yields (checked in the tests).
    const YMD: &[Item<'static>] = &[
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
    ];
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, s, YMD.iter())?;
    parsed.to_naive_date()
}

/// Parse an IANA zone name (`"Europe/Berlin"`, `"UTC"`).
pub(crate) fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>()
        .map_err(|_| format!("`{name}` is not an IANA time zone name"))
}

/// A range covering every instant ingestion accepts, in `tz`.
pub(crate) fn everything(tz: Tz) -> DayRange {
    DayRange {
        from: day_in(MIN_TS - DAY, tz),
        to: day_in(MAX_TS + DAY, tz),
        tz,
    }
}

/// Replace the days of `live` before `until` with those of `sealed` (day-keyed aggregates
/// spliced at the end of expired history).
pub(crate) fn splice_days<V: Clone>(
    live: &mut crate::util::sorted_map::Map<NaiveDate, V>,
    sealed: &crate::util::sorted_map::Map<NaiveDate, V>,
    until: NaiveDate,
) {
    let later = live.split_off(&until);
    *live = sealed
        .range(..until)
        .map(|(d, v)| (*d, v.clone()))
        .collect();
    live.extend(later);
}

/// A half-open range of calendar days `[from, to)` in a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRange {
    /// First day included.
    pub(crate) from: NaiveDate,
    /// First day excluded.
    pub(crate) to: NaiveDate,
    /// The zone the days are in.
    pub(crate) tz: Tz,
}

impl DayRange {
    /// The UTC instant range `[start, end)` these days cover.
    pub(crate) fn instants(&self) -> (i64, i64) {
        (
            start_of_day(self.from, self.tz),
            start_of_day(self.to, self.tz),
        )
    }

    /// Whether `ts` falls inside the range.
    #[cfg(test)]
    pub(crate) fn contains(&self, ts: i64) -> bool {
        let (a, b) = self.instants();
        (a..b).contains(&ts)
    }

    /// Number of days in the range.
    pub(crate) fn days(&self) -> i64 {
        (self.to - self.from).num_days().max(0)
    }

    /// Every day in the range, in order.
    pub(crate) fn iter_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(move |d| *d < self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ymd_is_parse_from_str_with_the_iso_format() {
        let items: Vec<_> = chrono::format::StrftimeItems::new("%Y-%m-%d").collect();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_ymd("2025-07-01"), Ok(d(2025, 7, 1)));
        // %Y takes a sign and more digits; %m and %d one or two digits.
        assert_eq!(parse_ymd("+2025-7-1"), Ok(d(2025, 7, 1)));
        for s in [
            "2025-07-01",
            "+2025-7-1",
            "2025-02-29",
            "2024-02-29",
            "2025-13-01",
            "2025-07",
            "2025-07-01x",
            "2025/07/01",
            " 2025-07-01",
            "2025-07-01 ",
            "2025 -07-01",
            "",
            "x",
            "99999-01-01",
            "2025-07-001",
            "2025-07--1",
            "-0001-01-01",
        ] {
            let want = NaiveDate::parse_from_str(s, "%Y-%m-%d");
            assert_eq!(parse_ymd(s), want, "{s:?}");
            // The same items, so the same errors (chrono's messages name the kind).
            let mut parsed = chrono::format::Parsed::new();
            let by_items = chrono::format::parse(&mut parsed, s, items.iter())
                .and_then(|()| parsed.to_naive_date());
            assert_eq!(by_items, want, "{s:?}");
        }
        assert_eq!(
            parse_ymd("2025-02-29").unwrap_err().to_string(),
            "input is out of range"
        );
        assert_eq!(
            parse_ymd("2025-07-01x").unwrap_err().to_string(),
            "trailing input"
        );
    }

    #[test]
    fn ts32_keeps_every_accepted_second_in_four_bytes() {
        assert_eq!(std::mem::size_of::<Option<Ts32>>(), 4);
        for ts in [MIN_TS, MIN_TS + 1, 1_751_328_000, MAX_TS - 1] {
            assert_eq!(Ts32::new(ts).map(Ts32::get), Some(ts));
        }
        assert_eq!(Ts32::new(MIN_TS - 1), None);
        assert_eq!(Ts32::new(MAX_TS), None);
        assert_eq!(Ts32::clamped(0).get(), MIN_TS);
        assert_eq!(Ts32::clamped(i64::MAX).get(), MAX_TS - 1);
        // Order is the seconds' order (status times keep the earliest).
        assert!(Ts32::new(MIN_TS + 5) < Ts32::new(MIN_TS + 6));
        // Written and read as the i64 seconds: an Option<Ts32> encodes as an Option<i64>.
        let t = Ts32::new(1_751_328_000);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1751328000");
        assert_eq!(
            postcard::to_allocvec(&t).unwrap(),
            postcard::to_allocvec(&Some(1_751_328_000_i64)).unwrap()
        );
        let back: Option<Ts32> = serde_json::from_str("1751328000").unwrap();
        assert_eq!(back, t);
        let err = serde_json::from_str::<Ts32>("12").unwrap_err().to_string();
        assert!(
            err.contains("timestamp 12 is outside 2000-01-01..2100-01-01"),
            "{err}"
        );
    }

    #[test]
    fn day_boundaries_follow_the_zone() {
        // 2025-03-30 01:30 UTC is 03:30 CEST in Berlin (after the spring-forward gap).
        let ts = 1_743_298_200;
        assert_eq!(
            day_in(ts, Tz::Europe__Berlin),
            NaiveDate::from_ymd_opt(2025, 3, 30).unwrap()
        );
        // Berlin midnight on 2025-03-30 is 23:00 UTC the day before.
        assert_eq!(
            start_of_day(
                NaiveDate::from_ymd_opt(2025, 3, 30).unwrap(),
                Tz::Europe__Berlin
            ),
            1_743_289_200
        );
    }

    #[test]
    fn range_is_half_open() {
        let r = DayRange {
            from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2025, 7, 2).unwrap(),
            tz: Tz::UTC,
        };
        assert!(r.contains(1_751_328_000)); // 2025-07-01T00:00Z
        assert!(!r.contains(1_751_414_400)); // 2025-07-02T00:00Z
        assert_eq!(r.days(), 1);
    }
}
