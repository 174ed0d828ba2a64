//! Row-level tables (`Engine::rows`): charges, conversations, contacts.

use convolens::{Config, Engine, ReportOptions};
use serde_json::{Value, json};

const USER: &str = "4915112345678";

fn status(id: &str, ts: i64) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"1001"}},"statuses":[{{"id":"{id}","status":"delivered","timestamp":"{ts}","recipient_id":"{USER}"}}]}}}}]}}]}}"#
    )
}

/// 2025-07-02 (per-message pricing) in UTC: a marketing template delivered, the user's
/// reply, a free-form answer delivered in the customer service window, a purchase.
fn engine() -> Engine {
    let cfg = Config::from_json(
        r#"{"conversion_event": "purchase", "rate_card": [
            {"market":"germany","category":"marketing","price":0.1365,"currency":"EUR","effective_from":"2025-07-01"}]}"#,
    )
    .unwrap();
    let mut e = Engine::new(cfg).unwrap();
    for doc in [
        format!(
            r#"{{"type":"outbound","id":"w1","phone_number_id":"1001","to":"{USER}","timestamp":1751450000,"template":"promo","category":"marketing"}}"#
        ),
        status("w1", 1_751_450_005),
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"1001"}},"contacts":[{{"wa_id":"{USER}","profile":{{"name":"Ana"}}}}],"messages":[{{"from":"{USER}","id":"in1","timestamp":"1751450100","type":"text","text":{{"body":"Price?"}}}}]}}}}]}}]}}"#
        ),
        format!(
            r#"{{"type":"outbound","id":"w2","phone_number_id":"1001","to":"{USER}","timestamp":1751450200,"kind":"free_form"}}"#
        ),
        status("w2", 1_751_450_205),
        format!(
            r#"{{"type":"external_event","id":"o1","contact":"{USER}","name":"purchase","value":49.90,"currency":"EUR","timestamp":1751460000}}"#
        ),
    ] {
        e.ingest_str(&doc).unwrap();
    }
    e
}

fn column<'t>(t: &'t convolens::Table, row: usize, name: &str) -> &'t Value {
    let i = t
        .header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name}"));
    &t.values[row][i]
}

#[test]
fn charges_list_every_business_message_with_its_reason_and_price() {
    let t = engine().rows("charges", &ReportOptions::default()).unwrap();
    assert_eq!(t.name, "charges");
    assert_eq!(t.values.len(), 2);
    // w1: a marketing template delivered 2025-07-02 under PMP: charged Germany's
    // marketing rate, 0.1365 EUR, billable, not free.
    let want_w1 = [
        ("message_id", json!("w1")),
        ("user", json!(USER)),
        ("phone", json!("1001")),
        ("sent_at", json!("2025-07-02T09:53:20+00:00")),
        ("delivered_at", json!("2025-07-02T09:53:25+00:00")),
        ("billing_day", json!("2025-07-02")),
        ("category", json!("marketing")),
        ("template", json!(true)),
        ("model", json!("PMP")),
        ("billable", json!(true)),
        ("charged", json!(true)),
        ("free_reason", Value::Null),
        ("country", json!("DE")),
        ("cost", json!(0.1365)),
        ("currency", json!("EUR")),
        ("unpriced", json!(false)),
    ];
    for (col, want) in &want_w1 {
        assert_eq!(column(&t, 0, col), want, "w1 {col}");
    }
    // w2: free-form, delivered 100 s after the user's reply (window open): free under PMP
    // before 2026-10-01, so not billable, not charged, cost 0 with a reason.
    for (col, want) in [
        ("message_id", json!("w2")),
        ("category", json!("service")),
        ("template", json!(false)),
        ("billable", json!(false)),
        ("charged", json!(false)),
        ("cost", json!(0.0)),
    ] {
        assert_eq!(column(&t, 1, col), &want, "w2 {col}");
    }
    assert!(column(&t, 1, "free_reason").is_string());
    // The CSV has the same rows.
    assert_eq!(t.to_csv().lines().count(), 3);
}

#[test]
fn conversations_carry_source_lead_and_attributed_value() {
    let t = engine()
        .rows("conversations", &ReportOptions::default())
        .unwrap();
    // One conversation: opened by the template w1 at 09:53:20, the reply and answer within
    // the inactivity timeout; the purchase 2.8 h later is in the lookback, so it is a lead
    // and last-touch credits it the whole purchase: 1 conversion, 49.90 EUR.
    assert_eq!(t.values.len(), 1, "{:?}", t.values);
    for (col, want) in [
        ("user", json!(USER)),
        ("start", json!("2025-07-02T09:53:20+00:00")),
        ("opening_message", json!("w1")),
        ("lead", json!(true)),
        ("conversions", json!(1.0)),
        ("attributed_value", json!(49.9)),
        ("currency", json!("EUR")),
    ] {
        assert_eq!(column(&t, 0, col), &want, "{col}");
    }
    assert!(
        column(&t, 0, "source")
            .as_str()
            .unwrap()
            .starts_with("template:")
    );
}

#[test]
fn contacts_are_typed_and_unguarded() {
    let t = engine()
        .rows("contacts", &ReportOptions::default())
        .unwrap();
    assert_eq!(
        t.header,
        [
            "wa_id",
            "name",
            "country",
            "first_seen",
            "source",
            "converted",
            "value"
        ]
    );
    assert_eq!(t.values.len(), 1);
    assert_eq!(column(&t, 0, "name"), &json!("Ana"));
    assert_eq!(column(&t, 0, "converted"), &json!(true));
    // Without an event or source, `value` has no event to total (the export's rule): 0.
    assert_eq!(column(&t, 0, "value"), &json!(0.0));
    // The users of the event `purchase`: Ana's 49.90 EUR purchase.
    let filter = convolens::ContactFilter::event("purchase");
    let t = engine()
        .contact_rows(&ReportOptions::default(), &filter)
        .unwrap();
    assert_eq!(column(&t, 0, "value"), &json!(49.9));
    assert_eq!(
        column(&t, 0, "source")
            .as_str()
            .map(|s| s.starts_with("template:")),
        Some(true)
    );
}

#[test]
fn the_range_selects_rows_and_an_unknown_table_is_an_option_error() {
    let mut e = engine();
    let july_3 =
        ReportOptions::from_json(r#"{"start": "2025-07-03", "end": "2025-07-04"}"#).unwrap();
    assert!(e.rows("charges", &july_3).unwrap().values.is_empty());
    assert!(e.rows("conversations", &july_3).unwrap().values.is_empty());
    let err = e.rows("invoices", &ReportOptions::default()).unwrap_err();
    assert_eq!((err.kind(), err.option()), ("option", Some("table")));
    assert!(
        err.to_string().contains("charges, conversations, contacts"),
        "{err}"
    );
}
