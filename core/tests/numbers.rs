//! The numbers users read (issue #20): events, the conversion event per report, one
//! window, overall results, Meta campaigns, spend per number, currencies, `--last`,
//! reopen records, funnel users, the paid heatmap and the text dashboard — each on a
//! small case whose expected values are derived by hand in the comments.

use convolens::{Config, ConversionKind, Engine, Report, ReportOptions, SourceKind, SourceRow};
use serde_json::json;

mod support;

const P1: &str = "1001";
const P2: &str = "2002";
/// 2025-07-01T10:00:00Z, a Tuesday.
const T0: i64 = 1_751_364_000;
const H: i64 = 3_600;
const D: i64 = 86_400;
const A: &str = "4915100000001";
const B: &str = "4915100000002";
const C: &str = "4915100000003";

fn inbound(phone: &str, from: &str, id: &str, ts: i64, body: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": phone},
        "contacts": [{"wa_id": from, "profile": {"name": format!("User {from}")}}],
        "messages": [{"from": from, "id": id, "timestamp": ts.to_string(), "type": "text", "text": {"body": body}}]
    }}]}]})
    .to_string()
}

fn ad_click(phone: &str, from: &str, id: &str, ts: i64, ad: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": phone},
        "contacts": [{"wa_id": from}],
        "messages": [{"from": from, "id": id, "timestamp": ts.to_string(), "type": "text", "text": {"body": "Hi"},
                      "referral": {"source_type": "ad", "source_id": ad, "headline": format!("Ad {ad}")}}]
    }}]}]})
    .to_string()
}

fn pressed(phone: &str, from: &str, id: &str, ts: i64, payload: &str) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": phone},
        "contacts": [{"wa_id": from}],
        "messages": [{"from": from, "id": id, "timestamp": ts.to_string(), "type": "interactive",
                      "interactive": {"type": "button_reply", "button_reply": {"id": payload, "title": payload}}}]
    }}]}]})
    .to_string()
}

fn status(phone: &str, to: &str, id: &str, st: &str, ts: i64) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": phone},
        "statuses": [{"id": id, "status": st, "timestamp": ts.to_string(), "recipient_id": to}]
    }}]}]})
    .to_string()
}

fn purchase(id: &str, who: &str, ts: i64, value: f64, currency: &str) -> String {
    json!({"type": "external_event", "id": id, "contact": who, "name": "purchase",
           "value": value, "currency": currency, "timestamp": ts})
    .to_string()
}

fn spend(source: &str, date: &str, amount: f64, phone: Option<&str>) -> String {
    let mut v = json!({"type": "spend", "source": source, "date": date, "amount": amount, "currency": "EUR"});
    if let Some(p) = phone {
        v["phone_number_id"] = json!(p);
    }
    v.to_string()
}

fn config(extra: &str) -> Config {
    Config::from_json(&format!(
        r#"{{"currency": "EUR", "events": [
            {{"name": "interested", "kind": "button_reply", "pattern": "interested"}},
            {{"name": "good_rating", "kind": "list_reply", "match": "regex", "pattern": "^rating_[45]$"}},
            {{"name": "asked_shipping", "kind": "text_reply", "match": "contains", "pattern": "ship"}}
        ]{extra}}}"#
    ))
    .unwrap()
}

fn engine(cfg: Config, lines: &[String]) -> Engine {
    let mut e = Engine::new(cfg).unwrap();
    for l in lines {
        e.ingest_str(l).unwrap_or_else(|err| panic!("{err}: {l}"));
    }
    e
}

fn days(from: &str, to: &str) -> ReportOptions {
    let mut o = ReportOptions::default();
    o.from = Some(from.parse().unwrap());
    o.to = Some(to.parse().unwrap());
    o
}

fn july() -> ReportOptions {
    days("2025-07-01", "2025-08-01")
}

fn row<'r>(r: &'r Report, key: &str) -> &'r SourceRow {
    r.sources
        .iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no row {key}: {:?}", r.sources))
}

