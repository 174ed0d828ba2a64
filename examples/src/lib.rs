//! Shared code for the convolens example programs: a deterministic traffic generator.
//!
//! [`generate`] writes realistic WhatsApp traffic as convolens JSONL — Cloud API webhook
//! payloads (inbound messages with referrals, replies with `context`, statuses with
//! `pricing` objects, retries) interleaved with the host's `outbound`, `external_event`,
//! `spend`, `close` and `click` records — from a seed, so the same parameters always give
//! the same bytes. It streams day by day, so it scales to millions of messages in bounded
//! memory (the state kept is per user plus one day of lines).
//!
//! The mix: users arrive through two Click-to-WhatsApp ads, a Page post, a QR code on a
//! billboard, a wa.me link with prefilled text, or directly; a marketing campaign goes to
//! opted-in users on set days; utility templates follow purchases; authentication codes
//! go out on logins; bots and agents answer; some templates fail; users press quick-reply
//! and list buttons, click URL buttons, buy, come back, and get their support
//! conversations closed by agents. Spend arrives as daily records and as Meta Ads Insights
//! weekly rows.
//!
//! The traffic follows Meta's rules of its dates, so a period past 2026 shows the changes
//! (`gen_data --start 2026-09-01 --days 91`): from 2026-07-01 Meta Business Agent replies
//! answer some returning users (outbound records with `category: meta_business_agent` and,
//! mostly, a `tokens` count; Meta bills them from 2026-08-01); from 2026-10-01 free-form
//! replies and utility templates in the customer service window are billable; and a period
//! reaching 2026-10-01 also draws users from four of the nine markets that became standalone
//! then (Kazakhstan, Bangladesh, Ukraine, Morocco). None of this touches a period that ends
//! before 2026-07-01.
//!
//! The `pricing` and `conversation` objects of the statuses are Meta's, simulated by
//! [`meta`] from the pricing rules (conversation-based before 2025-07-01, per-message from
//! then on, the free entry point, the customer service window, the 2026-10-01 change, Meta
//! Business Agent messages) in the business time zone [`GenConfig::time_zone`]. They are
//! decided when the delivery is written, in time order, so they are an oracle for the
//! engine's billing: the engine's reconciliation against them must find nothing
//! (`examples/tests/meta_oracle.rs`).

pub mod meta;

use meta::{Meta, MetaRules, MetaTally, Sent};

pub mod compressed;
pub mod parquet_export;
pub mod progress;

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Write};

/// Read a JSON configuration file (`None`: the default configuration) and resolve its
/// `rate_card` path, relative to the working directory or else to the file's own
/// directory. The error names the file. Used by the `report` program and the server.
pub fn load_config(path: Option<&str>) -> Result<convolens::Config, String> {
    let Some(path) = path else {
        return Ok(convolens::Config::default());
    };
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read config `{path}`: {e}"))?;
    let mut cfg = convolens::Config::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
    // A relative rate-card path is relative to the config file's folder (the core's rule).
    let dir = std::path::Path::new(path).parent();
    cfg.resolve_rate_card(dir, |p| std::fs::read_to_string(p))
        .map_err(|e| format!("{path}: {e}"))?;
    Ok(cfg)
}

/// The secret of a pseudonymising config: the value of the environment variable its
/// `pseudonymise.secret_env` names (the core reads no environment).
pub fn secret_from_env(name: &str) -> Result<Vec<u8>, String> {
    match std::env::var_os(name) {
        Some(v) if !v.is_empty() => Ok(v.into_encoded_bytes()),
        _ => Err(format!(
            "pseudonymise: the environment variable `{name}` (pseudonymise.secret_env) is not set"
        )),
    }
}

/// A new engine for `config`; a pseudonymising config gets its secret from the
/// environment ([`secret_from_env`]).
pub fn new_engine(config: convolens::Config) -> Result<convolens::Engine, String> {
    match config.pseudonymise.as_ref().map(|p| p.secret_env.clone()) {
        Some(name) => convolens::Engine::with_secret(config, &secret_from_env(&name)?),
        None => convolens::Engine::new(config),
    }
    .map_err(|e| e.to_string())
}

/// An engine from snapshot bytes; a pseudonymised snapshot gets its secret from the
/// environment variable its config names.
pub fn restore_engine(bytes: &[u8]) -> Result<convolens::Engine, String> {
    match convolens::Engine::restore(bytes) {
        Err(convolens::SnapshotError::NeedsSecret { secret_env }) => {
            convolens::Engine::restore_with_secret(bytes, &secret_from_env(&secret_env)?)
                .map_err(|e| e.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    }
}

/// The contacts of a `--forget` file: one `wa_id` or BSUID per line; blank lines and
/// lines starting with `#` are skipped.
pub fn contacts_to_forget(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// A small, fast, deterministic PRNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)`.
    pub fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }

    /// A uniform integer in `[lo, hi)`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo) as u64) as i64
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64) as usize]
    }
}

