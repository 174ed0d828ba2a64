//! Counters and histograms, rendered in the Prometheus text format at `GET /metrics`.
//!
//! Every metric is named `convolens_*`. Counters end in `_total`; the fsync latency and
//! batch size are histograms (`_bucket{le=...}`, `_sum`, `_count`); the engine's users and
//! messages and the log's bytes are gauges read when scraped.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// A histogram with fixed bucket bounds.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// Sum of observations in millionths of the unit.
    sum_micros: AtomicU64,
}

impl Histogram {
    /// An empty histogram with these upper bounds (ascending; `+Inf` is implied).
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }

    /// Record one observation.
    pub fn observe(&self, v: f64) {
        let i = self
            .bounds
            .iter()
            .position(|b| v <= *b)
            .unwrap_or(self.bounds.len());
        self.counts[i].fetch_add(1, Relaxed);
        self.sum_micros.fetch_add((v * 1e6).round() as u64, Relaxed);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Relaxed)).sum()
    }

    /// Sum of the observations.
    pub fn sum(&self) -> f64 {
        self.sum_micros.load(Relaxed) as f64 / 1e6
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut acc = 0;
        for (i, c) in self.counts.iter().enumerate() {
            acc += c.load(Relaxed);
            match self.bounds.get(i) {
                Some(b) => {
                    let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {acc}");
                }
                None => {
                    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {acc}");
                }
            }
        }
        let _ = writeln!(out, "{name}_sum {}\n{name}_count {acc}", self.sum());
    }
}

const FSYNC_BOUNDS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.0,
];
const BATCH_BOUNDS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
];

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    /// Webhooks stored and answered 200.
    pub webhooks_accepted: AtomicU64,
    /// Webhooks refused with 401 (signature missing, malformed or wrong).
    pub webhooks_bad_signature: AtomicU64,
    /// Webhooks refused with 413.
    pub webhooks_too_large: AtomicU64,
    /// Webhooks refused with 400 (not JSON).
    pub webhooks_not_json: AtomicU64,
    /// `POST /records` bodies stored.
    pub records_accepted: AtomicU64,
    /// `POST /records` refused with 401.
    pub records_unauthorized: AtomicU64,
    /// Requests refused with 503 because the log could not store them.
    pub unavailable: AtomicU64,
    /// Input lines (webhook documents, JSONL lines) the engine ingested without error.
    pub lines_ingested: AtomicU64,
    /// Input lines the engine rejected.
    pub lines_failed: AtomicU64,
    /// Log records replayed into the engine when the server started.
    pub replayed: AtomicU64,
    /// Damaged log tails or segments found when the server started.
    pub log_damage: AtomicU64,
    /// Bytes of the log's segment files.
    pub log_bytes: AtomicU64,
    /// Snapshots written.
    pub snapshots: AtomicU64,
    /// Snapshots that failed to write.
    pub snapshot_failures: AtomicU64,
    /// Daily expiries run.
    pub expiries: AtomicU64,
    /// Seconds per log commit (write and fdatasync).
    pub fsync_seconds: Histogram,
    /// Records per log commit.
    pub batch_records: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            webhooks_accepted: AtomicU64::new(0),
            webhooks_bad_signature: AtomicU64::new(0),
            webhooks_too_large: AtomicU64::new(0),
            webhooks_not_json: AtomicU64::new(0),
            records_accepted: AtomicU64::new(0),
            records_unauthorized: AtomicU64::new(0),
            unavailable: AtomicU64::new(0),
            lines_ingested: AtomicU64::new(0),
            lines_failed: AtomicU64::new(0),
            replayed: AtomicU64::new(0),
            log_damage: AtomicU64::new(0),
            log_bytes: AtomicU64::new(0),
            snapshots: AtomicU64::new(0),
            snapshot_failures: AtomicU64::new(0),
            expiries: AtomicU64::new(0),
            fsync_seconds: Histogram::new(FSYNC_BOUNDS),
            batch_records: Histogram::new(BATCH_BOUNDS),
        }
    }
}

/// Increment a counter.
pub fn inc(c: &AtomicU64) {
    c.fetch_add(1, Relaxed);
}

impl Metrics {
    /// Record one log commit.
    pub fn commit(&self, took: Duration, records: usize, bytes: u64) {
        self.fsync_seconds.observe(took.as_secs_f64());
        self.batch_records.observe(records as f64);
        self.log_bytes.fetch_add(bytes, Relaxed);
    }

    /// The Prometheus text exposition, with the engine's live users and messages.
    pub fn render(&self, users: u64, messages: u64) -> String {
        let mut out = String::with_capacity(4096);
        self.render_requests(&mut out);
        self.render_storage(&mut out);
        scalar(
            &mut out,
            "convolens_engine_users",
            "gauge",
            "Users the engine knows (linked identities count once).",
            users,
        );
        scalar(
            &mut out,
            "convolens_engine_messages",
            "gauge",
            "Messages the engine holds (expired ones are dropped).",
            messages,
        );
        self.render_rejected(&mut out);
        self.fsync_seconds.render(
            &mut out,
            "convolens_fsync_seconds",
            "Time per log commit (one write and one fdatasync).",
        );
        self.batch_records.render(
            &mut out,
            "convolens_fsync_batch_records",
            "Records per log commit (group commit batch size).",
        );
        out
    }

