//! Python bindings for convolens: the `convolens._native` extension module.
//!
//! A translation layer only: it converts Python values to the core's inputs, core results
//! to plain Python objects (through the same `serde_json` serialiser as `report --json`),
//! and core errors to a Python exception hierarchy. Bulk calls release the GIL and cross
//! into Rust once per batch. A panic in the core is caught here and raised as
//! `ConvolensError`; it never reaches Python as `PanicException`.

// Doc comments on Python-visible items are Python help text, not rustdoc.
#![allow(clippy::doc_markdown)]
// pyo3 extracts arguments as owned values; taking them by value is its idiom.
#![allow(clippy::needless_pass_by_value)]

use convolens::{ParseErrorKind, ReportOptions};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

/// The exception classes, defined in Python (`convolens/_errors.py`) so that `ParseError`
/// and `ConfigError` can also derive from `ValueError` (pyo3's `create_exception!` takes
/// one base).
fn errors(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("convolens._errors")
}

/// An exception of class `class` with `message` and the attributes `attrs`.
fn error(py: Python<'_>, class: &str, message: String, attrs: &[(&str, Py<PyAny>)]) -> PyErr {
    let make = || -> PyResult<PyErr> {
        let cls = errors(py)?.getattr(class)?;
        let value = cls.call1((message,))?;
        for (k, v) in attrs {
            value.setattr(*k, v)?;
        }
        Ok(PyErr::from_value(value))
    };
    make().unwrap_or_else(|e| e)
}

/// `ConvolensError(message)`, for internal errors and the like.
fn convolens_err(message: impl ToString) -> PyErr {
    Python::attach(|py| error(py, "ConvolensError", message.to_string(), &[]))
}

/// Items pulled from a Python iterable before the GIL is released to ingest them.
const CHUNK_ITEMS: usize = 4096;
/// Bytes asked of a Python file object per `read` call.
const READ_CHUNK: usize = 1 << 20;
/// Deepest nesting accepted when converting Python containers to JSON.
const MAX_DEPTH: u32 = 128;

fn parse_err(py: Python<'_>, e: &convolens::ParseError) -> PyErr {
    let attrs = || -> PyResult<Vec<(&str, Py<PyAny>)>> {
        Ok(vec![
            (
                "kind",
                e.kind.as_str().into_pyobject(py)?.into_any().unbind(),
            ),
            ("line", e.line.into_pyobject(py)?.into_any().unbind()),
            ("column", e.column.into_pyobject(py)?.into_any().unbind()),
            (
                "field",
                e.field.as_str().into_pyobject(py)?.into_any().unbind(),
            ),
            (
                "message",
                e.message.as_str().into_pyobject(py)?.into_any().unbind(),
            ),
        ])
    };
    match attrs() {
        Ok(a) => error(py, "ParseError", e.to_string(), &a),
        Err(err) => err,
    }
}

fn str_attr(py: Python<'_>, s: &str) -> Py<PyAny> {
    PyString::new(py, s).into_any().unbind()
}

fn config_err(py: Python<'_>, e: &convolens::ConfigError) -> PyErr {
    error(
        py,
        "ConfigError",
        e.to_string(),
        &[("key", str_attr(py, e.key()))],
    )
}

/// A `ReportError` with the core's `kind` and `option` (`""` when none); a configuration
/// problem is a `ConfigError`.
fn report_err(py: Python<'_>, e: &convolens::ReportError) -> PyErr {
    if let convolens::ReportError::Config(c) = e {
        return config_err(py, c);
    }
    let option = e.option().unwrap_or("");
    error(
        py,
        "ReportError",
        e.to_string(),
        &[
            ("kind", str_attr(py, e.kind())),
            ("option", str_attr(py, option)),
        ],
    )
}

fn snapshot_err(py: Python<'_>, e: &convolens::SnapshotError) -> PyErr {
    error(
        py,
        "SnapshotError",
        e.to_string(),
        &[("kind", str_attr(py, e.kind()))],
    )
}

fn core_err(py: Python<'_>, e: &convolens::Error) -> PyErr {
    match e {
        convolens::Error::Parse(p) => parse_err(py, p),
        convolens::Error::Config(c) => config_err(py, c),
        convolens::Error::Report(r) => report_err(py, r),
        convolens::Error::Snapshot(s) => snapshot_err(py, s),
    }
}

/// Any serde value as plain Python objects, through the JSON text `report --json` prints.
fn to_py<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| convolens_err(e.to_string()))?;
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

/// A Python `str`/`PathLike` path, or `None` for anything else.
fn as_path(obj: &Bound<'_, PyAny>) -> Option<std::path::PathBuf> {
    (obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__").unwrap_or(false))
        .then(|| obj.extract().ok())
        .flatten()
}

/// One document ready to ingest without the GIL: borrowed Python bytes, or JSON we wrote.
enum Doc {
    Bytes(PyBackedBytes),
    Str(PyBackedStr),
    Json(Vec<u8>),
    /// An item that could not be converted, with the kind of error and the reason.
    Bad(ParseErrorKind, String),
}

impl Doc {
    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Doc> {
        if let Ok(s) = obj.cast::<PyString>() {
            // A str that is not valid Unicode (a lone surrogate) cannot be UTF-8: a
            // document that fails like invalid UTF-8 bytes, not an encoder's exception.
            return Ok(match PyBackedStr::try_from(s.clone()) {
                Ok(text) => Doc::Str(text),
                Err(e) => Doc::Bad(
                    ParseErrorKind::Utf8,
                    format!("the str is not valid Unicode text: {e}"),
                ),
            });
        }
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Ok(Doc::Bytes(obj.extract()?));
        }
        if obj.is_instance_of::<PyDict>()
            || obj.is_instance_of::<PyList>()
            || obj.is_instance_of::<PyTuple>()
        {
            let mut out = Vec::with_capacity(512);
            return Ok(match write_json(obj, &mut out, 0) {
                Ok(()) => Doc::Json(out),
                Err(m) => Doc::Bad(ParseErrorKind::Schema, m),
            });
        }
        Err(PyTypeError::new_err(format!(
            "expected a dict, list, str or bytes document, got {}",
            obj.get_type().name()?
        )))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Doc::Bytes(b) => b,
            Doc::Str(s) => s.as_bytes(),
            Doc::Json(v) => v,
            Doc::Bad(..) => b"",
        }
    }

    /// Ingest into `engine`. A `Bad` item is counted as a failed line like any other.
    fn ingest(
        &self,
        engine: &mut convolens::Engine,
    ) -> Result<convolens::IngestOutcome, convolens::ParseError> {
        let r = engine.ingest(self.bytes());
        match (self, r) {
            (Doc::Bad(kind, m), Err(mut e)) => {
                (e.kind, e.message) = (*kind, m.clone());
                Err(e)
            }
            (_, r) => r,
        }
    }
}