/// A clicks ad 120 and presses "interested" twice, then buys for 10.00 EUR an hour later;
/// B writes directly, presses "interested" once and buys for 5.00 EUR ten days later
/// (beyond the 7-day lookback: no conversation); C buys for 2.00 GBP and never wrote.
fn shop() -> Vec<String> {
    vec![
        ad_click(P1, A, "a1", T0, "120"),
        pressed(P1, A, "a2", T0 + 60, "interested"),
        pressed(P1, A, "a3", T0 + 120, "interested"),
        purchase("o1", A, T0 + H, 10.0, "EUR"),
        inbound(P1, B, "b1", T0 + 10, "hello"),
        pressed(P1, B, "b2", T0 + 70, "interested"),
        purchase("o2", B, T0 + 10 * D, 5.0, "EUR"),
        purchase("o3", C, T0 + 100, 2.0, "GBP"),
    ]
}

// ---- 1. events ----

#[test]
fn events_view_lists_every_configured_event_and_external_name() {
    let mut e = engine(config(""), &shop());
    let r = e.report(&july()).unwrap();
    let names: Vec<(&str, ConversionKind)> =
        r.events.iter().map(|x| (x.name.as_str(), x.kind)).collect();
    // Configured events in config order (listed even when they never happened), then the
    // external names seen.
    assert_eq!(
        names,
        vec![
            ("interested", ConversionKind::ButtonReply),
            ("good_rating", ConversionKind::ListReply),
            ("asked_shipping", ConversionKind::TextReply),
            ("purchase", ConversionKind::External),
        ]
    );
    // interested: A twice, B once → 3 occurrences, 2 users, 2 conversations; A's are in
    // the ad's conversation, B's in a direct one; no value.
    let i = &r.events[0];
    assert_eq!(
        (i.occurrences, i.users, i.conversations, i.value),
        (3, 2, 2, None)
    );
    assert_eq!(
        i.by_source,
        [("direct".to_string(), 1), ("meta_ad:120".to_string(), 2)].into()
    );
    let g = &r.events[1];
    assert_eq!((g.occurrences, g.users, g.conversations), (0, 0, 0));
    // purchase: o1 (A, in the ad conversation), o2 (B, no conversation in the lookback),
    // o3 (C, never wrote): 3 occurrences, 3 users, 1 conversation; value 10 + 5 EUR (o3's
    // GBP is left out and said so).
    let p = &r.events[3];
    assert_eq!((p.occurrences, p.users, p.conversations), (3, 3, 1));
    assert_eq!(p.value, Some(15_000_000));
    assert_eq!(p.by_source, [("meta_ad:120".to_string(), 1)].into());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("2.00 GBP of external event values left out (1 event)")),
        "{:?}",
        r.warnings
    );
    // JSON, CSV and text carry it.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["events"][0]["by_source"]["meta_ad:120"], json!(2));
    assert!(v["events"][0]["value"].is_null());
    let t = r.tables().into_iter().find(|t| t.name == "events").unwrap();
    assert_eq!(t.rows.len(), 4);
    assert!(r.to_text().contains("EVENTS"));
}

// ---- 2. conversion event per report ----

