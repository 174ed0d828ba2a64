//! `convolens-load`: post signed webhooks to a running convolens-server as fast as it
//! acknowledges them, for a fixed time, and print the sustained rate, the latency
//! percentiles and the server's group-commit batch sizes (from its `/metrics`). Run by
//! `examples/server/bench/load.sh`; a bench, not a test.
//!
//! ```text
//! CONVOLENS_APP_SECRET=… convolens-load --addr 127.0.0.1:8080 [--seconds 30]
//!     [--connections 128] [--users 5000]
//! ```

use convolens_server::client::{Conn, text_message};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    addr: SocketAddr,
    seconds: f64,
    connections: usize,
    users: u64,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        seconds: 30.0,
        connections: 128,
        users: 5000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
        let bad = || format!("{k}: bad value `{v}`");
        match k.as_str() {
            "--addr" => a.addr = v.parse().map_err(|_| bad())?,
            "--seconds" => a.seconds = v.parse().map_err(|_| bad())?,
            "--connections" => a.connections = v.parse().map_err(|_| bad())?,
            "--users" => a.users = v.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown option `{k}`")),
        }
    }
    Ok(a)
}

/// The server's metrics as `name{labels}` → value.
async fn scrape(addr: SocketAddr) -> std::io::Result<HashMap<String, f64>> {
    let text = Conn::connect(addr).await?.get("/metrics").await?.text();
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect())
}

/// The smallest bucket bound under which a fraction `q` of a histogram's new observations
/// fall (between two scrapes).
fn quantile(
    before: &HashMap<String, f64>,
    after: &HashMap<String, f64>,
    name: &str,
    q: f64,
) -> String {
    let delta =
        |k: &str| after.get(k).copied().unwrap_or(0.0) - before.get(k).copied().unwrap_or(0.0);
    let total = delta(&format!("{name}_count"));
    let mut bounds: Vec<(f64, String)> = after
        .keys()
        .filter_map(|k| {
            let le = k
                .strip_prefix(&format!("{name}_bucket{{le=\""))?
                .strip_suffix("\"}")?;
            Some((le.parse().unwrap_or(f64::INFINITY), k.clone()))
        })
        .collect();
    bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (le, k) in bounds {
        if delta(&k) >= q * total {
            return format!("≤ {le}");
        }
    }
    "-".into()
}

fn main() {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("convolens-load: {e}");
            std::process::exit(2);
        }
    };
    let secret = std::env::var("CONVOLENS_APP_SECRET").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(a, secret));
}

/// What one connection (or all of them) saw: the latency of each acknowledged webhook in
/// microseconds, the webhooks refused, the connection errors.
#[derive(Default)]
struct Tally {
    lat: Vec<u32>,
    refused: u64,
    errors: u64,
}

/// One connection's loop: post the next numbered webhook (from `users` distinct senders)
/// until `deadline`, reconnecting after an error.
async fn connection(
    addr: SocketAddr,
    secret: Arc<Vec<u8>>,
    next: Arc<AtomicU64>,
    users: u64,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally {
        lat: Vec::with_capacity(1 << 16),
        ..Tally::default()
    };
    let mut conn = Conn::connect(addr).await.expect("connect");
    while Instant::now() < deadline {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let wa_id = format!("4915{:08}", n % users);
        let body = text_message(
            &format!("wamid.load.{n}"),
            &wa_id,
            1_751_450_000 + (n / 10) as i64,
            "106540352242922",
        );
        let t = Instant::now();
        match conn.webhook(&secret, body).await {
            Ok(r) if r.status == 200 => tally.lat.push(t.elapsed().as_micros() as u32),
            Ok(_) => tally.refused += 1,
            Err(_) => {
                tally.errors += 1;
                match Conn::connect(addr).await {
                    Ok(c) => conn = c,
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }
    }
    tally
}

/// Post from `a.connections` connections for `a.seconds`, then print what was measured.
async fn run(a: Args, secret: String) {
    let before = scrape(a.addr).await.expect("GET /metrics");
    let next = Arc::new(AtomicU64::new(0));
    let secret = Arc::new(secret.into_bytes());
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(a.seconds);
    let tasks: Vec<_> = (0..a.connections)
        .map(|_| {
            let conn = connection(a.addr, secret.clone(), next.clone(), a.users, deadline);
            tokio::spawn(conn)
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let one = t.await.expect("task");
        all.lat.extend(one.lat);
        all.refused += one.refused;
        all.errors += one.errors;
    }
    let secs = t0.elapsed().as_secs_f64();
    let after = scrape(a.addr).await.expect("GET /metrics");
    all.lat.sort_unstable();
    print_summary(&a, secs, &all, &before, &after);
}

/// Print the rate and latency the client saw over `secs` seconds and what the server's
/// metrics say changed between the scrapes `before` and `after`.
fn print_summary(
    a: &Args,
    secs: f64,
    all: &Tally,
    before: &HashMap<String, f64>,
    after: &HashMap<String, f64>,
) {
    let (lat, refused, errors) = (&all.lat, all.refused, all.errors);
    let pct = |q: f64| {
        lat.get(((lat.len() as f64 * q) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |v| f64::from(*v) / 1000.0)
    };
    let d = |k: &str| after.get(k).copied().unwrap_or(0.0) - before.get(k).copied().unwrap_or(0.0);
    let commits = d("convolens_fsync_batch_records_count");
    println!(
        "load: {secs:.1} s, {} connections: {} webhooks acknowledged ({:.0}/s), {refused} refused, {errors} connection errors",
        a.connections,
        lat.len(),
        lat.len() as f64 / secs
    );
    println!(
        "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.50),
        pct(0.99),
        lat.last().map_or(0.0, |v| f64::from(*v) / 1000.0)
    );
    println!(
        "group commit: {commits:.0} fsyncs, {:.1} records per fsync on average (p50 {}, p99 {}); fsync time mean {:.2} ms (p50 {} s, p99 {} s)",
        d("convolens_fsync_batch_records_sum") / commits.max(1.0),
        quantile(before, after, "convolens_fsync_batch_records", 0.5),
        quantile(before, after, "convolens_fsync_batch_records", 0.99),
        1000.0 * d("convolens_fsync_seconds_sum") / commits.max(1.0),
        quantile(before, after, "convolens_fsync_seconds", 0.5),
        quantile(before, after, "convolens_fsync_seconds", 0.99),
    );
    println!(
        "server: {:.0} lines ingested, {:.0} failed, engine {:.0} users / {:.0} messages, log {:.1} MB",
        d("convolens_lines_ingested_total"),
        d("convolens_lines_failed_total"),
        after.get("convolens_engine_users").copied().unwrap_or(0.0),
        after
            .get("convolens_engine_messages")
            .copied()
            .unwrap_or(0.0),
        after.get("convolens_log_bytes").copied().unwrap_or(0.0) / 1e6
    );
}
