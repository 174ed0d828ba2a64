//! # convolens for JavaScript
//!
//! WebAssembly bindings of the [`convolens`] core, published on npm as `convolens` (Node
//! `CommonJS` build in `pkg/`, browser ES-module build in `pkg/web/`). This crate only
//! translates; every rule lives in the core.
//!
//! ```js
//! const { Engine } = require('convolens');
//! const engine = new Engine({ time_zone: 'Europe/Madrid' });
//! const outcome = engine.ingestJsonl(fs.readFileSync('traffic.jsonl')); // one crossing
//! const report = engine.report({ last: '30d' }); // a plain object, same keys as `report --json`
//! ```
//!
//! - **Values in**: the config and report options are plain objects (or JSON text) read by
//!   the core's serde types, so unknown keys and wrong types are errors naming the key.
//!   Documents are objects, JSON text or UTF-8 bytes.
//! - **Values out**: one JSON text per call, serialised by the core's serde types and
//!   turned into plain objects by the engine's `JSON.parse` — the same bytes the `report`
//!   program prints, so the shape is identical by construction, and no extra dependency.
//!   Measured against building the objects with `serde-wasm-bindgen`'s `json_compatible`
//!   serialiser on the example data's report (27 kB of JSON): 10.2 ms either way, best of
//!   30, nearly all of it computing the report; the crossing is not worth a second path.
//! - **Errors**: `Error`s named after the classes the package exports (`ConvolensError`,
//!   and its subclasses `ParseError`, `ConfigError`, `ReportError`, `SnapshotError`,
//!   defined in `src/errors.js`), so `err instanceof ParseError` and
//!   `err instanceof ConvolensError` hold; `TypeError` for a JS value of the wrong type. `message` is the core's message (a parse error names the line, column and
//!   field); the structured fields are own properties (`kind`, `line`, `column`, `field`;
//!   `key`; `kind` and `option`), whose values the core's error types give.
//! - **Bad input never traps**: the core returns errors instead of panicking, and this
//!   layer checks every JS value's type before using it.
//!
//! Line numbers: [`Engine::ingest`] counts each document as the next line of the engine's
//! input (as the core does); [`Engine::ingest_jsonl`] numbers lines from 1 within the text
//! it is given (the core's `StreamOutcome::relative_to`), like the `report` program per file.

use convolens::{ContactFilter, IngestOutcome, ParseError, Report, ReportOptions};
use js_sys::{Function, JSON, Reflect, Uint8Array};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// A `Config` object or its JSON text.
    #[wasm_bindgen(typescript_type = "Config | string")]
    pub type ConfigArg;
    /// A `ReportOptions` object or its JSON text.
    #[wasm_bindgen(typescript_type = "ReportOptions | string")]
    pub type OptionsArg;
    /// `readFile(path)`: the text of the file at `path`.
    #[wasm_bindgen(typescript_type = "((path: string) => string)")]
    pub type ReadFile;
}

/// The analytics engine (the core's `Engine`). Freed by the garbage collector, or at once
/// with `free()`.
#[wasm_bindgen]
pub struct Engine {
    /// In a cell so that `merge` can take both engines by shared reference and tell an
    /// engine merged into itself apart (wasm-bindgen would otherwise refuse the call with
    /// a generic aliasing error).
    inner: RefCell<convolens::Engine>,
}

#[wasm_bindgen]
impl Engine {
    /// `new Engine(config?, readFile?)`: `config` is a `Config` object or its JSON text
    /// (default `{}`); `readFile(path)` returns the text of a `rate_card` given as a path
    /// (the core does no file I/O).
    #[wasm_bindgen(constructor)]
    pub fn new(
        config: Option<ConfigArg>,
        #[wasm_bindgen(js_name = "readFile")] read_file: Option<ReadFile>,
    ) -> Result<Engine, js_sys::Error> {
        Engine::build(config, read_file, None)
    }