#[test]
fn the_conversion_event_is_chosen_per_report() {
    let mut e = engine(config(r#", "conversion_event": "purchase""#), &shop());
    // The config's choice: purchase. A's ad conversation is a lead worth 10.00; B's direct
    // conversation bought nothing within the lookback.
    let r = e.report(&july()).unwrap();
    let (ad, direct) = (row(&r, "meta_ad:120"), row(&r, "direct"));
    assert_eq!(
        (ad.leads, ad.conversions, ad.revenue),
        (1, 1.0, Some(10_000_000))
    );
    assert_eq!((direct.leads, direct.revenue), (0, Some(0)));
    // This report's choice: the "interested" button. Both conversations are leads; its
    // conversions are its occurrences (A 2, B 1); a reply has no value: revenue and ROAS
    // are null, never the purchases' value.
    let r = e.report(&july().conversion_event("interested")).unwrap();
    let (ad, direct) = (row(&r, "meta_ad:120"), row(&r, "direct"));
    assert_eq!(
        (ad.leads, ad.conversions, ad.revenue, ad.roas),
        (1, 2.0, None, None)
    );
    assert_eq!(
        (direct.leads, direct.conversions, direct.revenue),
        (1, 1.0, None)
    );
    assert_eq!(
        (r.overall.leads, r.overall.conversions, r.overall.revenue),
        (2, 3.0, None)
    );
    assert_eq!(
        r.attribution.conversion_event.as_ref().map(|c| c.kind),
        Some(ConversionKind::ButtonReply)
    );
    // JSON names: `conversion_event`, or `conversionEvent` for JavaScript.
    let o = ReportOptions::from_json(r#"{"conversionEvent": "interested"}"#).unwrap();
    assert_eq!(
        e.report(&o).unwrap(),
        e.report(&ReportOptions::default().conversion_event("interested"))
            .unwrap()
    );
    // A name that is neither configured nor seen is refused, listing the events.
    let err = e
        .report(&ReportOptions::default().conversion_event("purchse"))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.option()),
        ("option", Some("conversion_event"))
    );
    assert!(
        err.to_string()
            .contains("interested, good_rating, asked_shipping, purchase"),
        "{err}"
    );
}

// ---- 3. one window ----

#[test]
fn a_row_counts_what_its_conversations_led_to_within_the_lookback() {
    // A clicks ad 120 on 07-01 at 10:00 and buys for 10.00 on 07-02 at 09:00 (23 h later,
    // inside the lookback). 40.00 was spent on the ad on 07-01, 30.00 on 07-02.
    let lines = vec![
        ad_click(P1, A, "a1", T0, "120"),
        purchase("o1", A, T0 + 23 * H, 10.0, "EUR"),
        spend("meta_ad:120", "2025-07-01", 40.0, None),
        spend("meta_ad:120", "2025-07-02", 30.0, None),
    ];
    let mut e = engine(config(""), &lines);
    // 07-01: the conversation started then, so its lead, conversion and revenue belong
    // here, although the purchase happened the next day. Invested: the day's 40.00.
    let day1 = e.report(&days("2025-07-01", "2025-07-02")).unwrap();
    let ad = row(&day1, "meta_ad:120");
    assert_eq!((ad.conversations, ad.leads, ad.conversions), (1, 1, 1.0));
    assert_eq!((ad.revenue, ad.invested), (Some(10_000_000), 40_000_000));
    assert_eq!(ad.roas, Some(0.25)); // 10 / 40
    // The attribution summary counts events by their own time: none on 07-01.
    assert_eq!(day1.attribution.events, 0);
    // 07-02: no conversation started, so no lead, conversion or revenue — only the day's
    // spend — while the summary counts the purchase that happened that day.
    let day2 = e.report(&days("2025-07-02", "2025-07-03")).unwrap();
    let ad = row(&day2, "meta_ad:120");
    assert_eq!((ad.conversations, ad.leads, ad.conversions), (0, 0, 0.0));
    assert_eq!(
        (ad.revenue, ad.invested, ad.roas),
        (Some(0), 30_000_000, Some(0.0))
    );
    assert_eq!(day2.attribution.events, 1);
    // The data-driven models follow the same window.
    let mut o = days("2025-07-01", "2025-07-02");
    o.model = Some(convolens::ModelName::Markov);
    let markov = e.report(&o).unwrap();
    assert_eq!(row(&markov, "meta_ad:120").leads, 1);
    assert!((row(&markov, "meta_ad:120").conversions - 1.0).abs() < 1e-12);
}

// ---- 4 and 5. overall, Meta campaigns ----

/// Ads 120 and 121 of campaign 900 ("Spring"); campaign 901 ("Autumn") has only
/// campaign-level spend.
fn campaigns() -> Vec<String> {
    let insights = |ad: Option<&str>, campaign: &str, name: &str, date: &str, spend: &str| {
        let mut v = json!({"campaign_id": campaign, "campaign_name": name, "adset_id": "55",
                           "spend": spend, "date_start": date, "date_stop": date, "account_currency": "EUR"});
        if let Some(a) = ad {
            v["ad_id"] = json!(a);
            v["ad_name"] = json!(format!("Ad {a}"));
        }
        v.to_string()
    };
    vec![
        insights(Some("120"), "900", "Spring", "2025-07-01", "30"),
        insights(Some("121"), "900", "Spring", "2025-07-01", "20"),
        // Campaign-level rows of 900: on 07-01 its ads have rows, so this one does not
        // count; on 07-02 none do, so it does.
        insights(None, "900", "Spring", "2025-07-01", "60"),
        insights(None, "900", "Spring", "2025-07-02", "40"),
        insights(None, "901", "Autumn", "2025-07-01", "7"),
        ad_click(P1, A, "a1", T0, "120"),
        purchase("o1", A, T0 + H, 10.0, "EUR"),
        ad_click(P1, B, "b1", T0, "121"),
        inbound(P1, C, "c1", T0, "hello"),
    ]
}

#[test]
fn meta_campaigns_roll_up_their_ads_with_the_campaigns_spend() {
    let mut e = engine(config(""), &campaigns());
    let r = e.report(&july()).unwrap();
    // Ads keep their rows.
    let (a120, a121) = (row(&r, "meta_ad:120"), row(&r, "meta_ad:121"));
    assert_eq!(
        (a120.conversations, a120.leads, a120.invested),
        (1, 1, 30_000_000)
    );
    assert_eq!(
        (a121.conversations, a121.leads, a121.invested),
        (1, 0, 20_000_000)
    );
    // Campaign 900: its two ads' conversations (2), lead (1) and revenue (10.00); spend
    // 30 + 20 (ad rows of 07-01) + 40 (its campaign-level row of 07-02) = 90.00.
    let c = row(&r, "meta_campaign:900");
    assert_eq!(
        (c.kind, c.name.as_str()),
        (SourceKind::MetaCampaign, "Spring")
    );
    assert_eq!((c.conversations, c.leads, c.conversions), (2, 1, 1.0));
    assert_eq!((c.invested, c.revenue), (90_000_000, Some(10_000_000)));
    // Campaign 901: its campaign-level spend, no ads.
    let c = row(&r, "meta_campaign:901");
    assert_eq!(
        (c.conversations, c.invested, c.name.as_str()),
        (0, 7_000_000, "Autumn")
    );
    // A campaign-level row is never a WhatsApp campaign.
    assert!(
        r.sources.iter().all(|s| s.kind != SourceKind::Campaign),
        "{:?}",
        r.sources
    );
    // 4. Overall: A, B and C once each (not again through the campaign); one lead;
    // invested 30 + 20 + 40 + 7 = 97.00; revenue 10.00; ROAS 10 / 97.
    let o = &r.overall;
    assert_eq!((o.conversations, o.leads, o.conversions), (3, 1, 1.0));
    assert_eq!((o.invested, o.revenue), (97_000_000, Some(10_000_000)));
    assert_eq!(o.conversion_rate, Some(1.0 / 3.0));
    assert_eq!(o.conversion_cost, Some(97.0));
    assert!((o.roas.unwrap() - 10.0 / 97.0).abs() < 1e-12);
    // Overall is printed first.
    let t = r.to_text();
    assert!(t.find("OVERALL").unwrap() < t.find("INPUT").unwrap(), "{t}");
}

// ---- 6. spend per number ----

#[test]
fn spend_follows_the_number_filter_and_says_what_it_left_out() {
    let lines = vec![
        ad_click(P1, A, "a1", T0, "120"),
        ad_click(P2, B, "b1", T0, "120"),
        spend("meta_ad:120", "2025-07-01", 30.0, Some(P1)),
        spend("meta_ad:120", "2025-07-01", 20.0, Some(P2)),
        spend("qr:window", "2025-07-01", 15.0, None),
        // A number known only from spend is a known number.
        spend("qr:window", "2025-07-02", 1.0, Some("3003")),
    ];
    let mut e = engine(config(""), &lines);
    // All numbers: the same source and day on two numbers are two records: 30 + 20.
    let r = e.report(&july()).unwrap();
    assert_eq!(row(&r, "meta_ad:120").invested, 50_000_000);
    assert_eq!(row(&r, "qr:window").invested, 16_000_000);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Number 1001: its 30.00; the 15.00 naming no number is left out, with a warning;
    // 2002's and 3003's spend are theirs.
    let mut o = july();
    o.phone = Some(P1.into());
    let r = e.report(&o).unwrap();
    assert_eq!(row(&r, "meta_ad:120").invested, 30_000_000);
    assert!(r.sources.iter().all(|s| s.key != "qr:window"));
    assert_eq!(r.overall.invested, 30_000_000);
    assert_eq!(
        r.warnings,
        vec![
            "15.00 EUR of spend left out of this report on number 1001: the spend names no phone_number_id"
        ]
    );
    // An unknown number is an option error listing the known ones, spend's included.
    o.phone = Some("9999".into());
    let err = e.report(&o).unwrap_err();
    assert_eq!((err.kind(), err.option()), ("option", Some("phone")));
    assert!(
        err.to_string().ends_with("known numbers: 1001, 2002, 3003"),
        "{err}"
    );
}

// ---- 7. currency ----

#[test]
fn without_a_configured_currency_the_money_records_choose_it_and_nothing_is_silently_zero() {
    let cfg = || Config::from_json("{}").unwrap();
    // Only EUR money: the report is in EUR, no warning; revenue is the purchase's.
    let eur = vec![
        ad_click(P1, A, "a1", T0, "120"),
        purchase("o1", A, T0 + H, 49.9, "EUR"),
    ];
    let r = engine(cfg(), &eur).report(&july()).unwrap();
    assert_eq!(r.attribution.currency.as_str(), "EUR");
    assert_eq!(row(&r, "meta_ad:120").revenue, Some(49_900_000));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // Two EUR purchases and one GBP: EUR (2 records against 1) is the report currency;
    // the GBP value is left out and both facts are in the warnings.
    let mut mixed = eur.clone();
    mixed.push(purchase("o2", A, T0 + 2 * H, 10.0, "EUR"));
    mixed.push(purchase("o3", A, T0 + 3 * H, 7.5, "GBP"));
    let r = engine(cfg(), &mixed).report(&july()).unwrap();
    assert_eq!(r.attribution.currency.as_str(), "EUR");
    assert_eq!(row(&r, "meta_ad:120").revenue, Some(59_900_000)); // 49.90 + 10.00
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("no currency configured: the report is in EUR"));
    assert!(r.warnings[1].starts_with("7.50 GBP of external event values left out (1 event)"));
    // A rate card's currency wins: a USD card makes EUR purchases other money.
    let card = Config::from_json(
        r#"{"rate_card": [{"market": "Germany", "category": "marketing", "price": 0.1, "currency": "USD", "effective_from": "2025-01-01"}]}"#,
    )
    .unwrap();
    let r = engine(card, &eur).report(&july()).unwrap();
    assert_eq!(r.attribution.currency.as_str(), "USD");
    assert_eq!(row(&r, "meta_ad:120").revenue, Some(0));
    assert_eq!(
        r.warnings,
        vec![
            "49.90 EUR of external event values left out (1 event): not in the report currency USD (no conversion is done)"
        ]
    );
}

