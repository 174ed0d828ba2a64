//! The HTTP routes.
//!
//! # Rules
//!
//! - `POST /webhook`: a missing `X-Hub-Signature-256` is 401 before the body is read; a
//!   body over `max_body` (by `Content-Length` or as it streams) is 413; then the signature
//!   is checked on the raw bytes (401), then the bytes must be JSON (400, not stored); then
//!   the body is appended to the log and the answer, 200, comes once it is durable. 503
//!   when the log cannot store it (Meta retries).
//! - `POST /records`: `Authorization: Bearer <CONVOLENS_RECORDS_TOKEN>` (401), a body of at
//!   most `max_records_body` (413), stored as one log record (its bad lines too, so that a
//!   replay reports them again) and applied; the answer is 200 with what the engine did and
//!   the per-line errors, numbered from 1 within the body as `report` numbers them within a
//!   file: `{"lines", "ingested", "duplicates", "ignored", "errors": [{"kind", "line",
//!   "column", "field", "message", "text"}]}` where `text` is the line `report` prints.
//! - `GET /report`, `GET /report.csv` and `GET /contacts`: every response reflects every
//!   request answered before it was asked. Bad options are 400 with a message naming the
//!   parameter. `/contacts` takes `source` and/or `event` (the users to list; `event` is
//!   not the conversion event here, which is `conversion_event`) and the report options.

use crate::core_api;
use crate::dashboard;
use crate::durable::Durable;
use crate::metrics::inc;
use crate::signature::{self, SIGNATURE_HEADER};
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use http_body_util::BodyExt;
use std::sync::Arc;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The pipeline and engine.
    pub durable: Durable,
    /// The secrets.
    pub secrets: Arc<crate::Secrets>,
    /// Largest webhook body in bytes.
    pub max_body: usize,
    /// Largest `/records` body in bytes.
    pub max_records_body: usize,
}

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let router = Router::new()
        .route("/webhook", get(verify).post(webhook))
        .route("/records", axum::routing::post(records))
        .route("/contacts/{contact}", axum::routing::delete(forget))
        .route("/report", get(report))
        .route("/report.csv", get(report_csv))
        .route("/contacts", get(contacts))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/", get(|| async { html(dashboard::index_html()) }));
    let router = dashboard::ASSETS
        .iter()
        .fold(router, |r, &(path, kind, body)| {
            r.route(path, get(move || async move { asset(kind, body) }))
        });
    router.with_state(state)
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    let mut s = body.into();
    s.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        s,
    )
        .into_response()
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// `GET /webhook`: Meta's subscription handshake.
async fn verify(State(s): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match signature::verify_subscription(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
        &s.secrets.verify_token,
    ) {
        // Echoed exactly, without the newline other answers end with.
        Some(challenge) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge.to_string(),
        )
            .into_response(),
        None => text(StatusCode::FORBIDDEN, "forbidden"),
    }
}

/// Read a body of at most `max` bytes: 413 when longer, 400 when it breaks off.
async fn read_limited(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body over {max} bytes"),
        )
    };
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(body, max).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large())
        }
        Err(e) => Err(text(
            StatusCode::BAD_REQUEST,
            format!("cannot read the body: {e}"),
        )),
    }
}

/// Why a webhook body is refused before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 401: the signature is missing, malformed or wrong.
    #[error(transparent)]
    Signature(#[from] signature::SignatureError),
    /// 413: the body is over the limit.
    #[error("body over {0} bytes")]
    TooLarge(usize),
    /// 400: the body is not JSON.
    #[error("the body is not JSON: {0}")]
    NotJson(String),
}

