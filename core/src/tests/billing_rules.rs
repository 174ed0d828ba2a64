//! Billing rules that the suite used to leave unchecked (issue #26): each test is a short
//! hand-worked scenario whose expected figures are derived in the comment beside them, from
//! the test rate card in `billing_support::CARD`. They assert on the public report first;
//! where the report cannot show the rule, on the per-message charges.
//!
//! Traffic is dated in 2025 (before the 2026-10-01 timeline entry), so the tests do not depend
//! on whether that entry is on by default.

#![allow(clippy::many_single_char_names)]

use super::billing_support;

use billing_support::*;

/// The second business number of these tests (the builders use [`PHONE`], "1001").
const PHONE2: &str = "2002";

fn webhook_on(phone: &str, value: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"{phone}"}},{value}}}}}]}}]}}"#
    )
}

/// A user's text message to business number `phone`.
fn inbound_on(phone: &str, user: &str, id: &str, t: i64) -> String {
    webhook_on(
        phone,
        &format!(
            r#""contacts":[{{"wa_id":"{user}"}}],"messages":[{{"from":"{user}","id":"{id}","timestamp":"{t}","type":"text","text":{{"body":"hi"}}}}]"#
        ),
    )
}

/// A user's message from a Click-to-WhatsApp ad to business number `phone`.
fn inbound_ad_on(phone: &str, user: &str, id: &str, t: i64) -> String {
    webhook_on(
        phone,
        &format!(
            r#""contacts":[{{"wa_id":"{user}"}}],"messages":[{{"from":"{user}","id":"{id}","timestamp":"{t}","type":"text","text":{{"body":"hi"}},"referral":{{"source_type":"ad","source_id":"120"}}}}]"#
        ),
    )
}

/// A template sent from `phone` (`None`: the record names no number) at `t - 2` and
/// delivered at `t` (the status webhook names `phone`, or carries no metadata).
fn template_on(phone: Option<&str>, user: &str, id: &str, t: i64, category: &str) -> Vec<String> {
    let number = phone.map_or(String::new(), |p| format!(r#""phone_number_id":"{p}","#));
    let status = format!(
        r#""statuses":[{{"id":"{id}","status":"delivered","timestamp":"{t}","recipient_id":"{user}"}}]"#
    );
    vec![
        format!(
            r#"{{"type":"outbound","id":"{id}",{number}"to":"{user}","timestamp":{},"kind":"template","template":"t","category":"{category}"}}"#,
            t - 2
        ),
        match phone {
            Some(p) => webhook_on(p, &status),
            None => format!(
                r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{{status}}}}}]}}]}}"#
            ),
        },
    ]
}

