//! Property: the billing and usage sections do not depend on the order input arrives in
//! (within the lateness bound) nor on duplicates.

use super::billing_support;
use super::cases;

use billing_support::*;
use proptest::prelude::*;

/// One generated happening: (user, what, hour offset, second, delivery delay, extra status).
#[derive(Clone, Debug)]
struct Ev {
    user: usize,
    /// 0 text, 1 text from an ad, 2–4 marketing/utility/authentication template, 5 free-form.
    what: u8,
    hour: i64,
    second: i64,
    /// Seconds to delivery; `None`: never delivered.
    delay: Option<i64>,
    /// 0 none, 1 read later, 2 failed (after delivery if delivered), 3 Meta pricing on delivery.
    extra: u8,
}

fn ev() -> impl Strategy<Value = Ev> {
    (
        0usize..4,
        0u8..6,
        0i64..240,
        0i64..3,
        proptest::option::weighted(0.85, 0i64..7200),
        0u8..4,
    )
        .prop_map(|(user, what, hour, second, delay, extra)| Ev {
            user,
            what,
            hour,
            second,
            delay,
            extra,
        })
}

/// The lines of a scenario, each with the instant it describes.
fn lines(evs: &[Ev]) -> Vec<(i64, String)> {
    // 2025-06-26: ten days around the switch to per-message pricing.
    let base = ts("2025-06-26T00:00:00");
    let users = [DE, DE2, IN, "4915100000042"];
    let mut out = Vec::new();
    for (i, e) in evs.iter().enumerate() {
        let u = users[e.user];
        let t = base + e.hour * H + e.second;
        let id = format!("e{i}");
        match e.what {
            0 => out.push((t, inbound(u, &id, t))),
            1 => out.push((t, inbound_ad(u, &id, t))),
            w => {
                let rec = match w {
                    2 => template(u, &id, t, "marketing"),
                    3 => template(u, &id, t, "utility"),
                    4 => template(u, &id, t, "authentication"),
                    _ => free_form(u, &id, t),
                };
                out.push((t, rec));
                out.push((t + 1, status(u, &id, "sent", t + 1)));
                if let Some(d) = e.delay {
                    let at = t + 1 + d;
                    if e.extra == 3 {
                        let p = r#""pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"marketing"}"#;
                        out.push((at, status_with(u, &id, "delivered", at, p)));
                    } else {
                        out.push((at, status(u, &id, "delivered", at)));
                    }
                    if e.extra == 1 {
                        out.push((at + 60, status(u, &id, "read", at + 60)));
                    }
                }
                if e.extra == 2 {
                    let at = t + 2 + e.delay.unwrap_or(0);
                    out.push((at, status(u, &id, "failed", at)));
                }
            }
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out
}

/// The lines of a scenario in time order, and in an arrival order where each line may
/// arrive up to 7 days (the default lateness) late (`jitter`, cycled, per line).
fn arrival(evs: &[Ev], jitter: &[i64]) -> (Vec<String>, Vec<String>) {
    let ordered = lines(evs);
    let mut arrival: Vec<(i64, usize, String)> = ordered
        .iter()
        .enumerate()
        .map(|(i, (t, l))| (t + jitter[i % jitter.len()], i, l.clone()))
        .collect();
    arrival.sort();
    (
        ordered.into_iter().map(|(_, l)| l).collect(),
        arrival.into_iter().map(|(_, _, l)| l).collect(),
    )
}

/// Every category priced in every market the scenario uses, with a different price for the
/// month's first unit and the rest.
const STEEP: &str = "market,category,price,currency,effective_from,tier_from,tier_to
germany,marketing,0.10,EUR,2024-01-01,,
germany,utility,0.04,EUR,2024-01-01,,
germany,authentication,0.06,EUR,2024-01-01,,
germany,service,0.03,EUR,2024-01-01,,
germany,marketing,0.12,EUR,2025-07-01,,
germany,utility,0.02,EUR,2025-07-01,1,1
germany,utility,0.01,EUR,2025-07-01,2,
germany,authentication,0.05,EUR,2025-07-01,1,1
germany,authentication,0.04,EUR,2025-07-01,2,
india,marketing,0.011,EUR,2024-01-01,,
india,utility,0.003,EUR,2024-01-01,1,1
india,utility,0.002,EUR,2024-01-01,2,
";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases::cases(64)))]

    #[test]
    fn shuffling_within_lateness_and_duplicating_never_changes_billing(
        evs in proptest::collection::vec(ev(), 1..40),
        jitter in proptest::collection::vec(0i64..(7 * 24 * H), 200),
        dups in proptest::collection::vec(any::<bool>(), 200),
    ) {
        let (in_order, arrival) = arrival(&evs, &jitter);
        let mut shuffled = Vec::new();
        for (i, l) in arrival.into_iter().enumerate() {
            if dups[i % dups.len()] {
                shuffled.push(l.clone());
            }
            shuffled.push(l);
        }
        // Steep one-message tier bands and a one-conversation CBP free tier, so that any
        // dependence on arrival order in the monthly numbering shows in the costs.
        let cfg = || config_with_card(STEEP, r#""quota":25,"pricing_timeline":[{"name":"t","effective_from":"2024-01-01","set":{"service_free_tier":1}}]"#);
        let (mut ea, mut eb) = (engine(cfg(), &in_order), engine(cfg(), &shuffled));
        let a = report(&mut ea, Some("2025-06-25"), Some("2025-07-10"));
        let b = report(&mut eb, Some("2025-06-25"), Some("2025-07-10"));
        prop_assert_eq!(&a.billing, &b.billing);
        prop_assert_eq!(&a.usage, &b.usage);
        prop_assert_eq!(charges_by_id(&ea), charges_by_id(&eb));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases::cases(64)))]

    /// Issue 17: the engine keeps its billing up to date user by user between reports.
    /// Late units renumber the month's tally after them (one-unit tier bands and a
    /// one-conversation CBP free tier, so a unit moved by one changes price), so any
    /// batching of the arrival, with reports between the batches, must end in the billing,
    /// usage and template costs of one engine fed everything at once.
    #[test]
    fn reports_between_batches_keep_billing_equal_to_one_batch(
        evs in proptest::collection::vec(ev(), 1..40),
        jitter in proptest::collection::vec(0i64..(7 * 24 * H), 200),
        cuts in proptest::collection::vec(0u8..4, 200),
    ) {
        let (in_order, arrival) = arrival(&evs, &jitter);
        let cfg = || config_with_card(STEEP, r#""pricing_timeline":[{"name":"t","effective_from":"2024-01-01","set":{"service_free_tier":1}}]"#);
        let mut ea = engine(cfg(), &in_order);
        let mut eb = engine(cfg(), &[]);
        for (i, l) in arrival.iter().enumerate() {
            eb.ingest_str(l).unwrap();
            match cuts[i % cuts.len()] {
                0 => drop(report(&mut eb, None, None)),
                1 => drop(report(&mut eb, Some("2025-07-01"), Some("2025-07-08"))),
                _ => {}
            }
        }
        let a = report(&mut ea, Some("2025-06-25"), Some("2025-07-10"));
        let b = report(&mut eb, Some("2025-06-25"), Some("2025-07-10"));
        prop_assert_eq!(&a.billing, &b.billing);
        prop_assert_eq!(&a.usage, &b.usage);
        prop_assert_eq!(&a.templates, &b.templates);
        prop_assert_eq!(&a.campaigns, &b.campaigns);
    }
}
