#![doc = include_str!("../guide/input/fast.md")]

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Why the fast path gave up: never shown, the document then goes through serde_json,
/// whose error (if any) is the one reported.
#[derive(Debug)]
pub(crate) struct GiveUp;

impl std::fmt::Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fast path gave up")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

pub(crate) type R<T> = Result<T, GiveUp>;

/// Deepest nesting the fast path follows (serde_json stops at 128); deeper gives up.
const MAX_DEPTH: u32 = 100;

/// `T` read from `text` as `serde_json::from_str` would, or `None` when the fast path
/// gives up (on anything it does not read exactly as serde_json does, and on every error).
pub(crate) fn from_str<'de, T: serde::Deserialize<'de>>(text: &'de str) -> Option<T> {
    let mut r = Reader::new(text);
    let v = T::deserialize(&mut r).ok()?;
    r.at_end().then_some(v)
}

/// A cursor over the document's bytes (valid UTF-8: it is a `&str`).
pub(crate) struct Reader<'de> {
    text: &'de str,
    b: &'de [u8],
    pos: usize,
    depth: u32,
}

/// A string as read: borrowed when it has no escapes (serde_json's `visit_borrowed_str`),
/// else decoded (its `visit_str`).
enum Str<'de> {
    Borrowed(&'de str),
    Owned(String),
}

