//! Crash tests of the real `convolens-server` binary on loopback: a load generator posts
//! signed webhooks (each with a new message id, retried like Meta retries until it gets a
//! 200) while the server is SIGKILLed and restarted several times; then every webhook that
//! got a 200 must be in the report exactly once, and the log must have been applied exactly
//! once (the report's line count equals the log's record count). Snapshots (every 0.3 s)
//! and expiry points (every second) are taken during the load, so restarts restore a
//! snapshot and replay the log after it. The whole log is kept (`--keep-snapshots 0`) so
//! that the test can count its records. The second test also writes a torn or corrupt last
//! record by hand after each kill.

mod common;

use common::{APP_SECRET, TempDir, log_records};
use convolens_server::client::{Conn, text_message};
use convolens_server::wal::{self, Kind};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 8;

/// The server process (its stderr lines go to a shared list).
struct Proc {
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start the binary and wait until it listens (recovery happens before that).
async fn spawn(dir: &Path, addr: SocketAddr, keep: &str, lines: &Arc<Mutex<Vec<String>>>) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_convolens-server"))
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "--listen",
            &addr.to_string(),
        ])
        .args([
            "--snapshot-every",
            "0.3",
            "--keep-snapshots",
            keep,
            "--expire-every",
            "1",
        ])
        .args(["--segment-bytes", "100000"])
        .env("CONVOLENS_APP_SECRET", APP_SECRET)
        .env("CONVOLENS_VERIFY_TOKEN", "v")
        .env("CONVOLENS_RECORDS_TOKEN", "r")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sink, seen) = (lines.clone(), lines.lock().unwrap().len());
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let t0 = Instant::now();
    while !lines.lock().unwrap()[seen..]
        .iter()
        .any(|l| l.contains("listening on"))
    {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no start: {:?}",
            lines.lock().unwrap()
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited with {status}: {:?}", lines.lock().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Proc { child }
}

