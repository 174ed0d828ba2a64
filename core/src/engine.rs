//! The engine: ingestion entry points and reports over the fact store.

use crate::attribution::ContactFilter;
use crate::config::Config;
use crate::error::{ConfigError, Error, ParseError, ReportError, SnapshotError};
use crate::input::stream::{DocumentSplitter, Piece};
use crate::input::{
    Event, ParseOptions, parse_document, parse_stream_doc, recycle, try_parse_whole,
};
use crate::report::{Report, ReportOptions, Table};
use crate::store::{IngestOutcome, InputStats, Store};
use chrono_tz::Tz;
use std::io::Read;

mod privacy;
mod threads;

pub use privacy::ForgetOutcome;

/// The result of ingesting a stream: totals, and every document that failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct StreamOutcome {
    /// Lines read (blank lines included).
    pub lines: u64,
    /// What the good lines did, summed.
    pub outcome: IngestOutcome,
    /// The documents that could not be ingested, in order. The rest of the stream was
    /// ingested.
    pub errors: Vec<ParseError>,
}

/// How many facts an engine holds (see [`Engine::facts`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct FactCounts {
    /// Users (identities linked by wa_id and BSUID count once).
    pub users: usize,
    /// Messages, inbound and outbound, with their statuses.
    pub messages: usize,
    /// External events.
    pub external_events: usize,
}

impl StreamOutcome {
    /// The outcome with its errors numbered from 1 within the batch that began at engine
    /// line `first` ([`Engine::next_line`] before the batch).
    #[must_use]
    pub fn relative_to(mut self, first: u64) -> StreamOutcome {
        for e in &mut self.errors {
            *e = std::mem::take(e).relative_to(first);
        }
        self
    }
}

/// The analytics engine. Feed it webhook payloads and convolens records in any order,
/// as often as they arrive; ask it for reports.
///
/// ```
/// use convolens::{Config, Engine, ReportOptions};
/// let mut engine = Engine::new(Config::default()).unwrap();
/// engine.ingest_str(r#"{"type":"outbound","id":"wamid.1","to":"4915112345678","timestamp":1751400000,"template":"welcome","category":"marketing"}"#).unwrap();
/// let report = engine.report(&ReportOptions::default()).unwrap();
/// assert_eq!(report.input.records["outbound"], 1);
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    config: Config,
    tz: Tz,
    pub(crate) opts: ParseOptions,
    pub(crate) store: Store,
    /// Sealed days and per-user carries, once [`Engine::expire`] ran (analysis state,
    /// kept beside the fact store).
    pub(crate) expired: crate::expiry::Expired,
    days: crate::engagement::DayCache,
    /// Report preparations, newest last (see [`crate::report::prepared`]), kept up to
    /// date with the store's journal; cleared when the state changes in a way the journal
    /// does not follow.
    prepared: Vec<crate::report::Kept>,
    /// Whether input arrived since the store's timelines were last put in order.
    unsorted: bool,
    /// The keyed hash of identifiers, when the config pseudonymises (see
    /// [`crate::input::pseudonym`]).
    pseudo: Option<Box<privacy::Pseudo>>,
    /// The config's source rules and text-reply events, compiled once: a text is matched
    /// when it arrives and the store keeps only what it matched (see [`privacy`]'s
    /// `apply_events`).
    texts: Box<crate::sources::Matchers>,
}

/// How many report preparations (zone, number filter, model) an engine keeps.
const PREPARED_KEPT: usize = 4;

