//! Closing the loop with Meta and with privacy law (issue #24): the Conversions API
//! events, the hashed Custom Audience export, erasure and pseudonymisation, on
//! hand-built chats with hand-checked expected values.

mod support;

use convolens::{CapiOptions, Config, ContactFilter, Engine, ReportOptions};
use proptest::prelude::*;
use serde_json::Value;
use support::external;

const T0: i64 = 1_751_450_000; // 2025-07-02T09:53:20Z
const DAY: i64 = 86_400;

/// A webhook with one inbound message from `from` on business number `phone`; `entry_id`
/// is the WABA id (`""`: none); `msg` is the message object's tail after `"type":`.
fn webhook(
    entry_id: &str,
    phone: &str,
    from: &str,
    name: &str,
    id: &str,
    ts: i64,
    msg: &str,
) -> String {
    let entry = if entry_id.is_empty() {
        String::new()
    } else {
        format!(r#""id":"{entry_id}","#)
    };
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{{entry}"changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001111","phone_number_id":"{phone}"}},"contacts":[{{"wa_id":"{from}","profile":{{"name":"{name}"}}}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{ts}","type":{msg}}}]}}}}]}}]}}"#
    )
}

fn text(body: &str) -> String {
    format!(r#""text","text":{{"body":"{body}"}}"#)
}

fn ad_text(body: &str, clid: Option<&str>) -> String {
    let clid = clid
        .map(|c| format!(r#","ctwa_clid":"{c}""#))
        .unwrap_or_default();
    format!(
        r#""text","text":{{"body":"{body}"}},"referral":{{"source_type":"ad","source_id":"AD1","headline":"Sandals"{clid}}}"#
    )
}

fn button(id: &str) -> String {
    format!(
        r#""interactive","interactive":{{"type":"button_reply","button_reply":{{"id":"{id}","title":"Yes"}}}}"#
    )
}

fn capi_config() -> Config {
    Config::from_json(
        r#"{"events":[{"name":"interested","kind":"button_reply","pattern":"interested"}],
            "attribution":{"lookback_days":14},
            "capi":{"events":{"purchase":"Purchase","interested":"LeadSubmitted","cart":"AddToCart"}}}"#,
    )
    .unwrap()
}

/// The chats of the Conversions API tests, one user per case.
#[allow(
    clippy::too_many_lines,
    reason = "one literal list of documents, one commented case per user; splitting it would scatter the cases"
)]
fn capi_chats() -> Vec<String> {
    vec![
        // A: clicks an ad (clid A), says she is interested an hour later, buys two days
        // later: a LeadSubmitted and a Purchase.
        webhook(
            "WABA-1",
            "1001",
            "4915100000001",
            "Ana",
            "wamid.a1",
            T0,
            &ad_text("Hi", Some("CLID-A")),
        ),
        webhook(
            "WABA-1",
            "1001",
            "4915100000001",
            "Ana",
            "wamid.a2",
            T0 + 3600,
            &button("interested"),
        ),
        external(
            "order-a",
            "4915100000001",
            "purchase",
            T0 + 2 * DAY,
            Some("49.90"),
        ),
        // B: writes in directly and buys: no click id.
        webhook(
            "WABA-1",
            "1001",
            "4915100000002",
            "Ben",
            "wamid.b1",
            T0,
            &text("Hello"),
        ),
        external("order-b", "4915100000002", "purchase", T0 + DAY, Some("10")),
        // C: clicks an ad, buys 8 days later (within the 14-day lookback, so the purchase
        // is placed in that conversation): too late for Meta's 7-day window.
        webhook(
            "WABA-1",
            "1001",
            "4915100000003",
            "Cem",
            "wamid.c1",
            T0,
            &ad_text("Hi", Some("CLID-C")),
        ),
        external(
            "order-c",
            "4915100000003",
            "purchase",
            T0 + 8 * DAY,
            Some("20"),
        ),
        // D: clicks an ad, then an event no mapping names.
        webhook(
            "WABA-1",
            "1001",
            "4915100000004",
            "Dan",
            "wamid.d1",
            T0,
            &ad_text("Hi", Some("CLID-D")),
        ),
        external("refund-d", "4915100000004", "refund", T0 + DAY, Some("5")),
        // E: clicks an ad, buys without a value: Meta needs one for a Purchase.
        webhook(
            "WABA-1",
            "1001",
            "4915100000005",
            "Eva",
            "wamid.e1",
            T0,
            &ad_text("Hi", Some("CLID-E")),
        ),
        external("order-e", "4915100000005", "purchase", T0 + DAY, None),
        // F: clicks an ad on a number whose webhooks never named an account; an add to
        // cart without a value is fine, but no account is known.
        webhook(
            "",
            "2002",
            "4915100000006",
            "Fay",
            "wamid.f1",
            T0,
            &ad_text("Hi", Some("CLID-F")),
        ),
        external("cart-f", "4915100000006", "cart", T0 + DAY, None),
        // G: an ad referral without a click id.
        webhook(
            "WABA-1",
            "1001",
            "4915100000007",
            "Gil",
            "wamid.g1",
            T0,
            &ad_text("Hi", None),
        ),
        external("order-g", "4915100000007", "purchase", T0 + DAY, Some("7")),
    ]
}

fn engine_with(config: Config, docs: &[String]) -> Engine {
    let mut e = Engine::new(config).unwrap();
    for d in docs {
        e.ingest_str(d).unwrap();
    }
    e
}

#[test]
fn capi_events_qualify_by_click_window_name_and_value() {
    let mut e = engine_with(capi_config(), &capi_chats());
    let out = e.capi_events(&CapiOptions::default()).unwrap();
    let v = serde_json::to_value(&out).unwrap();
    // A's lead (T0 + 1 h) and purchase (T0 + 2 d), in time order; the rest counted:
    // B and G no click id, C too late, D's refund not mapped, E no value, F no account.
    assert_eq!(out.batches.len(), 1);
    assert_eq!(
        v["batches"][0]["data"],
        serde_json::json!([
            {"event_name": "LeadSubmitted", "event_time": T0 + 3600,
             "event_id": "m:wamid.a2:interested", "action_source": "business_messaging",
             "messaging_channel": "whatsapp",
             "user_data": {"whatsapp_business_account_id": "WABA-1", "ctwa_clid": "CLID-A"}},
            {"event_name": "Purchase", "event_time": T0 + 2 * DAY, "event_id": "x:order-a",
             "action_source": "business_messaging", "messaging_channel": "whatsapp",
             "user_data": {"whatsapp_business_account_id": "WABA-1", "ctwa_clid": "CLID-A"},
             "custom_data": {"value": 49.9, "currency": "EUR"}}
        ])
    );
    assert_eq!(
        v["ineligible"],
        serde_json::json!({"no_click_id": 2, "too_late": 1, "not_mapped": 1, "no_value": 1, "no_account": 1})
    );
    assert!(out.cursor.starts_with("capi1:"));
}

/// Every event object follows Meta's documented field rules.
fn assert_meta_shape(batches: &Value) {
    let allowed = [
        "LeadSubmitted",
        "Purchase",
        "AddToCart",
        "InitiateCheckout",
        "ViewContent",
    ];
    for b in batches.as_array().unwrap() {
        let data = b["data"].as_array().unwrap();
        assert!(
            !data.is_empty() && data.len() <= 1000,
            "batch of {}",
            data.len()
        );
        for ev in data {
            let keys: Vec<&str> = ev.as_object().unwrap().keys().map(String::as_str).collect();
            for k in &keys {
                assert!(
                    [
                        "event_name",
                        "event_time",
                        "event_id",
                        "action_source",
                        "messaging_channel",
                        "user_data",
                        "custom_data"
                    ]
                    .contains(k),
                    "unexpected field {k}"
                );
            }
            assert!(allowed.contains(&ev["event_name"].as_str().unwrap()));
            assert!(ev["event_time"].is_i64());
            assert!(!ev["event_id"].as_str().unwrap().is_empty());
            assert_eq!(ev["action_source"], "business_messaging");
            assert_eq!(ev["messaging_channel"], "whatsapp");
            let ud = ev["user_data"].as_object().unwrap();
            assert_eq!(ud.len(), 2);
            assert!(
                !ud["whatsapp_business_account_id"]
                    .as_str()
                    .unwrap()
                    .is_empty()
            );
            assert!(!ud["ctwa_clid"].as_str().unwrap().is_empty());
            if ev["event_name"] == "Purchase" {
                assert!(ev["custom_data"]["value"].is_number());
                assert_eq!(ev["custom_data"]["currency"].as_str().unwrap().len(), 3);
            }
        }
    }
}

#[test]
fn capi_batches_hold_at_most_a_thousand_events_and_the_cursor_sends_only_what_is_new() {
    let mut docs = capi_chats();
    // 1,001 more purchases by A within the click window: 1,002 Purchases and a lead.
    for i in 0..1001 {
        docs.push(external(
            &format!("bulk-{i:04}"),
            "4915100000001",
            "purchase",
            T0 + 3 * DAY + i,
            Some("1"),
        ));
    }
    let mut e = engine_with(capi_config(), &docs);
    let first = e.capi_events(&CapiOptions::default()).unwrap();
    let v = serde_json::to_value(&first).unwrap();
    let sizes: Vec<usize> = first.batches.iter().map(|b| b.data.len()).collect();
    assert_eq!(sizes, vec![1000, 3]); // 1,003 events
    assert_meta_shape(&v["batches"]);
    let small = e
        .capi_events(&CapiOptions::default().batch_size(400))
        .unwrap();
    let sizes: Vec<usize> = small.batches.iter().map(|b| b.data.len()).collect();
    assert_eq!(sizes, vec![400, 400, 203]);

    // Nothing new: nothing to send, nothing counted.
    let again = e
        .capi_events(&CapiOptions::default().since(first.cursor.clone()))
        .unwrap();
    assert!(again.batches.is_empty() && again.ineligible.is_empty());
    assert_eq!(again.cursor, first.cursor);

    // A late click: H's purchase arrives before the message from the ad it followed. It
    // is counted as without a click id at first, and sent once the click arrives.
    e.ingest_str(&external(
        "order-h",
        "4915100000008",
        "purchase",
        T0 + 2 * DAY,
        Some("3"),
    ))
    .unwrap();
    let c2 = e
        .capi_events(&CapiOptions::default().since(first.cursor.clone()))
        .unwrap();
    assert!(c2.batches.is_empty());
    assert_eq!(c2.ineligible["no_click_id"], 1);
    e.ingest_str(&webhook(
        "WABA-1",
        "1001",
        "4915100000008",
        "Hal",
        "wamid.h1",
        T0 + DAY,
        &ad_text("Hi", Some("CLID-H")),
    ))
    .unwrap();
    // A duplicate of an old message arrives too: it changes nothing.
    e.ingest_str(&capi_chats()[0]).unwrap();
    let c3 = e
        .capi_events(&CapiOptions::default().since(c2.cursor.clone()))
        .unwrap();
    let ids: Vec<&str> = c3
        .batches
        .iter()
        .flat_map(|b| &b.data)
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(ids, vec!["x:order-h"]);
    assert!(c3.ineligible.is_empty());
    // A snapshot keeps the arrival numbers: the cursor still means the same.
    let mut restored = Engine::restore(&e.snapshot()).unwrap();
    let c4 = restored
        .capi_events(&CapiOptions::default().since(c2.cursor.clone()))
        .unwrap();
    assert_eq!(c4, c3);
}

#[test]
fn capi_now_leaves_out_events_meta_would_refuse_and_options_are_checked() {
    let mut e = engine_with(capi_config(), &capi_chats());
    // Sent 6 days after A's purchase: the lead (T0 + 1 h, 7 days and 23 hours before)
    // is too old; the purchase is not.
    let out = e
        .capi_events(&CapiOptions::default().now(T0 + 8 * DAY))
        .unwrap();
    let ids: Vec<&str> = out
        .batches
        .iter()
        .flat_map(|b| &b.data)
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(ids, vec!["x:order-a"]);
    assert_eq!(out.ineligible["too_old"], 1);
    let err = e
        .capi_events(&CapiOptions::default().batch_size(1001))
        .unwrap_err();
    assert_eq!(err.option(), Some("batch_size"));
    let err = e
        .capi_events(&CapiOptions::default().since("yesterday"))
        .unwrap_err();
    assert_eq!(err.option(), Some("since"));
    // The config fallback account serves numbers whose webhooks never named one.
    let mut cfg = capi_config();
    cfg.capi.whatsapp_business_account_id = Some("WABA-9".into());
    let mut e = engine_with(cfg, &capi_chats());
    let out = e.capi_events(&CapiOptions::default()).unwrap();
    let f = out.batches[0]
        .data
        .iter()
        .find(|e| e.event_id == "x:cart-f")
        .unwrap();
    assert_eq!(f.user_data.whatsapp_business_account_id, "WABA-9");
    assert!(f.custom_data.is_none()); // AddToCart needs no value
}

#[test]
fn capi_names_meta_rejects_are_config_errors_naming_the_key() {
    for (name, bad) in [
        ("signup", "Lead"),
        ("vip", "MyCustomEvent"),
        ("x", "purchase"),
    ] {
        let json = format!(r#"{{"capi":{{"events":{{"{name}":"{bad}"}}}}}}"#);
        let err = Config::from_json(&json).unwrap_err();
        assert_eq!(err.key(), format!("capi.events.{name}"), "{err}");
        assert!(err.to_string().contains("LeadSubmitted"), "{err}");
    }
    assert!(
        Config::from_json(r#"{"capi":{"events":{"a":"ViewContent","b":"InitiateCheckout"}}}"#)
            .is_ok()
    );
}

/// The Custom Audience export: one SHA-256 per buyer with a number. The digests were
/// computed by hand with `printf '<number>' | sha256sum`; the first is also Meta's own
/// documented example ("(650)555-1212" in the US → 16505551212 → e323ec62…).
#[test]
fn meta_audience_phones_are_sha256_of_the_normalised_numbers() {
    let docs = [
        external("o1", "16505551212", "purchase", T0, Some("1")),
        external("o2", "447700900123", "purchase", T0 + 1, Some("1")),
        external("o3", "5511987654321", "purchase", T0 + 2, Some("1")),
        external("o4", "34600111222", "purchase", T0 + 3, Some("1")),
        // A username-only buyer has no number to hash: left out and counted.
        external(
            "o5",
            "US.13491208655302741918",
            "purchase",
            T0 + 4,
            Some("1"),
        ),
        // Not a buyer.
        external("o6", "4915100000009", "refund", T0 + 5, Some("1")),
    ];
    let mut e = engine_with(Config::default(), &docs);
    let mut csv = Vec::new();
    let n = e
        .export_audience(
            &ReportOptions::default(),
            &ContactFilter::event("purchase"),
            &mut csv,
        )
        .unwrap();
    assert_eq!(n, (4, 1));
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "phone\r\n\
         e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176\r\n\
         033134b911b137918338415ee3d20a064b24773d36a3b02e8b99fdd3fcd6b4cd\r\n\
         029c7290f14c4516673508635f0519db95f7daf42057fd0e4ad1de84c5408a66\r\n\
         67f01a2b0e2c34277df586b5cc6e35a5f232494e64dc33b5f75f80bf568914f1\r\n"
    );
}

// ---------------------------------------------------------------------------------------
// Erasure

/// One fact of a generated user.
#[derive(Clone, Debug)]
enum Fact {
    /// An inbound text (from an ad when `ad`), `sec` seconds after the start.
    Text { sec: i64, ad: bool, bsuid: bool },
    /// A template with a delivered status, and a URL-button click when `click`.
    Template { sec: i64, read: bool, click: bool },
    /// A purchase.
    Purchase { sec: i64, cents: u32 },
    /// An agent closed the support conversation.
    Close { sec: i64 },
    /// A Meta Business Agent reply: a record with `tokens`, and a delivered status whose
    /// `pricing` object carries Meta's price and token count when `priced` (both kept as
    /// agent facts by message id).
    Agent { sec: i64, tokens: u32, priced: bool },
}

fn fact() -> impl Strategy<Value = Fact> {
    let sec = 0i64..20 * DAY;
    prop_oneof![
        (sec.clone(), any::<bool>(), any::<bool>()).prop_map(|(sec, ad, bsuid)| Fact::Text {
            sec,
            ad,
            bsuid
        }),
        (sec.clone(), any::<bool>(), any::<bool>()).prop_map(|(sec, read, click)| Fact::Template {
            sec,
            read,
            click
        }),
        (sec.clone(), 1u32..10_000).prop_map(|(sec, cents)| Fact::Purchase { sec, cents }),
        sec.clone().prop_map(|sec| Fact::Close { sec }),
        (sec, 1u32..100_000, any::<bool>()).prop_map(|(sec, tokens, priced)| Fact::Agent {
            sec,
            tokens,
            priced
        }),
    ]
}

/// The documents of user `u`'s facts.
fn user_docs(u: usize, facts: &[Fact]) -> Vec<String> {
    let wa = format!("49151000{u:05}");
    let bsuid = format!("DE.{u}00000000000000000");
    let name = format!("Person {u}");
    let mut out = Vec::new();
    for (k, f) in facts.iter().enumerate() {
        match f {
            Fact::Text {
                sec,
                ad,
                bsuid: by_bsuid,
            } => {
                let msg = if *ad {
                    ad_text("hi", Some(&format!("CLID-{u}-{k}")))
                } else {
                    text("hi ship")
                };
                if *by_bsuid {
                    // From the username, with the contact linking both identities.
                    out.push(format!(
                        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"W1","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"P1"}},"contacts":[{{"wa_id":"{wa}","user_id":"{bsuid}","profile":{{"name":"{name}"}}}}],"messages":[{{"from":"","from_user_id":"{bsuid}","id":"wamid.{u}.{k}","timestamp":"{}","type":{msg}}}]}}}}]}}]}}"#,
                        T0 + sec
                    ));
                } else {
                    out.push(webhook(
                        "W1",
                        "P1",
                        &wa,
                        &name,
                        &format!("wamid.{u}.{k}"),
                        T0 + sec,
                        &msg,
                    ));
                }
            }
            Fact::Template { sec, read, click } => {
                let id = format!("wamid.out.{u}.{k}");
                out.push(format!(
                    r#"{{"type":"outbound","id":"{id}","phone_number_id":"P1","to":"{wa}","timestamp":{},"kind":"template","template":"promo","category":"marketing","buttons":[{{"type":"url","text":"Shop"}}]}}"#,
                    T0 + sec
                ));
                let st = if *read { "read" } else { "delivered" };
                out.push(format!(
                    r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"P1"}},"statuses":[{{"id":"{id}","status":"{st}","timestamp":"{}","recipient_id":"{wa}"}}]}}}}]}}]}}"#,
                    T0 + sec + 5
                ));
                if *click {
                    out.push(format!(
                        r#"{{"type":"click","message_id":"{id}","button":"Shop","timestamp":{}}}"#,
                        T0 + sec + 60
                    ));
                }
            }
            Fact::Purchase { sec, cents } => out.push(external(
                &format!("order-{u}-{k}"),
                &wa,
                "purchase",
                T0 + sec,
                Some(&format!("{}.{:02}", cents / 100, cents % 100)),
            )),
            Fact::Close { sec } => out.push(format!(
                r#"{{"type":"close","contact":"{wa}","phone_number_id":"P1","timestamp":{}}}"#,
                T0 + sec
            )),
            Fact::Agent {
                sec,
                tokens,
                priced,
            } => {
                out.extend(agent_docs(
                    &wa,
                    &format!("wamid.agent.{u}.{k}"),
                    T0 + sec,
                    *tokens,
                    *priced,
                ));
            }
        }
    }
    out
}

