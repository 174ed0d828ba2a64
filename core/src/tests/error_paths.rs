//! The field paths of error messages: `util::json_path` finds them from where serde_json
//! stopped; `serde_path_to_error` (a dev-dependency, the oracle) tracks them while reading.
//! Both must name the same field for every error, on every shared payload and on the
//! example config, each mutated in every place it can be: every value replaced by values of
//! other types and out-of-range ones, every object given an unknown key, every key removed.

use super::support::{files_in, shared_data};
use crate::input::Doc;
use crate::util::json_path::path_at;
use serde_json::{Value, json};

/// Values put in place of each value of a document.
fn replacements() -> Vec<Value> {
    vec![
        json!("x"),
        json!(""),
        json!(" "),
        json!("2025-13-45"),
        json!("99999999999999999999999"),
        json!(-5),
        json!(1.5),
        json!(99_999_999_999_i64),
        serde_json::from_str("99999999999999999999999").unwrap(),
        serde_json::from_str("1e999").unwrap_or(json!(0)),
        json!(true),
        json!(null),
        json!({}),
        json!({"zz": 1}),
        json!([]),
        json!([1, "a"]),
    ]
}

/// Every document one mutation away from `v`.
fn mutants(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut at = Vec::new();
    walk(v, &mut at, &mut |path: &[PathStep], node: &Value| {
        for r in replacements() {
            out.push(with(v, path, |n| *n = r.clone()));
        }
        if let Value::Object(m) = node {
            out.push(with(v, path, |n| {
                n.as_object_mut()
                    .unwrap()
                    .insert("zz_unknown".into(), json!(1));
            }));
            for k in m.keys() {
                out.push(with(v, path, |n| {
                    n.as_object_mut().unwrap().remove(k);
                }));
            }
        }
        if let Value::Array(a) = node {
            if !a.is_empty() {
                out.push(with(v, path, |n| {
                    n.as_array_mut().unwrap().push(a[0].clone());
                }));
            }
        }
    });
    out
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn walk(v: &Value, at: &mut Vec<PathStep>, f: &mut dyn FnMut(&[PathStep], &Value)) {
    f(at, v);
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                at.push(PathStep::Key(k.clone()));
                walk(c, at, f);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                at.push(PathStep::Index(i));
                walk(c, at, f);
                at.pop();
            }
        }
        _ => {}
    }
}

fn with(v: &Value, path: &[PathStep], change: impl FnOnce(&mut Value)) -> Value {
    let mut out = v.clone();
    let mut n = &mut out;
    for s in path {
        n = match s {
            PathStep::Key(k) => n.get_mut(k.as_str()).unwrap(),
            PathStep::Index(i) => n.get_mut(*i).unwrap(),
        };
    }
    change(n);
    out
}

/// `v` as compact JSON text with every object's keys in reverse order (`Value` keeps them
/// sorted: this puts each last key first and the first last).
fn reversed(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, c)| format!("{}:{}", Value::from(k.as_str()), reversed(c)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(reversed).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// Both paths (oracle, ours) when reading `text` through `read` fails, `read` being the
/// oracle's read of the type; syntax errors have no field (`input::parse_object` drops it).
fn both(
    text: &str,
    read: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
    ) -> Option<serde_path_to_error::Error<serde_json::Error>>,
) -> Option<(String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let oracle = read(&mut de)?;
    let inner = oracle.inner();
    if inner.is_syntax() || inner.is_eof() {
        return None;
    }
    let ours = path_at(
        text.as_bytes(),
        inner.line(),
        inner.column(),
        &inner.to_string(),
    );
    // The oracle writes the document itself as `.`, ours as the empty path.
    let oracle = oracle.path().to_string();
    Some((if oracle == "." { String::new() } else { oracle }, ours))
}

fn doc_paths(text: &str) -> Option<(String, String)> {
    both(text, |de| {
        serde_path_to_error::deserialize::<_, Doc<'_>>(de).err()
    })
}

