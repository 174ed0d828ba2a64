//! `DELETE /contacts/{id}` (issue #24): the person leaves the engine, and their raw
//! webhooks leave the data directory — every file in it is searched for their number and
//! name after the answer, after a restart, and after a crash between the erasure and its
//! purge.

mod common;

use common::{RECORDS_TOKEN, TempDir, input, options, post_webhooks, start};
use convolens_server::client::{Conn, text_message};
use convolens_server::wal::{Kind, Log};
use std::path::Path;
use std::time::Duration;

const T0: i64 = 1_751_450_000;
const PHONE: &str = "106540352242922";
const ANA: &str = "4915100000001";
const BEN: &str = "4915100000002";

/// Whether any file under `dir` contains `needle`.
fn found_in(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
            {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

fn traffic() -> Vec<String> {
    (0..6)
        .map(|i| {
            let who = if i % 2 == 0 { ANA } else { BEN };
            text_message(&format!("wamid.e{i}"), who, T0 + i * 60, PHONE)
        })
        .collect()
}

async fn delete(addr: std::net::SocketAddr, contact: &str, token: &str) -> (u16, String) {
    let auth = format!("Bearer {token}");
    let r = Conn::connect(addr)
        .await
        .unwrap()
        .request(
            "DELETE",
            &format!("/contacts/{contact}"),
            &[("authorization", &auth)],
            "",
        )
        .await
        .unwrap();
    (r.status, r.text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_erases_the_person_and_their_raw_webhooks() {
    let dir = TempDir::new("erase");
    let mut o = options(dir.path());
    // Small segments and frequent snapshots: the person's bytes are spread over several
    // segments and an older snapshot when the erasure comes.
    o.durable.segment_bytes = 2048;
    o.durable.snapshot_every = Duration::from_millis(50);
    let s = start(o.clone(), "{}").await;
    post_webhooks(s.addr, traffic()).await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    let purchase = format!(
        r#"{{"type":"external_event","id":"o1","contact":"{ANA}","name":"purchase","value":10,"currency":"EUR","timestamp":{}}}"#,
        T0 + 600
    );
    assert_eq!(
        c.records(RECORDS_TOKEN, purchase).await.unwrap().status,
        200
    );
    // Wait for a periodic snapshot, which holds Ana too.
    let snaps = dir.path().join("snapshots");
    for _ in 0..100 {
        if std::fs::read_dir(&snaps).map_or(0, Iterator::count) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !found_in(dir.path(), ANA).is_empty(),
        "Ana's webhooks are on disk before"
    );
    assert!(!found_in(dir.path(), &format!("User {ANA}")).is_empty());

    assert_eq!(delete(s.addr, ANA, "wrong").await.0, 401);
    assert_eq!(delete(s.addr, "4915199999999", RECORDS_TOKEN).await.0, 404);
    let (status, body) = delete(s.addr, ANA, RECORDS_TOKEN).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            v["found"].clone(),
            v["messages"].clone(),
            v["external_events"].clone()
        ),
        (true.into(), 3.into(), 1.into())
    );
    // Once answered: no byte of Ana's input is left; Ben's is.
    assert_eq!(found_in(dir.path(), ANA), Vec::<String>::new());
    assert_eq!(
        found_in(dir.path(), &format!("User {ANA}")),
        Vec::<String>::new()
    );
    assert!(!found_in(dir.path(), BEN).is_empty());
    assert_eq!(input(s.addr).await["messages"]["text"], 3); // Ben's three
    // The state survives a restart, and Ana's re-sent webhook is new again.
    post_webhooks(s.addr, [text_message("wamid.e9", BEN, T0 + 900, PHONE)]).await;
    s.stop().await;
    let s = start(o, "{}").await;
    assert_eq!(input(s.addr).await["messages"]["text"], 4);
    assert_eq!(input(s.addr).await["records"], serde_json::json!({}));
    post_webhooks(s.addr, [traffic()[0].clone()]).await;
    assert_eq!(input(s.addr).await["messages"]["text"], 5);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_cut_short_by_a_crash_is_finished_at_the_next_start() {
    let dir = TempDir::new("erase-crash");
    let o = options(dir.path());
    let s = start(o.clone(), "{}").await;
    post_webhooks(s.addr, traffic()).await;
    s.stop().await; // a snapshot holding Ana
    // As if the server had logged the erasure and died before purging: the record is in
    // the log, the old snapshot and segments are not purged.
    let mut log = Log::open(&dir.path().join("log"), 1 << 20, 0).unwrap();
    log.append(Kind::Forget, ANA.as_bytes());
    log.commit().unwrap();
    drop(log);
    assert!(!found_in(dir.path(), ANA).is_empty());
    let s = start(o, "{}").await;
    assert_eq!(found_in(dir.path(), ANA), Vec::<String>::new());
    assert_eq!(input(s.addr).await["messages"]["text"], 3);
    s.stop().await;
}