/// Generator parameters.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// Seed: the same seed gives the same output.
    pub seed: u64,
    /// Number of users who write in over the period (campaign-only contacts come on top,
    /// about a fifth as many).
    pub users: u32,
    /// First day (UTC).
    pub start: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// Probability that a status webhook is delivered twice (a retry).
    pub retry_rate: f64,
    /// The business time zone: it dates Meta's pricing changes (the example config's zone).
    pub time_zone: chrono_tz::Tz,
    /// Whether Meta charges service from 2026-10-01 (free-form messages and utility
    /// templates in the customer service window); the engine's timeline must agree.
    pub service_charged_2026_10: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 42,
            users: 400,
            start: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default(),
            days: 61,
            retry_rate: 0.03,
            time_zone: chrono_tz::Europe::Madrid,
            service_charged_2026_10: true,
        }
    }
}

/// What the generator wrote.
#[derive(Clone, Debug, Default)]
pub struct GenStats {
    /// Lines written.
    pub lines: u64,
    /// Inbound messages.
    pub inbound: u64,
    /// Outbound messages.
    pub outbound: u64,
    /// Status webhooks (retries included).
    pub statuses: u64,
    /// External events.
    pub purchases: u64,
    /// Bytes written.
    pub bytes: u64,
    /// What Meta's simulated `pricing` / `conversation` objects said ([`meta`]).
    pub meta: MetaTally,
}

/// The business numbers: (phone_number_id, display number).
pub const PHONES: [(&str, &str); 2] = [
    ("106540352242922", "15550783881"),
    ("106540352242999", "15550783999"),
];

/// Where a user came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    Ad1,
    Ad2,
    Post,
    Qr,
    WaMe,
    Direct,
}

/// The campaign days (the campaign `summer_sale` goes out on each).
fn campaign_days(start: NaiveDate, days: u32) -> Vec<NaiveDate> {
    [10, 24, 38, 52]
        .iter()
        .filter(|d| **d < days)
        .map(|d| start + chrono::Duration::days(i64::from(*d)))
        .collect()
}

struct User {
    wa_id: String,
    name: String,
    phone: usize,
    entry: Option<Entry>,
    /// Day index on which the user first writes (None: campaign-only contact).
    arrives: Option<u32>,
    /// Chance of coming back on any later day.
    loyalty: f64,
}

/// 2026-07-01T00:00Z: Meta Business Agent launched.
const AGENT_2026_07: i64 = 1_782_864_000;
/// 2026-10-01T00:00Z: service messages and utility templates in the window charged; nine new
/// standalone markets.
const SERVICE_2026_10: i64 = 1_790_812_800;

/// Users from four of the markets that became standalone on 2026-10-01, drawn (besides
/// [`COUNTRIES`]) when the period reaches that day.
const COUNTRIES_2026: [(&str, &str, usize); 4] = [
    ("7701", "KZ", 7),
    ("88017", "BD", 8),
    ("38050", "UA", 7),
    ("2126", "MA", 8),
];

const COUNTRIES: [(&str, &str, usize); 12] = [
    ("49151", "DE", 8),
    ("447", "GB", 9),
    ("919", "IN", 9),
    ("55119", "BR", 8),
    ("1415", "US", 7),
    ("521", "MX", 10),
    ("234803", "NG", 7),
    ("62812", "ID", 8),
    ("2782", "ZA", 7),
    ("346", "ES", 8),
    ("1809", "DO", 7),
    ("3936", "IT", 8),
];

const FIRST: [&str; 16] = [
    "Ana", "Ben", "Chloé", "Dev", "Emeka", "Fatima", "Giulia", "Hugo", "Ines", "Jonas", "Kavya",
    "Luis", "Mia", "Nia", "Omar", "Priya",
];
const LAST: [&str; 8] = [
    "Silva", "Müller", "Patel", "Okafor", "García", "Rossi", "Smith", "Santoso",
];

/// A status of a business message, whose `pricing` / `conversation` objects are decided
/// when its delivery is written.
#[derive(Clone, Debug)]
struct Status {
    phone: usize,
    user: String,
    id: String,
    sent: Sent,
    /// `sent`, `delivered`, `read` or `failed`.
    state: &'static str,
    at: i64,
    /// The status object without Meta's objects.
    object: Value,
}

/// A line to write. User messages and deliveries also drive Meta's simulation.
#[derive(Clone, Debug)]
enum Line {
    Text(String),
    Inbound {
        phone: usize,
        user: String,
        at: i64,
        referral: bool,
        text: String,
    },
    Status(Box<Status>),
}

