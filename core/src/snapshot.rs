//! Snapshots: the whole engine state as versioned, compact bytes.
//!
//! Layout: the magic `CVLNS\0` (6 bytes), the schema version (`u32` little-endian), a
//! 64-bit FNV-1a checksum of the payload (`u64` little-endian), then the payload: the
//! configuration (as JSON text, so its untagged forms survive), the fact store, (since
//! schema 2) the expired state — per-user carries and sealed days, see [`crate::expiry`] —
//! (since schema 3) the Meta Business Agent facts ([`crate::store::AgentFacts`]), and
//! (since schema 4) the facts the store's older layout has no room for (spend per
//! business number and Meta campaign, reopen records), in `postcard` encoding. Schema 1,
//! 2 and 3 snapshots still restore, except schema 2 and 3 snapshots with sealed days:
//! schema 3 changed the layout of the billing day aggregates (the agent category) and
//! schema 4 that of the other day aggregates (events, funnels' users, sent vs delivered,
//! the paid heatmap, credits by conversation start), so those are refused with a
//! [`SnapshotError`] saying so. Restoring checks the magic,
//! refuses a newer schema, verifies the checksum, decodes, and then checks every internal
//! reference — a corrupt or truncated snapshot is a [`SnapshotError`], never a panic and
//! never silently wrong state.

use crate::config::Config;
use crate::engagement::{Carries, Carry};
use crate::error::SnapshotError;
use crate::expiry::{Expired, Expiry};
use crate::store::{Store, StoreExt, UserIx};
use serde::{Deserialize, Serialize};

/// The expired state as schema 2 lays it out.
#[derive(Default, Serialize, Deserialize)]
struct ExpiredV2 {
    carries: Vec<(UserIx, Carry)>,
    expiry: Option<Box<Expiry>>,
}

/// Why a schema `version` (2 or 3) snapshot with sealed days is refused: later schemas
/// changed the layout of the sealed day aggregates, so it cannot be read back faithfully,
/// decodable or not.
fn sealed(version: u32) -> String {
    let changed = if version == 2 {
        "schemas 3 and 4 changed the day aggregates"
    } else {
        "schema 4 changed the day aggregates"
    };
    format!(
        "a schema {version} snapshot with sealed days cannot be restored by this version: \
         {changed} (restore it with the version that wrote it)"
    )
}

/// The Meta Business Agent facts of a store (schema 3), by message id.
type AgentFactsById = Vec<(Box<str>, crate::store::AgentFacts)>;

/// The snapshot magic.
pub(crate) const MAGIC: &[u8; 6] = b"CVLNS\0";
/// The state schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 4;
const HEADER: usize = 6 + 4 + 8;

use crate::util::hash::fnv1a;

