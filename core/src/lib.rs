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
//! that applies it: [`input`] (formats and validation), [`store`] (idempotency, order,
//! identity), [`report`] (ranges), [`billing`], [`sources`], [`attribution`],
//! [`engagement`] (active users, support, authorship, template and campaign funnels),
//! [`partition`] (running engines per partition of users and merging them), [`expiry`]
//! (sealing old days and dropping the per-user history behind them), [`snapshot`].
//!
//! **Billing rules by date.** Meta's pricing changes are data: built-in entries of the
//! pricing timeline ([`billing::timeline`]), each on by default, each switched off or moved
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
//! The country→market table is dated too ([`billing::rates`]): Zimbabwe joined Rest of
//! Africa on 2025-10-01; Bangladesh, Iraq, Nepal, Sri Lanka, Kazakhstan, Kuwait, Morocco,
//! Oman and Ukraine became standalone markets on 2026-10-01.
//!
//! **Cost.** Ingestion keeps every fact, deduplicated (amortised O(1) per input). A report
//! reads day aggregates that the engine builds on the first report after new input (one
//! pass over the history) and keeps for further reports over any range, number filter or
//! rule-based attribution model ([`report::prepared`]): those cost time proportional to
//! the days in their range. The data-driven models re-attribute the range's events.
//! Without expiry, memory grows with the facts kept; [`Engine::expire`] (opt-in, e.g. once
//! a day) seals the days that can no longer change and drops the per-user history behind
//! them, so memory stays flat for a fixed user base ([`expiry`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod attribution;
pub mod billing;
pub mod config;
pub mod engagement;
pub mod engine;
pub mod error;
pub mod expiry;
mod hash;
pub mod input;
pub mod model;
pub mod partition;
pub mod report;
pub mod snapshot;
pub mod sources;
pub mod store;
pub mod time;

pub use config::Config;
pub use engine::{Engine, StreamOutcome};
pub use error::{ConfigError, Error, ParseError, ParseErrorKind, ReportError, SnapshotError};
pub use model::money::{Currency, Money};
pub use report::{Report, ReportOptions};
pub use store::IngestOutcome;

/// The README's Rust examples, compiled and run as doctests so they never go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