impl From<String> for Line {
    fn from(s: String) -> Line {
        Line::Text(s)
    }
}

impl Line {
    /// Order within a second: user messages first, then statuses by message id (the order in
    /// which Meta's simulation and the engine take them), then the order of generation.
    fn key(&self) -> (u8, &str) {
        match self {
            Line::Inbound { .. } => (0, ""),
            Line::Status(s) => (1, &s.id),
            Line::Text(_) => (1, ""),
        }
    }
}

/// One day's output lines, ordered by timestamp when written.
struct Day {
    lines: Vec<(i64, u32, Line)>,
    seq: u32,
}

impl Day {
    fn push(&mut self, ts: i64, line: impl Into<Line>) {
        self.seq += 1;
        self.lines.push((ts, self.seq, line.into()));
    }

    fn sort(&mut self) {
        self.lines
            .sort_by(|a, b| (a.0, a.2.key(), a.1).cmp(&(b.0, b.2.key(), b.1)));
    }
}

/// Meta's objects of a message: decided at its delivery, `None` when it failed or Meta sent
/// none.
type Decision = Option<(Value, Option<Value>)>;

/// Writes the lines in time order, running Meta's simulation on the way: a status waits in
/// the queue until its message's delivery (or failure) has been written.
struct Writer {
    meta: Meta,
    decided: HashMap<String, (i64, Decision)>,
    queue: VecDeque<Line>,
}

impl Writer {
    fn take(&mut self, line: Line) {
        match &line {
            Line::Inbound {
                phone,
                user,
                at,
                referral,
                ..
            } => self.meta.inbound(*phone, user, *at, *referral),
            Line::Status(s) if !self.decided.contains_key(&s.id) => match s.state {
                "delivered" => {
                    let d = self.meta.delivered(s.phone, &s.user, s.at, s.sent);
                    self.decided.insert(s.id.clone(), (s.at, d));
                }
                "failed" => {
                    self.decided.insert(s.id.clone(), (s.at, None));
                }
                _ => {}
            },
            Line::Status(_) | Line::Text(_) => {}
        }
        self.queue.push_back(line);
    }

    /// Write the queued lines that can be written (`all`: every line, a status whose
    /// delivery never came without Meta's objects).
    fn flush<W: Write>(&mut self, w: &mut W, stats: &mut GenStats, all: bool) -> io::Result<()> {
        while let Some(line) = self.queue.front() {
            let text = match line {
                Line::Text(t) | Line::Inbound { text: t, .. } => t.clone(),
                Line::Status(s) => {
                    let decision = self.decided.get(&s.id).map(|d| &d.1);
                    if decision.is_none() && s.state == "sent" && !all {
                        break;
                    }
                    let mut o = s.object.clone();
                    if let (Some(Some((pricing, conv))), "sent" | "delivered") = (decision, s.state)
                    {
                        o["pricing"] = pricing.clone();
                        if let Some(c) = conv {
                            o["conversation"] = c.clone();
                        }
                    }
                    webhook(s.phone, &json!({"statuses": [o]}))
                }
            };
            self.queue.pop_front();
            w.write_all(text.as_bytes())?;
            w.write_all(b"\n")?;
            stats.lines += 1;
            stats.bytes += text.len() as u64 + 1;
        }
        Ok(())
    }

    /// Forget the decisions of deliveries before `before` (their retries are long written).
    fn prune(&mut self, before: i64) {
        self.decided.retain(|_, (at, _)| *at >= before);
    }
}

struct Gen<'a> {
    cfg: &'a GenConfig,
    rng: Rng,
    users: Vec<User>,
    /// Lines scheduled for later days, by day index.
    later: BTreeMap<u32, Vec<(i64, Line)>>,
    day0: i64,
    msg_seq: u64,
    stats: GenStats,
}

fn wamid(n: u64, inbound: bool) -> String {
    format!("wamid.{}{:012X}", if inbound { "HBgL" } else { "HBgM" }, n)
}

fn webhook(phone: usize, value: &Value) -> String {
    let (id, display) = PHONES[phone];
    let mut v = value.clone();
    v["messaging_product"] = json!("whatsapp");
    v["metadata"] = json!({"display_phone_number": display, "phone_number_id": id});
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"value": v, "field": "messages"}]}]})
        .to_string()
}

