//! The committed JSON Schemas (`schema/*.schema.json`, issue #21 item 7) are what the
//! types generate today, and the example data's real report and config validate against
//! them. Run with `cargo test -p convolens --features schema --test schema`
//! (`UPDATE_SCHEMA=1` rewrites the committed files after a deliberate change; then run
//! `python3 tools/gen-types.py` for the bindings' type files).
#![cfg(feature = "schema")]

mod support;

use convolens::{Engine, ReportOptions};
use serde_json::{Map, Value};
use support::{example_config, example_lines};

fn schema_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

/// Compare (or with `UPDATE_SCHEMA=1`, rewrite) one committed schema file.
fn check_committed(name: &str, schema: &Value) {
    let path = schema_dir().join(name);
    let text = serde_json::to_string_pretty(schema).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} is stale: run `UPDATE_SCHEMA=1 cargo test -p convolens --features schema --test schema` and `python3 tools/gen-types.py`",
        path.display()
    );
}

#[test]
fn committed_schemas_match_the_types() {
    check_committed("report.schema.json", &convolens::schema::report());
    check_committed("config.schema.json", &convolens::schema::config());
}

/// A validator for the keywords schemars emits (draft 2020-12 subset). An unknown
/// keyword fails the test, so a schema the validator cannot judge never passes silently.
struct Validator<'a> {
    root: &'a Value,
}

/// Keywords that describe and do not constrain.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "title",
    "description",
    "default",
    "format",
    "examples",
];

