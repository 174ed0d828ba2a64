//! Issue #25, "Billing for today": Meta's 2026 rules end to end through the public API —
//! the 2026-10-01 charges in force by default, the nine markets that became standalone on
//! 2026-10-01, and Meta Business Agent messages. Every expected figure is derived by hand in
//! the comment beside it from [`CARD_2026`].

// Scenario tests read best with t (time), e (engine), r (report), b (billing).
#![allow(clippy::many_single_char_names)]

use super::billing_support;

use billing_support::*;
use convolens::{ModelSpan, ServiceSpan};

/// A Kazakh user (+7 7xx: Kazakhstan, not Russia).
const KZ: &str = "77012345678";
/// A Bangladeshi user (+880).
const BD: &str = "8801712345678";

/// The test rate card (EUR), round invented prices:
///
/// | market | category | from 2025-07-01 | from 2026-10-01 |
/// |---|---|---|---|
/// | germany | marketing | 0.12 | 0.13 |
/// | germany | utility | 0.02 (1st–2nd of the month), 0.01 (3rd on) | 0.03 (1st–2nd), 0.015 (3rd on) |
/// | germany | service | 0.01 | 0.03 (= utility's first band, as Meta's cards) |
/// | rest_of_asia_pacific | marketing | 0.07 | 0.07 |
/// | bangladesh | marketing | — | 0.04 |
/// | kazakhstan | service | — | 0.02 |
/// | kazakhstan | authentication | — | 0.04 |
/// | kazakhstan | authentication_international | — | 0.05 |
/// | other | authentication | 0.06 | 0.06 |
/// | `*` (any market) | meta_business_agent | — | 0.80 per million tokens from 2026-08-01 |
const CARD_2026: &str = "market,category,price,currency,effective_from,tier_from,tier_to,unit
germany,marketing,0.12,EUR,2025-07-01,,,
germany,utility,0.02,EUR,2025-07-01,1,2,
germany,utility,0.01,EUR,2025-07-01,3,,
germany,service,0.01,EUR,2025-07-01,,,
germany,marketing,0.13,EUR,2026-10-01,,,
germany,utility,0.03,EUR,2026-10-01,1,2,
germany,utility,0.015,EUR,2026-10-01,3,,
germany,service,0.03,EUR,2026-10-01,,,
Rest of Asia Pacific,marketing,0.07,EUR,2025-07-01,,,
bangladesh,marketing,0.04,EUR,2026-10-01,,,
Kazakhstan,service,0.02,EUR,2026-10-01,,,
Kazakhstan,authentication,0.04,EUR,2026-10-01,,,
kazakhstan,authentication_international,0.05,EUR,2026-10-01,,,
other,authentication,0.06,EUR,2025-07-01,,,
*,meta_business_agent,0.80,EUR,2026-08-01,,,1m_tokens
";

const SWITCHED_OFF: &str =
    r#""pricing_timeline":[{"name":"service_charged_2026_10","enabled":false}]"#;

fn cat(lines: &[Vec<String>]) -> Vec<String> {
    lines.concat()
}

/// A template record with a campaign.
fn campaign_template(user: &str, id: &str, t: i64, category: &str, campaign: &str) -> String {
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"{PHONE}","to":"{user}","timestamp":{t},"kind":"template","template":"t_{category}","category":"{category}","campaign":"{campaign}"}}"#
    )
}

