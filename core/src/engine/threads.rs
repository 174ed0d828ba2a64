//! Ingest on several threads ([`Engine::ingest_reader_threads`]).
//!
//! Parsing is pure (bytes in, events out), applying is not (it changes the store). So the
//! calling thread reads the input in line-aligned chunks of about [`BATCH_BYTES`], a round
//! of them at a time; `threads` scoped workers split each chunk into documents with a new
//! [`DocumentSplitter`] (the rules of [`Engine::ingest_reader`], whole lines offered and
//! parsed as they are) and parse them, each worker taking the next chunk as it finishes
//! one; the calling thread meanwhile reads the next round, then applies the chunks'
//! events strictly in input order as each is ready.
//!
//! A new splitter splits a chunk as the splitter of the whole input would when that one
//! is at rest at the chunk's start (between documents, at a line start, nothing pending;
//! `DocumentSplitter::at_rest`) — the usual case. When it is not (a pretty-printed
//! document or an array spans the cut), the calling thread splits the chunk again with
//! the whole input's splitter. So every document is split and parsed as on one thread and
//! applied in the same order: the engine ends in the same state, with the same outcome and
//! the same errors (lines and columns included), whatever the thread count.

use super::{Engine, StreamOutcome};
use crate::error::ParseError;
use crate::input::stream::{DocumentSplitter, Piece};
use crate::input::{Event, ParseOptions, parse_stream_doc, recycle, try_parse_whole};
use std::io::Read;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// About how many input bytes one chunk holds (a chunk is one worker's unit of work).
pub(crate) const BATCH_BYTES: usize = 1 << 19;

/// Chunks per worker in a round: enough that the workers stay busy while the calling
/// thread applies, few enough that a round's input stays small (8 × 512 KiB per worker).
const BATCHES_PER_WORKER: usize = 8;

/// What parsing one piece gave: its events — a run of its chunk's event list, or a list of
/// their own for a document the splitter copied out — or its error (lines counted from the
/// start of the splitter that found it). One list per chunk, not one per document: the
/// calling thread would otherwise free an allocation per document made on a worker's
/// thread, the slow path of the allocator.
enum Parsed<'a> {
    Run(usize),
    Own(Vec<Event<'a>>),
    Failed(ParseError),
}

/// A line-aligned run of the input (it ends with a line break, unless the input ended or
/// a line was too long to wait for), and room for the documents the splitter copies out
/// of it (one that spans lines): the events borrow from both.
struct Chunk {
    bytes: Vec<u8>,
    last: bool,
    /// Documents split by the worker, and by the calling thread if it must split again.
    copies: [OnceLock<Vec<u8>>; 2],
}

/// A chunk split and parsed: the events of its pieces read whole, its pieces' results in
/// order, and the splitter after it.
struct Split<'a> {
    events: Vec<Event<'a>>,
    parsed: Vec<Parsed<'a>>,
    after: DocumentSplitter,
}

/// A piece found by the splitter, before parsing: parsed already (a whole line taken), or
/// a document copied out at `start..end` of the copies, or a stream error.
enum Found<'a> {
    Parsed(Parsed<'a>),
    Copied(usize, usize, u64, u64, Option<usize>),
}

/// Split `bytes` with `split` (a new splitter for a line-aligned chunk, or the splitter
/// the previous chunk left) and parse every piece; `finish` at the end of the input.
/// Whole lines are parsed as they are offered (borrowing `bytes`); documents the splitter
/// copies are kept in `copies` and parsed after.
fn split_and_parse<'a>(
    bytes: &'a [u8],
    copies: &'a OnceLock<Vec<u8>>,
    mut split: DocumentSplitter,
    finish: bool,
    opts: &ParseOptions,
) -> Split<'a> {
    let mut found = Vec::new();
    let mut copy = Vec::new();
    // About one event per 400 bytes of webhook traffic: room for most chunks at once.
    let mut events = Vec::with_capacity(bytes.len() / 256);
    let mut each = |p: Piece<'_>| match p {
        Piece::Line(d) => {
            // The offered line is a slice of `bytes`: take it with their lifetime.
            let at = d.bytes.as_ptr() as usize - bytes.as_ptr() as usize;
            let line = &bytes[at..at + d.bytes.len()];
            let before = events.len();
            match try_parse_whole(line, d.line, opts, &mut events) {
                Some(Ok(())) => {
                    found.push(Found::Parsed(Parsed::Run(events.len() - before)));
                    true
                }
                Some(Err(e)) => {
                    found.push(Found::Parsed(Parsed::Failed(e)));
                    true
                }
                None => false,
            }
        }
        Piece::Doc(d) => {
            let start = copy.len();
            copy.extend_from_slice(d.bytes);
            found.push(Found::Copied(
                start,
                copy.len(),
                d.line,
                d.column,
                d.element,
            ));
            false
        }
        Piece::Error(e) => {
            found.push(Found::Parsed(Parsed::Failed(e)));
            false
        }
    };
    if !bytes.is_empty() {
        split.feed(bytes, &mut each);
    }
    if finish {
        split.finish(&mut each);
    }
    let copy: &'a [u8] = copies.get_or_init(|| copy);
    let parsed = found
        .into_iter()
        .map(|f| match f {
            Found::Parsed(p) => p,
            Found::Copied(start, end, line, column, element) => {
                let d = crate::input::stream::StreamDoc {
                    bytes: &copy[start..end],
                    line,
                    column,
                    element,
                };
                match parse_stream_doc(&d, line, opts) {
                    Ok(own) => Parsed::Own(own),
                    Err(e) => Parsed::Failed(e),
                }
            }
        })
        .collect();
    Split {
        events,
        parsed,
        after: split,
    }
}