/// Windows belong to one business number: a user who wrote to number 1001 has an open
/// customer service window and a pending free entry point with 1001 only.
#[test]
fn service_and_free_entry_windows_are_kept_per_business_number() {
    let t = ts("2025-08-04T09:00:00"); // PMP
    let mut lines = vec![
        // DE writes to 1001: 1001's service window is open on [t, t + 24 h).
        inbound_on(PHONE, DE, "in1", t),
        // DE2 comes from an ad to 1001: a reply from 1001 delivered before t + 24 h opens a
        // free entry point window.
        inbound_ad_on(PHONE, DE2, "in2", t),
    ];
    // u1 from 1001 in 1001's window: free (service_window).
    lines.extend(template_on(Some(PHONE), DE, "u1", t + H, "utility"));
    // u2 from 2002: DE never wrote to 2002, so no window: charged, the month's first German
    // utility message, 0.02.
    lines.extend(template_on(Some(PHONE2), DE, "u2", t + 2 * H, "utility"));
    // m1 from 2002 to DE2: 2002 has no referral pending, so no free entry point: charged 0.12.
    lines.extend(template_on(Some(PHONE2), DE2, "m1", t + H, "marketing"));
    // m2 from 1001 to DE2: the first reply of 1001 within 24 h of the ad message opens the
    // free entry point window, and m2 is free.
    lines.extend(template_on(Some(PHONE), DE2, "m2", t + 2 * H, "marketing"));
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    // Shared windows would make u2 free (service_window 2) and let m1 open the free entry
    // point (m1 and m2 free, nothing charged, cost 0).
    assert_eq!(b.free_messages.service_window, 1);
    assert_eq!(b.free_messages.free_entry_point, 1);
    assert_eq!(b.conversations.free_entry_point, 1);
    assert_eq!(
        (b.charged_messages.utility, b.charged_messages.marketing),
        (1, 1)
    );
    // 0.02 + 0.12 = 0.14.
    assert_eq!(b.cost.total.0, eur("0.14"));
    // "Can I send free-form now?" answers per number too.
    let at = t + 3 * H;
    assert!(e.free_form_window(DE, Some(PHONE), at).unwrap().open);
    assert!(!e.free_form_window(DE, Some(PHONE2), at).unwrap().open);
    assert_eq!(
        e.free_form_window(DE2, Some(PHONE), at)
            .unwrap()
            .free_entry_until,
        Some(t + 2 * H + 72 * H)
    );
    assert_eq!(
        e.free_form_window(DE2, Some(PHONE2), at)
            .unwrap()
            .free_entry_until,
        None
    );
}

/// CBP conversations belong to one business number too: the same category sent from two
/// numbers within 24 h opens two conversations.
#[test]
fn cbp_conversations_are_kept_per_business_number() {
    let t = ts("2025-03-03T09:00:00"); // CBP
    let mut lines = template_on(Some(PHONE), DE, "m1", t, "marketing");
    lines.extend(template_on(Some(PHONE2), DE, "m2", t + H, "marketing"));
    // m3 from 1001 again rides m1's conversation (open until t + 24 h).
    lines.extend(template_on(Some(PHONE), DE, "m3", t + 2 * H, "marketing"));
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    // Two marketing conversations at the CBP rate 0.10: 0.20 (one shared conversation: 0.10).
    assert_eq!(b.conversations.marketing, 2);
    assert_eq!(b.cost.total.0, eur("0.20"));
}

/// A record that names no business number belongs to the number of the user's latest
/// message at or before it.
#[test]
fn records_naming_no_number_take_the_users_latest_number() {
    let t = ts("2025-08-04T09:00:00"); // PMP
    let mut lines = vec![
        // DE writes to 1001 at t (window until t + 24 h) and to 2002 at t + 1 h (window until
        // t + 25 h).
        inbound_on(PHONE, DE, "in1", t),
        inbound_on(PHONE2, DE, "in2", t + H),
    ];
    // u1, no number, delivered at t + 24.5 h: the latest message before it went to 2002,
    // whose window is still open: free. (On 1001, or on no number, it would be charged.)
    lines.extend(template_on(None, DE, "u1", t + 24 * H + 1800, "utility"));
    // u2, no number, delivered at t + 25.5 h: 2002's window has closed: charged 0.02 (the
    // month's first German utility message).
    lines.extend(template_on(None, DE, "u2", t + 25 * H + 1800, "utility"));
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    assert_eq!(b.free_messages.service_window, 1);
    assert_eq!(b.charged_messages.utility, 1);
    assert_eq!(b.cost.total.0, eur("0.02"));
    // The resolved number is the one the charges carry.
    let c = charges(&e);
    let store = convolens::internals::store(&e);
    assert_eq!(store.phone(charge(&e, &c, "u1").phone), PHONE2);
    assert_eq!(store.phone(charge(&e, &c, "u2").phone), PHONE2);
}

