//! SHA-256 and HMAC-SHA256 as lower-case hex: the Custom Audience phone hash and the
//! pseudonyms of [`crate::input::pseudonym`].

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The SHA-256 of `bytes`, as 64 lower-case hex digits.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A keyed HMAC-SHA256, ready to hash many messages with one key. Its `Debug` output
/// never shows the key.
#[derive(Clone)]
pub(crate) struct HmacKey(Hmac<Sha256>);

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

impl HmacKey {
    /// A key from secret bytes (HMAC takes keys of any length).
    pub(crate) fn new(secret: &[u8]) -> HmacKey {
        // `new_from_slice` only fails for fixed-length MACs; HMAC accepts every length.
        HmacKey(Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!()))
    }

    /// HMAC-SHA256 of `msg` under this key, as 64 lower-case hex digits.
    pub(crate) fn hex(&self, msg: &[u8]) -> String {
        let mut m = self.0.clone();
        m.update(msg);
        hex(&m.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_vectors() {
        // FIPS 180-2 appendix B.1 ("abc").
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            HmacKey::new(b"Jefe").hex(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(format!("{:?}", HmacKey::new(b"Jefe")), "HmacKey(..)");
    }
}
