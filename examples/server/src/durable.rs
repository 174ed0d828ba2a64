//! The durable pipeline: recovery at start, group commit, the engine, snapshots.
//!
//! ```text
//! handlers ──submit──▶ writer thread ──batch, after fsync──▶ engine thread
//!                      (log, group commit)                   (applies in log order,
//!      ◀── 200 (webhook: once durable) ──┘                    snapshots, replies to
//!      ◀── 200 + per-line errors (records: once applied) ─────┘  /records)
//! ```
//!
//! # Rules
//!
//! - **Group commit.** The writer takes the first waiting request, then every request
//!   already queued, then waits at most `commit_wait` for more while the batch is under
//!   `max_batch` records; it writes the batch with one write and one `fdatasync`. A
//!   request therefore waits at most `commit_wait` plus one commit (plus the commit in
//!   progress when it arrived) before its answer.
//! - **Acknowledged means durable.** A webhook is answered 200 when its batch is synced; a
//!   `/records` body when its batch is synced *and* applied (its answer lists the per-line
//!   errors). A batch the log cannot store is answered 503 (Meta retries) and is not
//!   applied.
//! - **One order.** The engine applies records in log order, only after they are durable,
//!   and nothing else changes it. A snapshot is taken between two records and stores the
//!   position after the last one applied; recovery restores it and replays exactly the
//!   records from that position. So every acknowledged record is in the state once: never
//!   lost (it is in the log, and the log is kept from the oldest snapshot kept) and never
//!   applied twice (the snapshot position splits the log exactly). Records without an id
//!   (or whose id the engine deduplicates) are as safe as those with one.
//! - **Expiry is a record.** The daily expiry goes through the log as a record of kind
//!   [`Kind::Expire`], so replay expires at the same point of the input and late input is
//!   treated the same way after a restart as before.
//! - **Reads see acknowledged writes.** [`Durable::caught_up`] waits until the engine has
//!   applied every batch committed when it was called; reports call it first.
//! - **Erasure is a record, and purges.** `DELETE /contacts/{id}` goes through the log
//!   as a record of kind [`Kind::Forget`]; the log rolls to a new segment right after the
//!   batch holding it. When the engine has applied it (and the person was known), it
//!   writes a snapshot at that point, then deletes every older snapshot, every log
//!   segment before the new one and every copy of damaged log bytes: all that held the
//!   person's raw webhooks. Only then is the request answered. A crash in between is
//!   finished at the next start: recovery replays the erasure and purges the same way.
//!   So the bound is: when `DELETE` answers 200, no byte of the person's earlier input is
//!   left in the data directory (backups taken before are the operator's to handle).
//! - **Never fatal at start.** A damaged log tail is truncated (and saved), a damaged
//!   snapshot is skipped for an older one, a record that makes the engine panic is logged
//!   and skipped; see [`crate::wal`] and [`crate::snapshots`].

use crate::core_api::{self, Applied, Config, Engine};
use crate::metrics::{Metrics, inc};
use crate::wal::{self, CommitError, Kind, Log};
use crate::{logline, snapshots};
use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc as std_mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

/// Tuning of the durable pipeline.
#[derive(Clone, Debug)]
pub struct DurableOptions {
    /// The data directory (`log/`, `snapshots/`, `damaged/`, `LOCK`).
    pub data_dir: PathBuf,
    /// A segment file rolls once it holds this many bytes. Default 64 MiB.
    pub segment_bytes: u64,
    /// How long the writer waits for more requests before committing a batch that is not
    /// full. Default 0: a batch is what queued during the previous commit.
    pub commit_wait: Duration,
    /// Records per commit at most. Default 1024.
    pub max_batch: usize,
    /// Requests waiting for the writer at most; more wait in their handlers. Default 16384.
    pub queue: usize,
    /// A snapshot is taken this long after the previous one, when something was applied
    /// since. Default 5 minutes.
    pub snapshot_every: Duration,
    /// Snapshots kept (the log is kept from the oldest of them). Default 2. 0 keeps every
    /// snapshot and the whole log (an archive, from which a changed configuration rebuilds
    /// the state).
    pub snapshots_kept: usize,
}