/// Under CBP a free-form message rides the earliest-opened open conversation, and Meta's
/// `pricing.category` names that conversation's category.
#[test]
fn free_form_rides_the_earliest_opened_conversation() {
    let t = ts("2025-03-03T09:00:00"); // CBP
    let cbp = |cat: &str, conv: &str| {
        format!(
            r#""pricing":{{"billable":true,"pricing_model":"CBP","category":"{cat}"}},"conversation":{{"id":"{conv}","origin":{{"type":"{cat}"}}}}"#
        )
    };
    let lines = vec![
        // u1 opens a utility conversation at t (0.04), m1 a marketing one at t + 1 h (0.10).
        template(DE, "u1", t - 2, "utility"),
        status_with(DE, "u1", "delivered", t, &cbp("utility", "CU")),
        template(DE, "m1", t + H - 2, "marketing"),
        status_with(DE, "m1", "delivered", t + H, &cbp("marketing", "CM")),
        inbound(DE, "in1", t + 2 * H),
        // f1 at t + 3 h: both are open; it rides the utility one, opened first, as Meta says.
        free_form(DE, "f1", t + 3 * H - 2),
        status_with(DE, "f1", "delivered", t + 3 * H, &cbp("utility", "CU")),
    ];
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    assert_eq!(
        (
            b.conversations.utility,
            b.conversations.marketing,
            b.conversations.service
        ),
        (1, 1, 0)
    );
    assert_eq!(b.cost.total.0, eur("0.14"));
    // Riding the marketing conversation (the latest) would mismatch Meta's category and
    // conversation id for f1.
    assert_eq!(
        (b.reconciliation.checked, b.reconciliation.mismatched),
        (3, 0)
    );
    let c = charges(&e);
    assert_eq!(
        charge(&e, &c, "f1").conversation(),
        charge(&e, &c, "u1").conversation()
    );
}

/// At the same second, a user message is taken before a delivery: the service window and the
/// free entry point it opens already apply to the delivery.
#[test]
fn at_the_same_second_inbound_comes_before_outbound() {
    let t = ts("2025-08-04T09:00:00"); // PMP
    let mut lines = vec![inbound(DE, "z-in1", t), inbound_ad(DE2, "z-in2", t)];
    // Both deliveries at exactly t, with ids that sort before the inbound ones (so neither
    // the id nor arrival order puts the inbound first).
    lines.splice(0..0, template_on(Some(PHONE), DE, "a-u1", t, "utility"));
    lines.splice(0..0, template_on(Some(PHONE), DE2, "a-m1", t, "marketing"));
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    // a-u1: the window opened by z-in1 at t is open at t: free (service_window).
    // a-m1: the first reply to z-in2's ad message, delivered 0 s after it: opens the free
    // entry point. Outbound first would charge both: 0.02 + 0.12.
    assert_eq!(b.free_messages.service_window, 1);
    assert_eq!(b.free_messages.free_entry_point, 1);
    assert_eq!(b.conversations.free_entry_point, 1);
    assert_eq!(b.cost.total.0, 0);
}

/// "Can I send free-form now?" at the edges: the user's message counts at its own second,
/// the reply deadline is exclusive, and across numbers the answer is the most open one.
#[test]
fn free_form_window_edges_and_numbers() {
    let t = ts("2025-08-04T09:00:00");
    let lines = vec![
        inbound_ad_on(PHONE, DE, "in1", t),
        inbound_on(PHONE2, DE, "in2", t + 5 * H),
    ];
    let e = engine(config(""), &lines);
    // At the second of the ad message: open, until t + 24 h, a reply due before t + 24 h.
    let w = e.free_form_window(DE, Some(PHONE), t).unwrap();
    assert!(w.open);
    assert_eq!(w.last_inbound, Some(t));
    assert_eq!(w.free_entry_reply_by, Some(t + 24 * H));
    // One second before it: nothing yet.
    let w = e.free_form_window(DE, Some(PHONE), t - 1).unwrap();
    assert!(!w.open && w.until.is_none() && w.free_entry_reply_by.is_none());
    // At exactly t + 24 h the reply deadline has passed and 1001's window has closed,
    // while 2002's (from t + 5 h) is open until t + 29 h.
    let w = e.free_form_window(DE, Some(PHONE), t + 24 * H).unwrap();
    assert!(!w.open && w.free_entry_reply_by.is_none());
    // With no number given: open when open with any number (both are at t + 6 h).
    assert!(e.free_form_window(DE, None, t + 6 * H).unwrap().open);
    let any = e.free_form_window(DE, None, t + 24 * H).unwrap();
    assert!(any.open);
    assert_eq!(any.until, Some(t + 29 * H));
    assert_eq!(any.last_inbound, Some(t + 5 * H));
}