// ---- 12. reopen ----

#[test]
fn a_reopen_record_reopens_a_closed_support_conversation() {
    let close = |ts: i64, phone: Option<&str>, ty: &str| {
        let mut v = json!({"type": ty, "contact": A, "timestamp": ts, "by": "agent-1"});
        if let Some(p) = phone {
            v["phone_number_id"] = json!(p);
        }
        v.to_string()
    };
    let lines = vec![
        // A reopen of nothing (A never wrote): no effect.
        close(T0 - H, Some(P1), "reopen"),
        inbound(P1, A, "a1", T0, "help"),
        close(T0 + H, Some(P1), "close"),
        // Reopened by hand at +2 h; A's message at +3 h finds it open (no new opening).
        close(T0 + 2 * H, Some(P1), "reopen"),
        inbound(P1, A, "a2", T0 + 3 * H, "still there?"),
        close(T0 + 4 * H, Some(P1), "close"),
        // A reopen without a number reopens every closed one; a second changes nothing.
        close(T0 + 5 * H, None, "reopen"),
        close(T0 + 6 * H, None, "reopen"),
        close(T0 + 6 * H, None, "reopen"), // a duplicate record
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&july()).unwrap();
    let s = &r.engagement.support;
    // Opened: A's first message, the reopens at +2 h and +5 h → 3, of which 2 reopened,
    // both by an agent. Closed 2; open at the end 1.
    assert_eq!(
        (
            s.opened,
            s.reopened,
            s.reopened_manually,
            s.closed,
            s.open_at_end
        ),
        (3, 2, 2, 2, 1)
    );
    // A manual reopen has no user message to answer: first responses cover 3 − 2 = 1.
    assert_eq!(r.engagement.response_time.conversations, 1);
    assert_eq!(r.input.records["reopen"], 4); // the duplicate counts once
    // Reopens survive a snapshot and a merge.
    let restored = Engine::restore(&e.snapshot()).unwrap();
    let mut merged = engine(config(""), &[]);
    merged.merge(&restored).unwrap();
    assert_eq!(merged.report(&july()).unwrap().engagement.support, *s);
}