impl Default for DurableOptions {
    fn default() -> Self {
        DurableOptions {
            data_dir: PathBuf::from("data"),
            segment_bytes: 64 << 20,
            commit_wait: Duration::ZERO,
            max_batch: 1024,
            queue: 16384,
            snapshot_every: Duration::from_secs(300),
            snapshots_kept: 2,
        }
    }
}

/// The log could not store a request (answer 503: the sender should retry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the log cannot store requests right now")]
pub struct Unavailable;

enum Reply {
    Durable(oneshot::Sender<Result<(), Unavailable>>),
    Applied(oneshot::Sender<Result<Applied, Unavailable>>),
}

enum ToWriter {
    Append(Kind, Bytes, Reply),
    Stop,
}

struct Item {
    kind: Kind,
    body: Bytes,
    end: u64,
    reply: Option<oneshot::Sender<Result<Applied, Unavailable>>>,
}

enum ToEngine {
    Batch(Vec<Item>),
    Stop,
}

/// The handle the HTTP handlers share: submit requests, read the engine.
#[derive(Clone)]
pub struct Durable {
    tx: mpsc::Sender<ToWriter>,
    engine: Arc<Mutex<Engine>>,
    committed: Arc<AtomicU64>,
    applied: watch::Receiver<u64>,
    broken: Arc<AtomicBool>,
    /// The server's metrics.
    pub metrics: Arc<Metrics>,
}

/// The pipeline's threads, to be stopped with [`Pipeline::stop`].
pub struct Pipeline {
    tx: mpsc::Sender<ToWriter>,
    writer: Option<JoinHandle<()>>,
    engine: Option<JoinHandle<()>>,
    _lock: std::fs::File,
}

/// What recovery did at start.
#[derive(Clone, Debug, Default)]
pub struct Started {
    /// The position of the snapshot restored, if any.
    pub snapshot: Option<u64>,
    /// Log records replayed after it.
    pub replayed: u64,
    /// Where appending goes on.
    pub position: u64,
}

/// Lock a mutex, taking the data of a poisoned one (the engine never panics on input;
/// should it, the record is logged and skipped and the state is kept as it is).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Apply a record, turning a panic of the engine into a logged, skipped record.
fn apply_guarded(engine: &mut Engine, kind: Kind, body: &[u8], lsn: u64) -> Applied {
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        core_api::apply(engine, kind, body)
    }));
    caught.unwrap_or_else(|_| {
        logline(
            "ERROR",
            format_args!("the engine panicked on the log record at {lsn}; skipped"),
        );
        Applied {
            lines: 1,
            errors: Vec::new(),
            ..Applied::default()
        }
    })
}

fn count(metrics: &Metrics, a: &Applied) {
    let failed = a.errors.len() as u64;
    metrics.lines_failed.fetch_add(failed, Ordering::Relaxed);
    metrics
        .lines_ingested
        .fetch_add(a.lines.saturating_sub(failed), Ordering::Relaxed);
    if let Some(x) = &a.expiry {
        match x {
            Ok(what) => {
                inc(&metrics.expiries);
                logline("INFO", format_args!("expired: {what}"));
            }
            Err(why) => logline("WARN", format_args!("expiry did not run: {why}")),
        }
    }
}

/// An error of the data directory `dir`, naming what was being done.
fn io_error(dir: &Path, what: &str, e: &std::io::Error) -> String {
    format!("{}: {what}: {e}", dir.display())
}

/// Create the data directory and take its lock: the returned file holds it until dropped.
fn lock_data_dir(dir: &Path) -> Result<std::fs::File, String> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", &e))?;
    let lock_file =
        std::fs::File::create(dir.join("LOCK")).map_err(|e| io_error(dir, "LOCK", &e))?;
    lock_file
        .try_lock()
        .map_err(|_| format!("{}: in use by another server (LOCK is held)", dir.display()))?;
    Ok(lock_file)
}

