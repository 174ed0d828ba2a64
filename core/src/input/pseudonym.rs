//! Pseudonymisation: identifiers replaced by keyed hashes before anything is stored.
//!
//! With `pseudonymise: {"secret_env": "NAME"}` in the config, the engine (built with
//! [`crate::Engine::with_secret`]) passes every parsed input through this step, so the
//! store never holds a phone number, a BSUID, a profile name or a message text.
//!
//! # Rules
//!
//! - **Identifiers.** Every `wa_id` and BSUID becomes `hex(HMAC-SHA256(secret, id))`, 64
//!   lower-case hex digits, computed over the identifier exactly as parsed (a `wa_id` is
//!   its digits). The same person always gets the same pseudonym under one secret, so
//!   reports, linking of a `wa_id` with its BSUID and deduplication work unchanged.
//!   Contacts exports list the pseudonyms.
//! - **Country and market kept.** The country of each identifier (from the number's
//!   calling code, or the BSUID's prefix) is derived *before* hashing and kept beside the
//!   pseudonym, so countries, markets and prices are those of the plain engine.
//! - **Message ids.** WhatsApp message ids (`wamid.…`) are base64 and carry the user's
//!   number, so they are hashed the same way (inbound, outbound, statuses, reply
//!   contexts, clicks): the links between them survive, the numbers do not.
//! - **Names and text dropped.** Profile names are not kept (reports lose nothing but
//!   names). A text message's body is matched against the configured custom source rules
//!   and text-reply events *when it arrives* and only the outcome is kept; flow-reply
//!   bodies (form answers) are dropped. Reports are those of the plain engine.
//! - **What stays plain.** Business numbers and accounts, referral (ad) data including
//!   `ctwa_clid` (the Conversions API needs it), template names, external event ids,
//!   names and values, spend.
//! - **The secret** never enters the config or a snapshot. A snapshot keeps a check value
//!   (an HMAC of a fixed label) so that restoring with another secret is refused
//!   ([`crate::SnapshotError::WrongSecret`]) instead of splitting every person in two.

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

    /// Pseudonymise `events` in place. `text` turns a text body into the token of what
    /// it matched; the country of every identifier hashed is appended to `countries`.
    pub(crate) fn apply(
        &self,
        events: &mut [Event<'_>],
        text: &dyn Fn(&str) -> String,
        countries: &mut Vec<(String, Country)>,
    ) {
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
                    if let Some(t) = m.text.as_mut() {
                        *t = Cow::Owned(text(t));
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
