//! Spend per source per day.
//!
//! A spend record covers one or more calendar days (inclusive). Its amount is spread
//! evenly over them in micro-units by the largest-remainder method, so the days sum
//! exactly to the record and the earlier days take the leftover micro-units.

use crate::model::money::{Currency, split_largest_remainder};
use crate::store::Store;
use crate::util::time::DayRange;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Spend per source key per day, in micro-units.
pub(crate) type SpendDays = BTreeMap<String, BTreeMap<NaiveDate, i64>>;

/// Spread every spend record in `currency` over its days. Returns the per-day amounts and
/// the number of records left out because they were in another currency.
pub(crate) fn spend_by_day(store: &Store, currency: Currency) -> (SpendDays, u64) {
    let mut out = SpendDays::new();
    let mut other = 0u64;
    for rec in store.spend.values() {
        if rec.amount.currency != currency {
            other += 1;
            continue;
        }
        let days: Vec<NaiveDate> = rec.from.iter_days().take_while(|d| *d <= rec.to).collect();
        let parts = split_largest_remainder(rec.amount.micros, &vec![1.0; days.len()]);
        let per = out.entry(rec.source.to_string()).or_default();
        for (d, amount) in days.into_iter().zip(parts) {
            *per.entry(d).or_default() += amount;
        }
    }
    (out, other)
}

/// The spend per source key on the range's days (sources with no spend in it are absent).
pub(crate) fn spend_in_range(days: &SpendDays, range: &DayRange) -> BTreeMap<String, i64> {
    days.iter()
        .filter_map(|(k, per)| {
            let sum: i64 = per.range(range.from..range.to).map(|(_, v)| *v).sum();
            (per.range(range.from..range.to).next().is_some()).then(|| (k.clone(), sum))
        })
        .collect()
}

/// The display name spend data gives each source: the name of the record with the latest
/// period (ties: the greatest name), so arrival order does not matter.
pub(super) fn spend_names(store: &Store) -> BTreeMap<String, String> {
    let mut best: BTreeMap<String, (NaiveDate, NaiveDate, &str)> = BTreeMap::new();
    for rec in store.spend.values() {
        let Some(name) = rec.name.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let cand = (rec.to, rec.from, name);
        let e = best.entry(rec.source.to_string()).or_insert(cand);
        if cand > *e {
            *e = cand;
        }
    }
    best.into_iter()
        .map(|(k, (_, _, n))| (k, n.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;
    use crate::config::Config;

    #[test]
    fn multi_day_spend_is_spread_exactly() {
        let mut e = Engine::new(Config::default()).unwrap();
        // 100.00 USD over 3 days: 33.333334 + 33.333333 + 33.333333 (the first day takes the
        // leftover micro-unit).
        e.ingest_str(r#"{"ad_id":"7","ad_name":"Spring","spend":"100","date_start":"2025-07-01","date_stop":"2025-07-03"}"#)
            .unwrap();
        e.ingest_str(r#"{"type":"spend","source":"meta_ad:7","date":"2025-07-03","amount":1,"currency":"EUR"}"#).unwrap();
        let (days, other) = spend_by_day(&e.store, Currency::USD);
        assert_eq!(other, 1);
        let d = |n| NaiveDate::from_ymd_opt(2025, 7, n).unwrap();
        let per = &days["meta_ad:7"];
        assert_eq!(per[&d(1)], 33_333_334);
        assert_eq!(per[&d(2)], 33_333_333);
        assert_eq!(per[&d(3)], 33_333_333);
        let range = DayRange {
            from: d(2),
            to: d(4),
            tz: chrono_tz::Tz::UTC,
        };
        assert_eq!(spend_in_range(&days, &range)["meta_ad:7"], 66_666_666);
        let before = DayRange {
            from: d(10),
            to: d(11),
            tz: chrono_tz::Tz::UTC,
        };
        assert!(spend_in_range(&days, &before).is_empty());
        assert_eq!(spend_names(&e.store)["meta_ad:7"], "Spring");
    }
}
