//! Snapshots: the whole engine state as versioned, compact bytes.
//!
//! Layout: the magic `CVLNS\0` (6 bytes), the schema version (`u32` little-endian), a
//! 64-bit FNV-1a checksum (`u64` little-endian), then the payload: the configuration (as
//! JSON text, so its untagged forms survive), the fact store, (since schema 2) the expired
//! state — per-user carries and sealed days, see [`crate::expiry`] —, (since schema 3) the
//! Meta Business Agent facts ([`crate::store::AgentFacts`]) and (since schema 4) the
//! conflict state — the facts that arrived in several versions and the contact each
//! external event's kept version named, see [`crate::store`] — in `postcard` encoding.
//!
//! Since schema 4 the checksum covers the magic and the version as well as the payload,
//! so a payload relabelled with another schema fails the check; before, it covered the
//! payload alone, and every byte of a payload must belong to its schema's layout, so an
//! older payload relabelled as another older schema is refused too. Schema 1 to 3
//! snapshots still restore, except schema 2 snapshots with sealed days: schema 3 changed
//! the layout of the billing day aggregates (the agent category), so those are refused
//! with a [`SnapshotError`] saying so. Restoring checks the magic, refuses a newer schema,
//! verifies the checksum, decodes, and then checks every internal reference — a corrupt,
//! truncated or relabelled snapshot is a [`SnapshotError`], never a panic and never
//! silently wrong state.

use crate::config::Config;
use crate::engagement::{Carries, Carry};
use crate::error::SnapshotError;
use crate::expiry::{Expired, Expiry};
use crate::store::{Store, UserIx};
use serde::{Deserialize, Serialize};

/// The expired state as schema 2 lays it out.
#[derive(Default, Serialize, Deserialize)]
struct ExpiredV2 {
    carries: Vec<(UserIx, Carry)>,
    expiry: Option<Box<Expiry>>,
}

/// Why a schema 2 snapshot with sealed days is refused: schema 3 changed the layout of the
/// sealed billing day aggregates, so it cannot be read back faithfully, decodable or not.
const SEALED: &str = "a schema 2 snapshot with sealed days cannot be restored by this version: \
                      schema 3 changed the billing day aggregates (restore it with the version \
                      that wrote it)";

/// The Meta Business Agent facts of a store (schema 3), by message id.
type AgentFactsById = Vec<(Box<str>, crate::store::AgentFacts)>;

/// What the conflict rule adds to a store (schema 4): the conflicted facts, and the
/// contact of each external event (in the order of `Store::externals`).
#[derive(Default, Serialize, Deserialize)]
struct Conflicts {
    conflicted: Vec<String>,
    contacts: Vec<Box<str>>,
}

/// The snapshot magic.
pub(crate) const MAGIC: &[u8; 6] = b"CVLNS\0";
/// The state schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 4;
const HEADER: usize = 6 + 4 + 8;

use crate::util::hash::{fnv1a, fnv1a_parts};

/// The checksum of a snapshot of `version`: over the magic, version and payload since
/// schema 4, over the payload alone before.
fn checksum(version: u32, bytes: &[u8]) -> u64 {
    if version >= 4 {
        fnv1a_parts(&[&bytes[..10], &bytes[HEADER..]])
    } else {
        fnv1a(&bytes[HEADER..])
    }
}

/// Wrap a raw payload in a snapshot header (magic, this schema version, the payload's
/// checksum). For tools that build or alter payloads — the fuzz target, corruption tests;
/// [`crate::Engine::restore`] still decodes and checks everything inside.
#[doc(hidden)]
pub fn seal(payload: &[u8]) -> Vec<u8> {
    seal_as(SCHEMA_VERSION, payload)
}

/// [`seal`] with another schema version in the header (and that schema's checksum), for
/// tests of older or relabelled snapshots.
#[doc(hidden)]
pub fn seal_as(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(payload);
    let sum = checksum(version, &out);
    out[10..18].copy_from_slice(&sum.to_le_bytes());
    out
}

/// Encode a configuration and store.
pub(crate) fn encode(config: &Config, store: &Store, expired: &Expired) -> Vec<u8> {
    encode_as(SCHEMA_VERSION, config, store, expired)
}