/// Reads the input in line-aligned chunks, a round at a time.
struct Feeder<R> {
    reader: R,
    /// Bytes read after the last chunk's final line break.
    carry: Vec<u8>,
    /// Buffers of applied chunks, reused for the next ones: a fresh half-megabyte buffer
    /// per chunk cost page faults, and freeing them made the allocator consolidate.
    spare: Vec<Vec<u8>>,
    /// Cut a chunk without a line break once it is this long.
    hard_limit: usize,
    error: Option<std::io::Error>,
    done: bool,
}

impl<R: Read> Feeder<R> {
    /// The next chunk of about `size` bytes, or `None` at the end of the input.
    fn chunk(&mut self, size: usize) -> Option<Chunk> {
        if self.done {
            return None;
        }
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.append(&mut self.carry);
        let mut scanned = 0;
        loop {
            if buf.len() >= size {
                if let Some(k) = memchr::memrchr(b'\n', &buf[scanned..]) {
                    self.carry.extend_from_slice(&buf[scanned + k + 1..]);
                    buf.truncate(scanned + k + 1);
                    break;
                }
                scanned = buf.len();
                if buf.len() >= self.hard_limit {
                    break;
                }
            }
            // `read_to_end` fills the buffer's spare room without zeroing it first, and
            // on an error keeps the bytes its earlier reads gave (as one `read` per
            // call would have); it retries interrupted reads itself.
            let want = u64::try_from(size.max(4096)).unwrap_or(u64::MAX);
            match self.reader.by_ref().take(want).read_to_end(&mut buf) {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    self.error = Some(e);
                    self.done = true;
                    break;
                }
            }
        }
        Some(Chunk {
            bytes: buf,
            last: self.done && self.error.is_none(),
            copies: [OnceLock::new(), OnceLock::new()],
        })
    }

    fn round(&mut self, count: usize, size: usize) -> Vec<Chunk> {
        (0..count).map_while(|_| self.chunk(size)).collect()
    }

    /// Keep the buffers of a round that has been applied, for the next chunks.
    fn recycle(&mut self, round: Vec<Chunk>) {
        self.spare.extend(round.into_iter().map(|c| c.bytes));
    }
}

/// The splitter of the input so far, the input lines before the chunk it started on, and
/// the (empty) list each document's events are applied from, kept from round to round.
struct Carry {
    split: DocumentSplitter,
    lines_before: u64,
    doc: Vec<Event<'static>>,
}

