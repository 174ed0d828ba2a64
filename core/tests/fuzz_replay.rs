//! Replays the committed fuzz corpus (`fuzz/corpus/{ingest,fast_parse,config,snapshot}`) and every
//! fixed crasher (`fuzz/artifacts/<target>/`, when any is committed) through the same
//! invariants the cargo-fuzz targets check (`fuzz/invariants/core.rs`), on stable Rust, so
//! CI runs them. The corpus is small (a few dozen inputs, well under a second).

#[path = "../../fuzz/invariants/core.rs"]
#[allow(dead_code)]
mod invariants;
mod support;

use convolens::{Config, Engine, ReportOptions};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Every file of `fuzz/corpus/<target>` and `fuzz/artifacts/<target>` (sorted, hidden files
/// skipped).
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["corpus", "artifacts"] {
        let Ok(rd) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        v.extend(rd.flatten().map(|e| e.path()).filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        }));
    }
    v.sort();
    v
}

fn replay(target: &str, check: fn(&[u8]), at_least: usize) {
    let files = inputs(target);
    assert!(
        files.len() >= at_least,
        "fuzz/corpus/{target}: {} inputs, expected at least {at_least}",
        files.len()
    );
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            panic!("{target}: {} fails: {msg}", f.display());
        }
    }
}

#[test]
fn ingest_corpus_keeps_the_invariants() {
    replay("ingest", invariants::ingest, 16);
}

#[test]
fn ingest_corpus_keeps_the_report_invariants() {
    replay("ingest", invariants::ingest_report, 16);
}

#[test]
fn fast_parse_corpus_gives_the_serde_result() {
    replay("fast_parse", invariants::fast_parse, 20);
}

#[test]
fn snapshot_corpus_keeps_the_invariants() {
    replay("snapshot", invariants::snapshot, 5);
}

#[test]
fn config_corpus_keeps_the_invariants() {
    // The config target has no committed corpus yet: replay what there is, plus hand-picked
    // inputs for each branch of the invariant.
    replay("config", invariants::config, 0);
    for text in [
        "",
        "{",
        "[]",
        "{}",
        r#"{"time_zone":"Mars/Olympus"}"#,
        r#"{"time_zone":5}"#,
        r#"{"colour":"red"}"#,
        r#"{"inactivity_timeout_hours":0}"#,
        r#"{"lateness_days":400}"#,
        r#"{"sources":[{"key":"k","match":"regex","pattern":"("}]}"#,
        r#"{"pricing_timeline":[{"effective_from":"2027-01-01"}]}"#,
        r#"{"time_zone":"Europe/Madrid","currency":"EUR","quota":10,"attribution":{"model":"linear","lookback_days":3}}"#,
    ] {
        invariants::config(text.as_bytes());
    }
    // The example config, as a config the engine accepts.
    let example = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/config.json"
    ))
    .unwrap();
    invariants::config(&example);
}

