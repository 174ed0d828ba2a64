//! Partitioning input by user, to run one engine per partition on separate workers
//! (Spark executors, processes, machines) and merge their states into the state of one
//! engine fed everything.
//!
//! # The rule
//!
//! [`user_key`] names the user a document belongs to: the user of its **first event that
//! names one**, as [`crate::input`](crate::guide::input) parses it, written as the user's key (the `wa_id`, else
//! the business-scoped user id, as `crate::store::UserRec::key`). In practice:
//!
//! | document | key |
//! |---|---|
//! | webhook payload, `messages` field | its first contact's id, else its first message's sender, else its first status's recipient |
//! | `outbound` record | `to` |
//! | `external_event`, `close` record | `contact` |
//! | `spend`, `click` record; webhook of another field; blank or invalid document | none |
//!
//! A JSON array of documents takes the key of its first element that has one.
//!
//! Documents without a key go to one partition (and only one), so that spend records —
//! global, not per user — are ingested exactly once. [`partition_of`] maps a key to a
//! partition with a fixed hash (64-bit FNV-1a), the same in every process and release.
//!
//! # Why it is exact
//!
//! Every report section is a pure fold over each user's time-ordered timeline, whose
//! results are summed into per-day aggregates and joined with global facts (spend, clicks,
//! the configuration). Keying by user puts a user's inbound messages, the business's
//! messages to them (records and statuses both name the recipient), their conversions and
//! closes in the same partition. So **per-user state never needs merging across
//! partitions**: one partition's engine holds the user's whole timeline. **Day aggregates
//! do**: a day sums the contributions of users spread over every partition, and spend meets
//! the per-user results only there.
//!
//! [`crate::Engine::merge`] merges facts, not results: it replays the other engine's
//! deduplicated facts through the idempotent ingest path and unions identities, and the
//! report is computed once, on the merged state. So the merged state is the state one
//! engine builds from all the documents even where the key cannot see that two documents
//! concern one user — a user named by `wa_id` in one document and only by BSUID in
//! another, or a webhook batch naming several users (keyed by its first): their facts meet
//! in the merge; only locality is lost.
//!
//! The `input` counters add up because every document is ingested exactly once, in one
//! engine: lines, errors, ignored items and duplicates are summed by the merge, and each
//! unique fact counts as ingested once. One counter can differ: when the very same item (a
//! message id, a status of it, a record id) arrives in two documents with different keys,
//! one engine counts the second as a duplicate, while the two copies meet only in the merge,
//! which does not count repeats — `duplicates` is then lower by one per such pair.
//!
//! ```
//! use convolens::partition::{partition_of, user_key};
//!
//! let line = br#"{"type":"outbound","id":"wamid.1","to":"4915112345678","timestamp":1751450000}"#;
//! assert_eq!(user_key(line).as_deref(), Some("4915112345678"));
//! assert_eq!(user_key(br#"{"type":"spend","date":"2025-07-01","amount":5}"#), None);
//! assert_eq!(partition_of(br#"{"type":"spend","date":"2025-07-01","amount":5}"#, 8), 0);
//! assert!(partition_of(line, 8) < 8);
//! ```

use crate::input::{ParseOptions, parse_document};

/// The key of the user `doc` (one JSONL line, webhook payload or JSON array of documents)
/// belongs to, or `None` when its events name no user or it cannot be parsed. See the
/// [module documentation](self) for the rule.
pub fn user_key(doc: &[u8]) -> Option<String> {
    let doc = doc.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(doc);
    let mut events = Vec::new();
    parse_document(doc, 1, &ParseOptions::default(), &mut events).ok()?;
    events
        .iter()
        .find_map(|e| e.user()?.key().map(str::to_owned))
}

/// The partition, in `0..partitions`, of `doc`: the 64-bit FNV-1a hash of its
/// [`user_key`] modulo `partitions`, and partition 0 for documents without a key.
///
/// # Panics
///
/// When `partitions` is 0.
pub fn partition_of(doc: &[u8], partitions: u32) -> u32 {
    assert!(partitions > 0, "partitions must be positive");
    user_key(doc).map_or(0, |k| key_partition(&k, partitions))
}