/// Write a Python value (dict, list, tuple, str, int, float, bool, None) as JSON.
fn write_json(v: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: u32) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    let ser = |out: &mut Vec<u8>, s: &str| serde_json::to_writer(out, s).map_err(|e| e.to_string());
    if let Ok(s) = v.cast::<PyString>() {
        ser(out, &s.to_cow().map_err(|e| e.to_string())?)?;
    } else if let Ok(d) = v.cast::<PyDict>() {
        out.push(b'{');
        for (i, (k, x)) in d.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let k = k
                .cast::<PyString>()
                .map_err(|_| format!("dict key {k} is not a str"))?;
            ser(out, &k.to_cow().map_err(|e| e.to_string())?)?;
            out.push(b':');
            write_json(&x, out, depth + 1)?;
        }
        out.push(b'}');
    } else if v.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(b) = v.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if v.is_instance_of::<PyInt>() {
        // Python ints are unbounded: write the digits; the core checks the range.
        let digits = match v.extract::<i64>() {
            Ok(n) => n.to_string(),
            Err(_) => v.str().map_err(|e| e.to_string())?.to_string(),
        };
        out.extend_from_slice(digits.as_bytes());
    } else if let Ok(f) = v.cast::<PyFloat>() {
        let f = f.value();
        if !f.is_finite() {
            return Err(format!("{f} is not a JSON number"));
        }
        serde_json::to_writer(out, &f).map_err(|e| e.to_string())?;
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        out.push(b'[');
        for (i, x) in v.try_iter().map_err(|e| e.to_string())?.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json(&x.map_err(|e| e.to_string())?, out, depth + 1)?;
        }
        out.push(b']');
    } else {
        let ty = v
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(format!("a {ty} cannot be converted to JSON"));
    }
    Ok(())
}

/// `Read` over a Python file object (binary or text), taking the GIL for each chunk.
struct PyReader {
    file: Py<PyAny>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for PyReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.pos = 0;
            self.buf = Python::attach(|py| -> PyResult<Vec<u8>> {
                let chunk = self.file.bind(py).call_method1("read", (READ_CHUNK,))?;
                match chunk.cast::<PyString>() {
                    Ok(s) => Ok(s.to_cow()?.as_bytes().to_vec()),
                    Err(_) => chunk.extract::<Vec<u8>>(),
                }
            })
            .map_err(std::io::Error::other)?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A Python `datetime.date` or `"YYYY-MM-DD"` string as the core's `YYYY-MM-DD` text.
fn date_arg(name: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(s) = v.extract::<String>() {
        return Ok(Some(s));
    }
    let ymd = || -> PyResult<(i32, u32, u32)> {
        Ok((
            v.getattr("year")?.extract()?,
            v.getattr("month")?.extract()?,
            v.getattr("day")?.extract()?,
        ))
    };
    let (y, m, d) = ymd().map_err(|_| {
        PyTypeError::new_err(format!(
            "`{name}` must be a datetime.date or a \"YYYY-MM-DD\" string"
        ))
    })?;
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

/// An instant as UTC Unix seconds: `None` (now), an `int` or `float` of Unix seconds, or a
/// `datetime.datetime` (naive: UTC).
fn instant_arg(py: Python<'_>, v: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        return Ok(i64::try_from(now).unwrap_or(i64::MAX));
    };
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        return v.extract::<i64>();
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let f = f.value();
        if !f.is_finite() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "`at` must be a finite number of seconds, got {f}"
            )));
        }
        return Ok(f.floor() as i64);
    }
    let dt = py.import("datetime")?;
    if v.is_instance(&dt.getattr("datetime")?)? {
        let v = if v.getattr("tzinfo")?.is_none() {
            let kw = PyDict::new(py);
            kw.set_item("tzinfo", dt.getattr("timezone")?.getattr("utc")?)?;
            v.call_method("replace", (), Some(&kw))?
        } else {
            v.clone()
        };
        let f: f64 = v.call_method0("timestamp")?.extract()?;
        return Ok(f.floor() as i64);
    }
    Err(PyTypeError::new_err(format!(
        "`at` must be a datetime.datetime, Unix seconds or None, got {}",
        v.get_type().name()?
    )))
}

/// UTC Unix seconds as an aware `datetime.datetime` (UTC).
fn utc_datetime(py: Python<'_>, ts: Option<i64>) -> PyResult<Py<PyAny>> {
    let Some(ts) = ts else {
        return Ok(py.None());
    };
    let dt = py.import("datetime")?;
    let utc = dt.getattr("timezone")?.getattr("utc")?;
    Ok(dt
        .getattr("datetime")?
        .call_method1("fromtimestamp", (ts, utc))?
        .unbind())
}