/// Wrap a raw payload in a snapshot header (magic, this schema version, the payload's
/// checksum). For tools that build or alter payloads — the fuzz target, corruption tests;
/// [`crate::Engine::restore`] still decodes and checks everything inside.
#[doc(hidden)]
pub fn seal(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&fnv1a(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Encode a configuration and store.
pub(crate) fn encode(config: &Config, store: &Store, expired: &Expired) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    // Serialising plain data into memory cannot fail; an empty payload would be caught by
    // the checksum and decoder on restore.
    let config_json = serde_json::to_string(config).unwrap_or_default();
    let expired = ExpiredV2 {
        carries: expired
            .carries
            .pairs()
            .map(|(u, c)| (u, c.clone()))
            .collect(),
        expiry: expired.expiry.clone(),
    };
    let agent: Vec<(&Box<str>, &crate::store::AgentFacts)> = store.agent.iter().collect();
    let ext = store.extension();
    let payload =
        postcard::to_extend(&(config_json, store, expired, agent, ext), out).unwrap_or_default();
    let mut out = payload;
    let sum = fnv1a(&out[HEADER..]);
    out[10..18].copy_from_slice(&sum.to_le_bytes());
    out
}

/// The parts of a decoded payload: config JSON, store, expired state, agent facts and the
/// store's extension.
type Parts = (String, Store, ExpiredV2, AgentFactsById, StoreExt);

/// The decoded payload of a snapshot of schema `version`: its parts in turn (a postcard
/// tuple is its parts one after the other), so that each type has one decoder whatever
/// the schema; the parts a schema lacks are empty.
fn payload(version: u32, bytes: &[u8]) -> Result<Parts, SnapshotError> {
    let corrupt = |e: postcard::Error| SnapshotError::Corrupt(e.to_string());
    let ((config_json, store), rest): ((String, Store), &[u8]) =
        postcard::take_from_bytes(bytes).map_err(corrupt)?;
    let (expired, rest) = match version {
        1 => (ExpiredV2::default(), rest),
        2 | 3 => {
            // Sealed days of an older schema cannot be read back faithfully, decodable
            // or not: their day aggregates have another layout.
            let (x, rest): (ExpiredV2, &[u8]) = postcard::take_from_bytes(rest)
                .map_err(|e| SnapshotError::Corrupt(format!("{e} (or {})", sealed(version))))?;
            if x.expiry.is_some() {
                return Err(SnapshotError::Corrupt(sealed(version)));
            }
            (x, rest)
        }
        _ => postcard::take_from_bytes::<ExpiredV2>(rest).map_err(corrupt)?,
    };
    let (agent, rest): (AgentFactsById, &[u8]) = if version >= 3 {
        postcard::take_from_bytes(rest).map_err(corrupt)?
    } else {
        (Vec::new(), rest)
    };
    let ext = if version >= 4 {
        postcard::from_bytes(rest).map_err(corrupt)?
    } else {
        StoreExt::default()
    };
    Ok((config_json, store, expired, agent, ext))
}

/// Decode bytes written by [`encode`].
pub(crate) fn decode(bytes: &[u8]) -> Result<(Config, Store, Expired), SnapshotError> {
    if bytes.len() < HEADER || &bytes[..6] != MAGIC {
        return Err(SnapshotError::BadMagic);
    }
    let version = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]);
    if version > SCHEMA_VERSION {
        return Err(SnapshotError::NewerVersion {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == 0 {
        return Err(SnapshotError::Corrupt("schema version 0".into()));
    }
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&bytes[10..18]);
    if u64::from_le_bytes(sum) != fnv1a(&bytes[HEADER..]) {
        return Err(SnapshotError::Corrupt(
            "checksum mismatch (truncated or altered)".into(),
        ));
    }
    let (config_json, mut store, expired, agent, ext) = payload(version, &bytes[HEADER..])?;
    store.agent = agent.into_iter().collect();
    store.set_extension(ext).map_err(SnapshotError::Corrupt)?;
    let config = Config::from_json(&config_json)
        .map_err(|e| SnapshotError::Corrupt(format!("config: {e}")))?;
    store.check_integrity().map_err(SnapshotError::Corrupt)?;
    let (users, phones) = (store.users.len(), store.phones.len());
    for (u, carry) in &expired.carries {
        let phones_ok = carry
            .phones
            .iter()
            .chain(carry.support.iter().map(|(p, _)| p))
            .all(|p| (*p as usize) < phones);
        if (*u as usize) >= users || !phones_ok {
            return Err(SnapshotError::Corrupt(format!(
                "carry of user {u} out of range"
            )));
        }
    }
    if let Some(x) = &expired.expiry {
        x.sealed
            .days
            .check(users, phones)
            .map_err(SnapshotError::Corrupt)?;
        if x.tz
            != config
                .tz()
                .map_err(|e| SnapshotError::Corrupt(e.to_string()))?
        {
            return Err(SnapshotError::Corrupt(
                "sealed days in another time zone".into(),
            ));
        }
    }
    let state = Expired {
        expiry: expired.expiry,
        carries: Carries::from_pairs(expired.carries),
    };
    Ok((config, store, state))
}