/// The partition of a user key (see [`partition_of`]).
///
/// # Panics
///
/// When `partitions` is 0.
pub fn key_partition(key: &str, partitions: u32) -> u32 {
    assert!(partitions > 0, "partitions must be positive");
    (crate::util::hash::fnv1a(key.as_bytes()) % u64::from(partitions)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::hash::fnv1a;

    const W1: &str = "4915112345678";
    const W2: &str = "447911123456";
    const B1: &str = "DE.1234567890abcdef";

    fn webhook(value: &str) -> String {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"9","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"1001"}},{value}}}}}]}}]}}"#
        )
    }

    fn key(doc: &str) -> Option<String> {
        user_key(doc.as_bytes())
    }

    #[test]
    fn webhook_keys() {
        let msg = |from: &str, extra: &str| {
            format!(
                r#""messages":[{{"from":"{from}"{extra},"id":"m1","timestamp":"1751450000","type":"text","text":{{"body":"hi"}}}}]"#
            )
        };
        assert_eq!(key(&webhook(&msg(W1, ""))).as_deref(), Some(W1));
        // The wa_id wins over the BSUID, as in the user's key; a BSUID alone is the key.
        let both = format!(r#","from_user_id":"{B1}""#);
        assert_eq!(key(&webhook(&msg(W1, &both))).as_deref(), Some(W1));
        assert_eq!(key(&webhook(&msg("", &both))).as_deref(), Some(B1));
        // Contacts come first in a change.
        let with_contact = format!(r#""contacts":[{{"wa_id":"{W2}"}}],{}"#, msg(W1, ""));
        assert_eq!(key(&webhook(&with_contact)).as_deref(), Some(W2));
        // A status batch: its first recipient.
        let statuses = format!(
            r#""statuses":[{{"id":"o1","status":"sent","timestamp":"1751450000","recipient_id":"{W2}"}},{{"id":"o2","status":"sent","timestamp":"1751450000","recipient_id":"{W1}"}}]"#
        );
        assert_eq!(key(&webhook(&statuses)).as_deref(), Some(W2));
        let by_bsuid = format!(
            r#""statuses":[{{"id":"o1","status":"sent","timestamp":"1751450000","recipient_user_id":"{B1}"}}]"#
        );
        assert_eq!(key(&webhook(&by_bsuid)).as_deref(), Some(B1));
    }

    #[test]
    fn record_keys_and_keyless_documents() {
        let out = format!(r#"{{"type":"outbound","id":"o1","to":"{W1}","timestamp":1751450000}}"#);
        assert_eq!(key(&out).as_deref(), Some(W1));
        // A BSUID in `to` is read as a BSUID and is the key.
        let out_b =
            format!(r#"{{"type":"outbound","id":"o1","to":"{B1}","timestamp":1751450000}}"#);
        assert_eq!(key(&out_b).as_deref(), Some(B1));
        let ext = format!(
            r#"{{"type":"external_event","id":"x","contact":"{W2}","name":"purchase","timestamp":1751450000}}"#
        );
        assert_eq!(key(&ext).as_deref(), Some(W2));
        let close = format!(r#"{{"type":"close","contact":"{W2}","timestamp":1751450000}}"#);
        assert_eq!(key(&close).as_deref(), Some(W2));
        // An array: its first element with a user.
        let spend = r#"{"type":"spend","date":"2025-07-01","source":"meta_ad:1","amount":5}"#;
        assert_eq!(key(&format!("[{spend},{out}]")).as_deref(), Some(W1));
        // With a byte-order mark, as a file's first line may have.
        assert_eq!(key(&format!("\u{feff}{out}")).as_deref(), Some(W1));
        for keyless in [
            spend,
            r#"{"type":"click","message_id":"o1","button":"Shop","timestamp":1751450000}"#,
            r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]}"#,
            r#"{"type":"outbound","id":"o1""#,
            r#"{"type":"outbound","id":"o1","to":"","timestamp":1751450000}"#,
            "",
            "   ",
            "not json",
            "[]",
        ] {
            assert_eq!(key(keyless), None, "{keyless}");
            assert_eq!(partition_of(keyless.as_bytes(), 7), 0);
        }
        // A number is normalised as the store reads it (issue 19.5): " +49 …" is "49…".
        let spaced = out.replace(W1, &format!(" +{} {}", &W1[..2], &W1[2..]));
        assert_eq!(key(&spaced), Some(W1.to_string()));
    }

    #[test]
    fn partitions_are_fixed_and_spread() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector).
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(
            key_partition("a", 1000),
            (0xaf63_dc4c_8601_ec8c_u64 % 1000) as u32
        );
        let out = format!(r#"{{"type":"outbound","id":"o1","to":"{W1}","timestamp":1751450000}}"#);
        assert_eq!(partition_of(out.as_bytes(), 13), key_partition(W1, 13));
        // 1000 consecutive numbers over 4 partitions: none empty, none over twice its share.
        let mut counts = [0u32; 4];
        for i in 0..1000u64 {
            counts[key_partition(&(4_915_100_000_000 + i).to_string(), 4) as usize] += 1;
        }
        assert!(counts.iter().all(|c| (125..=500).contains(c)), "{counts:?}");
    }
}
