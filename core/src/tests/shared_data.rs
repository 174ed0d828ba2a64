//! Every public payload under `testdata/shared/webhooks/` ingests without error and with
//! the per-type counts its JSON contains; every file under `webhooks-invalid/` is a clear,
//! positioned error.

use super::support;

use crate::util::sorted_map::Map;
use convolens::ParseErrorKind;
use serde_json::Value;
use std::collections::BTreeSet;
use support::{engine, files_in, shared_data};

/// Count what a payload contains by walking its JSON independently of the parser:
/// unique inbound message ids per `type` (unknown types under `other`), unique
/// (message id, status) pairs per status, and changes whose field is not `messages`.
fn expected_counts(v: &Value) -> (Map<String, u64>, Map<String, u64>, u64) {
    let known = [
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "reaction",
        "button",
        "interactive",
        "order",
        "system",
        "unsupported",
        "request_welcome",
        "edit",
        "revoke",
    ];
    let mut seen_msgs = BTreeSet::new();
    let mut seen_status = BTreeSet::new();
    let mut msgs = Map::new();
    let mut statuses = Map::new();
    let mut ignored = 0;
    for entry in v["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            if change["field"] != "messages" {
                ignored += 1;
                continue;
            }
            let value = &change["value"];
            for m in value["messages"].as_array().into_iter().flatten() {
                let id = m["id"].as_str().unwrap().to_string();
                if seen_msgs.insert(id) {
                    let t = m["type"].as_str().unwrap_or("");
                    let t = match t {
                        "unknown" => "unsupported",
                        t if known.contains(&t) => t,
                        _ => "other",
                    };
                    *msgs.entry(t.to_string()).or_default() += 1;
                }
            }
            for s in value["statuses"].as_array().into_iter().flatten() {
                let key = (
                    s["id"].as_str().unwrap().to_string(),
                    s["status"].as_str().unwrap().to_string(),
                );
                if seen_status.insert(key.clone()) {
                    *statuses.entry(key.1).or_default() += 1;
                }
            }
            if value["messages"].as_array().is_none_or(Vec::is_empty)
                && value["statuses"].as_array().is_none_or(Vec::is_empty)
            {
                ignored += 1;
            }
        }
    }
    (msgs, statuses, ignored)
}

#[test]
fn every_shared_payload_ingests_with_matching_counts() {
    let mut checked = 0;
    let mut total_msgs = 0;
    for dir in ["meta-docs", "pywa", "whatsapp-api-js"] {
        for path in files_in(&shared_data().join("webhooks").join(dir)) {
            let bytes = std::fs::read(&path).unwrap();
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            let (msgs, statuses, ignored) = expected_counts(&v);
            let mut e = engine();
            let out = e
                .ingest(&bytes)
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            let r = e.report(&convolens::ReportOptions::default()).unwrap();
            assert_eq!(r.input.errors, 0, "{}", path.display());
            assert_eq!(r.input.messages, msgs, "messages of {}", path.display());
            assert_eq!(r.input.statuses, statuses, "statuses of {}", path.display());
            assert_eq!(r.input.ignored, ignored, "ignored of {}", path.display());
            let items: u64 = msgs.values().sum::<u64>() + statuses.values().sum::<u64>();
            assert_eq!(
                u64::from(out.ingested),
                items,
                "ingested of {}",
                path.display()
            );
            total_msgs += items;
            checked += 1;
        }
    }
    // 51 Meta examples + 74 pywa + 4 whatsapp-api-js.
    assert_eq!(checked, 129);
    assert!(total_msgs > 60, "fixtures carry traffic ({total_msgs})");
}

#[test]
fn every_invalid_payload_is_a_positioned_error() {
    let files = files_in(&shared_data().join("webhooks-invalid"));
    assert_eq!(files.len(), 17);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        // As a whole document...
        let mut e = engine();
        let err = e.ingest(&bytes).expect_err(&path.display().to_string());
        assert!(
            err.line >= 1 && err.column >= 1,
            "{}: {err}",
            path.display()
        );
        assert!(
            matches!(
                err.kind,
                ParseErrorKind::Syntax | ParseErrorKind::Value | ParseErrorKind::Truncated
            ),
            "{err}"
        );
        // ...and as a stream: exactly one error for the one (pretty-printed) document.
        let mut e = engine();
        let out = e.ingest_reader(&bytes[..]).unwrap();
        assert_eq!(out.errors.len(), 1, "{}: {:?}", path.display(), out.errors);
        assert_eq!(out.errors[0].line, err.line, "{}", path.display());
    }
}

#[test]
fn placeholder_timestamp_names_its_field() {
    let bytes =
        std::fs::read(shared_data().join("webhooks-invalid/webhooks__block16.json.txt")).unwrap();
    let err = engine().ingest(&bytes).unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::Value);
    assert_eq!(err.field, "entry[0].changes[0].value.statuses[0].timestamp");
    assert_eq!(err.line, 18);
}

#[test]
fn bsuid_only_user_is_keyed_by_bsuid_and_linked_when_wa_id_appears() {
    let dir = shared_data().join("webhooks/meta-docs");
    let mut e = engine();
    // __03: wa_id "" with a BSUID; __01: the same BSUID with a wa_id.
    e.ingest(&std::fs::read(dir.join("business-scoped-user-ids__03.json")).unwrap())
        .unwrap();
    let s = convolens::internals::store(&e);
    let u = s.user_by_key("user.93737...").expect("keyed by BSUID");
    assert_eq!(s.users[u as usize].key(), "user.93737...");
    assert_eq!(
        s.users[u as usize]
            .country()
            .map(|c| c.as_str().to_string()),
        Some("US".into())
    );
    let mut e = engine();
    e.ingest(&std::fs::read(dir.join("business-scoped-user-ids__02.json")).unwrap())
        .unwrap();
    e.ingest(&std::fs::read(dir.join("business-scoped-user-ids__01.json")).unwrap())
        .unwrap();
    let s = convolens::internals::store(&e);
    let a = s.user_by_key("16505551234").unwrap();
    let b = s
        .user_by_key("user.9373795779eb6441c8adb2eaee5b848e7dd174ddd302d7db62142f4722d574b6")
        .unwrap();
    assert_eq!(a, b, "wa_id and BSUID linked into one user");
    assert_eq!(s.users[a as usize].key(), "16505551234");
    assert_eq!(s.live_users().count(), 1);
}