/// A Meta Business Agent reply `id` to `wa` at `t`: the host's record with `tokens`, and
/// when `priced` a delivered status with Meta's `pricing` object (price and tokens).
fn agent_docs(wa: &str, id: &str, t: i64, tokens: u32, priced: bool) -> Vec<String> {
    let mut out = vec![format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"P1","to":"{wa}","timestamp":{t},"kind":"free_form","category":"meta_business_agent","tokens":{tokens}}}"#
    )];
    if priced {
        out.push(format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"P1"}},"statuses":[{{"id":"{id}","status":"delivered","timestamp":"{}","recipient_id":"{wa}","pricing":{{"billable":true,"pricing_model":"PMP","category":"meta_business_agent","price":"0.0042","currency":"EUR","usage":{{"input_tokens":{tokens},"output_tokens":7}}}}}}]}}}}]}}]}}"#,
            t + 5
        ));
    }
    out
}

/// The report as JSON without the input line counters (a fresh engine is fed fewer lines).
fn report_json(e: &mut Engine) -> Value {
    let r = e.report(&ReportOptions::default()).unwrap();
    let mut v = serde_json::to_value(&r).unwrap();
    let input = v["input"].as_object_mut().unwrap();
    for k in [
        "lines",
        "duplicates",
        "ignored",
        "errors",
        "ignored_reasons",
    ] {
        input.remove(k);
    }
    v
}