impl Refusal {
    /// The HTTP status of the refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::Signature(_) => StatusCode::UNAUTHORIZED,
            Refusal::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::NotJson(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// The checks a webhook body passes before it is stored, in order: size, signature (on
/// the raw bytes, in constant time), JSON syntax. `Ok` means: append it.
pub fn check_webhook(
    secret: &[u8],
    signature: Option<&[u8]>,
    body: &[u8],
    max: usize,
) -> Result<(), Refusal> {
    if body.len() > max {
        return Err(Refusal::TooLarge(max));
    }
    signature::verify(secret, signature, body)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(body)
        .map_err(|e| Refusal::NotJson(e.to_string()))?;
    Ok(())
}

/// `POST /webhook`.
async fn webhook(State(s): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let m = &s.durable.metrics;
    let sig = headers.get(SIGNATURE_HEADER).map(HeaderValue::as_bytes);
    let refused = |r: Refusal| {
        inc(match r {
            Refusal::Signature(_) => &m.webhooks_bad_signature,
            Refusal::TooLarge(_) => &m.webhooks_too_large,
            Refusal::NotJson(_) => &m.webhooks_not_json,
        });
        text(r.status(), r.to_string())
    };
    if sig.is_none() {
        // Refused before the body is read.
        return refused(signature::SignatureError::Missing.into());
    }
    let bytes = match read_limited(&headers, body, s.max_body).await {
        Ok(b) => b,
        Err(r) => {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                inc(&m.webhooks_too_large);
            }
            return r;
        }
    };
    if let Err(r) = check_webhook(s.secrets.app_secret.as_bytes(), sig, &bytes, s.max_body) {
        return refused(r);
    }
    match s.durable.webhook(bytes).await {
        Ok(()) => {
            inc(&m.webhooks_accepted);
            text(StatusCode::OK, "ok")
        }
        Err(e) => text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// `POST /records`.
async fn records(State(s): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let m = &s.durable.metrics;
    let auth = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if !signature::bearer_ok(auth, &s.secrets.records_token) {
        inc(&m.records_unauthorized);
        let mut r = text(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    let bytes = match read_limited(&headers, body, s.max_records_body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let applied = if bytes.is_empty() {
        core_api::Applied::default()
    } else {
        match s.durable.records(bytes).await {
            Ok(a) => {
                inc(&m.records_accepted);
                a
            }
            Err(e) => return text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        }
    };
    let errors: Vec<serde_json::Value> = applied
        .errors
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            v["text"] = e.to_string().into();
            v
        })
        .collect();
    let body = serde_json::json!({
        "lines": applied.lines,
        "ingested": applied.ingested,
        "duplicates": applied.duplicates,
        "ignored": applied.ignored,
        "errors": errors,
    });
    json(StatusCode::OK, format!("{body}\n"))
}

/// `DELETE /contacts/{wa_id or BSUID}` (records token): erase the person, then purge the
/// data directory of their raw input (see [`crate::durable`]). 200 with what was removed,
/// 404 when the contact was never seen, 401 without the token.
async fn forget(
    State(s): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(contact): axum::extract::Path<String>,
) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    if !signature::bearer_ok(auth, &s.secrets.records_token) {
        let mut r = text(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    let contact = contact.trim();
    if contact.is_empty() || contact.len() > 256 {
        return text(StatusCode::BAD_REQUEST, "a contact is a wa_id or BSUID");
    }
    match s.durable.forget(contact).await {
        Ok(a) => {
            let out = a.forgot.unwrap_or_default();
            let status = if out.found {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let body = serde_json::to_string(&out).unwrap_or_default();
            json(status, format!("{body}\n"))
        }
        Err(e) => text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// Compute something from the engine once it has applied every acknowledged request.
async fn on_engine<T: Send + 'static>(
    s: &AppState,
    f: impl FnOnce(&mut core_api::Engine) -> T + Send + 'static,
) -> Result<T, Response> {
    s.durable.caught_up().await;
    let d = s.durable.clone();
    tokio::task::spawn_blocking(move || d.with_engine(f))
        .await
        .map_err(|e| text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// `GET /report`.
async fn report(State(s): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let opts = match core_api::report_options(&q, &[]) {
        Ok(o) => o,
        Err(e) => return text(StatusCode::BAD_REQUEST, e),
    };
    match on_engine(&s, move |e| core_api::report_json(e, &opts)).await {
        Ok(Ok(body)) => json(StatusCode::OK, body),
        Ok(Err(e)) => text(StatusCode::BAD_REQUEST, e),
        Err(r) => r,
    }
}

/// `GET /report.csv?table=NAME`.
async fn report_csv(State(s): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let opts = match core_api::report_options(&q, &["table"]) {
        Ok(o) => o,
        Err(e) => return text(StatusCode::BAD_REQUEST, e),
    };
    let name = q
        .iter()
        .find(|(k, _)| k == "table")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let wanted = name.clone();
    match on_engine(&s, move |e| core_api::report_csv(e, &opts, &wanted)).await {
        Ok(Ok(Ok(csv))) => {
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response()
        }
        Ok(Ok(Err(names))) => {
            let status = if name.is_empty() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::NOT_FOUND
            };
            let what = if name.is_empty() {
                "give ?table=NAME".to_string()
            } else {
                format!("no table `{name}`")
            };
            text(
                status,
                format!("{what}; the tables are: {}", names.join(", ")),
            )
        }
        Ok(Err(e)) => text(StatusCode::BAD_REQUEST, e),
        Err(r) => r,
    }
}

/// `GET /contacts?source=KEY|event=NAME&…`: the users of a source or an event as CSV, as
/// `report --contacts` writes them, over the range and number of the report options.
async fn contacts(State(s): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let opts = match core_api::report_options(&q, &["source", "event"]) {
        Ok(o) => o,
        Err(e) => return text(StatusCode::BAD_REQUEST, e),
    };
    let param = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (source, event) = (param("source"), param("event"));
    match on_engine(&s, move |e| core_api::contacts_csv(e, &opts, source, event)).await {
        Ok(Ok(csv)) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response(),
        Ok(Err(e)) => text(StatusCode::BAD_REQUEST, e),
        Err(r) => r,
    }
}

/// `GET /healthz`: 200 while the log accepts requests.
async fn healthz(State(s): State<AppState>) -> Response {
    if s.durable.healthy() {
        text(StatusCode::OK, "ok")
    } else {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            "the log cannot store requests; restart to recover",
        )
    }
}

/// `GET /metrics`.
async fn metrics(State(s): State<AppState>) -> Response {
    let d = s.durable.clone();
    let counts = tokio::task::spawn_blocking(move || d.with_engine(|e| core_api::counts(e))).await;
    let (users, messages) = counts.unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.durable.metrics.render(users, messages),
    )
        .into_response()
}
