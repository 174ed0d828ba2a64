//! Splitting a byte stream into JSON documents, in one pass over the bytes.
//!
//! [`DocumentSplitter`] reads any [`std::io::Read`] and hands each document it finds to a
//! callback, with the line and column it starts at. It tracks bracket depth, strings and
//! escapes incrementally, byte by byte, so a document is parsed once, when it closes: an
//! input of N bytes costs O(N) whatever its shape (one pretty-printed webhook with 16,000
//! statuses, an object that never closes, glued documents). Memory is bounded by the
//! longest document kept (`max_document_bytes`), not by the input.
//!
//! # Rules
//!
//! - **Documents.** At the top level, `{` starts an object, which ends at its matching `}`.
//!   Documents may be one per line (JSONL), pretty-printed over many lines, or glued
//!   together on one line (`}{`, `} {`), as `jq` and serde_json's `StreamDeserializer`
//!   read them. Blank space between documents, and a UTF-8 byte-order mark, are skipped.
//! - **Arrays.** A top-level `[` is read element by element: each element is its own
//!   document (its errors name the field `[i]`, and the size limit applies to each element,
//!   not to the array). A missing or doubled `,` between elements is tolerated. An empty
//!   array is one document `[]`. An array still open at the end of the input is an error
//!   of its own, after its complete elements were handed over.
//! - **Other text.** Anything else at the top level (`null`, `42`, words) runs to the end
//!   of its line and is handed over as one document, which fails to parse with the JSON
//!   parser's message; a scalar element of an array runs to the next `,`, `]` or space.
//! - **Line breaks inside a document.** A document open at the end of a line continues on
//!   the next line when that line starts with white space, `}` or `]` (pretty-printing),
//!   or when the document is a top-level array between two elements. Otherwise the
//!   document is incomplete: it is handed over without its line break (so it fails as
//!   truncated, on its own line) and the next line starts afresh. So a truncated JSONL line
//!   costs only itself, and a failed document never swallows the documents after it. A
//!   line break inside a string (invalid JSON) ends the string, so one stray quote cannot
//!   turn the rest of the input inside out.
//! - **Limits.** A document (or array element, or line of other text) longer than
//!   `max_document_bytes` is not kept: it is skipped to its end and reported as a
//!   [`ParseErrorKind::TooLong`] error.
//! - **Lines.** Lines are numbered from 1 within the stream; [`DocumentSplitter::lines`]
//!   counts every line read, blank ones and a last line without a line break included.
//!
//! ```
//! use convolens::input::stream::{DocumentSplitter, Piece};
//! let input = "{\"a\":1}{\"b\":\n  2}\n[{\"c\":3}, {\"d\":4}]\n";
//! let mut found = Vec::new();
//! let mut split = DocumentSplitter::new(1 << 20);
//! split
//!     .run(input.as_bytes(), |p| {
//!         if let Piece::Doc(d) = p {
//!             found.push((String::from_utf8_lossy(d.bytes).into_owned(), d.line, d.column, d.element));
//!         }
//!     })
//!     .unwrap();
//! assert_eq!(found, vec![
//!     ("{\"a\":1}".to_string(), 1, 1, None),
//!     ("{\"b\":\n  2}".to_string(), 1, 8, None),
//!     ("{\"c\":3}".to_string(), 3, 2, Some(0)),
//!     ("{\"d\":4}".to_string(), 3, 11, Some(1)),
//! ]);
//! assert_eq!(split.lines(), 3);
//! ```

use crate::error::{ParseError, ParseErrorKind};
use std::io::{BufRead, BufReader, Read};

/// What the splitter hands over.
#[derive(Debug)]
pub enum Piece<'b> {
    /// A document to parse (complete or not: parsing tells).
    Doc(StreamDoc<'b>),
    /// A part of the stream that cannot be a document: one over the size limit, or a
    /// top-level array never closed. Lines are within the stream.
    Error(ParseError),
}

/// One document of a stream, borrowed from the splitter's buffer until the callback returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamDoc<'b> {
    /// The document's bytes (without a line break that ended it early).
    pub bytes: &'b [u8],
    /// The 1-based line of the stream on which it starts.
    pub line: u64,
    /// The 1-based byte column of its first byte on that line.
    pub column: u64,
    /// Its index within a top-level array (counting every element, failed ones too), or
    /// `None` for a top-level document.
    pub element: Option<usize>,
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

