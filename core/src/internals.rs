//! What the workspace's own tests, benches and fuzz targets reach below the API. Not part
//! of the public API: hidden from the docs, free to change in any release.

pub use crate::engagement::build as build_engagement;
pub use crate::input::stream::{DocumentSplitter, Piece, StreamDoc};
pub use crate::input::{Event, ParseOptions, parse_document};
pub use crate::report::prepared::Prepared;
pub use crate::scope::{Scope, context, resolve_range};
pub use crate::snapshot::{SCHEMA_VERSION, seal, seal_as};
pub use crate::store::Store;

// Reached only by the crate's own tests (`crate::tests`), which name them as the
// integration tests do.
#[cfg(test)]
pub(crate) use crate::attribution::attributed;
#[cfg(test)]
pub(crate) use crate::billing::BillingSetup;
#[cfg(test)]
pub(crate) use crate::billing::charges::{
    Charges, ConversationKind, FreeReason, MessageCharge, PriceSource,
};
#[cfg(test)]
pub(crate) use crate::billing::live::compute;
#[cfg(test)]
pub(crate) use crate::engagement::build_users as build_engagement_users;
#[cfg(test)]
pub(crate) use crate::engagement::templates::TemplateMoney;
#[cfg(test)]
pub(crate) use crate::model::UNIT;
#[cfg(test)]
pub(crate) use crate::model::money::parse_decimal_micros;
#[cfg(test)]
pub(crate) use crate::sources::conversation::{Conversation, conversations};

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

/// The events of one object read by the extractor alone (see the guide's
/// `input::extract`), `None` when it gives up.
pub fn parse_extract_only(bytes: &[u8], line: u64) -> Option<Vec<Event<'_>>> {
    crate::input::parse_extract_only(bytes, line)
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

/// The last event time the store holds, in seconds since the epoch.
pub fn max_ts(e: &Engine) -> Option<i64> {
    e.store.max_ts
}

/// How many users still have history (not merged into another, not forgotten).
pub fn live_users(e: &Engine) -> usize {
    e.store.live_users().count()
}

/// How many users still have history.
pub fn live_user_count(e: &Engine) -> usize {
    e.store.live_users().count()
}

/// The keys (`wa_id`, else BSUID) of the users who still have history at the given
/// positions of the store order ([`live_user_count`] of them), in the order given; a
/// position past the last user gives none. The benchmarks pick users with it without
/// copying every key (which would leave the allocator with a million small free blocks).
pub fn live_user_keys_at(e: &Engine, positions: &[usize]) -> Vec<String> {
    let s = &e.store;
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by_key(|&i| positions[i]);
    let mut keys: Vec<Option<String>> = vec![None; positions.len()];
    let mut users = s.live_users().enumerate().peekable();
    for i in order {
        while users.next_if(|&(p, _)| p < positions[i]).is_some() {}
        if let Some(&(_, u)) = users.peek().filter(|(p, _)| *p == positions[i]) {
            keys[i] = Some(s.users[u as usize].key().to_owned());
        }
    }
    keys.into_iter().flatten().collect()
}

/// The sealed days an expiry left, if any (the memory benchmarks clone them to weigh
/// them).
pub fn sealed(e: &Engine) -> Option<&crate::expiry::Expiry> {
    e.expired.expiry.as_deref()
}

/// Where the fact store's bytes go, for the memory benchmarks: each part's name and
/// bytes. `live` reads the caller's count of allocated bytes (a counting global
/// allocator); the parts below the vectors are weighed by cloning them under it.
pub fn store_footprint(e: &Engine, live: &dyn Fn() -> isize) -> Vec<(&'static str, isize)> {
    e.store.footprint(live)
}

/// The parts of the engine's newest kept report preparation and their bytes (see
/// [`store_footprint`]); empty before the first report.
pub fn prepared_footprint(e: &Engine, live: &dyn Fn() -> isize) -> Vec<(&'static str, isize)> {
    e.prepared_footprint(live)
}

/// The expired state's per-user part and its bytes (see [`store_footprint`]): the carries
/// of cut users (the sealed days, which do not grow with users, are left out).
pub fn expired_footprint(e: &Engine, live: &dyn Fn() -> isize) -> Vec<(&'static str, isize)> {
    vec![(
        "carries of cut users (engagement)",
        crate::store::footprint::allocated_by(live, || e.expired.carries.clone()),
    )]
}

/// The message vector's shape: bytes per row, rows held, slots reserved.
pub fn message_slots(e: &Engine) -> (usize, usize, usize) {
    e.store.message_slots()
}

/// Two facts the peer benchmark's rule subset relies on, counted over the analytic
/// conversations of the whole history: how many a customer's reply (not an ad click) to a
/// business message of the same user opened, and how many start at the same instant as
/// the same user's previous one. Run a report first (it prepares the timelines).
///
/// # Errors
/// The scope's errors (an unknown time zone).
pub fn reply_opened_and_start_ties(e: &Engine) -> Result<(u64, u64), crate::ReportError> {
    let store = &e.store;
    let ctx = context(
        store,
        e.config(),
        e.time_zone(),
        &crate::ReportOptions::default(),
    )?;
    let convs = crate::sources::conversation::conversations(&ctx);
    let (mut opened, mut ties) = (0, 0);
    for (i, c) in convs.iter().enumerate() {
        let replied = store.msgs[c.opening as usize]
            .inbound
            .as_deref()
            .filter(|d| d.referral().is_none())
            .and_then(|d| d.context())
            .and_then(|id| store.outbound(id))
            .is_some_and(|mx| store.find(store.msgs[mx as usize].user) == c.user);
        opened += u64::from(replied);
        ties += u64::from(i > 0 && convs[i - 1].user == c.user && convs[i - 1].start == c.start);
    }
    Ok((opened, ties))
}

/// The `engagement` section a range query sums from day aggregates built by
/// [`build_engagement`] (the range benchmark times it apart from the report).
pub fn engagement_sections(
    ctx: &Scope<'_>,
    days: &crate::engagement::day_store::DayStore,
) -> crate::Engagement {
    crate::engagement::sections::sections(ctx, days).engagement
}
