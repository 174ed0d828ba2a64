//! What the workspace's own tests, benches and fuzz targets reach below the API. Not part
//! of the public API: hidden from the docs, free to change in any release.

pub use crate::attribution::{attribute, attributed};
pub use crate::billing::BillingSetup;
pub use crate::billing::charges::{
    Charges, ConversationKind, FreeReason, MessageCharge, PriceSource, compute,
};
pub use crate::engagement::build as build_engagement;
pub use crate::engagement::build_users as build_engagement_users;
pub use crate::engagement::sections::sections as engagement_sections;
pub use crate::engagement::templates::TemplateMoney;
pub use crate::input::stream::{DocumentSplitter, Piece};
pub use crate::input::{Event, ParseOptions, parse_document};
pub use crate::model::money::parse_decimal_micros;
pub use crate::model::pricing::ModelSpan;
pub use crate::model::{PricingModel, UNIT};
pub use crate::report::prepared::Prepared;
pub use crate::scope::{Scope, context, resolve_range};
pub use crate::snapshot::{SCHEMA_VERSION, seal, seal_as};
pub use crate::sources::conversation::{Conversation, conversations};
pub use crate::store::Store;

use crate::Engine;

/// The engine's fact store.
pub fn store(e: &Engine) -> &Store {
    &e.store
}

/// The engine's expired state: sealed days and carries.
pub fn expired(e: &Engine) -> &crate::expiry::Expired {
    &e.expired
}

/// The engine's snapshot in the layout of an older schema (1 to [`SCHEMA_VERSION`]), as the
/// version that wrote it did: for tests of restoring older snapshots.
pub fn snapshot_as(e: &Engine, version: u32) -> Vec<u8> {
    crate::snapshot::encode_as(version, e.config(), &e.store, &e.expired, e.key_check())
}

/// The parse options the engine's ingest uses (its configured currency).
pub fn parse_options(e: &Engine) -> &ParseOptions {
    &e.opts
}

/// Turn the engine's fast parse path (see the guide's `input::fast`) on or off.
pub fn set_fast_parse(e: &mut Engine, on: bool) {
    e.opts = e.opts.with_fast(on);
}

/// The events of one object read by the fast parse path alone, `None` when it gives up.
pub fn parse_fast_only<'a>(
    bytes: &'a [u8],
    line: u64,
    opts: &ParseOptions,
) -> Option<Result<Vec<Event<'a>>, crate::ParseError>> {
    crate::input::parse_fast_only(bytes, line, opts)
}

/// `text` read as a `serde_json::Value` by the fast parse path's reader, `None` when it
/// gives up: for comparing it with `serde_json::from_str` on any JSON.
pub fn fast_value(text: &str) -> Option<serde_json::Value> {
    crate::input::fast::from_str(text)
}

/// Apply events parsed from one document (with [`parse_document`] and
/// [`parse_options`]) as [`Engine::ingest`] would after parsing it.
pub fn apply_parsed(e: &mut Engine, events: Vec<Event<'_>>) -> crate::IngestOutcome {
    e.apply_parsed(events)
}

/// [`Engine::ingest_reader_threads`] with batches of about `batch_bytes` input bytes, so a
/// test crosses many batch and round boundaries with a small input.
pub fn ingest_in_batches<R: std::io::Read>(
    e: &mut Engine,
    reader: R,
    threads: usize,
    batch_bytes: usize,
) -> std::io::Result<crate::StreamOutcome> {
    e.ingest_in_batches(reader, threads, batch_bytes)
}
