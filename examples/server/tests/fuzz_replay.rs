//! Replays the committed corpus of the `server` fuzz target (`fuzz/corpus/server`) and any
//! fixed crasher (`fuzz/artifacts/server`) through the target's invariants
//! (`fuzz/invariants/server.rs`) on stable Rust, so CI runs them.

#[path = "../../../fuzz/invariants/server.rs"]
mod invariants;

#[test]
fn server_corpus_keeps_the_invariants() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["corpus/server", "artifacts/server"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(
        files.len() >= 4,
        "fuzz/corpus/server: {} inputs",
        files.len()
    );
    for f in &files {
        let data = std::fs::read(f).unwrap();
        // The invariants panic with their own message; name the input first.
        eprintln!("replaying {}", f.display());
        invariants::server(&data);
    }
}
