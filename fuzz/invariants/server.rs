//! The invariants of the `server` fuzz target, shared with the workspace test that replays
//! its committed corpus on stable Rust (`examples/server/tests/fuzz_replay.rs` includes this
//! file by path). Panics when an invariant does not hold.
//!
//! The first byte chooses: bit 0 clear, the body is signed with the secret as Meta signs
//! it (so the fuzzer reaches the JSON check and the log); set, the body's first bytes are
//! taken as the signature header (malformed and wrong signatures). The rest of the byte
//! picks where the log is cut.
//!
//! Invariants: no panic; a correctly signed body is never refused for its signature; a
//! body the checks accept is stored and read back byte for byte; replaying the log into a
//! fresh engine gives the report the live engine gave; a log cut anywhere recovers exactly
//! the records that end before the cut.

use convolens_server::app::{Refusal, check_webhook};
use convolens_server::core_api::{self, Config, ReportOptions};
use convolens_server::signature::sign;
use convolens_server::wal::{self, Kind, Log};

/// The app secret the bodies are signed with.
const SECRET: &[u8] = b"fuzz-app-secret";

/// Check one input (see the module docs).
pub fn server(data: &[u8]) {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let header = if flags & 1 == 0 {
        sign(SECRET, body).into_bytes()
    } else {
        body[..body.len().min(71)].to_vec()
    };
    let checked = check_webhook(SECRET, Some(&header), body, 1 << 20);
    if flags & 1 == 0 {
        assert!(
            !matches!(checked, Err(Refusal::Signature(_))),
            "a correct signature was refused"
        );
    }

    let dir = std::env::temp_dir().join(format!("cvl-fuzz-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut log = Log::open(&dir, 4096, 0).expect("open log");
    let mut live = core_api::new_engine(Config::default()).expect("engine");
    // What the handlers store: the webhook when it passed the checks, and the same bytes
    // as a /records body (stored whatever they hold; bad lines are reported per line).
    let mut stored = Vec::new();
    if checked.is_ok() {
        stored.push((Kind::Webhook, log.append(Kind::Webhook, body).1));
    }
    stored.push((Kind::Records, log.append(Kind::Records, body).1));
    log.commit().expect("commit");
    for (kind, _) in &stored {
        core_api::apply(&mut live, *kind, body);
    }
    let opts = ReportOptions::default();
    let live_report = core_api::report_json(&mut live, &opts);

    // Replay into a fresh engine: the same state.
    let mut replayed = core_api::new_engine(Config::default()).expect("engine");
    let mut read = Vec::new();
    wal::recover(&dir, 0, |r| {
        assert_eq!(r.body, body, "stored bytes read back");
        read.push(r.kind);
        core_api::apply(&mut replayed, r.kind, r.body);
    })
    .expect("recover");
    assert_eq!(read, stored.iter().map(|s| s.0).collect::<Vec<_>>());
    assert_eq!(core_api::report_json(&mut replayed, &opts), live_report);

    // Cut the log anywhere: what ends before the cut comes back, the rest is truncated.
    let (base, path) = wal::segments(&dir)
        .expect("segments")
        .pop()
        .expect("a segment");
    let len = std::fs::metadata(&path).expect("segment").len();
    let cut = u64::from(flags >> 1) * len / 127;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open")
        .set_len(cut)
        .expect("cut");
    let mut count = 0;
    let rec = wal::recover(&dir, 0, |_| count += 1).expect("recover a cut log");
    assert_eq!(
        count,
        stored.iter().filter(|(_, end)| *end <= base + cut).count()
    );
    assert!(rec.end <= base + len);
    let _ = std::fs::remove_dir_all(&dir);
}
