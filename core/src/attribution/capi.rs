#![doc = include_str!("../guide/attribution/capi.md")]

use crate::config::{CapiEventName, Config};
use crate::error::ReportError;
use crate::scope::Scope;
use crate::sources::conversation::HitKind;
use crate::sources::{Conversation, analyse};
use crate::store::{MsgIx, Store};
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use crate::util::time::DAY;
use serde::{Deserialize, Serialize};

/// Meta's click window, and how old an event may be when sent.
const WINDOW: i64 = 7 * DAY;
/// Meta's largest batch.
pub(crate) const MAX_BATCH: usize = 1000;
const CURSOR_PREFIX: &str = "capi1:";

/// Options of [`crate::Engine::capi_events`]. JSON (Python keywords, JS object):
/// `{"since": "capi1:42", "now": 1751450000, "batch_size": 500}`.
///
/// ```
/// let o = convolens::CapiOptions::from_json(r#"{"since": "capi1:42", "batch_size": 500}"#)?;
/// assert_eq!(o, convolens::CapiOptions::default().since("capi1:42").batch_size(500));
/// let e = convolens::CapiOptions::from_json(r#"{"batch_size": 5000}"#).unwrap_err();
/// assert_eq!(e.option(), Some("batch_size"));
/// # Ok::<(), convolens::ReportError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CapiOptions {
    /// Only events that became sendable after this cursor (an earlier
    /// [`CapiEvents::cursor`]). Default: every event.
    pub since: Option<String>,
    /// The instant of sending (UTC seconds): events more than 7 days before it are left
    /// out as `too_old`. Default: no such check (the engine has no clock).
    pub now: Option<i64>,
    /// Events per batch, 1 to 1,000. Default 1,000.
    pub batch_size: Option<usize>,
}

impl CapiOptions {
    /// Options from a JSON object; a bad or unknown option is a [`ReportError`] of kind
    /// `option` naming it.
    pub fn from_json(json: &str) -> Result<CapiOptions, ReportError> {
        let o: CapiOptions =
            crate::util::serde::read_text_with_path(json).map_err(|(e, path)| {
                ReportError::Option {
                    option: path,
                    message: e.to_string(),
                }
            })?;
        o.batch()?;
        o.since_seq()?;
        Ok(o)
    }

    /// Set [`CapiOptions::since`].
    #[must_use]
    pub fn since(mut self, cursor: impl Into<String>) -> Self {
        self.since = Some(cursor.into());
        self
    }

    /// Set [`CapiOptions::now`].
    #[must_use]
    pub fn now(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// Set [`CapiOptions::batch_size`].
    #[must_use]
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n);
        self
    }

    fn batch(&self) -> Result<usize, ReportError> {
        match self.batch_size {
            None => Ok(MAX_BATCH),
            Some(n) if (1..=MAX_BATCH).contains(&n) => Ok(n),
            Some(n) => Err(ReportError::Option {
                option: "batch_size".into(),
                message: format!("{n} is not between 1 and {MAX_BATCH} (Meta's largest batch)"),
            }),
        }
    }

    fn since_seq(&self) -> Result<u64, ReportError> {
        let Some(c) = &self.since else { return Ok(0) };
        c.strip_prefix(CURSOR_PREFIX)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| ReportError::Option {
                option: "since".into(),
                message: format!("`{c}` is not a cursor returned by capi_events"),
            })
    }
}

/// `user_data` of a business messaging event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CapiUserData {
    /// The WhatsApp Business Account the chat is with.
    pub whatsapp_business_account_id: String,
    /// The click id of the Click-to-WhatsApp ad.
    pub ctwa_clid: String,
}

/// `custom_data`: the event's value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CapiCustomData {
    /// The value in major units (e.g. `49.9`).
    pub value: f64,
    /// ISO 4217 code.
    pub currency: String,
}

/// One event object of a Conversions API request's `data` (see the module rules).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CapiEvent {
    /// Meta's event name.
    pub event_name: CapiEventName,
    /// When the event happened (UTC seconds).
    pub event_time: i64,
    /// Stable id derived from our event's id (Meta deduplicates on it).
    pub event_id: String,
    /// Always `business_messaging`.
    pub action_source: &'static str,
    /// Always `whatsapp`.
    pub messaging_channel: &'static str,
    /// Who: the account and the ad click.
    pub user_data: CapiUserData,
    /// The value, when the event has one (always for `Purchase`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<CapiCustomData>,
}

/// One request body: `{"data": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CapiBatch {
    /// At most [`CapiOptions::batch_size`] events.
    pub data: Vec<CapiEvent>,
}

/// What [`crate::Engine::capi_events`] returns.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CapiEvents {
    /// The events to send, in request bodies.
    pub batches: Vec<CapiBatch>,
    /// Candidates left out, by reason (`not_mapped`, `no_click_id`, `too_late`,
    /// `no_value`, `no_account`, `too_old`; only reasons that occurred).
    pub ineligible: Map<String, u64>,
    /// Pass as [`CapiOptions::since`] next time to get only what is new.
    pub cursor: String,
}