fn config_paths(text: &str) -> Option<(String, String)> {
    both(text, |de| {
        serde_path_to_error::deserialize::<_, crate::Config>(de).err()
    })
}

/// Compare the paths of every mutant of `docs`; the number of errors compared.
fn compare(docs: &[Value], paths: fn(&str) -> Option<(String, String)>) -> usize {
    let mut compared = 0;
    let mut differ = Vec::new();
    for d in docs {
        for m in mutants(d) {
            let texts = [
                m.to_string(),
                serde_json::to_string_pretty(&m).unwrap(),
                reversed(&m),
            ];
            for text in texts {
                if let Some((oracle, ours)) = paths(&text) {
                    compared += 1;
                    if oracle != ours && differ.len() < 10 {
                        differ.push(format!("{oracle} vs {ours}: {text}"));
                    }
                }
            }
        }
    }
    assert!(differ.is_empty(), "paths differ:\n{}", differ.join("\n"));
    compared
}

#[test]
fn every_payload_error_names_the_field_serde_path_to_error_names() {
    let mut docs = Vec::new();
    for dir in ["meta-docs", "pywa", "whatsapp-api-js"] {
        for p in files_in(&shared_data().join("webhooks").join(dir)) {
            let text = std::fs::read_to_string(&p).unwrap();
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                docs.push(v);
            }
        }
    }
    // The convolens records: one of each type.
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/example.jsonl"),
    )
    .unwrap();
    let mut types = std::collections::BTreeSet::new();
    for line in example.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let t = v.get("type").map(ToString::to_string).unwrap_or_default();
        if types.insert(t) {
            docs.push(v);
        }
    }
    assert!(docs.len() > 100, "{} documents", docs.len());
    let compared = compare(&docs, doc_paths);
    assert!(compared > 10_000, "{compared} errors compared");
}

#[test]
fn every_config_error_names_the_field_serde_path_to_error_names() {
    let mut docs = Vec::new();
    for f in ["config.json", "sources-demo.config.json"] {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../examples/data")
                .join(f),
        )
        .unwrap();
        docs.push(serde_json::from_str::<Value>(&text).unwrap());
    }
    // An inline rate card: amounts (an untagged number-or-string) in objects inside an array.
    let mut inline = docs[0].clone();
    inline["rate_card"] = json!([
        {"market": "india", "category": "marketing", "price": 0.0107, "currency": "EUR",
         "effective_from": "2025-07-01"},
        {"market": "india", "category": "marketing", "price": 0.0107, "currency": "EUR",
         "effective_from": "2025-07-01", "tier_from": 1, "tier_to": 1000},
        {"market": "Spain", "category": "utility", "price": "0.02", "currency": "EUR",
         "effective_from": "2025-07-01", "unit": "message"}
    ]);
    docs.push(inline);
    let compared = compare(&docs, config_paths);
    assert!(compared > 1_000, "{compared} errors compared");
}

#[test]
fn every_option_error_names_the_field_serde_path_to_error_names() {
    fn report(text: &str) -> Option<(String, String)> {
        both(text, |de| {
            serde_path_to_error::deserialize::<_, crate::ReportOptions>(de).err()
        })
    }
    fn capi(text: &str) -> Option<(String, String)> {
        both(text, |de| {
            serde_path_to_error::deserialize::<_, crate::CapiOptions>(de).err()
        })
    }
    fn filter(text: &str) -> Option<(String, String)> {
        both(text, |de| {
            serde_path_to_error::deserialize::<_, crate::ContactFilter>(de).err()
        })
    }
    let report_docs = [json!({
        "from": "2025-06-01", "to": "2025-06-30", "phone": "106540352242922",
        "time_zone": "Europe/Madrid", "model": "linear", "compare_models": true,
        "compare": true, "conversion_event": "purchase"
    })];
    let compared = compare(&report_docs, report)
        + compare(
            &[json!({"since": "17", "now": 1_751_328_000, "batch_size": 500})],
            capi,
        )
        + compare(&[json!({"source": "ad:1", "event": "purchase"})], filter);
    assert!(compared > 300, "{compared} errors compared");
}