impl Gen<'_> {
    fn next_id(&mut self, inbound: bool) -> String {
        self.msg_seq += 1;
        wamid(self.msg_seq, inbound)
    }

    fn schedule(&mut self, today: &mut Day, day: u32, ts: i64, line: impl Into<Line>) {
        let line = line.into();
        let d = ((ts - self.day0).div_euclid(86_400)) as u32;
        if d <= day {
            today.push(ts, line);
        } else if d < self.cfg.days {
            self.later.entry(d).or_default().push((ts, line));
        }
    }

    /// An inbound message from user `u`.
    fn inbound(&mut self, today: &mut Day, day: u32, u: usize, ts: i64, msg: Value) -> String {
        let id = self.next_id(true);
        let user = &self.users[u];
        let mut m = msg;
        m["from"] = json!(user.wa_id);
        m["id"] = json!(id);
        m["timestamp"] = json!(ts.to_string());
        let referral = matches!(m["referral"]["source_type"].as_str(), Some("ad" | "post"));
        let v = json!({"contacts": [{"profile": {"name": user.name}, "wa_id": user.wa_id}], "messages": [m]});
        let line = Line::Inbound {
            phone: user.phone,
            user: user.wa_id.clone(),
            at: ts,
            referral,
            text: webhook(user.phone, &v),
        };
        self.stats.inbound += 1;
        self.schedule(today, day, ts, line);
        id
    }

    /// A business message to user `u`, its record and its statuses. Returns the id and
    /// whether it was delivered.
    #[allow(clippy::too_many_arguments)]
    fn outbound(
        &mut self,
        today: &mut Day,
        day: u32,
        u: usize,
        ts: i64,
        template: Option<(&str, &str)>,
        author: &str,
        author_id: Option<&str>,
        campaign: Option<&str>,
        buttons: &[(&str, &str)],
    ) -> (String, bool) {
        let id = self.next_id(false);
        let to = self.users[u].wa_id.clone();
        let phone = self.users[u].phone;
        let mut rec = json!({"type": "outbound", "id": id, "phone_number_id": PHONES[phone].0, "to": to, "timestamp": ts, "author": author});
        match template {
            Some((name, cat)) => {
                rec["kind"] = json!("template");
                rec["template"] = json!(name);
                rec["category"] = json!(cat);
            }
            None => rec["kind"] = json!("free_form"),
        }
        if let Some(a) = author_id {
            rec["author_id"] = json!(a);
        }
        if let Some(c) = campaign {
            rec["campaign"] = json!(c);
        }
        if !buttons.is_empty() {
            rec["buttons"] = Value::Array(
                buttons
                    .iter()
                    .map(|(t, x)| json!({"type": t, "text": x}))
                    .collect(),
            );
        }
        self.stats.outbound += 1;
        // The host usually records the message as the API answers; now and then its record
        // lands after the first status (order tolerance).
        let agent = author == "meta_business_agent";
        if agent {
            // Meta's own AI agent: a free-form reply of its own category; the host mostly
            // knows its token count.
            rec["category"] = json!("meta_business_agent");
            if self.rng.chance(0.9) {
                rec["tokens"] = json!(self.rng.range(400, 4_000));
            }
        }
        let rec_ts = if self.rng.chance(0.05) { ts + 3 } else { ts };
        self.schedule(today, day, rec_ts, rec.to_string());
        let fail = template.is_some() && self.rng.chance(0.04);
        let sent = ts + 1;
        let mut statuses = vec![("sent", sent, None)];
        let delivered = sent + self.rng.range(1, 90);
        if fail {
            let code = *self.rng.pick(&[131_049, 131_026, 130_472]);
            statuses.push(("failed", delivered, Some(code)));
        } else {
            statuses.push(("delivered", delivered, None));
            if self.rng.chance(0.7) {
                statuses.push(("read", delivered + self.rng.range(5, 6 * 3600), None));
            }
        }
        let sent_as = match template.map(|t| t.1) {
            _ if agent => Sent::BusinessAgent,
            Some("marketing") => Sent::Template("marketing"),
            Some("utility") => Sent::Template("utility"),
            Some(_) => Sent::Template("authentication"),
            None => Sent::FreeForm,
        };
        for (st, sts, code) in statuses {
            let mut s =
                json!({"id": id, "status": st, "timestamp": sts.to_string(), "recipient_id": to});
            if let Some(code) = code {
                s["errors"] = json!([{"code": code, "title": "Message undeliverable", "message": "Message undeliverable", "error_data": {"details": "Message failed to send"}}]);
            }
            // Meta's `pricing` / `conversation` objects are added when the line is written.
            let line = Line::Status(Box::new(Status {
                phone,
                user: to.clone(),
                id: id.clone(),
                sent: sent_as,
                state: st,
                at: sts,
                object: s,
            }));
            self.stats.statuses += 1;
            if self.rng.chance(self.cfg.retry_rate) {
                self.stats.statuses += 1;
                self.schedule(today, day, sts + 30, line.clone());
            }
            self.schedule(today, day, sts, line);
        }
        (id, !fail)
    }

    fn purchase(&mut self, today: &mut Day, day: u32, u: usize, ts: i64) {
        self.stats.purchases += 1;
        let value = self.rng.range(1_500, 18_000) as f64 / 100.0;
        let n = self.stats.purchases;
        let line = json!({"type": "external_event", "id": format!("order-{n:06}"), "contact": self.users[u].wa_id, "name": "purchase", "value": value, "currency": "EUR", "timestamp": ts}).to_string();
        self.schedule(today, day, ts, line);
        // An order confirmation (utility) follows the purchase.
        let t = ts + self.rng.range(30, 600);
        self.outbound(
            today,
            day,
            u,
            t,
            Some(("order_confirmation", "utility")),
            "api",
            Some("shop"),
            None,
            &[],
        );
    }

    /// A user's first conversation: the opening message and what follows.
    fn first_contact(&mut self, today: &mut Day, day: u32, u: usize, ts: i64) {
        let entry = self.users[u].entry.unwrap_or(Entry::Direct);
        let msg = match entry {
            Entry::Ad1 | Entry::Ad2 | Entry::Post => {
                let (sid, headline, kind) = match entry {
                    Entry::Ad1 => ("120210000000001", "Summer sale: 30% off sandals", "ad"),
                    Entry::Ad2 => ("120210000000002", "New arrivals: trail shoes", "ad"),
                    _ => (
                        "102290129340398_998877",
                        "Our spring collection post",
                        "post",
                    ),
                };
                json!({"type": "text", "text": {"body": "Hi! Is this still available?"},
                       "referral": {"source_url": "https://fb.me/example", "source_id": sid, "source_type": kind,
                                    "headline": headline, "body": "Tap to chat", "media_type": "image",
                                    "image_url": "https://example.invalid/ad.jpg", "ctwa_clid": format!("ARAkx{u:06}")}})
            }
            Entry::Qr => {
                json!({"type": "text", "text": {"body": "Hello! I scanned the billboard code QR-BILLBOARD-A"}})
            }
            Entry::WaMe => {
                json!({"type": "text", "text": {"body": "Hello, I want the summer offer"}})
            }
            Entry::Direct => {
                json!({"type": "text", "text": {"body": *self.rng.pick(&["Hi", "Hello", "Do you ship to my country?", "Where is my order?"])}})
            }
        };
        self.inbound(today, day, u, ts, msg);
        // The bot answers at once with a question and two reply buttons.
        let t1 = ts + self.rng.range(2, 20);
        let (qid, ok) = self.outbound(
            today,
            day,
            u,
            t1,
            None,
            "automation",
            Some("welcome-bot"),
            None,
            &[],
        );
        if ok && self.rng.chance(0.75) {
            let t2 = t1 + self.rng.range(20, 600);
            let pressed = if self.rng.chance(0.6) {
                ("interested", "Yes, show me")
            } else {
                ("later", "Maybe later")
            };
            let msg = json!({"type": "interactive", "context": {"from": PHONES[self.users[u].phone].1, "id": qid},
                             "interactive": {"type": "button_reply", "button_reply": {"id": pressed.0, "title": pressed.1}}});
            self.inbound(today, day, u, t2, msg);
            if pressed.0 == "interested" {
                // An agent takes over.
                let agent = format!("agent-{}", self.rng.range(1, 4));
                let t3 = t2 + self.rng.range(60, 3 * 3600);
                self.outbound(today, day, u, t3, None, "agent", Some(&agent), None, &[]);
                let p = match entry {
                    Entry::Ad1 => 0.45,
                    Entry::Ad2 => 0.35,
                    Entry::Qr | Entry::WaMe => 0.4,
                    Entry::Post => 0.3,
                    Entry::Direct => 0.25,
                };
                if self.rng.chance(p) {
                    let tp = t3 + self.rng.range(600, 3 * 86_400);
                    self.purchase(today, day, u, tp);
                }
                // Agents close most support conversations within a few hours.
                if self.rng.chance(0.8) {
                    let tc = t3 + self.rng.range(600, 8 * 3600);
                    let line = json!({"type": "close", "contact": self.users[u].wa_id, "phone_number_id": PHONES[self.users[u].phone].0, "timestamp": tc, "by": agent}).to_string();
                    self.schedule(today, day, tc, line);
                }
            }
        }
    }

    /// A returning user writes again: a rating list and an occasional login code.
    fn return_visit(&mut self, today: &mut Day, day: u32, u: usize, ts: i64) {
        let body = *self.rng.pick(&[
            "Hi again",
            "Any news?",
            "Thanks!",
            "Is my order on its way?",
        ]);
        self.inbound(
            today,
            day,
            u,
            ts,
            json!({"type": "text", "text": {"body": body}}),
        );
        let t1 = ts + self.rng.range(5, 120);
        let (qid, ok) = self.outbound(
            today,
            day,
            u,
            t1,
            None,
            "automation",
            Some("rating-bot"),
            None,
            &[],
        );
        if ok && self.rng.chance(0.5) {
            let score = *self.rng.pick(&["5", "4", "3", "2"]);
            let msg = json!({"type": "interactive", "context": {"id": qid},
                             "interactive": {"type": "list_reply", "list_reply": {"id": format!("rating_{score}"), "title": format!("{score} stars")}}});
            let t2 = t1 + self.rng.range(10, 900);
            self.inbound(today, day, u, t2, msg);
        }
        // From its launch, Meta's Business Agent answers half the returning users' questions.
        if t1 >= AGENT_2026_07 && self.rng.chance(0.5) {
            let t = t1 + self.rng.range(5, 90);
            self.outbound(
                today,
                day,
                u,
                t,
                None,
                "meta_business_agent",
                Some("meta-business-agent"),
                None,
                &[],
            );
        }
        if self.rng.chance(0.15) {
            let t = ts + self.rng.range(60, 3600);
            self.outbound(
                today,
                day,
                u,
                t,
                Some(("login_code", "authentication")),
                "api",
                Some("auth-service"),
                None,
                &[],
            );
        }
        if self.rng.chance(0.08) {
            let tp = ts + self.rng.range(600, 86_400);
            self.purchase(today, day, u, tp);
        }
    }

    fn campaign(&mut self, today: &mut Day, day: u32) {
        let ts0 = self.day0 + i64::from(day) * 86_400 + 10 * 3600;
        let n = self.users.len();
        for u in 0..n {
            let arrived = self.users[u].arrives.is_none_or(|a| a < day);
            if !arrived || !self.rng.chance(0.6) {
                continue;
            }
            let ts = ts0 + (u as i64 % 1800);
            let (id, ok) = self.outbound(
                today,
                day,
                u,
                ts,
                Some(("summer_sale", "marketing")),
                "campaign",
                Some("growth-team"),
                Some("summer_sale"),
                &[
                    ("quick_reply", "Yes, show me"),
                    ("quick_reply", "Stop promotions"),
                    ("url", "Shop now"),
                ],
            );
            if !ok {
                continue;
            }
            if self.rng.chance(0.18) {
                let t = ts + self.rng.range(120, 5 * 3600);
                let msg = json!({"type": "button", "context": {"from": PHONES[self.users[u].phone].1, "id": id},
                                 "button": {"payload": "interested", "text": "Yes, show me"}});
                self.inbound(today, day, u, t, msg);
                if self.rng.chance(0.35) {
                    let tp = t + self.rng.range(600, 2 * 86_400);
                    self.purchase(today, day, u, tp);
                }
            } else if self.rng.chance(0.03) {
                let t = ts + self.rng.range(120, 5 * 3600);
                let msg = json!({"type": "button", "context": {"id": id}, "button": {"payload": "stop", "text": "Stop promotions"}});
                self.inbound(today, day, u, t, msg);
            }
            if self.rng.chance(0.09) {
                let t = ts + self.rng.range(60, 8 * 3600);
                let line = json!({"type": "click", "message_id": id, "button": "Shop now", "timestamp": t}).to_string();
                self.schedule(today, day, t, line);
                if self.rng.chance(0.2) {
                    let tp = t + self.rng.range(300, 3600);
                    self.purchase(today, day, u, tp);
                }
            }
        }
    }

    fn spend(&mut self, today: &mut Day, day: u32, date: NaiveDate) {
        let ts = self.day0 + i64::from(day) * 86_400 + 23 * 3600;
        // Ad 1: daily manual records; ad 2: weekly Ads Insights rows on Sundays.
        let ad1 = 30.0 + self.rng.range(0, 2000) as f64 / 100.0;
        today.push(ts, json!({"type": "spend", "source": "meta_ad:120210000000001", "date": date.to_string(), "amount": ad1, "currency": "EUR"}).to_string());
        if date.weekday() == chrono::Weekday::Sun {
            let start = date - chrono::Duration::days(6);
            let spend = format!("{:.2}", 120.0 + self.rng.range(0, 6000) as f64 / 100.0);
            today.push(ts, json!({"ad_id": "120210000000002", "ad_name": "Trail shoes – carousel", "campaign_id": "23850000000001", "campaign_name": "Spring", "spend": spend, "account_currency": "EUR", "date_start": start.max(self.cfg.start).to_string(), "date_stop": date.to_string()}).to_string());
        }
        if day == 0 {
            today.push(ts, json!({"type": "spend", "source": "qr:billboard-a", "date": date.to_string(), "amount": 450, "currency": "EUR"}).to_string());
            today.push(ts, json!({"type": "spend", "source": "wame:summer-link", "date": date.to_string(), "amount": 80, "currency": "EUR"}).to_string());
            // The broadcast's cost (list rental, creative): no randomness, so the rest of the
            // data does not change.
            today.push(ts, json!({"type": "spend", "source": "campaign:summer_sale", "date": date.to_string(), "amount": 150, "currency": "EUR"}).to_string());
        }
    }

    /// The lines of day `day` (index from the start), in time order: the ones scheduled
    /// earlier, the campaign if one goes out, first contacts and return visits, spend.
    fn day_lines(&mut self, day: u32, campaigns: &[NaiveDate]) -> Day {
        let date = self.cfg.start + chrono::Duration::days(i64::from(day));
        let mut today = Day {
            lines: Vec::new(),
            seq: 0,
        };
        for (ts, line) in self.later.remove(&day).unwrap_or_default() {
            today.push(ts, line);
        }
        if campaigns.contains(&date) {
            self.campaign(&mut today, day);
        }
        for u in 0..self.users.len() {
            let Some(arrives) = self.users[u].arrives else {
                continue;
            };
            // Daytime-weighted arrival: most messages between 08:00 and 22:00 UTC.
            let ts = self.day0 + i64::from(day) * 86_400 + self.rng.range(8 * 3600, 22 * 3600);
            if arrives == day {
                self.first_contact(&mut today, day, u, ts);
            } else if arrives < day && self.rng.chance(self.users[u].loyalty) {
                self.return_visit(&mut today, day, u, ts);
            }
        }
        self.spend(&mut today, day, date);
        today.sort();
        today
    }
}

