//! # convolens-server
//!
//! The convolens reference service: it receives Meta's WhatsApp Cloud API webhooks
//! directly and durably, takes convolens JSONL from the systems that send messages and
//! record sales, and serves the reports and the dashboard.
//!
//! ```text
//! CONVOLENS_APP_SECRET=… CONVOLENS_VERIFY_TOKEN=… CONVOLENS_RECORDS_TOKEN=… \
//!   cargo run --release -p convolens-server -- --config CONFIG.json --data-dir DIR --listen 127.0.0.1:8080
//! ```
//!
//! | route | what |
//! |---|---|
//! | `GET /webhook` | Meta's subscription handshake ([`signature::verify_subscription`]) |
//! | `POST /webhook` | a webhook payload, signed ([`signature::verify`]); 200 once durable |
//! | `POST /records` | convolens JSONL with `Authorization: Bearer`; per-line errors |
//! | `GET /report` | the report as `report --json` prints it; options as query parameters |
//! | `GET /report.csv?table=NAME` | one table of the report as `report --csv` writes it |
//! | `GET /contacts?source=KEY\|event=NAME` | the users of a source or event as `report --contacts` writes them |
//! | `GET /healthz`, `GET /metrics` | liveness; Prometheus text ([`metrics`]) |
//! | `GET /` | the dashboard of `examples/web`, fed from `/report` ([`dashboard`]) |
//!
//! The pieces: [`signature`] (Meta's contract), [`wal`] (the segmented log), [`snapshots`],
//! [`durable`] (group commit, the engine, recovery), [`app`] (the HTTP routes), [`client`]
//! (a small client, used by the tests and the load generator). All uses of the core
//! crate's API are in [`core_api`].

#![forbid(unsafe_code)]

pub mod app;
pub mod client;
pub mod core_api;
pub mod dashboard;
pub mod durable;
pub mod metrics;
pub mod signature;
pub mod snapshots;
pub mod wal;

use durable::{Durable, DurableOptions, Pipeline};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Write one log line to standard error: UTC time, level, message. Secrets are never
/// passed here.
pub fn logline(level: &str, msg: impl std::fmt::Display) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let t = chrono::DateTime::from_timestamp(now.as_secs() as i64, now.subsec_nanos())
        .unwrap_or_default();
    eprintln!("{} {level} {msg}", t.format("%Y-%m-%dT%H:%M:%S%.3fZ"));
}

/// The secrets, from the environment. Their `Debug` form hides them.
#[derive(Clone, Default)]
pub struct Secrets {
    /// `CONVOLENS_APP_SECRET`: the Meta app secret that keys webhook signatures.
    pub app_secret: String,
    /// `CONVOLENS_VERIFY_TOKEN`: the token Meta's subscription handshake must present.
    pub verify_token: String,
    /// `CONVOLENS_RECORDS_TOKEN`: the bearer token of `POST /records`.
    pub records_token: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &str| if s.is_empty() { "<unset>" } else { "<set>" };
        f.debug_struct("Secrets")
            .field("app_secret", &set(&self.app_secret))
            .field("verify_token", &set(&self.verify_token))
            .field("records_token", &set(&self.records_token))
            .finish()
    }
}

impl Secrets {
    /// Read `CONVOLENS_APP_SECRET`, `CONVOLENS_VERIFY_TOKEN` and `CONVOLENS_RECORDS_TOKEN`;
    /// each unset one is named in a warning (its route then refuses every request).
    pub fn from_env() -> Secrets {
        let get = |name: &str, what: &str| {
            let v = std::env::var(name).unwrap_or_default();
            if v.is_empty() {
                logline("WARN", format_args!("{name} is not set: {what}"));
            }
            v
        };
        Secrets {
            app_secret: get(
                "CONVOLENS_APP_SECRET",
                "every POST /webhook is refused with 401",
            ),
            verify_token: get(
                "CONVOLENS_VERIFY_TOKEN",
                "every GET /webhook handshake is refused with 403",
            ),
            records_token: get(
                "CONVOLENS_RECORDS_TOKEN",
                "every POST /records is refused with 401",
            ),
        }
    }
}

/// Everything the server is started with, but the secrets and the engine configuration.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Address to listen on (`--listen`, default `127.0.0.1:8080`; port 0 picks one).
    pub listen: SocketAddr,
    /// The log, snapshots and group commit (`--data-dir`, ...).
    pub durable: DurableOptions,
    /// Largest `POST /webhook` body in bytes (`--max-body`, default 1 MiB); larger is 413.
    pub max_body: usize,
    /// Largest `POST /records` body in bytes (`--max-records-body`, default 16 MiB).
    pub max_records_body: usize,
    /// Time between expiries (`--expire-every SECONDS`, default one day; 0: never).
    pub expire_every: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            durable: DurableOptions::default(),
            max_body: 1 << 20,
            max_records_body: 16 << 20,
            expire_every: Duration::from_secs(86_400),
        }
    }
}

/// The command line's usage text.
pub const USAGE: &str = "usage: convolens-server [OPTIONS]

Receives Meta's WhatsApp webhooks durably and serves the reports and the dashboard.
Secrets come from the environment: CONVOLENS_APP_SECRET, CONVOLENS_VERIFY_TOKEN,
CONVOLENS_RECORDS_TOKEN.

