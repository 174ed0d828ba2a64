//! The field path of a serde_json error, found from where the error is instead of tracked
//! while reading.
//!
//! Error messages name the field they are about (`entry[0].changes[0].value.messages[0].timestamp`),
//! in `serde_path_to_error`'s notation. That crate finds the path by wrapping every
//! `Deserializer`, `MapAccess` and `SeqAccess` of the read, so each type's parser is compiled
//! once more, wrapped: about 30 kB of the gzipped `.wasm` (bindings-wasm/README.md). The
//! path is also a fact about the document alone: serde_json stops at a definite byte
//! (the error's line and column), and the path is the chain of keys and indices whose
//! values contain that byte. [`path_at`] walks the document's structure up to it.
//!
//! Where serde_json stops, and what the path is then (the rules `serde_path_to_error`
//! follows, which [`path_at`] reproduces; the tests compare the two on mutated payloads):
//! - A value of the wrong type, a number out of range: at the end of the value, or (an
//!   object or array where a scalar belongs) at its first byte. The path ends with the
//!   value's key or index.
//! - A value its field's own parser rejects once read (a timestamp out of range, an unknown
//!   currency): at the end of the value, or, when it is the last value of its object, after
//!   that object's `}` (serde_json reads on to the object's end first). The path ends with
//!   the value's key either way.
//! - An unknown or duplicate key, or a key a map's key type rejects: just after the key,
//!   before its `:`. The path ends with the key.
//! - An unknown variant written as an object's only key (`{"video": 1}` for an enum): just
//!   after that key. The path is the enum's field's: a variant name is no segment.
//! - An array where a parser reading any value (`deserialize_any`) wants a scalar: just after
//!   its `[`. The path is the array's field's, with no index.
//! - A missing field or a wrong length: just after the object or array ends. The path is the
//!   object's or array's.
//! - A value no variant of an untagged enum matches: after the value, or after the `}` of
//!   the object it is the last value of. After a `}` followed by `,`, the rejected value is
//!   taken to be that object, not its last value: wrong only for an untagged field that is
//!   the last of an object that is not the last of its own container (no such field in the
//!   input or config formats: their untagged fields sit in top-level objects).
//!
//! Segments are joined by `.` and an index is `[i]` without a dot before it, as
//! `serde_path_to_error::Path` displays them; the document itself is the empty path (which
//! that crate writes `.`).

/// One open container on the way to the error.
enum Frame {
    /// An object and its current key, from the moment the key has been read.
    Object(Option<String>),
    /// An array and the index of its current (or next) element.
    Array(usize),
    /// An array rejected before its first element: the path stops at it.
    Whole,
}

/// The path (see the module doc) of the error serde_json reported at 1-based `line` and
/// `column` (bytes since the line's start) while reading `bytes` as one JSON document, with
/// `message` its text. A position past the end is taken as the end.
pub(crate) fn path_at(bytes: &[u8], line: usize, column: usize, message: &str) -> String {
    // The start of line `line`: past its `line - 1` newlines (the end when there are fewer).
    let start = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(line.saturating_sub(2))
        .map_or(if line > 1 { bytes.len() } else { 0 }, |(i, _)| i + 1);
    let end = start.saturating_add(column).min(bytes.len());
    let mut walk = walk(&bytes[..end]);
    match walk.last {
        // Just after a `}`: a field missing from that object is the object's. Anything else
        // is about the value read last in it, whose error serde_json placed after the `}`
        // it consumed on the way out (the value's own parser rejected it once read) —
        // except an object no variant of an untagged enum matches, when a `,` follows: then
        // serde_json stopped at the rejected object's own end.
        Last::Closed(Frame::Object(Some(key)))
            if !(message.starts_with("missing field")
                || untagged_object(message, &bytes[end..])) =>
        {
            walk.stack.push(Frame::Object(Some(key)));
        }
        // Just after a key: an unknown variant of an enum is the enum's (its name is not a
        // field).
        Last::Key if message.starts_with("unknown variant") => {
            if let Some(Frame::Object(key)) = walk.stack.last_mut() {
                *key = None;
            }
        }
        // Just after `[`: an array rejected as a whole is the array's, unless serde_json
        // stopped at the first element's `{` or `[` (a container where a scalar belongs).
        Last::Open if !matches!(bytes.get(end), Some(b'{' | b'[')) => {
            if let Some(f @ Frame::Array(_)) = walk.stack.last_mut() {
                *f = Frame::Whole;
            }
        }
        _ => {}
    }
    display(&walk.stack)
}