/// A number as serde_json reads it.
enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// The bytes that end a run of plain string content: `"`, `\` and control characters.
const STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The high bit of each byte of the little-endian word `w` that is `"`, `\` or below
/// 0x20, or higher: the lowest set bit is exact (a borrow only runs upward), so
/// `trailing_zeros() / 8` is the index of the first such byte.
#[inline]
fn stop_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let quote = zero(w ^ (ONES * u64::from(b'"')));
    let slash = zero(w ^ (ONES * u64::from(b'\\')));
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    quote | slash | control
}

impl<'de> Reader<'de> {
    /// A reader at the start of `text`.
    pub(crate) fn new(text: &'de str) -> Self {
        Reader {
            text,
            b: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    /// True when only white space is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.b.len()
    }

    /// A string (borrowed when it has no escapes), or `null` as `None`; any other value
    /// gives up (serde_json's `Option<Cow<str>>`).
    #[inline]
    pub(crate) fn opt_str(&mut self) -> R<Option<std::borrow::Cow<'de, str>>> {
        if self.peek()? == b'n' {
            self.eat_literal(b"null")?;
            return Ok(None);
        }
        self.str().map(Some)
    }

    /// A string, borrowed when it has no escapes; any other value gives up.
    #[inline]
    pub(crate) fn str(&mut self) -> R<std::borrow::Cow<'de, str>> {
        Ok(match self.string()? {
            Str::Borrowed(s) => std::borrow::Cow::Borrowed(s),
            Str::Owned(s) => std::borrow::Cow::Owned(s),
        })
    }

    /// `true`, `false`, or `null` as `None`; any other value gives up (serde_json's
    /// `Option<bool>`).
    #[inline]
    pub(crate) fn opt_bool(&mut self) -> R<Option<bool>> {
        match self.peek()? {
            b't' => self.eat_literal(b"true").map(|()| Some(true)),
            b'f' => self.eat_literal(b"false").map(|()| Some(false)),
            b'n' => self.eat_literal(b"null").map(|()| None),
            _ => Err(GiveUp),
        }
    }

    /// A string of one to eighteen ASCII digits and nothing else (how Meta writes
    /// timestamps), consumed, as its value; anything else is left unread (`None`).
    #[inline]
    pub(crate) fn digit_string(&mut self) -> Option<u64> {
        if self.peek().ok()? != b'"' {
            return None;
        }
        let rest = self.b.get(self.pos + 1..)?;
        let n = rest
            .iter()
            .take(19)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || n > 18 || rest.get(n) != Some(&b'"') {
            return None;
        }
        let v = rest[..n]
            .iter()
            .fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
        self.pos += n + 2;
        Some(v)
    }

    /// `null` when it is next (consumed), else nothing.
    #[inline]
    pub(crate) fn null(&mut self) -> R<bool> {
        if self.peek()? == b'n' {
            self.eat_literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Read an object, calling `member` with each key; `member` reads the value. A key
    /// spelled exactly as one of `keys` (the members the caller expects; no escapes) is
    /// taken by comparing it in place, without scanning it as a string first; any other
    /// key is read as a string. `member` sees the same keys either way.
    #[inline]
    pub(crate) fn object_of(
        &mut self,
        keys: &[&'static str],
        mut member: impl FnMut(&mut Self, &str) -> R<()>,
    ) -> R<()> {
        if self.peek()? != b'{' {
            return Err(GiveUp);
        }
        self.enter()?;
        let mut first = true;
        while self.next_entry(b'}', &mut first)? {
            if let Some(key) = self.known_key(keys) {
                self.eat(b':')?;
                member(self, key)?;
            } else {
                let key = self.str()?;
                self.eat(b':')?;
                member(self, &key)?;
            }
        }
        self.leave(b'}')
    }

    /// The key at `self.pos` (after white space), consumed, when it is one of `keys`
    /// written plainly between quotes; else nothing is consumed.
    #[inline]
    fn known_key(&mut self, keys: &[&'static str]) -> Option<&'static str> {
        if self.peek().ok()? != b'"' {
            return None;
        }
        let at = self.pos + 1;
        let rest = self.b.get(at..)?;
        let key = keys.iter().copied().find(|k| {
            let k = k.as_bytes();
            rest.get(k.len()) == Some(&b'"') && rest.iter().zip(k).all(|(a, b)| a == b)
        })?;
        self.pos = at + key.len() + 1;
        Some(key)
    }

    /// Read an array, calling `element` at each element; `element` reads it.
    #[inline]
    pub(crate) fn array(&mut self, mut element: impl FnMut(&mut Self) -> R<()>) -> R<()> {
        if self.peek()? != b'[' {
            return Err(GiveUp);
        }
        self.enter()?;
        let mut first = true;
        while self.next_entry(b']', &mut first)? {
            element(self)?;
        }
        self.leave(b']')
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after white space, not consumed.
    #[inline]
    fn peek(&mut self) -> R<u8> {
        self.skip_ws();
        self.b.get(self.pos).copied().ok_or(GiveUp)
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> R<()> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    fn eat_literal(&mut self, lit: &[u8]) -> R<()> {
        if self.b[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// Past the plain content of a string starting at `self.pos`: to the first `"`, `\`
    /// or control character (eight bytes at a time while none is in sight).
    #[inline]
    fn plain_run(&mut self) {
        let b = self.b;
        let mut i = self.pos;
        while let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let m = stop_mask(w);
            if m != 0 {
                self.pos = i + (m.trailing_zeros() / 8) as usize;
                return;
            }
            i += 8;
        }
        while i < b.len() && !STOP[usize::from(b[i])] {
            i += 1;
        }
        self.pos = i;
    }

    /// Read a string whose opening `"` is at `self.pos`: its span's start and end (the
    /// closing quote) and whether it holds escapes, all of which are checked.
    #[inline]
    fn string_span(&mut self) -> R<(usize, usize, bool)> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.plain_run();
            match self.b.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok((start, self.pos - 1, escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    self.pos = escape_end(self.b, self.pos)?;
                }
                _ => return Err(GiveUp),
            }
        }
    }

    #[inline]
    fn string(&mut self) -> R<Str<'de>> {
        if self.peek()? != b'"' {
            return Err(GiveUp);
        }
        let (start, end, escaped) = self.string_span()?;
        let raw = self.text.get(start..end).ok_or(GiveUp)?;
        if escaped {
            unescape(raw).map(Str::Owned)
        } else {
            Ok(Str::Borrowed(raw))
        }
    }

    #[inline]
    fn number(&mut self) -> R<Num> {
        let start = self.pos;
        let neg = self.b.get(self.pos) == Some(&b'-');
        if neg {
            self.pos += 1;
        }
        let int = self.digits();
        if int == 0 || (int > 1 && self.b[self.pos - int] == b'0') {
            return Err(GiveUp);
        }
        let mut frac = 0;
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            frac = self.digits();
            if frac == 0 {
                return Err(GiveUp);
            }
        }
        let mut exp = None;
        if let Some(b'e' | b'E') = self.b.get(self.pos) {
            self.pos += 1;
            let sign = match self.b.get(self.pos) {
                Some(b'-') => -1,
                Some(b'+') => 1,
                _ => 0,
            };
            self.pos += usize::from(sign != 0);
            let n = self.digits();
            let e = self.b[self.pos - n..self.pos]
                .iter()
                .try_fold(0i32, |a, d| {
                    a.checked_mul(10)?.checked_add(i32::from(d - b'0'))
                });
            exp = Some(if sign < 0 {
                -e.ok_or(GiveUp)?
            } else {
                e.ok_or(GiveUp)?
            });
            if n == 0 {
                return Err(GiveUp);
            }
        }
        let text = &self.b[start..self.pos];
        if frac == 0 && exp.is_none() {
            return integer(neg, &text[usize::from(neg)..]);
        }
        let int_digits = &text[usize::from(neg)..usize::from(neg) + int];
        let frac_digits = &text[text.len().min(usize::from(neg) + int + 1)..][..frac];
        let digits = int_digits.iter().chain(frac_digits).copied();
        let frac = i32::try_from(frac).map_err(|_| GiveUp)?;
        float(
            neg,
            digits,
            exp.unwrap_or(0).checked_sub(frac).ok_or(GiveUp)?,
        )
    }

    #[inline]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.b.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    #[inline]
    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        self.pos += 1;
        Ok(())
    }

    /// Skip one value, checking it as strictly as serde_json's `IgnoredAny` does (or more
    /// strictly: then the caller gives up and serde_json decides).
    pub(crate) fn skip_value(&mut self) -> R<()> {
        match self.peek()? {
            b'"' => self.string_span().map(drop),
            b'{' => {
                self.enter()?;
                let mut first = true;
                while self.next_entry(b'}', &mut first)? {
                    if self.peek()? != b'"' {
                        return Err(GiveUp);
                    }
                    self.string_span()?;
                    self.eat(b':')?;
                    self.skip_value()?;
                }
                self.leave(b'}')
            }
            b'[' => {
                self.enter()?;
                let mut first = true;
                while self.next_entry(b']', &mut first)? {
                    self.skip_value()?;
                }
                self.leave(b']')
            }
            b'-' | b'0'..=b'9' => self.skip_number(),
            b't' => self.eat_literal(b"true"),
            b'f' => self.eat_literal(b"false"),
            b'n' => self.eat_literal(b"null"),
            _ => Err(GiveUp),
        }
    }

    /// Skip a number by the JSON grammar (its value unread, as serde_json ignores it).
    fn skip_number(&mut self) -> R<()> {
        self.pos += usize::from(self.b[self.pos] == b'-');
        let int = self.digits();
        if int == 0 || (int > 1 && self.b[self.pos - int] == b'0') {
            return Err(GiveUp);
        }
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(GiveUp);
            }
        }
        if let Some(b'e' | b'E') = self.b.get(self.pos) {
            self.pos += 1;
            if let Some(b'-' | b'+') = self.b.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(GiveUp);
            }
        }
        Ok(())
    }

    /// Before each element of an array or object: `false` at its closing `close` (left
    /// for [`Reader::leave`]), else past the `,` that must separate it from the one before.
    #[inline]
    fn next_entry(&mut self, close: u8, first: &mut bool) -> R<bool> {
        let b = self.peek()?;
        if b == close {
            return Ok(false);
        }
        if !std::mem::take(first) {
            if b != b',' {
                return Err(GiveUp);
            }
            self.pos += 1;
        }
        Ok(true)
    }

    #[inline]
    fn leave(&mut self, close: u8) -> R<()> {
        self.depth -= 1;
        self.eat(close)
    }

    #[inline]
    fn visit_str<V: Visitor<'de>>(&mut self, v: V) -> R<V::Value> {
        match self.string()? {
            Str::Borrowed(s) => v.visit_borrowed_str(s),
            Str::Owned(s) => v.visit_str(&s),
        }
    }

    #[inline]
    fn visit_number<V: Visitor<'de>>(&mut self, v: V) -> R<V::Value> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => match self.number()? {
                Num::U(n) => v.visit_u64(n),
                Num::I(n) => v.visit_i64(n),
                Num::F(n) => v.visit_f64(n),
            },
            _ => Err(GiveUp),
        }
    }
}