/// Report options from Python keywords, through the core's `ReportOptions::from_json`: an
/// option the core adds works with no change here (`start`/`end` are its aliases of
/// `from`/`to`).
fn report_options(
    py: Python<'_>,
    start: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<ReportOptions> {
    let dict = match options {
        Some(o) => o.copy()?,
        None => PyDict::new(py),
    };
    for (key, v) in [
        ("start", date_arg("start", start)?),
        ("end", date_arg("end", end)?),
    ] {
        if let Some(v) = v {
            dict.set_item(key, v)?;
        }
    }
    let mut json = Vec::new();
    write_json(dict.as_any(), &mut json, 0).map_err(|m| {
        report_err(
            py,
            &convolens::ReportError::Option {
                option: String::new(),
                message: format!("report options: {m}"),
            },
        )
    })?;
    let text = String::from_utf8(json).map_err(convolens_err)?;
    ReportOptions::from_json(&text).map_err(|e| report_err(py, &e))
}

/// The report options Python signatures spell out besides `start` and `end`, in order.
const SPELLED: [&str; 5] = ["last", "phone", "model", "time_zone", "conversion_event"];

/// The keyword arguments of a report call as one dict: `options` (the `**options`) plus
/// the options of `SPELLED` its signature gave (`None` leaves one unset) and the flags
/// (`compare`, `compare_models`) that are set.
fn spelled<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
    values: [Option<&Bound<'py, PyAny>>; 5],
    flags: &[(&str, bool)],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = match options {
        Some(o) => o.copy()?,
        None => PyDict::new(py),
    };
    for (key, v) in SPELLED.iter().zip(values) {
        if let Some(v) = v.filter(|v| !v.is_none()) {
            dict.set_item(*key, v)?;
        }
    }
    for (key, on) in flags {
        if *on {
            dict.set_item(*key, true)?;
        }
    }
    Ok(dict)
}

fn lock(
    m: &Mutex<convolens::Engine>,
) -> Result<std::sync::MutexGuard<'_, convolens::Engine>, String> {
    m.lock()
        .map_err(|_| "engine is unusable after an earlier internal error".to_string())
}

/// Run `f`, turning a panic into an error message.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p.downcast_ref::<&str>().map(ToString::to_string);
        let msg = msg.or_else(|| p.downcast_ref::<String>().cloned());
        format!(
            "internal error (please report it): {}",
            msg.unwrap_or_default()
        )
    })
}

/// The customer service window of one user at one instant, from `Engine.can_send_free_form`.
///
/// True (as a bool) when the window is open, i.e. the business may send free-form
/// (non-template) messages — which does not make them free: `charged` is True when a
/// free-form message delivered at `at` would be charged at the service rate (from
/// 2026-10-01 with the default pricing timeline, outside a free entry point window), `free`
/// when it would cost nothing. Attributes, each an aware UTC `datetime.datetime` or None:
/// `until` (when the window closes, or last closed), `last_inbound` (the user's latest
/// message at or before `at`), `free_entry_until` (a free entry point window is open until
/// then: messages delivered before it are free), `free_entry_reply_by` (the user came
/// from an ad or Page call-to-action and was not answered yet: a reply delivered before
/// then opens a free entry point window); `open` (bool) and `at` (the instant asked about).
#[pyclass(frozen, eq, module = "convolens")]
#[derive(PartialEq, Eq)]
struct FreeFormWindow {
    at: i64,
    state: convolens::WindowState,
}

#[pymethods]
impl FreeFormWindow {
    /// True when the customer service window is open: free-form messages may be sent.
    #[getter]
    fn open(&self) -> bool {
        self.state.open
    }

    /// True when the window is open and a free-form message delivered at `at` would cost
    /// nothing (service messages free under the rules in force, or a free entry point
    /// window open).
    #[getter]
    fn free(&self) -> bool {
        self.state.free
    }

    /// True when the window is open and a free-form message delivered at `at` would be
    /// charged at the market's service rate (from 2026-10-01 by default, outside a free
    /// entry point window).
    #[getter]
    fn charged(&self) -> bool {
        self.state.charged
    }

    /// The instant asked about (aware UTC datetime).
    #[getter]
    fn at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, Some(self.at))
    }

    /// When the customer service window closes (or last closed); None if the user never
    /// wrote.
    #[getter]
    fn until(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, self.state.until)
    }

    /// The user's latest message at or before `at`; None if none.
    #[getter]
    fn last_inbound(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, self.state.last_inbound)
    }

    /// A free entry point window is open until then (messages delivered before it are
    /// free); None when none is open.
    #[getter]
    fn free_entry_until(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, self.state.free_entry_until)
    }

    /// The user came from an ad or Page call-to-action and was not answered yet: a reply
    /// delivered before this instant opens a free entry point window. None otherwise.
    #[getter]
    fn free_entry_reply_by(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        utc_datetime(py, self.state.free_entry_reply_by)
    }

    /// The attributes as a dict: `open`, `free`, `charged`, `at`, `until`, `last_inbound`,
    /// `free_entry_until`, `free_entry_reply_by` (datetimes as above). With
    /// `timestamps=True` the instants are UTC Unix seconds instead.
    #[pyo3(signature = (timestamps = false))]
    fn to_dict<'py>(&self, py: Python<'py>, timestamps: bool) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("open", self.state.open)?;
        d.set_item("free", self.state.free)?;
        d.set_item("charged", self.state.charged)?;
        let s = &self.state;
        for (k, v) in [
            ("at", Some(self.at)),
            ("until", s.until),
            ("last_inbound", s.last_inbound),
            ("free_entry_until", s.free_entry_until),
            ("free_entry_reply_by", s.free_entry_reply_by),
        ] {
            if timestamps {
                d.set_item(k, v)?;
            } else {
                d.set_item(k, utc_datetime(py, v)?)?;
            }
        }
        Ok(d)
    }

    fn __bool__(&self) -> bool {
        self.state.open
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let until = utc_datetime(py, self.state.until)?;
        let until = until.bind(py);
        let until = if until.is_none() {
            "None".to_string()
        } else {
            until.call_method0("isoformat")?.extract()?
        };
        let py_bool = |b: bool| if b { "True" } else { "False" };
        Ok(format!(
            "<convolens.FreeFormWindow open={} charged={} until={until}>",
            py_bool(self.state.open),
            py_bool(self.state.charged)
        ))
    }
}

/// A `secret=` argument: `str` (UTF-8) or `bytes`.
fn secret_arg(v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<u8>>> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(s) = v.extract::<PyBackedStr>() {
        return Ok(Some(s.as_bytes().to_vec()));
    }
    match v.extract::<PyBackedBytes>() {
        Ok(b) => Ok(Some(b.to_vec())),
        Err(_) => Err(PyTypeError::new_err("`secret` must be str or bytes")),
    }
}