/// [`encode`] in the layout of schema `version` (1 to [`SCHEMA_VERSION`]), as the version
/// that wrote it did, leaving out what that schema cannot hold: for tests of restoring
/// older snapshots.
pub(crate) fn encode_as(
    version: u32,
    config: &Config,
    store: &Store,
    expired: &Expired,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    // Serialising plain data into memory cannot fail; an empty payload would be caught by
    // the checksum and decoder on restore. The parts one after the other are the tuple of
    // them in postcard.
    let config_json = serde_json::to_string(config).unwrap_or_default();
    let _ = postcard::to_io(&(config_json, store), &mut out);
    if version >= 2 {
        let expired = ExpiredV2 {
            carries: expired
                .carries
                .pairs()
                .map(|(u, c)| (u, c.clone()))
                .collect(),
            expiry: expired.expiry.clone(),
        };
        let _ = postcard::to_io(&expired, &mut out);
    }
    if version >= 3 {
        let agent: Vec<(&Box<str>, &crate::store::AgentFacts)> = store.agent.iter().collect();
        let _ = postcard::to_io(&agent, &mut out);
    }
    if version >= 4 {
        let conflicts = Conflicts {
            conflicted: store.conflicted.iter().cloned().collect(),
            contacts: store.externals.iter().map(|x| x.contact.clone()).collect(),
        };
        let _ = postcard::to_io(&conflicts, &mut out);
    }
    let sum = checksum(version, &out);
    out[10..18].copy_from_slice(&sum.to_le_bytes());
    out
}

/// Decode bytes written by [`encode`].
pub(crate) fn decode(bytes: &[u8]) -> Result<(Config, Store, Expired), SnapshotError> {
    let version = check_header(bytes)?;
    let (config_json, mut store, expired, conflicts) = decode_parts(version, &bytes[HEADER..])?;
    let config = Config::from_json(&config_json)
        .map_err(|e| SnapshotError::Corrupt(format!("config: {e}")))?;
    store.check_integrity().map_err(SnapshotError::Corrupt)?;
    check_expired(&config, &store, &expired)?;
    restore_conflicts(&mut store, conflicts)?;
    let state = Expired {
        expiry: expired.expiry,
        carries: Carries::from_pairs(expired.carries),
    };
    Ok((config, store, state))
}

/// Check the magic, the schema version and the checksum; the version.
fn check_header(bytes: &[u8]) -> Result<u32, SnapshotError> {
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
    if u64::from_le_bytes(sum) != checksum(version, bytes) {
        return Err(SnapshotError::Corrupt(
            "checksum mismatch (truncated or altered)".into(),
        ));
    }
    Ok(version)
}

/// The parts of a payload of schema `version`.
type Parts = (String, Store, ExpiredV2, Option<Conflicts>);

/// Decode a payload part by part (a postcard tuple is its parts one after the other), so
/// that each type has one decoder whatever the schema; every byte must belong to one.
fn decode_parts(version: u32, payload: &[u8]) -> Result<Parts, SnapshotError> {
    let corrupt = |e: postcard::Error| SnapshotError::Corrupt(e.to_string());
    let ((config_json, mut store), rest): ((String, Store), &[u8]) =
        postcard::take_from_bytes(payload).map_err(corrupt)?;
    let (expired, rest) = match version {
        1 => (ExpiredV2::default(), rest),
        2 => {
            let (x, rest): (ExpiredV2, &[u8]) = postcard::take_from_bytes(rest)
                .map_err(|e| SnapshotError::Corrupt(format!("{e} (or {SEALED})")))?;
            if x.expiry.is_some() {
                return Err(SnapshotError::Corrupt(SEALED.into()));
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
    store.agent = agent.into_iter().collect();
    let (conflicts, rest) = if version >= 4 {
        let (k, rest): (Conflicts, &[u8]) = postcard::take_from_bytes(rest).map_err(corrupt)?;
        (Some(k), rest)
    } else {
        (None, rest)
    };
    if !rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!(
            "{} bytes after the payload (a payload of another schema?)",
            rest.len()
        )));
    }
    Ok((config_json, store, expired, conflicts))
}

/// Check the expired state's references against the store and configuration.
fn check_expired(config: &Config, store: &Store, expired: &ExpiredV2) -> Result<(), SnapshotError> {
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
    Ok(())
}

/// Put the conflict state back into the store; before schema 4 (`None`), the user's key
/// stands in for each external event's contact.
fn restore_conflicts(store: &mut Store, conflicts: Option<Conflicts>) -> Result<(), SnapshotError> {
    let Some(k) = conflicts else {
        for i in 0..store.externals.len() {
            let u = store.find(store.externals[i].user);
            store.externals[i].contact = store.users[u as usize].key().into();
        }
        return Ok(());
    };
    if k.contacts.len() != store.externals.len() {
        return Err(SnapshotError::Corrupt(
            "external event contacts do not match the events".into(),
        ));
    }
    for (x, c) in store.externals.iter_mut().zip(k.contacts) {
        x.contact = c;
    }
    store.conflicted = k.conflicted.into_iter().collect();
    store.stats.conflicts = store.conflicted.len() as u64;
    Ok(())
}
