//! Helpers shared by the server's integration tests: secrets, temporary data directories,
//! an in-process server on a real loopback socket, and report reading.
#![allow(dead_code)]

use convolens_server::client::Conn;
use convolens_server::{Running, Secrets, ServerOptions};
use std::path::{Path, PathBuf};

pub const APP_SECRET: &str = "test-app-secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";
pub const RECORDS_TOKEN: &str = "test-records-token";

pub fn secrets() -> Secrets {
    Secrets {
        app_secret: APP_SECRET.into(),
        verify_token: VERIFY_TOKEN.into(),
        records_token: RECORDS_TOKEN.into(),
    }
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("cvl-server-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Options for a test server on 127.0.0.1 (a free port) with its data in `dir`.
pub fn options(dir: &Path) -> ServerOptions {
    let mut o = ServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        expire_every: std::time::Duration::ZERO,
        ..ServerOptions::default()
    };
    o.durable.data_dir = dir.to_path_buf();
    o
}

/// Start the real router in this process, on a real loopback socket.
pub async fn start(opts: ServerOptions, config: &str) -> Running {
    let config = convolens_server::core_api::Config::from_json(config).unwrap();
    convolens_server::start(opts, secrets(), config)
        .await
        .unwrap()
}

/// `GET path` as JSON.
pub async fn get_json(addr: std::net::SocketAddr, path: &str) -> serde_json::Value {
    let r = Conn::connect(addr).await.unwrap().get(path).await.unwrap();
    assert_eq!(r.status, 200, "GET {path}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// The `input` section of the server's report.
pub async fn input(addr: std::net::SocketAddr) -> serde_json::Value {
    get_json(addr, "/report").await["input"].clone()
}

/// One metric's value from `GET /metrics` (full name with labels), as an integer (every
/// metric the tests read counts something).
pub async fn metric(addr: std::net::SocketAddr, name: &str) -> u64 {
    let text = Conn::connect(addr)
        .await
        .unwrap()
        .get("/metrics")
        .await
        .unwrap()
        .text();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
        .map_or_else(|| panic!("no metric {name} in:\n{text}"), |v| v as u64)
}

/// Good log records of each kind in a data directory (read-only use of the recovery scan;
/// call with the server stopped).
pub fn log_records(dir: &Path) -> std::collections::HashMap<convolens_server::wal::Kind, u64> {
    let mut out = std::collections::HashMap::new();
    convolens_server::wal::recover(&dir.join("log"), 0, |r| {
        *out.entry(r.kind).or_insert(0) += 1;
    })
    .unwrap();
    out
}

/// The repository's examples/data directory.
pub fn example_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// POST each body as a signed webhook on one connection; each must get a 200.
pub async fn post_webhooks(addr: std::net::SocketAddr, bodies: impl IntoIterator<Item = String>) {
    let mut c = Conn::connect(addr).await.unwrap();
    for body in bodies {
        let r = c.webhook(APP_SECRET.as_bytes(), body).await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }
}
