//! The attribution module's rules (the contacts export) through the public API, with
//! expected values computed by hand in the comments.

use convolens::{Config, ContactFilter, Engine, ReportOptions};
use serde_json::{Value, json};

/// 2025-07-01T10:00:00Z.
const T0: i64 = 1_751_364_000;
const H: i64 = 3_600;

/// An inbound message of `from` to the business number `phone`, with `body` (the type
/// and its fields).
fn inbound(phone: &str, from: &str, id: &str, ts: i64, body: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"{phone}"}},"contacts":[{{"wa_id":"{from}","profile":{{"name":"User {from}"}}}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{ts}",{body}}}]}}}}]}}]}}"#
    )
}

/// A click on ad `ad` that writes to `phone`: a conversation of source `meta_ad:{ad}`.
fn ad_click(phone: &str, from: &str, id: &str, ts: i64, ad: &str) -> String {
    inbound(
        phone,
        from,
        id,
        ts,
        &format!(
            r#""type":"text","text":{{"body":"Hi"}},"referral":{{"source_type":"ad","source_id":"{ad}","source_url":"https://fb.me/x"}}"#
        ),
    )
}

/// A question about the price: the messaging event `interested` of `config()`.
fn asks_price(phone: &str, from: &str, id: &str, ts: i64) -> String {
    inbound(
        phone,
        from,
        id,
        ts,
        r#""type":"text","text":{"body":"what's the price?"}"#,
    )
}

fn config() -> Config {
    Config::from_json(
        r#"{"currency":"EUR","inactivity_timeout_hours":24,
            "events":[{"name":"interested","kind":"text_reply","match":"contains","pattern":"price"}]}"#,
    )
    .unwrap()
}

fn july() -> ReportOptions {
    let mut o = ReportOptions::default();
    o.from = chrono::NaiveDate::from_ymd_opt(2025, 7, 1);
    o.to = chrono::NaiveDate::from_ymd_opt(2025, 8, 1);
    o
}

#[test]
fn a_contacts_source_is_where_the_event_first_happened_across_two_numbers() {
    // Conversations are per business number, so one user can have two open at once, and
    // the conversation that started later can be where the event happened first.
    // - U1 clicks ad 120 to number 1001 at 10:00 (conversation 1) and ad 121 to number
    //   1002 at 10:01 (conversation 2); asks the price on 1002 at 10:02 and on 1001 at
    //   10:03. The event first happened at 10:02, in conversation 2: meta_ad:121 (not the
    //   first conversation's source, nor the one where it happened last).
    // - U2 clicks ad 130 to 1001 at 12:00 and ad 131 to 1002 at 12:01, and asks the price
    //   on both at 13:00, the same second: the event first happened in both; the
    //   conversation that started first gives the source, meta_ad:130.
    // Rows by first seen: U1 (10:00), U2 (12:00).
    let (u1, u2) = ("4915100000031", "4915100000032");
    let lines = [
        ad_click("1001", u1, "wamid.u1a", T0, "120"),
        ad_click("1002", u1, "wamid.u1b", T0 + 60, "121"),
        asks_price("1002", u1, "wamid.u1c", T0 + 120),
        asks_price("1001", u1, "wamid.u1d", T0 + 180),
        ad_click("1001", u2, "wamid.u2a", T0 + 2 * H, "130"),
        ad_click("1002", u2, "wamid.u2b", T0 + 2 * H + 60, "131"),
        asks_price("1001", u2, "wamid.u2c", T0 + 3 * H),
        asks_price("1002", u2, "wamid.u2d", T0 + 3 * H),
    ];
    let mut e = Engine::new(config()).unwrap();
    for l in &lines {
        e.ingest_str(l).unwrap_or_else(|err| panic!("{err}\n{l}"));
    }
    let t = e
        .contact_rows(&july(), &ContactFilter::event("interested"))
        .unwrap();
    let got: Vec<(&Value, &Value, &Value)> =
        t.values.iter().map(|r| (&r[0], &r[3], &r[4])).collect();
    assert_eq!(
        got,
        [
            (
                &json!(u1),
                &json!("2025-07-01T10:00:00+00:00"),
                &json!("meta_ad:121")
            ),
            (
                &json!(u2),
                &json!("2025-07-01T12:00:00+00:00"),
                &json!("meta_ad:130")
            ),
        ]
    );
}