    /// `Engine.withSecret(config, secret, readFile?)`: an engine whose config has
    /// `pseudonymise`, with its secret (a string or bytes; read it from wherever the
    /// config's `secret_env` says — the engine reads no environment). It keeps keyed
    /// hashes of identifiers instead of the identifiers.
    #[wasm_bindgen(js_name = withSecret)]
    pub fn with_secret(
        config: ConfigArg,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] secret: &JsValue,
        #[wasm_bindgen(js_name = "readFile")] read_file: Option<ReadFile>,
    ) -> Result<Engine, js_sys::Error> {
        Engine::build(Some(config), read_file, Some(secret_bytes(secret)?))
    }

    fn build(
        config: Option<ConfigArg>,
        read_file: Option<ReadFile>,
        secret: Option<Vec<u8>>,
    ) -> Result<Engine, js_sys::Error> {
        let text = json_text(&config.map_or(JsValue::UNDEFINED, JsValue::from), "config")?;
        let mut config = convolens::Config::from_json(text.as_deref().unwrap_or("{}"))
            .map_err(|e| config_error(&e))?;
        if let Some(f) = read_file {
            let f = f
                .dyn_into::<Function>()
                .map_err(|_| type_error("readFile must be a function"))?;
            // No config file here: `readFile` gets the path as the config wrote it.
            config
                .resolve_rate_card(None, |path| {
                    f.call1(&JsValue::NULL, &JsValue::from_str(&path.to_string_lossy()))
                        .map_err(|e| std::io::Error::other(js_message(&e)))?
                        .as_string()
                        .ok_or_else(|| std::io::Error::other("readFile did not return a string"))
                })
                .map_err(|e| config_error(&e))?;
        }
        let inner = match secret {
            Some(s) => convolens::Engine::with_secret(config, &s),
            None => convolens::Engine::new(config),
        }
        .map_err(|e| config_error(&e))?;
        Ok(Engine {
            inner: RefCell::new(inner),
        })
    }

    /// Ingest one document: a webhook payload, a convolens record, or a JSON array of them,
    /// as an object, JSON text or UTF-8 bytes. Throws a `ParseError` when it cannot be
    /// ingested (nothing of it is applied).
    #[wasm_bindgen(unchecked_return_type = "IngestOutcome")]
    pub fn ingest(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "object | string | Uint8Array")] doc: &JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let bytes = match doc.dyn_ref::<Uint8Array>() {
            Some(b) => b.to_vec(),
            None => json_text(doc, "document")?
                .ok_or_else(|| type_error("document must be an object, a string or a Uint8Array"))?
                .into_bytes(),
        };
        let outcome: IngestOutcome = self
            .inner
            .get_mut()
            .ingest(&bytes)
            .map_err(|e| parse_error(&e))?;
        to_js(&outcome)
    }

    /// Ingest documents (text or UTF-8 bytes) in one call and one linear pass: JSON lines,
    /// pretty-printed documents, documents glued together, and JSON arrays read element by
    /// element — the `report` program's way. A bad document does not throw: it is listed
    /// in `errors` (lines numbered from 1 within `data`) and the rest is ingested. Each call
    /// must hold whole documents.
    #[wasm_bindgen(js_name = ingestJsonl, unchecked_return_type = "StreamOutcome")]
    pub fn ingest_jsonl(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] data: &JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let bytes = match (data.dyn_ref::<Uint8Array>(), data.as_string()) {
            (Some(b), _) => b.to_vec(),
            (None, Some(s)) => s.into_bytes(),
            (None, None) => return Err(type_error("ingestJsonl takes a string or a Uint8Array")),
        };
        let inner = self.inner.get_mut();
        let first = inner.next_line();
        let outcome = inner
            .ingest_reader(bytes.as_slice())
            .map_err(|e| named_error("Error", &e.to_string()))?;
        to_js(&outcome.relative_to(first))
    }

    /// A report over the options' range (default: every ingested day). The result has the
    /// same keys and values as `report --json`.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn report(&mut self, options: Option<OptionsArg>) -> Result<JsValue, js_sys::Error> {
        to_js(&self.report_of(options)?)
    }

    /// Every table of the report over the options' range, by the core's rule (what
    /// `report --csv` writes): every list and keyed map, each `{name, path, columns, rows}`
    /// with `rows` an array of objects (column name → value; keyed maps have named
    /// columns, e.g. `billing.cost.by_day`: `date`, `cost`).
    #[wasm_bindgen(unchecked_return_type = "Table[]")]
    pub fn tables(&mut self, options: Option<OptionsArg>) -> Result<JsValue, js_sys::Error> {
        let tables = convolens::Table::from_json(&report_value(&self.report_of(options)?)?);
        to_js(&tables.iter().map(JsTable::of).collect::<Vec<_>>())
    }

    /// A row-level table over the options' range, number and model: `"charges"` (every
    /// business message whose billing day is in the range, billable or free, with its
    /// reason and price), `"conversations"` (every analytic conversation started in the
    /// range, with its source, lead flag and credited value) or `"contacts"` (every user),
    /// as `{name, path, columns, rows}` with `rows` an array of objects. Another name is a
    /// `ReportError` with `option == "table"`.
    #[wasm_bindgen(unchecked_return_type = "Table")]
    pub fn rows(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "'charges' | 'conversations' | 'contacts'")]
        table: &str,
        options: Option<OptionsArg>,
    ) -> Result<JsValue, js_sys::Error> {
        let opts = options_arg(options)?;
        let t = self
            .inner
            .get_mut()
            .rows(table, &opts)
            .map_err(|e| report_error(&e))?;
        to_js(&JsTable::of(&t))
    }

    /// The users of a source or an event over the options' range, as CSV (header
    /// `wa_id,name,country,first_seen,source,converted,value`, CRLF line ends). `filter` is
    /// `{source?, event?}`, or one name read as an event when an event has that name, else as
    /// a source key (the `report --contacts` rule).
    #[wasm_bindgen(js_name = exportContacts)]
    pub fn export_contacts(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ContactFilter | string")] filter: &JsValue,
        options: Option<OptionsArg>,
    ) -> Result<String, js_sys::Error> {
        self.contacts_csv(filter, options, |e, o, f, w| {
            e.export_contacts(o, f, w).map(drop)
        })
    }

    /// Meta's Hashed Custom Audience list for the same users as `exportContacts`: a
    /// `phone` column of SHA-256 hashes of the normalised numbers (CRLF line ends). Users
    /// without a number are left out. A pseudonymised engine keeps no numbers
    /// (`ReportError` of kind `unsupported`).
    #[wasm_bindgen(js_name = exportAudience)]
    pub fn export_audience(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ContactFilter | string")] filter: &JsValue,
        options: Option<OptionsArg>,
    ) -> Result<String, js_sys::Error> {
        self.contacts_csv(filter, options, |e, o, f, w| {
            e.export_audience(o, f, w).map(drop)
        })
    }

    /// The events to send to Meta's Conversions API for Business Messaging:
    /// `{batches: [{data: [...]}], ineligible: {reason: count}, cursor}`. `options`:
    /// `{since?: cursor, now?: seconds, batch_size?: 1..1000}` (object or JSON text).
    #[wasm_bindgen(js_name = capiEvents, unchecked_return_type = "CapiEvents")]
    pub fn capi_events(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CapiOptions | string")] options: &JsValue,
    ) -> Result<JsValue, js_sys::Error> {
        let text = json_text(options, "capi options")?;
        let opts = convolens::CapiOptions::from_json(text.as_deref().unwrap_or("{}"))
            .map_err(|e| report_error(&e))?;
        let out = self
            .inner
            .get_mut()
            .capi_events(&opts)
            .map_err(|e| report_error(&e))?;
        to_js(&out)
    }

    /// Erase a person: the `wa_id` or BSUID given and every identity linked to it, their
    /// name, messages, events, closes and clicks leave the engine and later snapshots.
    #[wasm_bindgen(unchecked_return_type = "ForgetOutcome")]
    pub fn forget(&mut self, contact: &str) -> Result<JsValue, js_sys::Error> {
        to_js(&self.inner.get_mut().forget(contact))
    }

    /// The filter and options of `exportContacts` and `exportAudience`.
    /// Run one of the engine's contact CSV writers (`export_contacts`, `export_audience`)
    /// with the filter and options as JavaScript gives them, and return its text.
    fn contacts_csv(
        &mut self,
        filter: &JsValue,
        options: Option<OptionsArg>,
        write: impl FnOnce(
            &mut convolens::Engine,
            &ReportOptions,
            &ContactFilter,
            &mut Vec<u8>,
        ) -> Result<(), convolens::ReportError>,
    ) -> Result<String, js_sys::Error> {
        let (filter, opts) = self.contacts_args(filter, options)?;
        let mut csv = Vec::new();
        write(self.inner.get_mut(), &opts, &filter, &mut csv).map_err(|e| report_error(&e))?;
        String::from_utf8(csv).map_err(|e| named_error("Error", &e.to_string()))
    }

    fn contacts_args(
        &self,
        filter: &JsValue,
        options: Option<OptionsArg>,
    ) -> Result<(ContactFilter, ReportOptions), js_sys::Error> {
        let filter = match filter.as_string() {
            Some(name) => self.inner.borrow().contact_filter(&name),
            None => contact_filter(json_text(filter, "filter")?.as_deref())
                .map_err(|e| report_error(&e))?,
        };
        let opts = options_arg(options)?;
        Ok((filter, opts))
    }

    /// The customer service and free entry point windows of `user` (`wa_id` or BSUID) with
    /// business number `phone` (`phone_number_id`; `null`: any number) at `at` (UTC seconds;
    /// default: now). `open` means free-form messages may be sent, not that they are free:
    /// `charged` / `free` say whether one delivered at `at` would be charged (from
    /// 2026-10-01 with the default timeline) or cost nothing. `null` when the user or the
    /// number was never seen.
    // wasm-bindgen passes an optional string only as an owned `Option<String>`.
    #[allow(clippy::needless_pass_by_value)]
    #[wasm_bindgen(js_name = freeFormWindow, unchecked_return_type = "WindowState | null")]
    pub fn free_form_window(
        &self,
        user: &str,
        phone: Option<String>,
        at: Option<f64>,
    ) -> Result<JsValue, js_sys::Error> {
        let at = at.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
        if !at.is_finite() || at.abs() > 1e15 {
            return Err(js_sys::RangeError::new("at must be a finite number of seconds").into());
        }
        match self
            .inner
            .borrow()
            .free_form_window(user, phone.as_deref(), at.floor() as i64)
        {
            Some(w) => to_js(&w),
            None => Ok(JsValue::NULL),
        }
    }

    /// Seal the days that can no longer change and drop the per-user history behind
    /// them, so memory stays flat for a fixed user base; call it periodically (say, daily).
    /// Days before `sealed_until` (latest event − `lateness_days` − lookback − 4 days,
    /// engine time zone) keep their aggregates; a report whose range starts before it must
    /// use the engine's time zone, no `phone`, the configured model and no
    /// `compare_models` (else a `ReportError` of kind `expired`), and input timed before
    /// it is ignored as `late`. Returns what this call did. Throws a `ReportError` of kind
    /// `unsupported` for the data-driven models `markov` and `shapley`. Expired engines
    /// cannot be merged.
    #[wasm_bindgen(unchecked_return_type = "ExpiryOutcome")]
    pub fn expire(&mut self) -> Result<JsValue, js_sys::Error> {
        let out = self
            .inner
            .get_mut()
            .expire()
            .map_err(|e| report_error(&e))?;
        to_js(&out)
    }

    /// What every `expire()` so far sealed and dropped, in total (`sealed_until` the current
    /// horizon), or `null` while nothing is sealed. Snapshots keep it.
    #[wasm_bindgen(unchecked_return_type = "ExpiryOutcome | null")]
    pub fn expired(&self) -> Result<JsValue, js_sys::Error> {
        to_js(&self.inner.borrow().expired())
    }

    /// The whole state as bytes, for `Engine.restore`.
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.borrow().snapshot()
    }

    /// An engine from `snapshot()` bytes; it answers every query as the original did and
    /// goes on ingesting. Throws a `SnapshotError` for bytes that are not a valid snapshot.
    /// A pseudonymised engine's snapshot needs its secret: `Engine.restoreWithSecret`
    /// (here a `SnapshotError` of kind `needs_secret`).
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<Engine, js_sys::Error> {
        let inner =
            convolens::Engine::restore(&snapshot_bytes(bytes)?).map_err(|e| snapshot_error(&e))?;
        Ok(Engine {
            inner: RefCell::new(inner),
        })
    }

    /// `Engine.restore` for a pseudonymised engine's snapshot, with its secret (another
    /// secret: a `SnapshotError` of kind `wrong_secret`).
    #[wasm_bindgen(js_name = restoreWithSecret)]
    pub fn restore_with_secret(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] secret: &JsValue,
    ) -> Result<Engine, js_sys::Error> {
        let inner =
            convolens::Engine::restore_with_secret(&snapshot_bytes(bytes)?, &secret_bytes(secret)?)
                .map_err(|e| snapshot_error(&e))?;
        Ok(Engine {
            inner: RefCell::new(inner),
        })
    }

    /// Merge another engine's state into this one, as if its input had been ingested here
    /// (for engines fed disjoint sets of users). Both must have the same configuration and
    /// neither may have expired history (else a `ConfigError`); an engine cannot be merged
    /// into itself (a `TypeError` saying so).
    pub fn merge(&self, other: &Engine) -> Result<(), js_sys::Error> {
        if std::ptr::eq(self, other) {
            return Err(type_error(
                "merge: an engine cannot be merged into itself (pass another engine; merging its own state would change nothing)",
            ));
        }
        let theirs = other.inner.borrow();
        self.inner
            .borrow_mut()
            .merge(&theirs)
            .map_err(|e| any_error(&e))
    }

    /// The configuration, with every default filled in.
    #[wasm_bindgen(unchecked_return_type = "ResolvedConfig")]
    pub fn config(&self) -> Result<JsValue, js_sys::Error> {
        to_js(self.inner.borrow().config())
    }

    /// Set the longest accepted document, in bytes (default 16 MiB): a document given to
    /// `ingest`, a JSONL line's or pretty-printed document in `ingestJsonl`, or one element
    /// of a JSON array there (an array read element by element has no limit of its own). A
    /// longer one is a `ParseError` of kind `too_long`. Not part of a snapshot.
    #[wasm_bindgen(js_name = setMaxDocumentBytes)]
    pub fn set_max_document_bytes(&mut self, max: u32) -> Result<(), js_sys::Error> {
        if max == 0 {
            return Err(js_sys::RangeError::new("maxDocumentBytes must be positive").into());
        }
        self.inner.get_mut().set_max_document_bytes(max as usize);
        Ok(())
    }

    /// The longest accepted document, in bytes (see `setMaxDocumentBytes`).
    #[wasm_bindgen(getter = maxDocumentBytes)]
    pub fn max_document_bytes(&self) -> f64 {
        self.inner.borrow().max_document_bytes() as f64
    }

    /// `setMaxDocumentBytes` under its former name.
    #[wasm_bindgen(js_name = setMaxLineBytes)]
    pub fn set_max_line_bytes(&mut self, max: u32) -> Result<(), js_sys::Error> {
        self.set_max_document_bytes(max)
    }
}

