//! Reading a name in any of its spellings without allocating: trimmed, ASCII lower case,
//! and (for multi-word names) `-` and spaces read as `_`, copied into a small buffer on
//! the stack. Parsers then match the normal form once.

/// The longest normal form [`normal`] writes; longer names are no known name.
pub(crate) const MAX: usize = 32;

/// `s` trimmed and in ASCII lower case, with `-` and spaces as `_` when `words`, written
/// into `buf`; `None` when it is longer than [`MAX`] bytes.
pub(crate) fn normal<'b>(s: &str, words: bool, buf: &'b mut [u8; MAX]) -> Option<&'b str> {
    let t = s.trim().as_bytes();
    let out = buf.get_mut(..t.len())?;
    for (o, b) in out.iter_mut().zip(t) {
        *o = match b.to_ascii_lowercase() {
            b'-' | b' ' if words => b'_',
            c => c,
        };
    }
    // Only ASCII bytes were changed, each into ASCII: still UTF-8.
    std::str::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_meet_in_one_normal_form() {
        let mut buf = [0; MAX];
        assert_eq!(
            normal(" Marketing-Lite ", true, &mut buf),
            Some("marketing_lite")
        );
        assert_eq!(
            normal("Group Utility", true, &mut buf),
            Some("group_utility")
        );
        assert_eq!(
            normal("Group Utility", false, &mut buf),
            Some("group utility")
        );
        assert_eq!(normal("BOT", false, &mut buf), Some("bot"));
        assert_eq!(normal("Übung", false, &mut buf), Some("Übung"));
        assert_eq!(normal(&"x".repeat(MAX + 1), true, &mut buf), None);
        assert_eq!(
            normal(&"x".repeat(MAX), true, &mut buf).map(str::len),
            Some(MAX)
        );
    }
}