/// Where an escape ends, given the position after its `\`; every escape serde_json
/// rejects, and lone surrogates, give up.
fn escape_end(b: &[u8], at: usize) -> R<usize> {
    match b.get(at) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 1),
        Some(b'u') => {
            let unit = hex4(b, at + 1)?;
            if (0xDC00..0xE000).contains(&unit) {
                return Err(GiveUp);
            }
            if !(0xD800..0xDC00).contains(&unit) {
                return Ok(at + 5);
            }
            if b.get(at + 5..at + 7) != Some(b"\\u") {
                return Err(GiveUp);
            }
            let low = hex4(b, at + 7)?;
            if (0xDC00..0xE000).contains(&low) {
                Ok(at + 11)
            } else {
                Err(GiveUp)
            }
        }
        _ => Err(GiveUp),
    }
}

/// The four hex digits at `at` as a number.
fn hex4(b: &[u8], at: usize) -> R<u32> {
    let digits = b.get(at..at + 4).ok_or(GiveUp)?;
    digits.iter().try_fold(0u32, |a, &d| {
        let v = char::from(d).to_digit(16).ok_or(GiveUp)?;
        Ok(a * 16 + v)
    })
}

/// The text of a string's content whose escapes [`escape_end`] has checked.
fn unescape(raw: &str) -> R<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let b = rest.as_bytes();
        let (c, len) = match b.get(i + 1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            _ => unicode_escape(b, i + 2)?,
        };
        out.push(c);
        rest = rest.get(i + len..).ok_or(GiveUp)?;
    }
    out.push_str(rest);
    Ok(out)
}