impl Engine {
    /// The report over the options' range (what `report` and `tables` start from).
    fn report_of(&mut self, options: Option<OptionsArg>) -> Result<Report, js_sys::Error> {
        let opts = options_arg(options)?;
        self.inner
            .get_mut()
            .report(&opts)
            .map_err(|e| report_error(&e))
    }
}

/// The package version (the core's version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Report options from a JS argument (an object, JSON text or nothing).
fn options_arg(options: Option<OptionsArg>) -> Result<ReportOptions, js_sys::Error> {
    let text = json_text(
        &options.map_or(JsValue::UNDEFINED, JsValue::from),
        "report options",
    )?;
    report_options(text.as_deref()).map_err(|e| report_error(&e))
}

/// Report options from JSON text (`None` = defaults), through the core's parser.
fn report_options(text: Option<&str>) -> Result<ReportOptions, convolens::ReportError> {
    text.map_or_else(|| Ok(ReportOptions::default()), ReportOptions::from_json)
}

/// A contacts filter from JSON text (`None` = no filter), naming the offending key.
fn contact_filter(text: Option<&str>) -> Result<ContactFilter, convolens::ReportError> {
    let Some(t) = text else {
        return Ok(ContactFilter::default());
    };
    ContactFilter::from_json(t)
}

/// A value as JSON text: strings are taken as JSON already; objects are stringified;
/// `undefined`/`null` are `None`.
fn json_text(v: &JsValue, what: &str) -> Result<Option<String>, js_sys::Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s));
    }
    if !v.is_object() {
        return Err(type_error(&format!(
            "{what} must be an object or JSON text"
        )));
    }
    JSON::stringify(v)
        .map_err(|e| {
            type_error(&format!(
                "{what} cannot be turned into JSON: {}",
                js_message(&e)
            ))
        })?
        .as_string()
        .map(Some)
        .ok_or_else(|| type_error(&format!("{what} cannot be turned into JSON")))
}

