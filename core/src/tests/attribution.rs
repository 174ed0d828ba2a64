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

    fn external(id: &str, contact: &str, name: &str, ts: i64, value: Option<&str>) -> String {
        let value = value
            .map(|v| format!(r#","value":{v},"currency":"EUR""#))
            .unwrap_or_default();
        format!(
            r#"{{"type":"external_event","id":"{id}","contact":"{contact}","name":"{name}","timestamp":{ts}{value}}}"#
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
        // The range and the cursor are checked too.
        let err = CapiOptions::from_json(r#"{"batch_size": 1001}"#).unwrap_err();
        assert_eq!(err.option(), Some("batch_size"));
        let err = CapiOptions::from_json(r#"{"since": "capi1:"}"#).unwrap_err();
        assert_eq!(err.option(), Some("since"));
    }
}
