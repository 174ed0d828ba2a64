//! Sources, conversations, events and attribution through the public API, with expected
//! values computed by hand in the comments.

use super::cases;
use convolens::ModelName;
use convolens::{Config, Engine, ReportError, ReportOptions};
use convolens::{ContactFilter, SourceDirection, SourceKind, SourceRow};
use proptest::prelude::*;
use serde_json::{Value, json};

const PHONE: &str = "1001";
/// 2025-07-01T10:00:00Z.
const T0: i64 = 1_751_364_000;
const H: i64 = 3_600;
const D: i64 = 86_400;

fn webhook(value: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"{PHONE}"}},{value}}}}}]}}]}}"#
    )
}

fn msg(from: &str, id: &str, ts: i64, body: &str) -> String {
    webhook(&format!(
        r#""contacts":[{{"wa_id":"{from}","profile":{{"name":"User {from}"}}}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{ts}",{body}}}]"#
    ))
}

fn text(from: &str, id: &str, ts: i64, body: &str) -> String {
    msg(
        from,
        id,
        ts,
        &format!(r#""type":"text","text":{{"body":"{body}"}}"#),
    )
}

fn ad_click(from: &str, id: &str, ts: i64, ad: &str, headline: &str) -> String {
    msg(
        from,
        id,
        ts,
        &format!(
            r#""type":"text","text":{{"body":"Hi"}},"referral":{{"source_type":"ad","source_id":"{ad}","source_url":"https://fb.me/x","headline":"{headline}"}}"#
        ),
    )
}

fn button(from: &str, id: &str, ts: i64, context: &str, payload: &str, title: &str) -> String {
    msg(
        from,
        id,
        ts,
        &format!(
            r#""type":"button","button":{{"payload":"{payload}","text":"{title}"}},"context":{{"id":"{context}"}}"#
        ),
    )
}

fn delivered(to: &str, id: &str, ts: i64) -> String {
    webhook(&format!(
        r#""statuses":[{{"id":"{id}","status":"delivered","timestamp":"{ts}","recipient_id":"{to}"}}]"#
    ))
}

fn template(to: &str, id: &str, ts: i64, name: &str, campaign: Option<&str>) -> String {
    let campaign = campaign
        .map(|c| format!(r#","campaign":"{c}""#))
        .unwrap_or_default();
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"{PHONE}","to":"{to}","timestamp":{ts},"kind":"template","template":"{name}","category":"marketing"{campaign}}}"#
    )
}

fn reply(to: &str, id: &str, ts: i64) -> String {
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"{PHONE}","to":"{to}","timestamp":{ts},"kind":"free_form","author":"agent"}}"#
    )
}

fn purchase(id: &str, contact: &str, ts: i64, value: &str) -> String {
    format!(
        r#"{{"type":"external_event","id":"{id}","contact":"{contact}","name":"purchase","value":{value},"currency":"EUR","timestamp":{ts}}}"#
    )
}

fn config(extra: &str) -> Config {
    let sep = if extra.is_empty() { "" } else { "," };
    Config::from_json(&format!(
        r#"{{"currency":"EUR","inactivity_timeout_hours":24{sep}{extra}}}"#
    ))
    .unwrap()
}

fn engine(cfg: Config, lines: &[String]) -> Engine {
    let mut e = Engine::new(cfg).unwrap();
    for l in lines {
        e.ingest_str(l).unwrap_or_else(|err| panic!("{err}\n{l}"));
    }
    e
}

