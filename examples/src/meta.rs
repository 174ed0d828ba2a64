//! Meta's pricing, simulated: what the `pricing` and `conversation` objects of a status say,
//! decided the way Meta decides them (semantics §2), so that generated traffic carries the
//! objects Meta would send and the engine's reconciliation has an oracle to agree with.
//!
//! This is written from the rules, independently of the engine's billing code (it shares no
//! code with `convolens::billing`): when the two agree on generated traffic of many seeds,
//! both read the rules the same way.
//!
//! # The rules applied
//!
//! Events are fed in time order (at the same second, user messages before deliveries, and
//! deliveries by message id). Everything is per (business number, user). The day of a
//! delivery in the business time zone picks the rules:
//!
//! - **Models.** Conversation-based pricing (CBP) before 2025-07-01, per-message pricing
//!   (PMP) from then on. Service is free from 2024-11-01 (before that a service conversation
//!   is billable; the monthly free tier costs nothing but Meta still calls it billable).
//!   With [`MetaRules::service_charged_2026_10`], from 2026-10-01 free-form messages and
//!   utility templates inside the customer service window are charged.
//! - **Customer service window**: open for 24 h after each user message.
//! - **Free entry point**: a user message from a CTWA ad or a Page post makes the user
//!   eligible; the first business message delivered after it opens a 72-hour window if it
//!   is delivered less than 24 h after that message (either way it uses up the eligibility).
//!   Inside the window every message is free (`referral_conversion`, PMP type
//!   `free_entry_point`), nothing else opens, and opening it closes the open conversations.
//!   A delivery inside an open window also uses up a pending eligibility.
//! - **CBP**: a template rides the open conversation of its category or opens one (24 h from
//!   its delivery); a free-form message rides the earliest-opened open conversation or
//!   opens a service one. Meta's `pricing.category` is the conversation's category; its
//!   `conversation` object names the conversation (`id`, `expiration_timestamp`,
//!   `origin.type`).
//! - **PMP**: a template is charged by its category (`regular`), except a utility template
//!   inside the customer service window (`free_customer_service`); a free-form message is
//!   `free_customer_service`. The `conversation` object is sent only inside a free entry
//!   point window (API v24). Conversations open at the switch no longer matter.
//! - **Meta Business Agent** replies (from 2026-07-01) carry no objects before Meta bills
//!   them (2026-08-01); from then each is charged on its own (`regular`, category
//!   `meta_business_agent`, no `conversation` object), even inside a free entry point
//!   window. As a business reply it still opens the free entry point window, or uses up the
//!   eligibility, like any other delivery.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

const HOUR: i64 = 3600;

/// Which of Meta's dated changes the simulation applies, and in which zone.
#[derive(Clone, Copy, Debug)]
pub struct MetaRules {
    /// The business time zone: it dates every change.
    pub tz: Tz,
    /// From 2026-10-01, free-form messages and utility templates in the customer service
    /// window are charged.
    pub service_charged_2026_10: bool,
}

/// What a business message was, for pricing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// A template of a category (`marketing`, `utility`, `authentication`).
    Template(&'static str),
    /// A free-form message.
    FreeForm,
    /// A reply by Meta Business Agent.
    BusinessAgent,
}

/// What Meta's objects said over the generated traffic: the oracle's tallies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetaTally {
    /// Delivered messages whose statuses carry a `pricing` object.
    pub priced: u64,
    /// Conversations opened, by `origin.type` (`referral_conversion` for free entry points).
    pub conversations: BTreeMap<String, u64>,
    /// PMP messages charged (`regular`), by category.
    pub charged: BTreeMap<String, u64>,
    /// Free PMP messages by reason: `service_window` (utility in the window), `free_form`,
    /// `free_entry_point`; CBP messages in a free entry point window (`free_entry_point`)
    /// or in a free service conversation (`free_service`).
    pub free: BTreeMap<String, u64>,
}

#[derive(Clone, Debug)]
struct Conv {
    category: &'static str,
    id: String,
    opened: i64,
    expires: i64,
    billable: bool,
}

#[derive(Clone, Debug, Default)]
struct Window {
    last_inbound: Option<i64>,
    pending_referral: Option<i64>,
    free_entry: Option<Conv>,
    open: Vec<Conv>,
}

