//! The append-only log: every accepted request body, in arrival order, in segment files.
//!
//! # Layout
//!
//! - The log is a directory of segment files named by their first position (the log
//!   sequence number, LSN) in 20 decimal digits: `00000000000000000000.log`,
//!   `00000000000067108880.log`, ... A position is the segment's first LSN plus a byte offset
//!   in its file, so positions only grow and each segment starts where the previous one
//!   ended.
//! - A segment starts with a 16-byte header: the magic `CVLNLOG1` and its first LSN
//!   (`u64` little-endian).
//! - Then records, each `crc32 (u32 LE) | length (u32 LE) | kind (u8) | body (length bytes)`,
//!   where the CRC-32 covers the length, kind and body. A record's LSN is the position of
//!   its first byte; its end is the position after its last byte.
//!
//! # Rules
//!
//! - **Durable before acknowledged.** [`Log::commit`] writes the buffered records of a
//!   batch with one write and one `fdatasync`; the server answers a request only after the
//!   commit of its batch returned. A failed commit truncates the segment back to where the
//!   batch started (so a half-written batch never sits in front of later records).
//! - **Segments roll** after a commit leaves the current one at or over its size limit; the
//!   new file is synced and so is the directory, before any record goes into it.
//! - **Recovery** ([`recover`]) reads every segment in order and checks every record's
//!   length and checksum. In the last segment, a torn or corrupt tail (a crash during a
//!   write) is truncated, after its bytes are copied to `damaged/` beside the log, and
//!   reported; in an earlier segment (which was complete when the next one started, so
//!   damage there is corruption on disk) the rest of that segment is reported and skipped,
//!   and the log goes on with the next segment. Neither is fatal.
//! - **Pruning** ([`prune`]) deletes only whole segments that end at or before a given
//!   position (the oldest snapshot kept), never the segment being written.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The magic at the start of every segment file.
pub const SEGMENT_MAGIC: &[u8; 8] = b"CVLNLOG1";
/// Bytes of a segment header (magic and first LSN).
pub const SEGMENT_HEADER: u64 = 16;
/// Bytes of a record header (checksum, length, kind).
pub const RECORD_HEADER: usize = 9;
/// The largest record body accepted on reading (larger lengths are corruption).
pub const MAX_RECORD_BYTES: usize = 1 << 30;

/// What a log record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    /// A webhook payload exactly as Meta POSTed it (`POST /webhook`).
    Webhook = 1,
    /// A body of convolens JSONL (`POST /records`).
    Records = 2,
    /// The point where the engine ran its daily expiry (empty body); replay expires at the
    /// same point so the state is the same.
    Expire = 3,
    /// An erasure request (`DELETE /contacts/{id}`): the body is the `wa_id` or BSUID.
    /// The log rolls to a new segment after it, so that every byte before it can be
    /// deleted (see [`crate::durable`]).
    Forget = 4,
}

impl Kind {
    /// The kind stored as `b`, if any.
    pub fn from_byte(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::Webhook),
            2 => Some(Kind::Records),
            3 => Some(Kind::Expire),
            4 => Some(Kind::Forget),
            _ => None,
        }
    }
}

/// A record handed to the [`recover`] callback.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Position of the record's first byte.
    pub lsn: u64,
    /// Position after the record's last byte.
    pub end: u64,
    /// What the body is.
    pub kind: Kind,
    /// The body.
    pub body: &'a [u8],
}

/// Damage found and handled by [`recover`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// The segment file.
    pub segment: PathBuf,
    /// Offset in the file of the first byte not read.
    pub offset: u64,
    /// Bytes from there to the end of the file.
    pub bytes: u64,
    /// What was wrong there.
    pub reason: String,
    /// Whether the file was truncated at `offset` (the last segment) or left as it was.
    pub truncated: bool,
    /// Where the unreadable bytes were copied before truncating.
    pub saved: Option<PathBuf>,
}

/// What [`recover`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Good records in the log.
    pub records: u64,
    /// Records handed to the callback (those at or after the `from` position).
    pub replayed: u64,
    /// The position after the last good record (where appending continues), or 0 when
    /// there is no segment.
    pub end: u64,
    /// The first LSN of the oldest segment (`None`: no segment). 0 means the log is
    /// complete from its beginning.
    pub first: Option<u64>,
    /// Bytes of the segment files after recovery.
    pub bytes: u64,
    /// Damage found, in log order.
    pub damage: Vec<Damage>,
}