fn row<'a>(rows: &'a [SourceRow], key: &str) -> &'a SourceRow {
    rows.iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no source {key} in {rows:#?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// July 2025, the range every test reports on.
fn july(model: Option<ModelName>) -> ReportOptions {
    {
        let mut o = convolens::ReportOptions::default();
        o.from = chrono::NaiveDate::from_ymd_opt(2025, 7, 1);
        o.to = chrono::NaiveDate::from_ymd_opt(2025, 8, 1);
        o.model = model;
        o
    }
}

/// User A: an ad conversation on day 0, a campaign conversation on day 2 (with a button
/// press), a purchase of 90 EUR on day 3.
fn two_source_user() -> Vec<String> {
    let a = "4915100000001";
    vec![
        ad_click(a, "wamid.a1", T0, "120", "Summer sale"),
        reply(a, "wamid.a2", T0 + 60),
        delivered(a, "wamid.a2", T0 + 65),
        template(a, "wamid.a3", T0 + 2 * D, "summer_offer", Some("spring")),
        delivered(a, "wamid.a3", T0 + 2 * D + 5),
        button(a, "wamid.a4", T0 + 2 * D + H, "wamid.a3", "BUY", "Buy now"),
        purchase("order-1", a, T0 + 3 * D, "90"),
    ]
}

#[test]
fn a_user_with_touches_from_two_sources_under_every_model() {
    let cfg = config(r#""attribution":{"half_life_days":1}"#);
    let mut e = engine(cfg, &two_source_user());
    let mut expect = |model, ad: f64, campaign: f64| {
        let r = e.report(&july(Some(model))).unwrap();
        let (ad_row, camp_row) = (
            row(&r.sources, "meta_ad:120"),
            row(&r.sources, "campaign:spring"),
        );
        assert!(
            close(ad_row.conversions, ad),
            "{model:?}: ad {}",
            ad_row.conversions
        );
        assert!(
            close(camp_row.conversions, campaign),
            "{model:?}: campaign {}",
            camp_row.conversions
        );
        // Value 90 EUR split in the same proportion, exactly: the parts sum to 90.
        assert_eq!(
            ad_row.revenue.unwrap() + camp_row.revenue.unwrap(),
            90_000_000,
            "{model:?}"
        );
        assert_eq!(
            ad_row.revenue,
            Some((90_000_000.0 * ad).round() as i64),
            "{model:?}"
        );
        assert_eq!(r.attribution.attributed_events, 1);
        assert_eq!(r.attribution.unattributed_events, 0);
    };
    // Candidates, oldest first: the ad conversation (started 3 days before the purchase)
    // and the campaign conversation (1 day before).
    expect(ModelName::LastTouch, 0.0, 1.0);
    expect(ModelName::FirstTouch, 1.0, 0.0);
    expect(ModelName::Linear, 0.5, 0.5);
    // Half-life 1 day: weights 2^-3 = 1/8 and 2^-1 = 1/2, so 0.125/0.625 = 0.2 and 0.8.
    expect(ModelName::TimeDecay, 0.2, 0.8);
    // Two candidates share first : last = 0.4 : 0.4, so half each.
    expect(ModelName::PositionBased, 0.5, 0.5);
    // Markov over this one path (start → ad → campaign → conversion): removing either
    // source loses every conversion, RE = 1 each, so half each.
    expect(ModelName::Markov, 0.5, 0.5);
    // Shapley: v({ad, campaign}) = 1 and every smaller coalition 0: half each.
    expect(ModelName::Shapley, 0.5, 0.5);

    let r = e.report(&july(None)).unwrap();
    let ad_row = row(&r.sources, "meta_ad:120");
    assert_eq!(
        (ad_row.kind, ad_row.direction),
        (SourceKind::MetaAd, SourceDirection::Incoming)
    );
    assert_eq!(ad_row.name, "Summer sale"); // the referral headline
    assert_eq!(ad_row.conversations, 1);
    let camp = row(&r.sources, "campaign:spring");
    assert_eq!(
        (camp.kind, camp.direction),
        (SourceKind::Campaign, SourceDirection::Outgoing)
    );
    assert_eq!(camp.conversations, 1);
    // The default conversion event is "any external event": the purchase happened in the
    // last-touch conversation, the campaign's, which is the only lead.
    assert_eq!((ad_row.leads, camp.leads), (0, 1));
    assert_eq!(ad_row.conversion_rate, Some(0.0));
    assert_eq!(camp.conversion_rate, Some(1.0));
    // No spend: ROAS is null, not NaN or infinity; cost per lead is 0 / 1 lead = 0, and
    // null for the ad, which has no lead.
    assert_eq!(
        (camp.invested, camp.conversion_cost, camp.roas),
        (0, Some(0.0), None)
    );
    assert_eq!((ad_row.conversion_cost, ad_row.roas), (None, None));
}

#[test]
fn position_based_with_three_touches_gives_40_20_40() {
    // Conversations: direct (day 0), ad (day 2), campaign (day 4); purchase of 10 EUR on day 5.
    let u = "4915100000002";
    let lines = vec![
        text(u, "wamid.b1", T0, "hello"),
        ad_click(u, "wamid.b2", T0 + 2 * D, "121", "Winter"),
        template(u, "wamid.b3", T0 + 4 * D, "promo", Some("autumn")),
        delivered(u, "wamid.b3", T0 + 4 * D + 1),
        purchase("order-2", u, T0 + 5 * D, "10"),
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&july(Some(ModelName::PositionBased))).unwrap();
    // 0.4 / 0.2 / 0.4 of 1 conversion and of 10 EUR.
    assert!(close(row(&r.sources, "direct").conversions, 0.4));
    assert!(close(row(&r.sources, "meta_ad:121").conversions, 0.2));
    assert!(close(row(&r.sources, "campaign:autumn").conversions, 0.4));
    assert_eq!(row(&r.sources, "direct").revenue, Some(4_000_000));
    assert_eq!(row(&r.sources, "meta_ad:121").revenue, Some(2_000_000));
    assert_eq!(row(&r.sources, "campaign:autumn").revenue, Some(4_000_000));
    // Configurable weights: 0.5 / 0 / 0.5 leaves the middle with nothing.
    let mut e = engine(
        config(r#""attribution":{"position_weights":[0.5,0.0,0.5]}"#),
        &lines,
    );
    let r = e.report(&july(Some(ModelName::PositionBased))).unwrap();
    assert!(close(row(&r.sources, "direct").conversions, 0.5));
    assert!(close(row(&r.sources, "meta_ad:121").conversions, 0.0));
    // Linear thirds of 10 EUR: 3.333334 + 3.333333 + 3.333333 (the oldest takes the extra micro).
    let r = e.report(&july(Some(ModelName::Linear))).unwrap();
    assert_eq!(row(&r.sources, "direct").revenue, Some(3_333_334));
    assert_eq!(row(&r.sources, "meta_ad:121").revenue, Some(3_333_333));
    assert_eq!(row(&r.sources, "campaign:autumn").revenue, Some(3_333_333));
}

#[test]
fn a_purchase_outside_the_lookback_is_unattributed_and_reported() {
    // Ad conversation on day 0; purchase of 25 EUR on day 10, beyond the 7-day lookback.
    let u = "4915100000003";
    let lines = vec![
        ad_click(u, "wamid.c1", T0, "122", "Ad"),
        purchase("order-3", u, T0 + 10 * D, "25"),
    ];
    let mut e = engine(config(""), &lines);
    for model in ModelName::ALL {
        let r = e.report(&july(Some(model))).unwrap();
        let a = &r.attribution;
        assert_eq!(
            (a.events, a.attributed_events, a.unattributed_events),
            (1, 0, 1),
            "{model:?}"
        );
        assert_eq!((a.value, a.unattributed_value), (25_000_000, 25_000_000));
        let ad = row(&r.sources, "meta_ad:122");
        assert!(close(ad.conversions, 0.0));
        assert_eq!(ad.revenue, Some(0));
        // And it made no lead.
        assert_eq!(ad.leads, 0);
    }
    // Seven days exactly is still inside the window (inclusive).
    let lines = vec![
        ad_click(u, "wamid.c1", T0, "122", "Ad"),
        purchase("order-3", u, T0 + 7 * D, "25"),
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&july(None)).unwrap();
    assert_eq!(r.attribution.attributed_events, 1);
    assert_eq!(row(&r.sources, "meta_ad:122").leads, 1);
}

#[test]
fn a_duplicate_external_event_id_counts_once() {
    let mut lines = two_source_user();
    lines.push(purchase("order-1", "4915100000001", T0 + 3 * D, "90"));
    let mut e = engine(config(""), &lines);
    let r = e.report(&july(None)).unwrap();
    assert_eq!(r.attribution.events, 1);
    assert_eq!(r.attribution.value, 90_000_000);
    assert!(close(row(&r.sources, "campaign:spring").conversions, 1.0));
    assert_eq!(row(&r.sources, "campaign:spring").revenue, Some(90_000_000));
}

#[test]
fn a_reply_to_a_campaign_template_belongs_to_the_campaign() {
    // The template is delivered on day 0 and opens campaign:bf; the user answers with a
    // button on day 2 (the 24-hour conversation has ended), quoting the template: the new
    // conversation belongs to the campaign, not to `direct`. A later free text on day 5
    // with no context is `direct`.
    let u = "4915100000004";
    let lines = vec![
        template(u, "wamid.d1", T0, "black_friday", Some("bf")),
        delivered(u, "wamid.d1", T0 + 3),
        button(u, "wamid.d2", T0 + 2 * D, "wamid.d1", "YES", "Yes please"),
        text(u, "wamid.d3", T0 + 5 * D, "hi again"),
    ];
    let cfg = config(r#""events":[{"name":"yes","kind":"button_reply","pattern":"yes please"}]"#);
    let mut e = engine(cfg, &lines);
    let r = e.report(&july(None)).unwrap();
    let camp = row(&r.sources, "campaign:bf");
    assert_eq!(camp.conversations, 2);
    // No external events: the conversion event defaults to the button reply, which
    // happened in the reply's conversation.
    assert_eq!(camp.leads, 1);
    assert_eq!(camp.conversion_rate, Some(0.5));
    assert_eq!(row(&r.sources, "direct").conversations, 1);
    let conv = r.attribution.conversion_event.unwrap();
    assert_eq!(conv.name.as_deref(), Some("yes"));
}

#[test]
fn opening_rules_for_business_messages() {
    let u = "4915100000005";
    let lines = vec![
        // A free-form message with no conversation open opens nothing.
        reply(u, "wamid.e1", T0),
        delivered(u, "wamid.e1", T0 + 1),
        // A template that never got a delivery status opens nothing.
        template(u, "wamid.e2", T0 + D, "reminder", None),
        // A message known only from its delivered status opens `template:unknown`.
        delivered(u, "wamid.e3", T0 + 3 * D),
        // A delivered template without a campaign opens `template:<name>`.
        template(u, "wamid.e4", T0 + 6 * D, "shipping_update", None),
        delivered(u, "wamid.e4", T0 + 6 * D + 2),
        // ...and an inbound text 2 hours later rides it.
        text(u, "wamid.e5", T0 + 6 * D + 2 * H, "thanks"),
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&july(None)).unwrap();
    let keys: Vec<(&str, u64)> = r
        .sources
        .iter()
        .map(|s| (s.key.as_str(), s.conversations))
        .collect();
    assert_eq!(
        keys,
        vec![("template:shipping_update", 1), ("template:unknown", 1)]
    );
    let t = row(&r.sources, "template:shipping_update");
    assert_eq!(
        (t.kind, t.direction),
        (SourceKind::Custom, SourceDirection::Outgoing)
    );
    assert_eq!(t.name, "shipping_update");
}

#[test]
fn custom_rules_on_the_first_inbound_text_and_inactivity() {
    let u = "4915100000006";
    let cfg = config(
        r#""sources":[{"key":"qr:table","name":"Table QR","match":"prefix","pattern":"Hi from table"},
                      {"key":"wa.me:promo","match":"regex","pattern":"promo-[0-9]+"}]"#,
    );
    let lines = vec![
        // Opens a conversation; the first text matches the QR rule (case-insensitive).
        text(u, "wamid.f1", T0, "hi from TABLE 7"),
        // 23 h later: same conversation (the timeout is 24 h since the last message).
        text(u, "wamid.f2", T0 + 23 * H, "promo-12"),
        // 24 h after that: a new conversation, whose first text matches the regex rule.
        text(u, "wamid.f3", T0 + 47 * H, "I saw PROMO-99"),
        // 30 h later: a new conversation; no rule matches: direct.
        text(u, "wamid.f4", T0 + 77 * H, "hello"),
    ];
    let mut e = engine(cfg, &lines);
    let r = e.report(&july(None)).unwrap();
    let qr = row(&r.sources, "qr:table");
    assert_eq!((qr.conversations, qr.name.as_str()), (1, "Table QR"));
    assert_eq!(
        (qr.kind, qr.direction),
        (SourceKind::Custom, SourceDirection::Incoming)
    );
    assert_eq!(row(&r.sources, "wa.me:promo").conversations, 1);
    assert_eq!(row(&r.sources, "wa.me:promo").name, "wa.me:promo");
    assert_eq!(row(&r.sources, "direct").conversations, 1);
    assert_eq!(row(&r.sources, "direct").name, "Direct");
}

#[test]
fn spend_cost_per_lead_and_roas() {
    // Ad 120 gets 30 EUR over 2025-07-01..03 (10 per day) from an Ads Insights row and 5 EUR
    // on 2025-07-05 by hand: 35 EUR in July. Under first touch the 90 EUR purchase is
    // credited to the ad (its oldest candidate).
    let mut lines = two_source_user();
    lines.push(
        r#"{"ad_id":"120","ad_name":"Summer sale — carousel","spend":"30","date_start":"2025-07-01","date_stop":"2025-07-03","account_currency":"EUR"}"#
            .into(),
    );
    lines.push(r#"{"type":"spend","source":"meta_ad:120","date":"2025-07-05","amount":5,"currency":"EUR"}"#.into());
    lines.push(r#"{"type":"spend","source":"campaign:spring","date":"2025-07-03","amount":2.5,"currency":"EUR"}"#.into());
    lines.push(r#"{"type":"spend","source":"campaign:spring","date":"2025-07-04","amount":1,"currency":"USD"}"#.into());
    let cfg = config(r#""conversion_event":"purchase","attribution":{"model":"first_touch"}"#);
    let mut e = engine(cfg, &lines);
    let r = e.report(&july(None)).unwrap();
    let ad = row(&r.sources, "meta_ad:120");
    assert_eq!(ad.name, "Summer sale — carousel"); // the spend data's ad name beats the headline
    assert_eq!(ad.invested, 35_000_000);
    assert_eq!(ad.revenue, Some(90_000_000));
    // The lead is the campaign conversation (where the purchase happened): the ad has no
    // lead, so no cost per lead; ROAS = 90 / 35.
    assert_eq!(ad.leads, 0);
    assert_eq!(ad.conversion_cost, None);
    assert!(close(ad.roas.unwrap(), 90.0 / 35.0));
    let camp = row(&r.sources, "campaign:spring");
    // 2.5 EUR; the USD record is left out and counted.
    assert_eq!(camp.invested, 2_500_000);
    assert_eq!(camp.leads, 1);
    assert!(close(camp.conversion_cost.unwrap(), 2.5));
    assert_eq!(camp.roas, Some(0.0));
    assert_eq!(r.attribution.other_currency, 1);
    // Only 2025-07-02: 10 EUR of the ad's 3-day row.
    let day2 = {
        let mut o = convolens::ReportOptions::default();
        o.from = chrono::NaiveDate::from_ymd_opt(2025, 7, 2);
        o.to = chrono::NaiveDate::from_ymd_opt(2025, 7, 3);
        o
    };
    let r = e.report(&day2).unwrap();
    assert_eq!(row(&r.sources, "meta_ad:120").invested, 10_000_000);
    assert_eq!(row(&r.sources, "meta_ad:120").conversations, 0);
}

#[test]
fn funnels_count_steps_in_order_per_source() {
    let cfg = config(
        r#""events":[{"name":"interested","kind":"text_reply","match":"contains","pattern":"price"},
                     {"name":"buy","kind":"button_reply","pattern":"BUY"}],
           "funnels":[{"name":"sales","steps":["interested","buy","purchase"]}]"#,
    );
    let (ua, ub, uc) = ("4915100000011", "4915100000012", "4915100000013");
    let lines = vec![
        // a: ad, asks the price, presses buy (on the offer), purchases: all three steps.
        ad_click(ua, "wamid.g1", T0, "130", "X"),
        text(ua, "wamid.g2", T0 + 60, "what's the price?"),
        reply(ua, "wamid.g3", T0 + 120),
        delivered(ua, "wamid.g3", T0 + 121),
        button(ua, "wamid.g4", T0 + 180, "wamid.g3", "BUY", "Buy"),
        purchase("order-g", ua, T0 + H, "20"),
        // b: ad, presses buy *before* asking the price: reaches step 1 only (buy must follow).
        ad_click(ub, "wamid.h1", T0, "130", "X"),
        button(ub, "wamid.h2", T0 + 60, "wamid.none", "BUY", "Buy"),
        text(ub, "wamid.h3", T0 + 120, "price?"),
        // c: ad, says nothing more: reaches no step.
        ad_click(uc, "wamid.i1", T0, "130", "X"),
    ];
    let mut e = engine(cfg, &lines);
    let r = e.report(&july(None)).unwrap();
    let ad = row(&r.sources, "meta_ad:130");
    assert_eq!(ad.conversations, 3);
    let f = &ad.funnel[0];
    assert_eq!(f.name, "sales");
    let got: Vec<(&str, u64, u64)> = f
        .steps
        .iter()
        .map(|s| (s.event.as_str(), s.reached, s.drop_off))
        .collect();
    // 3 conversations → 2 interested (drop 1) → 1 buy (drop 1) → 1 purchase (drop 0).
    assert_eq!(
        got,
        vec![("interested", 2, 1), ("buy", 1, 1), ("purchase", 1, 0)]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["sources"][0]["funnel"][0]["steps"][1]["drop_off"], 1);
}

#[test]
fn contacts_export_is_rfc4180_csv() {
    let cfg = config(r#""conversion_event":"purchase""#);
    let mut lines = two_source_user();
    // A second user of the ad whose profile name needs quoting, without a purchase.
    lines.push(webhook(&format!(
        r#""contacts":[{{"wa_id":"4915100000020","profile":{{"name":"Silva, \"Ana\""}}}}],"messages":[{{"from":"4915100000020","id":"wamid.j1","timestamp":"{}","type":"text","text":{{"body":"Hi"}},"referral":{{"source_type":"ad","source_id":"120"}}}}]"#,
        T0 + 5 * D
    )));
    let mut e = engine(cfg, &lines);
    let mut out = Vec::new();
    let n = e
        .export_contacts(
            &july(Some(ModelName::FirstTouch)),
            &ContactFilter::source("meta_ad:120"),
            &mut out,
        )
        .unwrap();
    assert_eq!(n, 2);
    let csv = String::from_utf8(out).unwrap();
    assert_eq!(
        csv,
        "wa_id,name,country,first_seen,source,converted,value\r\n\
         4915100000001,User 4915100000001,DE,2025-07-01T10:00:00+00:00,meta_ad:120,false,90.00\r\n\
         4915100000020,\"Silva, \"\"Ana\"\"\",DE,2025-07-06T10:00:00+00:00,meta_ad:120,false,0.00\r\n"
    );
    // By event: the purchasers.
    let mut out = Vec::new();
    e.export_contacts(&july(None), &ContactFilter::event("purchase"), &mut out)
        .unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.contains("4915100000001,User 4915100000001,DE,2025-07-01T10:00:00+00:00,campaign:spring,true,90.00"), "{csv}");
}

#[test]
fn conversation_rows_list_the_ranges_conversations_with_their_credit() {
    // two_source_user: the ad conversation starts 07-01 10:00, the campaign one 07-03
    // 10:00 (template a3, then the button press at 11:00); the 90 EUR purchase of 07-04
    // has both in its 7-day lookback, and linear gives each half: 0.5 conversions and
    // 45 EUR. From 07-02 only the campaign conversation started in the range: one row,
    // with its half (the ad conversation's half is not in any row of this range).
    let mut e = engine(config(""), &two_source_user());
    let mut opts = july(Some(ModelName::Linear));
    opts.from = chrono::NaiveDate::from_ymd_opt(2025, 7, 2);
    let t = e.rows("conversations", &opts).unwrap();
    assert_eq!(t.values.len(), 1, "{:?}", t.values);
    let col = |name: &str| {
        let i = t.header.iter().position(|h| h == name).unwrap();
        t.values[0][i].clone()
    };
    for (name, want) in [
        ("user", json!("4915100000001")),
        ("phone", json!(PHONE)),
        ("start", json!("2025-07-03T10:00:00+00:00")),
        ("last", json!("2025-07-03T11:00:00+00:00")),
        ("source", json!("campaign:spring")),
        ("source_kind", json!("campaign")),
        ("direction", json!("outgoing")),
        ("opening_message", json!("wamid.a3")),
        ("messages", json!(2)),
        ("conversions", json!(0.5)),
        ("attributed_value", json!(45.0)),
        ("currency", json!("EUR")),
        ("model", json!("linear")),
        ("headline", Value::Null),
    ] {
        assert_eq!(col(name), want, "{name}");
    }
}

#[test]
fn a_users_update_keeps_another_users_credit_to_the_same_source_and_day() {
    // Last touch (the default). A and B both come from ad 120 on 07-01 (10:00 and 11:00)
    // and buy on 07-02, A for 90 EUR and B for 10: the ad's row has 2 conversations and
    // 2 conversions worth 100 EUR, all credited to conversations started on 07-01. After
    // a report A writes again on 07-06 (a new, direct conversation, after the purchase):
    // A's credits are taken out and put back, and B's stay as they were: still 2
    // conversions and 100 EUR for the ad, and a direct row with 1 conversation and none.
    let (a, b) = ("4915100000001", "4915100000002");
    let mut e = engine(
        config(""),
        &[
            ad_click(a, "wamid.a1", T0, "120", "Sale"),
            ad_click(b, "wamid.b1", T0 + H, "120", "Sale"),
            purchase("order-a", a, T0 + D, "90"),
            purchase("order-b", b, T0 + D, "10"),
        ],
    );
    let ad = |e: &mut Engine| {
        let r = e.report(&july(None)).unwrap();
        let x = row(&r.sources, "meta_ad:120");
        (x.conversations, x.conversions, x.revenue)
    };
    assert_eq!(ad(&mut e), (2, 2.0, Some(100_000_000)));
    e.ingest_str(&text(a, "wamid.a2", T0 + 5 * D, "Hello again"))
        .unwrap();
    assert_eq!(ad(&mut e), (2, 2.0, Some(100_000_000)));
    let r = e.report(&july(None)).unwrap();
    let direct = row(&r.sources, "direct");
    assert_eq!((direct.conversations, direct.conversions), (1, 0.0));
}

/// Three buyers and a user who bought nothing, for the contacts export (July 2025):
///
/// - A (`4915100000001`, two_source_user): first message 07-01 10:00 (ad 120); the 90 EUR
///   purchase of 07-04 happens in the campaign conversation of 07-03 (its lead);
/// - a username-only buyer (`US.…`, no number): a 1 EUR purchase on 07-03, no message;
/// - B (`4915100000002`): buys for 10 EUR on 07-05, before any message; the business's
///   first template reaches B on 07-06 10:00 (a `template:welcome` conversation that
///   started after the purchase, so neither its lead nor where it happened);
/// - C (`4915100000003`): writes on 07-10, buys nothing.
fn buyers() -> Vec<String> {
    let (b, c) = ("4915100000002", "4915100000003");
    let mut lines = two_source_user();
    lines.extend([
        purchase("order-u", "US.13491208655302741918", T0 + 2 * D, "1"),
        purchase("order-b", b, T0 + 4 * D, "10"),
        template(b, "wamid.b1", T0 + 5 * D, "welcome", None),
        delivered(b, "wamid.b1", T0 + 5 * D + 5),
        text(c, "wamid.c1", T0 + 9 * D, "Hi"),
    ]);
    lines
}

#[test]
fn contact_rows_of_an_event_and_of_an_event_and_a_source() {
    let mut e = engine(config(r#""conversion_event":"purchase""#), &buyers());
    let opts = july(None);
    // The purchasers, by first seen: A (07-01, first message), the username-only buyer
    // (07-03, no message: its purchase), B (07-06: the template, B's first counted message,
    // not the earlier purchase). Source: where the purchase first happened (A's campaign
    // conversation; none for the others). Converted: a lead conversation in the range (A's
    // campaign one). Value: each one's purchases in the range. C bought nothing: not listed.
    let t = e
        .contact_rows(&opts, &ContactFilter::event("purchase"))
        .unwrap();
    let null = Value::Null;
    assert_eq!(
        t.values,
        [
            vec![
                json!("4915100000001"),
                json!("User 4915100000001"),
                json!("DE"),
                json!("2025-07-01T10:00:00+00:00"),
                json!("campaign:spring"),
                json!(true),
                json!(90.0)
            ],
            vec![
                json!("US.13491208655302741918"),
                null.clone(),
                json!("US"),
                json!("2025-07-03T10:00:00+00:00"),
                null.clone(),
                json!(false),
                json!(1.0)
            ],
            vec![
                json!("4915100000002"),
                null.clone(),
                json!("DE"),
                json!("2025-07-06T10:00:00+00:00"),
                null.clone(),
                json!(false),
                json!(10.0)
            ],
        ]
    );
    // Purchasers who are also users of campaign:spring: A only, with the source's credit
    // under last touch (the whole 90 EUR: the campaign conversation was the last before).
    let t = e
        .contact_rows(
            &opts,
            &ContactFilter::event("purchase").and_source("campaign:spring"),
        )
        .unwrap();
    assert_eq!(t.values.len(), 1, "{:?}", t.values);
    assert_eq!(t.values[0][0], json!("4915100000001"));
    assert_eq!(t.values[0][4], json!("campaign:spring"));
    assert_eq!(
        (&t.values[0][5], &t.values[0][6]),
        (&json!(true), &json!(90.0))
    );
}

#[test]
fn contacts_of_repeat_buyers_by_event_and_by_source() {
    // July 2025, last touch, 24 h inactivity timeout, conversion event `purchase`:
    // - D: ad 120 on 07-11 10:00, buys for 5 at 12:00; ad 121 on 07-14 10:00 (a new
    //   conversation), buys for 7 at 12:00 and asks a refund of 3 at 13:00;
    // - E: ad 120 on 07-20 10:00, buys for 2 at 12:00; ad 120 again on 07-23 10:00, buys
    //   for 4 at 12:00 (two lead conversations of the same source);
    // - G: ad 122 on 07-25 10:00, signs up at 11:00, buys nothing.
    let (d, e_, g) = ("4915100000004", "4915100000005", "4915100000007");
    let external = |id: &str, who: &str, name: &str, ts: i64, value: &str| {
        format!(
            r#"{{"type":"external_event","id":"{id}","contact":"{who}","name":"{name}","value":{value},"currency":"EUR","timestamp":{ts}}}"#
        )
    };
    let day = |n: i64| T0 + (n - 1) * D; // 07-n 10:00
    let lines = vec![
        ad_click(d, "wamid.d1", day(11), "120", "Sale"),
        purchase("order-d1", d, day(11) + 2 * H, "5"),
        ad_click(d, "wamid.d2", day(14), "121", "Sale"),
        purchase("order-d2", d, day(14) + 2 * H, "7"),
        external("refund-d2", d, "refund", day(14) + 3 * H, "3"),
        ad_click(e_, "wamid.e1", day(20), "120", "Sale"),
        purchase("order-e1", e_, day(20) + 2 * H, "2"),
        ad_click(e_, "wamid.e2", day(23), "120", "Sale"),
        purchase("order-e2", e_, day(23) + 2 * H, "4"),
        ad_click(g, "wamid.g1", day(25), "122", "Sale"),
        external("signup-g", g, "signup", day(25) + H, "0"),
    ];
    let mut e = engine(config(r#""conversion_event":"purchase""#), &lines);
    let pick = |t: &convolens::Table| -> Vec<(String, Value, bool, f64)> {
        t.values
            .iter()
            .map(|r| {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
                (
                    s(&r[0]),
                    r[4].clone(),
                    r[5] == json!(true),
                    r[6].as_f64().unwrap(),
                )
            })
            .collect()
    };
    // The purchasers D and E (G only signed up; D's refund is another event): the source
    // where each first bought (D: ad 120 on 07-11, not ad 121), converted (each has a lead
    // conversation), and the value of their purchases: D 5 + 7 = 12, E 2 + 4 = 6.
    let t = e
        .contact_rows(&july(None), &ContactFilter::event("purchase"))
        .unwrap();
    assert_eq!(
        pick(&t),
        [
            (d.to_string(), json!("meta_ad:120"), true, 12.0),
            (e_.to_string(), json!("meta_ad:120"), true, 6.0)
        ]
    );
    // The users of ad 120: D (one conversation, a lead) and E (two, both leads). Value:
    // what last touch credits ad 120 with: D's first purchase (5; the second went to ad
    // 121's conversation), both of E's (6).
    let t = e
        .contact_rows(&july(None), &ContactFilter::source("meta_ad:120"))
        .unwrap();
    assert_eq!(
        pick(&t),
        [
            (d.to_string(), json!("meta_ad:120"), true, 5.0),
            (e_.to_string(), json!("meta_ad:120"), true, 6.0)
        ]
    );
}

#[test]
fn an_audience_hashes_the_numbers_of_the_selected_users_and_counts_the_rest() {
    // The purchasers of `buyers`, by first seen: A, the username-only buyer (no number: left
    // out and counted), B. Each line is the SHA-256 of the digits (computed apart with
    // `printf 4915100000001 | sha256sum`, and the same for ...002).
    let mut e = engine(config(""), &buyers());
    let mut csv = Vec::new();
    let n = e
        .export_audience(&july(None), &ContactFilter::event("purchase"), &mut csv)
        .unwrap();
    assert_eq!(n, (2, 1));
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "phone\r\n\
         12945c74de2446f10b234fbb5fd68f748f13630f6fe05f19c87c85cf5f439b63\r\n\
         564adc3a4048f3b842680f06fab8b374e4b8cd0338d04d5a41b99e159b0d2951\r\n"
    );
}

#[test]
fn a_contacts_name_is_an_event_when_one_has_it_else_a_source() {
    // The report program's `--contacts NAME`: `interested` is a configured messaging
    // event and `purchase` an external event of the data, so both are events; `meta_ad:120`
    // is neither, so it is a source.
    let cfg = config(r#""events":[{"name":"interested","kind":"button_reply","pattern":"buy"}]"#);
    let e = engine(cfg, &buyers());
    let guess =
        |name: &str| ContactFilter::guess(e.config(), convolens::internals::store(&e), name);
    assert_eq!(guess("interested"), ContactFilter::event("interested"));
    assert_eq!(guess("purchase"), ContactFilter::event("purchase"));
    assert_eq!(guess("meta_ad:120"), ContactFilter::source("meta_ad:120"));
}

#[test]
fn shapley_over_more_than_15_sources_is_a_clear_error() {
    // One user touched by 16 different ads 10 hours apart (a 1-hour inactivity timeout
    // makes each its own conversation), then purchasing within the week.
    let u = "4915100000030";
    let mut lines: Vec<String> = (0..16)
        .map(|i| {
            ad_click(
                u,
                &format!("wamid.k{i}"),
                T0 + i * 10 * H,
                &format!("9{i:02}"),
                "ad",
            )
        })
        .collect();
    lines.push(purchase("order-k", u, T0 + 151 * H, "1"));
    let cfg = Config::from_json(r#"{"currency":"EUR","inactivity_timeout_hours":1}"#).unwrap();
    let mut e = engine(cfg, &lines);
    match e.report(&july(Some(ModelName::Shapley))) {
        Err(ReportError::Unsupported(m)) => assert!(m.contains("15") && m.contains("16"), "{m}"),
        other => panic!("expected an error, got {other:?}"),
    }
    // The comparison reports the failure instead of failing.
    let mut opts = july(None);
    opts.compare_models = true;
    let r = e.report(&opts).unwrap();
    assert!(r.attribution.comparison_errors.contains_key("shapley"));
    let cmp = r.attribution.comparison.unwrap();
    assert_eq!(cmp.len(), 16);
    assert_eq!(cmp[0].models.len(), ModelName::ALL.len() - 1);
}

#[test]
fn compare_models_lists_every_model_per_source() {
    let mut e = engine(config(""), &two_source_user());
    let mut opts = july(None);
    opts.compare_models = true;
    let r = e.report(&opts).unwrap();
    let cmp = r.attribution.comparison.as_ref().unwrap();
    let ad = cmp.iter().find(|c| c.key == "meta_ad:120").unwrap();
    let got: Vec<(&str, f64)> = ad
        .models
        .iter()
        .map(|m| (m.model.as_str(), m.conversions))
        .collect();
    assert_eq!(got.len(), 7);
    assert_eq!(got[0], ("last_touch", 0.0));
    assert_eq!(got[1], ("first_touch", 1.0));
    assert_eq!(got[2], ("linear", 0.5));
    // Without --compare-models the JSON has no comparison key.
    let r = e.report(&july(None)).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["attribution"].get("comparison").is_none());
    assert!(json["sources"][0].get("funnel").is_none());
    assert_eq!(json["sources"][1]["key"], "meta_ad:120");
    assert!(json["sources"][1]["conversion_cost"].is_null());
    assert!(json["sources"][1]["roas"].is_null());
}

#[test]
fn phone_filter_keeps_only_that_numbers_conversations() {
    let mut e = engine(config(""), &two_source_user());
    let mut opts = july(None);
    // A number no input named is refused (not an empty report), naming the known one.
    opts.phone = Some("9999".into());
    let err = e.report(&opts).unwrap_err();
    assert_eq!(err.kind(), "option");
    assert!(
        err.to_string().contains(&format!("known numbers: {PHONE}")),
        "{err}"
    );
    opts.phone = Some(PHONE.into());
    let r = e.report(&opts).unwrap();
    assert_eq!(r.sources.len(), 2);
}

// ---- properties ----

/// A random traffic item for user `u` (index), at `day`/`hour` of July 2025.
#[derive(Clone, Debug)]
enum Item {
    Ad(u8),
    Text(u8),
    Template(u8, bool),
    Purchase(u32),
}

fn items() -> impl Strategy<Value = Vec<(u8, u8, u8, Item)>> {
    let item = prop_oneof![
        (0u8..4).prop_map(Item::Ad),
        (0u8..3).prop_map(Item::Text),
        (0u8..3, any::<bool>()).prop_map(|(t, c)| Item::Template(t, c)),
        (1u32..100_000).prop_map(Item::Purchase),
    ];
    prop::collection::vec((0u8..6, 0u8..28, 0u8..24, item), 1..40)
}

fn lines_of(items: &[(u8, u8, u8, Item)]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    for (n, (user, day, hour, it)) in items.iter().enumerate() {
        let u = format!("49151000001{user:02}");
        let ts = T0 + i64::from(*day) * D + i64::from(*hour) * H + n as i64;
        let id = format!("wamid.p{n}");
        match it {
            Item::Ad(a) => out.push((*user, ad_click(&u, &id, ts, &format!("5{a}"), "ad"))),
            Item::Text(t) => out.push((
                *user,
                text(
                    &u,
                    &id,
                    ts,
                    ["hi from table", "hello", "promo-1"][*t as usize],
                ),
            )),
            Item::Template(t, c) => {
                out.push((
                    *user,
                    template(&u, &id, ts, &format!("t{t}"), c.then_some("camp")),
                ));
                out.push((*user, delivered(&u, &id, ts + 2)));
            }
            Item::Purchase(cents) => {
                out.push((
                    *user,
                    purchase(
                        &format!("order-{n}"),
                        &u,
                        ts,
                        &format!("{}.{:02}", cents / 100, cents % 100),
                    ),
                ));
            }
        }
    }
    out
}

fn prop_config() -> Config {
    config(
        r#""conversion_event":"purchase",
           "sources":[{"key":"qr:table","match":"prefix","pattern":"hi from table"}]"#,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases::cases(48)))]

    /// Every model credits exactly the attributed events' count and value.
    #[test]
    fn credit_sums_to_conversions_and_value(items in items()) {
        let lines: Vec<String> = lines_of(&items).into_iter().map(|(_, l)| l).collect();
        let mut e = engine(prop_config(), &lines);
        for model in ModelName::ALL {
            let r = e.report(&july(Some(model))).unwrap();
            let a = &r.attribution;
            let count: f64 = r.sources.iter().map(|s| s.conversions).sum();
            let value: i64 = r.sources.iter().filter_map(|s| s.revenue).sum();
            prop_assert!((count - a.attributed_events as f64).abs() < 1e-6, "{model:?}: {count} vs {}", a.attributed_events);
            prop_assert_eq!(value, a.attributed_value, "{:?}", model);
            prop_assert_eq!(a.attributed_events + a.unattributed_events, a.events);
            prop_assert_eq!(a.attributed_value + a.unattributed_value, a.value);
            // Leads never exceed conversations; ratios are finite or null.
            for s in &r.sources {
                prop_assert!(s.leads <= s.conversations);
                prop_assert!(s.conversion_rate.is_none_or(f64::is_finite));
                prop_assert!(s.roas.is_none_or(f64::is_finite));
            }
        }
    }

    /// Splitting the users into two engines gives per-source figures that add up to the
    /// whole (the merge property at report level) for the models that credit each event
    /// from its own user's conversations alone; and merging the two engines
    /// (`Engine::merge`) gives exactly the whole's `sources` report under every model,
    /// the data-driven ones included.
    #[test]
    fn split_users_add_up_and_merge_to_the_whole(items in items(), mask in any::<u8>()) {
        let lines = lines_of(&items);
        let all: Vec<String> = lines.iter().map(|(_, l)| l.clone()).collect();
        let (left, right): (Vec<_>, Vec<_>) = lines.into_iter().partition(|(u, _)| mask & (1 << u) != 0);
        let mut whole = engine(prop_config(), &all);
        let mut a = engine(prop_config(), &left.into_iter().map(|(_, l)| l).collect::<Vec<_>>());
        let mut b = engine(prop_config(), &right.into_iter().map(|(_, l)| l).collect::<Vec<_>>());
        for model in [ModelName::LastTouch, ModelName::FirstTouch, ModelName::Linear, ModelName::TimeDecay, ModelName::PositionBased] {
            let (rw, ra, rb) = (whole.report(&july(Some(model))).unwrap(), a.report(&july(Some(model))).unwrap(), b.report(&july(Some(model))).unwrap());
            for s in &rw.sources {
                let pick = |rows: &[SourceRow]| rows.iter().find(|r| r.key == s.key).map(|r| (r.conversations, r.leads, r.conversions, r.revenue)).unwrap_or_default();
                let (x, y) = (pick(&ra.sources), pick(&rb.sources));
                prop_assert_eq!(s.conversations, x.0 + y.0);
                prop_assert_eq!(s.leads, x.1 + y.1);
                prop_assert!((s.conversions - (x.2 + y.2)).abs() < 1e-9);
                prop_assert_eq!(s.revenue.unwrap_or(0), x.3.unwrap_or(0) + y.3.unwrap_or(0));
            }
            let n = |r: &convolens::Report| r.sources.len();
            prop_assert!(n(&rw) >= n(&ra).max(n(&rb)));
            prop_assert_eq!(rw.attribution.unattributed_events, ra.attribution.unattributed_events + rb.attribution.unattributed_events);
        }
        a.merge(&b).unwrap();
        for model in ModelName::ALL {
            let mut opts = july(Some(model));
            opts.compare_models = true;
            let (rw, rm) = (whole.report(&opts), a.report(&opts));
            match (rw, rm) {
                (Ok(rw), Ok(rm)) => {
                    prop_assert_eq!(&rw.sources, &rm.sources, "{:?}", model);
                    prop_assert_eq!(&rw.attribution, &rm.attribution, "{:?}", model);
                }
                (rw, rm) => prop_assert_eq!(rw.err(), rm.err()),
            }
        }
    }
}

#[test]
fn bundled_example_shows_ad_qr_and_campaign_with_leads_spend_and_cost() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/");
    let cfg = Config::from_json(
        &std::fs::read_to_string(format!("{dir}sources-demo.config.json")).unwrap(),
    )
    .unwrap();
    let mut e = Engine::new(cfg).unwrap();
    let out = e
        .ingest_reader(std::fs::File::open(format!("{dir}sources-demo.jsonl")).unwrap())
        .unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.outcome.duplicates, 2); // a retried webhook and a re-sent purchase
    let r = e.report(&ReportOptions::default()).unwrap();
    // Ad 120202: 5 click-to-WhatsApp conversations; purchases by Lena 49.90, Jonas 89.00 and
    // Emma 120.00 (her campaign conversation on day 2 is older than her ad click on day 4),
    // so 3 leads; 87.50 spent (Ads Insights row for 6 days) → 29.17 per lead.
    let ad = row(&r.sources, "meta_ad:120202");
    assert_eq!(
        (ad.conversations, ad.leads, ad.invested, ad.revenue),
        (5, 3, 87_500_000, Some(258_900_000))
    );
    assert!(close(ad.conversion_cost.unwrap(), 87.5 / 3.0));
    // QR code: 4 conversations from the prefilled text, Noah 25.00 and Hannah 35.50 buy;
    // 40.00 of posters → 20.00 per lead.
    let qr = row(&r.sources, "qr:window");
    assert_eq!(
        (qr.conversations, qr.leads, qr.invested, qr.revenue),
        (4, 2, 40_000_000, Some(60_500_000))
    );
    assert_eq!(qr.conversion_cost, Some(20.0));
    // Campaign: 6 templates, one failed → 5 conversations, plus Elias's reply to the
    // template two days later (a new conversation of the campaign) = 6; Ben 60.00 and
    // Elias 30.00 buy; 4.20 of message costs → 2.10 per lead.
    let camp = row(&r.sources, "campaign:summer");
    assert_eq!(
        (camp.conversations, camp.leads, camp.invested, camp.revenue),
        (6, 2, 4_200_000, Some(90_000_000))
    );
    assert!(close(camp.conversion_cost.unwrap(), 2.1));
    assert_eq!(camp.name, "Summer campaign");
    // One purchase (15.00) has no conversation at all.
    assert_eq!(
        (
            r.attribution.unattributed_events,
            r.attribution.unattributed_value
        ),
        (1, 15_000_000)
    );
    let text = (r).to_text();
    assert!(
        text.contains("SOURCES") && text.contains("Window QR code") && text.contains("29.17"),
        "{text}"
    );
}

#[test]
fn conversations_and_credits_are_exposed_for_other_sections() {
    let cfg = config(r#""events":[{"name":"buy","kind":"button_reply","pattern":"buy"}]"#);
    let mut e = engine(cfg, &two_source_user());
    e.report(&july(None)).unwrap(); // prepares the store
    let ctx = convolens::internals::context(
        convolens::internals::store(&e),
        e.config(),
        e.time_zone(),
        &july(None),
    )
    .unwrap();
    let convs = convolens::internals::conversations(&ctx);
    assert_eq!(convs.len(), 2);
    let store = convolens::internals::store(&e);
    let opening =
        |c: &convolens::internals::Conversation| store.msgs[c.opening as usize].id.to_string();
    // The ad conversation: the click (opening it) and the agent's reply a minute later.
    assert_eq!(&*convs[0].source.key, "meta_ad:120");
    assert_eq!(
        (opening(&convs[0]).as_str(), convs[0].messages),
        ("wamid.a1", 2)
    );
    assert_eq!((convs[0].start, convs[0].last), (T0, T0 + 60));
    // The campaign conversation: opened by the template, with the button press and the
    // purchase (its last touch) as events; a lead.
    // The template and the button press.
    assert_eq!(
        (opening(&convs[1]).as_str(), convs[1].messages),
        ("wamid.a3", 2)
    );
    let events: Vec<&str> = convs[1].events.iter().map(|h| &*h.name).collect();
    assert_eq!(events, ["buy", "purchase"]);
    assert!(convs[1].lead && !convs[0].lead);
    // The credits of the purchase under the report's model (last touch).
    let (analysis, att) = convolens::internals::attributed(&ctx).unwrap();
    assert_eq!(att.events.len(), 1);
    let credits = &att.events[0].credits;
    assert_eq!(credits.len(), 1);
    assert_eq!(
        analysis.conversations[credits[0].conversation].opening,
        convs[1].opening
    );
    assert_eq!(
        (credits[0].count, credits[0].value),
        (convolens::internals::UNIT, 90_000_000)
    );
}

#[test]
fn main_example_data_has_leads_spend_and_cost_for_ad_qr_and_campaign() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/");
    let mut cfg =
        Config::from_json(&std::fs::read_to_string(format!("{dir}config.json")).unwrap()).unwrap();
    cfg.resolve_rate_card(Some(std::path::Path::new(dir)), |p| {
        std::fs::read_to_string(p)
    })
    .unwrap();
    let mut e = Engine::new(cfg).unwrap();
    let out = e
        .ingest_reader(std::fs::File::open(format!("{dir}example.jsonl")).unwrap())
        .unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let r = e.report(&ReportOptions::default()).unwrap();
    // Invested, independently of the engine: the sum of the JSONL's spend records for the
    // source (these three sources get only `{"type":"spend"}` records, no Ads Insights rows),
    // in micro-units.
    let jsonl = std::fs::read_to_string(format!("{dir}example.jsonl")).unwrap();
    let spent = |key: &str| -> i64 {
        jsonl
            .lines()
            .filter(|l| l.contains(r#""type":"spend""#))
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["source"] == key)
            .map(|v| (v["amount"].as_f64().unwrap() * 1e6).round() as i64)
            .sum()
    };
    for key in [
        "meta_ad:120210000000001",
        "qr:billboard-a",
        "campaign:summer_sale",
    ] {
        let s = row(&r.sources, key);
        assert!(s.leads > 0, "{s:?}");
        assert_eq!(s.invested, spent(key), "{key}");
        // The cost per lead is the independently summed spend over the row's leads.
        let cost = s.conversion_cost.unwrap();
        assert!(
            close(cost, spent(key) as f64 / 1e6 / s.leads as f64),
            "{s:?}"
        );
    }
    // Ad 1 spends 30.00–49.99 a day over the 61 days, so between 1,830 and 3,050.
    let ad1 = spent("meta_ad:120210000000001");
    assert!((1_830_000_000..=3_050_000_000).contains(&ad1), "{ad1}");
    // The QR billboard's single 450 EUR spend on the first day.
    assert_eq!(row(&r.sources, "qr:billboard-a").invested, 450_000_000);
}

/// A messaging event: the button reply whose payload is `INTERESTED`.
const INTERESTED: &str =
    r#""events":[{"name":"interested","kind":"button_reply","pattern":"INTERESTED"}]"#;

/// `user` presses the `INTERESTED` button (message `id`, at `ts`).
fn interested(user: &str, id: &str, ts: i64) -> String {
    button(user, id, ts, "wamid.none", "INTERESTED", "Tell me more")
}

#[test]
fn funnel_users_who_started_and_completed_follow_their_conversations() {
    // Funnel "sales" (interested → purchase) and a funnel with no steps, which nobody can
    // start or complete.
    let cfg = config(&format!(
        r#"{INTERESTED},
           "funnels":[{{"name":"sales","steps":["interested","purchase"]}},{{"name":"none","steps":[]}}]"#
    ));
    let (a, b, c) = ("4915100000021", "4915100000022", "4915100000023");
    let (d, e_) = ("4915100000024", "4915100000025");
    let lines = vec![
        // Ad 120: on 07-01 A is interested and buys (both steps) and C says hi (no step);
        // on 07-02 B is only interested (step 1). The row sums the two days.
        ad_click(a, "wamid.fa1", T0, "120", "X"),
        interested(a, "wamid.fa2", T0 + 60),
        purchase("order-fa", a, T0 + H, "5"),
        ad_click(b, "wamid.fb1", T0 + D, "120", "X"),
        interested(b, "wamid.fb2", T0 + D + 60),
        ad_click(c, "wamid.fc1", T0 + 3 * H, "120", "X"),
        // Direct on 07-01: D is interested (step 1), E says hello (no step).
        interested(d, "wamid.fd2", T0 + 4 * H),
        text(e_, "wamid.fe1", T0 + 5 * H, "hello"),
    ];
    let mut e = engine(cfg, &lines);
    let funnels = |e: &mut Engine, key: &str| {
        let r = e.report(&july(None)).unwrap();
        let x = row(&r.sources, key);
        let f: Vec<(u64, u64)> = x
            .funnel
            .iter()
            .map(|f| (f.users_started, f.users_completed))
            .collect();
        let reached: Vec<u64> = x.funnel[0].steps.iter().map(|s| s.reached).collect();
        (x.conversations, reached, f)
    };
    // Ad: 3 conversations, 2 interested (A on 07-01 + B on 07-02), 1 purchase (A);
    // started A and B, completed A. Direct: 2 conversations, 1 interested (D); started
    // D, completed nobody. The empty funnel: nobody.
    assert_eq!(
        funnels(&mut e, "meta_ad:120"),
        (3, vec![2, 1], vec![(2, 1), (0, 0)])
    );
    assert_eq!(
        funnels(&mut e, "direct"),
        (2, vec![1, 0], vec![(1, 0), (0, 0)])
    );
    // D's ad click arrives late, a minute before the button: D's conversation opens on
    // ad 120, and the direct row loses it and D with it (E stays, who started nothing).
    e.ingest_str(&ad_click(d, "wamid.fd1", T0 + 4 * H - 60, "120", "X"))
        .unwrap();
    assert_eq!(
        funnels(&mut e, "meta_ad:120"),
        (4, vec![3, 1], vec![(3, 1), (0, 0)])
    );
    assert_eq!(
        funnels(&mut e, "direct"),
        (1, vec![0, 0], vec![(0, 0), (0, 0)])
    );
}

#[test]
fn a_funnel_keeps_a_user_whose_other_conversation_that_day_still_reaches_it() {
    // Conversations end after 1 hour, so A has two direct conversations on 07-01: at
    // 10:00 and at 13:00, each with the INTERESTED button (step 1 of "sales"). After a
    // report, a later version of the 13:00 button (same id, a minute later: the latest
    // timestamp wins) says NO: that conversation no longer reaches step 1, the 10:00 one
    // still does. Direct: 2 conversations; step 1 reached by 1 of them (was 2); A still
    // started the funnel (1 user), as a fresh engine fed both versions says. Taking out
    // the changed conversation alone would take A out of the day's funnel users.
    let cfg = Config::from_json(&format!(
        r#"{{"currency":"EUR","inactivity_timeout_hours":1,{INTERESTED},
            "funnels":[{{"name":"sales","steps":["interested","purchase"]}}]}}"#
    ))
    .unwrap();
    let a = "4915100000026";
    let first = vec![
        interested(a, "wamid.fk1", T0),
        interested(a, "wamid.fk2", T0 + 3 * H),
    ];
    let later = button(
        a,
        "wamid.fk2",
        T0 + 3 * H + 60,
        "wamid.none",
        "NO",
        "No thanks",
    );
    let direct = |e: &mut Engine| {
        let r = e.report(&july(None)).unwrap();
        let x = row(&r.sources, "direct");
        let reached: Vec<u64> = x.funnel[0].steps.iter().map(|s| s.reached).collect();
        (x.conversations, reached, x.funnel[0].users_started)
    };
    let mut e = engine(cfg.clone(), &first);
    assert_eq!(direct(&mut e), (2, vec![2, 0], 1));
    e.ingest_str(&later).unwrap();
    assert_eq!(direct(&mut e), (2, vec![1, 0], 1));
    let mut all = first.clone();
    all.push(later);
    assert_eq!(direct(&mut engine(cfg, &all)), (2, vec![1, 0], 1));
}

#[test]
fn a_messaging_conversion_event_counts_its_occurrences_not_external_events() {
    // The conversion event is the button reply "interested". A (ad 120) presses it twice
    // in one conversation and buys (an external event, not the conversion event): 1
    // conversation, 1 lead, 2 conversions; a messaging event has no value, so revenue is
    // null. B (direct) only buys: 1 conversation, no lead, no conversion.
    let cfg = config(&format!(r#"{INTERESTED}, "conversion_event":"interested""#));
    let (a, b) = ("4915100000031", "4915100000032");
    let lines = vec![
        ad_click(a, "wamid.ma1", T0, "120", "X"),
        interested(a, "wamid.ma2", T0 + 60),
        interested(a, "wamid.ma3", T0 + 120),
        purchase("order-ma", a, T0 + H, "5"),
        text(b, "wamid.mb1", T0 + 2 * H, "hello"),
        purchase("order-mb", b, T0 + 3 * H, "7"),
    ];
    let mut e = engine(cfg, &lines);
    let r = e.report(&july(None)).unwrap();
    let got = |key: &str| {
        let x = row(&r.sources, key);
        (x.conversations, x.leads, x.conversions, x.revenue)
    };
    assert_eq!(got("meta_ad:120"), (1, 1, 2.0, None));
    assert_eq!(got("direct"), (1, 0, 0.0, None));
}

#[test]
fn a_number_filter_leaves_out_the_external_events_of_users_without_a_conversation_on_it() {
    // Rule (guide/sources.md): with a business-number filter only the external events of
    // users who had a conversation on that number are considered. A has an ad
    // conversation on 1001 and buys for 90 EUR on day 3; B writes only to number 2002 and
    // buys for 40 EUR; C never writes and buys for 15 EUR.
    let (a, b, c) = ("4915100000041", "4915100000042", "4915100000043");
    let on_2002 = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"2002"}},"contacts":[{{"wa_id":"{b}"}}],"messages":[{{"from":"{b}","id":"wamid.nb1","timestamp":"{T0}","type":"text","text":{{"body":"hi"}}}}]}}}}]}}]}}"#
    );
    let lines = vec![
        ad_click(a, "wamid.na1", T0, "120", "X"),
        purchase("order-na", a, T0 + 3 * D, "90"),
        on_2002,
        purchase("order-nb", b, T0 + D, "40"),
        purchase("order-nc", c, T0 + D, "15"),
    ];
    let mut e = engine(config(""), &lines);
    let counts = |e: &mut Engine, phone: Option<&str>| {
        let mut o = july(None);
        o.phone = phone.map(Into::into);
        let a = e.report(&o).unwrap().attribution;
        (
            a.events,
            a.unattributed_events,
            a.value,
            a.unattributed_value,
        )
    };
    // No filter: all three purchases, 90 + 40 + 15 = 145 EUR; only C's (15) has no
    // conversation in its lookback.
    assert_eq!(counts(&mut e, None), (3, 1, 145_000_000, 15_000_000));
    // On 1001: A's purchase alone (90 EUR, attributed to the ad); B (a conversation on
    // 2002 only) and C (none at all) are left out, not reported as unattributed.
    assert_eq!(counts(&mut e, Some(PHONE)), (1, 0, 90_000_000, 0));
    // On 2002: B's purchase alone, attributed to B's direct conversation of the day before.
    assert_eq!(counts(&mut e, Some("2002")), (1, 0, 40_000_000, 0));
}

