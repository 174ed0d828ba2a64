//! Snapshots: the whole engine state as versioned, compact bytes.
//!
//! Layout: the magic `CVLNS\0` (6 bytes), the schema version (`u32` little-endian), a
//! 64-bit FNV-1a checksum of the payload (`u64` little-endian), then the payload: the
//! configuration (as JSON text, so its untagged forms survive), the fact store and (since
//! schema 2) the expired state — per-user carries and sealed days, see [`crate::expiry`] —
//! in `postcard` encoding, and (since schema 3) the store's extra section — business
//! accounts, pseudonym countries, arrival numbers; see [`crate::store`] — with the
//! pseudonymisation check value (never the secret; see [`crate::input::pseudonym`]).
//! Schema 1 and 2 snapshots still restore. Restoring
//! checks the magic,
//! refuses a newer schema, verifies the checksum, decodes, and then checks every internal
//! reference — a corrupt or truncated snapshot is a [`SnapshotError`], never a panic and
//! never silently wrong state.

use crate::config::Config;
use crate::engagement::{Carries, Carry};
use crate::error::SnapshotError;
use crate::expiry::{Expired, Expiry};
use crate::store::{Extra, Store, UserIx};
use serde::{Deserialize, Serialize};

/// The expired state as schema 2 lays it out.
#[derive(Default, Serialize, Deserialize)]
struct ExpiredV2 {
    carries: Vec<(UserIx, Carry)>,
    expiry: Option<Box<Expiry>>,
}

/// What schema 3 adds.
#[derive(Default, Serialize, Deserialize)]
struct SectionV3 {
    extra: Extra,
    key_check: Option<String>,
}

/// The snapshot magic.
pub(crate) const MAGIC: &[u8; 6] = b"CVLNS\0";
/// The state schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 3;
const HEADER: usize = 6 + 4 + 8;

use crate::util::hash::fnv1a;

/// Wrap a raw payload in a snapshot header (magic, this schema version, the payload's
/// checksum). For tools that build or alter payloads — the fuzz target, corruption tests;
/// [`crate::Engine::restore`] still decodes and checks everything inside.
pub fn seal(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&fnv1a(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Encode a configuration and store (and the pseudonymisation check value, if any).
pub(crate) fn encode(
    config: &Config,
    store: &Store,
    expired: &Expired,
    key_check: Option<String>,
) -> Vec<u8> {
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
    let v3 = SectionV3 {
        extra: store.extra.clone(),
        key_check,
    };
    let payload = postcard::to_extend(&(config_json, store, expired, v3), out).unwrap_or_default();
    let mut out = payload;
    let sum = fnv1a(&out[HEADER..]);
    out[10..18].copy_from_slice(&sum.to_le_bytes());
    out
}

/// What a snapshot holds: the config, the store, the expired state and the
/// pseudonymisation check value.
type Decoded = (Config, Store, Expired, Option<String>);

/// Decode bytes written by [`encode`].
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, SnapshotError> {
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
    let corrupt = |e: postcard::Error| SnapshotError::Corrupt(e.to_string());
    let payload = &bytes[HEADER..];
    let (config_json, mut store, expired, v3): (String, Store, ExpiredV2, Option<SectionV3>) =
        match version {
            1 => {
                let (c, s) = postcard::from_bytes(payload).map_err(corrupt)?;
                (c, s, ExpiredV2::default(), None)
            }
            2 => {
                let (c, s, x) = postcard::from_bytes(payload).map_err(corrupt)?;
                (c, s, x, None)
            }
            _ => {
                let (c, s, x, v3) = postcard::from_bytes(payload).map_err(corrupt)?;
                (c, s, x, Some(v3))
            }
        };
    let (extra, key_check) = match v3 {
        Some(v) => (Some(v.extra), v.key_check),
        None => (None, None),
    };
    let config = Config::from_json(&config_json)
        .map_err(|e| SnapshotError::Corrupt(format!("config: {e}")))?;
    store.check_integrity().map_err(SnapshotError::Corrupt)?;
    store.set_extra(extra).map_err(SnapshotError::Corrupt)?;
    if key_check.is_some() != config.pseudonymise.is_some() {
        return Err(SnapshotError::Corrupt(
            "pseudonymisation check value and config disagree".into(),
        ));
    }
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
    Ok((config, store, state, key_check))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot written before schema 3 (no extra section) still restores: no accounts,
    /// every fact arrived at 0.
    #[test]
    fn schema_2_snapshots_still_restore() {
        let mut store = Store::default();
        let mut events = Vec::new();
        let doc = br#"{"type":"external_event","id":"o1","contact":"34600111222","name":"purchase","timestamp":1751460000}"#;
        crate::input::parse_document(doc, 1, &crate::input::ParseOptions::default(), &mut events)
            .unwrap();
        store.apply_all(events, None);
        let config_json = serde_json::to_string(&Config::default()).unwrap();
        let payload = postcard::to_stdvec(&(config_json, &store, ExpiredV2::default())).unwrap();
        let mut bytes = seal(&payload);
        bytes[6..10].copy_from_slice(&2u32.to_le_bytes());
        let sum = fnv1a(&bytes[HEADER..]);
        bytes[10..18].copy_from_slice(&sum.to_le_bytes());
        let (_, back, _, check) = decode(&bytes).unwrap();
        assert_eq!(back.externals, store.externals);
        assert_eq!(back.extra.x_arrival, vec![0]);
        assert_eq!(check, None);
        // The same store as schema 3 keeps its arrival numbers.
        let (_, back, _, _) = decode(&encode(
            &Config::default(),
            &store,
            &Expired::default(),
            None,
        ))
        .unwrap();
        assert_eq!(back.extra.x_arrival, vec![1]);
    }
}
