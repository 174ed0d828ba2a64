//! Meta's webhook contract: the subscription handshake and the payload signature, and the
//! bearer token of `POST /records`.
//!
//! # Rules
//!
//! - **Handshake.** Meta checks a callback URL with `GET ?hub.mode=subscribe&
//!   hub.verify_token=T&hub.challenge=C`; the answer is `C` when `T` is the configured verify
//!   token, and 403 otherwise ([`verify_subscription`]).
//! - **Signature.** Every `POST` carries `X-Hub-Signature-256: sha256=<hex>`, the
//!   HMAC-SHA256 of the raw body keyed by the app secret. It is checked on the raw bytes,
//!   before anything parses them, and compared in constant time ([`verify`]). The hex
//!   digits may be upper or lower case; anything but `sha256=` and 64 hex digits is
//!   malformed.
//! - **Empty secrets match nothing.** An empty app secret, verify token or records token
//!   rejects every request rather than accepting every request.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The request header that carries the payload signature (HTTP header names are case
/// insensitive; this is the lower-case form).
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Why a payload signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request has no `X-Hub-Signature-256` header.
    #[error("no X-Hub-Signature-256 header")]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("X-Hub-Signature-256 is not `sha256=` and 64 hex digits")]
    Malformed,
    /// The signature does not match the body (wrong secret or altered body).
    #[error("X-Hub-Signature-256 does not match the body")]
    Mismatch,
    /// No app secret is configured, so no signature can be right.
    #[error("no app secret configured")]
    NoSecret,
}

/// Check `header` (the value of `X-Hub-Signature-256`, if present) against the HMAC-SHA256
/// of `body` keyed by `secret`, in constant time.
///
/// ```
/// use convolens_server::signature::{sign, verify, SignatureError};
/// let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
/// let header = sign(b"app-secret", body);
/// assert!(verify(b"app-secret", Some(header.as_bytes()), body).is_ok());
/// assert_eq!(verify(b"other", Some(header.as_bytes()), body), Err(SignatureError::Mismatch));
/// assert_eq!(verify(b"app-secret", None, body), Err(SignatureError::Missing));
/// ```
pub fn verify(secret: &[u8], header: Option<&[u8]>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    if secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let hex = strip_prefix_ignore_case(header.trim_ascii(), b"sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = decode_hex32(hex).ok_or(SignatureError::Malformed)?;
    mac(secret, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The `X-Hub-Signature-256` value Meta would send for `body`: `sha256=` and the lower-case
/// hex HMAC-SHA256 keyed by `secret`. For clients and tests.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let digest = mac(secret, body).finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length (long keys are hashed first), so this cannot fail.
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(body);
    m
}

/// The answer to Meta's subscription handshake: the challenge, when `mode` is `subscribe`
/// and `token` equals the configured `verify_token` (compared in constant time); `None`
/// (answer 403) otherwise.
///
/// ```
/// use convolens_server::signature::verify_subscription;
/// assert_eq!(verify_subscription(Some("subscribe"), Some("tok"), Some("1158201444"), "tok"), Some("1158201444"));
/// assert_eq!(verify_subscription(Some("subscribe"), Some("bad"), Some("1158201444"), "tok"), None);
/// ```
pub fn verify_subscription<'a>(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
    verify_token: &str,
) -> Option<&'a str> {
    let ok = mode == Some("subscribe")
        && !verify_token.is_empty()
        && token.is_some_and(|t| equal(t.as_bytes(), verify_token.as_bytes()));
    if ok { challenge } else { None }
}

/// Whether an `Authorization` header value is `Bearer <token>` for the configured token
/// (the scheme is case insensitive; the token is compared in constant time).
pub fn bearer_ok(header: Option<&[u8]>, token: &str) -> bool {
    let Some(h) = header else { return false };
    let Some(given) = strip_prefix_ignore_case(h.trim_ascii(), b"bearer ") else {
        return false;
    };
    !token.is_empty() && equal(given.trim_ascii(), token.as_bytes())
}

/// Constant-time equality (the length is not secret).
fn equal(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

fn strip_prefix_ignore_case<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

fn decode_hex32(hex: &[u8]) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *o = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HMAC-SHA256("test", key "secret"), as computed by
    /// `printf test | openssl dgst -sha256 -hmac secret`.
    const KNOWN_DIGEST: &str = "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";

    #[test]
    fn sign_matches_a_known_hmac() {
        assert_eq!(sign(b"secret", b"test"), format!("sha256={KNOWN_DIGEST}"));
    }

    #[test]
    fn verify_accepts_upper_case_hex_and_prefix() {
        let h = format!("SHA256={}", KNOWN_DIGEST.to_ascii_uppercase());
        assert_eq!(verify(b"secret", Some(h.as_bytes()), b"test"), Ok(()));
    }

    #[test]
    fn verify_rejects_each_way_of_being_wrong() {
        let good = format!("sha256={KNOWN_DIGEST}");
        let v = |secret: &[u8], h: &str, body: &[u8]| verify(secret, Some(h.as_bytes()), body);
        assert_eq!(v(b"secret", &good, b"tesT"), Err(SignatureError::Mismatch));
        assert_eq!(v(b"secreT", &good, b"test"), Err(SignatureError::Mismatch));
        assert_eq!(v(b"", &good, b"test"), Err(SignatureError::NoSecret));
        assert_eq!(
            v(b"secret", KNOWN_DIGEST, b"test"),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            v(b"secret", &good[..good.len() - 1], b"test"),
            Err(SignatureError::Malformed)
        );
        let non_hex = good.replace('9', "g");
        assert_eq!(
            v(b"secret", &non_hex, b"test"),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            v(b"secret", "sha1=abc", b"test"),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(b"secret", None, b"test"),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn bearer_tokens() {
        assert!(bearer_ok(Some(b"Bearer s3cret"), "s3cret"));
        assert!(bearer_ok(Some(b"bearer  s3cret "), "s3cret"));
        assert!(!bearer_ok(Some(b"Bearer s3cre"), "s3cret"));
        assert!(!bearer_ok(Some(b"Basic s3cret"), "s3cret"));
        assert!(!bearer_ok(None, "s3cret"));
        assert!(!bearer_ok(Some(b"Bearer "), ""));
    }

    #[test]
    fn subscription_needs_mode_token_and_challenge() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("t"), None, "t"),
            None
        );
        assert_eq!(
            verify_subscription(Some("unsubscribe"), Some("t"), Some("c"), "t"),
            None
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), Some(""), Some("c"), ""),
            None
        );
        assert_eq!(verify_subscription(None, Some("t"), Some("c"), "t"), None);
    }
}
