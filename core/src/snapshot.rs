#![doc = include_str!("guide/snapshot.md")]

use crate::config::Config;
use crate::engagement::{Carries, Carry};
use crate::error::SnapshotError;
use crate::expiry::{Expired, Expiry};
use crate::store::{AgentFacts, Extra, Store, StoreExt, UserIx};
use serde::{Deserialize, Serialize};

/// The expired state as schema 2 lays it out.
#[derive(Default, Serialize, Deserialize)]
struct ExpiredV2 {
    carries: Vec<(UserIx, Carry)>,
    expiry: Option<Box<Expiry>>,
}

/// The privacy section schema 3 ends with (and schema 4 carries before the extension).
#[derive(Default, Serialize, Deserialize)]
struct SectionV3 {
    extra: Extra,
    key_check: Option<String>,
}

/// What the conflict rule adds to a store (schema 5): the conflicted facts, and the
/// contact of each external event (in the order of `Store::externals`).
#[derive(Default, Serialize, Deserialize)]
struct Conflicts {
    conflicted: Vec<String>,
    contacts: Vec<Box<str>>,
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

/// The inbound messages' text digests (schema 6), as (message index, digest).
type TextSums = Vec<(u32, u32)>;

/// The Meta Business Agent facts of a store (schema 3), by message id.
type AgentFactsById = Vec<(Box<str>, AgentFacts)>;

/// The snapshot magic.
pub(crate) const MAGIC: &[u8; 6] = b"CVLNS\0";
/// The state schema version this build writes and the newest it reads.
pub const SCHEMA_VERSION: u32 = 6;
const HEADER: usize = 6 + 4 + 8;

use crate::sources::Matchers;
use crate::util::hash::{fnv1a, fnv1a_parts, text_sum};

/// The checksum of a snapshot of `version`: over the magic, version and payload since
/// schema 5, over the payload alone before.
fn checksum(version: u32, bytes: &[u8]) -> u64 {
    if version >= 5 {
        fnv1a_parts(&[&bytes[..10], &bytes[HEADER..]])
    } else {
        fnv1a(&bytes[HEADER..])
    }
}

/// Wrap a raw payload in a snapshot header (magic, this schema version, the checksum).
/// For tools that build or alter payloads — the fuzz target, corruption tests;
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

/// Encode a configuration and store (and the pseudonymisation check value, if any).
pub(crate) fn encode(
    config: &Config,
    store: &Store,
    expired: &Expired,
    key_check: Option<String>,
) -> Vec<u8> {
    encode_as(SCHEMA_VERSION, config, store, expired, key_check)
}

/// [`encode`] in the layout of schema `version` (1 to [`SCHEMA_VERSION`]), as the version
/// that wrote it did, leaving out what that schema cannot hold: for tests of restoring
/// older snapshots. (Schema 3 is written with its privacy section, as its last writer did.)
pub(crate) fn encode_as(
    version: u32,
    config: &Config,
    store: &Store,
    expired: &Expired,
    key_check: Option<String>,
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
        let agent: Vec<(&Box<str>, &AgentFacts)> = store.agent.iter().collect();
        let section = SectionV3 {
            extra: store.extra.clone(),
            key_check,
        };
        let _ = postcard::to_io(&(agent, section), &mut out);
    }
    if version >= 4 {
        let _ = postcard::to_io(&store.extension(), &mut out);
    }
    if version >= 5 {
        let conflicts = Conflicts {
            conflicted: store.conflicted.iter().cloned().collect(),
            contacts: store.externals.iter().map(|x| x.contact.clone()).collect(),
        };
        let _ = postcard::to_io(&conflicts, &mut out);
    }
    if version >= 6 {
        let _ = postcard::to_io(&store.text_sums(), &mut out);
    }
    let sum = checksum(version, &out);
    out[10..18].copy_from_slice(&sum.to_le_bytes());
    out
}

/// What a snapshot holds: the config, the store, the expired state and the
/// pseudonymisation check value.
type Decoded = (Config, Store, Expired, Option<String>);

/// The parts of a payload, whatever the schema that wrote it.
struct Parts {
    config_json: String,
    store: Store,
    expired: ExpiredV2,
    agent: AgentFactsById,
    section: Option<SectionV3>,
    ext: StoreExt,
    conflicts: Option<Conflicts>,
    /// `None` before schema 6: the store holds texts as they arrived.
    text_sums: Option<TextSums>,
}