// ---- 13. funnel users ----

#[test]
fn funnels_report_the_users_who_started_and_completed_them() {
    let cfg = config(r#", "funnels": [{"name": "sales", "steps": ["interested", "purchase"]}]"#);
    let lines = vec![
        // A: two conversations from ad 120 (07-01 and 07-03): interested in both, buys in
        // the second.
        ad_click(P1, A, "a1", T0, "120"),
        pressed(P1, A, "a2", T0 + 60, "interested"),
        ad_click(P1, A, "a3", T0 + 2 * D, "120"),
        pressed(P1, A, "a4", T0 + 2 * D + 60, "interested"),
        purchase("o1", A, T0 + 2 * D + H, 10.0, "EUR"),
        // B: one conversation from ad 120, interested only.
        ad_click(P1, B, "b1", T0, "120"),
        pressed(P1, B, "b2", T0 + 60, "interested"),
    ];
    let mut e = engine(cfg, &lines);
    let r = e.report(&july()).unwrap();
    let f = &row(&r, "meta_ad:120").funnel[0];
    // Conversations: 3 reached "interested", 1 "purchase". Users: A and B started, A
    // completed.
    let reached: Vec<u64> = f.steps.iter().map(|s| s.reached).collect();
    assert_eq!(reached, vec![3, 1]);
    assert_eq!((f.users_started, f.users_completed), (2, 1));
    // Each user once, however many of their conversations reached a step; a range with
    // only A's second conversation has A alone.
    let r = e.report(&days("2025-07-03", "2025-07-04")).unwrap();
    let f = &row(&r, "meta_ad:120").funnel[0];
    assert_eq!((f.users_started, f.users_completed), (1, 1));
}

// ---- 15. paid heatmap ----

#[test]
fn billing_heatmap_counts_paid_units_by_local_weekday_and_hour() {
    let template = |id: &str, ts: i64, category: &str| {
        json!({"type": "outbound", "id": id, "phone_number_id": P1, "to": A, "timestamp": ts,
               "kind": "template", "template": "t", "category": category})
        .to_string()
    };
    // Wednesday 2025-07-02 10:00:05Z is 12:00 in Madrid (CEST): a marketing template
    // delivered then is a paid unit (per-message pricing since 07-01). A utility
    // template delivered right after A wrote is free (customer service window).
    let wed = T0 + D;
    let lines = vec![
        template("m1", wed, "marketing"),
        status(P1, A, "m1", "delivered", wed + 5),
        inbound(P1, A, "a1", wed + H, "thanks"),
        template("u1", wed + H + 60, "utility"),
        status(P1, A, "u1", "delivered", wed + H + 65),
    ];
    let cfg = Config::from_json(r#"{"time_zone": "Europe/Madrid", "currency": "EUR"}"#).unwrap();
    let mut e = engine(cfg, &lines);
    let r = e.report(&july()).unwrap();
    let h = &r.billing.heatmap;
    assert_eq!(h[2][12], 1); // Wednesday (row 2, Monday first), 12:00
    assert_eq!(h.iter().flatten().sum::<u64>(), 1);
    assert_eq!(r.billing.charged_messages.marketing, 1);
    assert_eq!(r.billing.free_messages.service_window, 1);
}

// ---- 18. --last ----

#[test]
fn last_ends_at_the_last_day_with_a_message() {
    // Messages up to 07-10; a status on 07-12 and spend dated 07-15 come later.
    let lines = vec![
        inbound(P1, A, "a1", T0, "hi"),
        json!({"type": "outbound", "id": "w1", "phone_number_id": P1, "to": A,
               "timestamp": T0 + 9 * D, "kind": "free_form"})
        .to_string(),
        status(P1, A, "w1", "read", T0 + 11 * D),
        spend("qr:window", "2025-07-15", 5.0, None),
    ];
    let mut e = engine(config(""), &lines);
    let r = e.report(&ReportOptions::default().last("7d")).unwrap();
    // The last message (w1) is on 07-10: the range is [07-04, 07-11).
    assert_eq!(
        (r.range.from.to_string(), r.range.to.to_string()),
        ("2025-07-04".into(), "2025-07-11".into())
    );
}

// ---- 17. text dashboard ----

#[test]
fn the_sources_table_fits_120_columns_unless_wide() {
    let long = "Nuestra campaña de verano — sandalias 🌞 y mucho más para toda la familia";
    let cfg = Config::from_json(&format!(
        r#"{{"currency": "EUR", "source_names": {{"meta_ad:120": "{long}"}}}}"#
    ))
    .unwrap();
    let lines = vec![
        ad_click(P1, A, "a1", T0, "120"),
        purchase("o1", A, T0 + H, 123_456.78, "EUR"),
        spend("meta_ad:120", "2025-07-01", 98_765.43, None),
    ];
    let mut e = engine(cfg, &lines);
    let r = e.report(&july()).unwrap();
    let sources = |t: &str| -> Vec<String> {
        t.lines()
            .skip_while(|l| !l.starts_with("SOURCES"))
            .skip(1)
            .take_while(|l| !l.starts_with("attributed"))
            .map(str::to_owned)
            .collect()
    };
    let narrow = sources(&r.to_text());
    let w = |l: &str| unicode_width::UnicodeWidthStr::width(l);
    assert!(narrow.iter().all(|l| w(l) <= 120), "{narrow:#?}");
    assert!(
        narrow.iter().any(|l| l.contains('…')),
        "the long name is cut: {narrow:#?}"
    );
    let wide = sources(&r.to_text_with(convolens::TextOptions::default().wide(true)));
    assert!(
        wide.iter()
            .any(|l| l.contains(long) && l.contains("meta_ad:120")),
        "{wide:#?}"
    );
    assert!(wide.iter().any(|l| w(l) > 120));
}

#[test]
fn a_year_prints_monthly_lines_and_every_figure_has_a_definition() {
    // A message on the first of every month of 2025: `--last 12m` ends 2025-12-02.
    let lines: Vec<String> = (1..=12)
        .map(|m| {
            let ts = chrono::NaiveDate::from_ymd_opt(2025, m, 1)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp();
            inbound(P1, A, &format!("m{m}"), ts, "hi")
        })
        .collect();
    let mut e = engine(config(""), &lines);
    let mut o = ReportOptions::default().last("12m");
    o.compare = true;
    let r = e.report(&o).unwrap();
    assert_eq!(r.range.days, 365);
    let t = r.to_text();
    // One line per month in the message table: 2024-12 (from 12-02) to 2025-12 (to 12-01).
    let volume: Vec<&str> = t
        .lines()
        .skip_while(|l| !l.starts_with("Messages per month"))
        .skip(3)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(volume.len(), 13, "{volume:#?}");
    assert!(t.lines().count() < 300, "{} lines", t.lines().count());
    // Every numeric figure of the JSON (here, with compare; and the example data's with
    // compare and every model) has a one-line definition.
    let mut missing = Vec::new();
    leaves("", &serde_json::to_value(&r).unwrap(), &mut missing);
    let mut e = Engine::new(support::example_config()).unwrap();
    let text: String = support::example_lines().join("\n");
    e.ingest_reader(text.as_bytes()).unwrap();
    let mut o = ReportOptions::default().compare(true);
    o.compare_models = true;
    let r = e.report(&o).unwrap();
    leaves("", &serde_json::to_value(&r).unwrap(), &mut missing);
    assert!(missing.is_empty(), "no definition for {missing:?}");
}

/// The numeric leaves of `v` (array positions left out of the path) without a definition.
fn leaves(path: &str, v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(&p, x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| leaves(path, x, out)),
        serde_json::Value::Number(_) if convolens::definition(path).is_none() => {
            out.push(path.to_string());
        }
        _ => {}
    }
}

// ---- snapshots: the facts schema 4 added, and schema 2 and 3 snapshots ----

#[test]
fn schema_4_snapshots_keep_spend_numbers_and_schema_2_and_3_ones_still_restore() {
    let lines = vec![
        ad_click(P1, A, "a1", T0, "120"),
        spend("meta_ad:120", "2025-07-01", 30.0, Some(P1)),
        spend("meta_ad:120", "2025-07-01", 20.0, Some(P2)),
    ];
    let mut e = engine(config(""), &lines);
    let mut o = july();
    o.phone = Some(P1.into());
    let want = e.report(&o).unwrap();
    // Schema 4 carries the spend's number beside the store: the same report after restore.
    let mut back = Engine::restore(&e.snapshot()).unwrap();
    assert_eq!(back.report(&o).unwrap(), want);
    assert_eq!(row(&want, "meta_ad:120").invested, 30_000_000);
    // A schema 2 payload is (config, store, carries, no sealed days): postcard writes the
    // empty carries and the absent sealed days as one 0 byte each.
    let config_json = serde_json::to_string(e.config()).unwrap();
    let mut payload =
        postcard::to_stdvec(&(config_json.as_str(), convolens::internals::store(&e))).unwrap();
    let sealed_as = |version: u32, payload: &[u8]| convolens::internals::seal_as(version, payload);
    payload.extend([0, 0]);
    // Schema 3 adds the Meta Business Agent facts after them: an empty list, one 0 byte.
    let mut v3 = payload.clone();
    v3.push(0);
    for (version, payload) in [(2, &payload), (3, &v3)] {
        let mut old = Engine::restore(&sealed_as(version, payload)).unwrap();
        // Schemas 2 and 3 knew no numbers on spend: both records are the ad's spend that
        // names no number, left out of a report on one number (and said so).
        let r = old.report(&o).unwrap();
        assert!(
            r.sources.iter().all(|s| s.invested == 0),
            "schema {version}"
        );
        assert!(
            r.warnings[0].starts_with("50.00 EUR of spend left out"),
            "schema {version}: {:?}",
            r.warnings
        );
    }
    // With sealed days (the Option's tag 1), schemas 2 and 3 are refused with the reason.
    let at = payload.len() - 1;
    payload[at] = 1;
    v3[at] = 1;
    for (version, payload) in [(2, &payload), (3, &v3)] {
        let err = Engine::restore(&sealed_as(version, payload)).err().unwrap();
        let want = format!("schema {version} snapshot with sealed days");
        assert!(err.to_string().contains(&want), "{err}");
    }
}
