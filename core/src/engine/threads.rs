//! Ingest on several threads ([`Engine::ingest_reader_threads`]).
//!
//! Parsing is pure (bytes in, events out), applying is not (it changes the store). So the
//! stream is read in rounds: the calling thread splits the input into documents
//! ([`DocumentSplitter`], the same rules as [`Engine::ingest_reader`]) and copies them into
//! batches of about [`BATCH_BYTES`]; `threads` scoped workers parse a round's batches,
//! taking the next unparsed batch as they finish one; the calling thread meanwhile reads
//! the next round, then applies the parsed batches strictly in input order as each is
//! ready. Every document is parsed by the same function as on one thread and applied in
//! the same order, so the engine ends in the same state, with the same outcome and the
//! same errors (lines and columns included), whatever the thread count.
//!
//! The splitter here never offers whole lines ([`crate::input::stream::Piece::Line`]): a
//! line that is one whole object is then handed over as a document of the same bytes,
//! which parses to the same events (and, when it fails, to the error the single-threaded
//! path gives after declining the line).

use super::{Engine, StreamOutcome};
use crate::error::ParseError;
use crate::input::stream::{DocumentSplitter, Piece, StreamDoc};
use crate::input::{Event, ParseOptions, parse_stream_doc};
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// About how many input bytes one batch holds (a batch is one worker's unit of work).
pub(crate) const BATCH_BYTES: usize = 1 << 19;

/// Batches per worker in a round: enough that the workers stay busy while the calling
/// thread applies, few enough that a round's copies stay small (8 × 512 KiB per worker).
const BATCHES_PER_WORKER: usize = 8;

/// One piece of a batch: a document (its bytes in the batch's buffer) or a stream error.
enum Item {
    Doc {
        start: usize,
        end: usize,
        line: u64,
        column: u64,
        element: Option<usize>,
    },
    Error(ParseError),
}

/// Consecutive pieces of the stream, their bytes copied out of the reader's buffer.
#[derive(Default)]
struct Batch {
    buf: Vec<u8>,
    items: Vec<Item>,
}

/// What parsing one piece gave: its events, or its error.
type Parsed<'a> = Result<Vec<Event<'a>>, ParseError>;

impl Batch {
    fn push(&mut self, piece: Piece<'_>) {
        match piece {
            Piece::Doc(d) | Piece::Line(d) => {
                let start = self.buf.len();
                self.buf.extend_from_slice(d.bytes);
                self.items.push(Item::Doc {
                    start,
                    end: self.buf.len(),
                    line: d.line,
                    column: d.column,
                    element: d.element,
                });
            }
            Piece::Error(e) => self.items.push(Item::Error(e)),
        }
    }

    /// Parse every piece; `base` is the engine's line count before the stream.
    fn parse(&self, base: u64, opts: &ParseOptions) -> Vec<Parsed<'_>> {
        self.items
            .iter()
            .map(|item| match item {
                Item::Doc {
                    start,
                    end,
                    line,
                    column,
                    element,
                } => {
                    let d = StreamDoc {
                        bytes: &self.buf[*start..*end],
                        line: *line,
                        column: *column,
                        element: *element,
                    };
                    parse_stream_doc(&d, base + line, opts)
                }
                Item::Error(e) => Err(e.clone().at_line_offset(base)),
            })
            .collect()
    }
}

/// Reads the stream and splits it into batches, a round at a time.
struct Feeder<R> {
    reader: BufReader<R>,
    split: DocumentSplitter,
    error: Option<std::io::Error>,
    done: bool,
}

impl<R: Read> Feeder<R> {
    /// Up to `count` batches of about `batch_bytes` each; none once the stream has ended.
    fn round(&mut self, count: usize, batch_bytes: usize) -> Vec<Batch> {
        let mut out = Vec::new();
        let mut cur = Batch::default();
        while !self.done && out.len() < count {
            match self.reader.fill_buf() {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.error = Some(e);
                    self.done = true;
                }
                Ok([]) => {
                    self.split.finish(&mut |p| {
                        cur.push(p);
                        false
                    });
                    self.done = true;
                }
                Ok(chunk) => {
                    let n = chunk.len();
                    self.split.feed(chunk, &mut |p| {
                        cur.push(p);
                        false
                    });
                    self.reader.consume(n);
                }
            }
            if cur.buf.len() >= batch_bytes || cur.items.len() >= batch_bytes / 64 {
                out.push(std::mem::take(&mut cur));
            }
        }
        if !cur.items.is_empty() {
            out.push(cur);
        }
        out
    }
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

    /// [`Engine::ingest_reader_threads`] with batches of about `batch_bytes` (small ones
    /// let tests cross many batch and round boundaries).
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
        let mut feed = Feeder {
            reader: BufReader::with_capacity(1 << 16, reader),
            split: DocumentSplitter::new(opts.max_bytes),
            error: None,
            done: false,
        };
        let count = threads * BATCHES_PER_WORKER;
        let mut out = StreamOutcome::default();
        let mut cur = feed.round(count, batch_bytes);
        while !cur.is_empty() {
            let next = std::thread::scope(|s| {
                let rx = spawn_workers(s, &cur, threads, base, &opts);
                let next = feed.round(count, batch_bytes);
                self.apply_in_order(&rx, cur.len(), &mut out);
                next
            });
            cur = next;
        }
        out.lines = feed.split.lines();
        self.store.stats.lines += out.lines;
        match feed.error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Apply `n` parsed batches, arriving on `rx` in any order, in batch order.
    fn apply_in_order(
        &mut self,
        rx: &mpsc::Receiver<(usize, Vec<Parsed<'_>>)>,
        n: usize,
        out: &mut StreamOutcome,
    ) {
        let mut ready: Vec<Option<Vec<Parsed<'_>>>> = (0..n).map(|_| None).collect();
        for slot in 0..n {
            while ready[slot].is_none() {
                // A worker that panicked drops its sender; its batch never arrives.
                let (i, parsed) = rx.recv().expect("a parse worker stopped");
                ready[i] = Some(parsed);
            }
            for p in ready[slot].take().into_iter().flatten() {
                match p {
                    Ok(events) => out.outcome.absorb(self.apply_events(events)),
                    Err(e) => {
                        self.store.stats.errors += 1;
                        out.errors.push(e);
                    }
                }
            }
        }
    }
}

/// Start `threads` workers parsing `batches`, each taking the next unparsed batch; the
/// receiver gets every batch's results with its index.
fn spawn_workers<'scope, 'b: 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    batches: &'b [Batch],
    threads: usize,
    base: u64,
    opts: &'b ParseOptions,
) -> mpsc::Receiver<(usize, Vec<Parsed<'b>>)> {
    let (tx, rx) = mpsc::channel();
    let next = std::sync::Arc::new(AtomicUsize::new(0));
    for _ in 0..threads.min(batches.len()) {
        let tx = tx.clone();
        let next = next.clone();
        s.spawn(move || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(b) = batches.get(i) else { break };
                if tx.send((i, b.parse(base, opts))).is_err() {
                    break;
                }
            }
        });
    }
    rx
}