/// The secret of a pseudonymising config, from the environment variable it names.
fn secret_from_env(name: &str) -> Result<Vec<u8>, convolens::ConfigError> {
    match std::env::var_os(name) {
        Some(v) if !v.is_empty() => Ok(v.into_encoded_bytes()),
        _ => Err(convolens::ConfigError::value(
            "pseudonymise.secret_env",
            format!("the environment variable `{name}` is not set (or pass secret=...)"),
        )),
    }
}

/// The analytics engine. Feed it WhatsApp Cloud API webhook payloads and convolens JSONL
/// records in any order, as often as they arrive; ask it for reports.
///
/// `Engine(config=None)`: `config` is a dict (or a JSON string) with the keys of the
/// core's `Config` (`time_zone`, `currency`, `sources`, `events`, `rate_card`, ...).
/// A `rate_card` given as a path is read relative to the current directory; use
/// `Engine.from_config_file` to read it relative to the config file. Raises `ConfigError`.
/// A config with `pseudonymise` needs its secret: `secret=` (str or bytes), else the
/// environment variable its `secret_env` names is read.
///
/// Safe to share between threads; every call takes the engine's lock without the GIL.
#[pyclass(frozen, module = "convolens")]
struct Engine {
    inner: Mutex<convolens::Engine>,
}

