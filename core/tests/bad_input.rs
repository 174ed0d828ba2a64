//! Untrusted input never panics: each bad document is a typed error naming what was
//! wrong, and nothing already ingested is lost.

mod support;

use convolens::{ParseErrorKind, ReportOptions};
use support::{engine, inbound_text};

fn ingest_one_good(e: &mut convolens::Engine) {
    e.ingest_str(&inbound_text(
        "wamid.good",
        "4915112345678",
        1_751_450_000,
        "hi",
    ))
    .unwrap();
}

fn assert_kept(e: &mut convolens::Engine) {
    let r = e.report(&ReportOptions::default()).unwrap();
    assert_eq!(r.input.messages.get("text"), Some(&1), "earlier input kept");
}

#[test]
fn truncated_json() {
    let mut e = engine();
    ingest_one_good(&mut e);
    let doc = inbound_text("wamid.x", "4915112345678", 1_751_450_000, "hi");
    let err = e.ingest_str(&doc[..doc.len() / 2]).unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::Truncated);
    assert_eq!(err.line, 2);
    assert_kept(&mut e);
}

#[test]
fn wrong_types_name_the_field() {
    let mut e = engine();
    ingest_one_good(&mut e);
    let cases = [
        (
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","id":7,"timestamp":"1751450000","type":"text"}]}}]}]}"#,
            "entry[0].changes[0].value.messages[0].id",
        ),
        (
            r#"{"object":"whatsapp_business_account","entry":{"changes":[]}}"#,
            "entry",
        ),
        (
            r#"{"type":"outbound","id":"w1","to":"49151","timestamp":1751450000,"buttons":"yes"}"#,
            "buttons",
        ),
        (
            r#"{"type":"external_event","id":"e1","contact":"49151","name":"purchase","value":[1],"timestamp":1751450000}"#,
            "value",
        ),
        (
            r#"{"type":"outbound","id":"w1","timestamp":1751450000}"#,
            "to",
        ),
        (r#"{"type":"refund","id":"r1"}"#, "type"),
        (r#"{"hello":"world"}"#, "type"),
    ];
    for (doc, field) in cases {
        let err = e.ingest_str(doc).unwrap_err();
        assert_eq!(err.field, field, "{doc}: {err}");
        assert!(
            matches!(
                err.kind,
                ParseErrorKind::Schema | ParseErrorKind::UnknownRecord
            ),
            "{err}"
        );
    }
    assert_kept(&mut e);
}

#[test]
fn ten_megabyte_line_is_rejected_in_a_stream_and_the_rest_is_read() {
    let mut e = engine();
    e.set_max_line_bytes(1 << 20);
    let mut input = inbound_text("wamid.a", "4915112345678", 1_751_450_000, "a").into_bytes();
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b'x', 10 << 20));
    input.push(b'\n');
    input.extend(inbound_text("wamid.b", "4915112345678", 1_751_450_001, "b").into_bytes());
    input.push(b'\n');
    let out = e.ingest_reader(&input[..]).unwrap();
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].kind, ParseErrorKind::TooLong);
    assert_eq!(out.errors[0].line, 2);
    assert_eq!(out.outcome.ingested, 2);
    // A ten-megabyte valid-looking document within the default limit is just parsed.
    let big = format!(
        r#"{{"type":"close","contact":"4915112345678","timestamp":1751450000,"by":"{}"}}"#,
        "a".repeat(10 << 20)
    );
    let mut e = engine();
    e.ingest_str(&big).unwrap();
}

#[test]
fn non_utf8_bytes() {
    let mut e = engine();
    ingest_one_good(&mut e);
    let mut doc =
        br#"{"type":"close","contact":"4915112345678","timestamp":1751450000,"by":"ag"#.to_vec();
    doc.extend_from_slice(&[0xff, 0xfe]);
    doc.extend_from_slice(br#""}"#);
    let err = e.ingest(&doc).unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::Utf8);
    assert_eq!(err.column, 74); // the byte after `"by":"ag`
    assert_kept(&mut e);
}