fn erasure_config() -> Config {
    Config::from_json(
        r#"{"events":[{"name":"asked","kind":"text_reply","match":"contains","pattern":"ship"}],
            "capi":{"events":{"purchase":"Purchase"},"whatsapp_business_account_id":"W1"}}"#,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Forgetting a person leaves the engine reporting exactly what an engine never fed
    /// their facts reports: every section, the unique-item counters, the Conversions API
    /// events, the other people's contacts; spend and other people's data untouched.
    #[test]
    fn forgetting_equals_never_ingesting(
        users in proptest::collection::vec(proptest::collection::vec(fact(), 1..6), 2..5),
        who in 0usize..5,
        seed in any::<u64>(),
    ) {
        let who = who % users.len();
        let spend = r#"{"type":"spend","source":"meta_ad:AD1","date":"2025-07-02","amount":120.5,"currency":"EUR"}"#.to_string();
        let mut docs: Vec<(usize, String)> = vec![(usize::MAX, spend)];
        for (u, facts) in users.iter().enumerate() {
            docs.extend(user_docs(u, facts).into_iter().map(|d| (u, d)));
        }
        // A deterministic shuffle, and a re-sent document.
        let mut s = seed | 1;
        for i in (1..docs.len()).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            docs.swap(i, (s >> 33) as usize % (i + 1));
        }
        let again = docs[(s >> 17) as usize % docs.len()].clone();
        docs.push(again);
        let all: Vec<String> = docs.iter().map(|(_, d)| d.clone()).collect();
        let others: Vec<String> = docs.iter().filter(|(u, _)| *u != who).map(|(_, d)| d.clone()).collect();

        let mut forgot = engine_with(erasure_config(), &all);
        let out = forgot.forget(&format!("49151000{who:05}"));
        prop_assert!(out.found);
        let mut fresh = engine_with(erasure_config(), &others);
        prop_assert_eq!(report_json(&mut forgot), report_json(&mut fresh));
        prop_assert_eq!(forgot.facts(), fresh.facts());
        let capi = |e: &mut Engine| {
            let mut v = serde_json::to_value(e.capi_events(&CapiOptions::default()).unwrap()).unwrap();
            v.as_object_mut().unwrap().remove("cursor");
            v
        };
        prop_assert_eq!(capi(&mut forgot), capi(&mut fresh));
        let contacts = |e: &mut Engine| {
            let mut csv = Vec::new();
            e.export_contacts(&ReportOptions::default(), &ContactFilter::event("purchase"), &mut csv).unwrap();
            String::from_utf8(csv).unwrap()
        };
        prop_assert_eq!(contacts(&mut forgot), contacts(&mut fresh));
        // Nothing of the person is left in a snapshot.
        let bytes = forgot.snapshot();
        for needle in [format!("49151000{who:05}"), format!("Person {who}"), format!("DE.{who}00000000000000000")] {
            prop_assert!(!contains(&bytes, needle.as_bytes()), "{} left in the snapshot", needle);
        }
        // A forgotten message re-sent later is ingested again, as new.
        let mut forgot = Engine::restore(&bytes).unwrap();
        for (_, d) in docs.iter().filter(|(u, _)| *u == who) {
            forgot.ingest_str(d).unwrap();
        }
        let mut whole = engine_with(erasure_config(), &all);
        prop_assert_eq!(report_json(&mut forgot)["sources"].clone(), report_json(&mut whole)["sources"].clone());
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn forget_after_expiry_drops_the_person_and_their_carry_and_keeps_sealed_counts() {
    let mut docs = Vec::new();
    for d in 0..60 {
        // Two people write every third day for two months.
        if d % 3 == 0 {
            docs.push(webhook(
                "W1",
                "P1",
                "4915100000001",
                "Ana",
                &format!("wamid.a.{d}"),
                T0 + d * DAY,
                &text("hi"),
            ));
            docs.push(webhook(
                "W1",
                "P1",
                "4915100000002",
                "Ben",
                &format!("wamid.b.{d}"),
                T0 + d * DAY + 60,
                &text("hi"),
            ));
        }
    }
    let mut e = engine_with(Config::default(), &docs);
    e.expire().unwrap();
    let before = e.report(&ReportOptions::default()).unwrap();
    let out = e.forget("4915100000001");
    assert!(out.found);
    assert_eq!(e.facts().users, 1);
    let after = e.report(&ReportOptions::default()).unwrap();
    // The sealed days keep their anonymous counts: the range and the active users of a
    // sealed day (2025-07-02, both wrote) are unchanged; on a live day (2025-08-28, both
    // wrote) Ana is gone.
    assert_eq!(after.range, before.range);
    let active = |r: &convolens::Report, date: &str| {
        let v = serde_json::to_value(&r.engagement.daily_active).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|d| d["date"] == date)
            .unwrap()["users"]
            .clone()
    };
    assert_eq!(active(&before, "2025-07-02"), 2);
    assert_eq!(active(&after, "2025-07-02"), 2);
    assert_eq!(active(&before, "2025-08-28"), 2);
    assert_eq!(active(&after, "2025-08-28"), 1);
    let bytes = e.snapshot();
    assert!(!contains(&bytes, b"4915100000001") && !contains(&bytes, b"Ana"));
    assert!(contains(&bytes, b"4915100000002"));
}

