//! Every use of the `convolens` crate's API, in one module, so that a change of the core's
//! API is adapted here alone. Only the crate root's public items are used.

use crate::wal::Kind;
use serde_json::{Map, Value};

pub use convolens::{Config, ContactFilter, Engine, ParseError, Report, ReportOptions};

/// Read a configuration file as the `report` program does (`None`: the default).
pub fn load_config(path: Option<&str>) -> Result<Config, String> {
    convolens_examples::load_config(path)
}

/// A new engine for `config` (a pseudonymising config reads its secret from the
/// environment variable it names).
pub fn new_engine(config: Config) -> Result<Engine, String> {
    convolens_examples::new_engine(config)
}

/// An engine from snapshot bytes (a pseudonymised one reads its secret again).
pub fn restore(bytes: &[u8]) -> Result<Engine, String> {
    convolens_examples::restore_engine(bytes)
}

/// Whether `engine` runs with `config`.
pub fn runs_with(engine: &Engine, config: &Config) -> bool {
    engine.config() == config
}

/// The engine's live users and the messages it holds.
pub fn counts(engine: &Engine) -> (u64, u64) {
    let f = engine.facts();
    (f.users as u64, f.messages as u64)
}

/// What applying one log record did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// Lines read (a webhook is one line; blank JSONL lines count).
    pub lines: u64,
    /// Items applied for the first time.
    pub ingested: u64,
    /// Items already seen (no change).
    pub duplicates: u64,
    /// Items accepted but not used.
    pub ignored: u64,
    /// Lines that could not be ingested, numbered from 1 within the body, as the `report`
    /// program numbers them within a file.
    pub errors: Vec<ParseError>,
    /// For an expiry: what it did, or why it could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Result<String, String>>,
    /// For an erasure: what was removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forgot: Option<convolens::ForgetOutcome>,
}

/// Apply one log record to the engine. Never fails: bad input is reported per line.
pub fn apply(engine: &mut Engine, kind: Kind, body: &[u8]) -> Applied {
    let mut out = Applied::default();
    match kind {
        Kind::Webhook => {
            out.lines = 1;
            match engine.ingest(body) {
                Ok(o) => {
                    out.ingested = u64::from(o.ingested);
                    out.duplicates = u64::from(o.duplicates);
                    out.ignored = o.ignored.len() as u64;
                }
                Err(mut e) => {
                    e.line = 1;
                    out.errors.push(e);
                }
            }
        }
        Kind::Records => {
            let first = engine.next_line();
            // Reading from a byte slice cannot fail.
            let stream = engine
                .ingest_reader(body)
                .unwrap_or_default()
                .relative_to(first);
            out.lines = stream.lines;
            out.ingested = u64::from(stream.outcome.ingested);
            out.duplicates = u64::from(stream.outcome.duplicates);
            out.ignored = stream.outcome.ignored.len() as u64;
            out.errors = stream.errors;
        }
        Kind::Expire => {
            out.expiry = Some(match engine.expire() {
                Ok(x) => Ok(serde_json::to_string(&x).unwrap_or_default()),
                Err(e) => Err(e.to_string()),
            });
        }
        Kind::Forget => {
            out.forgot = Some(engine.forget(&String::from_utf8_lossy(body)));
        }
    }
    out
}

/// Report options from query parameters, named as the `report` program's options: `from`,
/// `to` (YYYY-MM-DD), `last` (7d, 14d, 30d, 6m, 12m), `phone`, `tz` (or `time_zone`),
/// `model`, `event` (or `conversion_event`), `compare_models` and `compare` (flags: empty,
/// `1` or `true`; `0` or `false`).
/// Parameters named in `skip` are left out; any other name is an error.
pub fn report_options(pairs: &[(String, String)], skip: &[&str]) -> Result<ReportOptions, String> {
    let mut m = Map::new();
    for (k, v) in pairs {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let (key, value) = match k.as_str() {
            "from" | "to" | "start" | "end" | "last" | "phone" | "model" => {
                (k.as_str(), Value::String(v.clone()))
            }
            "tz" | "time_zone" => ("time_zone", Value::String(v.clone())),
            "event" | "conversion_event" => ("conversion_event", Value::String(v.clone())),
            "compare_models" | "compare-models" => ("compare_models", Value::Bool(flag(k, v)?)),
            "compare" => ("compare", Value::Bool(flag(k, v)?)),
            _ => return Err(format!("unknown parameter `{k}`")),
        };
        if m.insert(key.to_string(), value).is_some() {
            return Err(format!("parameter `{k}` given twice"));
        }
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| format!("bad report option: {e}"))
}