    /// The counters of what came in: lines, webhooks and `/records` bodies accepted,
    /// requests refused for want of a log.
    fn render_requests(&self, out: &mut String) {
        let get = |c: &AtomicU64| c.load(Relaxed);
        scalar(
            out,
            "convolens_lines_ingested_total",
            "counter",
            "Input lines the engine ingested without error.",
            get(&self.lines_ingested),
        );
        scalar(
            out,
            "convolens_lines_failed_total",
            "counter",
            "Input lines the engine rejected (per-line errors).",
            get(&self.lines_failed),
        );
        scalar(
            out,
            "convolens_webhooks_accepted_total",
            "counter",
            "Webhooks durably stored and answered 200.",
            get(&self.webhooks_accepted),
        );
        scalar(
            out,
            "convolens_records_accepted_total",
            "counter",
            "POST /records bodies durably stored.",
            get(&self.records_accepted),
        );
        scalar(
            out,
            "convolens_records_unauthorized_total",
            "counter",
            "POST /records refused for a missing or wrong token.",
            get(&self.records_unauthorized),
        );
        scalar(
            out,
            "convolens_unavailable_total",
            "counter",
            "Requests answered 503 because the log could not store them.",
            get(&self.unavailable),
        );
    }

    /// The counters and gauges of the data directory: replay, log damage and size,
    /// snapshots, expiries.
    fn render_storage(&self, out: &mut String) {
        let get = |c: &AtomicU64| c.load(Relaxed);
        scalar(
            out,
            "convolens_replayed_records_total",
            "counter",
            "Log records replayed into the engine at start.",
            get(&self.replayed),
        );
        scalar(
            out,
            "convolens_log_damage_total",
            "counter",
            "Damaged log tails or segments found at start (truncated or skipped, saved in damaged/).",
            get(&self.log_damage),
        );
        scalar(
            out,
            "convolens_log_bytes",
            "gauge",
            "Bytes of the log's segment files.",
            get(&self.log_bytes),
        );
        scalar(
            out,
            "convolens_snapshots_total",
            "counter",
            "Snapshots written.",
            get(&self.snapshots),
        );
        scalar(
            out,
            "convolens_snapshot_failures_total",
            "counter",
            "Snapshots that failed to write.",
            get(&self.snapshot_failures),
        );
        scalar(
            out,
            "convolens_expiries_total",
            "counter",
            "Daily expiries run.",
            get(&self.expiries),
        );
    }

    /// The webhooks refused, one series per reason.
    fn render_rejected(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP convolens_webhooks_rejected_total Webhooks refused, by reason.\n# TYPE convolens_webhooks_rejected_total counter"
        );
        for (reason, c) in [
            ("signature", &self.webhooks_bad_signature),
            ("too_large", &self.webhooks_too_large),
            ("not_json", &self.webhooks_not_json),
        ] {
            let _ = writeln!(
                out,
                "convolens_webhooks_rejected_total{{reason=\"{reason}\"}} {}",
                c.load(Relaxed)
            );
        }
    }
}

/// Write one counter or gauge `name` of value `v` with its help and type lines.
fn scalar(out: &mut String, name: &str, kind: &str, help: &str, v: u64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.commit(Duration::from_micros(300), 1, 100);
        m.commit(Duration::from_millis(3), 40, 100);
        m.commit(Duration::from_millis(3), 40, 100);
        let text = m.render(7, 9);
        // 0.3 ms ≤ 0.5 ms; 3 ms falls in (2, 4] ms.
        assert!(text.contains("convolens_fsync_seconds_bucket{le=\"0.0005\"} 1\n"));
        assert!(text.contains("convolens_fsync_seconds_bucket{le=\"0.002\"} 1\n"));
        assert!(text.contains("convolens_fsync_seconds_bucket{le=\"0.004\"} 3\n"));
        assert!(text.contains("convolens_fsync_seconds_count 3\n"));
        // 1 + 40 + 40 = 81 records; 40 ≤ 64.
        assert!(text.contains("convolens_fsync_batch_records_sum 81\n"));
        assert!(text.contains("convolens_fsync_batch_records_bucket{le=\"32\"} 1\n"));
        assert!(text.contains("convolens_fsync_batch_records_bucket{le=\"64\"} 3\n"));
        assert!(text.contains("convolens_log_bytes 300\n"));
        assert!(text.contains("convolens_engine_users 7\n"));
        assert!(text.contains("convolens_engine_messages 9\n"));
    }
}