/// The engine recovery replays the log into, the log position it stands at, and whether
/// it came from a snapshot: the newest usable snapshot when it runs with `config` (or
/// when the log before it is pruned, so it cannot be rebuilt), else a new engine for
/// `config` at position 0.
fn starting_engine(
    dir: &Path,
    snap_dir: &Path,
    log_dir: &Path,
    config: Config,
) -> Result<(Engine, u64, bool), String> {
    let (found, rejected) = snapshots::load_newest(snap_dir, core_api::restore)
        .map_err(|e| io_error(dir, "snapshots", &e))?;
    for r in &rejected {
        logline(
            "WARN",
            format_args!("snapshot {} not used: {}", r.path.display(), r.reason),
        );
    }
    let first_segment = wal::segments(log_dir)
        .ok()
        .and_then(|s| s.first().map(|x| x.0));
    Ok(match found {
        Some((pos, e)) if core_api::runs_with(&e, &config) => (e, pos, true),
        Some((pos, e)) if first_segment.is_some_and(|b| b > 0) => {
            logline(
                "WARN",
                format_args!(
                    "the configuration differs from the snapshot's, and the log before position {pos} was pruned: \
                 keeping the snapshot's configuration (start with an empty data directory and POST the data again to change it)"
                ),
            );
            (e, pos, true)
        }
        Some(_) => {
            logline(
                "INFO",
                "the configuration changed: rebuilding the state from the whole log",
            );
            (core_api::new_engine(config)?, 0, false)
        }
        None => {
            if let Some(b) = first_segment.filter(|b| *b > 0) {
                logline(
                    "ERROR",
                    format_args!(
                        "no usable snapshot and the log starts at position {b}: what came before it is lost; going on with the rest"
                    ),
                );
            }
            (core_api::new_engine(config)?, 0, false)
        }
    })
}

/// Log and count each damaged stretch of the log that recovery found.
fn report_damage(damage: &[wal::Damage], metrics: &Metrics) {
    for d in damage {
        inc(&metrics.log_damage);
        let saved = d
            .saved
            .as_ref()
            .map(|p| format!(", saved to {}", p.display()))
            .unwrap_or_default();
        let what = if d.truncated {
            "truncated"
        } else {
            "skipped (earlier segment, left as it is)"
        };
        logline(
            "WARN",
            format_args!(
                "log {}: {} at offset {}: {} byte(s) {what}{saved}",
                d.segment.display(),
                d.reason,
                d.offset,
                d.bytes
            ),
        );
    }
}

/// What recovery leaves for the pipeline's threads.
struct Recovered {
    /// The state with every record of the log applied.
    engine: Engine,
    /// The log, open for appending after its last record.
    log: Log,
    /// The position of the newest snapshot on disk (`u64::MAX`: none).
    snapped: u64,
    /// What recovery found, for the caller.
    started: Started,
}

/// Recover the state of the data directory: the starting engine, the log replayed into
/// it from the engine's position, and the purge of an erasure the replay met (its purge
/// may not have finished before the stop).
fn recover(opts: &DurableOptions, config: Config, metrics: &Metrics) -> Result<Recovered, String> {
    let dir = &opts.data_dir;
    let log_dir = dir.join("log");
    let snap_dir = dir.join("snapshots");
    let (mut engine, from, restored) = starting_engine(dir, &snap_dir, &log_dir, config)?;
    let snapshot = restored.then_some(from);
    let t0 = Instant::now();
    let mut erased = false;
    let rec = wal::recover(&log_dir, from, |r| {
        let a = apply_guarded(&mut engine, r.kind, r.body, r.lsn);
        erased |= a.forgot.as_ref().is_some_and(|f| f.found);
        count(metrics, &a);
    })
    .map_err(|e| io_error(dir, "log", &e))?;
    report_damage(&rec.damage, metrics);
    metrics.replayed.fetch_add(rec.replayed, Ordering::Relaxed);
    let mut log = Log::open(&log_dir, opts.segment_bytes, rec.end.max(from))
        .map_err(|e| io_error(dir, "log", &e))?;
    let mut snapped = if restored { from } else { u64::MAX };
    if erased {
        // An erasure replayed: its purge may not have finished before the stop.
        let at = log.roll().map_err(|e| io_error(dir, "log", &e))?;
        purge(&engine, &snap_dir, &log_dir, at, metrics);
        snapped = at;
    }
    metrics.log_bytes.store(log.disk_bytes(), Ordering::Relaxed);
    let position = log.next_lsn();
    logline(
        "INFO",
        format_args!(
            "recovered: snapshot at {}, {} record(s) replayed in {:.2} s, log continues at {position}",
            snapshot.map_or_else(|| "none".to_string(), |p| p.to_string()),
            rec.replayed,
            t0.elapsed().as_secs_f64()
        ),
    );
    Ok(Recovered {
        engine,
        log,
        snapped,
        started: Started {
            snapshot,
            replayed: rec.replayed,
            position,
        },
    })
}

