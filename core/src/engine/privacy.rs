//! The engine's privacy and Meta entry points: pseudonymisation with a secret, erasure,
//! the Conversions API events and the Custom Audience export. The rules are on the
//! modules that apply them: [`crate::input::pseudonym`], [`crate::store`](crate::guide::store) (`forget`),
//! [`crate::attribution::capi`](crate::guide::attribution::capi).

use super::Engine;
use crate::attribution::ContactFilter;
use crate::attribution::capi::{CapiEvents, CapiOptions};
use crate::config::Config;
use crate::error::{ConfigError, ReportError, SnapshotError};
use crate::input::pseudonym::{MIN_SECRET_BYTES, Pseudonymiser};
use crate::input::{Event, normalise_contact};
use crate::report::ReportOptions;
use crate::store::{Forgotten, IngestOutcome, UserIx};
use std::borrow::Cow;

/// A pseudonymising engine's key.
#[derive(Clone, Debug)]
pub(crate) struct Pseudo {
    key: Pseudonymiser,
}

impl Pseudo {
    /// The check value snapshots keep.
    pub(crate) fn check_value(&self) -> String {
        self.key.check_value()
    }
}

/// What [`Engine::forget`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ForgetOutcome {
    /// Whether the contact was known (nothing is removed otherwise).
    pub found: bool,
    /// What was removed.
    #[serde(flatten)]
    pub removed: Forgotten,
}