#[test]
fn a_failed_business_message_or_a_system_notice_does_not_keep_a_conversation_open() {
    // Rule (guide/sources.md, "Messages that count"): a business message that failed
    // without a delivery and an inbound `system` notice do not count. X writes at T0, a
    // template to X fails at T0 + 20 h, X writes again at T0 + 40 h: the last counted
    // message before it is T0's, 40 h >= 24 h earlier, so a second conversation opens.
    // Y: the same with a system notice at T0 + 20 h. 2 + 2 = 4 direct conversations (had
    // either counted, it would have kept its conversation open: 20 h < 24 h, then 20 h <
    // 24 h, 1 + 1 = 2).
    let (x, y) = ("4915100000051", "4915100000052");
    let lines = vec![
        text(x, "wamid.x1", T0, "hi"),
        template(x, "wamid.x2", T0 + 20 * H, "promo", None),
        webhook(&format!(
            r#""statuses":[{{"id":"wamid.x2","status":"failed","timestamp":"{}","recipient_id":"{x}","errors":[{{"code":131049,"title":"ecosystem"}}]}}]"#,
            T0 + 20 * H + 1
        )),
        text(x, "wamid.x3", T0 + 40 * H, "hello again"),
        text(y, "wamid.y1", T0, "hi"),
        msg(
            y,
            "wamid.y2",
            T0 + 20 * H,
            r#""type":"system","system":{"body":"Y changed their number","type":"user_changed_number"}"#,
        ),
        text(y, "wamid.y3", T0 + 40 * H, "hello again"),
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&july(None)).unwrap();
    assert_eq!(r.sources.len(), 1);
    assert_eq!(row(&r.sources, "direct").conversations, 4);
}