impl Engine {
    /// Run `f` on the engine without the GIL; a panic becomes `ConvolensError`.
    fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut convolens::Engine) -> R + Send,
    ) -> PyResult<R> {
        py.detach(|| {
            let mut engine = lock(&self.inner)?;
            guarded(|| f(&mut engine))
        })
        .map_err(convolens_err)
    }

    fn from_config(
        py: Python<'_>,
        text: &str,
        base: Option<std::path::PathBuf>,
        secret: Option<Vec<u8>>,
    ) -> PyResult<Engine> {
        let mut cfg = convolens::Config::from_json(text).map_err(|e| config_err(py, &e))?;
        cfg.resolve_rate_card(base.as_deref(), |p| std::fs::read_to_string(p))
            .map_err(|e| config_err(py, &e))?;
        let engine = match &cfg.pseudonymise {
            Some(p) => {
                let secret = match secret {
                    Some(s) => s,
                    None => secret_from_env(&p.secret_env).map_err(|e| config_err(py, &e))?,
                };
                convolens::Engine::with_secret(cfg, &secret)
            }
            None => convolens::Engine::new(cfg),
        }
        .map_err(|e| config_err(py, &e))?;
        Ok(Engine {
            inner: Mutex::new(engine),
        })
    }

    /// Ingest documents; an error's `line` is the document's 1-based position in the call.
    fn ingest_docs(
        &self,
        py: Python<'_>,
        docs: &[Doc],
        out: &mut convolens::StreamOutcome,
    ) -> PyResult<()> {
        self.with(py, |e| {
            for d in docs {
                out.lines += 1;
                match d.ingest(e) {
                    Ok(o) => out.outcome.absorb(o),
                    Err(err) => out.errors.push(convolens::ParseError {
                        line: out.lines,
                        ..err
                    }),
                }
            }
        })
    }

    fn report_text(
        &self,
        py: Python<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
        pretty: bool,
    ) -> PyResult<String> {
        let opts = report_options(py, start, end, options)?;
        let report = self.with(py, |e| {
            let write = if pretty {
                serde_json::to_string_pretty
            } else {
                serde_json::to_string
            };
            e.report(&opts).map(|r| write(&r))
        })?;
        let text = report.map_err(|e| report_err(py, &e))?;
        text.map_err(|e| convolens_err(e.to_string()))
    }

    fn finish(py: Python<'_>, out: &convolens::StreamOutcome, strict: bool) -> PyResult<Py<PyAny>> {
        match out.errors.first() {
            Some(e) if strict => Err(parse_err(py, e)),
            _ => to_py(py, out),
        }
    }
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (config = None, *, secret = None))]
    fn new(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Engine> {
        let secret = secret_arg(secret)?;
        let text = match config {
            None => "{}".to_string(),
            Some(c) if c.is_none() => "{}".to_string(),
            Some(c) => match c.extract::<String>() {
                Ok(s) => s,
                Err(_) => py
                    .import("json")?
                    .call_method1("dumps", (c,))
                    .map_err(|e| {
                        let message = e.to_string();
                        config_err(
                            py,
                            &convolens::ConfigError::Invalid {
                                path: String::new(),
                                message,
                            },
                        )
                    })?
                    .extract()?,
            },
        };
        Engine::from_config(py, &text, None, secret)
    }

    /// An engine configured by a JSON file, like `report --config`; a `rate_card` path in
    /// it is read relative to the file. Raises `ConfigError`, or `OSError` when the file
    /// cannot be read.
    #[staticmethod]
    #[pyo3(signature = (path, *, secret = None))]
    fn from_config_file(
        py: Python<'_>,
        path: std::path::PathBuf,
        secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Engine> {
        let secret = secret_arg(secret)?;
        let text = std::fs::read_to_string(&path)?;
        let base = path.parent().map(std::path::Path::to_path_buf);
        Engine::from_config(py, &text, base, secret)
    }

    /// The longest document accepted, in bytes (default 16 MiB): a document given to
    /// `ingest` or `ingest_many`, a JSONL line's or pretty-printed document in
    /// `ingest_jsonl`, or one element of a JSON array there (an array read element by
    /// element has no limit of its own). A longer one is a `ParseError` of kind
    /// `too_long`, never read whole into memory. Settable; not part of a snapshot.
    #[getter]
    fn max_document_bytes(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, |e| e.max_document_bytes())
    }

    #[setter]
    fn set_max_document_bytes(&self, py: Python<'_>, value: usize) -> PyResult<()> {
        if value == 0 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "max_document_bytes must be positive",
            ));
        }
        self.with(py, |e| e.set_max_document_bytes(value))
    }

    /// The configuration, as a dict (every key, defaults filled in).
    #[getter]
    fn config(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let cfg = self.with(py, |e| e.config().clone())?;
        to_py(py, &cfg)
    }

    /// Ingest one document: a webhook payload or convolens record as a dict, a list of
    /// them, or their JSON text as `str` or `bytes`. Returns `{"ingested", "duplicates",
    /// "ignored"}`. Raises `ParseError` (nothing of the document is applied; a `str` that is
    /// not valid Unicode, with a lone surrogate, is one of kind `utf8`) or `TypeError` (a
    /// value of another type).
    fn ingest(&self, py: Python<'_>, doc: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let doc = Doc::from_py(doc)?;
        match self.with(py, |e| (e.next_line(), doc.ingest(e)))? {
            (_, Ok(o)) => to_py(py, &o),
            (first, Err(e)) => Err(parse_err(py, &e.relative_to(first))),
        }
    }

    /// Ingest an iterable of documents (each as for `ingest`), pulled in chunks and
    /// ingested without the GIL. A bad document is recorded and the rest go on. Returns
    /// `{"lines", "outcome": {...}, "errors": [{"kind", "line", "column", "field",
    /// "message"}]}` where `line` is the 1-based position in `docs`. With `strict=True`
    /// the first error is raised as `ParseError` after all documents were ingested. An
    /// item of another type raises `TypeError` (and an exception from the iterable
    /// propagates) after the items before it were ingested.
    #[pyo3(signature = (docs, strict = false))]
    fn ingest_many(
        &self,
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        strict: bool,
    ) -> PyResult<Py<PyAny>> {
        let mut out = convolens::StreamOutcome::default();
        let mut chunk = Vec::with_capacity(CHUNK_ITEMS);
        for item in docs.try_iter()? {
            match item.and_then(|item| Doc::from_py(&item)) {
                Ok(doc) => chunk.push(doc),
                Err(err) => {
                    // What came before the failing item is ingested, then the error raised.
                    self.ingest_docs(py, &chunk, &mut out)?;
                    return Err(err);
                }
            }
            if chunk.len() == CHUNK_ITEMS {
                self.ingest_docs(py, &chunk, &mut out)?;
                chunk.clear();
            }
        }
        self.ingest_docs(py, &chunk, &mut out)?;
        Engine::finish(py, &out, strict)
    }

    /// Ingest documents from a path (`str` or `os.PathLike`) or a file object opened in
    /// binary or text mode, without the GIL (a file object is read in 1 MiB chunks), in one
    /// linear pass: JSON lines, pretty-printed documents, documents glued together, and
    /// JSON arrays read element by element (each element succeeds or fails on its own and
    /// is held to `max_document_bytes` on its own) — the `report` program's way, whatever
    /// the file's name. Returns the same dict as `ingest_many`, with `line` the 1-based line
    /// in the source. Raises `OSError` when reading fails.
    ///
    /// `threads`: how many threads parse the input (default `None`: the machine's cores;
    /// `1`: the calling thread only). Documents are applied in input order, so the result,
    /// errors included, is the same for any number.
    #[pyo3(signature = (source, strict = false, threads = None))]
    fn ingest_jsonl(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        strict: bool,
        threads: Option<usize>,
    ) -> PyResult<Py<PyAny>> {
        let threads = match threads {
            Some(0) => {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "threads must be at least 1",
                ));
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let run = |e: &mut convolens::Engine, r: &mut dyn Read| {
            let first = e.next_line();
            e.ingest_reader_threads(r, threads)
                .map(|o| o.relative_to(first))
        };
        let result = if let Some(path) = as_path(source) {
            self.with(py, |e| {
                std::fs::File::open(&path).and_then(|mut f| run(e, &mut f))
            })?
        } else if source.hasattr("read")? {
            let mut reader = PyReader {
                file: source.clone().unbind(),
                buf: Vec::new(),
                pos: 0,
            };
            self.with(py, |e| run(e, &mut reader))?
        } else {
            return Err(PyTypeError::new_err("expected a path or a file object"));
        };
        // A Python `read()` error comes back as itself; an OS error as OSError.
        let out = result.map_err(|e| e.downcast::<PyErr>().unwrap_or_else(PyErr::from))?;
        Engine::finish(py, &out, strict)
    }

    /// Compute a report: the same keys and values as `report --json`.
    ///
    /// `start` (inclusive) and `end` (exclusive) are `datetime.date`s or `"YYYY-MM-DD"`
    /// days in the report time zone. Other options, by keyword: `last` (a period such as
    /// `"7d"` or `"6m"` ending at the latest ingested day), `phone` (one business number,
    /// `phone_number_id`), `model` (attribution model: `"last_touch"`, `"linear"`,
    /// `"markov"`, ...), `time_zone` (overrides the config's), `conversion_event` (the
    /// conversion event of this report: a configured messaging event or an external event
    /// name), `compare=True` (adds `compare`: the previous period of equal length and every
    /// figure's previous, current, change and % change), `compare_models=True` (adds
    /// `attribution.comparison`: every model side by side), and any other option of the
    /// core's `ReportOptions`. Raises `ReportError` naming a bad or unknown option (an
    /// unknown `phone` lists the known numbers).
    ///
    /// Sections: `range`, `overall`, `input`, `billing`, `usage`, `sources`, `events`,
    /// `attribution`, `engagement`, `templates`, `campaigns` (and `compare`), `warnings`;
    /// their shapes are the TypedDicts of `convolens.types` (`Report`). Computed without
    /// the GIL.
    #[pyo3(signature = (start = None, end = None, *, last = None, phone = None, model = None, time_zone = None, compare = false, compare_models = false, conversion_event = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn report<'py>(
        &self,
        py: Python<'py>,
        start: Option<&Bound<'py, PyAny>>,
        end: Option<&Bound<'py, PyAny>>,
        last: Option<&Bound<'py, PyAny>>,
        phone: Option<&Bound<'py, PyAny>>,
        model: Option<&Bound<'py, PyAny>>,
        time_zone: Option<&Bound<'py, PyAny>>,
        compare: bool,
        compare_models: bool,
        conversion_event: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let values = [last, phone, model, time_zone, conversion_event];
        let flags = [("compare", compare), ("compare_models", compare_models)];
        let options = spelled(py, options, values, &flags)?;
        let text = self.report_text(py, start, end, Some(&options), false)?;
        Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
    }

    /// The report as JSON text: byte for byte what `report --json` prints (without its
    /// final newline), or compact with `pretty=False`. Arguments as for `report`.
    #[pyo3(signature = (start = None, end = None, *, pretty = true, last = None, phone = None, model = None, time_zone = None, compare = false, compare_models = false, conversion_event = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn report_json<'py>(
        &self,
        py: Python<'py>,
        start: Option<&Bound<'py, PyAny>>,
        end: Option<&Bound<'py, PyAny>>,
        pretty: bool,
        last: Option<&Bound<'py, PyAny>>,
        phone: Option<&Bound<'py, PyAny>>,
        model: Option<&Bound<'py, PyAny>>,
        time_zone: Option<&Bound<'py, PyAny>>,
        compare: bool,
        compare_models: bool,
        conversion_event: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<String> {
        let values = [last, phone, model, time_zone, conversion_event];
        let flags = [("compare", compare), ("compare_models", compare_models)];
        let options = spelled(py, options, values, &flags)?;
        self.report_text(py, start, end, Some(&options), pretty)
    }

    /// One section of `report(**report_args)` as a pandas DataFrame (see
    /// `convolens.frames` for how sections become tables). `section` is a key of the
    /// report or a dotted path into it (`"input.messages"`). Needs pandas installed.
    #[pyo3(signature = (section, **report_args))]
    fn to_pandas(
        slf: &Bound<'_, Self>,
        section: &str,
        report_args: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        frame(slf.as_any(), "to_pandas", section, report_args)
    }

    /// As `to_pandas`, as a polars DataFrame. Needs polars installed.
    #[pyo3(signature = (section, **report_args))]
    fn to_polars(
        slf: &Bound<'_, Self>,
        section: &str,
        report_args: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        frame(slf.as_any(), "to_polars", section, report_args)
    }

    /// Can the business send a free-form (non-template) message to user `wa_id` (a
    /// `wa_id` or business-scoped user id) at instant `at`? Returns a `FreeFormWindow`,
    /// true when the customer service window (24 h from the user's latest message) is
    /// open, with when it closes, the free entry point window, and whether such a message
    /// would be `charged` (from 2026-10-01 by default) or `free`: an open window lets the
    /// business send, it does not make the message free; or None when the user,
    /// or the business number `phone` (`phone_number_id`; None: any number), was never
    /// seen. `at`: a `datetime.datetime` (naive means UTC), Unix seconds, or None for
    /// now. Uses everything ingested with a timestamp up to `at`, in any order.
    #[pyo3(signature = (wa_id, at = None, phone = None))]
    fn can_send_free_form(
        &self,
        py: Python<'_>,
        wa_id: &str,
        at: Option<&Bound<'_, PyAny>>,
        phone: Option<&str>,
    ) -> PyResult<Option<FreeFormWindow>> {
        let at = instant_arg(py, at)?;
        let state = self.with(py, |e| e.free_form_window(wa_id, phone, at))?;
        Ok(state.map(|state| FreeFormWindow { at, state }))
    }

    /// The users of a source or event as CSV, like `report --contacts NAME`: columns
    /// `wa_id, name, country, first_seen, source, converted, value` (RFC 4180, CRLF line
    /// ends). `name` is read as an event when a configured messaging event or an external
    /// event has that name, else as a source key; or give `source` (a source key) and/or
    /// `event` (an event name) instead. With none, every user is listed.
    ///
    /// `file`: None returns the CSV text; a path (`str`/`os.PathLike`) or a file object
    /// (binary, or text opened with `newline=""`) receives it, and the number of users
    /// written is returned. `start`, `end` and the other keyword options select the range,
    /// number and attribution model as for `report`. Raises `ReportError`, `OSError`.
    #[pyo3(signature = (name = None, *, source = None, event = None, file = None, format = "convolens", start = None, end = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn export_contacts(
        &self,
        py: Python<'_>,
        name: Option<String>,
        source: Option<String>,
        event: Option<String>,
        file: Option<&Bound<'_, PyAny>>,
        format: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        check_contact_names(name.as_ref(), source.as_ref(), event.as_ref())?;
        let opts = report_options(py, start, end, options)?;
        let audience = match format {
            "convolens" => false,
            "meta-audience" => true,
            f => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown format `{f}`: use \"convolens\" or \"meta-audience\""
                )));
            }
        };
        let file = file.filter(|f| !f.is_none());
        let path = file.and_then(as_path);
        if file.is_some()
            && path.is_none()
            && !file.is_some_and(|f| f.hasattr("write").unwrap_or(false))
        {
            return Err(PyTypeError::new_err(
                "`file` must be a path or a file object",
            ));
        }
        let (csv, count) = self.with(py, |e| {
            let filter = contact_filter(e, name, source, event);
            let mut csv = Vec::new();
            let count = if audience {
                e.export_audience(&opts, &filter, &mut csv).map(|(n, _)| n)
            } else {
                e.export_contacts(&opts, &filter, &mut csv)
            };
            (csv, count)
        })?;
        let count = count.map_err(|e| report_err(py, &e))?;
        let Some(file) = file else {
            let text = String::from_utf8(csv).map_err(|e| convolens_err(e.to_string()))?;
            return Ok(PyString::new(py, &text).into_any().unbind());
        };
        if let Some(path) = path {
            py.detach(|| std::fs::write(&path, &csv))?;
        } else if file.is_instance(&py.import("io")?.getattr("TextIOBase")?)? {
            file.call_method1("write", (String::from_utf8_lossy(&csv),))?;
        } else {
            file.call_method1("write", (PyBytes::new(py, &csv),))?;
        }
        Ok(count.into_pyobject(py)?.into_any().unbind())
    }

    /// A row-level table over the range, number and model the keywords select (as for
    /// `report`), as a `convolens.frames.Rows`: `"charges"` (every business message whose
    /// billing day is in the range, billable or free, with its category, reason, market,
    /// conversation and price), `"conversations"` (every analytic conversation started in
    /// the range, with its source, lead flag and the conversions and value the model
    /// credits it with) or `"contacts"` (every user, as `export_contacts` lists them).
    /// `Rows` has `to_pandas()`, `to_polars()`, `to_arrow()` and the Arrow PyCapsule
    /// interface (`pyarrow.table(rows)`, `polars.DataFrame(rows)`). Raises `ReportError`
    /// (`option == "table"` for another name).
    #[pyo3(signature = (table, *, start = None, end = None, last = None, phone = None, model = None, time_zone = None, conversion_event = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn rows<'py>(
        &self,
        py: Python<'py>,
        table: &str,
        start: Option<&Bound<'py, PyAny>>,
        end: Option<&Bound<'py, PyAny>>,
        last: Option<&Bound<'py, PyAny>>,
        phone: Option<&Bound<'py, PyAny>>,
        model: Option<&Bound<'py, PyAny>>,
        time_zone: Option<&Bound<'py, PyAny>>,
        conversion_event: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let values = [last, phone, model, time_zone, conversion_event];
        let opts = report_options(py, start, end, Some(&spelled(py, options, values, &[])?))?;
        let t = self
            .with(py, |e| e.rows(table, &opts))?
            .map_err(|e| report_err(py, &e))?;
        rows_object(py, &t)
    }

    /// The users of `export_contacts` (same `name`, `source` and `event` rules) as a
    /// DataFrame: `library="pandas"` (default) or `"polars"`. Columns `wa_id`, `name`,
    /// `country`, `first_seen` (a UTC datetime), `source`, `converted` (bool), `value`
    /// (float64); text as is (the CSV's formula guard is for spreadsheets only).
    #[pyo3(signature = (name = None, *, source = None, event = None, library = "pandas", start = None, end = None, last = None, phone = None, model = None, time_zone = None, conversion_event = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn contacts_frame<'py>(
        &self,
        py: Python<'py>,
        name: Option<String>,
        source: Option<String>,
        event: Option<String>,
        library: &str,
        start: Option<&Bound<'py, PyAny>>,
        end: Option<&Bound<'py, PyAny>>,
        last: Option<&Bound<'py, PyAny>>,
        phone: Option<&Bound<'py, PyAny>>,
        model: Option<&Bound<'py, PyAny>>,
        time_zone: Option<&Bound<'py, PyAny>>,
        conversion_event: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        check_contact_names(name.as_ref(), source.as_ref(), event.as_ref())?;
        let method = match library {
            "pandas" => "to_pandas",
            "polars" => "to_polars",
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown library `{other}`: use \"pandas\" or \"polars\""
                )));
            }
        };
        let values = [last, phone, model, time_zone, conversion_event];
        let opts = report_options(py, start, end, Some(&spelled(py, options, values, &[])?))?;
        let t = self
            .with(py, |e| {
                let filter = contact_filter(e, name, source, event);
                e.contact_rows(&opts, &filter)
            })?
            .map_err(|e| report_err(py, &e))?;
        Ok(rows_object(py, &t)?.bind(py).call_method0(method)?.unbind())
    }

    /// Seal the days that can no longer change and drop the per-user history behind
    /// them, so memory stays flat for a fixed user base; call it periodically (say, daily).
    /// Days before `sealed_until` (engine time zone; latest event − `lateness_days` −
    /// lookback − 4 days) keep their aggregates; a report whose range starts before it must
    /// use the engine's time zone, no `phone`, the configured model and no
    /// `compare_models` (else `ReportError` with `kind == "expired"`), and input timed
    /// before it is ignored as `late`. Returns what this call did: `{"sealed_until",
    /// "users", "messages", "external_events", "closes"}` (`sealed_until` a
    /// `"YYYY-MM-DD"` string, `None` while nothing can be sealed). Raises `ReportError`
    /// (`kind == "unsupported"`) for the data-driven models `markov` and `shapley`.
    /// Expired engines cannot be merged.
    fn expire(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let out = self
            .with(py, convolens::Engine::expire)?
            .map_err(|e| report_err(py, &e))?;
        to_py(py, &out)
    }

    /// What every `expire()` so far sealed and dropped, in total (same keys as
    /// `expire()`'s result; `sealed_until` the current horizon), or `None` while nothing
    /// is sealed. Snapshots keep it.
    #[getter]
    fn expired(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let totals = self.with(py, |e| e.expired().cloned())?;
        to_py(py, &totals)
    }

    /// The whole state (configuration and facts) as compact, versioned bytes, for
    /// `Engine.restore`. Also what `pickle` stores.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.with(py, |e| e.snapshot())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// An engine from `snapshot()` bytes: it answers every report as the original did
    /// and goes on ingesting. Raises `SnapshotError`.
    #[staticmethod]
    #[pyo3(signature = (snapshot, *, secret = None))]
    fn restore(
        py: Python<'_>,
        snapshot: PyBackedBytes,
        secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Engine> {
        let secret = secret_arg(secret)?;
        let restore = |secret: Option<&[u8]>| {
            py.detach(|| {
                guarded(|| match secret {
                    Some(s) => convolens::Engine::restore_with_secret(&snapshot, s),
                    None => convolens::Engine::restore(&snapshot),
                })
            })
            .map_err(convolens_err)
        };
        let engine = match restore(secret.as_deref())? {
            Err(convolens::SnapshotError::NeedsSecret { secret_env }) => {
                let s = secret_from_env(&secret_env).map_err(|e| config_err(py, &e))?;
                restore(Some(&s))?
            }
            other => other,
        }
        .map_err(|e| snapshot_err(py, &e))?;
        Ok(Engine {
            inner: Mutex::new(engine),
        })
    }

    /// Merge another engine's state into this one, as if its input had been ingested
    /// here (for engines fed disjoint sets of users; overlapping input is deduplicated,
    /// so merging an engine into itself changes nothing). Both must have the same
    /// configuration and neither may have expired history, else `ConfigError`.
    fn merge(&self, py: Python<'_>, other: &Bound<'_, Engine>) -> PyResult<()> {
        let other = other.get();
        if std::ptr::eq(self, other) {
            return Ok(());
        }
        // Lock in address order so that `a.merge(b)` and `b.merge(a)` cannot deadlock.
        let self_first = std::ptr::from_ref(self) < std::ptr::from_ref(other);
        py.detach(|| {
            let (mut mine, theirs) = if self_first {
                let mine = lock(&self.inner)?;
                (mine, lock(&other.inner)?)
            } else {
                let theirs = lock(&other.inner)?;
                (lock(&self.inner)?, theirs)
            };
            guarded(|| mine.merge(&theirs))
        })
        .map_err(convolens_err)?
        .map_err(|e| core_err(py, &e))
    }

    /// Erase a person: their identifiers (the `wa_id` or BSUID given and every identity
    /// linked to it), name, messages, events, closes and clicks leave the engine and every
    /// later snapshot. Returns `{"found", "identifiers", "messages", "external_events",
    /// "closes", "clicks"}`.
    fn forget(&self, py: Python<'_>, contact: &str) -> PyResult<Py<PyAny>> {
        let out = self.with(py, |e| e.forget(contact))?;
        to_py(py, &out)
    }

    /// The events to send to Meta's Conversions API for Business Messaging:
    /// `{"batches": [{"data": [...]}], "ineligible": {reason: count}, "cursor"}`. Pass a
    /// previous `cursor` as `since` to get only what is new; `now` (Unix seconds or an
    /// aware `datetime`) leaves out events Meta would refuse as over 7 days old;
    /// `batch_size` is at most 1,000. Raises `ReportError` (`kind == "option"`).
    #[pyo3(signature = (*, since = None, now = None, batch_size = None))]
    fn capi_events(
        &self,
        py: Python<'_>,
        since: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
        batch_size: Option<usize>,
    ) -> PyResult<Py<PyAny>> {
        let mut opts = convolens::CapiOptions::default();
        if let Some(c) = since {
            opts = opts.since(c);
        }
        if let Some(n) = now.filter(|n| !n.is_none()) {
            opts = opts.now(instant_arg(py, Some(n))?);
        }
        if let Some(b) = batch_size {
            opts = opts.batch_size(b);
        }
        let out = self
            .with(py, |e| e.capi_events(&opts))?
            .map_err(|e| report_err(py, &e))?;
        to_py(py, &out)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        Ok((slf.getattr("restore")?, (slf.get().snapshot(slf.py())?,)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (lines, tz) = self.with(py, |e| (e.stats().lines, e.config().time_zone.clone()))?;
        Ok(format!("<convolens.Engine time_zone={tz:?} lines={lines}>"))
    }
}

/// The key of the user a document (`str`, `bytes`, `dict` or `list`) belongs to: the
/// `wa_id`, else the BSUID, of its first event that names a user; `None` for spend and
/// click records, other webhook fields, blank and invalid documents. The partitioning
/// rule of `convolens.spark`.
#[pyfunction]
fn user_key(doc: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let doc = Doc::from_py(doc)?;
    guarded(|| convolens::partition::user_key(doc.bytes())).map_err(convolens_err)
}

/// The partition, in `range(partitions)`, of a document: the 64-bit FNV-1a hash of its
/// `user_key` modulo `partitions`, and 0 for documents without a user. The same in every
/// process. Raises `ValueError` when `partitions` is not positive.
#[pyfunction]
fn partition_of(doc: &Bound<'_, PyAny>, partitions: u32) -> PyResult<u32> {
    if partitions == 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "partitions must be positive",
        ));
    }
    let doc = Doc::from_py(doc)?;
    guarded(|| convolens::partition::partition_of(doc.bytes(), partitions)).map_err(convolens_err)
}

