//! CSV written and read through the `csv` crate: RFC 4180 quoting, CRLF line ends, and a
//! guard against formula injection in spreadsheets.
//!
//! # The formula guard
//!
//! Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@`
//! as a formula (and some strip a leading tab or CR first), so a contact whose profile
//! name is `=HYPERLINK(...)` would become a live link. Every *text* cell that starts with
//! one of `=`, `+`, `-`, `@`, tab or CR is written with a leading `'` (OWASP's advice).
//! Numbers are not text: `-1.5` stays a number.

use std::borrow::Cow;
use std::io::Write;

/// The characters that make a spreadsheet read a text cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell, with a leading `'` when it would start a formula (see the module docs).
pub(crate) fn guard(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A CSV writer: comma separated, fields quoted when RFC 4180 needs it, CRLF line ends.
pub(crate) fn writer<W: Write>(w: W) -> ::csv::Writer<W> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .flexible(true)
        .from_writer(w)
}

/// A CSV reader of `text` with a header, `#` comment lines and rows of any length
/// (a short row's missing cells read as empty).
pub(crate) fn reader(text: &str) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_a_quote_mark_and_nothing_else_changes() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"hi\")",
                "'=HYPERLINK(\"http://x\",\"hi\")",
            ),
            ("+4915112345678", "'+4915112345678"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Ana", "Ana"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guard(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn the_writer_quotes_as_rfc_4180_says_with_crlf() {
        let mut w = writer(Vec::new());
        w.write_record(["Ana", "Silva, Ana", "the \"best\"", "two\nlines", ""])
            .unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "Ana,\"Silva, Ana\",\"the \"\"best\"\"\",\"two\nlines\",\r\n"
        );
    }
}