impl Durable {
    /// Recover the data directory (see the module rules) and start the writer and engine
    /// threads. Fails only when the data directory cannot be used at all (not writable,
    /// locked by another server) or `config` is invalid.
    pub fn start(
        opts: &DurableOptions,
        config: Config,
        metrics: Arc<Metrics>,
    ) -> Result<(Durable, Pipeline, Started), String> {
        let lock_file = lock_data_dir(&opts.data_dir)?;
        let Recovered {
            engine,
            log,
            snapped,
            started,
        } = recover(opts, config, &metrics)?;
        let position = started.position;
        let (snap_dir, log_dir) = (opts.data_dir.join("snapshots"), opts.data_dir.join("log"));
        let engine = Arc::new(Mutex::new(engine));
        let committed = Arc::new(AtomicU64::new(position));
        let broken = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel(opts.queue.max(1));
        let (etx, erx) = std_mpsc::channel();
        let (atx, arx) = watch::channel(position);
        let writer = {
            let (committed, broken, metrics) = (committed.clone(), broken.clone(), metrics.clone());
            let (wait, max) = (opts.commit_wait, opts.max_batch.max(1));
            std::thread::Builder::new()
                .name("log-writer".into())
                .spawn(move || writer_loop(log, rx, &etx, &committed, &broken, &metrics, wait, max))
                .map_err(|e| e.to_string())?
        };
        let engine_thread = {
            let state = EngineLoop {
                engine: engine.clone(),
                applied: atx,
                metrics: metrics.clone(),
                snap_dir,
                log_dir,
                every: opts.snapshot_every,
                keep: opts.snapshots_kept,
                position,
                snapped,
                writing: None,
            };
            std::thread::Builder::new()
                .name("engine".into())
                .spawn(move || state.run(&erx))
                .map_err(|e| e.to_string())?
        };
        Ok((
            Durable {
                tx: tx.clone(),
                engine,
                committed,
                applied: arx,
                broken,
                metrics,
            },
            Pipeline {
                tx,
                writer: Some(writer),
                engine: Some(engine_thread),
                _lock: lock_file,
            },
            started,
        ))
    }

    /// Store a webhook body; `Ok` once it is durable.
    pub async fn webhook(&self, body: Bytes) -> Result<(), Unavailable> {
        let (tx, rx) = oneshot::channel();
        self.send(Kind::Webhook, body, Reply::Durable(tx)).await?;
        rx.await.map_err(|_| Unavailable)?
    }

    /// Store a JSONL body; `Ok` with what the engine made of each line once it is durable
    /// and applied.
    pub async fn records(&self, body: Bytes) -> Result<Applied, Unavailable> {
        let (tx, rx) = oneshot::channel();
        self.send(Kind::Records, body, Reply::Applied(tx)).await?;
        rx.await.map_err(|_| Unavailable)?
    }

    /// Erase a person (`wa_id` or BSUID): `Ok` with what was removed once the erasure is
    /// durable, applied, and the data directory purged (see the module rules).
    pub async fn forget(&self, contact: &str) -> Result<Applied, Unavailable> {
        let (tx, rx) = oneshot::channel();
        let body = Bytes::copy_from_slice(contact.as_bytes());
        self.send(Kind::Forget, body, Reply::Applied(tx)).await?;
        rx.await.map_err(|_| Unavailable)?
    }

    /// Log an expiry point; the engine expires when it reaches it.
    pub async fn expire(&self) -> Result<(), Unavailable> {
        let (tx, rx) = oneshot::channel();
        self.send(Kind::Expire, Bytes::new(), Reply::Durable(tx))
            .await?;
        rx.await.map_err(|_| Unavailable)?
    }

