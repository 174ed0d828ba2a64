#![doc = include_str!("../guide/input/pseudonym.md")]

use super::{Event, UserRef};
use crate::model::ReplyKind;
use crate::model::country::{Country, country_from_bsuid, country_from_number};
use crate::util::digest::HmacKey;
use std::borrow::Cow;

/// Shortest secret accepted, in bytes (HMAC-SHA256 keys below 128 bits are weak).
pub(crate) const MIN_SECRET_BYTES: usize = 16;

/// The keyed hash of identifiers (see the module rules).
#[derive(Clone, Debug)]
pub(crate) struct Pseudonymiser {
    key: HmacKey,
}

impl Pseudonymiser {
    pub(crate) fn new(secret: &[u8]) -> Pseudonymiser {
        Pseudonymiser {
            key: HmacKey::new(secret),
        }
    }

    /// The pseudonym of one identifier.
    pub(crate) fn id(&self, raw: &str) -> String {
        self.key.hex(raw.as_bytes())
    }

    /// The check value a snapshot keeps to recognise its secret.
    pub(crate) fn check_value(&self) -> String {
        self.key.hex(b"convolens pseudonym key check v1")
    }

    fn hash(&self, s: &mut Cow<'_, str>) {
        *s = Cow::Owned(self.id(s));
    }

    fn user(&self, r: &mut UserRef<'_>, countries: &mut Vec<(String, Country)>) {
        if let Some(w) = r.wa_id.as_mut() {
            let country = country_from_number(w);
            self.hash(w);
            if let Some(c) = country {
                countries.push((w.to_string(), c));
            }
        }
        if let Some(b) = r.bsuid.as_mut() {
            let country = country_from_bsuid(b);
            self.hash(b);
            if let Some(c) = country {
                countries.push((b.to_string(), c));
            }
        }
    }

    /// Pseudonymise `events` in place (texts are already replaced by what they matched:
    /// the engine does that for every engine); the country of every identifier hashed is
    /// appended to `countries`.
    pub(crate) fn apply(&self, events: &mut [Event<'_>], countries: &mut Vec<(String, Country)>) {
        for e in events {
            match e {
                Event::Contact(c) => {
                    self.user(&mut c.user, countries);
                    c.name = None;
                }
                Event::Inbound(m) => {
                    self.user(&mut m.from, countries);
                    self.hash(&mut m.id);
                    if let Some(c) = m.context_id.as_mut() {
                        self.hash(c);
                    }
                    if let Some(r) = m.reply.as_mut().filter(|r| r.kind == ReplyKind::Flow) {
                        r.title = None;
                    }
                }
                Event::Status(s) => {
                    self.user(&mut s.recipient, countries);
                    self.hash(&mut s.id);
                }
                Event::Outbound(o) => {
                    self.user(&mut o.to, countries);
                    self.hash(&mut o.id);
                }
                Event::External(x) => self.user(&mut x.contact, countries),
                Event::Close(c) | Event::Reopen(c) => self.user(&mut c.contact, countries),
                Event::Click(c) => self.hash(&mut c.message_id),
                Event::Account(_) | Event::Spend(_) | Event::Ignored(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_hash_with_the_key_and_keep_their_country() {
        let p = Pseudonymiser::new(b"0123456789abcdef");
        let mut r = UserRef::new(
            Some("4915112345678".into()),
            Some("US.13491208655302741918".into()),
        );
        let mut countries = Vec::new();
        p.user(&mut r, &mut countries);
        // HMAC-SHA256(key, "4915112345678"), computed with Python's hmac module:
        // hmac.new(b"0123456789abcdef", b"4915112345678", hashlib.sha256).hexdigest()
        let wa = r.wa_id.as_deref().unwrap();
        assert_eq!(
            wa,
            "c5f78304ad7e7ff948cace6bb84d4afddbb48dd6af4ec7d7adda1785a41e5e31"
        );
        assert_eq!(wa.len(), 64);
        assert_eq!(
            countries,
            vec![
                (wa.to_string(), Country::new("DE").unwrap()),
                (
                    r.bsuid.as_deref().unwrap().to_string(),
                    Country::new("US").unwrap()
                ),
            ]
        );
        assert_ne!(
            Pseudonymiser::new(b"another secret!!").id("4915112345678"),
            wa
        );
    }
}