/// "Free now?" across numbers: free when some number's service window is open (in 2025
/// service messages are free), never once every window has closed, even though the rules
/// still make service free.
#[test]
fn free_form_window_is_free_only_while_a_window_is_open() {
    let t = ts("2025-08-04T09:00:00"); // PMP, service messages free (before 2026-10-01)
    let lines = vec![
        // 1001's window: [t, t + 24 h); 2002's: [t + 1 h, t + 25 h).
        inbound_on(PHONE, DE, "in1", t),
        inbound_on(PHONE2, DE, "in2", t + H),
    ];
    let e = engine(config(""), &lines);
    // t + 2 h: both windows open and both free, so across numbers open and free (two free
    // windows must not cancel out), not charged.
    let w = e.free_form_window(DE, None, t + 2 * H).unwrap();
    assert!(w.open && w.free && !w.charged);
    // t + 24 h: 1001 has closed, 2002 is open until t + 25 h: still open and free.
    let w = e.free_form_window(DE, None, t + 24 * H).unwrap();
    assert!(w.open && w.free && !w.charged);
    assert_eq!(w.until, Some(t + 25 * H));
    // t + 25 h: both closed: not open, so not free either (and not charged).
    let w = e.free_form_window(DE, None, t + 25 * H).unwrap();
    assert!(!w.open && !w.free && !w.charged);
    let w = e.free_form_window(DE, Some(PHONE), t + 24 * H).unwrap();
    assert!(!w.open && !w.free && !w.charged);
}

/// Messages delivered in the same second as the reply that opens a free entry point window
/// are inside it.
#[test]
fn deliveries_in_the_second_a_free_entry_window_opens_are_free() {
    let t = ts("2025-08-04T09:00:00"); // PMP
    let mut lines = vec![inbound_ad_on(PHONE, DE, "in1", t)];
    // "a1" opens the window at t + 1 h (first by id); "a2", same second, is inside it.
    lines.extend(template_on(Some(PHONE), DE, "a1", t + H, "marketing"));
    lines.extend(template_on(Some(PHONE), DE, "a2", t + H, "marketing"));
    let mut e = engine(config(""), &lines);
    let b = report(&mut e, None, None).billing;
    assert_eq!(b.conversations.free_entry_point, 1);
    assert_eq!(b.free_messages.free_entry_point, 2);
    assert_eq!(b.cost.total.0, 0);
}

/// Window lengths in a timeline entry are between 1 hour and a leap year (8,784 hours).
#[test]
fn timeline_hours_are_between_1_and_8784() {
    for (hours, ok) in [(0, false), (1, true), (8784, true), (8785, false)] {
        for key in [
            "conversation_hours",
            "service_window_hours",
            "free_entry_hours",
            "free_entry_reply_hours",
        ] {
            let r = convolens::Config::from_json(&format!(
                r#"{{"pricing_timeline":[{{"effective_from":"2027-01-01","set":{{"{key}":{hours}}}}}]}}"#
            ));
            assert_eq!(r.is_ok(), ok, "{key} = {hours}: {r:?}");
            if let Err(err) = r {
                assert_eq!(err.key(), "pricing_timeline");
                assert!(err.to_string().contains(key), "{err}");
            }
        }
    }
}