impl Engine {
    /// A new, empty engine that pseudonymises with `secret` (the value of the environment
    /// variable the config's `pseudonymise.secret_env` names; the core reads no
    /// environment). Fails when the config does not pseudonymise, or when the secret is
    /// shorter than 16 bytes.
    ///
    /// ```
    /// use convolens::{Config, Engine};
    /// let cfg = Config::from_json(r#"{"pseudonymise": {"secret_env": "CONVOLENS_SECRET"}}"#)?;
    /// assert_eq!(Engine::new(cfg.clone()).unwrap_err().key(), "pseudonymise");
    /// let mut engine = Engine::with_secret(cfg, b"a long random secret")?;
    /// engine.ingest_str(r#"{"type":"close","contact":"34600111222","timestamp":1751460000}"#)?;
    /// assert!(engine.free_form_window("34600111222", None, 1751460000).is_some());
    /// let bytes = engine.snapshot();
    /// assert_eq!(Engine::restore(&bytes).unwrap_err().kind(), "needs_secret");
    /// assert_eq!(Engine::restore_with_secret(&bytes, b"another long secret").unwrap_err().kind(), "wrong_secret");
    /// assert!(Engine::restore_with_secret(&bytes, b"a long random secret").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_secret(config: Config, secret: &[u8]) -> Result<Engine, ConfigError> {
        if config.pseudonymise.is_none() {
            return Err(ConfigError::value(
                "pseudonymise",
                "a secret was given but the config does not pseudonymise",
            ));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::value(
                "pseudonymise.secret_env",
                format!("the secret must be at least {MIN_SECRET_BYTES} bytes"),
            ));
        }
        Engine::build(config, Some(secret))
    }

    /// [`Engine::restore`] for a pseudonymised engine's snapshot, with its secret. A
    /// different secret is [`SnapshotError::WrongSecret`]; for a snapshot that is not
    /// pseudonymised the secret is ignored.
    pub fn restore_with_secret(bytes: &[u8], secret: &[u8]) -> Result<Engine, SnapshotError> {
        Engine::restore_inner(bytes, Some(secret))
    }

    /// Install the pseudonymiser when a secret is given.
    pub(super) fn with_pseudonymiser(mut self, secret: Option<&[u8]>) -> Engine {
        self.pseudo = secret.map(|s| {
            Box::new(Pseudo {
                key: Pseudonymiser::new(s),
            })
        });
        self
    }

    /// Apply parsed events, taking them out of `events` (left empty, its room kept).
    /// Each text is first replaced by what the config's rules matched in it
    /// (`Matchers::text_token`: nothing at all when it matched nothing), with a digest
    /// of it for the store's conflict rule (none in a pseudonymised engine, which keeps
    /// no trace of texts); then identifiers are pseudonymised when the engine does.
    pub(super) fn apply_events(&mut self, events: &mut Vec<Event<'_>>) -> IngestOutcome {
        let digest = self.pseudo.is_none();
        for e in events.iter_mut() {
            if let Event::Inbound(m) = e {
                if let Some(t) = m.text.take() {
                    if digest {
                        m.text_sum = crate::util::hash::text_sum(&t);
                    }
                    m.text = self.texts.text_token(&t).map(Cow::Owned);
                }
            }
        }
        if let Some(p) = &self.pseudo {
            let mut countries = Vec::new();
            p.key.apply(events, &mut countries);
            for (k, c) in countries {
                self.store.extra.note_country(&k, c);
            }
        }
        self.store.apply_all(events, self.expired.floor())
    }

    /// The user a `wa_id` or BSUID names (in a pseudonymised engine: the pseudonym of the
    /// contact as input is normalised, or the pseudonym itself).
    pub(super) fn user_by_key(&self, key: &str) -> Option<UserIx> {
        match &self.pseudo {
            Some(p) => normalise_contact(Cow::Borrowed(key))
                .ok()
                .and_then(|k| self.store.user_by_key(&p.key.id(&k)))
                .or_else(|| self.store.user_by_key(key)),
            None => self.store.user_by_key(key),
        }
    }

    /// Erase a person (GDPR Art. 17, LGPD Art. 18 and similar): their identifiers — the
    /// `wa_id` or BSUID given and every identity linked to it —, profile name, messages,
    /// statuses, external events, closes and clicks leave the engine and every later
    /// snapshot (rules in [`crate::store`](crate::guide::store)'s `forget` and [`crate::expiry`](crate::guide::expiry): sealed days
    /// keep only anonymous counts). Reports afterwards equal those of an engine never fed
    /// the person's facts, apart from the input line counters. Unknown contacts change
    /// nothing (`found` false).
    ///
    /// ```
    /// let mut engine = convolens::Engine::new(convolens::Config::default())?;
    /// engine.ingest_str(r#"{"type":"external_event","id":"o1","contact":"34600111222","name":"purchase","value":10,"timestamp":1751460000}"#)?;
    /// let out = engine.forget("34600111222");
    /// assert!(out.found);
    /// assert_eq!(out.removed.external_events, 1);
    /// assert_eq!(engine.facts().users, 0);
    /// assert!(!engine.forget("34600111222").found);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn forget(&mut self, contact: &str) -> ForgetOutcome {
        let Some(u) = self.user_by_key(contact.trim()) else {
            return ForgetOutcome::default();
        };
        self.sort();
        let expired = self.expired.expiry.is_some();
        let min_ts = self.store.min_ts;
        self.expired.carries.forget(&self.store, u);
        let rep = self.store.find(u);
        let (removed, _) = self.store.forget(rep);
        // The person's slot stays (empty, not live): the next report takes out what they
        // added to the day aggregates and adds nothing back. Other users keep their
        // indices; only message indices move, which the aggregates do not hold.
        self.store.touch(rep);
        if expired {
            // Sealed days start at the old earliest time; reports still cover them.
            self.store.min_ts = min_ts;
        }
        self.touched();
        ForgetOutcome {
            found: true,
            removed,
        }
    }

    /// The events to send to Meta's Conversions API for Business Messaging, in batches,
    /// with what was left out and why, and a cursor for the next call (rules in
    /// [`crate::attribution::capi`](crate::guide::attribution::capi)).
    pub fn capi_events(&mut self, opts: &CapiOptions) -> Result<CapiEvents, ReportError> {
        self.sort();
        let ctx = crate::scope::context(
            &self.store,
            &self.config,
            self.tz,
            &ReportOptions::default(),
        )?;
        crate::attribution::capi::capi_events(&ctx, opts)
    }

    /// Write the users of a source or event as the CSV of a Meta Custom Audience
    /// customer list: a `phone` column of SHA-256 hashes of the normalised numbers (see
    /// [`crate::attribution`](crate::guide::attribution)'s contacts export). Returns (users written, users left out
    /// for having no phone number). A pseudonymised engine keeps no numbers: that is a
    /// [`ReportError`] of kind `unsupported`.
    pub fn export_audience<W: std::io::Write>(
        &mut self,
        opts: &ReportOptions,
        filter: &ContactFilter,
        w: W,
    ) -> Result<(usize, usize), ReportError> {
        self.sort();
        let ctx = crate::scope::context(&self.store, &self.config, self.tz, opts)?;
        crate::attribution::export_audience(&ctx, filter, w)
    }
}