/// A candidate event before the checks.
struct Candidate<'a> {
    name: &'a str,
    ts: i64,
    id: String,
    value: Option<crate::model::money::Money>,
    /// The conversation it happened in.
    conv: Option<&'a Conversation>,
    /// When it became sendable (arrival number).
    arrival: u64,
}

/// Build the events (see the module rules).
pub(crate) fn capi_events(ctx: &Scope<'_>, opts: &CapiOptions) -> Result<CapiEvents, ReportError> {
    let batch = opts.batch()?;
    let since = opts.since_seq()?;
    let analysis = analyse(ctx);
    let store = ctx.store;
    let mut out = CapiEvents {
        cursor: format!("{CURSOR_PREFIX}{}", store.extra_seq()),
        ..CapiEvents::default()
    };
    let mut events = Vec::new();
    for c in candidates(store, &analysis.conversations, &analysis.touches) {
        if c.arrival <= since {
            continue;
        }
        match check(ctx.config, store, opts, &c) {
            Ok(e) => events.push(e),
            Err(reason) => *out.ineligible.entry(reason.into()).or_default() += 1,
        }
    }
    events.stable_sort_by(|a: &CapiEvent, b| {
        (a.event_time, &a.event_id).cmp(&(b.event_time, &b.event_id))
    });
    // `chunks` panics on a size of 0 (which `batch` never returns) rather than looping
    // forever on empty batches.
    out.batches = events
        .chunks(batch)
        .map(|data| CapiBatch {
            data: data.to_vec(),
        })
        .collect();
    Ok(out)
}

/// Every candidate: external events (placed in their last-touch conversation) and the
/// first hit of each messaging event per conversation.
fn candidates<'a>(
    store: &'a Store,
    convs: &'a [Conversation],
    touches: &'a [crate::sources::conversation::ExternalTouch],
) -> Vec<Candidate<'a>> {
    let opened = |c: &Conversation| store.arrival(c.opening);
    let mut out = Vec::new();
    for t in touches {
        let x = &store.externals[t.external as usize];
        let conv = t.candidates.last().map(|i| &convs[*i]);
        out.push(Candidate {
            name: &x.name,
            ts: x.ts,
            id: format!("x:{}", x.id),
            value: x.value,
            conv,
            arrival: store.x_arrival(t.external).max(conv.map_or(0, opened)),
        });
    }
    for c in convs {
        let mut seen: Vec<&str> = Vec::new();
        for h in c.events.iter().filter(|h| h.kind == HitKind::Messaging) {
            let Some(m) = h.msg.filter(|_| !seen.contains(&&*h.name)) else {
                continue;
            };
            seen.push(&h.name);
            out.push(Candidate {
                name: &h.name,
                ts: h.ts,
                id: format!("m:{}:{}", store.msgs[m as usize].id, h.name),
                value: None,
                conv: Some(c),
                arrival: store.arrival(m).max(opened(c)),
            });
        }
    }
    out
}

/// The click that opened `conv`: its message's `ctwa_clid` and time.
fn click<'a>(store: &'a Store, conv: &Conversation) -> Option<(&'a str, i64)> {
    let m: MsgIx = conv.opening;
    let msg = &store.msgs[m as usize];
    let r = msg.inbound.as_deref()?.referral()?;
    Some((r.ctwa_clid.as_deref()?, msg.ts))
}

/// The event for a candidate, or the reason it does not qualify.
fn check(
    config: &Config,
    store: &Store,
    opts: &CapiOptions,
    c: &Candidate<'_>,
) -> Result<CapiEvent, &'static str> {
    let name = *config.capi.events.get(c.name).ok_or("not_mapped")?;
    let conv = c.conv.ok_or("no_click_id")?;
    let (clid, clicked) = click(store, conv).ok_or("no_click_id")?;
    if c.ts - clicked > WINDOW {
        return Err("too_late");
    }
    let custom_data = c.value.map(|v| CapiCustomData {
        value: v.micros as f64 / 1_000_000.0,
        currency: v.currency.as_str().to_string(),
    });
    if name == CapiEventName::Purchase && custom_data.is_none() {
        return Err("no_value");
    }
    let waba = store
        .waba_of(store.phone(conv.phone))
        .or(config.capi.whatsapp_business_account_id.as_deref())
        .ok_or("no_account")?;
    if opts.now.is_some_and(|now| now - c.ts > WINDOW) {
        return Err("too_old");
    }
    Ok(CapiEvent {
        event_name: name,
        event_time: c.ts,
        event_id: c.id.clone(),
        action_source: "business_messaging",
        messaging_channel: "whatsapp",
        user_data: CapiUserData {
            whatsapp_business_account_id: waba.to_string(),
            ctwa_clid: clid.to_string(),
        },
        custom_data,
    })
}