/// The Conversions API events (`attribution::capi`): which candidates qualify, the two
/// 7-day checks at their edges, the value in major units, batches and the `since`
/// cursor, and the options. Hand-built chats; expected values derived in the comments.
mod capi {
    use super::super::support::external;
    use convolens::{CapiEvents, CapiOptions, Config, Engine};

    /// 2025-07-02T09:53:20Z.
    const T0: i64 = 1_751_450_000;
    const H: i64 = 3_600;
    const DAY: i64 = 86_400;

    /// An inbound message of `from` to business number 1001 of account WABA-1; `msg` is
    /// the message object's tail after `"type":`.
    fn webhook(from: &str, id: &str, ts: i64, msg: &str) -> String {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"WABA-1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001111","phone_number_id":"1001"}},"contacts":[{{"wa_id":"{from}","profile":{{"name":"User {from}"}}}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{ts}","type":{msg}}}]}}}}]}}]}}"#
        )
    }

    fn text(body: &str) -> String {
        format!(r#""text","text":{{"body":"{body}"}}"#)
    }

    /// A message from a Click-to-WhatsApp ad, with the click id `clid`.
    fn ad_text(clid: &str) -> String {
        format!(
            r#""text","text":{{"body":"Hi"}},"referral":{{"source_type":"ad","source_id":"AD1","headline":"Sandals","ctwa_clid":"{clid}"}}"#
        )
    }

    /// `interested`: a text that mentions the price (a messaging event, LeadSubmitted);
    /// `purchase` is a Purchase and `cart` an AddToCart; `refund` is mapped to nothing.
    /// A 14-day lookback, so that every event below is placed in the click's conversation.
    fn config() -> Config {
        Config::from_json(
            r#"{"events":[{"name":"interested","kind":"text_reply","match":"contains","pattern":"price"}],
                "attribution":{"lookback_days":14},
                "capi":{"events":{"purchase":"Purchase","interested":"LeadSubmitted","cart":"AddToCart"}}}"#,
        )
        .unwrap()
    }

    const U1: &str = "4915100000041";
    const U2: &str = "4915100000042";

    /// U1 clicks an ad (CLID-1) at T0 and so opens the only conversation of U1; U2 writes
    /// in directly at T0 (no click).
    fn chats() -> Vec<String> {
        vec![
            webhook(U1, "wamid.c1", T0, &ad_text("CLID-1")),
            // Two questions about the price: one lead, from the first (one per
            // conversation and event name).
            webhook(U1, "wamid.q1", T0 + H, &text("what's the price?")),
            webhook(U1, "wamid.q2", T0 + 2 * H, &text("the price again?")),
            // An add to cart needs no value; one a second before the lead.
            external("cart-0", U1, "cart", T0 + H - 1, None),
            external("cart-1", U1, "cart", T0 + 2 * DAY, None),
            // A purchase exactly 7 days after the click is inside Meta's click window
            // ("more than 7 days" is too late); one a second later is not.
            external("p-in", U1, "purchase", T0 + 7 * DAY, Some("12.50")),
            external("p-late", U1, "purchase", T0 + 7 * DAY + 1, Some("3")),
            // A purchase without a value; an event no mapping names.
            external("p-none", U1, "purchase", T0 + DAY, None),
            external("refund", U1, "refund", T0 + DAY, Some("5")),
            // U2's purchase: a conversation without a click id.
            webhook(U2, "wamid.d1", T0, &text("Hello")),
            external("p-u2", U2, "purchase", T0 + DAY, Some("10")),
        ]
    }

    fn engine() -> Engine {
        let mut e = Engine::new(config()).unwrap();
        for d in chats() {
            e.ingest_str(&d).unwrap_or_else(|err| panic!("{err}\n{d}"));
        }
        e
    }

    /// (event_id, event_time) of every event, batch by batch.
    fn ids(out: &CapiEvents) -> Vec<Vec<(&str, i64)>> {
        out.batches
            .iter()
            .map(|b| {
                b.data
                    .iter()
                    .map(|e| (e.event_id.as_str(), e.event_time))
                    .collect()
            })
            .collect()
    }

    fn ineligible(out: &CapiEvents) -> Vec<(&str, u64)> {
        out.ineligible
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect()
    }

    #[test]
    fn capi_events_qualify_at_the_edges_of_the_click_window_and_carry_the_value() {
        let mut e = engine();
        let out = e.capi_events(&CapiOptions::default()).unwrap();
        // Sent, by (event_time, event_id): cart-0 (T0 + 1 h - 1 s), U1's first question
        // (T0 + 1 h; the second is no new lead), cart-1 (T0 + 2 d), p-in (T0 + 7 d: 604,800 s
        // after the click is not more than 7 days). One batch (default size 1,000).
        assert_eq!(
            ids(&out),
            [vec![
                ("x:cart-0", T0 + H - 1),
                ("m:wamid.q1:interested", T0 + H),
                ("x:cart-1", T0 + 2 * DAY),
                ("x:p-in", T0 + 7 * DAY),
            ]]
        );
        // Left out, one each: p-u2 (no click id), p-none (a Purchase without a value),
        // refund (not mapped), p-late (604,801 s after the click).
        assert_eq!(
            ineligible(&out),
            [
                ("no_click_id", 1),
                ("no_value", 1),
                ("not_mapped", 1),
                ("too_late", 1)
            ]
        );
        let data = &out.batches[0].data;
        let v = serde_json::to_value(data).unwrap();
        // Every event names U1's click and the webhook's account; the lead is a
        // LeadSubmitted, the carts AddToCart without custom_data, and p-in's 12.50 EUR is
        // 12,500,000 micros / 1,000,000 = 12.5 in major units.
        for ev in v.as_array().unwrap() {
            assert_eq!(
                ev["user_data"],
                serde_json::json!({"whatsapp_business_account_id": "WABA-1", "ctwa_clid": "CLID-1"})
            );
            assert_eq!(ev["action_source"], "business_messaging");
            assert_eq!(ev["messaging_channel"], "whatsapp");
        }
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|ev| ev["event_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["AddToCart", "LeadSubmitted", "AddToCart", "Purchase"]
        );
        assert!(data[..3].iter().all(|ev| ev.custom_data.is_none()));
        assert_eq!(
            v[3]["custom_data"],
            serde_json::json!({"value": 12.5, "currency": "EUR"})
        );
    }

    #[test]
    fn capi_now_leaves_out_events_more_than_7_days_before_it() {
        let mut e = engine();
        // Sending at T0 + 7 d + 1 h: the lead (T0 + 1 h) is exactly 7 days old and still
        // sent; cart-0 (T0 + 1 h - 1 s) is 7 days and a second old: too_old. cart-1 and p-in
        // are younger. The other reasons are checked first and stay as before.
        let out = e
            .capi_events(&CapiOptions::default().now(T0 + 7 * DAY + H))
            .unwrap();
        assert_eq!(
            ids(&out),
            [vec![
                ("m:wamid.q1:interested", T0 + H),
                ("x:cart-1", T0 + 2 * DAY),
                ("x:p-in", T0 + 7 * DAY),
            ]]
        );
        assert_eq!(
            ineligible(&out),
            [
                ("no_click_id", 1),
                ("no_value", 1),
                ("not_mapped", 1),
                ("too_late", 1),
                ("too_old", 1)
            ]
        );
    }

    #[test]
    fn capi_batches_have_the_asked_size_and_the_cursor_returns_only_what_is_new() {
        let mut e = engine();
        let sizes =
            |out: &CapiEvents| -> Vec<usize> { out.batches.iter().map(|b| b.data.len()).collect() };
        // The 4 events of the first test, in batches of at most 3, 1 and 1,000.
        let out = e
            .capi_events(&CapiOptions::default().batch_size(3))
            .unwrap();
        assert_eq!(sizes(&out), [3, 1]);
        let out = e
            .capi_events(&CapiOptions::default().batch_size(1))
            .unwrap();
        assert_eq!(sizes(&out), [1, 1, 1, 1]);
        let first = e
            .capi_events(&CapiOptions::default().batch_size(1000))
            .unwrap();
        assert_eq!(sizes(&first), [4]);
        // 0 and 1,001 are outside Meta's 1 to 1,000.
        for n in [0, 1001] {
            let err = e
                .capi_events(&CapiOptions::default().batch_size(n))
                .unwrap_err();
            assert_eq!(err.option(), Some("batch_size"), "{n}");
        }
        // Since the cursor of the first call: nothing new, nothing counted.
        let again = e
            .capi_events(&CapiOptions::default().since(first.cursor.clone()))
            .unwrap();
        assert!(again.batches.is_empty() && again.ineligible.is_empty());
        // A purchase of U1 arrives (T0 + 3 d, in the click window): only it is new.
        e.ingest_str(&external("p-new", U1, "purchase", T0 + 3 * DAY, Some("1")))
            .unwrap();
        let new = e
            .capi_events(&CapiOptions::default().since(first.cursor.clone()))
            .unwrap();
        assert_eq!(ids(&new), [vec![("x:p-new", T0 + 3 * DAY)]]);
        assert!(new.ineligible.is_empty());
        // A cursor capi_events did not hand out is an error naming `since`.
        for bad in ["yesterday", "capi1:x", "capi2:3"] {
            let err = e
                .capi_events(&CapiOptions::default().since(bad))
                .unwrap_err();
            assert_eq!(err.option(), Some("since"), "{bad}");
        }
    }

    #[test]
    fn capi_options_from_json_and_the_setters() {
        let o = CapiOptions::from_json(
            r#"{"since": "capi1:42", "now": 1751450000, "batch_size": 500}"#,
        )
        .unwrap();
        assert_eq!(o.since.as_deref(), Some("capi1:42"));
        assert_eq!(o.now, Some(1_751_450_000));
        assert_eq!(o.batch_size, Some(500));
        let set = CapiOptions::default()
            .since("capi1:42")
            .now(1_751_450_000)
            .batch_size(500);
        assert_eq!(set, o);
        // A bad value names its option; a document that is not an object names none.
        let err = CapiOptions::from_json(r#"{"batch_size": "many"}"#).unwrap_err();
        assert_eq!(err.option(), Some("batch_size"));
        let err = CapiOptions::from_json("42").unwrap_err();
        assert_eq!(err.option(), Some(""));
        // Text after the object is an error too (as for report options and configs), not
        // left unread.
        let err = CapiOptions::from_json(r#"{"batch_size": 5} {"batch_size": 6}"#).unwrap_err();
        assert_eq!(err.option(), Some(""));
        assert!(err.to_string().contains("trailing characters"), "{err}");
        // The range and the cursor are checked too.
        let err = CapiOptions::from_json(r#"{"batch_size": 1001}"#).unwrap_err();
        assert_eq!(err.option(), Some("batch_size"));
        let err = CapiOptions::from_json(r#"{"since": "capi1:"}"#).unwrap_err();
        assert_eq!(err.option(), Some("since"));
    }
}

/// The report's `sources`, `overall` and `attribution` sections (`attribution::section`):
/// which rows are shown, Meta campaigns rolled up, the overall sums, the model comparison
/// and the spend warnings. Hand-built data; expected values derived in the comments.
mod section {
    use convolens::{Config, Engine, ModelName, Report, ReportOptions, SourceRow};
    use serde_json::json;

    /// 2025-07-01T10:00:00Z.
    const T0: i64 = 1_751_364_000;
    const H: i64 = 3_600;
    const D: i64 = 86_400;
    const A: &str = "4915100000051";
    const B: &str = "4915100000052";
    const C: &str = "4915100000053";
    const E: &str = "4915100000054";

    /// A text from `from` to business number 1001; `ad`: it came from that ad.
    fn inbound(from: &str, id: &str, ts: i64, ad: Option<&str>) -> String {
        let mut m = json!({"from": from, "id": id, "timestamp": ts.to_string(), "type": "text",
                           "text": {"body": "Hi"}});
        if let Some(ad) = ad {
            m["referral"] =
                json!({"source_type": "ad", "source_id": ad, "headline": format!("Ad {ad}")});
        }
        json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "1001"},
            "contacts": [{"wa_id": from}],
            "messages": [m]
        }}]}]})
        .to_string()
    }

    fn purchase(id: &str, who: &str, ts: i64, value: f64) -> String {
        json!({"type": "external_event", "id": id, "contact": who, "name": "purchase",
               "value": value, "currency": "EUR", "timestamp": ts})
        .to_string()
    }

    /// An Ads Insights row of campaign 900 ("Spring") for one day: of `ad`, or
    /// campaign-level without one.
    fn insights(ad: Option<&str>, date: &str, spend: &str) -> String {
        let mut v = json!({"campaign_id": "900", "campaign_name": "Spring", "adset_id": "55",
                           "spend": spend, "date_start": date, "date_stop": date,
                           "account_currency": "EUR"});
        if let Some(a) = ad {
            v["ad_id"] = json!(a);
            v["ad_name"] = json!(format!("Ad {a}"));
        }
        v.to_string()
    }

    /// A spend record of `campaign:spring` over `from..=to`.
    fn spend(from: &str, to: &str, amount: f64, currency: &str, phone: Option<&str>) -> String {
        let mut v = json!({"type": "spend", "source": "campaign:spring", "date": from,
                           "date_stop": to, "amount": amount, "currency": currency});
        if let Some(p) = phone {
            v["phone_number_id"] = json!(p);
        }
        v.to_string()
    }

    fn engine(lines: &[String]) -> Engine {
        let cfg = Config::from_json(
            r#"{"currency":"EUR","inactivity_timeout_hours":24,"conversion_event":"purchase",
                "attribution":{"model":"last_touch"}}"#,
        )
        .unwrap();
        let mut e = Engine::new(cfg).unwrap();
        for l in lines {
            e.ingest_str(l).unwrap_or_else(|err| panic!("{err}\n{l}"));
        }
        e
    }

    fn days(from: &str, to: &str, phone: Option<&str>) -> ReportOptions {
        let mut o = ReportOptions::default();
        o.from = Some(from.parse().unwrap());
        o.to = Some(to.parse().unwrap());
        o.phone = phone.map(String::from);
        o
    }

    fn row<'r>(r: &'r Report, key: &str) -> &'r SourceRow {
        r.sources
            .iter()
            .find(|s| s.key == key)
            .unwrap_or_else(|| panic!("no row {key}: {:?}", r.sources))
    }

    /// Each model's (model, conversions, revenue) for one source of the comparison.
    type Credits = Vec<(ModelName, f64, i64)>;

    /// (conversations, leads, conversions, revenue, invested) of a row.
    fn figures(r: &SourceRow) -> (u64, u64, f64, Option<i64>, i64) {
        (
            r.conversations,
            r.leads,
            r.conversions,
            r.revenue,
            r.invested,
        )
    }

    #[test]
    fn rows_roll_up_meta_campaigns_and_overall_counts_each_conversation_once() {
        let lines = vec![
            // A clicks ad 120 and buys for 10 EUR; B clicks ad 121 and buys for 4 EUR; C
            // writes in directly and buys nothing. All on 2025-07-01.
            inbound(A, "a1", T0, Some("120")),
            purchase("o1", A, T0 + H, 10.0),
            inbound(B, "b1", T0, Some("121")),
            purchase("o2", B, T0 + 2 * H, 4.0),
            inbound(C, "c1", T0, None),
            // E clicked ad 130 in June: a source with nothing in July.
            inbound(E, "e1", T0 - 20 * D, Some("130")),
            // Campaign 900: its ads' rows of 07-01 (30 + 20), its campaign-level row of
            // 07-01 (not counted: that day has ad rows) and of 07-02 (counted: none).
            insights(Some("120"), "2025-07-01", "30"),
            insights(Some("121"), "2025-07-01", "20"),
            insights(None, "2025-07-01", "60"),
            insights(None, "2025-07-02", "40"),
        ];
        let mut e = engine(&lines);
        let mut o = days("2025-07-01", "2025-08-01", None);
        o.compare_models = true;
        let r = e.report(&o).unwrap();
        // Rows: most conversations first, ties by key. meta_ad:130 has no conversation,
        // spend or credit in July: no row. The direct row has a conversation and nothing
        // else, and is shown.
        let keys: Vec<&str> = r.sources.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            ["meta_campaign:900", "direct", "meta_ad:120", "meta_ad:121"]
        );
        // Each ad: its conversation, which led to its purchase (the lead, 1 conversion,
        // its value), and its ad row's spend.
        assert_eq!(
            figures(row(&r, "meta_ad:120")),
            (1, 1, 1.0, Some(10_000_000), 30_000_000)
        );
        assert_eq!(
            figures(row(&r, "meta_ad:121")),
            (1, 1, 1.0, Some(4_000_000), 20_000_000)
        );
        assert_eq!(figures(row(&r, "direct")), (1, 0, 0.0, Some(0), 0));
        // Campaign 900 sums its ads: 2 conversations, 2 leads, 2 conversions, 10 + 4 = 14
        // EUR; spend 30 + 20 (ad rows, 07-01) + 40 (campaign-level, 07-02) = 90 EUR.
        assert_eq!(
            figures(row(&r, "meta_campaign:900")),
            (2, 2, 2.0, Some(14_000_000), 90_000_000)
        );
        // Overall: A, B and C once each (the campaign row left out), 2 leads, 2
        // conversions, 14 EUR; invested 30 + 20 (ad rows) + 40 (campaign-level, in no ad
        // row) = 90 EUR. Rate 2 / 3, cost 90 / 2 = 45, ROAS 14 / 90.
        let ov = &r.overall;
        assert_eq!(
            (
                ov.conversations,
                ov.leads,
                ov.conversions,
                ov.revenue,
                ov.invested
            ),
            (3, 2, 2.0, Some(14_000_000), 90_000_000)
        );
        assert_eq!(ov.conversion_rate, Some(2.0 / 3.0));
        assert_eq!(ov.conversion_cost, Some(45.0));
        assert!((ov.roas.unwrap() - 14.0 / 90.0).abs() < 1e-12);
        // The comparison: each purchase has one candidate conversation, so every model
        // credits it whole to that conversation's source: per ad 1 conversion and its
        // value, the campaign the sum of its ads (2, 14 EUR), direct nothing.
        let cmp = r.attribution.comparison.as_ref().unwrap();
        let got: Vec<(&str, Credits)> = cmp
            .iter()
            .map(|c| {
                let m = c
                    .models
                    .iter()
                    .map(|m| (m.model, m.conversions, m.revenue))
                    .collect();
                (c.key.as_str(), m)
            })
            .collect();
        let every =
            |n: f64, v: i64| -> Credits { ModelName::ALL.iter().map(|&m| (m, n, v)).collect() };
        assert_eq!(
            got,
            [
                ("meta_campaign:900", every(2.0, 14_000_000)),
                ("direct", every(0.0, 0)),
                ("meta_ad:120", every(1.0, 10_000_000)),
                ("meta_ad:121", every(1.0, 4_000_000)),
            ]
        );
        assert!(r.attribution.comparison_errors.is_empty());
    }

    #[test]
    fn spend_warnings_say_what_spend_of_the_range_was_left_out() {
        let lines = vec![
            inbound(A, "a1", T0, Some("120")),
            // Another currency: USD 2.00 over 06-30..07-01 (1.00 a day; the record's first
            // day is in June), GBP 3.00 on 06-15 (all in June), CHF 1.50 on 07-03.
            spend("2025-06-30", "2025-07-01", 2.0, "USD", Some("1001")),
            spend("2025-06-15", "2025-06-15", 3.0, "GBP", Some("1001")),
            spend("2025-07-03", "2025-07-03", 1.5, "CHF", Some("1001")),
            // EUR naming no number: 2.00 over 06-30..07-01, 5.00 on 06-15; and 3.00 on
            // 07-02 naming number 1001.
            spend("2025-06-30", "2025-07-01", 2.0, "EUR", None),
            spend("2025-06-15", "2025-06-15", 5.0, "EUR", None),
            spend("2025-07-02", "2025-07-02", 3.0, "EUR", Some("1001")),
        ];
        let mut e = engine(&lines);
        let usd = "1.00 USD of spend left out: it is not in the report currency EUR (no conversion is done)";
        let chf = "1.50 CHF of spend left out: it is not in the report currency EUR (no conversion is done)";
        let sorted = |r: &Report| {
            let mut w = r.warnings.clone();
            w.sort();
            w
        };
        // July, every number: USD's 07-01 half (no record starts in July) and CHF (one
        // record) are left out and said so; GBP has nothing in July. One other-currency
        // record (CHF). The EUR naming no number counts: 1.00 (07-01) + 3.00 = 4.00.
        let r = e.report(&days("2025-07-01", "2025-08-01", None)).unwrap();
        assert_eq!(sorted(&r), [usd, chf]); // in text order
        assert_eq!(r.attribution.other_currency, 1);
        assert_eq!(row(&r, "campaign:spring").invested, 4_000_000);
        // July on number 1001: the same two, and the EUR naming no number in July (its
        // 07-01 half, 1.00; the 06-15 record is out of range) is left out, said so; 3.00.
        let r = e
            .report(&days("2025-07-01", "2025-08-01", Some("1001")))
            .unwrap();
        let unnumbered = "1.00 EUR of spend left out of this report on number 1001: the spend names no phone_number_id";
        assert_eq!(sorted(&r), [unnumbered, usd, chf]); // in text order
        assert_eq!(r.attribution.other_currency, 1);
        assert_eq!(row(&r, "campaign:spring").invested, 3_000_000);
        // 07-02..07-03 on number 1001: only CHF; no USD and no unnumbered spend those days.
        let r = e
            .report(&days("2025-07-02", "2025-07-04", Some("1001")))
            .unwrap();
        assert_eq!(sorted(&r), [chf]);
        assert_eq!(r.attribution.other_currency, 1);
    }
}