impl Proc {
    fn kill9(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

/// What the load generator did.
#[derive(Debug, Default)]
struct Sent {
    /// Distinct webhooks (message ids) sent; every one ended with a 200.
    ids: u64,
    /// POSTs that got a 200.
    acked: u64,
    /// POSTs that got no answer (the server was killed or down); each was retried.
    lost_answers: u64,
}

/// Post webhooks with new ids from `CONNECTIONS` connections until `stop`, retrying each
/// until it gets a 200 (any other status fails the test).
async fn load(addr: SocketAddr, stop: Arc<AtomicBool>) -> Sent {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (next, stop) = (next.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut s = Sent::default();
            let mut conn: Option<Conn> = None;
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                s.ids += 1;
                // 2025-07-02 plus n seconds, 500 users.
                let body = text_message(
                    &format!("wamid.crash.{n}"),
                    &format!("4915200{:05}", n % 500),
                    1_751_450_000 + n as i64,
                    "1001",
                );
                loop {
                    if conn.is_none() {
                        conn = Conn::connect(addr).await.ok();
                    }
                    let answer = match conn.as_mut() {
                        Some(c) => c.webhook(APP_SECRET.as_bytes(), body.clone()).await,
                        None => Err(std::io::Error::other("down")),
                    };
                    if let Ok(r) = answer {
                        assert_eq!(r.status, 200, "webhook {n}: {}", r.text());
                        s.acked += 1;
                        break;
                    }
                    if conn.take().is_some() {
                        s.lost_answers += 1;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            s
        }));
    }
    let mut total = Sent::default();
    for t in tasks {
        let s = t.await.unwrap();
        total.ids += s.ids;
        total.acked += s.acked;
        total.lost_answers += s.lost_answers;
    }
    total
}

/// Append bytes to the last log segment, as a crash in the middle of a write leaves them.
fn tear(dir: &Path, bytes: &[u8]) {
    let (_, last) = wal::segments(&dir.join("log")).unwrap().pop().unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(last)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

/// Torn or corrupt tails, in turn: a record header promising more body than follows; a
/// torn header; a whole record whose checksum is wrong.
fn torn_tail(round: usize) -> Vec<u8> {
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    match round % 3 {
        0 => {
            let mut b = vec![0xAB, 0xCD, 0xEF, 0x01];
            b.extend_from_slice(&500u32.to_le_bytes());
            b.push(Kind::Webhook as u8);
            b.extend_from_slice(&body[..20]);
            b
        }
        1 => vec![0x13, 0x37, 0x00, 0x00, 0x05],
        _ => {
            let mut b = vec![0, 0, 0, 0];
            b.extend_from_slice(&(body.len() as u32).to_le_bytes());
            b.push(Kind::Webhook as u8);
            b.extend_from_slice(body);
            b
        }
    }
}

/// After `kills` torn restarts of the server on `dir`: each hand-written tail of `tails`
/// was found, truncated, logged (in `log_text`) and saved.
fn assert_tails_saved(dir: &Path, log_text: &str, kills: usize, tails: &[Vec<u8>]) {
    // Each hand-written tail was found, truncated, logged and saved.
    let truncated = log_text
        .lines()
        .filter(|l| l.contains("WARN log ") && l.contains("truncated"))
        .count();
    assert_eq!(truncated, kills, "{log_text}");
    // Named by segment and offset (zero-padded) and a counter for a place torn twice,
    // so the names sort in log order. A kill can tear the server's own last write
    // too: the hand-written bytes then end the saved ones.
    let mut saved: Vec<_> = std::fs::read_dir(dir.join("damaged"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), tails.len());
    for (path, tail) in saved.iter().zip(tails) {
        assert!(
            std::fs::read(path).unwrap().ends_with(tail),
            "{}",
            path.display()
        );
    }
}

/// `prune`: keep 2 snapshots and delete the log they cover (the default), instead of
/// keeping the whole log to count its records.
async fn crash_run(name: &str, kills: usize, torn: bool, prune: bool) {
    let keep = if prune { "2" } else { "0" };
    let dir = TempDir::new(name);
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let mut server = spawn(dir.path(), addr, keep, &lines).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(load(addr, stop.clone()));
    let mut tails: Vec<Vec<u8>> = Vec::new();
    for round in 0..kills {
        // 0.4 to 1.3 s of load between kills.
        tokio::time::sleep(Duration::from_millis(400 + 300 * (round as u64 % 4))).await;
        server.kill9();
        if torn {
            let t = torn_tail(round);
            tear(dir.path(), &t);
            tails.push(t);
        }
        server = spawn(dir.path(), addr, keep, &lines).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let sent = load.await.unwrap();
    // Killed right after the last 200, then started again: the report is read from what
    // recovery made of the data directory.
    server.kill9();
    let server = spawn(dir.path(), addr, keep, &lines).await;
    let input = common::input(addr).await;
    server.kill9();
    let log = log_records(dir.path());
    let in_log = log.get(&Kind::Webhook).copied().unwrap_or(0);
    let log_text = lines.lock().unwrap().join("\n");
    eprintln!(
        "{name}: {} webhooks sent ({} POSTs answered 200, {} answers lost to {kills} kills and retried); \
         log: {in_log} webhook records; report: {} text messages, {} lines, {} duplicates",
        sent.ids,
        sent.acked,
        sent.lost_answers,
        input["messages"]["text"],
        input["lines"],
        input["duplicates"]
    );
    for l in log_text
        .lines()
        .filter(|l| l.contains("recovered:") || l.contains(" WARN ") || l.contains(" ERROR "))
    {
        eprintln!("  server: {l}");
    }
    assert!(sent.ids > 100, "the load ran: {sent:?}");
    // Every id got a 200 (the loop retries until it does) ...
    assert_eq!(sent.acked, sent.ids);
    // ... and is in the report exactly once (ids are distinct; the engine deduplicates
    // retries of one id).
    assert_eq!(input["messages"]["text"].as_u64(), Some(sent.ids));
    // The log was applied exactly once: one engine line per webhook record, and the
    // records beyond one per id are the retries of lost answers.
    let lines = input["lines"].as_u64().unwrap();
    assert_eq!(input["duplicates"].as_u64(), Some(lines - sent.ids));
    assert!(lines - sent.ids <= sent.lost_answers);
    if prune {
        let first = wal::segments(&dir.path().join("log")).unwrap()[0].0;
        assert!(first > 0, "the log was pruned");
    } else {
        assert_eq!(lines, in_log);
    }
    assert_eq!(input["errors"], 0);
    // Restarts restored snapshots and replayed the log after them.
    let replays = log_text
        .lines()
        .filter(|l| {
            l.contains("recovered: snapshot at ")
                && !l.contains("snapshot at none")
                && !l.contains(" 0 record(s)")
        })
        .count();
    assert!(
        replays >= 1,
        "no restart restored a snapshot and replayed after it:\n{log_text}"
    );
    if torn {
        assert_tails_saved(dir.path(), &log_text, kills, &tails);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_acknowledged_webhook_and_counts_none_twice() {
    crash_run("kill", 5, false, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_with_the_log_pruned_behind_snapshots() {
    crash_run("prune", 4, false, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_last_record_written_by_hand_is_truncated_logged_and_the_rest_kept() {
    crash_run("torn", 4, true, false).await;
}
