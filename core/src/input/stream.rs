#![doc = include_str!("../guide/input/stream.md")]

use crate::error::{ParseError, ParseErrorKind};
use memchr::{memchr, memchr3};
use std::io::{BufRead, BufReader, Read};

/// What the splitter hands over.
#[derive(Debug)]
#[non_exhaustive]
pub enum Piece<'b> {
    /// A document to parse (complete or not: parsing tells).
    Doc(StreamDoc<'b>),
    /// A part of the stream that cannot be a document: one over the size limit, or a
    /// top-level array never closed. Lines are within the stream.
    Error(ParseError),
    /// A whole line whose first byte (white space aside) opens an object, offered as it
    /// is by `DocumentSplitter::run_offering_lines`: the callback may take it as one
    /// complete document (and return `true`), parsing it once where the splitter would
    /// have scanned it first — the common JSONL case; or leave it (return `false`), and
    /// the splitter splits it as usual. At most one offer per line, so the input is still
    /// read in linear time.
    Line(StreamDoc<'b>),
}

/// One document of a stream, borrowed from the splitter's buffer until the callback returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamDoc<'b> {
    /// The document's bytes (without a line break that ended it early).
    pub(crate) bytes: &'b [u8],
    /// The 1-based line of the stream on which it starts.
    pub(crate) line: u64,
    /// The 1-based byte column of its first byte on that line.
    pub(crate) column: u64,
    /// Its index within a top-level array (counting every element, failed ones too), or
    /// `None` for a top-level document.
    pub(crate) element: Option<usize>,
}

impl<'b> StreamDoc<'b> {
    /// The document's bytes (without a line break that ended it early).
    pub fn bytes(&self) -> &'b [u8] {
        self.bytes
    }

    /// The 1-based line of the stream on which it starts.
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// Where the scanner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Between top-level documents.
    Idle,
    /// Inside a top-level object.
    Object,
    /// Top-level text that is not a document, up to the end of its line.
    Other,
    /// Inside a top-level array, between elements.
    Array,
    /// Inside an object or array element of a top-level array.
    Element,
    /// A scalar element of a top-level array.
    Scalar,
}

/// Where [`DocumentSplitter::scan_document`] stopped.
enum Stop {
    /// At the end of the chunk, the document still open.
    End,
    /// At the byte that closes the document.
    Closed(usize),
    /// At a line break inside the document.
    LineBreak(usize),
}

/// Splits a byte stream into documents; see the module docs for the rules.
#[derive(Debug)]
pub struct DocumentSplitter {
    limit: usize,
    mode: Mode,
    /// Open brackets: 1 inside a top-level object or array, 2 inside an array's element.
    depth: u64,
    in_str: bool,
    esc: bool,
    /// A line break inside an open document, to be decided by the next line's first byte.
    pending_break: bool,
    /// The open document's first bytes (at most `limit + 1`: enough to hand it over when
    /// it fits, and to know it does not).
    doc: Vec<u8>,
    /// Stream offset of the open document's first byte.
    doc_start: u64,
    /// Length of the open document before its pending line break (and that break's `\r`).
    cut: u64,
    doc_line: u64,
    doc_col: u64,
    arr_line: u64,
    arr_col: u64,
    elements: usize,
    /// Bytes of a UTF-8 byte-order mark matched so far between documents.
    bom: u8,
    /// Stream offset of the current chunk's first byte (after the last: bytes read).
    base: u64,
    /// The current line (1-based) and the stream offset where it starts.
    line: u64,
    line_start: u64,
    /// The last byte of the previous chunk (`\n` before any).
    prev: u8,
    /// Whether whole lines are offered ([`Piece::Line`]).
    offer_lines: bool,
    /// Whether nothing but white space was read on the current line yet.
    fresh_line: bool,
}

/// A UTF-8 byte-order mark.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

impl DocumentSplitter {
    /// A splitter keeping documents of at most `max_document_bytes` bytes.
    pub fn new(max_document_bytes: usize) -> DocumentSplitter {
        DocumentSplitter {
            limit: max_document_bytes,
            mode: Mode::Idle,
            depth: 0,
            in_str: false,
            esc: false,
            pending_break: false,
            doc: Vec::new(),
            doc_start: 0,
            cut: 0,
            doc_line: 1,
            doc_col: 1,
            arr_line: 1,
            arr_col: 1,
            elements: 0,
            bom: 0,
            base: 0,
            line: 1,
            line_start: 0,
            prev: b'\n',
            offer_lines: false,
            fresh_line: true,
        }
    }