    async fn send(&self, kind: Kind, body: Bytes, reply: Reply) -> Result<(), Unavailable> {
        if self.broken.load(Ordering::Relaxed) {
            return Err(Unavailable);
        }
        self.tx
            .send(ToWriter::Append(kind, body, reply))
            .await
            .map_err(|_| Unavailable)
    }

    /// Wait until the engine has applied every batch committed before this call.
    pub async fn caught_up(&self) {
        let target = self.committed.load(Ordering::Acquire);
        let mut rx = self.applied.clone();
        let _ = rx.wait_for(|a| *a >= target).await;
    }

    /// Whether the log still accepts requests (false after a write that could not be
    /// undone; a restart recovers).
    pub fn healthy(&self) -> bool {
        !self.broken.load(Ordering::Relaxed)
    }

    /// Run `f` on the engine (blocking: call from a blocking context).
    pub fn with_engine<T>(&self, f: impl FnOnce(&mut Engine) -> T) -> T {
        f(&mut lock(&self.engine))
    }
}

impl Pipeline {
    /// Commit what is queued, apply it, write a last snapshot and stop the threads.
    /// Requests submitted after this are refused.
    pub async fn stop(mut self) {
        let _ = self.tx.send(ToWriter::Stop).await;
        let handles = [self.writer.take(), self.engine.take()];
        let _ = tokio::task::spawn_blocking(move || {
            for h in handles.into_iter().flatten() {
                let _ = h.join();
            }
        })
        .await;
    }
}

/// The largest batch in bytes: a batch stops growing past it.
const MAX_BATCH_BYTES: usize = 8 << 20;

/// The log writer thread: group commit (see the module rules) until the stop signal,
/// then refuse whatever is still queued.
#[allow(clippy::too_many_arguments)]
fn writer_loop(
    mut log: Log,
    mut rx: mpsc::Receiver<ToWriter>,
    to_engine: &std_mpsc::Sender<ToEngine>,
    committed: &AtomicU64,
    broken: &AtomicBool,
    metrics: &Metrics,
    wait: Duration,
    max: usize,
) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        logline("ERROR", "cannot start the log writer's timer");
        broken.store(true, Ordering::Relaxed);
        return;
    };
    rt.block_on(async {
        let mut batch: Vec<(Kind, Bytes, Reply)> = Vec::with_capacity(max);
        let mut stop = false;
        while !stop {
            let Some(first) = rx.recv().await else { break };
            stop |= take(first, &mut batch);
            if !stop {
                stop = gather(&mut rx, &mut batch, wait, max).await;
            }
            if batch.is_empty() {
                continue;
            }
            if broken.load(Ordering::Relaxed) {
                refuse(&mut batch, metrics);
                continue;
            }
            commit_batch(&mut log, &mut batch, to_engine, committed, broken, metrics);
        }
        // Refuse whatever is still queued.
        rx.close();
        while let Ok(m) = rx.try_recv() {
            take(m, &mut batch);
        }
        refuse(&mut batch, metrics);
    });
    let _ = to_engine.send(ToEngine::Stop);
}

/// Grow `batch` after its first request: with every request already queued, then with
/// those arriving within `wait`, while it is under `max` records and [`MAX_BATCH_BYTES`].
/// True when the stop signal came.
async fn gather(
    rx: &mut mpsc::Receiver<ToWriter>,
    batch: &mut Vec<(Kind, Bytes, Reply)>,
    wait: Duration,
    max: usize,
) -> bool {
    let mut stop = false;
    let deadline = tokio::time::Instant::now() + wait;
    let mut bytes: usize = batch.iter().map(|b| b.1.len()).sum();
    while !stop && batch.len() < max && bytes < MAX_BATCH_BYTES {
        let next = match rx.try_recv() {
            Ok(m) => Some(m),
            Err(mpsc::error::TryRecvError::Disconnected) => None,
            Err(mpsc::error::TryRecvError::Empty) if wait.is_zero() => None,
            Err(mpsc::error::TryRecvError::Empty) => tokio::time::timeout_at(deadline, rx.recv())
                .await
                .ok()
                .flatten(),
        };
        let Some(m) = next else { break };
        stop |= take(m, batch);
        bytes += batch.last().map_or(0, |b| b.1.len());
    }
    stop
}