/// The files of `dir` named `<20 decimal digits><suffix>`, ordered by that number (log
/// segments, snapshots).
pub fn numbered_files(dir: &Path, suffix: &str) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let number = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(suffix))
            .filter(|stem| stem.len() == 20)
            .and_then(|stem| stem.parse::<u64>().ok());
        if let Some(n) = number {
            out.push((n, path));
        }
    }
    out.sort();
    Ok(out)
}

/// The segment files of `dir`, ordered by first LSN.
pub fn segments(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    numbered_files(dir, ".log")
}

fn segment_path(dir: &Path, base: u64) -> PathBuf {
    dir.join(format!("{base:020}.log"))
}

/// The checksum of a record: CRC-32 of its length, kind and body.
fn checksum(len: u32, kind: u8, body: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&len.to_le_bytes());
    h.update(&[kind]);
    h.update(body);
    h.finalize()
}

/// Append one framed record to `buf`.
fn frame(buf: &mut Vec<u8>, kind: Kind, body: &[u8]) {
    let len = body.len() as u32;
    buf.extend_from_slice(&checksum(len, kind as u8, body).to_le_bytes());
    buf.extend_from_slice(&len.to_le_bytes());
    buf.push(kind as u8);
    buf.extend_from_slice(body);
}

/// The next good record of `data` at `off`, or why there is none.
fn read_record(data: &[u8], off: usize) -> Result<(Kind, &[u8], usize), String> {
    let rest = &data[off..];
    if rest.len() < RECORD_HEADER {
        return Err(format!(
            "torn record header ({} of {RECORD_HEADER} bytes)",
            rest.len()
        ));
    }
    let crc = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
    let len = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    let kind_byte = rest[8];
    if len as usize > MAX_RECORD_BYTES {
        return Err(format!("record length {len} is over the limit"));
    }
    let Some(body) = rest.get(RECORD_HEADER..RECORD_HEADER + len as usize) else {
        return Err(format!(
            "torn record ({} of {} body bytes)",
            rest.len() - RECORD_HEADER,
            len
        ));
    };
    if checksum(len, kind_byte, body) != crc {
        return Err("record checksum mismatch".into());
    }
    let kind =
        Kind::from_byte(kind_byte).ok_or_else(|| format!("unknown record kind {kind_byte}"))?;
    Ok((kind, body, RECORD_HEADER + len as usize))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Read the log in `dir`, repair it (see the module rules) and hand every good record at
/// or after position `from` to `apply`, in order.
pub fn recover<F>(dir: &Path, from: u64, mut apply: F) -> io::Result<Recovery>
where
    F: FnMut(Record<'_>),
{
    std::fs::create_dir_all(dir)?;
    let segs = segments(dir)?;
    let mut out = Recovery {
        first: segs.first().map(|s| s.0),
        ..Recovery::default()
    };
    let mut data = Vec::new();
    for (i, (base, path)) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        data.clear();
        File::open(path)?.read_to_end(&mut data)?;
        let header_ok = data.len() as u64 >= SEGMENT_HEADER
            && &data[..8] == SEGMENT_MAGIC
            && data[8..16] == base.to_le_bytes();
        let mut off = SEGMENT_HEADER as usize;
        let mut problem = None;
        if header_ok {
            while off < data.len() {
                match read_record(&data, off) {
                    Ok((kind, body, n)) => {
                        let lsn = base + off as u64;
                        out.records += 1;
                        if lsn >= from {
                            out.replayed += 1;
                            apply(Record {
                                lsn,
                                end: lsn + n as u64,
                                kind,
                                body,
                            });
                        }
                        off += n;
                    }
                    Err(reason) => {
                        problem = Some(reason);
                        break;
                    }
                }
            }
        } else {
            off = 0;
            problem = Some("missing or torn segment header".into());
        }
        if let Some(reason) = problem {
            let bytes = (data.len() - off) as u64;
            let mut d = Damage {
                segment: path.clone(),
                offset: off as u64,
                bytes,
                reason,
                truncated: false,
                saved: None,
            };
            if last {
                d.saved = save_damaged(dir, *base, off as u64, &data[off..])?;
                let f = OpenOptions::new().write(true).open(path)?;
                if header_ok {
                    f.set_len(off as u64)?;
                } else {
                    f.set_len(0)?;
                    (&f).write_all(&segment_header(*base))?;
                    off = SEGMENT_HEADER as usize;
                }
                f.sync_all()?;
                d.truncated = true;
            }
            out.damage.push(d);
        }
        if last {
            out.end = base + off.max(SEGMENT_HEADER as usize) as u64;
        }
        out.bytes += std::fs::metadata(path)?.len();
    }
    Ok(out)
}

/// Copy unreadable bytes to `<dir>/../damaged/<segment>-<offset>[-<k>].bin` so that
/// truncating destroys nothing.
fn save_damaged(dir: &Path, base: u64, off: u64, bytes: &[u8]) -> io::Result<Option<PathBuf>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let target = dir.parent().unwrap_or(dir).join("damaged");
    std::fs::create_dir_all(&target)?;
    // Never overwrite an earlier copy (the same place can be torn twice).
    let mut path = target.join(format!("{base:020}-{off:020}.bin"));
    let mut k = 0;
    while path.exists() {
        k += 1;
        path = target.join(format!("{base:020}-{off:020}-{k}.bin"));
    }
    let mut f = File::create(&path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(Some(path))
}

fn segment_header(base: u64) -> [u8; SEGMENT_HEADER as usize] {
    let mut h = [0u8; SEGMENT_HEADER as usize];
    h[..8].copy_from_slice(SEGMENT_MAGIC);
    h[8..].copy_from_slice(&base.to_le_bytes());
    h
}

/// Delete the segments of `dir` that end at or before position `keep_from`, never the
/// last one. Returns the bytes freed.
pub fn prune(dir: &Path, keep_from: u64) -> io::Result<u64> {
    let segs = segments(dir)?;
    let mut freed = 0;
    for pair in segs.windows(2) {
        let ((_, path), (next_base, _)) = (&pair[0], &pair[1]);
        if *next_base <= keep_from {
            freed += std::fs::metadata(path)?.len();
            std::fs::remove_file(path)?;
        }
    }
    if freed > 0 {
        sync_dir(dir)?;
    }
    Ok(freed)
}

/// The log being written: the current segment and the records of the batch not yet
/// committed.
#[derive(Debug)]
pub struct Log {
    dir: PathBuf,
    file: File,
    base: u64,
    /// Committed bytes of the current segment file.
    len: u64,
    buf: Vec<u8>,
    segment_bytes: u64,
}

impl Log {
    /// Open the log of `dir` for appending, after [`recover`]: at the end of the last
    /// segment, or in a new segment starting at `min_next` when there is none or the last
    /// one ends before `min_next` (a snapshot covers more than the log holds). Segments
    /// roll once they reach `segment_bytes`.
    pub fn open(dir: &Path, segment_bytes: u64, min_next: u64) -> io::Result<Log> {
        std::fs::create_dir_all(dir)?;
        if let Some((base, path)) = segments(dir)?.pop() {
            let len = std::fs::metadata(&path)?.len();
            if base + len >= min_next && len >= SEGMENT_HEADER {
                let file = OpenOptions::new().append(true).open(&path)?;
                return Ok(Log {
                    dir: dir.to_path_buf(),
                    file,
                    base,
                    len,
                    buf: Vec::new(),
                    segment_bytes,
                });
            }
        }
        let file = create_segment(dir, min_next)?;
        Ok(Log {
            dir: dir.to_path_buf(),
            file,
            base: min_next,
            len: SEGMENT_HEADER,
            buf: Vec::new(),
            segment_bytes,
        })
    }

    /// Buffer one record for the next [`Log::commit`]; returns its position and end.
    pub fn append(&mut self, kind: Kind, body: &[u8]) -> (u64, u64) {
        let lsn = self.next_lsn();
        frame(&mut self.buf, kind, body);
        (lsn, self.next_lsn())
    }

    /// The position the next record gets.
    pub fn next_lsn(&self) -> u64 {
        self.base + self.len + self.buf.len() as u64
    }

    /// Bytes buffered for the next commit.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Write the buffered records and `fdatasync` them; then roll to a new segment when
    /// this one is full. On an error the segment is truncated back to its committed length
    /// and the buffered records are dropped (their requests must be refused); an error
    /// from that truncation too means the log can no longer be trusted. Returns the bytes
    /// added to the log's files.
    pub fn commit(&mut self) -> Result<u64, CommitError> {
        if self.buf.is_empty() {
            return Ok(0);
        }
        let mut added = self.buf.len() as u64;
        let result = self
            .file
            .write_all(&self.buf)
            .and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.len += self.buf.len() as u64;
                self.buf.clear();
            }
            Err(e) => {
                self.buf.clear();
                return match self
                    .file
                    .set_len(self.len)
                    .and_then(|()| self.file.sync_all())
                {
                    Ok(()) => Err(CommitError::Refused(e)),
                    Err(e2) => Err(CommitError::Broken(e2)),
                };
            }
        }
        if self.len >= self.segment_bytes {
            let base = self.base + self.len;
            // A failed roll leaves the full segment current: appending goes on there.
            if let Ok(file) = create_segment(&self.dir, base) {
                self.file = file;
                self.base = base;
                self.len = SEGMENT_HEADER;
                added += SEGMENT_HEADER;
            }
        }
        Ok(added)
    }

    /// Start a new segment at the next position (nothing buffered), so that every
    /// segment before it can be deleted once a snapshot covers it. Returns the new base.
    pub fn roll(&mut self) -> io::Result<u64> {
        let base = self.next_lsn();
        if self.buf.is_empty() && self.len > SEGMENT_HEADER {
            self.file = create_segment(&self.dir, base)?;
            self.base = base;
            self.len = SEGMENT_HEADER;
        }
        Ok(self.base + self.len)
    }

    /// Bytes of the log's segment files.
    pub fn disk_bytes(&self) -> u64 {
        segments(&self.dir)
            .unwrap_or_default()
            .iter()
            .filter_map(|(_, p)| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}

/// Why [`Log::commit`] failed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The batch was not stored; the log is as it was before it.
    #[error("log write failed, batch refused: {0}")]
    Refused(io::Error),
    /// The batch could not be written nor removed: the log's end is unknown until a
    /// restart recovers it.
    #[error("log write failed and could not be undone: {0}")]
    Broken(io::Error),
}

