//! Billing rules (semantics §2) end to end: JSON lines in, report and per-message charges out.
//! Every expected count and cost is computed by hand in the comment beside it, from the
//! test rate card in `billing_support::CARD`.

// Scenario tests read best with t (time), e (engine), r (report), b (billing), c (charges).
#![allow(clippy::many_single_char_names)]

use super::billing_support;

use billing_support::*;
use convolens::ModelSpan;
use convolens::PricingModel;
use convolens::internals::{ConversationKind, FreeReason};

fn cat(lines: &[Vec<String>]) -> Vec<String> {
    lines.concat()
}

// ---------------------------------------------------------------- CBP

#[test]
fn cbp_conversation_opens_on_delivery_and_lasts_exactly_24h() {
    let t = ts("2025-03-03T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        delivered_template(DE, "m2", t + H, "marketing"),
        // Exactly 24 h after m1's delivery the first conversation has expired.
        delivered_template(DE, "m3", t + 24 * H, "marketing"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    let b = &r.billing;
    assert_eq!(b.model, ModelSpan::Cbp);
    // m1 opens, m2 rides, m3 opens: 2 conversations × EUR 0.10 = 0.20.
    assert_eq!(b.conversations.marketing, 2);
    assert_eq!(b.cost.total.0, eur("0.20"));
    assert_eq!(
        b.charged_messages.marketing, 0,
        "CBP charges conversations, not messages"
    );
    let c = charges(&e);
    let (m1, m2, m3) = (
        charge(&e, &c, "m1"),
        charge(&e, &c, "m2"),
        charge(&e, &c, "m3"),
    );
    assert!(m1.opened_conversation() && m1.charged() && m1.billable());
    assert_eq!(m1.cost, eur("0.10"));
    // m2 rides m1's conversation: billable in Meta's sense, but it is not the charged unit.
    assert_eq!(m2.conversation(), m1.conversation());
    assert!(!m2.opened_conversation() && !m2.charged() && m2.billable() && m2.free.is_none());
    assert_eq!(m2.cost, 0);
    assert_ne!(m3.conversation(), m1.conversation());
    let conv = c.conversation_of(m1).unwrap();
    assert_eq!(
        (conv.opened_at, conv.expires_at, conv.messages),
        (t, t + 24 * H, 2)
    );
}

#[test]
fn seed004_faq_template_of_another_category_opens_a_second_conversation() {
    // "sending a marketing message when there is an open authentication conversation will
    // initiate a new marketing conversation, leading to two concurrent open conversations."
    let t = ts("2025-03-03T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "a1", t, "authentication"),
        delivered_template(DE, "m1", t + H, "marketing"),
        delivered_template(DE, "a2", t + 2 * H, "authentication"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    // authentication 0.06 + marketing 0.10 = 0.16; a2 rides the authentication conversation.
    assert_eq!(
        (
            r.billing.conversations.authentication,
            r.billing.conversations.marketing
        ),
        (1, 1)
    );
    assert_eq!(r.billing.cost.total.0, eur("0.16"));
    let c = charges(&e);
    let (ca, cm) = (
        c.conversation_of(charge(&e, &c, "a1")).unwrap(),
        c.conversation_of(charge(&e, &c, "m1")).unwrap(),
    );
    // Concurrent: the marketing one opened while the authentication one was open.
    assert!(cm.opened_at < ca.expires_at);
    assert_eq!(
        charge(&e, &c, "a2").conversation(),
        charge(&e, &c, "a1").conversation()
    );
}

#[test]
fn seed004_faq_free_form_during_an_open_conversation_opens_none() {
    // "if an open conversation of any category exists [...] and you send them a free-form
    // message within 24 hours, no new conversation is opened."
    let t = ts("2025-03-03T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        vec![inbound(DE, "in1", t + H)],
        delivered_free_form(DE, "f1", t + 2 * H),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    assert_eq!(
        (
            r.billing.conversations.marketing,
            r.billing.conversations.service
        ),
        (1, 0)
    );
    // Only the marketing conversation: 0.10.
    assert_eq!(r.billing.cost.total.0, eur("0.10"));
    let c = charges(&e);
    let f1 = charge(&e, &c, "f1");
    assert_eq!(f1.conversation(), charge(&e, &c, "m1").conversation());
    assert!(f1.billable() && !f1.charged());
}

#[test]
fn free_form_opens_a_service_conversation_when_the_window_is_open_and_nothing_is() {
    // Since 2024-11-01 service conversations are free.
    let t = ts("2025-03-03T00:00:00");
    let lines = cat(&[
        vec![inbound(DE, "in1", t)],
        delivered_free_form(DE, "f1", t + H),
        delivered_free_form(DE, "f2", t + 2 * H),
        // A template during the open service conversation opens its own.
        delivered_template(DE, "m1", t + 3 * H, "marketing"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    let b = &r.billing;
    assert_eq!((b.conversations.service, b.conversations.marketing), (1, 1));
    // f1 and f2 are in the free service conversation: 2 free messages, cost only the
    // marketing conversation, 0.10.
    assert_eq!(b.free_messages.free_service, 2);
    assert_eq!(b.cost.total.0, eur("0.10"));
    let c = charges(&e);
    let f1 = charge(&e, &c, "f1");
    assert!(f1.opened_conversation() && !f1.billable() && !f1.charged());
    assert_eq!(f1.free, Some(FreeReason::FreeService));
    assert_eq!(
        c.conversation_of(f1).unwrap().kind,
        ConversationKind::Service
    );
}

#[test]
fn service_conversations_before_2024_11_are_billable_with_a_monthly_free_tier() {
    // Shrink the free tier to 2 conversations a month so the third is charged.
    let cfg = config(
        r#""pricing_timeline":[{"name":"small_free_tier","effective_from":"2024-01-01","set":{"service_free_tier":2}}]"#,
    );
    let (sep, oct) = (ts("2024-09-10T10:00:00"), ts("2024-10-10T10:00:00"));
    let users = ["4915100000001", "4915100000002", "4915100000003"];
    let mut lines = vec![inbound(users[0], "s-in", sep)];
    lines.extend(delivered_free_form(users[0], "s-f", sep + 60));
    for (i, u) in users.iter().enumerate() {
        let at = oct + i as i64 * H;
        lines.push(inbound(u, &format!("in{i}"), at));
        lines.extend(delivered_free_form(u, &format!("f{i}"), at + 60));
    }
    let mut e = engine(cfg, &lines);
    let r = report(&mut e, None, None);
    let b = &r.billing;
    // September: 1 conversation, in the free tier. October: 3, the first two free-tier and
    // the third charged at the CBP service rate 0.03.
    assert_eq!(b.conversations.service, 4);
    assert_eq!(b.free_tier_conversations, 3);
    assert_eq!(b.cost.total.0, eur("0.03"));
    assert_eq!(
        b.free_messages.free_service, 0,
        "free-tier conversations are billable"
    );
    let c = charges(&e);
    assert!(charge(&e, &c, "f1").free_tier() && !charge(&e, &c, "f2").free_tier());
    assert_eq!(charge(&e, &c, "f2").cost, eur("0.03"));
    // Usage counts every billable conversation, free tier included: 1 in September, 3 in October.
    let billable: Vec<(String, u64)> = r
        .usage
        .months
        .iter()
        .map(|m| (m.month.clone(), m.billable))
        .collect();
    assert_eq!(
        billable,
        vec![("2024-09".to_string(), 1), ("2024-10".to_string(), 3)]
    );
}

#[test]
fn the_cbp_free_tier_frees_service_conversations_only() {
    // October 2024 (CBP, default timeline: service conversations billable, the month's first
    // 1,000 in the free tier). DE writes, a marketing template reaches DE 1 h later: it opens
    // a marketing conversation at the CBP marketing rate 0.10, free tier or not. DE2 writes,
    // a free-form reply opens a service conversation: the month's first, so free tier, 0.
    let t = ts("2024-10-07T09:00:00");
    let lines = cat(&[
        vec![inbound(DE, "in1", t), inbound(DE2, "in2", t)],
        delivered_template(DE, "m1", t + H, "marketing"),
        delivered_free_form(DE2, "f1", t + H),
    ]);
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    assert_eq!((b.conversations.marketing, b.conversations.service), (1, 1));
    assert_eq!(b.free_tier_conversations, 1);
    assert_eq!(b.cost.total.0, eur("0.10"));
    let c = charges(&e);
    let m1 = charge(&e, &c, "m1");
    assert!(m1.charged() && !m1.free_tier());
    assert_eq!(m1.cost, eur("0.10"));
    let f1 = charge(&e, &c, "f1");
    assert!(f1.billable() && f1.free_tier());
    assert_eq!(f1.cost, 0);
}

#[test]
fn pmp_volume_tiers_number_utility_and_authentication_only() {
    // August 2025 (PMP). Nobody wrote, so no window. Marketing m1, m2 and utility u1, u2
    // reach DE: marketing has one rate (0.12) and no tier, so no tier number; utility is
    // numbered within the month: u1 is the 1st and u2 the 2nd (both in band 1-2, 0.02).
    let t = ts("2025-08-04T09:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        delivered_template(DE, "m2", t + H, "marketing"),
        delivered_template(DE, "u1", t + 2 * H, "utility"),
        delivered_template(DE, "u2", t + 3 * H, "utility"),
    ]);
    let mut e = engine(config(""), &lines);
    let c = charges(&e);
    let tiers: Vec<Option<u64>> = ["m1", "m2", "u1", "u2"]
        .iter()
        .map(|id| charge(&e, &c, id).tier_ordinal())
        .collect();
    assert_eq!(tiers, vec![None, None, Some(1), Some(2)]);
    // 2 x 0.12 + 2 x 0.02 = 0.28.
    assert_eq!(report(&mut e, None, None).billing.cost.total.0, eur("0.28"));
}

#[test]
fn service_conversations_turn_free_on_2024_11_01() {
    // Without a free tier, the service conversation of 2024-10-31 costs the CBP service rate
    // (0.03) and the one of 2024-11-01 is free and not billable.
    let cfg = config(
        r#""pricing_timeline":[{"name":"no_free_tier","effective_from":"2024-01-01","set":{"service_free_tier":0}}]"#,
    );
    let (oct31, nov1) = (ts("2024-10-31T12:00:00"), ts("2024-11-01T12:00:00"));
    let lines = cat(&[
        vec![inbound(DE, "in1", oct31)],
        delivered_free_form(DE, "f1", oct31 + 60),
        vec![inbound(DE2, "in2", nov1)],
        delivered_free_form(DE2, "f2", nov1 + 60),
    ]);
    let mut e = engine(cfg, &lines);
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.conversations.service, 2);
    assert_eq!(r.billing.cost.total.0, eur("0.03"));
    assert_eq!(r.billing.free_messages.free_service, 1);
    let c = charges(&e);
    assert!(charge(&e, &c, "f1").billable() && !charge(&e, &c, "f2").billable());
}

#[test]
fn with_meta_defaults_october_2024_service_conversations_fall_in_the_1000_free_tier() {
    let t = ts("2024-10-10T10:00:00");
    let lines = cat(&[
        vec![inbound(DE, "in1", t)],
        delivered_free_form(DE, "f1", t + 60),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    assert_eq!(
        (
            r.billing.conversations.service,
            r.billing.free_tier_conversations
        ),
        (1, 1)
    );
    assert_eq!(r.billing.cost.total.0, 0);
}

#[test]
fn free_form_without_a_visible_window_still_opens_a_service_conversation() {
    // Meta only delivers free-form inside a window; the inbound that opened it predates our
    // data, so the delivered message opens a (free, since 2024-11) service conversation.
    let t = ts("2025-03-03T00:00:00");
    let mut e = engine(config(""), &delivered_free_form(DE, "f1", t));
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.conversations.service, 1);
}

#[test]
fn cbp_free_entry_point_closes_others_and_lasts_exactly_72h() {
    let t = ts("2025-03-03T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        vec![inbound_ad(DE, "ad1", t + H)],
        // The reply, delivered 1 h after the ad message, opens the free entry point [t+2h, t+74h).
        delivered_free_form(DE, "r1", t + 2 * H),
        delivered_template(DE, "m2", t + 3 * H, "marketing"),
        delivered_template(DE, "u1", t + 50 * H, "utility"),
        // Exactly 72 h after the reply's delivery the window is closed: m3 opens a conversation.
        delivered_template(DE, "m3", t + 74 * H, "marketing"),
        // No service window (the user last wrote at t+1h) but m3's conversation is open: ride it.
        delivered_free_form(DE, "f1", t + 75 * H),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    let b = &r.billing;
    // Conversations: m1 (marketing), the free entry point, m3 (marketing).
    assert_eq!(
        (
            b.conversations.marketing,
            b.conversations.free_entry_point,
            b.conversations.service
        ),
        (2, 1, 0)
    );
    // r1, m2 and u1 are free (3 messages); cost = m1 + m3 = 2 × 0.10 = 0.20.
    assert_eq!(b.free_messages.free_entry_point, 3);
    assert_eq!(b.cost.total.0, eur("0.20"));
    let c = charges(&e);
    let r1 = charge(&e, &c, "r1");
    assert_eq!(r1.free, Some(FreeReason::FreeEntryPoint));
    let fep = c.conversation_of(r1).unwrap();
    assert_eq!(
        (fep.kind, fep.opened_at, fep.expires_at),
        (ConversationKind::FreeEntryPoint, t + 2 * H, t + 74 * H)
    );
    assert_eq!(charge(&e, &c, "m2").conversation(), r1.conversation());
    assert!(!charge(&e, &c, "u1").billable());
    // The free entry point closed m1's conversation at its opening.
    assert_eq!(
        c.conversation_of(charge(&e, &c, "m1")).unwrap().closed_at,
        t + 2 * H
    );
    assert_eq!(
        charge(&e, &c, "f1").conversation(),
        charge(&e, &c, "m3").conversation()
    );
}

#[test]
fn a_reply_exactly_24h_after_the_ad_message_opens_no_free_entry_point() {
    let t = ts("2025-03-03T00:00:00");
    let late = cat(&[
        vec![inbound_ad(DE, "ad1", t)],
        delivered_template(DE, "m1", t + 24 * H, "marketing"),
    ]);
    let mut e = engine(config(""), &late);
    let r = report(&mut e, None, None);
    assert_eq!(
        (
            r.billing.conversations.free_entry_point,
            r.billing.conversations.marketing
        ),
        (0, 1)
    );
    assert_eq!(r.billing.cost.total.0, eur("0.10"));
    let in_time = cat(&[
        vec![inbound_ad(DE, "ad1", t)],
        delivered_template(DE, "m1", t + 24 * H - 1, "marketing"),
    ]);
    let mut e = engine(config(""), &in_time);
    let r = report(&mut e, None, None);
    assert_eq!(
        (
            r.billing.conversations.free_entry_point,
            r.billing.conversations.marketing
        ),
        (1, 0)
    );
    assert_eq!(r.billing.cost.total.0, 0);
}

// ---------------------------------------------------------------- PMP

#[test]
fn pmp_charges_templates_frees_free_form_and_utility_in_the_window() {
    let t = ts("2025-08-04T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        vec![inbound(DE, "in1", t + H)],
        delivered_free_form(DE, "f1", t + 2 * H),
        delivered_template(DE, "u1", t + 3 * H, "utility"),
        delivered_template(DE, "a1", t + 4 * H, "authentication"),
        // Exactly 24 h after the user's message the window is closed: u2 is charged.
        delivered_template(DE, "u2", t + 25 * H, "utility"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    let b = &r.billing;
    assert_eq!(b.model, ModelSpan::Pmp);
    let cm = &b.charged_messages;
    assert_eq!(
        (cm.marketing, cm.utility, cm.authentication, cm.service),
        (1, 1, 1, 0)
    );
    assert_eq!(
        (b.free_messages.free_form, b.free_messages.service_window),
        (1, 1)
    );
    // 0.12 (marketing) + 0.05 (authentication) + 0.02 (first utility of the month) = 0.19.
    assert_eq!(b.cost.total.0, eur("0.19"));
    assert_eq!(b.cost.by_category["utility"].0, eur("0.02"));
    assert_eq!(b.cost.by_country["DE"].0, eur("0.19"));
    assert_eq!(b.conversations.marketing, 0, "no conversations under PMP");
    let c = charges(&e);
    assert_eq!(charge(&e, &c, "u1").free, Some(FreeReason::ServiceWindow));
    assert_eq!(charge(&e, &c, "f1").free, Some(FreeReason::FreeForm));
    assert_eq!(charge(&e, &c, "u2").model, Some(PricingModel::Pmp));
    assert!(charge(&e, &c, "u2").charged());
}

#[test]
fn pmp_free_entry_point_frees_everything_for_exactly_72h() {
    let t = ts("2025-08-04T00:00:00");
    let lines = cat(&[
        vec![inbound_ad(DE, "ad1", t)],
        // The reply (a marketing template) opens [t+1h, t+73h) and is free itself.
        delivered_template(DE, "m1", t + H, "marketing"),
        delivered_template(DE, "u1", t + 10 * H, "utility"),
        delivered_template(DE, "m2", t + 73 * H - 1, "marketing"),
        delivered_template(DE, "m3", t + 73 * H, "marketing"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    let b = &r.billing;
    assert_eq!(b.conversations.free_entry_point, 1);
    // m1, u1, m2 free; m3 charged 0.12.
    assert_eq!(b.free_messages.free_entry_point, 3);
    assert_eq!(b.charged_messages.marketing, 1);
    assert_eq!(b.cost.total.0, eur("0.12"));
    let c = charges(&e);
    // Inside both windows, the free entry point is the reason given.
    assert_eq!(charge(&e, &c, "u1").free, Some(FreeReason::FreeEntryPoint));
}

#[test]
fn pmp_volume_tiers_count_per_month_market_and_category() {
    let aug = ts("2025-08-04T00:00:00");
    let sep = ts("2025-09-01T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "u1", aug, "utility"),
        delivered_template(DE2, "u2", aug + H, "utility"),
        delivered_template(DE, "u3", aug + 2 * H, "utility"),
        delivered_template(IN, "i1", aug + 3 * H, "utility"),
        delivered_template(DE2, "u4", aug + 4 * H, "utility"),
        delivered_template(DE, "u5", sep, "utility"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    // Germany, August: 1st 0.02, 2nd 0.02, 3rd 0.01, 4th 0.01 = 0.06. India, August: 1st
    // 0.004. Germany, September: the count restarts, 1st 0.02. Total 0.084.
    assert_eq!(r.billing.cost.total.0, eur("0.084"));
    assert_eq!(r.billing.cost.by_country["IN"].0, eur("0.004"));
    let c = charges(&e);
    let ord = |id: &str| charge(&e, &c, id).tier_ordinal();
    assert_eq!(
        [
            ord("u1"),
            ord("u2"),
            ord("u3"),
            ord("u4"),
            ord("i1"),
            ord("u5")
        ],
        [Some(1), Some(2), Some(3), Some(4), Some(1), Some(1)]
    );
    assert_eq!(charge(&e, &c, "u3").cost, eur("0.01"));
    // A report on September alone still prices u5 as the month's first.
    let r = report(&mut e, Some("2025-09-01"), Some("2025-10-01"));
    assert_eq!(r.billing.cost.total.0, eur("0.02"));
}

#[test]
fn market_comes_from_the_number_nanp_area_codes_included() {
    // +1 809 is the Dominican Republic: Rest of Latin America, not North America.
    let t = ts("2025-08-04T00:00:00");
    let mut e = engine(config(""), &delivered_template(DO, "m1", t, "marketing"));
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.cost.total.0, eur("0.07"));
    assert_eq!(r.billing.cost.by_country["DO"].0, eur("0.07"));
}

#[test]
fn a_market_override_in_the_config_reprices_from_its_date() {
    // Move Germany to Rest of Latin America from 2025-08-05 (a test override, not Meta's).
    let cfg = config(
        r#""markets":[{"country":"DE","market":"Rest of Latin America","effective_from":"2025-08-05"}]"#,
    );
    let t = ts("2025-08-04T12:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        delivered_template(DE, "m2", t + 24 * H, "marketing"),
    ]);
    let mut e = engine(cfg, &lines);
    let r = report(&mut e, None, None);
    // m1 at the German rate 0.12, m2 at the Rest of Latin America rate 0.07.
    assert_eq!(r.billing.cost.total.0, eur("0.19"));
}

#[test]
fn zimbabwe_moves_to_rest_of_africa_on_2025_10_01() {
    // Meta's dated market change, priced from a JSON card: Other 0.05, Rest of Africa 0.20.
    let card = r#"[
      {"market":"Other","category":"marketing","price":0.05,"currency":"USD","effective_from":"2025-07-01"},
      {"market":"Rest of Africa","category":"marketing","price":"0.20","currency":"USD","effective_from":"2025-07-01"}
    ]"#;
    let mut cfg = convolens::Config::from_json(r#"{"rate_card":"card.json"}"#).unwrap();
    cfg.resolve_rate_card(None, |_| Ok(card.to_string()))
        .unwrap();
    let zw = "263771234567";
    let lines = cat(&[
        delivered_template(zw, "m1", ts("2025-09-30T12:00:00"), "marketing"),
        delivered_template(zw, "m2", ts("2025-10-01T12:00:00"), "marketing"),
    ]);
    let mut e = engine(cfg, &lines);
    let r = report(&mut e, None, None);
    // 0.05 (Other, September) + 0.20 (Rest of Africa, October) = 0.25.
    assert_eq!(r.billing.cost.total.0, eur("0.25"));
    assert_eq!(r.billing.cost.currency, convolens::Currency::USD);
}

#[test]
fn the_switch_to_pmp_on_2025_07_01_reprices_per_message() {
    // A CBP marketing conversation opened late on 2025-06-30 does not carry over: the
    // template delivered after midnight is charged per message.
    let lines = cat(&[
        delivered_template(DE, "m1", ts("2025-06-30T20:00:00"), "marketing"),
        delivered_template(DE, "m2", ts("2025-06-30T21:00:00"), "marketing"),
        delivered_template(DE, "m3", ts("2025-07-01T01:00:00"), "marketing"),
    ]);
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, Some("2025-06-30"), Some("2025-07-02"));
    let b = &r.billing;
    assert_eq!(b.model, ModelSpan::Mixed);
    // One CBP conversation at 0.10 (m1, m2 rides) + one PMP message at 0.12 = 0.22.
    assert_eq!(
        (b.conversations.marketing, b.charged_messages.marketing),
        (1, 1)
    );
    assert_eq!(b.cost.total.0, eur("0.22"));
    assert_eq!(
        b.cost.by_day[&chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()].0,
        eur("0.10")
    );
    assert_eq!(
        b.cost.by_day[&chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()].0,
        eur("0.12")
    );
    // One day on each side reports one model.
    assert_eq!(
        report(&mut e, Some("2025-06-30"), Some("2025-07-01"))
            .billing
            .model,
        ModelSpan::Cbp
    );
    assert_eq!(
        report(&mut e, Some("2025-07-01"), Some("2025-07-02"))
            .billing
            .model,
        ModelSpan::Pmp
    );
}

#[test]
fn the_switch_follows_the_business_time_zone() {
    // 2025-06-30T23:30Z is already 2025-07-01 in Berlin: per-message pricing.
    let cfg = config(r#""time_zone":"Europe/Berlin""#);
    let mut e = engine(
        cfg,
        &delivered_template(DE, "m1", ts("2025-06-30T23:30:00"), "marketing"),
    );
    let r = report(&mut e, None, None);
    assert_eq!(
        (
            r.billing.charged_messages.marketing,
            r.billing.conversations.marketing
        ),
        (1, 0)
    );
    assert_eq!(r.billing.cost.total.0, eur("0.12"));
}

#[test]
fn service_charged_2026_10_is_on_by_default_and_can_be_switched_off() {
    let lines = |t: i64| {
        cat(&[
            vec![inbound(DE, "in1", t)],
            delivered_free_form(DE, "f1", t + H),
            delivered_template(DE, "u1", t + 2 * H, "utility"),
        ])
    };
    let off = r#""pricing_timeline":[{"name":"service_charged_2026_10","enabled":false}]"#;
    // (day, config, charged service and utility, free-form and utility-in-window free, cost)
    for (day, extra, charged, free, cost) in [
        // The day before: both free by default.
        ("2026-09-30", "", (0, 0), (1, 1), "0"),
        // From 2026-10-01, by default, both charged inside the customer service window:
        // service 0.01 + utility 0.02 (the month's first utility message, band 1–2) = 0.03.
        ("2026-10-05", "", (1, 1), (0, 0), "0.03"),
        // Switched off in the config: both free, as from 2025-07-01.
        ("2026-10-05", off, (0, 0), (1, 1), "0"),
    ] {
        let mut e = engine(config(extra), &lines(ts(&format!("{day}T00:00:00"))));
        let b = report(&mut e, None, None).billing;
        let got = (
            (b.charged_messages.service, b.charged_messages.utility),
            (b.free_messages.free_form, b.free_messages.service_window),
            b.cost.total.0,
        );
        assert_eq!(got, (charged, free, eur(cost)), "{day} {extra}");
    }
}

// ---------------------------------------------------------------- delivery and input order

#[test]
fn failed_messages_are_never_charged() {
    for t in [ts("2025-03-03T00:00:00"), ts("2025-08-04T00:00:00")] {
        let lines = vec![
            template(DE, "x1", t, "marketing"),
            status(DE, "x1", "sent", t + 1),
            status(DE, "x1", "failed", t + 2),
            // Sent but never confirmed delivered: not charged either.
            template(DE, "x2", t + 10, "marketing"),
            status(DE, "x2", "sent", t + 11),
        ];
        let mut e = engine(config(""), &lines);
        let r = report(&mut e, None, None);
        assert_eq!(r.billing.cost.total.0, 0);
        assert_eq!(
            r.billing.conversations.marketing + r.billing.charged_messages.marketing,
            0
        );
        let m = &r.usage.months[0];
        assert_eq!((m.sent, m.delivered, m.billable), (2, 0, 0));
        let c = charges(&e);
        // Failed, never delivered: no delivery time, not billable.
        let x1 = charge(&e, &c, "x1");
        assert!(x1.delivered_at().is_none() && !x1.billable() && !x1.charged());
    }
}

#[test]
fn failed_after_delivered_stays_charged() {
    let t = ts("2025-08-04T00:00:00");
    let mut lines = delivered_template(DE, "m1", t, "marketing");
    lines.push(status(DE, "m1", "failed", t + 5));
    let mut e = engine(config(""), &lines);
    assert_eq!(report(&mut e, None, None).billing.cost.total.0, eur("0.12"));
}

#[test]
fn duplicates_change_nothing() {
    let t = ts("2025-03-03T00:00:00");
    let lines = cat(&[
        delivered_template(DE, "m1", t, "marketing"),
        vec![inbound_ad(DE, "ad1", t + H)],
        delivered_free_form(DE, "r1", t + 2 * H),
        delivered_template(DE, "u1", ts("2025-08-04T00:00:00"), "utility"),
    ]);
    let once = report(&mut engine(config(""), &lines), None, None);
    let twice: Vec<String> = lines.iter().flat_map(|l| [l.clone(), l.clone()]).collect();
    let r = report(&mut engine(config(""), &twice), None, None);
    assert_eq!(r.billing, once.billing);
    assert_eq!(r.usage, once.usage);
    // Hand count: marketing conversation 0.10 + free entry point (free) + utility 0.02.
    assert_eq!(once.billing.cost.total.0, eur("0.12"));
}

#[test]
fn out_of_order_statuses_use_the_earliest_delivery() {
    let t = ts("2025-03-03T00:00:00");
    // `read` (t+5) arrives before `delivered` (t+3), both before the record; then a second
    // message delivered at t+24h+3-1 rides only if delivery counts from t+3.
    let lines = vec![
        status(DE, "m1", "read", t + 5),
        status(DE, "m1", "delivered", t + 3),
        template(DE, "m1", t, "marketing"),
        template(DE, "m2", t + 24 * H, "marketing"),
        status(DE, "m2", "delivered", t + 24 * H + 2),
    ];
    let mut e = engine(config(""), &lines);
    let c = charges(&e);
    assert_eq!(charge(&e, &c, "m1").delivered_at(), Some(t + 3));
    // m2 delivered at t+24h+2 < t+3+24h: rides m1's conversation.
    assert_eq!(
        charge(&e, &c, "m2").conversation(),
        charge(&e, &c, "m1").conversation()
    );
    assert_eq!(
        report(&mut e, None, None).billing.conversations.marketing,
        1
    );
}

#[test]
fn statuses_alone_with_meta_pricing_are_counted_with_metas_category() {
    let t = ts("2025-08-04T00:00:00");
    let pricing = r#""pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"marketing"}"#;
    let lines = vec![
        status_with(DE, "m1", "delivered", t, pricing),
        status(DE, "n1", "delivered", t + 10),
    ];
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.charged_messages.marketing, 1);
    assert_eq!(r.billing.cost.total.0, eur("0.12"));
    // n1 has neither a record nor pricing: sent and delivered, never priced.
    let m = &r.usage.months[0];
    assert_eq!((m.sent, m.delivered, m.billable), (2, 2, 1));
    assert_eq!(m.by_category["unknown"].sent, 1);
    assert_eq!(r.billing.reconciliation.checked, 1);
    assert_eq!(r.billing.reconciliation.mismatched, 0);
}

// ---------------------------------------------------------------- reconciliation

/// The ids of the messages reconciliation found in disagreement, in its order.
fn mismatch_ids(rc: &convolens::Reconciliation) -> Vec<&str> {
    rc.mismatches
        .iter()
        .map(|m| m.message_id.as_str())
        .collect()
}

/// Meta's `pricing` object of a regular PMP message of `category`, as a status carries it.
fn regular(category: &str) -> String {
    format!(
        r#""pricing":{{"billable":true,"pricing_model":"PMP","type":"regular","category":"{category}"}}"#
    )
}

#[test]
fn reconciliation_reports_each_disagreement() {
    let t = ts("2025-08-04T00:00:00");
    let lines = vec![
        inbound(DE, "in1", t),
        // Agrees: marketing charged.
        template(DE, "m1", t + 10, "marketing"),
        status_with(DE, "m1", "delivered", t + 11, &regular("marketing")),
        // Meta charged a utility template we think is free in the service window.
        template(DE, "u1", t + 20, "utility"),
        status_with(DE, "u1", "delivered", t + 21, &regular("utility")),
        // Meta says marketing for what the host called utility (and charged, as we'd charge
        // a marketing one): category and billable differ.
        template(DE, "u2", t + 30, "utility"),
        status_with(DE, "u2", "delivered", t + 31, &regular("marketing")),
        // Meta's pricing_model disagrees with the timeline.
        template(DE, "m2", t + 40, "marketing"),
        status_with(
            DE,
            "m2",
            "delivered",
            t + 41,
            r#""pricing":{"billable":true,"pricing_model":"CBP","category":"marketing"}"#,
        ),
    ];
    let mut e = engine(config(""), &lines);
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (4, 3));
    let ids = mismatch_ids(&rc);
    assert_eq!(ids, ["u1", "u2", "m2"]);
    assert_eq!(rc.mismatches[0].fields, ["billable"]);
    assert_eq!(rc.mismatches[1].fields, ["category", "billable"]);
    assert_eq!(rc.mismatches[2].fields, ["model"]);
    assert_eq!(
        (
            rc.by_field["billable"],
            rc.by_field["category"],
            rc.by_field["model"]
        ),
        (2, 1, 1)
    );
    assert_eq!(rc.mismatches[0].engine.billable, Some(false));
    assert_eq!(rc.mismatches[0].meta.billable, Some(true));
}

#[test]
fn reconciliation_compares_cbp_conversations() {
    let t = ts("2025-03-03T00:00:00");
    let obj = |id: &str, origin: &str, cat: &str, billable: bool| {
        format!(
            r#""conversation":{{"id":"{id}","expiration_timestamp":"{}","origin":{{"type":"{origin}"}}}},"pricing":{{"billable":{billable},"pricing_model":"CBP","category":"{cat}"}}"#,
            t + 24 * H
        )
    };
    let lines = vec![
        inbound(DE, "in1", t - H),
        template(DE, "m1", t, "marketing"),
        status_with(
            DE,
            "m1",
            "delivered",
            t + 1,
            &obj("C1", "marketing", "marketing", true),
        ),
        // Rides our conversation, and Meta agrees (same id; the conversation's category).
        free_form(DE, "f1", t + 10),
        status_with(
            DE,
            "f1",
            "delivered",
            t + 11,
            &obj("C1", "marketing", "marketing", true),
        ),
        // Rides our conversation, but Meta put it in another one.
        template(DE, "m2", t + 20, "marketing"),
        status_with(
            DE,
            "m2",
            "delivered",
            t + 21,
            &obj("C2", "marketing", "marketing", true),
        ),
    ];
    let mut e = engine(config(""), &lines);
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (3, 1));
    assert_eq!(rc.mismatches[0].message_id, "m2");
    assert_eq!(rc.mismatches[0].fields, ["conversation"]);
    assert_eq!(rc.mismatches[0].meta.conversation_id.as_deref(), Some("C2"));
}

#[test]
fn reconciliation_names_the_cbp_conversation_a_free_form_message_rode() {
    // March 2025 (CBP). DE wrote at t - 1 h, so the service window is open. m1 (marketing,
    // no Meta objects: not checked) is delivered at t + 1 and opens a marketing
    // conversation. f1 (free-form) is delivered at t + 11 while it is open, so it rides it:
    // billable (the conversation is), category for reconciliation = the conversation's
    // kind, `marketing`. Meta put f1 in a service conversation C9 (origin service, category
    // service, billable): category differs (service vs marketing), billable agrees (true),
    // conversation differs (origin service vs our marketing one). 1 checked, 1 mismatched.
    let t = ts("2025-03-03T00:00:00");
    let lines = vec![
        inbound(DE, "in1", t - H),
        template(DE, "m1", t, "marketing"),
        status(DE, "m1", "delivered", t + 1),
        free_form(DE, "f1", t + 10),
        status_with(
            DE,
            "f1",
            "delivered",
            t + 11,
            r#""conversation":{"id":"C9","origin":{"type":"service"}},"pricing":{"billable":true,"pricing_model":"CBP","category":"service"}"#,
        ),
    ];
    let mut e = engine(config(""), &lines);
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (1, 1));
    let mm = &rc.mismatches[0];
    assert_eq!(mm.message_id, "f1");
    assert_eq!(mm.fields, ["category", "conversation"]);
    assert_eq!(mm.delivered_at, t + 11);
    // The engine's side names the marketing conversation f1 rode (not f1's own `service`).
    assert_eq!(mm.engine.category.as_deref(), Some("marketing"));
    assert_eq!(mm.engine.conversation.as_deref(), Some("marketing"));
    assert_eq!(mm.engine.billable, Some(true));
    assert_eq!(mm.engine.model, Some(PricingModel::Cbp));
    assert_eq!(mm.meta.category.as_deref(), Some("service"));
    assert_eq!(mm.meta.conversation.as_deref(), Some("service"));
    assert_eq!(mm.meta.conversation_id.as_deref(), Some("C9"));
}

#[test]
fn reconciliation_inside_and_after_a_pmp_free_entry_point() {
    // August 2025 (PMP). DE writes from an ad at t; f1 (free-form reply) is delivered at
    // t + 1 h: it opens the free entry point window [t + 1 h, t + 73 h). Meta's objects:
    // - f1: free_entry_point, category referral_conversion, conversation F1 (origin
    //   referral_conversion): agrees (inside our window Meta's referral_conversion is right).
    // - m1 (marketing, t + 2 h): free_entry_point, category marketing, F1: agrees (inside
    //   the window the message's own category, priced alike, is right too).
    // - u1 (utility, t + 3 h): free_entry_point but category marketing, F1: the category
    //   is neither referral_conversion nor utility's group: a `category` mismatch; billable
    //   agrees (false), the conversation agrees (F1 = our window).
    // - f2 (free-form, t + 74 h): our window closed at t + 73 h and the service window at
    //   t + 24 h; in 2025 free-form is free (free_form, not billable), in no conversation.
    //   Meta still says referral_conversion (free_customer_service, not billable): for a
    //   message outside any window that is not free-form's `service` group (the free entry
    //   point is a kind of its own): a `category` mismatch.
    // 4 checked, 2 mismatched (u1, f2), both on `category` only.
    let t = ts("2025-08-04T00:00:00");
    let fep = |cat: &str| {
        format!(
            r#""conversation":{{"id":"F1","origin":{{"type":"referral_conversion"}}}},"pricing":{{"pricing_model":"PMP","type":"free_entry_point","category":"{cat}"}}"#
        )
    };
    let lines = vec![
        inbound_ad(DE, "ad1", t),
        free_form(DE, "f1", t + H - 2),
        status_with(DE, "f1", "delivered", t + H, &fep("referral_conversion")),
        template(DE, "m1", t + 2 * H - 2, "marketing"),
        status_with(DE, "m1", "delivered", t + 2 * H, &fep("marketing")),
        template(DE, "u1", t + 3 * H - 2, "utility"),
        status_with(DE, "u1", "delivered", t + 3 * H, &fep("marketing")),
        free_form(DE, "f2", t + 74 * H - 2),
        status_with(
            DE,
            "f2",
            "delivered",
            t + 74 * H,
            r#""pricing":{"pricing_model":"PMP","type":"free_customer_service","category":"referral_conversion"}"#,
        ),
    ];
    let mut e = engine(config(""), &lines);
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (4, 2));
    let ids = mismatch_ids(&rc);
    assert_eq!(ids, ["u1", "f2"]);
    assert_eq!(rc.mismatches[0].fields, ["category"]);
    assert_eq!(rc.mismatches[1].fields, ["category"]);
    assert_eq!(rc.by_field.get("category"), Some(&2));
    // u1 is in our free entry point window, under its own category (PMP).
    let u1 = &rc.mismatches[0];
    assert_eq!(u1.engine.category.as_deref(), Some("utility"));
    assert_eq!(
        u1.engine.conversation.as_deref(),
        Some("referral_conversion")
    );
    assert_eq!(u1.meta.category.as_deref(), Some("marketing"));
    // f2 is in no conversation of ours.
    let f2 = &rc.mismatches[1];
    assert_eq!(f2.engine.category.as_deref(), Some("service"));
    assert_eq!(f2.engine.conversation, None);
    assert_eq!(f2.meta.category.as_deref(), Some("referral_conversion"));
}

#[test]
fn reconciliation_checks_counted_delivered_messages_only() {
    // March 2025 (CBP). m0 (marketing) was sent with Meta's conversation C1 and pricing on
    // its `sent` status but never delivered: not checked, so it pairs no Meta id. m1
    // (marketing, delivered at t + 1) opens our marketing conversation; Meta says C1,
    // origin marketing, billable: agrees, and C1 pairs with it. n1 is a status alone
    // (no outbound record, no pricing) with a conversation object: billing does not count
    // it, so it is not checked either. 1 checked, 0 mismatched.
    let t = ts("2025-03-03T00:00:00");
    let c1 = r#""conversation":{"id":"C1","origin":{"type":"marketing"}},"pricing":{"billable":true,"pricing_model":"CBP","category":"marketing"}"#;
    let lines = vec![
        template(DE, "m0", t - 100, "marketing"),
        status_with(DE, "m0", "sent", t - 99, c1),
        template(DE, "m1", t, "marketing"),
        status_with(DE, "m1", "delivered", t + 1, c1),
        status_with(
            DE,
            "n1",
            "delivered",
            t + 20,
            r#""conversation":{"id":"C2","origin":{"type":"utility"}}"#,
        ),
    ];
    let mut e = engine(config(""), &lines);
    let r = report(&mut e, None, None);
    let rc = &r.billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (1, 0));
    assert!(rc.by_field.is_empty());
    // m1 alone opened a conversation (m0 was never delivered, n1 is not counted).
    assert_eq!(r.billing.conversations.marketing, 1);
}

// ---------------------------------------------------------------- updates after a report

/// A report keeps its day aggregates and updates them when a user's input changes; the
/// updated days must say what a fresh build would, checks and mismatches included.
#[test]
fn a_late_pricing_object_updates_the_reconciliation_of_an_unchanged_charge() {
    // August 2025 (PMP), nobody wrote: u1 (utility) and m1 (marketing) are charged.
    // First: u1 delivered at t with Meta's pricing `marketing` (a `category` mismatch: we
    // charge utility); m1 delivered at t + 1 h without Meta's objects (not checked).
    let t = ts("2025-08-04T09:00:00");
    let mut e = engine(
        config(""),
        &[
            template(DE, "u1", t - 2, "utility"),
            status_with(DE, "u1", "delivered", t, &regular("marketing")),
            template(DE, "m1", t + H - 2, "marketing"),
            status(DE, "m1", "delivered", t + H),
        ],
    );
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (1, 1));
    assert_eq!(rc.mismatches[0].meta.category.as_deref(), Some("marketing"));
    // Then the `sent` statuses arrive, each with a pricing object. They are earlier than the
    // `delivered` ones, so their objects are the ones kept: u1's now says `authentication`
    // (still a `category` mismatch, a different one), m1's says `marketing` (agrees, so m1
    // is now checked). Neither charge changes (same delivery, category, cost).
    for l in [
        status_with(DE, "u1", "sent", t - 1, &regular("authentication")),
        status_with(DE, "m1", "sent", t + H - 1, &regular("marketing")),
    ] {
        e.ingest_str(&l).unwrap();
    }
    let b = report(&mut e, None, None).billing;
    let rc = &b.reconciliation;
    // 2 checked (u1, m1), 1 mismatched: u1 with Meta's new category only.
    assert_eq!((rc.checked, rc.mismatched), (2, 1));
    assert_eq!(rc.mismatches[0].message_id, "u1");
    assert_eq!(rc.mismatches[0].fields, ["category"]);
    assert_eq!(
        rc.mismatches[0].meta.category.as_deref(),
        Some("authentication")
    );
    assert_eq!(rc.by_field.get("category"), Some(&1));
    // Unchanged costs: u1 the 1st utility of the month 0.02, m1 0.12: 0.14.
    assert_eq!(b.cost.total.0, eur("0.14"));
}

#[test]
fn a_mismatch_that_resolves_late_leaves_the_days_earlier_mismatch_in_place() {
    // August 2025 (PMP), nobody wrote, so both templates are charged by their category.
    // u1 (utility, delivered at t) carries Meta's `marketing` and m1 (marketing, t + 1 h)
    // Meta's `utility`: two `category` mismatches on 08-04, in delivery order u1, m1.
    // After a report m1's earlier `sent` status arrives with Meta's `marketing`: the
    // earliest status's object is the one kept, so m1 now agrees and only u1's mismatch
    // is left — the second of the day's list went, not the first.
    let t = ts("2025-08-04T09:00:00");
    let mut e = engine(
        config(""),
        &[
            template(DE, "u1", t - 2, "utility"),
            status_with(DE, "u1", "delivered", t, &regular("marketing")),
            template(DE, "m1", t + H - 2, "marketing"),
            status_with(DE, "m1", "delivered", t + H, &regular("utility")),
        ],
    );
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (2, 2));
    assert_eq!(mismatch_ids(&rc), ["u1", "m1"]);
    e.ingest_str(&status_with(
        DE,
        "m1",
        "sent",
        t + H - 1,
        &regular("marketing"),
    ))
    .unwrap();
    let rc = report(&mut e, None, None).billing.reconciliation;
    assert_eq!((rc.checked, rc.mismatched), (2, 1));
    assert_eq!(mismatch_ids(&rc), ["u1"]);
    assert_eq!(rc.mismatches[0].meta.category.as_deref(), Some("marketing"));
}

#[test]
fn a_late_earlier_message_moves_no_other_messages_checks_or_costs_between_days() {
    // August 2025 (PMP), nobody wrote. b and c (marketing, 0.12 each) are delivered on
    // 08-05 and 08-06 with Meta's agreeing pricing: one check on each day. After a report,
    // x (marketing) arrives, delivered on 08-04, earlier than both, without Meta's objects:
    // it comes first in DE's messages, so b and c sit one place later than before, but each
    // check stays on its own delivery day: 08-04 none, 08-05 one, 08-06 one.
    let d = |day: &str| ts(&format!("2025-08-{day}T09:00:00"));
    let regular = r#""pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"marketing"}"#;
    let mut e = engine(
        config(""),
        &[
            template(DE, "b", d("05") - 2, "marketing"),
            status_with(DE, "b", "delivered", d("05"), regular),
            template(DE, "c", d("06") - 2, "marketing"),
            status_with(DE, "c", "delivered", d("06"), regular),
        ],
    );
    assert_eq!(report(&mut e, None, None).billing.reconciliation.checked, 2);
    for l in delivered_template(DE, "x", d("04"), "marketing") {
        e.ingest_str(&l).unwrap();
    }
    let day = |e: &mut convolens::Engine, from: &str, to: &str| {
        let b = report(e, Some(from), Some(to)).billing;
        (b.reconciliation.checked, b.cost.total.0)
    };
    assert_eq!(day(&mut e, "2025-08-04", "2025-08-05"), (0, eur("0.12")));
    assert_eq!(day(&mut e, "2025-08-05", "2025-08-06"), (1, eur("0.12")));
    assert_eq!(day(&mut e, "2025-08-06", "2025-08-07"), (1, eur("0.12")));
    // All three days: 2 checks, 3 × 0.12 = 0.36.
    assert_eq!(day(&mut e, "2025-08-04", "2025-08-07"), (2, eur("0.36")));
}

#[test]
fn a_charge_that_turns_free_leaves_no_country_cost_behind() {
    // August 2025 (PMP). u1 (utility) reaches DE at t with no service window open: charged,
    // the month's 1st utility, 0.02, so the cost by country is DE 0.02. After a report, DE's
    // message of t - 1 h arrives late: the window [t - 1 h, t + 23 h) was open at u1's
    // delivery, so u1 is free (service_window) and nothing is charged: no country has a
    // cost any more (a fresh build has no entry for DE, not an entry of 0).
    let t = ts("2025-08-04T09:00:00");
    let mut e = engine(config(""), &delivered_template(DE, "u1", t, "utility"));
    let b = report(&mut e, None, None).billing;
    assert_eq!(b.cost.by_country["DE"].0, eur("0.02"));
    e.ingest_str(&inbound(DE, "in1", t - H)).unwrap();
    let b = report(&mut e, None, None).billing;
    assert_eq!(b.free_messages.service_window, 1);
    assert_eq!(b.cost.total.0, 0);
    assert_eq!(b.cost.by_country.len(), 0, "{:?}", b.cost.by_country);
}

#[test]
fn a_delivery_that_moves_back_a_day_leaves_the_other_days_as_a_fresh_build_would() {
    // PMP, UTC, two users. IN's m0 (marketing) is sent and delivered on 07-31 at 10:00; the
    // card has no india marketing rate, so it is charged but unpriced (cost 0). DE's m1
    // (marketing) is sent on 07-31 at 23:59:00 and first seen `read` on 08-01 at 00:01
    // (read implies delivered): delivered on 08-01, charged 0.12. After a report, m1's
    // late `delivered` of 07-31 23:59:30 arrives: the earliest delivery counts, so m1 is
    // delivered on 07-31 too. A fresh build then has nothing in August and both messages
    // in July: the update must take m1's August counts out without leaving zero rows, and
    // without touching what IN and m1's own sending put on 07-31.
    let t = ts("2025-07-31T23:59:00");
    let mut lines = delivered_template(IN, "m0", ts("2025-07-31T10:00:00"), "marketing");
    lines.push(template(DE, "m1", t, "marketing"));
    lines.push(status(DE, "m1", "read", ts("2025-08-01T00:01:00")));
    let mut e = engine(config(""), &lines);
    let (from, to) = (Some("2025-07-31"), Some("2025-08-02"));
    let u = report(&mut e, from, to).usage;
    // Before: July sent m0 and m1, delivered m0; August delivered m1 (DE).
    assert_eq!((u.months[0].sent, u.months[0].delivered), (2, 1));
    assert_eq!((u.months[1].sent, u.months[1].delivered), (0, 1));
    e.ingest_str(&status(DE, "m1", "delivered", t + 30))
        .unwrap();
    let r = report(&mut e, from, to);
    let (jul, aug) = (&r.usage.months[0], &r.usage.months[1]);
    // July: m0 and m1 sent, delivered and charged (billable), one of each per country.
    assert_eq!((jul.sent, jul.delivered, jul.billable), (2, 2, 2));
    let one = convolens::UsageCounts {
        sent: 1,
        delivered: 1,
        billable: 1,
    };
    assert_eq!(jul.by_country.get("DE"), Some(&one));
    assert_eq!(jul.by_country.get("IN"), Some(&one));
    // August: nothing, and no country or category rows at zero.
    assert_eq!((aug.sent, aug.delivered, aug.billable), (0, 0, 0));
    assert!(aug.by_country.is_empty(), "{:?}", aug.by_country);
    assert!(aug.by_category.is_empty(), "{:?}", aug.by_category);
    // Cost: m1 0.12 on 07-31, m0 unpriced (india marketing has no rate).
    let b = &r.billing;
    assert_eq!(b.cost.total.0, eur("0.12"));
    assert_eq!(b.cost.unpriced, 1);
    assert_eq!(b.cost.unpriced_by_category["marketing"]["india"], 1);
}

// ---------------------------------------------------------------- windows as queryable state

#[test]
fn free_form_window_answers_can_i_send_now_and_until_when() {
    let t = ts("2025-08-04T00:00:00");
    let mut lines = vec![inbound_ad(DE, "ad1", t)];
    let mut e = engine(config(""), &lines);
    let w = e.free_form_window(DE, Some(PHONE), t + H).unwrap();
    assert!(w.open);
    assert_eq!(w.until, Some(t + 24 * H));
    assert_eq!(w.free_entry_reply_by, Some(t + 24 * H));
    assert_eq!(w.free_entry_until, None);
    // Exactly 24 h later: closed.
    assert!(!e.free_form_window(DE, None, t + 24 * H).unwrap().open);
    // The reply delivered at t+2h opens the free entry point until t+74h.
    lines.extend(delivered_free_form(DE, "r1", t + 2 * H));
    e = engine(config(""), &lines);
    let w = e.free_form_window(DE, Some(PHONE), t + 3 * H).unwrap();
    assert_eq!(
        (w.free_entry_until, w.free_entry_reply_by),
        (Some(t + 74 * H), None)
    );
    let w = e.free_form_window(DE, Some(PHONE), t + 30 * H).unwrap();
    assert!(!w.open && w.free_entry_until == Some(t + 74 * H));
    assert_eq!(
        e.free_form_window(DE, Some(PHONE), t + 74 * H)
            .unwrap()
            .free_entry_until,
        None
    );
    assert!(e.free_form_window("4900000", None, t).is_none());
    assert!(e.free_form_window(DE, Some("9999"), t).is_none());
}

// ---------------------------------------------------------------- usage

#[test]
fn usage_rows_per_month_with_quota() {
    let cfg = config(r#""quota":4"#);
    let (jul, aug) = (ts("2025-07-10T00:00:00"), ts("2025-08-10T00:00:00"));
    let lines = cat(&[
        delivered_template(DE, "m1", jul, "marketing"),
        delivered_template(IN, "u1", jul + H, "utility"),
        vec![
            template(DE, "x1", jul + 2 * H, "marketing"),
            status(DE, "x1", "failed", jul + 2 * H + 1),
        ],
        vec![inbound(DE, "in1", aug)],
        delivered_free_form(DE, "f1", aug + H),
        delivered_template(DE, "m2", aug + 2 * H, "marketing"),
    ]);
    let mut e = engine(cfg, &lines);
    let r = report(&mut e, Some("2025-07-01"), Some("2025-08-15"));
    let u = &r.usage;
    assert_eq!(u.quota, Some(4));
    assert_eq!(u.months.len(), 2);
    let (m7, m8) = (&u.months[0], &u.months[1]);
    // July: 3 sent (x1 failed), 2 delivered, 2 billable (m1, u1); quota used 2/4.
    assert_eq!(
        (
            m7.month.as_str(),
            m7.partial,
            m7.sent,
            m7.delivered,
            m7.billable
        ),
        ("2025-07", false, 3, 2, 2)
    );
    assert_eq!((m7.quota_used, m7.quota_left), (Some(0.5), Some(2)));
    assert_eq!(
        (
            m7.by_country["DE"].sent,
            m7.by_country["DE"].billable,
            m7.by_country["IN"].billable
        ),
        (2, 1, 1)
    );
    assert_eq!(
        (
            m7.by_category["marketing"].sent,
            m7.by_category["marketing"].delivered
        ),
        (2, 1)
    );
    // August (partial: the range ends on the 15th): f1 free, m2 charged: 2 sent, 2 delivered, 1 billable.
    assert_eq!(
        (
            m8.partial,
            m8.sent,
            m8.delivered,
            m8.billable,
            m8.quota_left
        ),
        (true, 2, 2, 1, Some(3))
    );
    assert_eq!(m8.by_category["service"].billable, 0);
}

#[test]
fn a_zero_quota_is_used_up_with_no_fraction() {
    // A quota of 0: August 2025 (PMP), m1 (marketing) is charged: 1 billable. Left: 0 − 1
    // = −1; the fraction used, 1 / 0, is not a number, so none is given.
    let t = ts("2025-08-04T09:00:00");
    let mut e = engine(
        config(r#""quota":0"#),
        &delivered_template(DE, "m1", t, "marketing"),
    );
    let u = report(&mut e, None, None).usage;
    assert_eq!(u.quota, Some(0));
    let m = &u.months[0];
    assert_eq!(
        (m.billable, m.quota, m.quota_used, m.quota_left),
        (1, Some(0), None, Some(-1))
    );
}

#[test]
fn the_heatmap_counts_paid_units_by_local_weekday_and_hour() {
    // August 2025 (PMP), business zone Europe/Berlin (UTC+2 in summer).
    // - m1 (marketing) delivered Mon 2025-08-04 09:30 UTC = Monday 11:30 local: paid.
    // - DE writes at 09:45 UTC; f1 (free-form) delivered at 10:00 UTC: free, not counted.
    // - m2 (marketing) delivered Sat 2025-08-09 22:30 UTC = Sunday 00:30 local: paid.
    // Rows Monday first: [0][11] = 1, [6][0] = 1, nothing else (2 paid units).
    let lines = cat(&[
        delivered_template(DE, "m1", ts("2025-08-04T09:30:00"), "marketing"),
        vec![inbound(DE, "in1", ts("2025-08-04T09:45:00"))],
        delivered_free_form(DE, "f1", ts("2025-08-04T10:00:00")),
        delivered_template(DE, "m2", ts("2025-08-09T22:30:00"), "marketing"),
    ]);
    let mut e = engine(config(r#""time_zone":"Europe/Berlin""#), &lines);
    let b = report(&mut e, None, None).billing;
    assert_eq!(b.free_messages.free_form, 1);
    assert_eq!((b.heatmap[0][11], b.heatmap[6][0]), (1, 1));
    assert_eq!(b.heatmap.iter().flatten().sum::<u64>(), 2);
}

#[test]
fn a_usage_month_is_partial_only_where_the_range_cuts_it() {
    // Range [2025-08-15, 2025-10-01): August starts before the range (partial); September
    // is whole: it starts inside the range and October starts exactly where the range ends
    // (not partial). m1 (marketing, PMP) is charged on 2025-09-10: September's 1 billable.
    let mut e = engine(
        config(""),
        &delivered_template(DE, "m1", ts("2025-09-10T09:00:00"), "marketing"),
    );
    let u = report(&mut e, Some("2025-08-15"), Some("2025-10-01")).usage;
    let months: Vec<(&str, bool, u64)> = u
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.partial, m.billable))
        .collect();
    assert_eq!(months, [("2025-08", true, 0), ("2025-09", false, 1)]);
}

#[test]
fn phone_filter_keeps_one_business_number() {
    let t = ts("2025-08-04T00:00:00");
    let other = template(DE, "o1", t, "marketing").replace(
        "\"phone_number_id\":\"1001\"",
        "\"phone_number_id\":\"2002\"",
    );
    let lines = vec![
        other,
        status(DE, "o1", "delivered", t + 1),
        template(DE, "m1", t, "marketing"),
        status(DE, "m1", "delivered", t + 2),
    ];
    let mut e = engine(config(""), &lines);
    let all = report(&mut e, None, None);
    assert_eq!(all.billing.cost.total.0, eur("0.24"));
    let one = e
        .report(&{
            let mut o = convolens::ReportOptions::default();
            o.phone = Some("2002".into());
            o
        })
        .unwrap();
    assert_eq!(one.billing.cost.total.0, eur("0.12"));
    assert_eq!(one.usage.months[0].sent, 1);
}

// ---------------------------------------------------------------- output

#[test]
fn report_json_shape() {
    let t = ts("2025-08-04T00:00:00");
    let mut e = engine(
        config(r#""quota":10"#),
        &delivered_template(DE, "m1", t, "marketing"),
    );
    let r = report(&mut e, None, None);
    let v: serde_json::Value = serde_json::to_value(&r).unwrap();
    let b = &v["billing"];
    assert_eq!(b["model"], "PMP");
    for k in [
        "marketing",
        "utility",
        "authentication",
        "service",
        "free_entry_point",
    ] {
        assert!(b["conversations"][k].is_u64(), "{k}");
    }
    for k in ["service_window", "free_entry_point", "free_form"] {
        assert!(b["free_messages"][k].is_u64(), "{k}");
    }
    assert_eq!(b["charged_messages"]["marketing"], 1);
    // Money is a decimal number in major units.
    assert_eq!(b["cost"]["total"], 0.12);
    assert_eq!(b["cost"]["currency"], "EUR");
    assert_eq!(b["cost"]["by_category"]["marketing"], 0.12);
    assert_eq!(b["cost"]["by_country"]["DE"], 0.12);
    assert_eq!(b["cost"]["by_day"]["2025-08-04"], 0.12);
    assert_eq!(b["reconciliation"]["checked"], 0);
    assert!(b["reconciliation"]["mismatches"].is_array());
    let m = &v["usage"]["months"][0];
    assert_eq!(
        (
            m["month"].as_str(),
            m["sent"].as_u64(),
            m["billable"].as_u64()
        ),
        (Some("2025-08"), Some(1), Some(1))
    );
    assert_eq!(
        (m["quota"].as_u64(), m["quota_used"].as_f64()),
        (Some(10), Some(0.1))
    );
    // The report round-trips.
    let back: convolens::Report = serde_json::from_value(v).unwrap();
    assert_eq!(back.billing, r.billing);
}

#[test]
fn text_dashboard_renders_billing_and_usage() {
    let t = ts("2025-08-04T00:00:00");
    let mut e = engine(
        config(r#""quota":10"#),
        &delivered_template(DE, "m1", t, "marketing"),
    );
    let s = (report(&mut e, None, None)).to_text();
    assert!(
        s.contains("BILLING  per-message (PMP)  total 0.1200 EUR"),
        "{s}"
    );
    assert!(s.contains("USAGE  monthly quota 10"), "{s}");
    let row = s.lines().find(|l| l.starts_with("marketing")).unwrap();
    assert!(row.ends_with("0.1200"), "{row}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("2025-08-04") && l.contains("0.1200")),
        "{s}"
    );
    assert!(
        s.lines()
            .any(|l| l.starts_with("2025-08") && l.ends_with("10.0%")),
        "{s}"
    );
}

#[test]
fn unresolved_rate_card_path_is_a_config_error() {
    let cfg = convolens::Config::from_json(r#"{"rate_card":"nowhere.csv"}"#).unwrap();
    assert!(convolens::Engine::new(cfg).is_err());
    let err = convolens::Config::from_json(r#"{"rate_card":[{"market":"Mars","category":"marketing","price":1,"currency":"USD","effective_from":"2025-01-01"}]}"#)
        .unwrap_err();
    assert!(
        err.to_string().contains("rate_card") && err.to_string().contains("Mars"),
        "{err}"
    );
    let err = convolens::Config::from_json(r#"{"pricing_timeline":[{"name":"x"}]}"#).unwrap_err();
    assert!(err.to_string().contains("pricing_timeline"), "{err}");
}

#[test]
fn without_a_rate_card_units_are_counted_but_unpriced() {
    let t = ts("2025-08-04T00:00:00");
    let mut e = engine(
        convolens::Config::default(),
        &delivered_template(DE, "m1", t, "marketing"),
    );
    let r = report(&mut e, None, None);
    assert_eq!(
        (
            r.billing.charged_messages.marketing,
            r.billing.cost.unpriced,
            r.billing.cost.total.0
        ),
        (1, 1, 0)
    );
    assert_eq!(r.billing.cost.currency, convolens::Currency::USD);
}

#[test]
fn unpriced_units_are_warned_per_category_naming_up_to_five_markets() {
    // August 2025 (PMP), nobody wrote, so every template is charged. The card prices
    // Germany's marketing only. Marketing goes to Spain (2), Brazil, France, India, Italy
    // and Netherlands (1 each): 7 unpriced units in 6 markets. The warning names five,
    // most units first then by name — spain 2, brazil, france, india, italy — and says
    // "1 more markets" for netherlands. Utility goes to exactly five of them: all five
    // named, no "more". Both categories are priced on a configured card, so the "no rate
    // card" warning does not appear; categories come in name order (marketing, utility).
    let card = "market,category,price,currency,effective_from\n\
                germany,marketing,0.12,EUR,2025-07-01\n";
    let t = ts("2025-08-04T09:00:00");
    let users = [
        ("34600000001", "es1"),
        ("34600000002", "es2"),
        ("5511900000001", "br"),
        ("33600000001", "fr"),
        ("919800000001", "in"),
        ("393400000001", "it"),
        ("31600000001", "nl"),
    ];
    let mut lines = Vec::new();
    for (i, (user, id)) in users.iter().enumerate() {
        let at = t + 60 * i as i64;
        lines.extend(delivered_template(
            user,
            &format!("m_{id}"),
            at,
            "marketing",
        ));
        if *id != "es2" && *id != "nl" {
            lines.extend(delivered_template(
                user,
                &format!("u_{id}"),
                at + 30,
                "utility",
            ));
        }
    }
    // And DE's marketing template, priced: 0.12.
    lines.extend(delivered_template(DE, "m_de", t, "marketing"));
    let mut e = engine(config_with_card(card, ""), &lines);
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.cost.total.0, eur("0.12"));
    assert_eq!(r.billing.cost.unpriced, 7 + 5);
    assert_eq!(
        r.warnings,
        [
            "7 charged marketing units have no rate on the rate card and count zero in the cost \
             (spain 2, brazil 1, france 1, india 1, italy 1, 1 more markets)",
            "5 charged utility units have no rate on the rate card and count zero in the cost \
             (brazil 1, france 1, india 1, italy 1, spain 1)",
        ]
    );
}

#[test]
fn without_a_rate_card_nothing_charged_means_no_warning() {
    // PMP, August 2025: DE writes, the business answers free-form in the customer service
    // window — free, so nothing is charged and nothing is unpriced: no warning, even
    // though no rate card is configured.
    let t = ts("2025-08-04T09:00:00");
    let mut lines = vec![inbound(DE, "in1", t)];
    lines.extend(delivered_free_form(DE, "f1", t + 60));
    let mut e = engine(convolens::Config::default(), &lines);
    let r = report(&mut e, None, None);
    assert_eq!(r.billing.free_messages.free_form, 1);
    assert_eq!(r.billing.cost.unpriced, 0);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn an_unpriced_agent_message_in_the_reports_currency_is_warned_without_a_currency_note() {
    // 2026-11-10: Meta Business Agent messages are charged (from 2026-08-01). Meta's
    // pricing object names the category but no price and no tokens, and the card has no
    // per-token agent rate: one charged agent message unpriced, none of them priced by
    // Meta in another currency, so the warning has no "(… in a currency other than …)".
    let t = ts("2026-11-10T10:00:00");
    let mut e = engine(
        config(""),
        &[status_with(
            DE,
            "a1",
            "delivered",
            t,
            r#""pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"meta_business_agent"}"#,
        )],
    );
    let r = report(&mut e, None, None);
    let a = &r.billing.meta_business_agent;
    assert_eq!((a.charged, a.unpriced, a.other_currency), (1, 1, 0));
    assert_eq!(
        r.warnings,
        [
            "1 charged Meta Business Agent message is unpriced and count zero in the cost: \
          no price in Meta's pricing object, and no token count with a meta_business_agent \
          per-token rate on the rate card"
        ]
    );
}

// ---------------------------------------------------------------- the bundled example

#[test]
fn bundled_example_data_shows_both_models_across_2025_07_01() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let text = std::fs::read_to_string(format!("{dir}/config.json")).unwrap();
    let mut cfg = convolens::Config::from_json(&text).unwrap();
    cfg.rate_card = Some(convolens::RateCardSpec::Path(
        "rate-card.example.csv".into(),
    ));
    cfg.resolve_rate_card(Some(std::path::Path::new(dir)), |p| {
        std::fs::read_to_string(p)
    })
    .unwrap();
    let mut e = convolens::Engine::new(cfg).unwrap();
    let data = std::fs::File::open(format!("{dir}/example.jsonl")).unwrap();
    assert!(e.ingest_reader(data).unwrap().errors.is_empty());
    let all = report(&mut e, None, None).billing;
    assert_eq!(all.model, ModelSpan::Mixed);
    // The example card prices every market: nothing unpriced, a positive total.
    assert_eq!(all.cost.unpriced, 0);
    assert!(all.cost.total.0 > 0);
    let june = report(&mut e, Some("2025-06-01"), Some("2025-07-01")).billing;
    let c = june.conversations;
    let cm = june.charged_messages;
    assert_eq!(june.model, ModelSpan::Cbp);
    assert!(c.marketing > 0 && c.utility > 0 && c.service > 0, "{c:?}");
    assert_eq!(
        cm.marketing + cm.utility + cm.authentication + cm.service,
        0
    );
    let july = report(&mut e, Some("2025-07-01"), Some("2025-08-01")).billing;
    let (c, cm) = (july.conversations, july.charged_messages);
    assert_eq!(july.model, ModelSpan::Pmp);
    assert!(cm.marketing > 0 && cm.utility > 0, "{cm:?}");
    assert_eq!(c.marketing + c.utility + c.authentication + c.service, 0);
    assert!(july.free_messages.free_form > 0 && july.free_messages.service_window > 0);
    // Reconciliation. The example's `pricing` / `conversation` objects are the generator's
    // simulation of Meta's rules (examples/src/meta.rs, CBP in June and PMP in July, in the
    // config's Europe/Madrid), so the engine must agree on every message it checks. It checks
    // each delivered message whose statuses carry Meta's objects: counted here from the
    // JSONL itself (ids with a `pricing` object and a delivered or read status).
    let (mut priced, mut delivered) = (
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    );
    for line in std::fs::read_to_string(format!("{dir}/example.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(r#""statuses""#))
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for s in v["entry"][0]["changes"][0]["value"]["statuses"]
            .as_array()
            .unwrap()
        {
            let id = s["id"].as_str().unwrap().to_string();
            if s.get("pricing").is_some() {
                priced.insert(id.clone());
            }
            if matches!(s["status"].as_str(), Some("delivered" | "read")) {
                delivered.insert(id);
            }
        }
    }
    let checked = priced.intersection(&delivered).count() as u64;
    assert_eq!(checked, 2274);
    assert_eq!(
        (all.reconciliation.checked, all.reconciliation.mismatched),
        (checked, 0),
        "{:?}",
        all.reconciliation.mismatches.first()
    );
    assert!(july.reconciliation.checked > 0 && july.reconciliation.mismatched == 0);
}

/// One delivered marketing template on 2025-07-02 (per-message pricing), priced from an
/// inline card: EUR 0.1365, in the message's charge and in the report's total.
#[test]
fn one_marketing_message_is_charged_its_rate() {
    use convolens::internals::{BillingSetup, compute};
    use convolens::{Config, Engine, RateCardSpec, RateRow, ReportOptions};
    let mut cfg = Config::default();
    let rows = RateRow::parse_csv(
        "market,category,price,currency,effective_from\ngermany,marketing,0.1365,EUR,2025-01-01",
    )
    .unwrap();
    cfg.rate_card = Some(RateCardSpec::Inline(rows));
    let mut engine = Engine::new(cfg).unwrap();
    engine.ingest_str(r#"{"type":"outbound","id":"w1","to":"4915112345678","timestamp":1751450000,"template":"promo","category":"marketing"}"#).unwrap();
    engine.ingest_str(r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
      "metadata":{"phone_number_id":"1001"},
      "statuses":[{"id":"w1","status":"delivered","timestamp":"1751450005","recipient_id":"4915112345678"}]}}]}]}"#).unwrap();
    let report = engine.report(&ReportOptions::default()).unwrap();
    let store = convolens::internals::store(&engine);
    let charges = compute(
        store,
        &BillingSetup::from_config(engine.config()).unwrap(),
        None,
    );
    let c = charges.get(store.outbound("w1").unwrap()).unwrap();
    assert!(c.charged() && c.billable());
    assert_eq!(c.cost, 136_500);
    assert_eq!(report.billing.cost.total.0, 136_500);
}

/// Issue 17, hand-checked: a late unit renumbers the month's tier after it, and the engine
/// reprices a unit of a user the late input did not touch. [`CARD`]: a utility template
/// to Germany in July 2025 costs 0.02 EUR as the month's 1st or 2nd unit, 0.01 from the
/// 3rd. DE's u1 (delivered 3 July) and u2 (4 July) are the 1st and 2nd: 0.04 EUR. Then
/// DE2's u0, delivered 2 July, arrives after that report: it is the 1st (0.02), u1 the 2nd
/// (0.02), u2 the 3rd (0.01), so 0.05 EUR — 0.06 if u2 kept its old price.
#[test]
fn a_late_unit_reprices_another_users_unit_across_a_tier_band() {
    let sent = |u: &str, id: &str, day: &str| {
        let t = ts(&format!("2025-07-{day}T10:00:00"));
        [
            template(u, id, t, "utility"),
            status(u, id, "delivered", t + 60),
        ]
    };
    let mut e = engine(
        config(""),
        &[sent(DE, "u1", "03"), sent(DE, "u2", "04")].concat(),
    );
    let july = |e: &mut convolens::Engine| {
        let r = report(e, Some("2025-07-01"), Some("2025-08-01"));
        (r.billing.cost.total.0, r.billing.charged_messages.utility)
    };
    assert_eq!(july(&mut e), (40_000, 2));
    for line in sent(DE2, "u0", "02") {
        e.ingest_str(&line).unwrap();
    }
    assert_eq!(july(&mut e), (50_000, 3));
}
