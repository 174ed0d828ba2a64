//! # convolens
//!
//! Incremental analytics for WhatsApp Business traffic: the Cloud API webhooks Meta sends,
//! what the business sent, conversions that happened elsewhere, and ad spend, turned into
//! billing, source, attribution and engagement reports.
//!
//! ```
//! use convolens::{Config, Engine, ReportOptions};
//!
//! let mut engine = Engine::new(Config::default())?;
//! // A user writes in from a Click-to-WhatsApp ad...
//! engine.ingest_str(r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
//!   "metadata":{"phone_number_id":"1001"},
//!   "contacts":[{"wa_id":"4915112345678","profile":{"name":"Ana"}}],
//!   "messages":[{"from":"4915112345678","id":"wamid.in1","timestamp":"1751450000","type":"text",
//!     "text":{"body":"Hi!"},"referral":{"source_type":"ad","source_id":"120","headline":"Summer sale"}}]}}]}]}"#)?;
//! // ...the business answers and the answer is delivered...
//! engine.ingest_str(r#"{"type":"outbound","id":"wamid.out1","phone_number_id":"1001","to":"4915112345678","timestamp":1751450060,"kind":"free_form","author":"agent"}"#)?;
//! engine.ingest_str(r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
//!   "metadata":{"phone_number_id":"1001"},
//!   "statuses":[{"id":"wamid.out1","status":"delivered","timestamp":"1751450065","recipient_id":"4915112345678"}]}}]}]}"#)?;
//! // ...and buys something in the web shop.
//! engine.ingest_str(r#"{"type":"external_event","id":"order-1","contact":"4915112345678","name":"purchase","value":49.90,"currency":"EUR","timestamp":1751460000}"#)?;
//!
//! let report = engine.report(&ReportOptions::default())?;
//! assert_eq!(report.input.messages["text"], 1);
//! assert_eq!(report.input.statuses["delivered"], 1);
//! assert_eq!(report.input.records["external_event"], 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The product contract — every rule this crate applies — is documented on the module
//! that applies it: [`input`](guide::input) (formats and validation), [`store`](guide::store) (idempotency, order,
//! identity), [`report`](guide::report) (ranges), [`billing`](guide::billing), [`sources`](guide::sources), [`attribution`](guide::attribution),
//! [`engagement`](guide::engagement) (active users, support, authorship, template and campaign funnels),
//! [`partition`] (running engines per partition of users and merging them), [`expiry`](guide::expiry)
//! (sealing old days and dropping the per-user history behind them), [`snapshot`](guide::snapshot).
//! Every figure a report shows has a one-line definition in [`DEFINITIONS`]
//! (what `report --explain` prints).
//!
//! **Closing the loop with Meta, and privacy.** [`Engine::capi_events`] builds the events
//! of Meta's Conversions API for Business Messaging ([`attribution::capi`](guide::attribution::capi));
//! [`Engine::export_audience`] writes a hashed Custom Audience list; [`Engine::forget`]
//! erases a person; `pseudonymise` in the config ([`Engine::with_secret`],
//! [`input`](guide::input)'s `pseudonym` step) keeps keyed hashes instead of numbers. What personal
//! data convolens holds, where it goes and how to erase it: `docs/privacy.md` in the
//! repository.
//!
//! # Layers
//!
//! The crate reads top to bottom; a module uses only the modules below it, and the three
//! analyses never use each other (`core/tests/layers.rs` fails on any other import):
//!
//! 1. `engine`: ingestion entry points, caches, reports, snapshots ([`Engine`]);
//! 2. [`snapshot`](guide::snapshot), [`partition`], [`expiry`](guide::expiry): state as bytes, users split across
//!    workers, sealed days;
//! 3. [`report`](guide::report): the report and its sections assembled, text and CSV, period compare,
//!    day aggregates prepared once per engine state;
//! 4. [`attribution`](guide::attribution): the models, the sources table, the contacts export (uses sources);
//! 5. [`billing`](guide::billing) | [`engagement`](guide::engagement) | [`sources`](guide::sources): the analyses, each a fold per user into
//!    day aggregates;
//! 6. `scope`: report options, their range and the context sections compute from
//!    ([`ReportOptions`]);
//! 7. [`store`](guide::store): the facts, deduplicated and order-independent — no analysis state;
//! 8. [`input`](guide::input): webhook payloads and convolens records parsed into events;
//! 9. [`config`](guide::config): the configuration and its parts ([`Config`]);
//! 10. [`model`](guide::model): the domain — messages, money, countries and markets, the pricing
//!     timeline and rate cards;
//! 11. `util` and the errors: hashing, time, serde helpers.
//!
//! The crate root is the API: it re-exports the engine, the configuration, the report and
//! every section type, the errors and the outcomes. Everything else is crate-private;
//! the workspace's own tests and benches reach internals through a hidden `internals`
//! module.
//!
//! **Billing rules by date.** Meta's pricing changes are data: built-in entries of the
//! pricing timeline ([`model::pricing`](guide::model::pricing)), each on by default, each switched off or moved
//! by the config's `pricing_timeline` (`{"name": …, "enabled": false}` /
//! `"effective_from"`):
//!
//! | entry | from | sets | source |
//! |---|---|---|---|
//! | (baseline) | — | conversation-based pricing (CBP): 24-hour conversations per category; service conversations charged, the first 1,000 a month free; 72-hour free entry point | Meta's conversation-based pricing |
//! | `service_free_2024_11` | 2024-11-01 | service conversations free | Meta's pricing page |
//! | `pmp_2025_07` | 2025-07-01 | per-message pricing (PMP): templates charged by category, free-form and utility in the customer service window free, volume tiers | Meta's pricing page |
//! | `business_agent_2026_08` | 2026-08-01 | Meta Business Agent messages charged (per token) | Meta's "Upcoming pricing updates for Meta Business Agent, service and utility messages" (2026-07-01) |
//! | `service_charged_2026_10` | 2026-10-01 | free-form service messages and utility templates in the customer service window charged (free entry point still free) | the same Meta page; BSP changelogs (Chakra, YCloud, charles); 2026-10-01 rate cards with a `service` rate |
//!
//! The country→market table is dated too ([`model::country`](guide::model::country)): Zimbabwe joined Rest of
//! Africa on 2025-10-01; Bangladesh, Iraq, Nepal, Sri Lanka, Kazakhstan, Kuwait, Morocco,
//! Oman and Ukraine became standalone markets on 2026-10-01.
//!
//! **Cost.** Ingestion keeps every fact, deduplicated (amortised O(1) per input). A report
//! reads day aggregates that the engine builds on the first report after new input (one
//! pass over the history) and keeps for further reports over any range, number filter or
//! rule-based attribution model (`report::prepared`): those cost time proportional to
//! the days in their range. The data-driven models re-attribute the range's events.
//! Without expiry, memory grows with the facts kept; [`Engine::expire`] (opt-in, e.g. once
//! a day) seals the days that can no longer change and drops the per-user history behind
//! them, so memory stays flat for a fixed user base ([`expiry`](guide::expiry)).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(unreachable_pub)]

