//! 64-bit FNV-1a: tiny, fixed across processes and versions. Used for snapshot checksums,
//! for partitioning users and for the digests of texts the store keeps in their place.

/// The FNV-1a 64-bit hash of `bytes`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_parts(&[bytes])
}

/// The FNV-1a 64-bit hash of the concatenation of `parts`.
pub(crate) fn fnv1a_parts(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The digest the store keeps of an inbound text it does not keep: FNV-1a folded to 32
/// bits, never 0 (0 says "no text"). Two versions of a message whose texts differ have
/// different digests but for a chance of one in four billion. Snapshots hold it (schema
/// 6), so it must not change between versions.
pub(crate) fn text_sum(text: &str) -> u32 {
    let h = fnv1a(text.as_bytes());
    ((h >> 32) as u32 ^ h as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_and_the_text_digest_are_the_published_values() {
        // FNV-1a 64 test vectors (the offset basis for "", "a" from the reference tables).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        // text_sum folds the halves: 0xaf63dc4c ^ 0x8601ec8c = 0x296230c0.
        assert_eq!(text_sum("a"), 0x2962_30c0);
        assert_ne!(text_sum("hello"), text_sum("Hello"));
    }
}