/// A core table as JS sees it: rows as objects.
#[derive(Serialize)]
struct JsTable<'t> {
    name: &'t str,
    path: &'t str,
    columns: &'t [String],
    rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl<'t> JsTable<'t> {
    fn of(t: &'t convolens::Table) -> JsTable<'t> {
        let rows = t
            .values
            .iter()
            .map(|r| t.header.iter().cloned().zip(r.iter().cloned()).collect())
            .collect();
        JsTable {
            name: &t.name,
            path: &t.path,
            columns: &t.header,
            rows,
        }
    }
}

/// Serialise with the core's serde types and hand JS a plain object (one crossing).
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, js_sys::Error> {
    let text = serde_json::to_string(v).map_err(|e| named_error("Error", &e.to_string()))?;
    JSON::parse(&text).map_err(|e| named_error("Error", &js_message(&e)))
}

/// The report's JSON form as a `serde_json::Value`, for `Table::from_json` (the tables
/// `Report::tables` gives): its JSON text read back, not `serde_json::to_value`. The same
/// value (the text is serde_json's own, its floats round-trip, and `Value`'s maps are
/// sorted either way), but the report's types are serialised by the one serialiser
/// `to_js` already has: `to_value` would add a second copy of every report type's
/// serialiser to the module (59 kB before `wasm-opt`).
fn report_value(report: &Report) -> Result<serde_json::Value, js_sys::Error> {
    let text = serde_json::to_vec(report).map_err(|e| named_error("Error", &e.to_string()))?;
    serde_json::from_slice(&text).map_err(|e| named_error("Error", &e.to_string()))
}

/// Snapshot bytes from a `Uint8Array`.
fn snapshot_bytes(v: &JsValue) -> Result<Vec<u8>, js_sys::Error> {
    Ok(v.dyn_ref::<Uint8Array>()
        .ok_or_else(|| type_error("restore takes a Uint8Array"))?
        .to_vec())
}

/// A secret given as a string (UTF-8) or bytes.
fn secret_bytes(v: &JsValue) -> Result<Vec<u8>, js_sys::Error> {
    match (v.as_string(), v.dyn_ref::<Uint8Array>()) {
        (Some(s), _) => Ok(s.into_bytes()),
        (None, Some(b)) => Ok(b.to_vec()),
        (None, None) => Err(type_error("secret must be a string or a Uint8Array")),
    }
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

fn named_error(name: &str, message: &str) -> js_sys::Error {
    let e = js_sys::Error::new(message);
    e.set_name(name);
    e
}

fn type_error(message: &str) -> js_sys::Error {
    js_sys::TypeError::new(message).into()
}

/// An error the package's class `class` recognises (`src/errors.js`: its `name`), with
/// own properties `props`; setting a property on a fresh error cannot fail.
fn convolens_error(class: &str, message: &str, props: &[(&str, JsValue)]) -> js_sys::Error {
    let e = named_error(class, message);
    for (k, v) in props {
        let _ = Reflect::set(&e, &JsValue::from_str(k), v);
    }
    e
}

fn parse_error(e: &ParseError) -> js_sys::Error {
    convolens_error(
        "ParseError",
        &e.to_string(),
        &[
            ("kind", e.kind.as_str().into()),
            ("line", (e.line as f64).into()),
            ("column", (e.column as f64).into()),
            ("field", e.field.as_str().into()),
        ],
    )
}

fn config_error(e: &convolens::ConfigError) -> js_sys::Error {
    convolens_error("ConfigError", &e.to_string(), &[("key", e.key().into())])
}

fn report_error(e: &convolens::ReportError) -> js_sys::Error {
    if let convolens::ReportError::Config(c) = e {
        return config_error(c);
    }
    convolens_error(
        "ReportError",
        &e.to_string(),
        &[
            ("kind", e.kind().into()),
            ("option", e.option().unwrap_or("").into()),
        ],
    )
}

fn snapshot_error(e: &convolens::SnapshotError) -> js_sys::Error {
    convolens_error(
        "SnapshotError",
        &e.to_string(),
        &[("kind", e.kind().into())],
    )
}

fn any_error(e: &convolens::Error) -> js_sys::Error {
    match e {
        convolens::Error::Parse(e) => parse_error(e),
        convolens::Error::Config(e) => config_error(e),
        convolens::Error::Report(e) => report_error(e),
        convolens::Error::Snapshot(e) => snapshot_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_when_absent() {
        assert_eq!(report_options(None).unwrap(), ReportOptions::default());
    }

    #[test]
    fn options_parse_and_name_the_bad_key() {
        let o = report_options(Some(r#"{"last":"7d","phone":"1001"}"#)).unwrap();
        assert_eq!(o.last.as_deref(), Some("7d"));
        assert_eq!(o.phone.as_deref(), Some("1001"));
        // Unknown key: the message names it.
        let e = report_options(Some(r#"{"lats":"7d"}"#)).unwrap_err();
        assert!(e.to_string().contains("lats"), "{e}");
        // Wrong type: the path names the key.
        let e = report_options(Some(r#"{"from":20250101}"#)).unwrap_err();
        assert_eq!(e.option(), Some("from"));
        // `start`/`end` are accepted as in Python, and named as written.
        let o = report_options(Some(r#"{"start":"2025-07-01","end":"2025-07-08"}"#)).unwrap();
        assert_eq!(o.from.map(|d| d.to_string()).as_deref(), Some("2025-07-01"));
        let e = report_options(Some(r#"{"end":"July"}"#)).unwrap_err();
        assert_eq!(e.option(), Some("end"));
    }

    #[test]
    fn tables_from_the_report_text_are_the_reports_tables() {
        let mut engine = convolens::Engine::new(convolens::Config::default()).unwrap();
        // 1751450000 = 2025-07-02 10:33:20 UTC: one marketing template sent that day.
        engine
            .ingest_str(r#"{"type":"outbound","id":"w1","to":"4915112345678","timestamp":1751450000,"template":"promo","category":"marketing"}"#)
            .unwrap();
        let report = engine.report(&ReportOptions::default()).unwrap();
        let tables = convolens::Table::from_json(&report_value(&report).unwrap());
        assert_eq!(tables, report.tables());
        let volume = tables
            .iter()
            .find(|t| t.name == "engagement_daily_volume")
            .unwrap();
        assert_eq!(volume.header[0], "date");
        assert_eq!(volume.rows[0][0], "2025-07-02");
    }

    #[test]
    fn contact_filters_parse_and_name_the_bad_key() {
        let f = contact_filter(Some(r#"{"source":"qr:shop"}"#)).unwrap();
        assert_eq!(f, ContactFilter::source("qr:shop"));
        assert_eq!(contact_filter(None).unwrap(), ContactFilter::default());
        let e = contact_filter(Some(r#"{"event":7}"#)).unwrap_err();
        assert_eq!(e.option(), Some("filter.event"));
        let e = contact_filter(Some(r#"{"sauce":"x"}"#)).unwrap_err();
        assert!(e.to_string().contains("sauce"), "{e}");
    }
}