/// Decode one part and return the bytes after it.
fn take<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<(T, &'a [u8]), SnapshotError> {
    postcard::take_from_bytes(bytes).map_err(|e| SnapshotError::Corrupt(e.to_string()))
}

/// Check the magic, the schema version and the checksum; returns the schema version.
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

/// The expired state of a schema `version` payload and the bytes after it: none before
/// schema 2, and sealed days of schemas 2 and 3 refused.
fn take_expired(version: u32, rest: &[u8]) -> Result<(ExpiredV2, &[u8]), SnapshotError> {
    match version {
        1 => Ok((ExpiredV2::default(), rest)),
        2 | 3 => {
            // Sealed days of an older schema cannot be read back faithfully, decodable
            // or not: their day aggregates have another layout.
            let (x, rest): (ExpiredV2, &[u8]) = postcard::take_from_bytes(rest)
                .map_err(|e| SnapshotError::Corrupt(format!("{e} (or {})", sealed(version))))?;
            if x.expiry.is_some() {
                return Err(SnapshotError::Corrupt(sealed(version)));
            }
            Ok((x, rest))
        }
        _ => take::<ExpiredV2>(rest),
    }
}

/// Decode the payload's parts in turn (a postcard tuple is its parts one after the
/// other), so that each type has one decoder whatever the schema; every byte must belong
/// to one.
fn parts(version: u32, payload: &[u8]) -> Result<Parts, SnapshotError> {
    let ((config_json, store), rest): ((String, Store), &[u8]) = take(payload)?;
    let (expired, rest) = take_expired(version, rest)?;
    let (agent, rest): (AgentFactsById, &[u8]) = if version >= 3 {
        take(rest)?
    } else {
        (Vec::new(), rest)
    };
    // Schema 3 written before the privacy section joined it: nothing follows.
    let (section, rest) = if version >= 4 || (version == 3 && !rest.is_empty()) {
        let (v, rest) = take::<SectionV3>(rest)?;
        (Some(v), rest)
    } else {
        (None, rest)
    };
    let (ext, rest) = if version >= 4 {
        take::<StoreExt>(rest)?
    } else {
        (StoreExt::default(), rest)
    };
    let (conflicts, rest) = if version >= 5 {
        let (k, rest) = take::<Conflicts>(rest)?;
        (Some(k), rest)
    } else {
        (None, rest)
    };
    let (text_sums, rest) = if version >= 6 {
        let (t, rest) = take::<TextSums>(rest)?;
        (Some(t), rest)
    } else {
        (None, rest)
    };
    if !rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!(
            "{} bytes after the payload (a payload of another schema?)",
            rest.len()
        )));
    }
    Ok(Parts {
        config_json,
        store,
        expired,
        agent,
        section,
        ext,
        conflicts,
        text_sums,
    })
}

/// Check the expired state against the store and the config.
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
        let steps: Vec<usize> = config.funnels.iter().map(|f| f.steps.len()).collect();
        x.sealed
            .prepared
            .sources
            .check(&steps)
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