Options:
  --config FILE            engine configuration (JSON, as for the report program)
  --data-dir DIR           log and snapshots (default ./data)
  --listen ADDR            address to listen on (default 127.0.0.1:8080; port 0 picks one)
  --max-body BYTES         largest webhook body (default 1048576)
  --max-records-body BYTES largest POST /records body (default 16777216)
  --commit-wait-us N       wait up to N microseconds to grow a commit batch (default 0)
  --max-batch N            records per commit at most (default 1024)
  --segment-bytes BYTES    log segment size (default 67108864)
  --snapshot-every SECS    seconds between snapshots (default 300; fractions allowed)
  --keep-snapshots N       snapshots kept, and the log from the oldest (default 2; 0: all,
                           and the whole log)
  --expire-every SECS      seconds between expiries (default 86400; 0: never)
  -h, --help               this text";

/// Parse the command line (without the program name): the options and the config path.
/// `Err("")` asks for the usage text.
pub fn parse_args<I: IntoIterator<Item = String>>(
    args: I,
) -> Result<(ServerOptions, Option<String>), String> {
    let mut o = ServerOptions::default();
    let mut config = None;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let val = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{arg}: `{v}` is not a number"))
        };
        match arg.as_str() {
            "--config" => config = Some(val),
            "--data-dir" => o.durable.data_dir = val.into(),
            "--listen" => {
                o.listen = val
                    .parse()
                    .map_err(|_| format!("--listen: `{val}` is not HOST:PORT"))?;
            }
            "--max-body" => o.max_body = num(&val)? as usize,
            "--max-records-body" => o.max_records_body = num(&val)? as usize,
            "--commit-wait-us" => o.durable.commit_wait = Duration::from_micros(num(&val)?),
            "--max-batch" => o.durable.max_batch = num(&val)? as usize,
            "--segment-bytes" => o.durable.segment_bytes = num(&val)?,
            "--snapshot-every" => {
                let secs = val
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0);
                let secs =
                    secs.ok_or_else(|| format!("{arg}: `{val}` is not a number of seconds"))?;
                o.durable.snapshot_every = Duration::from_secs_f64(secs);
            }
            "--keep-snapshots" => o.durable.snapshots_kept = num(&val)? as usize,
            "--expire-every" => o.expire_every = Duration::from_secs(num(&val)?),
            _ => return Err(format!("unknown option `{arg}`")),
        }
    }
    Ok((o, config))
}

/// A running server.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The shared handle (engine, metrics).
    pub durable: Durable,
    pipeline: Pipeline,
    shutdown: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
    expiring: tokio::task::JoinHandle<()>,
}

/// Recover the data directory, start the pipeline and listen. Call inside a multi-thread
/// tokio runtime.
pub async fn start(
    opts: ServerOptions,
    secrets: Secrets,
    config: core_api::Config,
) -> Result<Running, String> {
    let metrics = Arc::new(metrics::Metrics::default());
    let d = opts.durable.clone();
    let (durable, pipeline, _) =
        tokio::task::spawn_blocking(move || Durable::start(&d, config, metrics))
            .await
            .map_err(|e| e.to_string())??;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("--listen {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = app::AppState {
        durable: durable.clone(),
        secrets: Arc::new(secrets),
        max_body: opts.max_body,
        max_records_body: opts.max_records_body,
    };
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        axum::serve(listener, app::router(state))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let expiring = tokio::spawn(expire_daily(
        durable.clone(),
        opts.durable.data_dir.join("last-expire"),
        opts.expire_every,
    ));
    Ok(Running {
        addr,
        durable,
        pipeline,
        shutdown,
        serving,
        expiring,
    })
}

impl Running {
    /// Stop: finish the requests in progress, commit and apply what is queued, write a
    /// last snapshot.
    pub async fn stop(self) {
        self.expiring.abort();
        let _ = self.shutdown.send(());
        if let Ok(Err(e)) = self.serving.await {
            logline("ERROR", format_args!("server: {e}"));
        }
        self.pipeline.stop().await;
    }
}

/// Log an expiry point every `every`, counted from the last one (its time is kept in
/// `stamp`, so restarts do not postpone it; a new data directory counts from now).
async fn expire_daily(durable: Durable, stamp: std::path::PathBuf, every: Duration) {
    if every.is_zero() {
        return;
    }
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    };
    loop {
        let last = std::fs::read_to_string(&stamp)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let last = if let Some(l) = last {
            l
        } else {
            let n = now();
            let _ = std::fs::write(&stamp, n.as_secs().to_string());
            n
        };
        tokio::time::sleep((last + every).saturating_sub(now())).await;
        if durable.expire().await.is_ok() {
            let _ = std::fs::write(&stamp, now().as_secs().to_string());
        } else {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse_and_name_what_is_wrong() {
        let args = |s: &str| parse_args(s.split_whitespace().map(String::from));
        let (o, c) = args(
            "--config c.json --data-dir /d --listen 127.0.0.1:0 --max-body 10 --commit-wait-us 500",
        )
        .unwrap();
        assert_eq!(c.as_deref(), Some("c.json"));
        assert_eq!(o.durable.data_dir, std::path::PathBuf::from("/d"));
        assert_eq!(o.listen.port(), 0);
        assert_eq!(o.max_body, 10);
        assert_eq!(o.durable.commit_wait, Duration::from_micros(500));
        assert_eq!(
            args("--listen nowhere").unwrap_err(),
            "--listen: `nowhere` is not HOST:PORT"
        );
        assert_eq!(
            args("--max-body ten").unwrap_err(),
            "--max-body: `ten` is not a number"
        );
        assert_eq!(args("--bogus 1").unwrap_err(), "unknown option `--bogus`");
        assert_eq!(args("--config").unwrap_err(), "--config needs a value");
        assert_eq!(args("-h").unwrap_err(), "");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let s = Secrets {
            app_secret: "hunter2".into(),
            verify_token: String::new(),
            records_token: "tok".into(),
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("tok\""));
        assert!(shown.contains("<set>") && shown.contains("<unset>"));
    }
}