/// `name`, or `source` and/or `event`: not both.
fn check_contact_names(
    name: Option<&String>,
    source: Option<&String>,
    event: Option<&String>,
) -> PyResult<()> {
    if name.is_some() && (source.is_some() || event.is_some()) {
        return Err(PyTypeError::new_err(
            "give `name`, or `source` and/or `event`, not both",
        ));
    }
    Ok(())
}

/// The contacts `name` (an event or a source, as `report --contacts` reads it), or
/// `source` and/or `event`, select; every user with none.
fn contact_filter(
    e: &convolens::Engine,
    name: Option<String>,
    source: Option<String>,
    event: Option<String>,
) -> convolens::ContactFilter {
    match (name, source, event) {
        (Some(n), _, _) => e.contact_filter(&n),
        (None, Some(s), None) => convolens::ContactFilter::source(s),
        (None, s, Some(ev)) => {
            let f = convolens::ContactFilter::event(ev);
            match s {
                Some(s) => f.and_source(s),
                None => f,
            }
        }
        (None, None, None) => convolens::ContactFilter::default(),
    }
}

/// A core table as a `convolens.frames.Rows`.
fn rows_object(py: Python<'_>, t: &convolens::Table) -> PyResult<Py<PyAny>> {
    let values = to_py(py, &t.values)?;
    Ok(py
        .import("convolens.frames")?
        .getattr("Rows")?
        .call1((t.name.as_str(), t.header.clone(), values, t.path.as_str()))?
        .unbind())
}