/// The character of a checked `\uXXXX` (or surrogate pair) escape whose hex digits start
/// at `at`, and the escape's length.
fn unicode_escape(b: &[u8], at: usize) -> R<(char, usize)> {
    let unit = hex4(b, at)?;
    if (0xD800..0xDC00).contains(&unit) {
        let low = hex4(b, at + 6)?;
        let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        return Ok((char::from_u32(c).ok_or(GiveUp)?, 12));
    }
    Ok((char::from_u32(unit).ok_or(GiveUp)?, 6))
}

/// An integer without fraction or exponent, as serde_json reads it: non-negative as
/// `u64`, negative as `i64`; `-0` as the float `-0.0`. Beyond those ranges serde_json
/// reads a float: give up.
#[inline]
fn integer(neg: bool, digits: &[u8]) -> R<Num> {
    let n = digits.iter().try_fold(0u64, |a, d| {
        a.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let n = n.ok_or(GiveUp)?;
    match (neg, n) {
        (false, n) => Ok(Num::U(n)),
        (true, 0) => Ok(Num::F(-0.0)),
        (true, n) if n <= 1 << 63 => Ok(Num::I((n as i64).wrapping_neg())),
        _ => Err(GiveUp),
    }
}

/// The powers of ten that are exact as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A number with a fraction or exponent, computed as serde_json computes it (without its
/// `float_roundtrip` feature): its digits as a `u64` significand, converted to `f64`, then
/// multiplied or divided once by the power of ten. Given up beyond 19 significant digits or
/// powers beyond 10^22, where serde_json's arithmetic takes other turns.
fn float(neg: bool, digits: impl Iterator<Item = u8>, exp: i32) -> R<Num> {
    let mut digits = digits;
    let sig = digits.try_fold(0u64, |a, d| {
        a.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let pow = POW10.get(exp.unsigned_abs() as usize).ok_or(GiveUp)?;
    let f = sig.ok_or(GiveUp)? as f64;
    let f = if exp >= 0 { f * pow } else { f / pow };
    Ok(Num::F(if neg { -f } else { f }))
}

/// Gives up on whatever serde_json reads in a way this reader does not copy.
macro_rules! give_up {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $name<V: Visitor<'de>>(self, $(_: $arg,)* _: V) -> R<V::Value> {
            Err(GiveUp)
        }
    )*};
}

/// serde_json reads every number the same way whatever the type asked for.
macro_rules! numbers {
    ($($name:ident),*) => {$(
        fn $name<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
            self.visit_number(v)
        }
    )*};
}

