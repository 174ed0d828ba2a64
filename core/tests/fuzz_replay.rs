//! Replays the committed fuzz corpus (`fuzz/corpus/{ingest,config,snapshot}`) and every
//! fixed crasher (`fuzz/artifacts/<target>/`, when any is committed) through the same
//! invariants the cargo-fuzz targets check (`fuzz/invariants/core.rs`), on stable Rust, so
//! CI runs them. The corpus is small (a few dozen inputs, well under a second).

#[path = "../../fuzz/invariants/core.rs"]
#[allow(dead_code)]
mod invariants;

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