/// Meta's side of the traffic: feed it user messages and deliveries in time order.
#[derive(Debug)]
pub struct Meta {
    rules: MetaRules,
    windows: HashMap<(usize, String), Window>,
    seq: u64,
    /// What the objects said so far.
    pub tally: MetaTally,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Meta {
    /// A simulation under `rules`.
    pub fn new(rules: MetaRules) -> Meta {
        Meta {
            rules,
            windows: HashMap::new(),
            seq: 0,
            tally: MetaTally::default(),
        }
    }

    fn day(&self, at: i64) -> NaiveDate {
        self.rules
            .tz
            .timestamp_opt(at, 0)
            .single()
            .map_or_else(NaiveDate::default, |t| t.date_naive())
    }

    /// A user message to business number `phone` at `at`; `referral` when it came from a
    /// CTWA ad or a Page post.
    pub fn inbound(&mut self, phone: usize, user: &str, at: i64, referral: bool) {
        let w = self.windows.entry((phone, user.to_string())).or_default();
        w.last_inbound = Some(w.last_inbound.map_or(at, |t| t.max(at)));
        if referral {
            w.pending_referral = Some(at);
        }
    }

    /// A business message delivered at `at`: the `pricing` object and, when Meta sends one,
    /// the `conversation` object of its statuses (`None`: Meta sends neither).
    pub fn delivered(
        &mut self,
        phone: usize,
        user: &str,
        at: i64,
        sent: Sent,
    ) -> Option<(Value, Option<Value>)> {
        let day = self.day(at);
        if sent == Sent::BusinessAgent {
            return self.agent(phone, user, at, day);
        }
        let later = self.rules.service_charged_2026_10 && day >= ymd(2026, 10, 1);
        let day_rules = DayRules {
            pmp: day >= ymd(2025, 7, 1),
            service_free: day >= ymd(2024, 11, 1) && !later,
            utility_free_in_window: !later,
        };
        self.seq += 1;
        let id = format!("conv.{:010X}", self.seq);
        self.tally.priced += 1;
        let w = self.windows.entry((phone, user.to_string())).or_default();
        // The free entry point comes first, under both models.
        if let Some(c) = free_entry(w, at, id.clone(), &mut self.tally) {
            bump(&mut self.tally.free, "free_entry_point");
            let model = if day_rules.pmp { "PMP" } else { "CBP" };
            let mut pricing =
                json!({"billable": false, "pricing_model": model, "category": c.category});
            if day_rules.pmp {
                pricing["type"] = json!("free_entry_point");
            }
            return Some((pricing, Some(conversation_object(&c))));
        }
        if day_rules.pmp {
            return Some((per_message(w, at, sent, day_rules, &mut self.tally), None));
        }
        let c = conversation(w, at, sent, id, day_rules, &mut self.tally);
        if !c.billable {
            bump(&mut self.tally.free, "free_service");
        }
        let pricing =
            json!({"billable": c.billable, "pricing_model": "CBP", "category": c.category});
        Some((pricing, Some(conversation_object(&c))))
    }

    /// A Meta Business Agent reply delivered at `at` (on `day`, business zone): it opens or
    /// uses the free entry point window like any reply, but is never free inside it.
    fn agent(
        &mut self,
        phone: usize,
        user: &str,
        at: i64,
        day: NaiveDate,
    ) -> Option<(Value, Option<Value>)> {
        self.seq += 1;
        let id = format!("conv.{:010X}", self.seq);
        let w = self.windows.entry((phone, user.to_string())).or_default();
        free_entry(w, at, id, &mut self.tally);
        if day < ymd(2026, 8, 1) {
            bump(&mut self.tally.free, "meta_business_agent");
            return None;
        }
        self.tally.priced += 1;
        bump(&mut self.tally.charged, "meta_business_agent");
        let pricing = json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "meta_business_agent"});
        Some((pricing, None))
    }
}

/// The rules of a delivery's day.
#[derive(Clone, Copy)]
struct DayRules {
    pmp: bool,
    service_free: bool,
    utility_free_in_window: bool,
}

fn bump(m: &mut BTreeMap<String, u64>, key: &str) {
    *m.entry(key.to_string()).or_default() += 1;
}

/// The free entry point window the delivery falls in or opens, if any.
fn free_entry(w: &mut Window, at: i64, id: String, tally: &mut MetaTally) -> Option<Conv> {
    let inside = w
        .free_entry
        .as_ref()
        .filter(|c| c.opened <= at && at < c.expires)
        .cloned();
    if inside.is_some() {
        w.pending_referral = None;
        return inside;
    }
    // The first delivery after the referral message uses it up, in time or not.
    let in_time = w
        .pending_referral
        .take()
        .is_some_and(|r| at < r + 24 * HOUR);
    if !in_time {
        return None;
    }
    let c = Conv {
        category: "referral_conversion",
        id,
        opened: at,
        expires: at + 72 * HOUR,
        billable: false,
    };
    // Opening it closes every open conversation.
    w.open.clear();
    w.free_entry = Some(c.clone());
    bump(&mut tally.conversations, c.category);
    Some(c)
}

/// PMP: Meta's `pricing` object of a message outside a free entry point window.
/// (Agent replies never come here: [`Meta::delivered`] prices them first.)
fn per_message(w: &mut Window, at: i64, sent: Sent, r: DayRules, tally: &mut MetaTally) -> Value {
    w.open.clear();
    let window_open = w.last_inbound.is_some_and(|t| at < t + 24 * HOUR);
    let (category, free) = match sent {
        Sent::FreeForm | Sent::BusinessAgent => ("service", r.service_free.then_some("free_form")),
        Sent::Template("utility") => (
            "utility",
            (window_open && r.utility_free_in_window).then_some("service_window"),
        ),
        Sent::Template(c) => (c, None),
    };
    match free {
        Some(reason) => bump(&mut tally.free, reason),
        None => bump(&mut tally.charged, category),
    }
    json!({
        "billable": free.is_none(),
        "pricing_model": "PMP",
        "type": if free.is_some() { "free_customer_service" } else { "regular" },
        "category": category,
    })
}

/// CBP: the conversation a message outside a free entry point window rides or opens.
fn conversation(
    w: &mut Window,
    at: i64,
    sent: Sent,
    id: String,
    r: DayRules,
    tally: &mut MetaTally,
) -> Conv {
    w.open.retain(|c| at < c.expires);
    let ride = match sent {
        Sent::FreeForm | Sent::BusinessAgent => w.open.iter().min_by_key(|c| c.opened).cloned(),
        Sent::Template(cat) => w.open.iter().find(|c| c.category == cat).cloned(),
    };
    if let Some(c) = ride {
        return c;
    }
    let category = match sent {
        Sent::FreeForm | Sent::BusinessAgent => "service",
        Sent::Template(c) => c,
    };
    let c = Conv {
        category,
        id,
        opened: at,
        expires: at + 24 * HOUR,
        billable: !(category == "service" && r.service_free),
    };
    w.open.push(c.clone());
    bump(&mut tally.conversations, category);
    c
}

fn conversation_object(c: &Conv) -> Value {
    json!({"id": c.id, "expiration_timestamp": c.expires.to_string(), "origin": {"type": c.category}})
}