impl<'de> Deserializer<'de> for &mut Reader<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.peek()? {
            b'"' => self.visit_str(v),
            b'{' => self.deserialize_map(v),
            b'[' => self.deserialize_seq(v),
            b'-' | b'0'..=b'9' => self.visit_number(v),
            b't' | b'f' => self.deserialize_bool(v),
            b'n' => self.deserialize_unit(v),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        match self.peek()? {
            b't' => self.eat_literal(b"true").and_then(|()| v.visit_bool(true)),
            b'f' => self
                .eat_literal(b"false")
                .and_then(|()| v.visit_bool(false)),
            _ => Err(GiveUp),
        }
    }

    numbers!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64
    );

    give_up!(
        deserialize_i128(),
        deserialize_u128(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_enum(&'static str, &'static [&'static str])
    );

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.visit_str(v)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.visit_str(v)
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.visit_str(v)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        if self.peek()? == b'n' {
            self.eat_literal(b"null")?;
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        if self.peek()? != b'n' {
            return Err(GiveUp);
        }
        self.eat_literal(b"null")?;
        v.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> R<V::Value> {
        self.deserialize_unit(v)
    }

    #[inline]
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, v: V) -> R<V::Value> {
        // serde_json's `RawValue` is a newtype it treats specially.
        if name.starts_with("$serde_json") {
            return Err(GiveUp);
        }
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        if self.peek()? != b'[' {
            return Err(GiveUp);
        }
        self.enter()?;
        let value = v.visit_seq(Elements {
            r: &mut *self,
            first: true,
        })?;
        self.leave(b']')?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> R<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> R<V::Value> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        if self.peek()? != b'{' {
            return Err(GiveUp);
        }
        self.enter()?;
        let value = v.visit_map(Elements {
            r: &mut *self,
            first: true,
        })?;
        self.leave(b'}')?;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> R<V::Value> {
        // serde_json also reads a struct from an array of its fields: give that up.
        self.deserialize_map(v)
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.visit_str(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.skip_value()?;
        v.visit_unit()
    }
}

/// The elements of an array, or the members of an object.
struct Elements<'r, 'de> {
    r: &'r mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = GiveUp;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> R<Option<T::Value>> {
        if !self.r.next_entry(b']', &mut self.first)? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.r).map(Some)
    }
}

impl<'de> MapAccess<'de> for Elements<'_, 'de> {
    type Error = GiveUp;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> R<Option<K::Value>> {
        if !self.r.next_entry(b'}', &mut self.first)? {
            return Ok(None);
        }
        seed.deserialize(Key(&mut *self.r)).map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> R<V::Value> {
        self.r.eat(b':')?;
        seed.deserialize(&mut *self.r)
    }
}

/// An object's key: a string, read as serde_json's key reader does for the requests our
/// types make (a string or an identifier); any other request gives up.
struct Key<'r, 'de>(&'r mut Reader<'de>);

impl<'de> Deserializer<'de> for Key<'_, 'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.0.visit_str(v)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.0.visit_str(v)
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.0.visit_str(v)
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> R<V::Value> {
        self.0.visit_str(v)
    }

    give_up!(
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_unit_struct(&'static str),
        deserialize_newtype_struct(&'static str),
        deserialize_seq(),
        deserialize_tuple(usize),
        deserialize_tuple_struct(&'static str, usize),
        deserialize_map(),
        deserialize_struct(&'static str, &'static [&'static str]),
        deserialize_enum(&'static str, &'static [&'static str]),
        deserialize_ignored_any()
    );
}
