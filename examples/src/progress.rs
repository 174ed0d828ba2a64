//! A progress line for the `report` program: bytes read, MB/s and, when the input's size is
//! known, the share done and the time left. Drawn on standard error only when it is a
//! terminal (the caller decides), redrawn at most ten times a second, and erased when the
//! input ends, so nothing of it reaches a log or a pipe.
//!
//! Written here rather than taken from a crate: it is one line of text, a [`Read`] wrapper
//! counting bytes and a clock; a progress-bar crate would add a dependency tree to
//! the example programs for that.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// Counts the bytes read through it and redraws a progress line on `out`.
pub struct Progress<R, W: Write> {
    inner: R,
    out: W,
    name: String,
    total: Option<u64>,
    read: u64,
    start: Instant,
    last: Option<Instant>,
}

/// How often the line is redrawn at most.
const EVERY: Duration = Duration::from_millis(100);

impl<R: Read, W: Write> Progress<R, W> {
    /// A progress line for `inner`, named `name`, of `total` bytes when known.
    pub fn new(inner: R, out: W, name: &str, total: Option<u64>) -> Self {
        Progress {
            inner,
            out,
            name: name.to_string(),
            total: total.filter(|t| *t > 0),
            read: 0,
            start: Instant::now(),
            last: None,
        }
    }

    /// Erase the line (call when the input has been read).
    pub fn finish(&mut self) {
        if self.last.is_some() {
            let _ = write!(self.out, "\r\x1b[2K");
            let _ = self.out.flush();
        }
    }

    fn draw(&mut self) {
        let now = Instant::now();
        if self.last.is_some_and(|t| now.duration_since(t) < EVERY) {
            return;
        }
        self.last = Some(now);
        let line = line(&self.name, self.read, self.total, now - self.start);
        let _ = write!(self.out, "\r\x1b[2K{line}");
        let _ = self.out.flush();
    }
}

impl<R: Read, W: Write> Read for Progress<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.draw();
        Ok(n)
    }
}

/// The text of the progress line after `read` bytes of `total` in `elapsed`.
pub fn line(name: &str, read: u64, total: Option<u64>, elapsed: Duration) -> String {
    const MB: f64 = 1e6;
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        read as f64 / MB / secs
    } else {
        0.0
    };
    let Some(total) = total else {
        return format!("{name}: {:.1} MB  {rate:.1} MB/s", read as f64 / MB);
    };
    let done = (read.min(total) as f64 / total as f64).clamp(0.0, 1.0);
    let width = 24;
    let filled = (done * f64::from(width)).round() as usize;
    let bar = format!(
        "{}{}",
        "#".repeat(filled),
        "-".repeat(width as usize - filled)
    );
    let eta = if rate > 0.0 {
        let left = (total.saturating_sub(read)) as f64 / MB / rate;
        let left = left.round() as u64;
        format!("{}:{:02}", left / 60, left % 60)
    } else {
        "?".to_string()
    };
    format!(
        "{name} [{bar}] {:3.0}%  {:.1}/{:.1} MB  {rate:.1} MB/s  ETA {eta}",
        done * 100.0,
        read as f64 / MB,
        total as f64 / MB
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_share_rate_and_time_left() {
        // 25 MB of 100 MB in 5 s: 25%, 5.0 MB/s, 75 MB left at 5 MB/s = 15 s.
        let l = line(
            "in.jsonl",
            25_000_000,
            Some(100_000_000),
            Duration::from_secs(5),
        );
        assert_eq!(
            l,
            "in.jsonl [######------------------]  25%  25.0/100.0 MB  5.0 MB/s  ETA 0:15"
        );
        // Unknown size (standard input): bytes and rate only.
        let l = line("-", 3_000_000, None, Duration::from_secs(2));
        assert_eq!(l, "-: 3.0 MB  1.5 MB/s");
    }

    #[test]
    fn reading_through_it_counts_every_byte_and_draws_then_erases() {
        let data = vec![b'x'; 10_000];
        let mut out = Vec::new();
        let mut p = Progress::new(&data[..], &mut out, "f", Some(10_000));
        let mut sink = Vec::new();
        p.read_to_end(&mut sink).unwrap();
        assert_eq!(p.read, 10_000);
        p.finish();
        assert_eq!(sink, data);
        let text = String::from_utf8(out).unwrap();
        // Drawn once (the first read; later reads come within 100 ms), erased at the end.
        assert!(text.starts_with("\r\x1b[2Kf ["), "{text:?}");
        assert!(text.ends_with("\r\x1b[2K"), "{text:?}");
    }
}