/// Splits a byte stream into documents; see the [module docs](self) for the rules.
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
    /// The current document's bytes (while it is not too long).
    doc: Vec<u8>,
    /// Bytes of the current document so far, kept or not.
    doc_len: u64,
    /// Length of the document before the pending line break (and its `\r`).
    cut: u64,
    doc_line: u64,
    doc_col: u64,
    arr_line: u64,
    arr_col: u64,
    elements: usize,
    /// Bytes of a UTF-8 byte-order mark matched so far between documents.
    bom: u8,
    line: u64,
    col: u64,
    prev: u8,
    seen_any: bool,
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
            doc_len: 0,
            cut: 0,
            doc_line: 1,
            doc_col: 1,
            arr_line: 1,
            arr_col: 1,
            elements: 0,
            bom: 0,
            line: 1,
            col: 1,
            prev: b'\n',
            seen_any: false,
        }
    }

    /// Lines read so far: every line break, plus a last line without one.
    pub fn lines(&self) -> u64 {
        if !self.seen_any {
            0
        } else if self.prev == b'\n' {
            self.line - 1
        } else {
            self.line
        }
    }

    /// Read `reader` to its end, handing every document (and every error of the stream's
    /// shape) to `each` in order. Only an I/O error stops it; [`DocumentSplitter::lines`]
    /// then counts the lines read before it.
    pub fn run<R: Read, F: FnMut(Piece<'_>)>(
        &mut self,
        reader: R,
        mut each: F,
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
            self.feed(chunk, &mut each);
            r.consume(n);
        }
        self.finish(&mut each);
        Ok(())
    }

    /// Scan one chunk of the stream.
    fn feed(&mut self, chunk: &[u8], each: &mut dyn FnMut(Piece<'_>)) {
        self.seen_any = true;
        // Where the open document's bytes start in this chunk.
        let mut seg = 0;
        let mut i = 0;
        while i < chunk.len() {
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
            match self.mode {
                Mode::Idle => {
                    if self.bom > 0 && b != BOM[self.bom as usize] {
                        // Not a byte-order mark after all: other text, from its first byte.
                        let matched = self.bom as usize;
                        self.bom = 0;
                        self.start_doc(Mode::Other, self.col - matched as u64);
                        self.doc_len = matched as u64;
                        self.doc.extend_from_slice(&BOM[..matched]);
                        seg = i;
                        continue;
                    }
                    match b {
                        b' ' | b'\t' | b'\r' | b'\n' => {}
                        0xEF | 0xBB | 0xBF if b == BOM[self.bom as usize] => {
                            self.bom = (self.bom + 1) % 3;
                        }
                        b'{' => {
                            self.start_doc(Mode::Object, self.col);
                            self.depth = 1;
                            seg = i;
                        }
                        b'[' => {
                            self.mode = Mode::Array;
                            self.depth = 1;
                            self.arr_line = self.line;
                            self.arr_col = self.col;
                            self.elements = 0;
                        }
                        _ => {
                            self.start_doc(Mode::Other, self.col);
                            seg = i;
                        }
                    }
                }
                Mode::Array => match b {
                    b' ' | b'\t' | b'\r' | b'\n' | b',' => {}
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
                        self.start_doc(Mode::Element, self.col);
                        self.depth = 2;
                        seg = i;
                    }
                    _ => {
                        self.start_doc(Mode::Scalar, self.col);
                        self.in_str = b == b'"';
                        seg = i;
                    }
                },
                Mode::Other => {
                    if b == b'\n' {
                        self.keep(&chunk[seg..i]);
                        self.end_other(each);
                    }
                }
                Mode::Scalar => {
                    if self.in_str {
                        self.string_byte(b);
                    } else if matches!(b, b',' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        self.keep(&chunk[seg..i]);
                        self.end_doc(each);
                        // The separator belongs to the array.
                        continue;
                    } else if b == b'"' {
                        self.in_str = true;
                    }
                }
                Mode::Object | Mode::Element => {
                    if self.in_str {
                        // Skip plain string bytes in one go.
                        let rest = &chunk[i..];
                        let run = rest
                            .iter()
                            .position(|c| matches!(c, b'"' | b'\\' | b'\n'))
                            .unwrap_or(rest.len());
                        if run > 0 && !self.esc {
                            self.advance(&rest[..run]);
                            i += run;
                            continue;
                        }
                        if b == b'\n' {
                            // Strings cannot span lines: this one is broken; the line break
                            // is the document's, as below.
                            self.in_str = false;
                            self.esc = false;
                            self.line_break();
                        } else {
                            self.string_byte(b);
                        }
                    } else {
                        match b {
                            b'"' => self.in_str = true,
                            b'{' | b'[' => self.depth += 1,
                            b'}' | b']' => {
                                self.depth -= 1;
                                let closed = match self.mode {
                                    Mode::Object => self.depth == 0,
                                    _ => self.depth == 1,
                                };
                                if closed {
                                    self.advance(&chunk[i..=i]);
                                    self.keep(&chunk[seg..=i]);
                                    self.end_doc(each);
                                    i += 1;
                                    seg = i;
                                    continue;
                                }
                            }
                            b'\n' => self.line_break(),
                            _ => {}
                        }
                    }
                }
            }
            self.advance(&chunk[i..=i]);
            i += 1;
        }
        if matches!(
            self.mode,
            Mode::Object | Mode::Element | Mode::Other | Mode::Scalar
        ) {
            self.keep(&chunk[seg..]);
        }
    }

    /// Account for bytes scanned: position, and the open document's length.
    fn advance(&mut self, bytes: &[u8]) {
        if matches!(
            self.mode,
            Mode::Object | Mode::Element | Mode::Other | Mode::Scalar
        ) {
            self.doc_len += bytes.len() as u64;
        }
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        if let Some(&last) = bytes.last() {
            self.prev = last;
        }
    }

    /// A byte inside a string (not a line break).
    fn string_byte(&mut self, b: u8) {
        if self.esc {
            self.esc = false;
        } else if b == b'\\' {
            self.esc = true;
        } else if b == b'"' {
            self.in_str = false;
        }
    }

    /// A line break inside an open document: remember where the document would end.
    fn line_break(&mut self) {
        self.pending_break = true;
        self.cut = self.doc_len - u64::from(self.prev == b'\r');
    }

    fn start_doc(&mut self, mode: Mode, col: u64) {
        self.mode = mode;
        self.doc.clear();
        self.doc_len = 0;
        self.doc_line = self.line;
        self.doc_col = col;
        self.in_str = false;
        self.esc = false;
    }

    /// Keep `bytes` of the open document, unless it grew past the limit.
    fn keep(&mut self, bytes: &[u8]) {
        if self.doc_len <= self.limit as u64 {
            self.doc.extend_from_slice(bytes);
        } else if !self.doc.is_empty() {
            self.doc = Vec::new();
        }
    }

    /// Hand over the open document (or its size error) and return to the enclosing level.
    fn emit(&mut self, len: u64, each: &mut dyn FnMut(Piece<'_>)) {
        let element = match self.mode {
            Mode::Element | Mode::Scalar => {
                self.elements += 1;
                Some(self.elements - 1)
            }
            _ => None,
        };
        if self.doc_len > self.limit as u64 {
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
        self.doc.clear();
        self.doc_len = 0;
        self.in_str = false;
        self.esc = false;
        self.pending_break = false;
        (self.mode, self.depth) = match self.mode {
            Mode::Element | Mode::Scalar => (Mode::Array, 1),
            _ => (Mode::Idle, 0),
        };
    }

    fn end_doc(&mut self, each: &mut dyn FnMut(Piece<'_>)) {
        self.emit(self.doc_len, each);
    }

    fn end_other(&mut self, each: &mut dyn FnMut(Piece<'_>)) {
        let len = self.doc_len - u64::from(self.prev == b'\r');
        self.emit(len, each);
    }

    /// Hand over the open document as it was before its pending line break, without the
    /// white space (blank lines) before that.
    fn end_incomplete(&mut self, each: &mut dyn FnMut(Piece<'_>)) {
        let mut n = (self.cut as usize).min(self.doc.len());
        while n > 0 && self.doc[n - 1].is_ascii_whitespace() {
            n -= 1;
        }
        let len = if self.doc_len > self.limit as u64 {
            self.cut
        } else {
            n as u64
        };
        self.emit(len, each);
    }

    /// The end of the input: hand over what is still open.
    fn finish(&mut self, each: &mut dyn FnMut(Piece<'_>)) {
        match self.mode {
            Mode::Idle => {
                if self.bom > 0 {
                    self.start_doc(Mode::Other, self.col - u64::from(self.bom));
                    self.doc.extend_from_slice(&BOM[..self.bom as usize]);
                    self.doc_len = u64::from(self.bom);
                    self.bom = 0;
                    self.end_doc(each);
                }
            }
            Mode::Other | Mode::Scalar => self.end_doc(each),
            Mode::Object | Mode::Element => {
                if self.pending_break {
                    self.end_incomplete(each);
                } else {
                    self.end_doc(each);
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