/// The snapshot seeds, `fuzz/corpus/snapshot/seed-*`, and the engine each one is the state
/// of (default config, so no rate card fills them): an empty engine; the first 10, 100 and
/// 150 lines of the example data; 40 days of generated traffic expired every day (sealed days, carries); and facts that arrived in
/// conflicting versions (the conflict state, issue 19.3; the text digests of schema 6).
fn seed_engines() -> Vec<(&'static str, Engine)> {
    let fed = |n: usize| {
        let mut e = Engine::new(Config::default()).unwrap();
        for l in support::example_lines().iter().take(n) {
            e.ingest_str(l).unwrap();
        }
        e
    };
    let mut expired = Engine::new(Config::default()).unwrap();
    let mut year = support::year::Year::new(11, 6, 9);
    for d in 0..40 {
        for l in year.day(d) {
            expired.ingest_str(&l).unwrap();
        }
        expired.expire().unwrap();
    }
    let mut conflicts = Engine::new(Config::default()).unwrap();
    for l in [
        r#"{"type":"outbound","id":"wamid.o1","phone_number_id":"1001","to":"4915100000001","timestamp":1751450060,"kind":"template","template":"promo","category":"marketing"}"#,
        r#"{"type":"outbound","id":"wamid.o1","phone_number_id":"1001","to":"4915100000001","timestamp":1751450060,"kind":"template","template":"promo","category":"utility"}"#,
        r#"{"type":"external_event","id":"ord-9","contact":"+49 151 00000001","name":"purchase","value":10,"currency":"EUR","timestamp":1751460000}"#,
        r#"{"type":"external_event","id":"ord-9","contact":"4915100000001","name":"purchase","value":99,"currency":"EUR","timestamp":1751460000}"#,
        r#"{"type":"spend","source":"meta_ad:120","date":"2025-07-02","amount":25,"currency":"EUR"}"#,
        r#"{"type":"spend","source":"meta_ad:120","date":"2025-07-02","amount":25,"currency":"USD"}"#,
        r#"{"type":"click","id":"c1","message_id":"wamid.o1","button":"shop","timestamp":1751450100}"#,
        r#"{"type":"click","id":"c1","message_id":"wamid.o1","button":"shop","timestamp":1751450160}"#,
        // One inbound message in two versions that differ only in a text no rule matches:
        // the store keeps the text's digest, not the text (schema 6).
        r#"{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"4915100000001","id":"wamid.i1","text":{"body":"Hi"},"timestamp":"1751450200","type":"text"}],"messaging_product":"whatsapp","metadata":{"phone_number_id":"1001"}}}]}]}"#,
        r#"{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"4915100000001","id":"wamid.i1","text":{"body":"Hello"},"timestamp":"1751450200","type":"text"}],"messaging_product":"whatsapp","metadata":{"phone_number_id":"1001"}}}]}]}"#,
    ] {
        conflicts.ingest_str(l).unwrap();
    }
    vec![
        ("seed-0", Engine::new(Config::default()).unwrap()),
        ("seed-1", fed(10)),
        ("seed-2", fed(100)),
        ("seed-3", fed(150)),
        ("seed-expired", expired),
        ("seed-conflicts", conflicts),
    ]
}

/// Every committed snapshot seed is a payload the target wraps (first byte even) and that
/// restores: a seed of an older schema would only exercise the decoder's error paths.
#[test]
fn snapshot_seeds_are_current_payloads() {
    let dir = fuzz_dir().join("corpus/snapshot");
    for (name, mut want) in seed_engines() {
        let data = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(data[0] % 2, 0, "{name}: first byte odd, not wrapped");
        let sealed = convolens::internals::seal(&data[1..]);
        let mut got = Engine::restore(&sealed).unwrap_or_else(|e| {
            panic!("{name} does not restore: {e} (regenerate with write_snapshot_seeds)")
        });
        assert_eq!(got.facts(), want.facts(), "{name}");
        assert_eq!(got.expired(), want.expired(), "{name}");
        let conflicts =
            |e: &mut Engine| e.report(&ReportOptions::default()).unwrap().input.conflicts;
        assert_eq!(conflicts(&mut got), conflicts(&mut want), "{name}");
    }
    // The seeds reach the expired state and the conflict state: sealed days, and the five
    // conflicting facts (outbound o1, event ord-9, the spend, click c1, inbound i1).
    let engines = seed_engines();
    assert!(engines[4].1.expired().is_some());
    let mut last = engines.into_iter().last().unwrap().1;
    assert_eq!(
        last.report(&ReportOptions::default())
            .unwrap()
            .input
            .conflicts,
        5
    );
}

/// Not a test: rewrites the snapshot seeds in the current schema (a 0 flag byte, then the
/// snapshot after its 18-byte header), after a schema change. Run by hand:
/// `cargo test -p convolens --test fuzz_replay -- --ignored write_snapshot_seeds`.
#[test]
#[ignore = "a tool: rewrites fuzz/corpus/snapshot/seed-*"]
fn write_snapshot_seeds() {
    let dir = fuzz_dir().join("corpus/snapshot");
    for (name, e) in seed_engines() {
        let mut out = vec![0u8];
        out.extend_from_slice(&e.snapshot()[18..]);
        std::fs::write(dir.join(name), out).unwrap();
    }
}