/// The tables of a report (a dict as `Engine.report` returns it, or its JSON text) by the
/// core's rule — what `report --csv` writes: every list and keyed map, as a list of
/// `convolens.frames.Rows` with their `name` and `path`. See `convolens.frames`.
#[pyfunction]
fn report_tables(py: Python<'_>, report: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    let text = match report.extract::<String>() {
        Ok(s) => s,
        Err(_) => py
            .import("json")?
            .call_method1("dumps", (report,))?
            .extract()?,
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    convolens::Table::from_json(&value)
        .iter()
        .map(|t| rows_object(py, t))
        .collect()
}

/// The compiled core of the `convolens` package; import `convolens` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Engine>()?;
    m.add_class::<FreeFormWindow>()?;
    m.add_function(wrap_pyfunction!(user_key, m)?)?;
    m.add_function(wrap_pyfunction!(partition_of, m)?)?;
    m.add_function(wrap_pyfunction!(report_tables, m)?)?;
    let classes = errors(py)?;
    for name in [
        "ConvolensError",
        "ParseError",
        "ConfigError",
        "ReportError",
        "SnapshotError",
    ] {
        m.add(name, classes.getattr(name)?)?;
    }
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// `convolens.frames.<func>(engine.report(**report_args), section)`: one section of a
/// fresh report as a DataFrame.
fn frame(
    engine: &Bound<'_, PyAny>,
    func: &str,
    section: &str,
    report_args: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let report = engine.call_method("report", (), report_args)?;
    Ok(engine
        .py()
        .import("convolens.frames")?
        .call_method1(func, (report, section))?
        .unbind())
}