impl Engine {
    /// A new, empty engine. Fails when the config does not validate, or when it asks for
    /// pseudonymisation (which needs its secret: [`Engine::with_secret`]).
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        if let Some(p) = &config.pseudonymise {
            return Err(ConfigError::value(
                "pseudonymise",
                format!(
                    "needs its secret: read the environment variable `{}` and use Engine::with_secret",
                    p.secret_env
                ),
            ));
        }
        Engine::build(config, None)
    }

    /// The engine for `config`, pseudonymising with `secret` when given.
    fn build(config: Config, secret: Option<&[u8]>) -> Result<Engine, ConfigError> {
        config.validate()?;
        if let Some(crate::model::rates::RateCardSpec::Path(p)) = &config.rate_card {
            return Err(ConfigError::value(
                "rate_card",
                format!(
                    "`{p}` is a path; resolve it first with Config::resolve_rate_card (the core does no file I/O)"
                ),
            ));
        }
        let tz = config.tz()?;
        let opts = ParseOptions {
            default_currency: config.record_currency(),
            ..ParseOptions::default()
        };
        Ok(Engine {
            tz,
            opts,
            store: Store::default(),
            expired: crate::expiry::Expired::default(),
            days: crate::engagement::DayCache::default(),
            prepared: Vec::new(),
            unsorted: false,
            pseudo: None,
            texts: Box::new(crate::sources::Matchers::new(
                &config,
                &Store::default(),
                None,
            )),
            config,
        }
        .with_pseudonymiser(secret))
    }

    /// The state is about to change: sort the timelines before the next report. The day
    /// aggregates and report preparations stay: the next report folds again the users the
    /// store's journal names (see [`crate::engagement::DayCache`] and
    /// [`crate::report::Kept`]).
    fn touched(&mut self) {
        self.unsorted = true;
    }

    /// The state changed in a way the store's journal does not follow (indices rewritten,
    /// analysis state replaced): the next report builds everything from scratch.
    fn rewritten(&mut self) {
        self.touched();
        self.prepared.clear();
        self.days.clear();
        self.store.touch_all();
    }

    /// Put the store's timelines in order if input arrived since the last time.
    fn sort(&mut self) {
        if self.unsorted {
            self.store.prepare();
            self.unsorted = false;
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The report time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Ingestion counters over the engine's life: lines, items ingested, duplicates,
    /// ignored items (with reasons) and errors (the `input` section of every report).
    pub fn stats(&self) -> &InputStats {
        &self.store.stats
    }

    /// How many facts the engine holds now (after any [`Engine::expire`]).
    pub fn facts(&self) -> FactCounts {
        FactCounts {
            users: self.store.live_users().count(),
            messages: self.store.msgs.len(),
            external_events: self.store.externals.len(),
        }
    }

    /// Set the longest accepted document, in bytes (default 16 MiB): a JSONL line's document, a
    /// pretty-printed document, one element of a JSON array (the array itself has no
    /// limit: it is read element by element), or a line of other text. A longer one is a
    /// [`crate::ParseErrorKind::TooLong`] error, never read into memory whole. Not part of the
    /// engine's state: a restored engine starts with the default.
    pub fn set_max_document_bytes(&mut self, max: usize) {
        self.opts.max_bytes = max;
    }

    /// The longest accepted document, in bytes (see [`Engine::set_max_document_bytes`]).
    pub fn max_document_bytes(&self) -> usize {
        self.opts.max_bytes
    }

    /// [`Engine::set_max_document_bytes`], under its former name.
    pub fn set_max_line_bytes(&mut self, max: usize) {
        self.set_max_document_bytes(max);
    }

    /// Ingest one document (one JSONL line, a webhook payload, or a JSON array of them).
    /// It counts as the next line of the engine's input (an error names that line; see
    /// [`ParseError::relative_to`] for numbering within a batch).
    pub fn ingest(&mut self, doc: &[u8]) -> Result<IngestOutcome, ParseError> {
        let line = self.next_line();
        self.ingest_at(doc, line, 1)
    }

    /// The engine's input line the next document will be: 1 + the lines read so far.
    /// Take it before a batch to number the batch's errors from 1
    /// ([`StreamOutcome::relative_to`]).
    pub fn next_line(&self) -> u64 {
        self.store.stats.lines + 1
    }

    /// [`Engine::ingest`] for a string.
    pub fn ingest_str(&mut self, doc: &str) -> Result<IngestOutcome, ParseError> {
        self.ingest(doc.as_bytes())
    }

    /// Ingest a document that starts at `line` of some file and spans `lines` lines (used
    /// for pretty-printed `.json` files so errors name the file's line). It counts as
    /// `lines` lines of the engine's input.
    pub fn ingest_at(
        &mut self,
        doc: &[u8],
        line: u64,
        lines: u64,
    ) -> Result<IngestOutcome, ParseError> {
        self.store.stats.lines += lines.max(1);
        self.touched();
        let mut events = Vec::new();
        match parse_document(doc, line, &self.opts, &mut events) {
            Ok(()) => Ok(self.apply_events(&mut events)),
            Err(e) => {
                self.store.stats.errors += 1;
                Err(e)
            }
        }
    }

    /// Apply events already parsed from one document, as [`Engine::ingest`] does after
    /// parsing it (for the scale benchmark, which times the apply apart from the parse).
    pub(crate) fn apply_parsed(
        &mut self,
        mut events: Vec<crate::input::Event<'_>>,
    ) -> IngestOutcome {
        self.store.stats.lines += 1;
        self.touched();
        self.apply_events(&mut events)
    }

    /// Ingest a stream of documents: JSON lines, pretty-printed documents, documents glued
    /// together, and JSON arrays (read element by element), in one linear pass — the
    /// splitting rules are [`crate::input::stream`](crate::guide::input::stream)'s. Each document is parsed once; a bad
    /// one is recorded in the outcome and the stream goes on, so a failed document costs
    /// only itself. Blank lines count as lines and nothing else. Only an I/O error stops it.
    ///
    /// Errors name the engine's input lines; [`StreamOutcome::relative_to`] numbers them
    /// within the stream (what the `report` program, Python and JS show).
    ///
    /// ```
    /// let mut engine = convolens::Engine::new(convolens::Config::default())?;
    /// engine.ingest_str(r#"{"type":"close","contact":"34600111222","timestamp":1751460000}"#)?;
    /// let first = engine.next_line();
    /// let out = engine.ingest_reader("\nnot json\n".as_bytes())?;
    /// assert_eq!(out.errors[0].line, 3); // the engine's third line...
    /// assert_eq!(out.relative_to(first).errors[0].line, 2); // ...the stream's second
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ingest_reader<R: Read>(&mut self, reader: R) -> std::io::Result<StreamOutcome> {
        self.touched();
        let base = self.store.stats.lines;
        let opts = self.opts;
        let mut out = StreamOutcome::default();
        let mut split = DocumentSplitter::new(opts.max_bytes);
        // One event list for every whole line (emptied by each apply).
        let mut spare: Vec<Event<'static>> = Vec::new();
        let result = split.run_offering_lines(reader, |piece| {
            let applied = match piece {
                // A JSONL line is parsed as it is when it is one whole document.
                Piece::Line(d) => {
                    let mut events = recycle(std::mem::take(&mut spare));
                    let parsed = try_parse_whole(d.bytes, base + d.line, &opts, &mut events);
                    let applied = parsed.map(|p| p.map(|()| self.apply_events(&mut events)));
                    spare = recycle(events);
                    match applied {
                        Some(applied) => applied,
                        None => return false,
                    }
                }
                Piece::Doc(d) => parse_stream_doc(&d, base + d.line, &opts)
                    .map(|mut events| self.apply_events(&mut events)),
                Piece::Error(e) => Err(e.at_line_offset(base)),
            };
            match applied {
                Ok(o) => out.outcome.absorb(o),
                Err(e) => {
                    self.store.stats.errors += 1;
                    out.errors.push(e);
                }
            }
            true
        });
        out.lines = split.lines();
        self.store.stats.lines += out.lines;
        result.map(|()| out)
    }

    /// Seal the days that can no longer change and drop the per-user history behind them,
    /// so memory stays flat for a fixed user base (rules and limits in [`crate::expiry`](crate::guide::expiry)).
    /// Call it periodically, e.g. once a day; calling it again before a new day can be
    /// sealed does nothing. Fails when the configured attribution model is data-driven.
    ///
    /// ```
    /// use convolens::{Config, Engine, ReportOptions};
    /// let mut engine = Engine::new(Config::default())?;
    /// let day = 86_400;
    /// let t0 = 1_751_450_000; // 2025-07-02
    /// let hello = |id: &str, ts: i64| format!(r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{
    ///   "metadata":{{"phone_number_id":"1001"}},"contacts":[{{"wa_id":"4915112345678"}}],
    ///   "messages":[{{"from":"4915112345678","id":"{id}","timestamp":"{ts}","type":"text","text":{{"body":"Hi"}}}}]}}}}]}}]}}"#);
    /// engine.ingest_str(&hello("wamid.a", t0))?;
    /// engine.ingest_str(&hello("wamid.b", t0 + 60 * day))?;
    /// let before = engine.report(&ReportOptions::default())?;
    /// let out = engine.expire()?;
    /// // 60 days later, the first message is history: sealed and dropped.
    /// assert_eq!(out.messages, 1);
    /// assert_eq!(engine.facts().messages, 1);
    /// assert_eq!(engine.expired(), Some(&out));
    /// let after = engine.report(&ReportOptions::default())?;
    /// assert_eq!(after.engagement, before.engagement);
    /// // Late input for sealed days is ignored and counted.
    /// engine.ingest_str(&hello("wamid.c", t0 + day))?;
    /// assert_eq!(engine.stats().ignored_reasons["late"], 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expire(&mut self) -> Result<crate::expiry::ExpiryOutcome, ReportError> {
        self.sort();
        let before = self.expired.expiry.as_deref().map(|x| x.until);
        let out = crate::expiry::expire(&mut self.store, &mut self.expired, &self.config, self.tz)?;
        if out.sealed_until != before {
            self.rewritten();
        }
        Ok(out)
    }

    /// What every [`Engine::expire`] so far sealed and dropped: the first day not sealed
    /// (engine time zone) and the users cut and the facts dropped in total. `None` while
    /// nothing is sealed (a restored snapshot keeps it).
    pub fn expired(&self) -> Option<&crate::expiry::ExpiryOutcome> {
        self.expired.expiry.as_deref().map(|x| &x.totals)
    }

    /// The whole state as compact, versioned bytes (see `crate::snapshot`).
    pub fn snapshot(&self) -> Vec<u8> {
        crate::snapshot::encode(&self.config, &self.store, &self.expired, self.key_check())
    }

    /// The pseudonymisation check value snapshots keep, when the engine pseudonymises.
    pub(crate) fn key_check(&self) -> Option<String> {
        self.pseudo.as_ref().map(|p| p.check_value())
    }

    /// An engine from [`Engine::snapshot`] bytes: it answers every query as the original
    /// did and continues ingesting.
    ///
    /// A pseudonymised engine's snapshot needs the secret again:
    /// [`Engine::restore_with_secret`]; here it fails with
    /// [`SnapshotError::NeedsSecret`], which names the environment variable.
    pub fn restore(bytes: &[u8]) -> Result<Engine, SnapshotError> {
        Engine::restore_inner(bytes, None)
    }

    fn restore_inner(bytes: &[u8], secret: Option<&[u8]>) -> Result<Engine, SnapshotError> {
        let (config, store, expired, check) = crate::snapshot::decode(bytes)?;
        if let (Some(p), None) = (&config.pseudonymise, secret) {
            return Err(SnapshotError::NeedsSecret {
                secret_env: p.secret_env.clone(),
            });
        }
        let secret = secret.filter(|_| config.pseudonymise.is_some());
        let mut e = Engine::build(config, secret)
            .map_err(|e| SnapshotError::Corrupt(format!("config: {e}")))?;
        if e.pseudo.as_ref().map(|p| p.check_value()) != check {
            return Err(SnapshotError::WrongSecret(
                "the secret is not the one this snapshot's pseudonyms were made with".into(),
            ));
        }
        e.store = store;
        e.expired = expired;
        e.rewritten();
        Ok(e)
    }

    /// Merge another engine's state into this one, as if its input had been ingested here.
    /// Built for engines fed disjoint sets of users (partitions by user); overlapping
    /// inputs are deduplicated. Both engines must have the same configuration, and neither
    /// may have expired history (monthly billing counts cross users; see
    /// [`crate::expiry`](crate::guide::expiry)).
    pub fn merge(&mut self, other: &Engine) -> Result<(), Error> {
        if self.config != other.config {
            return Err(ConfigError::value(
                "config",
                "engines with different configurations cannot be merged",
            )
            .into());
        }
        if self.pseudo.as_ref().map(|p| p.check_value())
            != other.pseudo.as_ref().map(|p| p.check_value())
        {
            return Err(ConfigError::value(
                "pseudonymise",
                "engines pseudonymised with different secrets cannot be merged",
            )
            .into());
        }
        if self.expired.expiry.is_some() || other.expired.expiry.is_some() {
            return Err(ConfigError::value(
                "config",
                "engines with expired history cannot be merged (merge first, then expire)",
            )
            .into());
        }
        self.store.merge_from(&other.store);
        self.touched();
        Ok(())
    }

    /// The customer service and free entry point windows of user `user` (`wa_id` or BSUID)
    /// with business number `phone` (`phone_number_id`; `None`: any number) at instant `at`
    /// (UTC seconds): can the business send free-form now, until when, and would it be
    /// charged? `open` means free-form *may be sent*; `free` / `charged` say what it would
    /// cost (service messages are charged from 2026-10-01 with the default timeline, outside
    /// a free entry point window). `None` when the user or number was never seen. See
    /// [`crate::billing::windows`](crate::guide::billing::windows).
    ///
    /// ```
    /// let mut engine = convolens::Engine::new(convolens::Config::default()).unwrap();
    /// engine.ingest_str(r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
    ///   "metadata":{"phone_number_id":"1001"},
    ///   "messages":[{"from":"4915112345678","id":"wamid.in1","timestamp":"1751450000","type":"text","text":{"body":"Hi"}}]}}]}]}"#).unwrap();
    /// let w = engine.free_form_window("4915112345678", Some("1001"), 1751450000 + 3600).unwrap();
    /// assert!(w.open);
    /// assert_eq!(w.until, Some(1751450000 + 24 * 3600));
    /// // July 2025: service messages are free.
    /// assert!(w.free && !w.charged);
    /// ```
    pub fn free_form_window(
        &self,
        user: &str,
        phone: Option<&str>,
        at: i64,
    ) -> Option<crate::billing::WindowState> {
        let u = self.user_by_key(user)?;
        let p = match phone {
            Some(p) => Some(self.store.phone_by_id(p)?),
            None => None,
        };
        let timeline = crate::model::pricing::Timeline::from_config(&self.config.pricing_timeline)
            .unwrap_or_default();
        Some(crate::billing::windows::window_state(
            &self.store,
            &timeline,
            self.tz,
            u,
            p,
            at,
        ))
    }

    /// Compute a report.
    pub fn report(&mut self, opts: &ReportOptions) -> Result<Report, ReportError> {
        self.sort();
        let journal = self.store.take_touched();
        for k in &mut self.prepared {
            k.note(journal.as_deref());
        }
        self.days.note(journal.as_deref());
        (self.expired.carries).note(&self.store, journal.as_deref());
        let past = self.expired.past();
        let ctx = crate::scope::context(&self.store, &self.config, self.tz, opts)?;
        if let Some(p) = &past {
            p.check(&ctx, opts)?;
        }
        let days = self
            .days
            .get_watching(&self.store, &ctx, past.map(|p| p.engagement()));
        let found = self.prepared.iter().position(|k| k.prepared().fits(&ctx));
        let i = match found {
            Some(i) if self.prepared[i].refresh(&ctx, past.as_ref()) => i,
            Some(i) => {
                self.prepared[i] = crate::report::Kept::build(&ctx, past.as_ref())?;
                i
            }
            None => {
                if self.prepared.len() >= PREPARED_KEPT {
                    self.prepared.remove(0);
                }
                self.prepared
                    .push(crate::report::Kept::build(&ctx, past.as_ref())?);
                self.prepared.len() - 1
            }
        };
        self.prepared[i].watch(&ctx.range);
        let prep = self.prepared[i].prepared();
        crate::report::build_report(&ctx, opts, days, prep, past.as_ref())
    }

    /// The parts of the newest kept preparation and of the engagement days, and their bytes
    /// (for the memory benchmarks).
    pub(crate) fn prepared_footprint(
        &self,
        live: &dyn Fn() -> isize,
    ) -> Vec<(&'static str, isize)> {
        let mut parts = self
            .prepared
            .last()
            .map(|k| k.footprint(live))
            .unwrap_or_default();
        parts.extend(self.days.footprint(live));
        parts
    }

    /// The contacts filter one name means: an event when a configured messaging event or
    /// some ingested external event has that name, else a source key (how the `report`
    /// program reads `--contacts NAME`).
    pub fn contact_filter(&self, name: &str) -> crate::attribution::ContactFilter {
        crate::attribution::ContactFilter::guess(&self.config, &self.store, name)
    }

    /// Write the users of a source or event as CSV (see `crate::attribution::export_contacts`);
    /// `opts` gives the range, number filter and model. Returns the number of users written.
    pub fn export_contacts<W: std::io::Write>(
        &mut self,
        opts: &ReportOptions,
        filter: &crate::attribution::ContactFilter,
        w: W,
    ) -> Result<usize, ReportError> {
        self.sort();
        let ctx = crate::scope::context(&self.store, &self.config, self.tz, opts)?;
        crate::attribution::export_contacts(&ctx, filter, w)
    }

    /// The row-level tables [`Engine::rows`] knows.
    pub const ROW_TABLES: [&'static str; 3] = ["charges", "conversations", "contacts"];

    /// A row-level table over the range, number and model of `opts`:
    ///
    /// - `charges`: every business message whose billing day is in the range — billable
    ///   or free, with its category, reason, market, conversation and price (columns in
    ///   `billing::rows`);
    /// - `conversations`: every analytic conversation that started in the range, with its
    ///   source, lead flag and the conversions and value the model credits it with
    ///   (`attribution::rows`);
    /// - `contacts`: every user, as [`Engine::export_contacts`] lists them.
    ///
    /// Cells are typed JSON values ([`Table::values`]); [`Table::to_csv`] writes them.
    /// Another name is a [`ReportError`] of kind `option` (option `table`).
    ///
    /// ```
    /// let mut engine = convolens::Engine::new(convolens::Config::default())?;
    /// engine.ingest_str(r#"{"type":"outbound","id":"w1","to":"4915112345678","timestamp":1751450000,"template":"promo","category":"marketing"}"#)?;
    /// let charges = engine.rows("charges", &convolens::ReportOptions::default())?;
    /// assert_eq!(charges.header[0], "message_id");
    /// assert_eq!(charges.values[0][0], "w1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rows(&mut self, table: &str, opts: &ReportOptions) -> Result<Table, ReportError> {
        self.sort();
        let past = self.expired.past();
        let ctx = crate::scope::context(&self.store, &self.config, self.tz, opts)?;
        if let Some(p) = &past {
            p.check(&ctx, opts)?;
        }
        let (header, values): (&[&str], _) = match table {
            "charges" => {
                let (_, charges) =
                    crate::billing::BillingDays::build(&ctx, past.as_ref().map(|p| p.tallies))?;
                let rows = crate::billing::rows::charge_rows(&ctx, &charges);
                (&crate::billing::rows::CHARGE_COLUMNS, rows)
            }
            "conversations" => (
                &crate::attribution::rows::CONVERSATION_COLUMNS,
                crate::attribution::rows::conversation_rows(&ctx)?,
            ),
            "contacts" => return self.contact_rows(opts, &ContactFilter::default()),
            other => {
                return Err(ReportError::Option {
                    option: "table".into(),
                    message: format!(
                        "unknown table `{other}`: use {}",
                        Engine::ROW_TABLES.join(", ")
                    ),
                });
            }
        };
        Ok(Table::of_rows(table, header, values))
    }

    /// The `contacts` table of [`Engine::rows`] for the users `filter` selects: the rows and
    /// columns of [`Engine::export_contacts`], typed (`converted` a boolean, `value` a
    /// float, unknown text null) and without the CSV's formula guard.
    pub fn contact_rows(
        &mut self,
        opts: &ReportOptions,
        filter: &ContactFilter,
    ) -> Result<Table, ReportError> {
        self.sort();
        let ctx = crate::scope::context(&self.store, &self.config, self.tz, opts)?;
        let values = crate::attribution::contact_values(&ctx, filter)?;
        Ok(Table::of_rows(
            "contacts",
            &crate::attribution::CONTACT_COLUMNS,
            values,
        ))
    }
}