/// Write `batch` to the log with one commit, then answer the requests that wait only for
/// durability and pass the batch to the engine thread. A batch the log cannot store is
/// refused; a failure that cannot be undone marks the log `broken`.
fn commit_batch(
    log: &mut Log,
    batch: &mut Vec<(Kind, Bytes, Reply)>,
    to_engine: &std_mpsc::Sender<ToEngine>,
    committed: &AtomicU64,
    broken: &AtomicBool,
    metrics: &Metrics,
) {
    let ends: Vec<u64> = batch.iter().map(|(k, b, _)| log.append(*k, b).1).collect();
    let t = Instant::now();
    let result = log.commit();
    metrics.commit(t.elapsed(), batch.len(), *result.as_ref().unwrap_or(&0));
    match result {
        Ok(_) => {
            if batch.iter().any(|(k, _, _)| *k == Kind::Forget) {
                // Everything up to here may be purged: start a new segment.
                if let Err(e) = log.roll() {
                    logline(
                        "ERROR",
                        format_args!("cannot roll the log after an erasure: {e}"),
                    );
                }
            }
            if let Some(end) = ends.last() {
                committed.store(*end, Ordering::Release);
            }
            let mut items = Vec::with_capacity(batch.len());
            for ((kind, body, reply), end) in batch.drain(..).zip(ends) {
                let reply = match reply {
                    Reply::Durable(tx) => {
                        let _ = tx.send(Ok(()));
                        None
                    }
                    Reply::Applied(tx) => Some(tx),
                };
                items.push(Item {
                    kind,
                    body,
                    end,
                    reply,
                });
            }
            let _ = to_engine.send(ToEngine::Batch(items));
        }
        Err(e) => {
            if matches!(e, CommitError::Broken(_)) {
                broken.store(true, Ordering::Relaxed);
            }
            logline("ERROR", format_args!("{e}"));
            refuse(batch, metrics);
        }
    }
}

/// Add a request to the batch; true for the stop signal.
fn take(m: ToWriter, batch: &mut Vec<(Kind, Bytes, Reply)>) -> bool {
    match m {
        ToWriter::Append(k, b, r) => {
            batch.push((k, b, r));
            false
        }
        ToWriter::Stop => true,
    }
}

fn refuse(batch: &mut Vec<(Kind, Bytes, Reply)>, metrics: &Metrics) {
    for (_, _, reply) in batch.drain(..) {
        inc(&metrics.unavailable);
        match reply {
            Reply::Durable(tx) => {
                let _ = tx.send(Err(Unavailable));
            }
            Reply::Applied(tx) => {
                let _ = tx.send(Err(Unavailable));
            }
        }
    }
}

struct EngineLoop {
    engine: Arc<Mutex<Engine>>,
    applied: watch::Sender<u64>,
    metrics: Arc<Metrics>,
    snap_dir: PathBuf,
    log_dir: PathBuf,
    every: Duration,
    keep: usize,
    /// The position after the last record applied.
    position: u64,
    /// The position of the last snapshot written (`u64::MAX`: none yet).
    snapped: u64,
    /// The snapshot being written in the background, if any.
    writing: Option<JoinHandle<()>>,
}

impl EngineLoop {
    fn run(mut self, rx: &std_mpsc::Receiver<ToEngine>) {
        let mut last = Instant::now();
        loop {
            match rx.recv_timeout(Duration::from_millis(500)) {
                Ok(ToEngine::Batch(items)) => self.apply(items),
                Ok(ToEngine::Stop) | Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
            }
            let idle = self.writing.as_ref().is_none_or(JoinHandle::is_finished);
            if idle && last.elapsed() >= self.every && self.snapped != self.position {
                if let Some(h) = self.writing.take() {
                    let _ = h.join();
                }
                self.writing = Some(self.snapshot(true));
                last = Instant::now();
            }
        }
        if let Some(h) = self.writing.take() {
            let _ = h.join();
        }
        if self.snapped != self.position {
            let _ = self.snapshot(false).join();
        }
    }