fn create_segment(dir: &Path, base: u64) -> io::Result<File> {
    let path = segment_path(dir, base);
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)?;
    f.write_all(&segment_header(base))?;
    f.sync_all()?;
    sync_dir(dir)?;
    drop(f);
    OpenOptions::new().append(true).open(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cvl-wal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn read_all(dir: &Path, from: u64) -> (Recovery, Vec<(u64, Kind, Vec<u8>)>) {
        let mut got = Vec::new();
        let r = recover(dir, from, |rec| {
            got.push((rec.lsn, rec.kind, rec.body.to_vec()));
        })
        .unwrap();
        (r, got)
    }

    #[test]
    fn records_come_back_in_order_across_segments() {
        let root = tmp("order");
        let dir = root.join("log");
        let mut log = Log::open(&dir, 100, 0).unwrap();
        let mut lsns = Vec::new();
        for i in 0..10u8 {
            lsns.push(log.append(Kind::Webhook, &[i; 30]).0);
            log.commit().unwrap();
        }
        log.append(Kind::Expire, b"");
        log.commit().unwrap();
        // 16-byte header + 39-byte records: a segment rolls after its third record
        // (16 + 3 × 39 = 133 ≥ 100), so 10 records + 1 fill 4 segments.
        assert_eq!(segments(&dir).unwrap().len(), 4);
        let (r, got) = read_all(&dir, 0);
        assert_eq!(r.records, 11);
        assert!(r.damage.is_empty());
        assert_eq!(got[3].0, lsns[3]);
        assert_eq!(got[3].2, [3u8; 30]);
        assert_eq!(got[10].1, Kind::Expire);
        // From a position: only what follows.
        let (r, got) = read_all(&dir, lsns[7]);
        assert_eq!((r.replayed, got[0].2[0]), (4, 7));
        // First segment: [0, 133); the second starts where it ended.
        assert_eq!(segments(&dir).unwrap()[1].0, 133);
        assert_eq!(lsns[3], 133 + 16);
    }

    #[test]
    fn a_torn_tail_is_truncated_at_every_cut_and_saved() {
        let root = tmp("torn");
        let dir = root.join("log");
        let mut log = Log::open(&dir, 1 << 20, 0).unwrap();
        log.append(Kind::Webhook, b"{\"a\":1}");
        log.append(Kind::Records, b"line1\nline2\n");
        log.commit().unwrap();
        let good = log.next_lsn();
        log.append(Kind::Webhook, b"{\"torn\":true}");
        log.commit().unwrap();
        let full = std::fs::read(segment_path(&dir, 0)).unwrap();
        drop(log);
        // Cut the last record anywhere: the first two survive, the file ends after them.
        for cut in good as usize..full.len() {
            std::fs::write(segment_path(&dir, 0), &full[..cut]).unwrap();
            let (r, got) = read_all(&dir, 0);
            assert_eq!(got.len(), 2, "cut at {cut}");
            assert_eq!(r.end, good);
            let len = std::fs::metadata(segment_path(&dir, 0)).unwrap().len();
            assert_eq!(len, good);
            if cut > good as usize {
                assert_eq!(r.damage.len(), 1);
                assert!(r.damage[0].truncated);
                let saved = std::fs::read(r.damage[0].saved.as_ref().unwrap()).unwrap();
                assert_eq!(saved, &full[good as usize..cut]);
            } else {
                assert!(r.damage.is_empty());
            }
            // Appending goes on at the cut.
            let mut log = Log::open(&dir, 1 << 20, 0).unwrap();
            assert_eq!(log.next_lsn(), good);
            log.append(Kind::Webhook, b"{}");
            log.commit().unwrap();
            assert_eq!(read_all(&dir, 0).1.len(), 3);
            std::fs::write(segment_path(&dir, 0), &full[..good as usize]).unwrap();
        }
    }

    #[test]
    fn a_flipped_bit_is_caught_by_the_checksum() {
        let root = tmp("flip");
        let dir = root.join("log");
        let mut log = Log::open(&dir, 1 << 20, 0).unwrap();
        let (_, end1) = log.append(Kind::Webhook, b"{\"id\":1}");
        log.append(Kind::Webhook, b"{\"id\":2}");
        log.commit().unwrap();
        drop(log);
        let p = segment_path(&dir, 0);
        let mut bytes = std::fs::read(&p).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x20;
        std::fs::write(&p, &bytes).unwrap();
        let (r, got) = read_all(&dir, 0);
        assert_eq!(got.len(), 1);
        assert_eq!(r.damage[0].reason, "record checksum mismatch");
        assert_eq!(r.end, end1);
    }

    #[test]
    fn damage_in_an_earlier_segment_skips_its_rest_and_keeps_the_next() {
        let root = tmp("mid");
        let dir = root.join("log");
        let mut log = Log::open(&dir, 60, 0).unwrap();
        for i in 0..4u8 {
            log.append(Kind::Webhook, &[b'0' + i; 20]);
            log.commit().unwrap();
        }
        // 16 + 2 × 29 = 74 ≥ 60: two records per segment.
        let segs = segments(&dir).unwrap();
        assert_eq!(segs.len(), 3);
        let mut first = std::fs::read(&segs[0].1).unwrap();
        first[SEGMENT_HEADER as usize + 29 + 12] ^= 1;
        std::fs::write(&segs[0].1, &first).unwrap();
        let (r, got) = read_all(&dir, 0);
        let bodies: Vec<u8> = got.iter().map(|g| g.2[0]).collect();
        assert_eq!(bodies, b"023");
        assert!(!r.damage[0].truncated);
        assert_eq!(std::fs::read(&segs[0].1).unwrap(), first, "left as it was");
    }

    #[test]
    fn a_torn_segment_header_is_rewritten() {
        let root = tmp("hdr");
        let dir = root.join("log");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(segment_path(&dir, 0), b"CVLN").unwrap();
        let (r, got) = read_all(&dir, 0);
        assert!(got.is_empty());
        assert_eq!(r.end, SEGMENT_HEADER);
        let mut log = Log::open(&dir, 1 << 20, 0).unwrap();
        log.append(Kind::Webhook, b"{}");
        log.commit().unwrap();
        assert_eq!(read_all(&dir, 0).1.len(), 1);
    }

    #[test]
    fn open_starts_a_new_segment_past_a_snapshot_position() {
        let root = tmp("past");
        let dir = root.join("log");
        let mut log = Log::open(&dir, 1 << 20, 0).unwrap();
        log.append(Kind::Webhook, b"{}");
        log.commit().unwrap();
        drop(log);
        let mut log = Log::open(&dir, 1 << 20, 1000).unwrap();
        assert_eq!(log.next_lsn(), 1000 + SEGMENT_HEADER);
        log.append(Kind::Webhook, b"{}");
        log.commit().unwrap();
        let (_, got) = read_all(&dir, 1000);
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn prune_keeps_the_segments_a_position_needs() {
        let root = tmp("prune");
        let dir = root.join("log");
        let mut log = Log::open(&dir, 60, 0).unwrap();
        let mut lsns = Vec::new();
        for i in 0..6u8 {
            lsns.push(log.append(Kind::Webhook, &[i; 20]).0);
            log.commit().unwrap();
        }
        assert_eq!(segments(&dir).unwrap().len(), 4);
        // Keep from the 4th record (in the 2nd segment): the 1st segment goes.
        let freed = prune(&dir, lsns[3]).unwrap();
        assert_eq!(freed, 74);
        let (r, got) = read_all(&dir, lsns[3]);
        assert_eq!(r.first, Some(74));
        assert_eq!(got.len(), 3);
        // Never the last segment, however far the position.
        prune(&dir, u64::MAX).unwrap();
        assert_eq!(segments(&dir).unwrap().len(), 1);
    }
}
