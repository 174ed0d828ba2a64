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

    fn d(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 7, n).unwrap()
    }

    fn engine_with(lines: &[&str]) -> Engine {
        let mut e = Engine::new(Config::default()).unwrap();
        for l in lines {
            e.ingest_str(l).unwrap();
        }
        e
    }

    /// An Ads Insights row in USD on the days `from..=to` of July 2025.
    fn insights(
        ad: Option<&str>,
        campaign: (&str, &str),
        spend: &str,
        from: u32,
        to: u32,
    ) -> String {
        let ad = ad
            .map(|a| format!(r#""ad_id":"{a}","ad_name":"Ad {a}","#))
            .unwrap_or_default();
        format!(
            r#"{{{ad}"campaign_id":"{}","campaign_name":"{}","spend":"{spend}","date_start":"2025-07-{from:02}","date_stop":"2025-07-{to:02}","account_currency":"USD"}}"#,
            campaign.0, campaign.1
        )
    }

    #[test]
    fn a_meta_campaign_spends_its_ads_rows_else_its_own_rows() {
        let spring = ("900", "Spring");
        let e = engine_with(&[
            &insights(Some("120"), spring, "30", 1, 1),
            &insights(Some("121"), spring, "20", 1, 1),
            // Campaign-level rows of 900: on 07-01 its ads have rows (30 + 20), so this one
            // does not count; on 07-02 none do, so its 40 does.
            &insights(None, spring, "60", 1, 1),
            &insights(None, spring, "40", 2, 2),
            // Campaign 901 has no ad rows at all: its own 7 on 07-01 counts.
            &insights(None, ("901", "Autumn"), "7", 1, 1),
        ]);
        let spend = Spend::build(&e.store, Currency::USD, None);
        assert_eq!(spend.ad_campaign["meta_ad:120"], "meta_campaign:900");
        assert_eq!(spend.ad_campaign["meta_ad:121"], "meta_campaign:900");
        assert_eq!(spend.ad_campaign.len(), 2);
        let (days, extra) = spend.campaigns();
        // 900: 07-01 = 30 + 20 = 50 (ads), 07-02 = 40 (its own row); 901: 07-01 = 7.
        assert_eq!(days["meta_campaign:900"][&d(1)], 50_000_000);
        assert_eq!(days["meta_campaign:900"][&d(2)], 40_000_000);
        assert_eq!(days["meta_campaign:900"].len(), 2);
        assert_eq!(days["meta_campaign:901"][&d(1)], 7_000_000);
        assert_eq!(days.len(), 2);
        // The campaign-level spend counted (what no ad row holds): 7 on 07-01, 40 on 07-02;
        // the 60 of 07-01 is not among it.
        assert_eq!(extra[&d(1)], 7_000_000);
        assert_eq!(extra[&d(2)], 40_000_000);
        assert_eq!(extra.len(), 2);
        // Spend names: the ads' `ad_name`, the campaigns' `campaign_name` (from ad rows
        // and campaign rows alike).
        let names = spend_names(&e.store);
        assert_eq!(names["meta_ad:120"], "Ad 120");
        assert_eq!(names["meta_campaign:900"], "Spring");
        assert_eq!(names["meta_campaign:901"], "Autumn");
    }

    #[test]
    fn the_row_with_the_latest_period_names_the_ad_and_its_campaign() {
        // Ad 7: its 07-01 row says campaign 900 "Spring", its 07-03 row campaign 901
        // "Summer"; the 07-03 row has the later period, so 901 and its names win. The
        // store walks rows by key (`meta_ad:7|2025-07-01` first): the winner comes second.
        // Ad 8: its 07-01..07-09 row (campaign 902 "Long") ends later than its 07-02 row
        // (903 "Short"), so the first row walked wins.
        let e = engine_with(&[
            &insights(Some("7"), ("900", "Spring"), "1", 1, 1),
            &insights(Some("7"), ("901", "Summer"), "1", 3, 3),
            &insights(Some("8"), ("902", "Long"), "9", 1, 9),
            &insights(Some("8"), ("903", "Short"), "1", 2, 2),
        ]);
        let spend = Spend::build(&e.store, Currency::USD, None);
        assert_eq!(spend.ad_campaign["meta_ad:7"], "meta_campaign:901");
        assert_eq!(spend.ad_campaign["meta_ad:8"], "meta_campaign:902");
        let names = spend_names(&e.store);
        assert_eq!(names["meta_campaign:900"], "Spring");
        assert_eq!(names["meta_campaign:901"], "Summer");
        assert_eq!(names["meta_campaign:902"], "Long");
        assert_eq!(names["meta_campaign:903"], "Short");
    }

    #[test]
    fn spend_of_another_number_or_of_no_number_is_not_counted_on_a_number() {
        let rec = |phone: Option<&str>, amount: &str, to: u32, cur: &str| {
            // The EUR record has a key of its own: the same (source, day, number) would
            // be a restatement of the USD one (the larger amount wins).
            let source = if cur == "USD" { "qr:shop" } else { "qr:menu" };
            let phone = phone
                .map(|p| format!(r#","phone_number_id":"{p}""#))
                .unwrap_or_default();
            format!(
                r#"{{"type":"spend","source":"{source}","date":"2025-07-01","date_stop":"2025-07-{to:02}","amount":{amount},"currency":"{cur}"{phone}}}"#
            )
        };
        let e = engine_with(&[
            &rec(Some("1001"), "10", 1, "USD"),
            &rec(Some("1002"), "20", 1, "USD"),
            // No number, 9 over 07-01..07-02: 4.5 a day; the record counts on 07-01 only.
            &rec(None, "9", 2, "USD"),
            // Another currency is left out whatever number it names.
            &rec(Some("1001"), "3", 1, "EUR"),
        ]);
        let on = Spend::build(&e.store, Currency::USD, Some("1001"));
        assert_eq!(on.days["qr:shop"][&d(1)], 10_000_000);
        assert_eq!(on.days["qr:shop"].len(), 1);
        assert_eq!(on.unnumbered[&d(1)], (1, 4_500_000));
        assert_eq!(on.unnumbered[&d(2)], (0, 4_500_000));
        assert_eq!(on.other[&Currency::EUR][&d(1)], (1, 3_000_000));
        // All numbers: 10 + 20 + 4.5 on 07-01, 4.5 on 07-02; nothing unnumbered.
        let all = Spend::build(&e.store, Currency::USD, None);
        assert_eq!(all.days["qr:shop"][&d(1)], 34_500_000);
        assert_eq!(all.days["qr:shop"][&d(2)], 4_500_000);
        assert!(all.unnumbered.is_empty());
        assert_eq!(all.other[&Currency::EUR][&d(1)], (1, 3_000_000));
    }

    #[test]
    fn left_in_range_sums_records_and_amounts_of_the_ranges_days() {
        let per: Map<NaiveDate, (u64, i64)> = [(d(1), (1, 5)), (d(2), (2, 7)), (d(3), (4, 11))]
            .into_iter()
            .collect();
        let range = DayRange {
            from: d(2),
            to: d(4),
            tz: chrono_tz::Tz::UTC,
        };
        // 07-02 and 07-03: 2 + 4 records, 7 + 11 micro-units.
        assert_eq!(left_in_range(&per, &range), (6, 18));
    }

    #[test]
    fn the_spend_record_with_the_latest_period_names_its_source() {
        // Two records of `qr:shop`: "Old" on 07-01, "New" on 07-03. The later period wins;
        // the store walks them by key (`qr:shop|2025-07-01` first), so the winner comes
        // second and keeping the first name would say "Old".
        let e = engine_with(&[
            r#"{"type":"spend","source":"qr:shop","name":"Old","date":"2025-07-01","amount":1,"currency":"USD"}"#,
            r#"{"type":"spend","source":"qr:shop","name":"New","date":"2025-07-03","amount":1,"currency":"USD"}"#,
        ]);
        assert_eq!(spend_names(&e.store)["qr:shop"], "New");
    }
}