    /// Lines read so far: every line break, plus a last line without one.
    pub(crate) fn lines(&self) -> u64 {
        if self.base == 0 {
            0
        } else if self.prev == b'\n' {
            self.line - 1
        } else {
            self.line
        }
    }

    /// A splitter that offers whole lines ([`Piece::Line`]) to [`DocumentSplitter::feed`]'s
    /// callback, as [`DocumentSplitter::run_offering_lines`] does.
    pub(crate) fn offering_lines(max_document_bytes: usize) -> DocumentSplitter {
        let mut s = DocumentSplitter::new(max_document_bytes);
        s.offer_lines = true;
        s
    }

    /// Whether the splitter is between documents at the start of a line, with nothing
    /// pending: then what follows splits exactly as it would for a new splitter (the
    /// threaded ingest splits line-aligned chunks each with a new one, and checks this).
    pub(crate) fn at_rest(&self) -> bool {
        self.mode == Mode::Idle
            && self.bom == 0
            && !self.pending_break
            && self.fresh_line
            && self.prev == b'\n'
    }

    /// Read `reader` to its end, handing every document (and every error of the stream's
    /// shape) to `each` in order. Only an I/O error stops it; `DocumentSplitter::lines`
    /// then counts the lines read before it.
    pub fn run<R: Read, F: FnMut(Piece<'_>)>(
        &mut self,
        reader: R,
        mut each: F,
    ) -> std::io::Result<()> {
        self.offer_lines = false;
        self.read(reader, &mut |p| {
            each(p);
            false
        })
    }

    /// [`DocumentSplitter::run`], also offering whole lines that open an object
    /// ([`Piece::Line`]): the callback returns whether it took one (for other pieces its
    /// answer is ignored). The documents handed over are the same either way, but a
    /// taken line is not scanned.
    pub(crate) fn run_offering_lines<R: Read, F: FnMut(Piece<'_>) -> bool>(
        &mut self,
        reader: R,
        mut each: F,
    ) -> std::io::Result<()> {
        self.offer_lines = true;
        self.read(reader, &mut each)
    }