fn flag(k: &str, v: &str) -> Result<bool, String> {
    match v {
        "" | "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!(
            "parameter `{k}` is a flag: empty, 1, true, 0 or false"
        )),
    }
}

/// The report as the `report --json` program prints it (pretty JSON and a newline).
pub fn report_json(engine: &mut Engine, opts: &ReportOptions) -> Result<String, String> {
    let r = engine.report(opts).map_err(|e| e.to_string())?;
    let mut s = serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?;
    s.push('\n');
    Ok(s)
}

/// One table of the report as CSV, named as `report --csv DIR` names its files; or the
/// names of every table when there is none called `name`.
pub fn report_csv(
    engine: &mut Engine,
    opts: &ReportOptions,
    name: &str,
) -> Result<Result<String, Vec<String>>, String> {
    let tables = engine.report(opts).map_err(|e| e.to_string())?.tables();
    Ok(match tables.iter().find(|t| t.name == name) {
        Some(t) => Ok(t.to_csv()),
        None => Err(tables.into_iter().map(|t| t.name).collect()),
    })
}

/// The users of a source and/or an event as CSV, as `report --contacts` writes them
/// (`opts` gives the range, number filter and model); an error when neither is given.
pub fn contacts_csv(
    engine: &mut Engine,
    opts: &ReportOptions,
    source: Option<String>,
    event: Option<String>,
) -> Result<String, String> {
    let filter = match (source, event) {
        (None, None) => return Err("give ?source=KEY or ?event=NAME (or both)".to_string()),
        (Some(s), None) => ContactFilter::source(s),
        (s, Some(e)) => s
            .into_iter()
            .fold(ContactFilter::event(e), ContactFilter::and_source),
    };
    let mut csv = Vec::new();
    engine
        .export_contacts(opts, &filter, &mut csv)
        .map_err(|e| e.to_string())?;
    String::from_utf8(csv).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    }

    #[test]
    fn query_parameters_map_to_the_report_options() {
        let o = report_options(
            &pairs(&[
                ("from", "2025-07-01"),
                ("to", "2025-08-01"),
                ("tz", "Europe/Madrid"),
                ("model", "linear"),
                ("compare", ""),
                ("event", "interested"),
                ("table", "x"),
            ]),
            &["table"],
        )
        .unwrap();
        assert_eq!(o.from, chrono::NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(o.conversion_event.as_deref(), Some("interested"));
        assert_eq!(o.time_zone.as_deref(), Some("Europe/Madrid"));
        assert_eq!(serde_json::to_value(o.model).unwrap(), "linear");
        assert!(o.compare && !o.compare_models);
        assert!(
            report_options(&pairs(&[("form", "x")]), &[])
                .unwrap_err()
                .contains("`form`")
        );
        assert!(report_options(&pairs(&[("model", "nope")]), &[]).is_err());
        assert!(report_options(&pairs(&[("from", "July")]), &[]).is_err());
        assert!(
            report_options(&pairs(&[("last", "7d"), ("last", "30d")]), &[])
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn records_errors_are_numbered_within_the_body() {
        let mut e = new_engine(Config::default()).unwrap();
        apply(
            &mut e,
            Kind::Webhook,
            b"{\"object\":\"whatsapp_business_account\",\"entry\":[]}",
        );
        let body = b"{\"type\":\"close\",\"contact\":\"34600111222\",\"timestamp\":1751460000}\n\nnot json\n";
        let a = apply(&mut e, Kind::Records, body);
        // Three lines (one blank); the third fails, numbered 3 within the body although
        // it is the engine's fourth line.
        assert_eq!((a.lines, a.ingested, a.errors.len()), (3, 1, 1));
        assert_eq!(a.errors[0].line, 3);
    }
}
