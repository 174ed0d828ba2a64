#![doc = include_str!("../guide/sources/spend.md")]

use crate::model::money::{Currency, split_largest_remainder};
use crate::store::{SpendRec, Store};
use crate::util::sorted_map::Map;
use crate::util::time::DayRange;
use chrono::NaiveDate;

/// Spend per source key per day, in micro-units.
pub(crate) type SpendDays = Map<String, Map<NaiveDate, i64>>;

/// The spend a report counts and what it leaves out.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Spend {
    /// Counted spend per source key per day (report currency, number filter).
    pub(crate) days: SpendDays,
    /// Spend naming no business number, left out of a report on one number: per day.
    pub(crate) unnumbered: Map<NaiveDate, (u64, i64)>,
    /// Spend in another currency, left out: per currency, per day (records, micro-units).
    pub(crate) other: Map<Currency, Map<NaiveDate, (u64, i64)>>,
    /// Ad key (`meta_ad:<id>`) → Meta campaign key (`meta_campaign:<id>`).
    pub(crate) ad_campaign: Map<String, String>,
}

/// Where one record goes.
enum Bucket {
    Counted,
    Unnumbered,
    Other(Currency),
    Skipped,
}

impl Spend {
    /// Spread every spend record over its days and sort it into what a report in
    /// `currency` on business number `phone` (`None`: all numbers) counts and leaves out.
    pub(crate) fn build(store: &Store, currency: Currency, phone: Option<&str>) -> Spend {
        let mut out = Spend {
            ad_campaign: ad_campaigns(store),
            ..Spend::default()
        };
        for rec in store.spend.values() {
            let bucket = match (phone, rec.extra.phone.as_deref()) {
                _ if rec.amount.currency != currency => Bucket::Other(rec.amount.currency),
                (None, _) => Bucket::Counted,
                (Some(_), None) => Bucket::Unnumbered,
                (Some(p), Some(q)) if p == q => Bucket::Counted,
                (Some(_), Some(_)) => Bucket::Skipped,
            };
            let days: Vec<NaiveDate> = rec.from.iter_days().take_while(|d| *d <= rec.to).collect();
            let parts = split_largest_remainder(rec.amount.micros, &vec![1.0; days.len()]);
            for (i, (d, amount)) in days.into_iter().zip(parts).enumerate() {
                // The record counts once, on its first day.
                let n = u64::from(i == 0);
                let left = match bucket {
                    Bucket::Counted => {
                        let per = out.days.entry(rec.source.to_string()).or_default();
                        *per.entry(d).or_default() += amount;
                        continue;
                    }
                    Bucket::Skipped => continue,
                    Bucket::Unnumbered => out.unnumbered.entry(d).or_default(),
                    Bucket::Other(c) => out.other.entry(c).or_default().entry(d).or_default(),
                };
                left.0 += n;
                left.1 += amount;
            }
        }
        out
    }

    /// Every Meta campaign's spend per day: its ads' rows on days with any, else its
    /// campaign-level rows (see the module rules). Also returns, per day, the
    /// campaign-level spend counted (what no ad row holds).
    pub(crate) fn campaigns(&self) -> (SpendDays, Map<NaiveDate, i64>) {
        let mut ads: SpendDays = SpendDays::new();
        for (ad, campaign) in &self.ad_campaign {
            for (d, v) in self.days.get(ad).into_iter().flatten() {
                *ads.entry(campaign.clone())
                    .or_default()
                    .entry(*d)
                    .or_default() += v;
            }
        }
        let mut extra: Map<NaiveDate, i64> = Map::new();
        let campaign_rows = self
            .days
            .iter()
            .filter(|(k, _)| k.starts_with("meta_campaign:"));
        for (key, per) in campaign_rows {
            let mine = ads.entry(key.clone()).or_default();
            for (d, v) in per {
                if !mine.contains_key(d) {
                    mine.insert(*d, *v);
                    *extra.entry(*d).or_default() += v;
                }
            }
        }
        ads.retain(|_, per| !per.is_empty());
        (ads, extra)
    }
}

/// Ad → campaign from the ad-level rows that name both (see the module rules).
fn ad_campaigns(store: &Store) -> Map<String, String> {
    let mut best: Map<&str, (NaiveDate, NaiveDate, &str)> = Map::new();
    let named = |r: &&SpendRec| r.source.starts_with("meta_ad:");
    for rec in store.spend.values().filter(named) {
        let Some(c) = rec.extra.campaign.as_deref() else {
            continue;
        };
        let cand = (rec.to, rec.from, c);
        let e = best.entry(&rec.source).or_insert(cand);
        if cand > *e {
            *e = cand;
        }
    }
    best.into_iter()
        .map(|(ad, (_, _, c))| (ad.to_string(), format!("meta_campaign:{c}")))
        .collect()
}

/// The sum over `range` of per-day `(records, micro-units)`.
pub(crate) fn left_in_range(per: &Map<NaiveDate, (u64, i64)>, range: &DayRange) -> (u64, i64) {
    per.range(range.from..range.to)
        .fold((0, 0), |(n, v), (_, (m, w))| (n + m, v + w))
}

/// The spend per source key on the range's days (sources with no spend in it are absent).
pub(crate) fn spend_in_range(days: &SpendDays, range: &DayRange) -> Map<String, i64> {
    days.iter()
        .filter_map(|(k, per)| {
            let sum: i64 = per.range(range.from..range.to).map(|(_, v)| *v).sum();
            (per.range(range.from..range.to).next().is_some()).then(|| (k.clone(), sum))
        })
        .collect()
}

/// The display name spend data gives each source: the name of the record with the latest
/// period (ties: the greatest name), so arrival order does not matter. A Meta campaign is
/// also named by its ads' rows (their `campaign_name`).
pub(super) fn spend_names(store: &Store) -> Map<String, String> {
    let mut best: Map<String, (NaiveDate, NaiveDate, &str)> = Map::new();
    for rec in store.spend.values() {
        let own = rec.name.as_deref().map(|n| (rec.source.to_string(), n));
        let campaign = rec
            .extra
            .campaign
            .as_deref()
            .zip(rec.extra.campaign_name.as_deref());
        let campaign = campaign
            .filter(|_| rec.source.starts_with("meta_ad:"))
            .map(|(c, n)| (format!("meta_campaign:{c}"), n));
        for (key, name) in own.into_iter().chain(campaign) {
            if name.trim().is_empty() {
                continue;
            }
            let cand = (rec.to, rec.from, name);
            let e = best.entry(key).or_insert(cand);
            if cand > *e {
                *e = cand;
            }
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
        let spend = Spend::build(&e.store, Currency::USD, None);
        let d = |n| NaiveDate::from_ymd_opt(2025, 7, n).unwrap();
        // The EUR record is left out, on its one day.
        assert_eq!(spend.other[&Currency::EUR][&d(3)], (1, 1_000_000));
        let days = spend.days;
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