impl Engine {
    /// [`Engine::ingest_reader`] with documents parsed on `threads` threads and applied in
    /// input order: the engine ends in exactly the state, and returns exactly the outcome
    /// and errors, that [`Engine::ingest_reader`] gives, whatever `threads` is. With
    /// `threads` ≤ 1, and on WebAssembly (no threads), it is [`Engine::ingest_reader`].
    ///
    /// The calling thread reads and splits the stream and applies what the workers parsed,
    /// so up to `threads + 1` threads are busy; memory grows by the round of input being
    /// parsed (about `threads` × 4 MiB) and its events.
    ///
    /// ```
    /// let input = "{\"type\":\"close\",\"contact\":\"34600111222\",\"timestamp\":1751460000}\nnot json\n";
    /// let mut one = convolens::Engine::new(convolens::Config::default())?;
    /// let mut four = convolens::Engine::new(convolens::Config::default())?;
    /// let a = one.ingest_reader(input.as_bytes())?;
    /// let b = four.ingest_reader_threads(input.as_bytes(), 4)?;
    /// assert_eq!(a, b);
    /// assert_eq!(b.errors[0].line, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ingest_reader_threads<R: Read>(
        &mut self,
        reader: R,
        threads: usize,
    ) -> std::io::Result<StreamOutcome> {
        self.ingest_in_batches(reader, threads, BATCH_BYTES)
    }

    /// [`Engine::ingest_reader_threads`] with chunks of about `batch_bytes` (small ones
    /// let tests cross many chunk and round boundaries).
    pub(crate) fn ingest_in_batches<R: Read>(
        &mut self,
        reader: R,
        threads: usize,
        batch_bytes: usize,
    ) -> std::io::Result<StreamOutcome> {
        if threads <= 1 || cfg!(target_arch = "wasm32") {
            return self.ingest_reader(reader);
        }
        self.touched();
        let base = self.store.stats.lines;
        let opts = self.opts;
        let size = batch_bytes.max(1);
        let mut feed = Feeder {
            reader,
            carry: Vec::new(),
            spare: Vec::new(),
            hard_limit: size.saturating_add(opts.max_bytes),
            error: None,
            done: false,
        };
        let count = threads * BATCHES_PER_WORKER;
        let mut out = StreamOutcome::default();
        let mut carry = Carry {
            split: DocumentSplitter::offering_lines(opts.max_bytes),
            lines_before: 0,
            doc: Vec::new(),
        };
        let mut cur = feed.round(count, size);
        while !cur.is_empty() {
            let next = std::thread::scope(|s| {
                let rx = spawn_workers(s, &cur, threads, &opts);
                let next = feed.round(count, size);
                self.apply_in_order(&rx, &cur, &mut carry, base, &mut out);
                next
            });
            feed.recycle(std::mem::replace(&mut cur, next));
        }
        out.lines = carry.lines_before + carry.split.lines();
        self.store.stats.lines += out.lines;
        match feed.error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Apply the round's chunks in order. A worker split its chunk with a new splitter;
    /// that is right when the splitter of the input before it is at rest. Otherwise (a
    /// document spans the cut) the chunk is split again here, with that splitter.
    fn apply_in_order<'a>(
        &mut self,
        rx: &mpsc::Receiver<(usize, Split<'a>)>,
        chunks: &'a [Chunk],
        carry: &mut Carry,
        base: u64,
        out: &mut StreamOutcome,
    ) {
        let mut ready: Vec<Option<Split<'a>>> = chunks.iter().map(|_| None).collect();
        let mut doc = recycle(std::mem::take(&mut carry.doc));
        for (k, chunk) in chunks.iter().enumerate() {
            while ready[k].is_none() {
                // Workers never panic on input; if one did, the scope re-raises it.
                let Ok((i, split)) = rx.recv() else { break };
                ready[i] = Some(split);
            }
            let done = ready[k].take();
            let (events, parsed) = match done {
                Some(done) if carry.split.at_rest() => {
                    carry.lines_before += carry.split.lines();
                    carry.split = done.after;
                    (done.events, done.parsed)
                }
                _ => {
                    let split = std::mem::replace(&mut carry.split, DocumentSplitter::new(0));
                    let again = split_and_parse(
                        &chunk.bytes,
                        &chunk.copies[1],
                        split,
                        chunk.last,
                        &self.opts,
                    );
                    carry.split = again.after;
                    (again.events, again.parsed)
                }
            };
            self.apply_parsed_chunk(events, parsed, &mut doc, base + carry.lines_before, out);
        }
        carry.doc = recycle(doc);
    }

    /// Apply one chunk's results; `offset`: engine lines before its splitter's first line.
    /// Each document's run of `events` is moved to `doc`, a list made on this thread (and
    /// kept for the next chunk), and applied from there.
    fn apply_parsed_chunk<'a>(
        &mut self,
        events: Vec<Event<'a>>,
        parsed: Vec<Parsed<'a>>,
        doc: &mut Vec<Event<'a>>,
        offset: u64,
        out: &mut StreamOutcome,
    ) {
        let mut events = events.into_iter();
        for p in parsed {
            match p {
                Parsed::Run(n) => {
                    doc.extend(events.by_ref().take(n));
                    out.outcome.absorb(self.apply_events(doc));
                }
                Parsed::Own(mut own) => out.outcome.absorb(self.apply_events(&mut own)),
                Parsed::Failed(e) => {
                    self.store.stats.errors += 1;
                    out.errors.push(e.at_line_offset(offset));
                }
            }
        }
    }
}

/// Start `threads` workers splitting and parsing `chunks`, each with a new splitter,
/// each worker taking the next chunk; the receiver gets every chunk's result with its index.
fn spawn_workers<'scope, 'b: 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    chunks: &'b [Chunk],
    threads: usize,
    opts: &'b ParseOptions,
) -> mpsc::Receiver<(usize, Split<'b>)> {
    let (tx, rx) = mpsc::channel();
    let next = std::sync::Arc::new(AtomicUsize::new(0));
    for _ in 0..threads.min(chunks.len()) {
        let tx = tx.clone();
        let next = next.clone();
        s.spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = chunks.get(i) else { break };
                let split = DocumentSplitter::offering_lines(opts.max_bytes);
                let done = split_and_parse(&c.bytes, &c.copies[0], split, c.last, opts);
                if tx.send((i, done)).is_err() {
                    break;
                }
            }
        });
    }
    rx
}