/// The markets users are drawn from: a period reaching 2026-10-01 also draws users from
/// the new standalone markets.
fn countries_for(cfg: &GenConfig) -> Vec<(&'static str, &'static str, usize)> {
    let end = cfg.start + chrono::Duration::days(i64::from(cfg.days));
    if end
        .and_hms_opt(0, 0, 0)
        .is_some_and(|t| t.and_utc().timestamp() > SERVICE_2026_10)
    {
        COUNTRIES.iter().chain(&COUNTRIES_2026).copied().collect()
    } else {
        COUNTRIES.to_vec()
    }
}

/// Draw the population: `cfg.users` users who write in (each with an entry point and an
/// arrival day) and a fifth as many campaign-only contacts.
fn draw_users(cfg: &GenConfig, rng: &mut Rng) -> Vec<User> {
    let countries = countries_for(cfg);
    let total = cfg.users + cfg.users / 5;
    let mut users = Vec::new();
    for i in 0..total {
        let (prefix, _cc, digits) = *rng.pick(&countries);
        let mut wa = prefix.to_string();
        for _ in 0..digits {
            wa.push(char::from(b'0' + rng.range(0, 10) as u8));
        }
        let campaign_only = i >= cfg.users;
        let entry = if campaign_only {
            None
        } else {
            let r = rng.f();
            Some(match r {
                r if r < 0.28 => Entry::Ad1,
                r if r < 0.43 => Entry::Ad2,
                r if r < 0.48 => Entry::Post,
                r if r < 0.63 => Entry::Qr,
                r if r < 0.73 => Entry::WaMe,
                _ => Entry::Direct,
            })
        };
        users.push(User {
            wa_id: wa,
            name: format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST)),
            phone: usize::from(rng.chance(0.15)),
            entry,
            arrives: (!campaign_only).then(|| rng.range(0, i64::from(cfg.days.max(1))) as u32),
            loyalty: rng.f() * 0.12,
        });
    }
    users
}