/// Decode bytes written by [`encode`] (or by an older build, see the module rules).
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, SnapshotError> {
    let version = check_header(bytes)?;
    let Parts {
        config_json,
        mut store,
        expired,
        agent,
        section,
        ext,
        conflicts,
        text_sums,
    } = parts(version, &bytes[HEADER..])?;
    store.agent = agent.into_iter().collect();
    store.set_extension(ext).map_err(SnapshotError::Corrupt)?;
    let (extra, key_check) = match section {
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
    check_expired(&config, &store, &expired)?;
    restore_conflicts(&mut store, conflicts)?;
    restore_texts(&config, &mut store, text_sums)?;
    let state = Expired {
        expiry: expired.expiry,
        carries: Carries::from_pairs(expired.carries),
    };
    Ok((config, store, state, key_check))
}

/// Put the text digests back into the store. Before schema 6 (`None`) the store kept
/// texts as they arrived: each is replaced by what the config's rules match in it, with
/// its digest, as the engine does when a text arrives — except in a pseudonymised
/// engine, whose store already held those tokens (and no digests): there a token that
/// matched nothing is dropped, as it is dropped now.
fn restore_texts(
    config: &Config,
    store: &mut Store,
    sums: Option<TextSums>,
) -> Result<(), SnapshotError> {
    if let Some(sums) = sums {
        return store.set_text_sums(sums).map_err(SnapshotError::Corrupt);
    }
    if config.pseudonymise.is_some() {
        store.rewrite_texts(|t| (Matchers::normal_token(t).map(Into::into), 0));
    } else {
        let m = Matchers::new(config, &Store::default(), None);
        store.rewrite_texts(|t| (m.text_token(t).map(Into::into), text_sum(t)));
    }
    Ok(())
}

/// Put the conflict state back into the store; before schema 5 (`None`), the user's key
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A store fed `docs` (convolens records), each arriving in turn.
    fn store_of(docs: &[&str]) -> Store {
        let mut store = Store::default();
        let mut events = Vec::new();
        let options = crate::input::ParseOptions::default();
        for (n, doc) in docs.iter().enumerate() {
            crate::input::parse_document(doc.as_bytes(), n as u64 + 1, &options, &mut events)
                .unwrap();
        }
        store.apply_all(&mut events, None);
        store
    }

    /// `payload` sealed as schema `version` (before 5: the checksum over the payload).
    fn sealed_as(payload: &[u8], version: u32) -> Vec<u8> {
        seal_as(version, payload)
    }

    const AGENT_REPLY: &str = r#"{"type":"outbound","id":"wamid.a1","phone_number_id":"1001","to":"4915100000001","timestamp":1794304800,"kind":"free_form","category":"meta_business_agent","tokens":2500}"#;

    /// A schema 3 snapshot that ends after the agent facts (as `main` wrote schema 3
    /// before the privacy section joined it) restores with its agent facts and no
    /// privacy section: no check value, every fact arrived at 0. The same store written
    /// now keeps both, and a privacy section cut short is corrupt, not dropped.
    #[test]
    fn schema_3_without_the_privacy_section_restores() {
        let store = store_of(&[AGENT_REPLY]);
        assert_eq!(
            store.agent[&Box::<str>::from("wamid.a1")].record_tokens,
            Some(2500)
        );
        let config_json = serde_json::to_string(&Config::default()).unwrap();
        let agent: Vec<_> = store.agent.iter().collect();
        let payload =
            postcard::to_stdvec(&(&config_json, &store, ExpiredV2::default(), &agent)).unwrap();
        let (_, back, _, check) = decode(&sealed_as(&payload, 3)).unwrap();
        assert_eq!(back.agent, store.agent);
        assert_eq!(
            (back.extra.arrival.iter().collect(), check),
            (vec![0], None)
        );
        let now = encode(&Config::default(), &store, &Expired::default(), None);
        let (_, back, _, _) = decode(&now).unwrap();
        assert_eq!(back.agent, store.agent);
        assert_eq!(back.extra.arrival.iter().collect::<Vec<_>>(), [1]);
        // Schema 3 with the privacy section restores it; without its last byte, corrupt.
        let v3 = SectionV3 {
            extra: store.extra.clone(),
            key_check: None,
        };
        let with_section =
            postcard::to_stdvec(&(&config_json, &store, ExpiredV2::default(), &agent, &v3))
                .unwrap();
        let (_, back, _, _) = decode(&sealed_as(&with_section, 3)).unwrap();
        assert_eq!(back.extra.arrival.iter().collect::<Vec<_>>(), [1]);
        let cut = sealed_as(&with_section[..with_section.len() - 1], 3);
        assert!(matches!(decode(&cut), Err(SnapshotError::Corrupt(_))));
    }

    /// A snapshot written before schema 3 (no extra section) still restores: no accounts,
    /// every fact arrived at 0.
    #[test]
    fn schema_2_snapshots_still_restore() {
        let store = store_of(&[
            r#"{"type":"external_event","id":"o1","contact":"34600111222","name":"purchase","timestamp":1751460000}"#,
        ]);
        let config_json = serde_json::to_string(&Config::default()).unwrap();
        let payload = postcard::to_stdvec(&(config_json, &store, ExpiredV2::default())).unwrap();
        let bytes = sealed_as(&payload, 2);
        let (_, back, _, check) = decode(&bytes).unwrap();
        assert_eq!(back.externals, store.externals);
        assert_eq!(back.extra.x_arrival.iter().collect::<Vec<_>>(), [0]);
        assert_eq!(check, None);
        // The same store as schema 3 keeps its arrival numbers.
        let (_, back, _, _) = decode(&encode(
            &Config::default(),
            &store,
            &Expired::default(),
            None,
        ))
        .unwrap();
        assert_eq!(back.extra.x_arrival.iter().collect::<Vec<_>>(), [1]);
    }

    /// Main's schema 4 (before the conflict state joined, as schema 5): config, store,
    /// expired state, agent facts, privacy section, store extension, the checksum over the
    /// payload alone. Built here as that build's `encode` wrote it, it restores with every
    /// part — reopens, a spend's number, accounts and arrival numbers — and no conflicts
    /// recorded (schema 4 had no room for them); external events name their user's key.
    /// `encode_as(4, …)` writes exactly those bytes; relabelled as 5, they fail the
    /// checksum, and sealed as 5 they lack the conflict state: corrupt either way.
    #[test]
    fn main_schema_4_snapshots_restore() {
        let store = store_of(&[
            AGENT_REPLY,
            r#"{"type":"external_event","id":"o1","contact":"+34 600 111 222","name":"purchase","value":10,"timestamp":1751460000}"#,
            r#"{"type":"external_event","id":"o1","contact":"34600111222","name":"purchase","value":99,"timestamp":1751460060}"#,
            r#"{"type":"reopen","contact":"34600111222","phone_number_id":"1001","timestamp":1751460100}"#,
            r#"{"type":"spend","source":"meta_ad:120","date":"2025-07-01","amount":30,"currency":"EUR","phone_number_id":"1001"}"#,
        ]);
        // Two versions of o1: the later one (value 99) is kept, one conflict.
        assert_eq!(store.conflicted.len(), 1);
        assert_eq!(store.stats.conflicts, 1);
        let phones: Vec<_> = store
            .spend
            .values()
            .map(|r| r.extra.phone.clone())
            .collect();
        assert_eq!(phones, [Some("1001".into())]);
        let reopens: usize = store.users.iter().map(|u| u.reopens.len()).sum();
        assert_eq!(reopens, 1);
        let ext = store.extension();
        let config_json = serde_json::to_string(&Config::default()).unwrap();
        let agent: Vec<_> = store.agent.iter().collect();
        let v3 = SectionV3 {
            extra: store.extra.clone(),
            key_check: None,
        };
        let payload = postcard::to_stdvec(&(
            &config_json,
            &store,
            ExpiredV2::default(),
            &agent,
            &v3,
            &ext,
        ))
        .unwrap();
        let mut v4 = MAGIC.to_vec();
        v4.extend_from_slice(&4u32.to_le_bytes());
        v4.extend_from_slice(&fnv1a(&payload).to_le_bytes());
        v4.extend_from_slice(&payload);
        let written = encode_as(4, &Config::default(), &store, &Expired::default(), None);
        assert_eq!(written, v4, "encode_as(4) writes main's schema 4");
        let (_, back, _, check) = decode(&v4).unwrap();
        assert_eq!(check, None);
        assert_eq!(back.agent, store.agent);
        assert_eq!(back.extension(), ext);
        assert_eq!(back.extra, store.extra);
        assert_eq!(back.externals.len(), 1);
        assert_eq!(back.externals[0].value, store.externals[0].value);
        assert_eq!(&*back.externals[0].contact, "34600111222");
        assert!(back.conflicted.is_empty());
        assert_eq!(back.stats.conflicts, 0);
        // Schema 5 and later keep the conflict.
        let now = encode(&Config::default(), &store, &Expired::default(), None);
        let (_, back, _, _) = decode(&now).unwrap();
        assert_eq!(back.conflicted, store.conflicted);
        assert_eq!(back.stats.conflicts, 1);
        let mut relabelled = v4.clone();
        relabelled[6..10].copy_from_slice(&5u32.to_le_bytes());
        assert!(
            matches!(decode(&relabelled), Err(SnapshotError::Corrupt(m)) if m.contains("checksum"))
        );
        assert!(matches!(
            decode(&seal_as(5, &payload)),
            Err(SnapshotError::Corrupt(_))
        ));
    }

    /// An inbound text message from 4915100000001 (webhook shape).
    fn text_msg(id: &str, body: &str) -> String {
        format!(
            r#"{{"entry":[{{"changes":[{{"field":"messages","value":{{"messages":[{{"from":"4915100000001","id":"{id}","text":{{"body":"{body}"}},"timestamp":"1751450200","type":"text"}}],"messaging_product":"whatsapp","metadata":{{"phone_number_id":"1001"}}}}}}]}}]}}"#
        )
    }

    /// The kept text and the digest of each inbound message, in store order.
    fn texts(store: &Store) -> Vec<(Option<&str>, u32)> {
        (store.msgs.iter())
            .filter_map(|m| Some((m.inbound.as_ref()?.text.as_deref(), m.text_sum)))
            .collect()
    }

    #[test]
    fn snapshots_before_schema_6_have_their_texts_matched_on_restore() {
        // A store fed directly (not through an engine) keeps texts as they arrived, as
        // every store did before schema 6.
        let store = store_of(&[
            &text_msg("wamid.i1", "Menu please"),
            &text_msg("wamid.i2", "hello"),
        ]);
        assert_eq!(
            texts(&store),
            [(Some("Menu please"), 0), (Some("hello"), 0)]
        );
        let config = Config::from_json(
            r#"{"sources":[{"key":"qr_menu","match":"prefix","pattern":"menu"}]}"#,
        )
        .unwrap();
        // Schema 5: each text becomes what the rules match in it (rule 0; nothing), with
        // its digest.
        let (_, back, _, _) =
            decode(&encode_as(5, &config, &store, &Expired::default(), None)).unwrap();
        let (menu, hello) = (text_sum("Menu please"), text_sum("hello"));
        assert_eq!(texts(&back), [(Some("\u{1}0;"), menu), (None, hello)]);
        // Schema 6 keeps the tokens and the digests as they are.
        let (_, again, _, _) = decode(&encode(&config, &back, &Expired::default(), None)).unwrap();
        assert_eq!(texts(&again), texts(&back));
        // A pseudonymised engine's store held tokens already (and no digests): a token
        // that matched nothing is dropped, the others stay.
        let tokens = store_of(&[
            &text_msg("wamid.i1", "\\u00010;"),
            &text_msg("wamid.i2", "\\u0001-;"),
        ]);
        let pseudo = Config::from_json(
            r#"{"pseudonymise":{"secret_env":"S"},"sources":[{"key":"qr_menu","match":"prefix","pattern":"menu"}]}"#,
        )
        .unwrap();
        let v5 = encode_as(
            5,
            &pseudo,
            &tokens,
            &Expired::default(),
            Some("check".into()),
        );
        let (_, back, _, _) = decode(&v5).unwrap();
        assert_eq!(texts(&back), [(Some("\u{1}0;"), 0), (None, 0)]);
    }

    #[test]
    fn a_text_digest_naming_no_inbound_message_is_corrupt() {
        let store = store_of(&[&text_msg("wamid.i1", "hello")]);
        let mut payload = Vec::new();
        let config = serde_json::to_string(&Config::default()).unwrap();
        let _ = postcard::to_io(&(config, &store), &mut payload);
        let _ = postcard::to_io(&ExpiredV2::default(), &mut payload);
        let agent: AgentFactsById = Vec::new();
        let section = SectionV3 {
            extra: store.extra.clone(),
            key_check: None,
        };
        let _ = postcard::to_io(&(agent, section), &mut payload);
        let _ = postcard::to_io(&store.extension(), &mut payload);
        let _ = postcard::to_io(&Conflicts::default(), &mut payload);
        let good = payload.clone();
        let _ = postcard::to_io(&vec![(0u32, 7u32)], &mut payload);
        assert_eq!(
            texts(&decode(&seal(&payload)).unwrap().1),
            [(Some("hello"), 7)]
        );
        let mut bad = good;
        let _ = postcard::to_io(&vec![(1u32, 7u32)], &mut bad);
        assert!(matches!(
            decode(&seal(&bad)),
            Err(SnapshotError::Corrupt(m)) if m.contains("message 1")
        ));
    }
}