impl Validator<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/$defs/").expect("local $ref");
                &self.root["$defs"][name]
            }
            None => schema,
        }
    }

    /// The errors of `v` against `schema`, each with its JSON path.
    fn errors(&self, schema: &Value, v: &Value, path: &str) -> Vec<String> {
        if schema == &Value::Bool(true) {
            return Vec::new();
        }
        let s = self.resolve(schema).as_object().expect("schema object");
        let mut errs = Vec::new();
        for (k, want) in s {
            match k.as_str() {
                "type" => type_errors(want, v, path, &mut errs),
                "enum" => {
                    if !want.as_array().unwrap().contains(v) {
                        errs.push(format!("{path}: {v} not in {want}"));
                    }
                }
                "const" if want != v => errs.push(format!("{path}: {v} is not {want}")),
                "minimum" if v.as_f64().is_some_and(|x| x < want.as_f64().unwrap()) => {
                    errs.push(format!("{path}: {v} < {want}"));
                }
                "maximum" if v.as_f64().is_some_and(|x| x > want.as_f64().unwrap()) => {
                    errs.push(format!("{path}: {v} > {want}"));
                }
                "pattern" => pattern_errors(want, v, path, &mut errs),
                "anyOf" | "oneOf" => self.any_of(k, want, v, path, &mut errs),
                "allOf" => {
                    for sub in want.as_array().unwrap() {
                        errs.extend(self.errors(sub, v, path));
                    }
                }
                "properties" | "required" | "additionalProperties" => {
                    if let Some(obj) = v.as_object() {
                        errs.extend(self.object_errors(s, k, obj, path));
                    }
                }
                "items" | "prefixItems" | "minItems" | "maxItems" => {
                    if let Some(arr) = v.as_array() {
                        errs.extend(self.array_errors(k, want, arr, path));
                    }
                }
                "$ref" | "$defs" | "const" | "minimum" | "maximum" => {}
                k if ANNOTATIONS.contains(&k) => {}
                other => panic!("the test's validator does not know the keyword `{other}`"),
            }
        }
        errs
    }

    fn any_of(&self, k: &str, want: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
        let matching = want
            .as_array()
            .unwrap()
            .iter()
            .filter(|sub| self.errors(sub, v, path).is_empty())
            .count();
        if matching == 0 || (k == "oneOf" && matching > 1) {
            errs.push(format!("{path}: {matching} branches of {k} match {v}"));
        }
    }

    fn object_errors(
        &self,
        s: &Map<String, Value>,
        k: &str,
        obj: &Map<String, Value>,
        path: &str,
    ) -> Vec<String> {
        let props = s.get("properties").and_then(Value::as_object);
        let mut errs = Vec::new();
        match k {
            "properties" => {
                for (name, sub) in props.unwrap() {
                    if let Some(x) = obj.get(name) {
                        errs.extend(self.errors(sub, x, &format!("{path}.{name}")));
                    }
                }
            }
            "required" => {
                for name in s[k].as_array().unwrap() {
                    if !obj.contains_key(name.as_str().unwrap()) {
                        errs.push(format!("{path}: missing {name}"));
                    }
                }
            }
            _ => {
                for (name, x) in obj {
                    if props.is_some_and(|p| p.contains_key(name)) {
                        continue;
                    }
                    match &s[k] {
                        Value::Bool(false) => errs.push(format!("{path}: extra key {name}")),
                        sub => errs.extend(self.errors(sub, x, &format!("{path}.{name}"))),
                    }
                }
            }
        }
        errs
    }

    fn array_errors(&self, k: &str, want: &Value, arr: &[Value], path: &str) -> Vec<String> {
        let n = want.as_u64().map(|n| n as usize);
        match k {
            "minItems" if arr.len() < n.unwrap() => vec![format!("{path}: too few items")],
            "maxItems" if arr.len() > n.unwrap() => vec![format!("{path}: too many items")],
            "items" => (arr.iter().enumerate())
                .flat_map(|(i, x)| self.errors(want, x, &format!("{path}[{i}]")))
                .collect(),
            "prefixItems" => (want.as_array().unwrap().iter().zip(arr).enumerate())
                .flat_map(|(i, (sub, x))| self.errors(sub, x, &format!("{path}[{i}]")))
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn type_errors(want: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let is = |t: &str| match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        other => panic!("unknown type {other}"),
    };
    let ok = match want {
        Value::String(t) => is(t),
        Value::Array(ts) => ts.iter().any(|t| is(t.as_str().unwrap())),
        _ => panic!("bad type keyword {want}"),
    };
    if !ok {
        errs.push(format!("{path}: {v} is not of type {want}"));
    }
}

fn pattern_errors(want: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let re = regex_lite::Regex::new(want.as_str().unwrap()).unwrap();
    if let Some(text) = v.as_str().filter(|t| !re.is_match(t)) {
        errs.push(format!("{path}: {text:?} does not match {want}"));
    }
}

fn validate(schema: &Value, v: &Value) -> Vec<String> {
    Validator { root: schema }.errors(schema, v, "$")
}

fn example_engine() -> Engine {
    let mut e = Engine::new(example_config()).unwrap();
    for line in example_lines() {
        e.ingest_str(&line).unwrap();
    }
    e
}

#[test]
fn example_reports_validate_against_the_report_schema() {
    let schema = convolens::schema::report();
    let mut e = example_engine();
    let options = [
        ReportOptions::default(),
        ReportOptions::default().compare(true).compare_models(true),
        ReportOptions::from_json(r#"{"phone":"106540352242999","model":"linear"}"#).unwrap(),
    ];
    for opts in options {
        let report = serde_json::to_value(e.report(&opts).unwrap()).unwrap();
        let errs = validate(&schema, &report);
        assert!(errs.is_empty(), "{:#?}", &errs[..errs.len().min(20)]);
    }
    let empty = serde_json::to_value(support::engine().report(&ReportOptions::default()).unwrap());
    assert_eq!(validate(&schema, &empty.unwrap()), Vec::<String>::new());
}

#[test]
fn the_validator_rejects_what_serde_would_not_emit() {
    // The validator must be able to fail: a report with a renamed key, a string where a
    // number belongs, and a dropped required key each give one error.
    let schema = convolens::schema::report();
    let mut report =
        serde_json::to_value(support::engine().report(&ReportOptions::default()).unwrap()).unwrap();
    let range = report["range"].as_object_mut().unwrap();
    let days = range.remove("days").unwrap();
    range.insert("day_count".into(), days);
    report["billing"]["cost"]["total"] = Value::String("12.5".into());
    report.as_object_mut().unwrap().remove("warnings");
    let errs = validate(&schema, &report);
    assert_eq!(errs.len(), 4, "{errs:#?}"); // missing days, extra day_count, total, warnings
}

#[test]
fn example_config_validates_against_the_config_schema() {
    let schema = convolens::schema::config();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let text = std::fs::read_to_string(format!("{dir}/config.json")).unwrap();
    let config: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(validate(&schema, &config), Vec::<String>::new());
    let resolved = serde_json::to_value(example_config()).unwrap();
    assert_eq!(validate(&schema, &resolved), Vec::<String>::new());
    let mut bad = config.clone();
    bad["lookback"] = Value::from(7); // not a Config key: deny_unknown_fields
    assert_eq!(validate(&schema, &bad).len(), 1);
}