/// Write generated traffic to `w` as JSON lines. Deterministic for a given `cfg`.
pub fn generate<W: Write>(cfg: &GenConfig, mut w: W) -> io::Result<GenStats> {
    let mut rng = Rng::new(cfg.seed);
    let users = draw_users(cfg, &mut rng);
    let day0 = cfg
        .start
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp());
    let mut g = Gen {
        cfg,
        rng,
        users,
        later: BTreeMap::new(),
        day0,
        msg_seq: 0,
        stats: GenStats::default(),
    };
    let campaigns = campaign_days(cfg.start, cfg.days);
    let mut out = Writer {
        meta: Meta::new(MetaRules {
            tz: cfg.time_zone,
            service_charged_2026_10: cfg.service_charged_2026_10,
        }),
        decided: HashMap::new(),
        queue: VecDeque::new(),
    };
    for day in 0..cfg.days {
        for (_, _, line) in g.day_lines(day, &campaigns).lines {
            out.take(line);
            out.flush(&mut w, &mut g.stats, false)?;
        }
        out.prune(day0 + i64::from(day) * 86_400 - 3600);
    }
    out.flush(&mut w, &mut g.stats, true)?;
    w.flush()?;
    g.stats.meta = out.meta.tally;
    Ok(g.stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic() {
        let cfg = GenConfig {
            users: 30,
            days: 20,
            ..GenConfig::default()
        };
        let mut a = Vec::new();
        let mut b = Vec::new();
        generate(&cfg, &mut a).unwrap();
        generate(&cfg, &mut b).unwrap();
        assert_eq!(a, b);
        let other = GenConfig { seed: 7, ..cfg };
        let mut c = Vec::new();
        generate(&other, &mut c).unwrap();
        assert_ne!(a, c);
    }

    /// The example config with its rate card read from `examples/data`.
    fn example_engine() -> convolens::Engine {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
        let text = std::fs::read_to_string(format!("{dir}/config.json")).unwrap();
        let mut cfg = convolens::Config::from_json(&text).unwrap();
        cfg.resolve_rate_card(Some(std::path::Path::new(dir)), |p| {
            std::fs::read_to_string(p)
        })
        .unwrap();
        convolens::Engine::new(cfg).unwrap()
    }

    fn report(e: &mut convolens::Engine, from: &str, to: &str) -> convolens::Report {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        e.report(
            &convolens::ReportOptions::default()
                .start(d(from))
                .end(d(to)),
        )
        .unwrap()
    }

    #[test]
    fn traffic_past_2026_10_01_shows_the_change() {
        let cfg = GenConfig {
            users: 120,
            start: NaiveDate::from_ymd_opt(2026, 9, 10).unwrap(),
            days: 45,
            ..GenConfig::default()
        };
        let mut out = Vec::new();
        generate(&cfg, &mut out).unwrap();
        let mut e = example_engine();
        assert!(e.ingest_reader(&out[..]).unwrap().errors.is_empty());
        // September: free-form replies and utility templates in the window are free.
        let sep = report(&mut e, "2026-09-10", "2026-10-01");
        let b = &sep.billing;
        assert_eq!(b.service, convolens::ServiceSpan::Free);
        assert_eq!(b.charged_messages.service, 0);
        assert!(b.free_messages.free_form > 0, "{:?}", b.free_messages);
        // October: charged, nothing free for being free-form any more.
        let oct = report(&mut e, "2026-10-01", "2026-10-25");
        let b = &oct.billing;
        assert_eq!(b.service, convolens::ServiceSpan::Charged);
        assert!(b.charged_messages.service > 0);
        assert_eq!(
            (b.free_messages.free_form, b.free_messages.service_window),
            (0, 0)
        );
        // The example card prices October's service messages (its 2026-10-01 section).
        assert!(b.cost.by_category["service"].0 > 0);
        // Meta's pricing objects in the generated data follow the same rules: the engine
        // agrees with every one of them, on both sides of the date.
        for r in [&sep, &oct] {
            let rec = &r.billing.reconciliation;
            assert!(rec.checked > 0);
            assert_eq!(rec.mismatched, 0, "{:?}", rec.mismatches.first());
        }
        // Meta Business Agent replies: counted apart, charged, priced by tokens except the
        // ones without a count, which the report warns about.
        let a = &oct.billing.meta_business_agent;
        assert!(a.delivered > 0 && a.charged == a.delivered);
        assert_eq!(a.priced_by_tokens + a.unpriced, a.charged);
        assert_eq!(a.unpriced, a.without_tokens);
        assert_eq!(
            oct.warnings
                .iter()
                .filter(|w| w.contains("Meta Business Agent"))
                .count(),
            usize::from(a.unpriced > 0)
        );
        // Users of the new standalone markets are priced at their own rows: no unpriced
        // templates or service messages.
        assert!(oct.usage.months[0].by_country.contains_key("KZ"));
        assert!(
            oct.billing
                .cost
                .unpriced_by_category
                .keys()
                .all(|k| k == "meta_business_agent"),
            "{:?}",
            oct.billing.cost.unpriced_by_category
        );
    }

    #[test]
    fn every_line_ingests() {
        let cfg = GenConfig {
            users: 60,
            days: 40,
            ..GenConfig::default()
        };
        let mut out = Vec::new();
        let stats = generate(&cfg, &mut out).unwrap();
        let mut e = convolens::Engine::new(convolens::Config::default()).unwrap();
        let r = e.ingest_reader(&out[..]).unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors.first());
        assert_eq!(r.lines, stats.lines);
        let report = e.report(&convolens::ReportOptions::default()).unwrap();
        // Lines scheduled past the last day are not written, so count what was written.
        let text = String::from_utf8(out).unwrap();
        let records = text
            .lines()
            .filter(|l| {
                l.starts_with(r#"{"type":"outbound""#) || l.contains(r#""type":"outbound""#)
            })
            .count();
        assert_eq!(report.input.records["outbound"], records as u64);
        let inbound: u64 = report.input.messages.values().sum();
        assert!(
            inbound <= stats.inbound && inbound + 20 > stats.inbound,
            "{inbound} of {}",
            stats.inbound
        );
    }
}