#[test]
fn an_external_value_in_another_currency_is_left_out_and_said_so_unless_it_is_zero() {
    // Rule (guide/sources.md, "Money"): event values in another currency are not
    // converted; they count as zero, in `other_currency`, and a warning says how much. A
    // value of 0 in another currency leaves nothing out. The report is in EUR; A clicks
    // ad 120 and buys for 90 EUR, 20 USD and 0 USD, all within the hour.
    let a = "4915100000061";
    let usd = |id: &str, ts: i64, value: &str| {
        format!(
            r#"{{"type":"external_event","id":"{id}","contact":"{a}","name":"purchase","value":{value},"currency":"USD","timestamp":{ts}}}"#
        )
    };
    let lines = vec![
        ad_click(a, "wamid.oa1", T0, "120", "X"),
        purchase("order-o1", a, T0 + 60, "90"),
        usd("order-o2", T0 + 120, "20"),
        usd("order-o3", T0 + 180, "0"),
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&july(None)).unwrap();
    let at = &r.attribution;
    // 3 events, all attributed to the ad; the value is 90 EUR alone (the 20 USD count as
    // zero); one event (the 20 USD) had its value left out.
    assert_eq!(
        (at.events, at.attributed_events, at.value, at.other_currency),
        (3, 3, 90_000_000, 1)
    );
    assert_eq!(row(&r.sources, "meta_ad:120").revenue, Some(90_000_000));
    assert_eq!(
        r.warnings,
        [
            "20.00 USD of external event values left out (1 event): not in the report currency EUR (no conversion is done)"
        ]
    );
}