/// Whether an untagged enum matched none of its variants (`message`) with an object that
/// ended just before `rest`, not with the last value in it: `rest` goes on with a `,`.
fn untagged_object(message: &str, rest: &[u8]) -> bool {
    message.starts_with("data did not match any variant")
        && rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b',')
}

/// What the last byte before the position was.
enum Last {
    /// Whitespace only, or a scalar's byte, or `:` / `,`.
    Other,
    /// The end of a key.
    Key,
    /// A `{` or `[`.
    Open,
    /// A `}` or `]`, closing this frame.
    Closed(Frame),
}

/// The containers open at the end of a prefix of a document, outermost first, and what
/// was read last.
struct Walk {
    stack: Vec<Frame>,
    last: Last,
}

/// Walk `bytes`, a prefix of a JSON document, keeping the open containers: strings are
/// skipped whole (escapes included), so their brackets, braces and commas count for nothing.
fn walk(bytes: &[u8]) -> Walk {
    let mut stack: Vec<Frame> = Vec::new();
    let mut last = Last::Other;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !b.is_ascii_whitespace() {
            last = Last::Other;
        }
        match b {
            b'"' => {
                let from = i + 1;
                i = from;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                // A string where a key belongs (in an object, after `{` or `,`) is the key.
                if let Some(Frame::Object(key @ None)) = stack.last_mut() {
                    *key = Some(unescape(&bytes[from..i.min(bytes.len())]));
                    last = Last::Key;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object(key)) => *key = None,
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Whole) | None => {}
            },
            b'{' => {
                stack.push(Frame::Object(None));
                last = Last::Open;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                last = Last::Open;
            }
            b'}' | b']' => {
                if let Some(f) = stack.pop() {
                    last = Last::Closed(f);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Walk { stack, last }
}

/// A key's text as serde reads it: escapes decoded (rare in keys, so only then parsed).
fn unescape(raw: &[u8]) -> String {
    if !raw.contains(&b'\\') {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

/// `serde_path_to_error::Path`'s display of the frames' segments.
fn display(stack: &[Frame]) -> String {
    let mut out = String::new();
    for f in stack {
        match f {
            Frame::Object(Some(key)) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Frame::Object(None) | Frame::Whole => {}
            Frame::Array(n) => {
                out.push('[');
                out.push_str(&n.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::path_at;

    /// The path serde_json's error position leads to, for `T` read from `json`.
    fn path<T: serde::de::DeserializeOwned>(json: &str) -> String {
        let e = serde_json::from_str::<T>(json).err().expect("an error");
        path_at(json.as_bytes(), e.line(), e.column(), &e.to_string())
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
        #[serde(default)]
        name: Option<String>,
    }

    #[test]
    fn a_wrong_value_is_at_its_key_and_index() {
        // `n` of the second item is a string: the path is the value's own.
        assert_eq!(
            path::<Outer>(r#"{"items":[{"n":1},{"n":"x"}]}"#),
            "items[1].n"
        );
        // An object where a number belongs: serde_json stops at its `{`.
        assert_eq!(path::<Outer>(r#"{"items":[{"n":{"a":1}}]}"#), "items[0].n");
        // An array element of the wrong type, on another line.
        assert_eq!(
            path::<Outer>("{\"items\": [\n  {\"n\": 1, \"tags\": [\"a\", 7]}]}"),
            "items[0].tags[1]"
        );
        // A top-level value of the wrong type: the empty path. (An array is read as the
        // struct's fields in order: its first element is `items`.)
        assert_eq!(path::<Outer>(r#""x""#), "");
        assert_eq!(path::<Outer>("[1]"), "[0]");
    }

    #[test]
    fn an_unknown_key_or_missing_field_is_the_objects() {
        // Unknown key `m` in the first item: serde_json stops after the key, which the
        // path names.
        assert_eq!(path::<Outer>(r#"{"items":[{"n":1,"m":2}]}"#), "items[0].m");
        // `n` missing from the second item: serde_json stops after its `}`.
        assert_eq!(
            path::<Outer>(r#"{"items":[{"n":1},{"tags":[]}]}"#),
            "items[1]"
        );
        // `items` missing at the top.
        assert_eq!(path::<Outer>(r#"{"name":"a"}"#), "");
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Text,
        Image,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum NumberOrText {
        Number(u32),
        Text(String),
    }

    /// A number read through `deserialize_any`, as the input's timestamps are: an array is
    /// rejected as soon as serde_json has read its `[`.
    fn any_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
        }
        d.deserialize_any(V)
    }

    /// A number checked once read, outside serde_json's call (as `input::de_ts` checks a
    /// timestamp's range): serde_json places the error after the object's `}` when the
    /// field is the object's last.
    fn positive<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let n = <i64 as serde::Deserialize>::deserialize(d)?;
        if n > 0 {
            Ok(n)
        } else {
            Err(serde::de::Error::custom("not positive"))
        }
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Rec {
        #[serde(default)]
        kind: Option<Kind>,
        #[serde(default, deserialize_with = "positive")]
        p: i64,
        #[serde(default, deserialize_with = "any_number")]
        ts: u64,
        #[serde(default)]
        either: Option<NumberOrText>,
        #[serde(default)]
        inner: Option<Inner>,
    }

    #[test]
    fn errors_serde_json_places_after_the_value_or_its_object() {
        // Checked once read: after the value when another key follows, after the `}` when
        // it is the last; the field either way.
        assert_eq!(path::<Rec>(r#"{"p":-1,"ts":2}"#), "p");
        assert_eq!(path::<Rec>(r#"{"ts":2,"p":-1}"#), "p");
        // A nested object's last field, then: its own key, not the object's.
        assert_eq!(
            path::<Outer>(r#"{"items":[{"n":1,"tags":[1]}]}"#),
            "items[0].tags[0]"
        );
        // A missing field after the `}` is the object's.
        assert_eq!(path::<Rec>(r#"{"inner":{"tags":[]},"p":1}"#), "inner");
        // An unknown variant: the enum's field, whether a string or an object's key.
        assert_eq!(path::<Rec>(r#"{"kind":"video"}"#), "kind");
        assert_eq!(path::<Rec>(r#"{"kind":{"video":1},"p":1}"#), "kind");
        // An array where `deserialize_any` wants a number: rejected at its `[`, the field's.
        assert_eq!(path::<Rec>(r#"{"ts":[1,2],"p":1}"#), "ts");
        assert_eq!(path::<Rec>(r#"{"ts":[],"p":1}"#), "ts");
        // An untagged enum that matches nothing: the whole value, even an object.
        assert_eq!(path::<Rec>(r#"{"either":{"a":1},"p":1}"#), "either");
        assert_eq!(path::<Rec>(r#"{"p":1,"either":{"a":1}}"#), "either");
    }

    #[test]
    fn keys_are_read_as_serde_reads_them() {
        // An escaped key is its decoded text; strings with braces, brackets, commas and
        // quotes inside do not open or close anything.
        assert_eq!(
            path::<Outer>(r#"{"name":"a{[,\"]","it\u0065ms":[{"n":-1}]}"#),
            "items[0].n"
        );
    }
}