    fn read<R: Read>(
        &mut self,
        reader: R,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> std::io::Result<()> {
        let mut r = BufReader::with_capacity(1 << 16, reader);
        loop {
            let chunk = match r.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            self.feed(chunk, each);
            r.consume(n);
        }
        self.finish(each);
        Ok(())
    }

    /// Scan one (non-empty) chunk of the stream. Runs of bytes that cannot change the
    /// state (string contents, values between brackets, other text) are skipped with one
    /// search each. For callers that read the stream themselves (the threaded ingest);
    /// [`DocumentSplitter::finish`] after the last chunk.
    pub(crate) fn feed(&mut self, chunk: &[u8], each: &mut dyn FnMut(Piece<'_>) -> bool) {
        let n = chunk.len();
        // Where the open document's bytes start in this chunk.
        let mut seg = 0;
        let mut i = 0;
        while i < n {
            let b = chunk[i];
            if self.pending_break {
                self.pending_break = false;
                if !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'}' | b']') {
                    // The open document ends before the line break: hand it over incomplete.
                    self.keep(&chunk[seg..i]);
                    self.end_incomplete(each);
                    seg = i;
                }
            }
            i = match self.mode {
                Mode::Idle => self.idle_byte(chunk, i, &mut seg, each),
                Mode::Array => self.array_byte(chunk, i, &mut seg, each),
                Mode::Other => self.other_text(chunk, i, &mut seg, each),
                Mode::Scalar => self.scalar_byte(chunk, i, &mut seg, each),
                Mode::Object | Mode::Element => self.document_run(chunk, i, &mut seg, each),
            };
        }
        if matches!(
            self.mode,
            Mode::Object | Mode::Element | Mode::Other | Mode::Scalar
        ) {
            self.keep(&chunk[seg..]);
        }
        self.prev = chunk[n - 1];
        self.base += n as u64;
    }

    /// Byte `i` between documents: white space, a byte-order mark, or the start of a
    /// document, an array or other text. Returns where to go on.
    fn idle_byte(
        &mut self,
        chunk: &[u8],
        i: usize,
        seg: &mut usize,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> usize {
        let b = chunk[i];
        if self.bom > 0 && b != BOM[self.bom as usize] {
            // Not a byte-order mark after all: other text, from its first byte.
            let matched = u64::from(self.bom);
            self.bom = 0;
            self.start_doc(Mode::Other, i);
            self.doc_start -= matched;
            self.doc_col = self.doc_col.saturating_sub(matched).max(1);
            self.doc.extend_from_slice(&BOM[..matched as usize]);
            *seg = i;
            return i;
        }
        match b {
            b'\n' => self.newline(i),
            b' ' | b'\t' | b'\r' => {}
            0xEF | 0xBB | 0xBF if b == BOM[self.bom as usize] => {
                self.bom = (self.bom + 1) % 3;
            }
            b'{' => {
                if let Some(next) = self.offer_line(chunk, i, each) {
                    return next;
                }
                self.start_doc(Mode::Object, i);
                self.depth = 1;
                *seg = i;
            }
            b'[' => {
                self.fresh_line = false;
                self.mode = Mode::Array;
                self.depth = 1;
                self.arr_line = self.line;
                self.arr_col = self.col_at(i);
                self.elements = 0;
            }
            _ => {
                self.start_doc(Mode::Other, i);
                *seg = i;
            }
        }
        i + 1
    }

    /// Offer the line from byte `i` (a `{`, the first byte of its line but white space) as
    /// a whole document, when lines are offered; where to go on when it was taken.
    fn offer_line(
        &mut self,
        chunk: &[u8],
        i: usize,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> Option<usize> {
        if !(std::mem::take(&mut self.fresh_line) && self.offer_lines) {
            return None;
        }
        let k = memchr(b'\n', &chunk[i..])?;
        let offer = StreamDoc {
            bytes: &chunk[i..i + k],
            line: self.line,
            column: self.col_at(i),
            element: None,
        };
        if k <= self.limit && each(Piece::Line(offer)) {
            self.newline(i + k);
            return Some(i + k + 1);
        }
        None
    }

    /// Byte `i` inside a top-level array, between its elements.
    fn array_byte(
        &mut self,
        chunk: &[u8],
        i: usize,
        seg: &mut usize,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> usize {
        let b = chunk[i];
        match b {
            b'\n' => self.newline(i),
            b' ' | b'\t' | b'\r' | b',' => {}
            b']' => {
                self.mode = Mode::Idle;
                self.depth = 0;
                if self.elements == 0 {
                    each(Piece::Doc(StreamDoc {
                        bytes: b"[]",
                        line: self.arr_line,
                        column: self.arr_col,
                        element: None,
                    }));
                }
            }
            b'{' | b'[' => {
                self.start_doc(Mode::Element, i);
                self.depth = 2;
                *seg = i;
            }
            _ => {
                self.start_doc(Mode::Scalar, i);
                self.in_str = b == b'"';
                *seg = i;
            }
        }
        i + 1
    }

    /// Other text from byte `i`: to the end of its line, handed over as one piece.
    fn other_text(
        &mut self,
        chunk: &[u8],
        i: usize,
        seg: &mut usize,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> usize {
        let Some(k) = memchr(b'\n', &chunk[i..]) else {
            return chunk.len();
        };
        let j = i + k;
        self.keep(&chunk[*seg..j]);
        let cr = self.is_cr_before(chunk, j);
        self.emit(self.pos(j) - self.doc_start - u64::from(cr), each);
        self.newline(j);
        *seg = j + 1;
        j + 1
    }

    /// Byte `i` of a scalar element of a top-level array.
    fn scalar_byte(
        &mut self,
        chunk: &[u8],
        i: usize,
        seg: &mut usize,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> usize {
        let b = chunk[i];
        if self.in_str && b != b'\n' {
            if self.esc {
                self.esc = false;
            } else if b == b'\\' {
                self.esc = true;
            } else if b == b'"' {
                self.in_str = false;
            }
            i + 1
        } else if matches!(b, b',' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
            // The separator (or a line break, which ends a string too) belongs to the
            // array: handed over without it, and read again there.
            self.keep(&chunk[*seg..i]);
            self.emit(self.pos(i) - self.doc_start, each);
            *seg = i;
            i
        } else {
            self.in_str = b == b'"';
            i + 1
        }
    }

    /// An open object or array element from byte `i`: to its end, a line break or the end
    /// of the chunk.
    fn document_run(
        &mut self,
        chunk: &[u8],
        i: usize,
        seg: &mut usize,
        each: &mut dyn FnMut(Piece<'_>) -> bool,
    ) -> usize {
        match self.scan_document(chunk, i) {
            Stop::End => chunk.len(),
            Stop::Closed(j) => {
                self.keep(&chunk[*seg..=j]);
                self.emit(self.pos(j + 1) - self.doc_start, each);
                *seg = j + 1;
                j + 1
            }
            Stop::LineBreak(j) => {
                self.line_break(chunk, j);
                j + 1
            }
        }
    }

    /// Scan an open object or array element from byte `i` of the chunk: to the byte that
    /// closes it, to a line break outside a string or inside one (which breaks the
    /// string), or to the end of the chunk. String contents are skipped with one search
    /// each; this loop runs once per string and bracket, not once per byte.
    fn scan_document(&mut self, chunk: &[u8], mut i: usize) -> Stop {
        let n = chunk.len();
        // The depth at which the document closes: 0 for an object, 1 for an element.
        let closing = u64::from(self.mode != Mode::Object);
        while i < n {
            if self.in_str {
                if self.esc {
                    // An escaped byte; an escaped line break still breaks the string.
                    self.esc = false;
                    if chunk[i] != b'\n' {
                        i += 1;
                        continue;
                    }
                }
                // Most strings are short: a plain loop first, the vector search for the rest.
                let short = chunk[i..(i + 16).min(n)]
                    .iter()
                    .position(|c| matches!(c, b'"' | b'\\' | b'\n'));
                let found = match short {
                    Some(k) => Some(k),
                    None if i + 16 >= n => None,
                    None => memchr3(b'"', b'\\', b'\n', &chunk[i + 16..]).map(|k| k + 16),
                };
                let Some(k) = found else {
                    return Stop::End;
                };
                i += k;
                match chunk[i] {
                    b'"' => self.in_str = false,
                    b'\\' => self.esc = true,
                    _ => {
                        // Strings cannot span lines: this one is broken; the line break
                        // is the document's.
                        self.in_str = false;
                        return Stop::LineBreak(i);
                    }
                }
                i += 1;
                continue;
            }
            match chunk[i] {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == closing {
                        return Stop::Closed(i);
                    }
                }
                b'\n' => return Stop::LineBreak(i),
                _ => {}
            }
            i += 1;
        }
        Stop::End
    }

    /// The stream offset of byte `i` of the current chunk.
    fn pos(&self, i: usize) -> u64 {
        self.base + i as u64
    }

    /// The 1-based column of byte `i` of the current chunk.
    fn col_at(&self, i: usize) -> u64 {
        self.pos(i) - self.line_start + 1
    }

    /// Byte `i` of the current chunk is a line break.
    fn newline(&mut self, i: usize) {
        self.line += 1;
        self.line_start = self.pos(i) + 1;
        self.fresh_line = true;
    }

    /// Whether the byte before byte `j` of the chunk (maybe the previous chunk's last) is `\r`.
    fn is_cr_before(&self, chunk: &[u8], j: usize) -> bool {
        (if j > 0 { chunk[j - 1] } else { self.prev }) == b'\r'
    }

    /// A line break (byte `i`) inside an open document: remember where the document would
    /// end, and decide on the next line's first byte.
    fn line_break(&mut self, chunk: &[u8], i: usize) {
        self.pending_break = true;
        let cr = self.is_cr_before(chunk, i);
        self.cut = self.pos(i) - self.doc_start - u64::from(cr);
        self.newline(i);
    }

    /// Open a document whose first byte is byte `i` of the current chunk.
    fn start_doc(&mut self, mode: Mode, i: usize) {
        self.mode = mode;
        self.fresh_line = false;
        self.doc.clear();
        self.doc_start = self.pos(i);
        self.doc_line = self.line;
        self.doc_col = self.col_at(i);
        self.in_str = false;
        self.esc = false;
    }

    /// Keep `bytes` of the open document, up to one byte more than the limit.
    fn keep(&mut self, bytes: &[u8]) {
        let room = self.limit.saturating_add(1).saturating_sub(self.doc.len());
        self.doc.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// Hand over the open document's first `len` bytes (or its size error) and return to
    /// the enclosing level.
    fn emit(&mut self, len: u64, each: &mut dyn FnMut(Piece<'_>) -> bool) {
        let element = match self.mode {
            Mode::Element | Mode::Scalar => {
                self.elements += 1;
                Some(self.elements - 1)
            }
            _ => None,
        };
        if len > self.limit as u64 {
            let what = if self.mode == Mode::Other {
                "line"
            } else {
                "document"
            };
            let mut e = ParseError::new(
                ParseErrorKind::TooLong,
                self.doc_line,
                element.map_or_else(String::new, |i| format!("[{i}]")),
                format!("{what} is {len} bytes, over the {} byte limit", self.limit),
            );
            e.column = self.doc_col;
            each(Piece::Error(e));
        } else {
            let n = (len as usize).min(self.doc.len());
            each(Piece::Doc(StreamDoc {
                bytes: &self.doc[..n],
                line: self.doc_line,
                column: self.doc_col,
                element,
            }));
        }
        if self.doc.capacity() > 1 << 20 {
            // Do not hold on to the memory of one large document.
            self.doc = Vec::new();
        }
        self.doc.clear();
        self.in_str = false;
        self.esc = false;
        self.pending_break = false;
        (self.mode, self.depth) = match self.mode {
            Mode::Element | Mode::Scalar => (Mode::Array, 1),
            _ => (Mode::Idle, 0),
        };
    }

    /// Hand over the open document as it was before its pending line break, without the
    /// white space (blank lines) before that.
    fn end_incomplete(&mut self, each: &mut dyn FnMut(Piece<'_>) -> bool) {
        let mut len = self.cut;
        if len <= self.limit as u64 {
            let mut n = (len as usize).min(self.doc.len());
            while n > 0 && self.doc[n - 1].is_ascii_whitespace() {
                n -= 1;
            }
            len = n as u64;
        }
        self.emit(len, each);
    }

    /// The end of the input: hand over what is still open.
    /// Hand over what is still open at the end of the stream (after the last
    /// [`DocumentSplitter::feed`]).
    pub(crate) fn finish(&mut self, each: &mut dyn FnMut(Piece<'_>) -> bool) {
        let open = self.base - self.doc_start;
        match self.mode {
            Mode::Idle => {
                if self.bom > 0 {
                    let matched = u64::from(self.bom);
                    self.bom = 0;
                    self.mode = Mode::Other;
                    self.doc.clear();
                    self.doc.extend_from_slice(&BOM[..matched as usize]);
                    self.doc_line = self.line;
                    self.doc_col = (self.base - self.line_start + 1)
                        .saturating_sub(matched)
                        .max(1);
                    self.emit(matched, each);
                }
            }
            Mode::Other | Mode::Scalar => self.emit(open, each),
            Mode::Object | Mode::Element => {
                if self.pending_break {
                    self.end_incomplete(each);
                } else {
                    self.emit(open, each);
                }
            }
            Mode::Array => {}
        }
        if self.mode == Mode::Array {
            let mut e = ParseError::new(
                ParseErrorKind::Truncated,
                self.arr_line,
                "",
                format!(
                    "the JSON array is not closed: the input ends inside it after {} element(s)",
                    self.elements
                ),
            );
            e.column = self.arr_col;
            each(Piece::Error(e));
            self.mode = Mode::Idle;
            self.depth = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the module docs.
    #[test]
    fn the_documented_example_splits_into_four_documents() {
        let input = "{\"a\":1}{\"b\":\n  2}\n[{\"c\":3}, {\"d\":4}]\n";
        let mut found = Vec::new();
        let mut split = DocumentSplitter::new(1 << 20);
        split
            .run(input.as_bytes(), |p| {
                if let Piece::Doc(d) = p {
                    found.push((
                        String::from_utf8_lossy(d.bytes).into_owned(),
                        d.line,
                        d.column,
                        d.element,
                    ));
                }
            })
            .unwrap();
        assert_eq!(
            found,
            vec![
                ("{\"a\":1}".to_string(), 1, 1, None),
                ("{\"b\":\n  2}".to_string(), 1, 8, None),
                ("{\"c\":3}".to_string(), 3, 2, Some(0)),
                ("{\"d\":4}".to_string(), 3, 11, Some(1)),
            ]
        );
        assert_eq!(split.lines(), 3);
    }

    /// (bytes, line, column, element) of every document, and the errors' (kind, line).
    #[allow(clippy::type_complexity)]
    fn split(
        input: &[u8],
        limit: usize,
    ) -> (
        Vec<(String, u64, u64, Option<usize>)>,
        Vec<(ParseErrorKind, u64, String)>,
        u64,
    ) {
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        let mut s = DocumentSplitter::new(limit);
        s.run(input, |p| match p {
            Piece::Doc(d) => docs.push((
                String::from_utf8_lossy(d.bytes).into_owned(),
                d.line,
                d.column,
                d.element,
            )),
            Piece::Error(e) => errors.push((e.kind, e.line, e.message)),
            Piece::Line(_) => unreachable!("run offers no lines"),
        })
        .unwrap();
        (docs, errors, s.lines())
    }

    fn texts(input: &str) -> Vec<String> {
        split(input.as_bytes(), 1 << 20)
            .0
            .into_iter()
            .map(|d| d.0)
            .collect()
    }

    #[test]
    fn jsonl_pretty_and_glued() {
        assert_eq!(texts("{\"a\":1}\n{\"b\":2}\n"), ["{\"a\":1}", "{\"b\":2}"]);
        // Pretty-printed: continuation lines start with spaces or a closing bracket.
        assert_eq!(
            texts("{\n  \"a\": [\n    1\n  ]\n}\n{\"b\":2}"),
            ["{\n  \"a\": [\n    1\n  ]\n}", "{\"b\":2}"]
        );
        // Glued, with and without space; brackets inside strings do not count.
        assert_eq!(
            texts("{\"a\":\"}{\"}{\"b\":\"\\\"}\"} {\"c\":3}"),
            ["{\"a\":\"}{\"}", "{\"b\":\"\\\"}\"}", "{\"c\":3}"]
        );
    }

    #[test]
    fn a_truncated_line_costs_only_itself() {
        let (docs, _, lines) = split(b"{\"a\":1,\n{\"b\":2}\r\n{\"c\":\r\n", 1 << 20);
        let got: Vec<(&str, u64)> = docs.iter().map(|d| (d.0.as_str(), d.1)).collect();
        // Each incomplete document is handed over without its line break.
        assert_eq!(got, [("{\"a\":1,", 1), ("{\"b\":2}", 2), ("{\"c\":", 3)]);
        assert_eq!(lines, 3);
    }

    #[test]
    fn a_line_break_in_a_string_breaks_only_that_string() {
        // The stray quote on line 2 would otherwise invert every string after it.
        let input = "{\n  \"a\": \"x,\n  \"b\": 1\n}\n{\"c\":\"}\"}\n";
        assert_eq!(
            texts(input),
            ["{\n  \"a\": \"x,\n  \"b\": 1\n}", "{\"c\":\"}\"}"]
        );
    }

    #[test]
    fn arrays_stream_element_by_element() {
        let (docs, errors, lines) = split(
            b"[\n  {\"a\":1},\n  {\"b\":\n    2},\n  7, \"s,]\" ,, {\"c\":[3]}\n]\n[]\n[ {\"d\":4}",
            1 << 20,
        );
        let got: Vec<(&str, u64, u64, Option<usize>)> =
            docs.iter().map(|d| (d.0.as_str(), d.1, d.2, d.3)).collect();
        assert_eq!(
            got,
            [
                ("{\"a\":1}", 2, 3, Some(0)),
                ("{\"b\":\n    2}", 3, 3, Some(1)),
                ("7", 5, 3, Some(2)),
                ("\"s,]\"", 5, 6, Some(3)),
                ("{\"c\":[3]}", 5, 15, Some(4)),
                ("[]", 7, 1, None),
                ("{\"d\":4}", 8, 3, Some(0)),
            ]
        );
        // The last array never closes: an error of its own, after its element.
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].0, errors[0].1), (ParseErrorKind::Truncated, 8));
        assert_eq!(lines, 8);
        // Elements one per line, starting with `{`, stay in their array.
        assert_eq!(
            texts("[{\"a\":1},\n{\"b\":2},\n{\"c\":3}]\n"),
            ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]
        );
        // A truncated element costs only itself; the array goes on.
        assert_eq!(
            texts("[{\"a\":1,\n{\"b\":2}]\n"),
            ["{\"a\":1,", "{\"b\":2}"]
        );
    }

    #[test]
    fn other_text_runs_to_the_end_of_its_line() {
        let (docs, _, _) = split(
            b"null\n42 {\"a\":1}\n{\"b\":1} trailing\r\n\xEF\xBB\xBF{\"c\":1}",
            1 << 20,
        );
        let got: Vec<(&str, u64, u64)> = docs.iter().map(|d| (d.0.as_str(), d.1, d.2)).collect();
        assert_eq!(
            got,
            [
                ("null", 1, 1),
                ("42 {\"a\":1}", 2, 1),
                ("{\"b\":1}", 3, 1),
                ("trailing", 3, 9),
                // A byte-order mark between documents is skipped.
                ("{\"c\":1}", 4, 4),
            ]
        );
    }

    #[test]
    fn too_long_documents_are_skipped_to_their_end() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let input = format!(
            "{big}\n{{\"b\":1}}\n[{big},{{\"c\":1}}]\n{}\n",
            "y".repeat(200)
        );
        let (docs, errors, lines) = split(input.as_bytes(), 50);
        let got: Vec<(&str, u64, Option<usize>)> =
            docs.iter().map(|d| (d.0.as_str(), d.1, d.3)).collect();
        assert_eq!(got, [("{\"b\":1}", 2, None), ("{\"c\":1}", 3, Some(1))]);
        assert_eq!(
            errors,
            [
                (
                    ParseErrorKind::TooLong,
                    1,
                    "document is 108 bytes, over the 50 byte limit".into()
                ),
                (
                    ParseErrorKind::TooLong,
                    3,
                    "document is 108 bytes, over the 50 byte limit".into()
                ),
                (
                    ParseErrorKind::TooLong,
                    4,
                    "line is 200 bytes, over the 50 byte limit".into()
                ),
            ]
        );
        assert_eq!(lines, 4);
    }

    #[test]
    fn offered_lines_are_taken_or_split_as_usual() {
        let input: &[u8] = b"{\"a\":1}\n  {\"b\":2}{\"c\":3}\r\nx {\"d\":4}\n{\"e\":\n  5}\n";
        let (plain, _, lines) = split(input, 1 << 20);
        // Declining every offer hands over what `run` does.
        let mut offers = Vec::new();
        let mut docs = Vec::new();
        let mut s = DocumentSplitter::new(1 << 20);
        s.run_offering_lines(input, |p| {
            match p {
                Piece::Line(d) => offers.push((
                    String::from_utf8_lossy(d.bytes).into_owned(),
                    d.line,
                    d.column,
                )),
                Piece::Doc(d) => docs.push((
                    String::from_utf8_lossy(d.bytes).into_owned(),
                    d.line,
                    d.column,
                    d.element,
                )),
                Piece::Error(_) => {}
            }
            false
        })
        .unwrap();
        assert_eq!((docs, s.lines()), (plain, lines));
        // One offer per line whose first byte opens an object, white space aside.
        assert_eq!(
            offers,
            [
                ("{\"a\":1}".to_string(), 1, 1),
                ("{\"b\":2}{\"c\":3}\r".to_string(), 2, 3),
                ("{\"e\":".to_string(), 4, 1),
            ]
        );
        // Taking them skips them whole: only line 3 (other text) and what follows the
        // taken line 4 (a taker must only take a line that is one whole document) remain.
        let mut docs = Vec::new();
        let mut s = DocumentSplitter::new(1 << 20);
        s.run_offering_lines(input, |p| match p {
            Piece::Line(_) => true,
            Piece::Doc(d) => {
                docs.push(String::from_utf8_lossy(d.bytes).into_owned());
                false
            }
            Piece::Error(_) => false,
        })
        .unwrap();
        assert_eq!(docs, ["x {\"d\":4}", "5}"]);
        assert_eq!(s.lines(), 5);
    }

    #[test]
    fn one_pass_however_the_input_is_cut() {
        // The same input read one byte at a time gives the same pieces.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let Some((b, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                out[0] = *b;
                self.0 = rest;
                Ok(1)
            }
        }
        let input: &[u8] = b"\xEF\xBB\xBF{\"a\":\"\\\"}\"}{\n  \"b\": 2\n}\n[\n {\"c\":1}, 5 ]\nxx\n{\"d\":\r\n{\"e\":1}";
        let whole = split(input, 1 << 20);
        let mut docs = Vec::new();
        let mut s = DocumentSplitter::new(1 << 20);
        s.run(Trickle(input), |p| {
            if let Piece::Doc(d) = p {
                docs.push((
                    String::from_utf8_lossy(d.bytes).into_owned(),
                    d.line,
                    d.column,
                    d.element,
                ));
            }
        })
        .unwrap();
        assert_eq!(docs, whole.0);
        assert_eq!(s.lines(), whole.2);
        assert_eq!(docs.len(), 7, "{docs:?}");
    }
}
