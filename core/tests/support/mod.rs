//! Shared test support: fixture paths, record builders and proptest strategies.
#![allow(dead_code)]

use convolens::{Config, Engine, ReportOptions};
use std::path::PathBuf;

/// The public webhook payloads: `testdata/shared/` in the repository (a copy of the
/// project's `../shared/data`, kept in the tree so a bare clone can run every test).
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/shared")
}

/// Every `.json` file under `dir`, sorted.
pub fn files_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "txt"))
        .collect();
    v.sort();
    v
}

/// The example data's config (`examples/data/config.json`) with its rate card resolved.
pub fn example_config() -> Config {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let text = std::fs::read_to_string(format!("{dir}/config.json")).unwrap();
    let mut cfg = Config::from_json(&text).unwrap();
    cfg.resolve_rate_card(Some(std::path::Path::new(dir)), |p| {
        std::fs::read_to_string(p)
    })
    .unwrap();
    cfg
}

/// The example data's lines (`examples/data/example.jsonl`).
pub fn example_lines() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    std::fs::read_to_string(format!("{dir}/example.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A fresh engine with the default config.
pub fn engine() -> Engine {
    Engine::new(Config::default()).expect("default config")
}

/// A webhook payload with one inbound text message.
pub fn inbound_text(id: &str, from: &str, ts: i64, body: &str) -> String {
    inbound_text_with(id, from, ts, body, "")
}

/// [`inbound_text`] with `extra` (`,"referral":{...}`, `,"context":{...}`) appended to the
/// message object.
pub fn inbound_text_with(id: &str, from: &str, ts: i64, body: &str, extra: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001111","phone_number_id":"PN1"}},"contacts":[{{"wa_id":"{from}","profile":{{"name":"User {from}"}}}}],"messages":[{{"from":"{from}","id":"{id}","timestamp":"{ts}","type":"text","text":{{"body":"{body}"}}{extra}}}]}}}}]}}]}}"#
    )
}

/// A webhook payload with one status.
pub fn status(id: &str, to: &str, ts: i64, status: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001111","phone_number_id":"PN1"}},"statuses":[{{"id":"{id}","status":"{status}","timestamp":"{ts}","recipient_id":"{to}"}}]}}}}]}}]}}"#
    )
}

/// An outbound template record.
pub fn outbound_template(id: &str, to: &str, ts: i64, template: &str, category: &str) -> String {
    format!(
        r#"{{"type":"outbound","id":"{id}","phone_number_id":"PN1","to":"{to}","timestamp":{ts},"kind":"template","template":"{template}","category":"{category}","author":"campaign"}}"#
    )
}

/// An external event `name` of `contact`, with a value in EUR when given.
pub fn external(id: &str, contact: &str, name: &str, ts: i64, value: Option<&str>) -> String {
    let value = value
        .map(|v| format!(r#","value":{v},"currency":"EUR""#))
        .unwrap_or_default();
    format!(
        r#"{{"type":"external_event","id":"{id}","contact":"{contact}","name":"{name}","timestamp":{ts}{value}}}"#
    )
}

/// An external event.
pub fn purchase(id: &str, contact: &str, ts: i64, value: &str) -> String {
    format!(
        r#"{{"type":"external_event","id":"{id}","contact":"{contact}","name":"purchase","value":{value},"currency":"EUR","timestamp":{ts}}}"#
    )
}

/// The report as JSON with the arrival-dependent counters (`lines`, `duplicates`) removed,
/// for comparing states reached through different input orders.
pub fn state_json(e: &mut Engine) -> serde_json::Value {
    let r = e.report(&ReportOptions::default()).expect("report");
    let mut v = serde_json::to_value(&r).expect("json");
    let input = v
        .get_mut("input")
        .and_then(|i| i.as_object_mut())
        .expect("input");
    input.remove("lines");
    input.remove("duplicates");
    input.remove("ingested");
    v
}

/// The first path at which two JSON values differ, for readable failures.
pub fn first_difference(
    a: &serde_json::Value,
    b: &serde_json::Value,
    path: &str,
) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (va, vb) = (x.get(k), y.get(k));
                match (va, vb) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(va, vb, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{path}.{k}: {va:?} vs {vb:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_difference(va, vb, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => {
            let short = |v: &Value| v.to_string().chars().take(200).collect::<String>();
            Some(format!("{path}: {} vs {}", short(a), short(b)))
        }
    }
}

/// A small realistic stream: users writing in (one from an ad), templates with statuses
/// arriving before their records, reads before deliveries, a failure, purchases, spend.
pub fn sample_stream() -> Vec<String> {
    let t = 1_751_450_000; // 2025-07-02T09:53:20Z
    let mut v = vec![
        inbound_text("wamid.in.1", "4915112345678", t, "hello"),
        inbound_text("wamid.in.2", "447911123456", t + 60, "price?"),
        r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"PN1"},"contacts":[{"wa_id":"919876543210","profile":{"name":"Ravi"}}],"messages":[{"from":"919876543210","id":"wamid.in.3","timestamp":"1751450100","type":"text","text":{"body":"Interested"},"referral":{"source_type":"ad","source_id":"AD1","headline":"Summer sale"}}]}}]}]}"#.to_string(),
        outbound_template("wamid.out.1", "4915112345678", t + 3600, "promo", "marketing"),
        status("wamid.out.1", "4915112345678", t + 3601, "sent"),
        status("wamid.out.1", "4915112345678", t + 3700, "read"),
        status("wamid.out.1", "4915112345678", t + 3650, "delivered"),
        status("wamid.out.2", "447911123456", t + 3605, "sent"),
        outbound_template("wamid.out.2", "447911123456", t + 3600, "order_update", "utility"),
        status("wamid.out.2", "447911123456", t + 3606, "failed"),
        purchase("order-1", "4915112345678", t + 7200, "19.99"),
        r#"{"type":"spend","source":"meta_ad:AD1","date":"2025-07-02","amount":120.5,"currency":"EUR"}"#.to_string(),
        r#"{"type":"close","contact":"447911123456","phone_number_id":"PN1","timestamp":1751460000,"by":"agent-7"}"#.to_string(),
        inbound_text("wamid.in.4", "4915112345678", t + 86_400 * 2, "thanks"),
    ];
    v.push(
        r#"{"type":"click","message_id":"wamid.out.1","button":"Shop now","timestamp":1751454000}"#
            .to_string(),
    );
    v
}
pub mod year;