pub(crate) mod attribution;
pub(crate) mod billing;
pub(crate) mod config;
pub(crate) mod engagement;
mod engine;
mod error;
pub(crate) mod expiry;
pub mod guide;
pub(crate) mod input;
#[doc(hidden)]
pub mod internals;
pub(crate) mod model;
pub mod partition;
pub(crate) mod report;
mod scope;
pub(crate) mod snapshot;
pub(crate) mod sources;
pub(crate) mod store;
mod util;

// The crate's tests of internal state (see `tests/mod.rs`) name it `convolens::`, as the
// integration tests do.
#[cfg(test)]
extern crate self as convolens;
#[cfg(test)]
mod tests;

pub use attribution::capi::{
    CapiBatch, CapiCustomData, CapiEvent, CapiEvents, CapiOptions, CapiUserData,
};
pub use attribution::{
    AttributionSummary, ComparisonRow, ContactFilter, FunnelRow, FunnelStep, ModelCredit, Overall,
    SourceRow,
};
pub use billing::{
    AgentSummary, Amount, BillingSection, BillingView, CategoryCounts, ConversationCounts,
    CostSection, FreeCounts, Mismatch, Reconciliation, UsageCounts, UsageMonth, UsageSection,
    WindowState,
};
pub use config::{
    AttributionConfig, CapiConfig, CapiEventName, Config, EventDef, EventKind, FunnelDef,
    MatchKind, ModelName, Pseudonymise, SourceRule,
};
pub use engagement::{
    AuthorResponse, ButtonRow, DailyActive, DailyVolume, Engagement, ResponseTime, Support,
    TemplateRow, TopAuthor,
};
pub use engine::{Engine, FactCounts, ForgetOutcome, StreamOutcome};
pub use error::{ConfigError, Error, ParseError, ParseErrorKind, ReportError, SnapshotError};
pub use expiry::ExpiryOutcome;
pub use model::PricingModel;
pub use model::country::MarketOverride;
pub use model::money::{Currency, Money};
pub use model::pricing::{ModelSpan, RulePatch, ServiceSpan, TimelineEntry};
pub use model::rates::{RateCardSpec, RateRow};
pub use report::{
    Comparison, DEFINITIONS, Figure, RangeInfo, Report, Table, TextOptions, definition, explain,
};
pub use scope::ReportOptions;
pub use sources::{ConversionEvent, ConversionKind, EventRow, SourceDirection, SourceKind};
pub use store::{Forgotten, IngestOutcome, InputStats};

/// JSON Schemas (draft 2020-12) of what the crate reads and writes, generated from its
/// types with their serde attributes (feature `schema`). The repository commits them as
/// `schema/report.schema.json` and `schema/config.schema.json`, and `tools/gen-types.py`
/// turns them into the bindings' type files.
#[cfg(feature = "schema")]
pub mod schema {
    use schemars::generate::{Contract, SchemaSettings};

    /// The schema of [`Report`](crate::Report) as `serde_json` serialises it (what
    /// `report --json`, Python's `Engine.report()` and JS's `engine.report()` return).
    pub fn report() -> serde_json::Value {
        let settings = SchemaSettings::draft2020_12().with(|s| s.contract = Contract::Serialize);
        let mut schema = settings
            .into_generator()
            .into_root_schema_for::<crate::Report>();
        // A report has exactly the keys its types declare: say so, so that a consumer's
        // validator (and the bindings' type files) catch a key they do not know.
        let mut closed = schemars::transform::RecursiveTransform(close_objects);
        schemars::transform::Transform::transform(&mut closed, &mut schema);
        schema.to_value()
    }

    /// `additionalProperties: false` on every object schema with declared properties.
    fn close_objects(schema: &mut schemars::Schema) {
        if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
            schema.insert("additionalProperties".into(), false.into());
        }
    }

    /// The schema of [`Config`](crate::Config) as it is read: every field optional,
    /// unknown fields rejected.
    pub fn config() -> serde_json::Value {
        let settings = SchemaSettings::draft2020_12().with(|s| s.contract = Contract::Deserialize);
        settings
            .into_generator()
            .into_root_schema_for::<crate::Config>()
            .to_value()
    }
}

/// The README's Rust examples, compiled and run as doctests so they never go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