    fn apply(&mut self, items: Vec<Item>) {
        let mut engine = lock(&self.engine);
        let mut replies = Vec::new();
        for item in items {
            let a = apply_guarded(&mut engine, item.kind, &item.body, item.end);
            count(&self.metrics, &a);
            self.position = item.end;
            if let Some(tx) = item.reply {
                replies.push((tx, a));
            }
        }
        let forgot = replies
            .iter()
            .any(|(_, a)| a.forgot.as_ref().is_some_and(|f| f.found));
        if forgot {
            // Erasure: a snapshot without the person, then nothing older (module rules).
            if let Some(h) = self.writing.take() {
                let _ = h.join();
            }
            purge(
                &engine,
                &self.snap_dir,
                &self.log_dir,
                self.position,
                &self.metrics,
            );
            self.snapped = self.position;
        }
        drop(engine);
        for (tx, a) in replies {
            let _ = tx.send(Ok(a));
        }
        let _ = self.applied.send(self.position);
    }

    /// Encode the state now (between two records) and write it on another thread
    /// (`background`) or this one; then prune old snapshots and the log they covered.
    fn snapshot(&mut self, background: bool) -> JoinHandle<()> {
        let bytes = lock(&self.engine).snapshot();
        let position = self.position;
        self.snapped = position;
        let (snap_dir, log_dir, keep, metrics) = (
            self.snap_dir.clone(),
            self.log_dir.clone(),
            self.keep,
            self.metrics.clone(),
        );
        let job = move || write_snapshot(&snap_dir, &log_dir, keep, position, &bytes, &metrics);
        if background {
            std::thread::spawn(job)
        } else {
            job();
            std::thread::spawn(|| {})
        }
    }
}

/// Write a snapshot of `engine` at `position`, then delete every other snapshot, the log
/// segments before `position` and the copies of damaged log bytes (an erasure's purge).
fn purge(engine: &Engine, snap_dir: &Path, log_dir: &Path, position: u64, metrics: &Metrics) {
    let bytes = engine.snapshot();
    let result = snapshots::write(snap_dir, position, &bytes)
        .and_then(|_| snapshots::prune(snap_dir, 1))
        .and_then(|_| wal::prune(log_dir, position))
        .and_then(|freed| {
            let damaged = log_dir.parent().unwrap_or(log_dir).join("damaged");
            if damaged.exists() {
                std::fs::remove_dir_all(&damaged)?;
            }
            Ok(freed)
        });
    let freed = *result.as_ref().unwrap_or(&0);
    let done = result.map(|freed| {
        format!("erasure: snapshot at {position}; older snapshots and {freed} log bytes deleted")
    });
    snapshot_done(metrics, position, freed, done);
}

/// Count and log a snapshot written (with `freed` log bytes pruned) or failed.
fn snapshot_done(metrics: &Metrics, position: u64, freed: u64, done: std::io::Result<String>) {
    match done {
        Ok(what) => {
            inc(&metrics.snapshots);
            metrics.log_bytes.fetch_sub(
                freed.min(metrics.log_bytes.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
            logline("INFO", what);
        }
        Err(e) => {
            inc(&metrics.snapshot_failures);
            logline("ERROR", format_args!("snapshot at {position} failed: {e}"));
        }
    }
}

fn write_snapshot(
    snap_dir: &Path,
    log_dir: &Path,
    keep: usize,
    position: u64,
    bytes: &[u8],
    metrics: &Metrics,
) {
    let t = Instant::now();
    let result = snapshots::write(snap_dir, position, bytes).and_then(|_| {
        if keep == 0 {
            return Ok(0);
        }
        let keep_from = snapshots::prune(snap_dir, keep)?;
        match keep_from {
            Some(p) => wal::prune(log_dir, p),
            None => Ok(0),
        }
    });
    let elapsed = t.elapsed().as_secs_f64();
    let freed = *result.as_ref().unwrap_or(&0);
    let done = result.map(|freed| {
        format!(
            "snapshot at {position}: {} bytes in {elapsed:.2} s; {freed} log bytes pruned",
            bytes.len()
        )
    });
    snapshot_done(metrics, position, freed, done);
}