/// A free-form message delivered at `t` whose delivered status carries Meta's `pricing`.
fn delivered_free_form_priced(user: &str, id: &str, t: i64, pricing: &str) -> Vec<String> {
    vec![
        free_form(user, id, t - 2),
        status(user, id, "sent", t - 1),
        status_with(user, id, "delivered", t, &format!(r#""pricing":{pricing}"#)),
    ]
}

/// What Meta says of a charged service message from 2026-10-01.
const META_SERVICE_CHARGED: &str =
    r#"{"billable":true,"pricing_model":"PMP","type":"regular","category":"service"}"#;
/// What Meta says of a charged utility template in the window from 2026-10-01.
const META_UTILITY_CHARGED: &str =
    r#"{"billable":true,"pricing_model":"PMP","type":"regular","category":"utility"}"#;

/// The November 2026 case of the lead's note. All times UTC (the config's zone), from
/// t0 = 2026-11-03 09:00.
///
/// - DE writes at t0. Delivered: free-form f1 at t0+1h and f2 at t0+3h, utility u1 at t0+2h
///   (all inside DE's customer service window, which runs to t0+24h), marketing m1 at
///   t0+4h; free-form f3 at t0+5h fails. Utility u2 at t0+30h and u3 (campaign `renewals`)
///   at t0+31h, outside the window.
/// - DE2 writes from a Click-to-WhatsApp ad at t0+10h; the reply r1 (free-form) delivered
///   60 s later opens a 72-hour free entry point window; r2 (utility) and r3 (free-form)
///   fall in it.
/// - KZ writes at t0; free-form kf1 at t0+1h, authentication-international template ka1 at
///   t0+2h (Kazakhstan is a standalone market since 2026-10-01).
///
/// f1 and u1 carry Meta's `pricing` objects as Meta sends them from 2026-10-01.
fn november_2026() -> Vec<String> {
    let t0 = ts("2026-11-03T09:00:00");
    cat(&[
        vec![inbound(DE, "in1", t0)],
        delivered_free_form_priced(DE, "f1", t0 + H, META_SERVICE_CHARGED),
        vec![
            template(DE, "u1", t0 + 2 * H - 2, "utility"),
            status_with(
                DE,
                "u1",
                "delivered",
                t0 + 2 * H,
                &format!(r#""pricing":{META_UTILITY_CHARGED}"#),
            ),
        ],
        delivered_free_form(DE, "f2", t0 + 3 * H),
        delivered_template(DE, "m1", t0 + 4 * H, "marketing"),
        vec![
            free_form(DE, "f3", t0 + 5 * H),
            status(DE, "f3", "failed", t0 + 5 * H + 1),
        ],
        delivered_template(DE, "u2", t0 + 30 * H, "utility"),
        vec![
            campaign_template(DE, "u3", t0 + 31 * H - 2, "utility", "renewals"),
            status(DE, "u3", "delivered", t0 + 31 * H),
        ],
        vec![inbound_ad(DE2, "in2", t0 + 10 * H)],
        delivered_free_form(DE2, "r1", t0 + 10 * H + 60),
        delivered_template(DE2, "r2", t0 + 11 * H, "utility"),
        delivered_free_form(DE2, "r3", t0 + 12 * H),
        vec![inbound(KZ, "in3", t0)],
        delivered_free_form(KZ, "kf1", t0 + H),
        delivered_template(KZ, "ka1", t0 + 2 * H, "authentication_international"),
    ])
}

fn november_report(extra: &str) -> (convolens::Engine, convolens::Report) {
    let sep = if extra.is_empty() { "" } else { "," };
    let mut e = engine(
        config_with_card(CARD_2026, &format!(r#""quota":10{sep}{extra}"#)),
        &november_2026(),
    );
    let r = report(&mut e, Some("2026-11-01"), Some("2026-12-01"));
    (e, r)
}

#[test]
fn november_2026_after_the_change_default() {
    let (e, r) = november_report("");
    let b = &r.billing;
    assert_eq!(b.model, ModelSpan::Pmp);
    assert_eq!(b.service, ServiceSpan::Charged);
    // Charged: service f1, f2, kf1 = 3; utility u1, u2, u3 = 3; marketing m1; authentication
    // ka1 (authentication_international is authentication). f3 failed; r1–r3 are in the
    // free entry point window.
    let c = &b.charged_messages;
    assert_eq!(
        (
            c.marketing,
            c.utility,
            c.authentication,
            c.service,
            c.meta_business_agent
        ),
        (1, 3, 1, 3, 0)
    );
    // Free: only the free entry point's three; nothing is free for being free-form or in
    // the customer service window any more.
    let f = &b.free_messages;
    assert_eq!(
        (
            f.free_form,
            f.service_window,
            f.free_entry_point,
            f.meta_business_agent
        ),
        (0, 0, 3, 0)
    );
    // Cost by category:
    //   service  f1 0.03 + f2 0.03 (germany) + kf1 0.02 (kazakhstan)      = 0.08
    //   utility  u1 0.03 (1st of the month) + u2 0.03 (2nd) + u3 0.015 (3rd) = 0.075
    //   marketing m1 0.13; authentication ka1 0.05 (kazakhstan's auth-international row)
    //   total 0.08 + 0.075 + 0.13 + 0.05 = 0.335
    let cost = &b.cost;
    let by = |k: &str| cost.by_category[k].0;
    assert_eq!(by("service"), eur("0.08"));
    assert_eq!(by("utility"), eur("0.075"));
    assert_eq!(by("marketing"), eur("0.13"));
    assert_eq!(by("authentication"), eur("0.05"));
    assert_eq!(by("meta_business_agent"), 0);
    assert_eq!(cost.total.0, eur("0.335"));
    assert_eq!(cost.unpriced, 0);
    // By country: DE 0.03+0.03+0.03+0.13+0.03+0.015 = 0.265; KZ 0.02+0.05 = 0.07.
    assert_eq!(cost.by_country["DE"].0, eur("0.265"));
    assert_eq!(cost.by_country["KZ"].0, eur("0.07"));
    // By day: 11-03 f1, u1, f2, m1, kf1, ka1 = 0.29; 11-04 (t0+30h, +31h) u2, u3 = 0.045.
    let day = |s: &str| cost.by_day[&chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()].0;
    assert_eq!(day("2026-11-03"), eur("0.29"));
    assert_eq!(day("2026-11-04"), eur("0.045"));
    assert_eq!(day("2026-11-05"), 0);
    // Usage in November: 12 sent (DE 7 with the failed f3, DE2 3, KZ 2), 11 delivered,
    // 8 billable (the 8 charged messages); quota 10: 80 % used, 2 left.
    let m = &r.usage.months[0];
    assert_eq!(
        (m.month.as_str(), m.sent, m.delivered, m.billable),
        ("2026-11", 12, 11, 8)
    );
    assert_eq!((m.quota_used, m.quota_left), (Some(0.8), Some(2)));
    assert_eq!(m.by_category["service"].billable, 3);
    assert_eq!(m.by_category["utility"].billable, 3);
    assert_eq!(m.by_country["KZ"].billable, 2);
    // Templates and campaigns: t_utility = u1 + u2 + u3 + r2 = 0.03 + 0.03 + 0.015 + 0 =
    // 0.075; the campaign `renewals` is u3 alone, 0.015.
    let tpl = r.templates.iter().find(|t| t.name == "t_utility").unwrap();
    assert_eq!(tpl.cost_micros, Some(eur("0.075")));
    let camp = r.campaigns.iter().find(|t| t.name == "renewals").unwrap();
    assert_eq!(camp.cost_micros, Some(eur("0.015")));
    // Reconciliation: Meta's objects on f1 (service, billable) and u1 (utility, billable)
    // agree with the engine.
    let rec = &b.reconciliation;
    assert_eq!((rec.checked, rec.mismatched), (2, 0));
    // Per message: f1 is charged at the service rate, not free.
    let ch = charges(&e);
    let f1 = charge(&e, &ch, "f1");
    assert!(f1.charged() && f1.billable() && f1.free.is_none());
    assert_eq!(f1.cost, eur("0.03"));
    assert_eq!(charge(&e, &ch, "u3").tier_ordinal(), Some(3));
    // Nothing left out: no warnings.
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn november_2026_before_the_change_switched_off() {
    let (e, r) = november_report(SWITCHED_OFF);
    let b = &r.billing;
    assert_eq!(b.service, ServiceSpan::Free);
    // Charged: marketing m1, utility u2 and u3 (outside the window), authentication ka1.
    let c = &b.charged_messages;
    assert_eq!(
        (c.marketing, c.utility, c.authentication, c.service),
        (1, 2, 1, 0)
    );
    // Free: f1, f2, kf1 free-form; u1 utility in the window; r1–r3 free entry point.
    let f = &b.free_messages;
    assert_eq!(
        (f.free_form, f.service_window, f.free_entry_point),
        (3, 1, 3)
    );
    // Cost: m1 0.13 + u2 0.03 (now the month's 1st charged utility) + u3 0.03 (2nd) + ka1
    // 0.05 = 0.24 (0.095 less than with the change).
    assert_eq!(b.cost.by_category["service"].0, 0);
    assert_eq!(b.cost.by_category["utility"].0, eur("0.06"));
    assert_eq!(b.cost.total.0, eur("0.24"));
    assert_eq!(b.cost.by_country["DE"].0, eur("0.19"));
    assert_eq!(b.cost.by_country["KZ"].0, eur("0.05"));
    // Usage: 4 billable of quota 10.
    let m = &r.usage.months[0];
    assert_eq!((m.billable, m.quota_left), (4, Some(6)));
    // Templates: t_utility = u2 + u3 = 0.06; campaign `renewals` (u3, the 2nd) 0.03.
    let tpl = r.templates.iter().find(|t| t.name == "t_utility").unwrap();
    assert_eq!(tpl.cost_micros, Some(eur("0.06")));
    let camp = r.campaigns.iter().find(|t| t.name == "renewals").unwrap();
    assert_eq!(camp.cost_micros, Some(eur("0.03")));
    // Meta's objects say billable for f1 and u1; with the change switched off the engine
    // disagrees on both.
    let rec = &b.reconciliation;
    assert_eq!((rec.checked, rec.mismatched), (2, 2));
    assert_eq!(rec.by_field.get("billable"), Some(&2));
    assert_eq!(rec.mismatches[0].message_id, "f1");
    assert_eq!(rec.mismatches[0].engine.billable, Some(false));
    assert_eq!(rec.mismatches[0].meta.billable, Some(true));
    let ch = charges(&e);
    assert_eq!(
        charge(&e, &ch, "f1").free,
        Some(convolens::internals::FreeReason::FreeForm)
    );
}

#[test]
fn the_change_can_be_moved_and_a_range_across_it_is_mixed() {
    // Moved to 2026-11-04: on 11-03 f1, u1, f2 and kf1 are free again, from 11-04 u2/u3 are
    // charged as before. Cost = m1 0.13 + ka1 0.05 + u2 0.03 + u3 0.03 = 0.24; the report
    // over 11-01..12-01 spans both regimes.
    let (_, r) = november_report(
        r#""pricing_timeline":[{"name":"service_charged_2026_10","effective_from":"2026-11-04"}]"#,
    );
    assert_eq!(r.billing.service, ServiceSpan::Mixed);
    assert_eq!(r.billing.charged_messages.service, 0);
    assert_eq!(r.billing.cost.total.0, eur("0.24"));
    // The default, over September–October: free, then charged.
    let (mut e, _) = november_report("");
    let r = report(&mut e, Some("2026-09-01"), Some("2026-11-01"));
    assert_eq!(r.billing.service, ServiceSpan::Mixed);
}

#[test]
fn text_dashboard_says_service_is_charged() {
    let (_, r) = november_report("");
    let s = r.to_text();
    assert!(s.contains("service (free-form) messages: charged"), "{s}");
    // The category table's service row: 0 conversations, 3 charged messages, 0.08.
    let row = s
        .lines()
        .find(|l| l.starts_with("service ") && !l.contains("messages:"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells, ["service", "0", "3", "0.0800"], "{row}");
    // Nothing calls a free-form message free in November.
    assert!(!s.contains("free-form service (free)"), "{s}");
    let (_, r) = november_report(SWITCHED_OFF);
    let s = r.to_text();
    assert!(s.contains("service (free-form) messages: free"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("free-form service (free)") && l.ends_with(" 3"))
    );
}

#[test]
fn free_form_window_says_charged_not_free() {
    let (e, _) = november_report("");
    let t0 = ts("2026-11-03T09:00:00");
    // DE wrote at t0: the window is open at t0+1h, and a free-form message would be charged.
    let w = e.free_form_window(DE, Some(PHONE), t0 + H).unwrap();
    assert!(w.open && w.charged && !w.free);
    // DE2 is inside a free entry point window at t0+11h: free-form would be free.
    let w = e.free_form_window(DE2, Some(PHONE), t0 + 11 * H).unwrap();
    assert!(w.open && w.free && !w.charged);
    // Closed window: neither.
    let w = e.free_form_window(DE, Some(PHONE), t0 + 25 * H).unwrap();
    assert!(!w.open && !w.free && !w.charged);
    // Switched off: open and free.
    let (e, _) = november_report(SWITCHED_OFF);
    let w = e.free_form_window(DE, Some(PHONE), t0 + H).unwrap();
    assert!(w.open && w.free && !w.charged);
}

// ---------------------------------------------------------------- the nine markets

#[test]
fn new_markets_are_priced_as_regional_before_and_standalone_after() {
    // A Bangladeshi marketing template on 2026-09-30 (Rest of Asia Pacific, 0.07) and on
    // 2026-10-01 (Bangladesh, 0.04); a Kazakh authentication-international template on
    // 2026-09-30 (Other: no auth-international row, so Other's authentication, 0.06) and on
    // 2026-10-01 (Kazakhstan's authentication_international row, 0.05).
    let (d1, d2) = (ts("2026-09-30T12:00:00"), ts("2026-10-01T12:00:00"));
    let lines = cat(&[
        delivered_template(BD, "b1", d1, "marketing"),
        delivered_template(BD, "b2", d2, "marketing"),
        delivered_template(KZ, "k1", d1, "authentication_international"),
        delivered_template(KZ, "k2", d2, "authentication_international"),
    ]);
    let mut e = engine(config_with_card(CARD_2026, ""), &lines);
    let ch = charges(&e);
    let market = |id: &str| charge(&e, &ch, id).market.as_str();
    assert_eq!(
        [market("b1"), market("b2"), market("k1"), market("k2")],
        ["rest_of_asia_pacific", "bangladesh", "other", "kazakhstan"]
    );
    let cost = |id: &str| charge(&e, &ch, id).cost;
    assert_eq!(
        [cost("b1"), cost("b2"), cost("k1"), cost("k2")],
        [eur("0.07"), eur("0.04"), eur("0.06"), eur("0.05")]
    );
    let r = report(&mut e, None, None);
    // 0.07 + 0.04 + 0.06 + 0.05 = 0.22; BD 0.11, KZ 0.11.
    assert_eq!(r.billing.cost.total.0, eur("0.22"));
    assert_eq!(r.billing.cost.by_country["BD"].0, eur("0.11"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn a_card_without_the_new_markets_warns() {
    // The old card has no bangladesh rows: b2 (2026-10-01, Bangladesh) is unpriced, and the
    // report says so instead of silently counting zero.
    let t = ts("2026-10-01T12:00:00");
    let card = "market,category,price,currency,effective_from\n\
                Rest of Asia Pacific,marketing,0.07,EUR,2025-07-01\n";
    let mut e = engine(
        config_with_card(card, ""),
        &delivered_template(BD, "b2", t, "marketing"),
    );
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.cost.unpriced, 1);
    assert_eq!(
        r.billing.cost.unpriced_by_category["marketing"]["bangladesh"],
        1
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with("1 charged marketing unit has no rate")
            && r.warnings[0].contains("bangladesh 1"),
        "{:?}",
        r.warnings
    );
    let s = r.to_text();
    assert!(
        s.contains("WARNINGS\n  ! 1 charged marketing unit has"),
        "{s}"
    );
    // Without any rate card every charged unit is unpriced, and the report says so once.
    let mut e = engine(
        convolens::Config::default(),
        &delivered_template(BD, "b2", t, "marketing"),
    );
    let r = report(&mut e, None, None);
    assert_eq!(
        r.warnings,
        ["no rate card is configured: 1 charged unit is unpriced, counting zero in the cost"]
    );
}

#[test]
fn market_config_names_the_new_markets() {
    // A dated override naming a new market parses (it would have been "unknown market").
    let mut e = engine(
        config_with_card(
            CARD_2026,
            r#""markets":[{"country":"BD","market":"Bangladesh","effective_from":"2026-09-01"}]"#,
        ),
        &delivered_template(BD, "b1", ts("2026-09-15T12:00:00"), "marketing"),
    );
    let ch = charges(&e);
    assert_eq!(charge(&e, &ch, "b1").market.as_str(), "bangladesh");
    // Priced at bangladesh's row? It starts 2026-10-01, so unpriced on 09-15, with a warning.
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.cost.unpriced, 1);
    assert_eq!(r.warnings.len(), 1);
}

// ---------------------------------------------------------------- Meta Business Agent

/// An agent reply record (`category` as Meta may spell it), optionally with `tokens`.
fn agent_record(user: &str, id: &str, t: i64, category: &str, tokens: Option<u64>) -> String {
    let tokens = tokens.map_or(String::new(), |n| format!(r#","tokens":{n}"#));
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"{PHONE}","to":"{user}","timestamp":{t},"kind":"free_form","category":"{category}"{tokens}}}"#
    )
}

/// Agent traffic on 2026-11-10 (UTC), DE writing at t and the agent answering:
///
/// - a1: record with 2,500 tokens, no pricing object → priced by tokens: 2,500 × 0.80 /
///   1,000,000 = 0.002 EUR;
/// - a2: no record; Meta's pricing object says `category: meta_business_agent`, price
///   0.0042 EUR → priced by Meta: 0.0042;
/// - a3: record without tokens, pricing object without a price → unpriced, warned;
/// - a4: no record; Meta's pricing object (spelled `Business-Agent`) priced in USD with
///   1,000 tokens → Meta's price is in another currency: unpriced (never converted), warned;
/// - a5: no record, no pricing; `conversation.origin.type` `meta_business_agent` → counted,
///   unpriced (no tokens), warned.
fn agent_traffic(t: i64) -> Vec<String> {
    cat(&[
        vec![inbound(DE, "in1", t)],
        vec![
            agent_record(DE, "a1", t + 60, "meta_business_agent", Some(2500)),
            status(DE, "a1", "delivered", t + 62),
        ],
        vec![status_with(
            DE,
            "a2",
            "delivered",
            t + 120,
            r#""pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"meta_business_agent","price":"0.0042","currency":"EUR","usage":{"input_tokens":3000,"output_tokens":250}}"#,
        )],
        vec![
            agent_record(DE, "a3", t + 180, "META_BUSINESS_AGENT", None),
            status_with(
                DE,
                "a3",
                "delivered",
                t + 182,
                r#""pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"meta_business_agent"}"#,
            ),
        ],
        vec![status_with(
            DE,
            "a4",
            "delivered",
            t + 240,
            r#""pricing":{"billable":true,"category":"Business-Agent","price":{"amount":0.005,"currency":"USD"},"tokens":"1000"}"#,
        )],
        vec![status_with(
            DE,
            "a5",
            "delivered",
            t + 300,
            r#""conversation":{"id":"c-9","origin":{"type":"meta_business_agent"}}"#,
        )],
    ])
}

#[test]
fn agent_messages_are_counted_apart_priced_or_warned() {
    let t = ts("2026-11-10T10:00:00");
    let mut e = engine(config_with_card(CARD_2026, ""), &agent_traffic(t));
    let r = report(&mut e, None, None);
    let b = &r.billing;
    // Five agent messages, all charged (November is after 2026-08-01); none is service.
    assert_eq!(b.charged_messages.meta_business_agent, 5);
    assert_eq!(b.charged_messages.service, 0);
    assert_eq!(b.free_messages.free_form, 0);
    let a = &b.meta_business_agent;
    // Tokens known: a1 2,500 (record), a2 3,000 + 250 (Meta's usage), a4 1,000 = 6,750;
    // a3 and a5 without a count.
    assert_eq!(
        (a.delivered, a.charged, a.tokens, a.without_tokens),
        (5, 5, 6_750, 2)
    );
    assert_eq!(
        (
            a.priced_by_meta,
            a.priced_by_tokens,
            a.unpriced,
            a.other_currency
        ),
        (1, 1, 3, 1)
    );
    // Cost: a1 0.002 + a2 0.0042 = 0.0062, all of it agent cost.
    assert_eq!(a.cost.0, eur("0.0062"));
    assert_eq!(b.cost.by_category["meta_business_agent"].0, eur("0.0062"));
    assert_eq!(b.cost.by_category["service"].0, 0);
    assert_eq!(b.cost.total.0, eur("0.0062"));
    assert_eq!(b.cost.unpriced, 3);
    // Usage counts them under their own category.
    assert_eq!(
        r.usage.months[0].by_category["meta_business_agent"].billable,
        5
    );
    // One warning, naming the three unpriced and the one in another currency.
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let w = &r.warnings[0];
    assert!(
        w.starts_with("3 charged Meta Business Agent messages are unpriced")
            && w.contains("1 of them priced by Meta in a currency other than EUR"),
        "{w}"
    );
    // Reconciliation: a2, a3, a4 (pricing) and a5 (conversation) are checked; Meta's
    // category is the engine's. a5's conversation object names an agent conversation the
    // engine does not model: a `conversation` mismatch.
    let rec = &b.reconciliation;
    assert_eq!(rec.checked, 4);
    assert_eq!(rec.by_field.get("category"), None);
    assert_eq!(rec.by_field.get("billable"), None);
    assert_eq!(
        (rec.mismatched, rec.by_field.get("conversation")),
        (1, Some(&1))
    );
    assert_eq!(rec.mismatches[0].message_id, "a5");
    let ch = charges(&e);
    let a2 = charge(&e, &ch, "a2");
    assert_eq!(
        a2.price_source,
        Some(convolens::internals::PriceSource::MetaPricing)
    );
    assert_eq!(a2.tokens(), Some(3_250));
    assert_eq!(
        charge(&e, &ch, "a4")
            .meta_price()
            .unwrap()
            .currency
            .as_str(),
        "USD"
    );
    // The text dashboard shows them.
    let s = r.to_text();
    assert!(
        s.contains("meta business agent: 5 delivered, 5 charged, 6750 tokens known (2 without a count); priced by Meta 1, by tokens 1, unpriced 3; cost 0.0062"),
        "{s}"
    );
    let row = s
        .lines()
        .find(|l| l.starts_with("meta_business_agent"))
        .unwrap();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["meta_business_agent", "0", "5", "0.0062"]
    );
}

#[test]
fn agent_messages_before_billing_are_free_with_their_own_reason() {
    // July 2026: the platform is live, Meta bills from 2026-08-01. Free, but not as service.
    let t = ts("2026-07-20T10:00:00");
    let mut e = engine(config_with_card(CARD_2026, ""), &agent_traffic(t));
    let r = report(&mut e, None, None);
    let b = &r.billing;
    assert_eq!(b.charged_messages.meta_business_agent, 0);
    assert_eq!(b.free_messages.meta_business_agent, 5);
    assert_eq!(
        (b.free_messages.free_form, b.charged_messages.service),
        (0, 0)
    );
    assert_eq!(b.cost.total.0, 0);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Moving Meta's date through the config charges them.
    let mut e = engine(
        config_with_card(
            CARD_2026,
            r#""pricing_timeline":[{"name":"business_agent_2026_08","effective_from":"2026-07-01"}]"#,
        ),
        &agent_traffic(t),
    );
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.charged_messages.meta_business_agent, 5);
    // The card's agent rate starts 2026-08-01, so a1 has no token rate in July: only a2
    // (Meta's price, 0.0042) is priced.
    assert_eq!(r.billing.cost.total.0, eur("0.0042"));
    assert_eq!(r.billing.meta_business_agent.unpriced, 4);
}

#[test]
fn an_agent_reply_is_charged_inside_a_free_entry_point_window() {
    // DE2 arrives from an ad; the agent answers (opening the 72-hour window), then a human
    // sends a free-form message inside it. The agent reply is charged (2,000 tokens × 0.80 /
    // 1e6 = 0.0016); the human's message is free (free entry point).
    let t = ts("2026-11-10T10:00:00");
    let lines = cat(&[
        vec![inbound_ad(DE2, "in1", t)],
        vec![
            agent_record(DE2, "a1", t + 60, "meta_business_agent", Some(2000)),
            status(DE2, "a1", "delivered", t + 62),
        ],
        delivered_free_form(DE2, "h1", t + 2 * H),
    ]);
    let mut e = engine(config_with_card(CARD_2026, ""), &lines);
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.conversations.free_entry_point, 1);
    assert_eq!(r.billing.free_messages.free_entry_point, 1);
    assert_eq!(r.billing.charged_messages.meta_business_agent, 1);
    assert_eq!(r.billing.cost.total.0, eur("0.0016"));
}

#[test]
fn agent_tokens_are_taken_out_when_a_users_bill_is_updated() {
    // DE2 gets agent reply a1 (2,000 tokens, delivered 2026-11-10 10:01:02): charged by
    // tokens, 2,000 × 0.80 / 1e6 = 0.0016. After a report, an earlier agent reply a2 arrives
    // (500 tokens, delivered 09:00:02): DE2's bill is folded again with a2 first, so a1's
    // contribution is taken out and put back. Then 2 delivered and charged, 2,500 tokens
    // (not a1's 2,000 counted twice), cost 0.0016 + 500 × 0.80 / 1e6 = 0.0016 + 0.0004 =
    // 0.0020.
    let t = ts("2026-11-10T10:00:00");
    let mut e = engine(
        config_with_card(CARD_2026, ""),
        &[
            agent_record(DE2, "a1", t + 60, "meta_business_agent", Some(2000)),
            status(DE2, "a1", "delivered", t + 62),
        ],
    );
    let a = report(&mut e, None, None).billing.meta_business_agent;
    assert_eq!((a.delivered, a.tokens, a.cost.0), (1, 2000, eur("0.0016")));
    for l in [
        agent_record(DE2, "a2", t - H, "meta_business_agent", Some(500)),
        status(DE2, "a2", "delivered", t - H + 2),
    ] {
        e.ingest_str(&l).unwrap();
    }
    let a = report(&mut e, None, None).billing.meta_business_agent;
    assert_eq!(
        (a.delivered, a.charged, a.tokens, a.priced_by_tokens),
        (2, 2, 2500, 2)
    );
    assert_eq!(a.cost.0, eur("0.0020"));
}

#[test]
fn agent_facts_survive_snapshot_and_merge_and_arrival_order() {
    let t = ts("2026-11-10T10:00:00");
    let lines = agent_traffic(t);
    let cfg = || config_with_card(CARD_2026, "");
    let mut a = engine(cfg(), &lines);
    let want = report(&mut a, None, None);
    // Reversed arrival order.
    let rev: Vec<String> = lines.iter().rev().cloned().collect();
    let mut b = engine(cfg(), &rev);
    assert_eq!(report(&mut b, None, None).billing, want.billing);
    // Snapshot and restore.
    let mut c = convolens::Engine::restore(&a.snapshot()).unwrap();
    let got = report(&mut c, None, None);
    assert_eq!(got.billing, want.billing);
    assert_eq!(got.warnings, want.warnings);
    // Two engines with half the lines each, merged.
    let (h1, h2) = lines.split_at(lines.len() / 2);
    let mut m = engine(cfg(), h1);
    m.merge(&engine(cfg(), h2)).unwrap();
    assert_eq!(report(&mut m, None, None).billing, want.billing);
}

#[test]
fn an_agent_rate_needs_a_token_unit() {
    let card =
        "market,category,price,currency,effective_from\n*,meta_business_agent,0.8,EUR,2026-08-01\n";
    let mut cfg = convolens::Config::from_json(r#"{"rate_card":"card.csv"}"#).unwrap();
    // Rows are checked where the file is known (issue 19.9): the error names it and the
    // line (the card's second).
    let err = cfg
        .resolve_rate_card(None, |_| Ok(card.to_string()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("per token") && err.contains("unit"), "{err}");
    assert!(err.contains("`card.csv`: line 2"), "{err}");
}

/// The November case and the agent traffic together.
fn all_2026_lines() -> Vec<String> {
    let mut lines = november_2026();
    lines.extend(agent_traffic(ts("2026-11-10T10:00:00")));
    lines
}

mod arrival {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        /// Any arrival order of the November case and the agent traffic, with any lines
        /// repeated (webhook retries), gives the same billing, usage, warnings and charges.
        #[test]
        fn any_arrival_order_and_repetition_gives_the_same_2026_report(
            order in Just((0..all_2026_lines().len()).collect::<Vec<usize>>()).prop_shuffle(),
            dups in proptest::collection::vec(any::<bool>(), 64),
        ) {
            let lines = all_2026_lines();
            let cfg = || config_with_card(CARD_2026, r#""quota":10"#);
            let mut a = engine(cfg(), &lines);
            let want = report(&mut a, None, None);
            let mut shuffled = Vec::new();
            for (k, i) in order.iter().enumerate() {
                if dups[k % dups.len()] {
                    shuffled.push(lines[*i].clone());
                }
                shuffled.push(lines[*i].clone());
            }
            let mut b = engine(cfg(), &shuffled);
            let got = report(&mut b, None, None);
            prop_assert_eq!(&got.billing, &want.billing);
            prop_assert_eq!(&got.usage, &want.usage);
            prop_assert_eq!(&got.warnings, &want.warnings);
            prop_assert_eq!(charges_by_id(&a), charges_by_id(&b));
        }
    }
}

// ---------------------------------------------------------------- snapshots

/// The schema 2 bytes an older version wrote of the engine's state.
fn as_schema_2(e: &convolens::Engine) -> Vec<u8> {
    convolens::internals::snapshot_as(e, 2)
}

#[test]
fn schema_2_snapshots_restore_unless_they_hold_sealed_days() {
    let (mut e, want) = november_report("");
    let mut back = convolens::Engine::restore(&as_schema_2(&e)).unwrap();
    let got = report(&mut back, Some("2026-11-01"), Some("2026-12-01"));
    assert_eq!(got.billing, want.billing);
    // A month later the November days are sealed (expiry); such a schema 2 snapshot's
    // billing day aggregates predate schema 3: refused, with the reason.
    e.ingest_str(&inbound(DE, "late", ts("2026-12-20T09:00:00")))
        .unwrap();
    let out = e.expire().unwrap();
    assert!(out.sealed_until.is_some());
    let err = convolens::Engine::restore(&as_schema_2(&e))
        .unwrap_err()
        .to_string();
    assert!(err.contains("schema 2 snapshot with sealed days"), "{err}");
    // The current snapshot of the same engine restores and answers alike.
    let mut back = convolens::Engine::restore(&e.snapshot()).unwrap();
    let got = report(&mut back, Some("2026-11-01"), Some("2026-12-01"));
    assert_eq!(got.billing, want.billing);
}

#[test]
fn odd_agent_fields_in_a_pricing_object_are_ignored_not_errors() {
    // Shapes nobody documented: the status still ingests, the odd fields say nothing, and
    // the message is reported unpriced (with its warning), not dropped.
    let t = ts("2026-11-10T10:00:00");
    let odd = [
        r#""pricing":{"category":"meta_business_agent","price":[1,2],"currency":"EUR","tokens":true}"#,
        r#""pricing":{"category":"meta_business_agent","price":"-1","currency":"EUR","usage":"lots"}"#,
        r#""pricing":{"category":"meta_business_agent","cost":{"value":"0.01"},"token_count":-5}"#,
        r#""pricing":{"category":"meta_business_agent","amount":0.01,"currency":null,"usage":{"tokens":"1.5"}}"#,
    ];
    let lines: Vec<String> = odd
        .iter()
        .enumerate()
        .map(|(i, extra)| status_with(DE, &format!("x{i}"), "delivered", t + i as i64, extra))
        .collect();
    let mut e = engine(config_with_card(CARD_2026, ""), &lines);
    let r = report(&mut e, None, None);
    let a = &r.billing.meta_business_agent;
    assert_eq!(
        (
            a.delivered,
            a.charged,
            a.tokens,
            a.without_tokens,
            a.unpriced
        ),
        (4, 4, 0, 4, 4)
    );
    assert_eq!(r.warnings.len(), 1);
}