// ---------------------------------------------------------------------------------------
// Pseudonymisation

const SECRET: &[u8] = b"test secret, 32 bytes long......";

/// HMAC-SHA256 under [`SECRET`], hex: the documented pseudonym formula.
fn hmac_hex(id: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    m.update(id.as_bytes());
    let mut out = String::new();
    for b in m.finalize().into_bytes() {
        use std::fmt::Write;
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn example_engine(pseudonymise: bool) -> Engine {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let mut cfg = support::example_config();
    let mut e = if pseudonymise {
        cfg.pseudonymise =
            Some(serde_json::from_str(r#"{"secret_env":"CONVOLENS_SECRET"}"#).unwrap());
        Engine::with_secret(cfg, SECRET).unwrap()
    } else {
        Engine::new(cfg).unwrap()
    };
    let data = std::fs::read(format!("{dir}/example.jsonl")).unwrap();
    let out = e.ingest_reader(&data[..]).unwrap();
    assert!(out.errors.is_empty());
    e
}

#[test]
fn pseudonymised_reports_equal_the_plain_ones() {
    let mut plain = example_engine(false);
    let mut pseudo = example_engine(true);
    for opts in [
        ReportOptions::default(),
        ReportOptions::from_json(r#"{"last":"30d","model":"linear"}"#).unwrap(),
        ReportOptions::from_json(
            r#"{"start":"2025-07-01","end":"2025-08-01","phone":"106540352242922"}"#,
        )
        .unwrap(),
    ] {
        let mut a = serde_json::to_value(plain.report(&opts).unwrap()).unwrap();
        let b = serde_json::to_value(pseudo.report(&opts).unwrap()).unwrap();
        // The only identifiers a report shows are the user and message of each
        // reconciliation mismatch: the pseudonymised report shows their pseudonyms. (The
        // bundled data's pricing objects now agree with the engine, so there may be none.)
        let mismatches = a["billing"]["reconciliation"]["mismatches"]
            .as_array_mut()
            .unwrap();
        for m in mismatches {
            for k in ["user", "message_id"] {
                m[k] = Value::from(hmac_hex(m[k].as_str().unwrap()));
            }
        }
        assert_eq!(a, b, "{opts:?}");
    }
    // Contacts: the same people in the same order, pseudonyms for numbers, no names.
    let csv = |e: &mut Engine| {
        let mut out = Vec::new();
        e.export_contacts(
            &ReportOptions::default(),
            &ContactFilter::event("purchase"),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    let (a, b) = (csv(&mut plain), csv(&mut pseudo));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 10);
    for (x, y) in a.iter().zip(&b).skip(1) {
        let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
        assert_eq!(y[0], hmac_hex(x[0]), "the pseudonym of the number");
        assert_eq!(y[1], "", "no names");
        assert_eq!(
            x[2..],
            y[2..],
            "country, first seen, source, converted, value"
        );
    }
    // A pseudonymised engine keeps no numbers for an audience.
    let err = pseudo
        .export_audience(
            &ReportOptions::default(),
            &ContactFilter::event("purchase"),
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), "unsupported");
}

#[test]
fn pseudonymised_state_holds_no_numbers_names_texts_or_secret() {
    let plain = example_engine(false);
    let pseudo = example_engine(true);
    let data = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/example.jsonl"
    ))
    .unwrap();
    let first: Value = serde_json::from_str(data.lines().next().unwrap()).unwrap();
    let value = &first["entry"][0]["changes"][0]["value"];
    let number = value["contacts"][0]["wa_id"].as_str().unwrap();
    let name = value["contacts"][0]["profile"]["name"].as_str().unwrap();
    let body = value["messages"][0]["text"]["body"].as_str().unwrap();
    let wamid = value["messages"][0]["id"].as_str().unwrap();
    let plain_bytes = plain.snapshot();
    let bytes = pseudo.snapshot();
    // No engine keeps a text, only what the config's rules matched in it.
    assert!(
        !contains(&plain_bytes, body.as_bytes()),
        "{body} in the plain snapshot"
    );
    for needle in [number, name, body, wamid] {
        assert!(
            needle == body || contains(&plain_bytes, needle.as_bytes()),
            "{needle} in the plain snapshot"
        );
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle} in the pseudonymised snapshot"
        );
    }
    assert!(!contains(&bytes, SECRET));
    // The ad click id stays: the Conversions API needs it.
    assert!(contains(
        &bytes,
        value["messages"][0]["referral"]["ctwa_clid"]
            .as_str()
            .unwrap()
            .as_bytes()
    ));
    // Restoring needs the same secret; the restored engine reports the same.
    assert_eq!(Engine::restore(&bytes).unwrap_err().kind(), "needs_secret");
    let wrong =
        Engine::restore_with_secret(&bytes, b"another secret of 32 bytes......").unwrap_err();
    assert_eq!(wrong.kind(), "wrong_secret");
    let mut back = Engine::restore_with_secret(&bytes, SECRET).unwrap();
    let mut pseudo = pseudo;
    assert_eq!(
        serde_json::to_value(back.report(&ReportOptions::default()).unwrap()).unwrap(),
        serde_json::to_value(pseudo.report(&ReportOptions::default()).unwrap()).unwrap()
    );
    // Lookups take the number and find its pseudonym; erasure too.
    assert!(back.free_form_window(number, None, T0).is_some());
    assert!(back.forget(number).found);
    assert!(back.free_form_window(number, None, T0).is_none());
}

#[test]
fn pseudonymisation_needs_a_secret_of_sixteen_bytes() {
    let cfg = Config::from_json(r#"{"pseudonymise":{"secret_env":"S"}}"#).unwrap();
    let err = Engine::new(cfg.clone()).unwrap_err();
    assert_eq!(err.key(), "pseudonymise");
    assert!(err.to_string().contains("`S`"), "{err}");
    assert_eq!(
        Engine::with_secret(cfg.clone(), b"short")
            .unwrap_err()
            .key(),
        "pseudonymise.secret_env"
    );
    assert_eq!(
        Engine::with_secret(Config::default(), SECRET)
            .unwrap_err()
            .key(),
        "pseudonymise"
    );
    let a = Engine::with_secret(cfg.clone(), SECRET).unwrap();
    let mut b = Engine::with_secret(cfg, b"a different secret of 32 bytes..").unwrap();
    assert_eq!(b.merge(&a).unwrap_err().kind(), "config");
}

/// Erasure drops the person's Meta Business Agent facts (tokens and Meta's price, kept by
/// message id beside the messages) from billing and from snapshots; the other person's
/// stay. Two agent replies on 2026-11-10 (agent messages charged since 2026-08-01), each
/// priced by Meta at 0.0042 EUR: Ana's with 3,000 input + 7 output tokens, Ben's with
/// 500 + 7. Before: 2 messages, 3,007 + 507 = 3,514 tokens, 0.0084 EUR. After forgetting
/// Ana: Ben's 1 message, 507 tokens, 0.0042 EUR.
#[test]
fn forget_drops_the_persons_agent_facts() {
    let t = 1_794_304_800; // 2026-11-10T10:00:00Z
    let (ana, ben) = ("4915100000001", "4915100000002");
    let mut docs = agent_docs(ana, "wamid.agent.ana", t, 3000, true);
    docs.extend(agent_docs(ben, "wamid.agent.ben", t + 60, 500, true));
    let config = || Config::from_json(r#"{"currency":"EUR"}"#).unwrap();
    let agent = |e: &mut Engine| {
        let v = report_json(e);
        let a = &v["billing"]["meta_business_agent"];
        (
            a["charged"].clone(),
            a["tokens"].clone(),
            a["priced_by_meta"].clone(),
            v["billing"]["cost"]["by_category"]["meta_business_agent"].clone(),
        )
    };
    let mut e = engine_with(config(), &docs);
    let before = agent(&mut e);
    assert_eq!(
        (before.0.clone(), before.1.clone(), before.2.clone()),
        (2.into(), 3514.into(), 2.into())
    );
    assert!(contains(&e.snapshot(), b"wamid.agent.ana"));
    assert!(e.forget(ana).found);
    let after = agent(&mut e);
    assert_eq!(
        (after.0.clone(), after.1.clone(), after.2.clone()),
        (1.into(), 507.into(), 1.into())
    );
    let mut fresh = engine_with(config(), &docs[2..]);
    assert_eq!(after, agent(&mut fresh));
    let bytes = e.snapshot();
    assert!(!contains(&bytes, b"wamid.agent.ana"));
    assert!(contains(&bytes, b"wamid.agent.ben"));
    let mut back = Engine::restore(&bytes).unwrap();
    assert_eq!(agent(&mut back), after);
}

/// An outbound template record `id` to `to` at `ts`.
fn outbound(id: &str, to: &str, ts: i64, template: &str) -> String {
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"1001","to":"{to}","timestamp":{ts},"kind":"template","template":"{template}","category":"marketing"}}"#
    )
}

