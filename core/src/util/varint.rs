//! LEB128 varints and zigzag signs: the byte packing of the compact zone table
//! (`util::zones`) and of the engagement ledger's held contributions.

/// Appends `v` as a varint: 7 bits per byte, low bits first, the high bit set on every
/// byte but the last.
pub(crate) fn push(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint [`push`] wrote from the front of `bytes`, advancing past it. Bytes that
/// end inside a varint give the bits read so far (never reached for bytes `push` wrote).
pub(crate) fn read(bytes: &mut &[u8]) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some((&b, rest)) = bytes.split_first() {
        *bytes = rest;
        v |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b < 0x80 || shift >= 64 {
            break;
        }
    }
    v
}

/// `v` with its sign in the low bit (0, −1, 1, −2, … → 0, 1, 2, 3, …), so small negative
/// numbers make short varints.
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The number [`zigzag`] encoded.
pub(crate) fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// By hand: 300 = 0b10_0101100 → [0xAC, 0x02]; zigzag −1 → 1, 1 → 2, −2 → 3.
    #[test]
    fn by_hand() {
        let mut out = Vec::new();
        push(&mut out, 300);
        assert_eq!(out, [0xAC, 0x02]);
        assert_eq!([zigzag(0), zigzag(-1), zigzag(1), zigzag(-2)], [0, 1, 2, 3]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::tests::cases::cases(256)))]

        /// Every value reads back, one after another.
        #[test]
        fn reads_back(vs in proptest::collection::vec(any::<i64>(), 0..20)) {
            let mut out = Vec::new();
            for &v in &vs {
                push(&mut out, zigzag(v));
            }
            let mut bytes = &out[..];
            for &v in &vs {
                prop_assert_eq!(unzigzag(read(&mut bytes)), v);
            }
            prop_assert!(bytes.is_empty());
        }
    }
}