#[test]
fn absurd_timestamps() {
    let mut e = engine();
    ingest_one_good(&mut e);
    for ts in ["0", "-5", "99999999999", "1751450000000", "\"soon\"", "1.5"] {
        let doc = format!(r#"{{"type":"close","contact":"4915112345678","timestamp":{ts}}}"#);
        let err = e.ingest_str(&doc).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Value, "{ts}: {err}");
        assert_eq!(err.field, "timestamp");
    }
    let err = e
        .ingest_str(&inbound_text("wamid.old", "4915112345678", 86_400, "x"))
        .unwrap_err();
    assert_eq!(err.field, "entry[0].changes[0].value.messages[0].timestamp");
    assert_kept(&mut e);
}

#[test]
fn negative_and_huge_amounts() {
    let mut e = engine();
    ingest_one_good(&mut e);
    for (amount, needle) in [
        ("-1", "negative"),
        ("1e13", "exceeds"),
        ("1e400", "out of range"),
        ("\"12,50\"", "decimal"),
        ("99999999999999999999999", "exceeds"),
    ] {
        let doc = format!(
            r#"{{"type":"spend","source":"direct","date":"2025-07-01","amount":{amount}}}"#
        );
        let err = e.ingest_str(&doc).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Value, "{amount}: {err}");
        assert_eq!(err.field, "amount", "{amount}");
        assert!(err.message.contains(needle), "{amount}: {}", err.message);
    }
    let err = e
        .ingest_str(r#"{"type":"external_event","id":"e","contact":"1","name":"purchase","value":5,"currency":"EURO","timestamp":1751450000}"#)
        .unwrap_err();
    assert_eq!(err.field, "currency");
    let err = e
        .ingest_str(r#"{"type":"spend","source":"direct","date":"2025-13-01","amount":1}"#)
        .unwrap_err();
    assert_eq!(err.field, "date");
    assert_kept(&mut e);
}

#[test]
fn unknown_types_and_fields_are_kept_or_ignored_not_errors() {
    let mut e = engine();
    let doc = r#"{"object":"whatsapp_business_account","entry":[{"changes":[
        {"field":"messages","value":{"metadata":{"phone_number_id":"PN1"},"messages":[{"from":"4915112345678","id":"w.h","timestamp":"1751450000","type":"hologram","hologram":{"x":1}}]}},
        {"field":"account_update","value":{"event":"VERIFIED_ACCOUNT"}},
        {"field":"brand_new_field","value":{}}]}]}"#;
    let out = e.ingest_str(doc).unwrap();
    assert_eq!(out.ingested, 1);
    assert_eq!(
        out.ignored,
        vec![
            "field:account_update".to_string(),
            "field:brand_new_field".to_string()
        ]
    );
    let r = e.report(&ReportOptions::default()).unwrap();
    assert_eq!(r.input.messages.get("other"), Some(&1));
    assert_eq!(
        r.input.ignored_reasons.get("field:account_update"),
        Some(&1)
    );
    // Another object is ignored too.
    let out = e.ingest_str(r#"{"object":"page","entry":[]}"#).unwrap();
    assert_eq!(out.ignored, vec!["object:page".to_string()]);
}

#[test]
fn empty_and_garbage_lines() {
    let mut e = engine();
    for doc in [
        "",
        "   ",
        "null",
        "42",
        "\"text\"",
        "[1,2]",
        "{",
        "}",
        "[{\"type\":\"close\"}]",
    ] {
        let err = e.ingest_str(doc).unwrap_err();
        assert!(err.line >= 1, "{doc:?}: {err}");
    }
    let err = e.ingest_str("[{\"type\":\"close\"}]").unwrap_err();
    assert_eq!(err.field, "[0].contact", "{err}");
}