/// A `delivered` status of message `id` to `to` at `ts`.
fn delivered(id: &str, to: &str, ts: i64) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"1001"}},"statuses":[{{"id":"{id}","status":"delivered","timestamp":"{ts}","recipient_id":"{to}"}}]}}}}]}}]}}"#
    )
}

/// Erasure drops the conflict marks (issue 19.3) of the person's facts. Ana's facts each
/// arrive in two versions: her inbound message (two texts), an outbound record to her (two
/// templates), its `delivered` status (two times) and her order (values 10 and 99): four
/// conflicts. Ben's order also arrives twice (values 5 and 50): one. Before: 4 + 1 = 5
/// conflicts; after forgetting Ana, Ben's 1 — what an engine fed only Ben's documents
/// counts, with the same report — and none of Ana's ids is left in the snapshot, which
/// restores with that 1 conflict.
#[test]
fn forget_drops_the_persons_conflict_marks() {
    let (ana, ben) = ("4915100000001", "4915100000002");
    let mut docs = vec![
        webhook("", "1001", ana, "Ana", "wamid.in.ana", T0, &text("hello")),
        webhook(
            "",
            "1001",
            ana,
            "Ana",
            "wamid.in.ana",
            T0,
            &text("hello again"),
        ),
        outbound("wamid.out.ana", ana, T0 + 60, "promo"),
        outbound("wamid.out.ana", ana, T0 + 60, "promo_v2"),
        delivered("wamid.out.ana", ana, T0 + 65),
        delivered("wamid.out.ana", ana, T0 + 70),
        external("order-ana", ana, "purchase", T0 + 120, Some("10")),
        external("order-ana", ana, "purchase", T0 + 120, Some("99")),
    ];
    let bens = [
        external("order-ben", ben, "purchase", T0 + 180, Some("5")),
        external("order-ben", ben, "purchase", T0 + 180, Some("50")),
    ];
    docs.extend(bens.iter().cloned());
    let conflicts = |e: &mut Engine| e.report(&ReportOptions::default()).unwrap().input.conflicts;
    let mut e = engine_with(Config::default(), &docs);
    assert_eq!(conflicts(&mut e), 5);
    assert!(e.forget(ana).found);
    assert_eq!(conflicts(&mut e), 1);
    let mut fresh = engine_with(Config::default(), &bens);
    assert_eq!(report_json(&mut e), report_json(&mut fresh));
    let bytes = e.snapshot();
    for id in ["wamid.in.ana", "wamid.out.ana", "order-ana"] {
        assert!(
            !contains(&bytes, id.as_bytes()),
            "{id} left in the snapshot"
        );
    }
    assert!(contains(&bytes, b"order-ben"));
    let mut back = Engine::restore(&bytes).unwrap();
    assert_eq!(conflicts(&mut back), 1);
}

/// A pseudonymised engine finds a person however their number is written (issue 19.5 with
/// #24): ingestion normalises the contact before hashing it, and so do lookups — the
/// window query and erasure — while a pseudonym itself is looked up as given.
#[test]
fn pseudonymised_lookups_normalise_the_contact() {
    let cfg = Config::from_json(r#"{"pseudonymise": {"secret_env": "CONVOLENS_SECRET"}}"#).unwrap();
    let mut e = Engine::with_secret(cfg, b"a long random secret").unwrap();
    e.ingest_str(r#"{"type":"close","contact":"+34 600 111 222","timestamp":1751460000}"#)
        .unwrap();
    for written in ["34600111222", "+34 600-111-222", "(34) 600 111 222"] {
        assert!(
            e.free_form_window(written, None, 1_751_460_000).is_some(),
            "{written}"
        );
    }
    assert!(e.forget("+34600111222").found);
    assert_eq!(e.facts().users, 0);
}
