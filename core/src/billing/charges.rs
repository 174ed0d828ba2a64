#![doc = include_str!("../guide/billing/charges.md")]

use super::BillingSetup;
use super::windows::{EntryOutcome, WindowTracker, is_entry_referral};
use crate::model::country::{Country, Market};
use crate::model::money::{Currency, Money};
use crate::model::pricing::Rules;
use crate::model::{Category, Direction, OutboundKind, PricingModel};
use crate::store::{MsgIx, MsgRec, PhoneIx, PhoneResolver, Store, UserIx};
use crate::util::time::Ts32;
use chrono::{Datelike, NaiveDate};
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

/// The categories Meta prices; `marketing_lite` is marketing and
/// `authentication_international` is authentication. Meta Business Agent messages are a
/// category of their own, priced per token (never service).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[doc(hidden)]
pub(crate) enum ChargeCategory {
    /// Marketing (and marketing lite).
    Marketing,
    /// Utility.
    Utility,
    /// Authentication (and authentication international).
    Authentication,
    /// Service: free-form messages.
    Service,
    /// Meta Business Agent messages (`meta_business_agent`), billed per token.
    #[serde(rename = "meta_business_agent")]
    BusinessAgent,
}

impl ChargeCategory {
    /// Every category, in report order.
    pub(crate) const ALL: [ChargeCategory; 5] = [
        ChargeCategory::Marketing,
        ChargeCategory::Utility,
        ChargeCategory::Authentication,
        ChargeCategory::Service,
        ChargeCategory::BusinessAgent,
    ];

    /// The group of a message category; `None` for `other`.
    pub(crate) fn of(c: Category) -> Option<ChargeCategory> {
        Some(match c {
            Category::Marketing | Category::MarketingLite => ChargeCategory::Marketing,
            Category::Utility => ChargeCategory::Utility,
            Category::Authentication | Category::AuthenticationInternational => {
                ChargeCategory::Authentication
            }
            Category::Service | Category::ReferralConversion => ChargeCategory::Service,
            Category::BusinessAgent => ChargeCategory::BusinessAgent,
            _ => return None,
        })
    }

    /// The `snake_case` name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChargeCategory::Marketing => "marketing",
            ChargeCategory::Utility => "utility",
            ChargeCategory::Authentication => "authentication",
            ChargeCategory::Service => "service",
            ChargeCategory::BusinessAgent => "meta_business_agent",
        }
    }

    fn ix(self) -> usize {
        self as usize
    }
}

/// The kind of a conversation: a CBP category conversation or a free entry point window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[doc(hidden)]
pub(crate) enum ConversationKind {
    /// Marketing conversation (CBP).
    Marketing,
    /// Utility conversation (CBP).
    Utility,
    /// Authentication conversation (CBP).
    Authentication,
    /// Service conversation (CBP).
    Service,
    /// Free entry point window, 72 h (both models; Meta's `referral_conversion`).
    FreeEntryPoint,
}

impl ConversationKind {
    /// The conversation kind a charge category opens under CBP. (Meta Business Agent
    /// messages open none; they map to service here only to keep this total.)
    pub(crate) fn of(c: ChargeCategory) -> ConversationKind {
        match c {
            ChargeCategory::Marketing => ConversationKind::Marketing,
            ChargeCategory::Utility => ConversationKind::Utility,
            ChargeCategory::Authentication => ConversationKind::Authentication,
            ChargeCategory::Service | ChargeCategory::BusinessAgent => ConversationKind::Service,
        }
    }

    /// Meta's name (`conversation.origin.type`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ConversationKind::Marketing => "marketing",
            ConversationKind::Utility => "utility",
            ConversationKind::Authentication => "authentication",
            ConversationKind::Service => "service",
            ConversationKind::FreeEntryPoint => "referral_conversion",
        }
    }

    /// The kind Meta's category names (`referral_conversion` is the free entry point; the
    /// Meta Business Agent category names none).
    pub(crate) fn from_meta(c: Category) -> Option<ConversationKind> {
        match c {
            Category::ReferralConversion => Some(ConversationKind::FreeEntryPoint),
            Category::BusinessAgent => None,
            c => ChargeCategory::of(c).map(ConversationKind::of),
        }
    }
}

/// Why a delivered message costs nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[doc(hidden)]
pub(crate) enum FreeReason {
    /// PMP: a utility template delivered while the customer service window was open.
    ServiceWindow,
    /// Delivered inside a free entry point window (both models).
    FreeEntryPoint,
    /// PMP: a free-form (service) message.
    FreeForm,
    /// CBP: part of a service conversation, free since 2024-11-01.
    FreeService,
    /// A Meta Business Agent message delivered before Meta billed them (2026-08-01 by
    /// default: [`super::Rules::business_agent_charged`]). Never counted as service.
    #[serde(rename = "meta_business_agent")]
    BusinessAgent,
}

/// Where a charged unit's cost came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PriceSource {
    /// The rate card's per-message (CBP: per-conversation) rate.
    RateCard,
    /// Meta's own `pricing` object carried the price (Meta Business Agent messages).
    MetaPricing,
    /// The message's tokens times the rate card's per-token rate (Meta Business Agent).
    Tokens,
}

/// A conversation (CBP) or free entry point window (both models).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct Conversation {
    /// The user.
    pub(crate) user: UserIx,
    /// The business number.
    pub(crate) phone: PhoneIx,
    /// Category or free entry point.
    pub(crate) kind: ConversationKind,
    /// The pricing model in force when it opened.
    pub(crate) model: PricingModel,
    /// The delivery that opened it.
    pub(crate) opened_at: i64,
    /// When it expires (24 h, or 72 h for a free entry point).
    pub(crate) expires_at: i64,
    /// When it ended: its expiry, or the opening of a free entry point that closed it.
    pub(crate) closed_at: i64,
    /// The message that opened it.
    pub(crate) opened_by: MsgIx,
    /// Whether Meta bills it (false for free entry points and for free service conversations).
    pub(crate) billable: bool,
    /// Delivered business messages in it (the opener included).
    pub(crate) messages: u32,
}

/// What one business message is charged.
///
/// One is kept per business message of every live user (see [`super::live`]), so its
/// layout is packed: the yes/no facts are bits of [`ChargeFlags`], read and set through
/// the methods of the same names, the conversation is a plain index, and the cost is in
/// micro-units of the setup's currency (the same for every charge). 56 bytes, where the
/// fields one by one took 88.
#[derive(Clone, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub(crate) struct MessageCharge {
    /// The message.
    pub(crate) msg: MsgIx,
    /// The business number (resolved when the record named none).
    pub(crate) phone: PhoneIx,
    /// The message's category (`service` for free-form, `other` when not counted).
    pub(crate) category: Category,
    /// When it was sent (the record's timestamp, else the earliest status): see
    /// [`MessageCharge::sent_at`].
    sent: Ts32,
    /// When it reached the device: see [`MessageCharge::delivered_at`].
    delivered: Option<Ts32>,
    /// The day of the delivery (else of the sending) in the business time zone: the day
    /// whose rules, market and rate apply.
    pub(crate) billing_day: NaiveDate,
    /// The pricing model at delivery (`None` when not delivered or not counted).
    pub(crate) model: Option<PricingModel>,
    /// Why it is free, when it is delivered and not billable.
    pub(crate) free: Option<FreeReason>,
    /// The conversation it opened or rode, or the free entry point window it fell in: see
    /// [`MessageCharge::conversation`]. [`NO_CONVERSATION`] for none.
    conversation: u32,
    /// The recipient's country.
    pub(crate) country: Option<Country>,
    /// The recipient's market on the delivery day (else the sending day).
    pub(crate) market: Market,
    /// Cost in micro-units of the billing currency ([`BillingSetup`]'s, that of
    /// [`Charges::currency`]): the rate of the unit it is charged for (zero unless
    /// `charged`). The currency is the setup's for every charge, so it is not kept here.
    pub(crate) cost: i64,
    /// Its number in its monthly tier: see [`MessageCharge::tier_ordinal`].
    tier: Option<std::num::NonZeroU64>,
    /// Where its cost came from (`None` unless charged and priced).
    pub(crate) price_source: Option<PriceSource>,
    /// The yes/no facts (see the methods named after them).
    flags: ChargeFlags,
    /// Meta Business Agent messages: their tokens and Meta's price (see
    /// [`MessageCharge::tokens`], [`MessageCharge::meta_price`]); `None` for every other
    /// message (kept off the row: most messages are not agent messages).
    agent: Option<Box<AgentCharge>>,
}

/// [`MessageCharge::conversation`]'s slot when there is none.
const NO_CONVERSATION: u32 = u32::MAX;

/// The yes/no facts of a [`MessageCharge`], one bit each (the constants below).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ChargeFlags(u8);

impl ChargeFlags {
    const COUNTED: u8 = 1;
    const TEMPLATE: u8 = 1 << 1;
    const BILLABLE: u8 = 1 << 2;
    const CHARGED: u8 = 1 << 3;
    const OPENED_CONVERSATION: u8 = 1 << 4;
    const UNPRICED: u8 = 1 << 5;
    const FREE_TIER: u8 = 1 << 6;
    const VOLUME_TIER: u8 = 1 << 7;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.0 |= bit;
        } else {
            self.0 &= !bit;
        }
    }
}

/// A getter per flag of [`MessageCharge`], and a setter for those the fold changes after
/// [`new_charge`] (`-` marks the others).
macro_rules! charge_flags {
    ($($(#[$doc:meta])* $get:ident, $($set:ident)? $(-)?, $bit:ident;)*) => {
        impl MessageCharge {
            $(
                $(#[$doc])*
                pub(crate) fn $get(&self) -> bool {
                    self.flags.has(ChargeFlags::$bit)
                }

                $(
                    #[doc = concat!("Set [`MessageCharge::", stringify!($get), "`].")]
                    pub(crate) fn $set(&mut self, on: bool) {
                        self.flags.set(ChargeFlags::$bit, on);
                    }
                )?
            )*
        }
    };
}

charge_flags! {
    /// Whether billing knows the message's category (an outbound record or Meta's pricing).
    counted, -, COUNTED;
    /// A template (else free-form).
    template, -, TEMPLATE;
    /// Whether Meta bills it (PMP: a charged message; CBP: it is part of a billable
    /// conversation) — what Meta's `pricing.billable` says.
    billable, set_billable, BILLABLE;
    /// Whether it is a billable unit: a charged PMP message, or the opener of a billable CBP
    /// conversation. Its cost may still be zero (CBP service free tier, or no rate).
    charged, set_charged, CHARGED;
    /// It opened its conversation.
    opened_conversation, set_opened_conversation, OPENED_CONVERSATION;
    /// Charged but the rate card has no rate for it (or there is no rate card): cost zero.
    unpriced, set_unpriced, UNPRICED;
    /// CBP: one of the month's free-tier service conversations (billable, cost zero).
    free_tier, set_free_tier, FREE_TIER;
    /// Whether the tier number numbers a volume tier (else the CBP free tier's count, kept
    /// so that a unit that did not move keeps its number without counting again).
    volume_tier, set_volume_tier, VOLUME_TIER;
}

/// What a Meta Business Agent message's price may come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AgentCharge {
    tokens: Option<u64>,
    meta_price: Option<Money>,
}

impl MessageCharge {
    /// The user (representative) whose message it is: the message's own user, resolved
    /// (not kept on the row: four bytes per business message for what the store knows).
    pub(crate) fn user(&self, store: &Store) -> UserIx {
        store.find(store.msgs[self.msg as usize].user)
    }

    /// The conversation (index into [`Charges::conversations`], or into
    /// [`UserCharges::conversations`] while a user's charges are on their own) it opened or
    /// rode, or the free entry point window it fell in.
    pub(crate) fn conversation(&self) -> Option<u32> {
        (self.conversation != NO_CONVERSATION).then_some(self.conversation)
    }

    /// Set [`MessageCharge::conversation`]. Indices stop below `u32::MAX` (a conversation
    /// has at least one message, and messages are numbered by `u32`).
    pub(crate) fn set_conversation(&mut self, c: Option<u32>) {
        self.conversation = c.unwrap_or(NO_CONVERSATION);
    }

    /// When it was sent (the record's timestamp, else the earliest status).
    pub(crate) fn sent_at(&self) -> i64 {
        self.sent.get()
    }

    /// PMP tiered categories: its number among the month's charged messages of its market
    /// and category (1-based), which picked the tier band.
    pub(crate) fn tier_ordinal(&self) -> Option<u64> {
        self.tier
            .filter(|_| self.volume_tier())
            .map(std::num::NonZeroU64::get)
    }

    /// Its number among the units of its monthly tally (volume tier or free tier), once
    /// priced.
    pub(crate) fn tally_number(&self) -> Option<u64> {
        self.tier.map(std::num::NonZeroU64::get)
    }

    /// When it reached the device.
    pub(crate) fn delivered_at(&self) -> Option<i64> {
        self.delivered.map(Ts32::get)
    }

    /// Meta Business Agent messages: the tokens, when Meta's `pricing` object or the
    /// host's record said (Meta's count first).
    pub(crate) fn tokens(&self) -> Option<u64> {
        self.agent.as_ref().and_then(|a| a.tokens)
    }

    /// Meta Business Agent messages: the price Meta's `pricing` object carried, in Meta's
    /// currency. When that is not [`Charges::currency`] the message is unpriced (convolens
    /// converts no currency) and the report warns.
    pub(crate) fn meta_price(&self) -> Option<Money> {
        self.agent.as_ref().and_then(|a| a.meta_price)
    }
}

/// Every business message's charge, and the conversations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[doc(hidden)]
pub(crate) struct Charges {
    /// One per outbound message, grouped by user.
    pub(crate) messages: Vec<MessageCharge>,
    /// Conversations and free entry point windows.
    pub(crate) conversations: Vec<Conversation>,
    /// The currency of every cost.
    pub(crate) currency: Currency,
    by_msg: HashMap<MsgIx, u32>,
}

impl Charges {
    /// The charge of business message `msg`.
    pub(crate) fn get(&self, msg: MsgIx) -> Option<&MessageCharge> {
        self.by_msg.get(&msg).map(|i| &self.messages[*i as usize])
    }

    /// Every user's charges one after the other (conversation indices made global).
    pub(crate) fn from_users<'a>(
        currency: Currency,
        users: impl IntoIterator<Item = &'a UserCharges>,
    ) -> Charges {
        let mut charges = Charges {
            currency,
            ..Charges::default()
        };
        for uc in users {
            let off = charges.conversations.len() as u32;
            charges
                .conversations
                .extend(uc.conversations.iter().cloned());
            for m in &uc.messages {
                let mut m = m.clone();
                m.set_conversation(m.conversation().map(|c| c + off));
                charges.by_msg.insert(m.msg, charges.messages.len() as u32);
                charges.messages.push(m);
            }
        }
        charges
    }

    /// The conversation a charge opened or rode.
    pub(crate) fn conversation_of(&self, c: &MessageCharge) -> Option<&Conversation> {
        c.conversation().map(|i| &self.conversations[i as usize])
    }
}

/// What one user's fold produced (conversation indices local to it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct UserCharges {
    /// The user's business messages.
    pub(crate) messages: Vec<MessageCharge>,
    /// The user's conversations.
    pub(crate) conversations: Vec<Conversation>,
}

/// The category and kind billing uses for a business message: the record's, else Meta's
/// `pricing.category`, else — for the Meta Business Agent category only — Meta's
/// `conversation.origin.type` (an assumption: Meta's payloads show no agent message yet).
/// `None`: not counted. Agent messages are never templates.
pub(crate) fn billing_category(m: &MsgRec) -> Option<(Category, bool)> {
    if let Some(o) = m.outbound() {
        if o.category == Category::BusinessAgent {
            return Some((Category::BusinessAgent, false));
        }
        let template = o.kind == OutboundKind::Template;
        return Some((
            if template {
                o.category
            } else {
                Category::Service
            },
            template,
        ));
    }
    let origin = m.status().conversation().and_then(|c| c.origin);
    match m.status().pricing.as_ref().and_then(|p| p.category) {
        Some(Category::Service | Category::ReferralConversion) => Some((Category::Service, false)),
        Some(Category::BusinessAgent) => Some((Category::BusinessAgent, false)),
        Some(Category::Other) => None,
        Some(c) => Some((c, true)),
        None if origin == Some(Category::BusinessAgent) => Some((Category::BusinessAgent, false)),
        None => None,
    }
}

/// A fold event: a user message, or the delivery of the business message at `charge`.
enum Ev {
    In { referral: bool },
    Out { charge: usize },
}

#[derive(Clone, Copy)]
struct Slot {
    conv: u32,
    expires: i64,
}

#[derive(Default)]
struct NumberState {
    win: WindowTracker,
    open: [Option<Slot>; ChargeCategory::ALL.len()],
    entry_conv: Option<u32>,
}

/// The per-user fold: every business message of `user` (a representative) with what it is
/// charged — category, billable, free reason, conversation — but no cost yet (see [`price`]).
/// Pure: reads the store, returns the user's results.
pub(crate) fn charge_user(store: &Store, setup: &BillingSetup, user: UserIx) -> UserCharges {
    let rec = &store.users[user as usize];
    let resolver = PhoneResolver::new(store, user);
    let country = store.country_of(user);
    let mut out = UserCharges::default();
    // Events in time order: (instant, inbound first, id, phone, payload).
    let mut events: Vec<(i64, u8, &str, PhoneIx, Ev)> = Vec::new();
    for &ix in &rec.timeline {
        let m = &store.msgs[ix as usize];
        let phone = resolver.phone_of(m);
        match m.dir {
            Direction::Inbound => {
                if let Some(inb) = m.inbound.as_deref().filter(|i| i.ty.is_user_message()) {
                    let referral = is_entry_referral(inb.referral().map(|r| r.source));
                    events.push((m.ts, 0, &m.id, phone, Ev::In { referral }));
                }
            }
            Direction::Outbound => {
                let cat = billing_category(m);
                let delivered_at = m.status().delivered_at();
                let charge = new_charge(store, setup, (ix, phone, country), cat);
                out.messages.push(charge);
                if let (Some(d), Some(_)) = (delivered_at, cat) {
                    events.push((
                        d,
                        1,
                        &m.id,
                        phone,
                        Ev::Out {
                            charge: out.messages.len() - 1,
                        },
                    ));
                }
            }
        }
    }
    fold_deliveries(events, setup, user, &mut out);
    out
}

/// A business message's charge record before the delivery fold: its category, billing day
/// (delivery, else sending, in the business zone), market, agent facts; not yet billable,
/// charged or priced. `at` is (message, phone, country).
fn new_charge(
    store: &Store,
    setup: &BillingSetup,
    at: (MsgIx, PhoneIx, Option<Country>),
    cat: Option<(Category, bool)>,
) -> MessageCharge {
    let (ix, phone, country) = at;
    let m = &store.msgs[ix as usize];
    let delivered_at = m.status().delivered_at();
    let day = crate::util::time::day_in(delivered_at.unwrap_or(m.ts), setup.tz);
    let market = setup
        .markets
        .market(country, crate::model::country::epoch_day(day));
    let agent = if cat.is_some_and(|c| c.0 == Category::BusinessAgent) {
        store.agent.get(&*m.id).copied().unwrap_or_default()
    } else {
        crate::store::AgentFacts::default()
    };
    let mut flags = ChargeFlags::default();
    flags.set(ChargeFlags::COUNTED, cat.is_some());
    flags.set(ChargeFlags::TEMPLATE, cat.is_some_and(|c| c.1));
    MessageCharge {
        msg: ix,
        phone,
        category: cat.map_or(Category::Other, |c| c.0),
        sent: Ts32::clamped(m.ts),
        delivered: delivered_at.map(Ts32::clamped),
        billing_day: day,
        model: None,
        free: None,
        conversation: NO_CONVERSATION,
        country,
        market,
        cost: 0,
        tier: None,
        price_source: None,
        flags,
        agent: (agent.tokens().is_some() || agent.meta.price.is_some()).then(|| {
            Box::new(AgentCharge {
                tokens: agent.tokens(),
                meta_price: agent.meta.price,
            })
        }),
    }
}

/// Run a user's inbound messages and deliveries, in time order, through each number's
/// windows and open conversations, deciding every delivered message's charge.
fn fold_deliveries(
    mut events: Vec<(i64, u8, &str, PhoneIx, Ev)>,
    setup: &BillingSetup,
    user: UserIx,
    out: &mut UserCharges,
) {
    events.sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
    let mut numbers: Vec<(PhoneIx, NumberState)> = Vec::new();
    for (at, _, _, phone, ev) in events {
        let i = numbers
            .iter()
            .position(|(p, _)| *p == phone)
            .unwrap_or_else(|| {
                numbers.push((phone, NumberState::default()));
                numbers.len() - 1
            });
        let st = &mut numbers[i].1;
        match ev {
            Ev::In { referral } => st.win.on_inbound(at, referral),
            Ev::Out { charge } => {
                let rules = setup.timeline.rules_on(out.messages[charge].billing_day);
                Delivery {
                    st,
                    out,
                    rules: &rules,
                    at,
                    phone,
                    user,
                    charge,
                }
                .run();
            }
        }
    }
}

/// What a delivery decided for its message.
#[derive(Clone, Copy)]
struct Outcome {
    conv: Option<u32>,
    opened: bool,
    billable: bool,
    charged: bool,
    free: Option<FreeReason>,
}

/// Where a delivery happens: the number's state and the user's output so far.
struct Delivery<'a> {
    st: &'a mut NumberState,
    out: &'a mut UserCharges,
    rules: &'a Rules,
    at: i64,
    phone: PhoneIx,
    user: UserIx,
    charge: usize,
}

impl Delivery<'_> {
    fn open(&mut self, kind: ConversationKind, expires_at: i64, billable: bool) -> u32 {
        self.out.conversations.push(Conversation {
            user: self.user,
            phone: self.phone,
            kind,
            model: self.rules.model,
            opened_at: self.at,
            expires_at,
            closed_at: expires_at,
            opened_by: self.out.messages[self.charge].msg,
            billable,
            messages: 0,
        });
        (self.out.conversations.len() - 1) as u32
    }

    /// Charge the message: free entry point first, then the model's rules.
    fn run(mut self) {
        let (at, rules) = (self.at, *self.rules);
        for slot in &mut self.st.open {
            if slot.is_some_and(|s| s.expires <= at) {
                *slot = None;
            }
        }
        let group = ChargeCategory::of(self.out.messages[self.charge].category)
            .unwrap_or(ChargeCategory::Marketing);
        self.out.messages[self.charge].model = Some(rules.model);
        let free_entry = |conv, opened| Outcome {
            conv,
            opened,
            billable: false,
            charged: false,
            free: Some(FreeReason::FreeEntryPoint),
        };
        let entry = self.st.win.on_delivery(at, &rules);
        let o = match entry {
            // Meta Business Agent messages are priced on their own, per token: charged once
            // Meta bills them, even inside a free entry point window (Meta: "free in FEP:
            // Meta Business Agent: No"); a reply by the agent still opens the window for the
            // messages after it.
            _ if group == ChargeCategory::BusinessAgent => self.agent(entry),
            EntryOutcome::Opened { until } => {
                let c = self.open_entry(until);
                free_entry(Some(c), true)
            }
            EntryOutcome::Inside { .. } => free_entry(self.st.entry_conv, false),
            EntryOutcome::Outside if rules.model == PricingModel::Pmp => self.per_message(group),
            EntryOutcome::Outside => self.conversation(group),
        };
        if let Some(c) = o.conv {
            self.out.conversations[c as usize].messages += 1;
        }
        let m = &mut self.out.messages[self.charge];
        m.set_conversation(o.conv);
        m.set_opened_conversation(o.opened);
        m.set_billable(o.billable);
        m.set_charged(o.charged);
        m.free = o.free;
    }

    /// Open a free entry point window until `until`: "it closes every other open
    /// conversation".
    fn open_entry(&mut self, until: i64) -> u32 {
        let c = self.open(ConversationKind::FreeEntryPoint, until, false);
        for slot in &mut self.st.open {
            if let Some(s) = slot.take() {
                self.out.conversations[s.conv as usize].closed_at = self.at;
            }
        }
        self.st.entry_conv = Some(c);
        c
    }

    /// A Meta Business Agent message: charged from the day Meta bills them, else free with
    /// its own reason; it opens no conversation, but a reply that opens a free entry point
    /// window is recorded in it.
    fn agent(&mut self, entry: EntryOutcome) -> Outcome {
        let conv = match entry {
            EntryOutcome::Opened { until } => Some((self.open_entry(until), true)),
            EntryOutcome::Inside { .. } => self.st.entry_conv.map(|c| (c, false)),
            EntryOutcome::Outside => None,
        };
        let charged = self.rules.business_agent_charged;
        Outcome {
            conv: conv.map(|c| c.0),
            opened: conv.is_some_and(|c| c.1),
            billable: charged,
            charged,
            free: (!charged).then_some(FreeReason::BusinessAgent),
        }
    }

    /// PMP: templates charged by category; free-form free; utility free in the window.
    fn per_message(&mut self, group: ChargeCategory) -> Outcome {
        self.st.open = [None; ChargeCategory::ALL.len()];
        let rules = self.rules;
        let free = match group {
            ChargeCategory::Service if rules.service_free => Some(FreeReason::FreeForm),
            ChargeCategory::Utility
                if rules.utility_free_in_service_window
                    && self.st.win.service_open(self.at, rules) =>
            {
                Some(FreeReason::ServiceWindow)
            }
            _ => None,
        };
        Outcome {
            conv: None,
            opened: false,
            billable: free.is_none(),
            charged: free.is_none(),
            free,
        }
    }

    /// CBP: ride the open conversation of the category (free-form: of any category), else
    /// open one.
    fn conversation(&mut self, group: ChargeCategory) -> Outcome {
        let ride = if group == ChargeCategory::Service {
            // Free-form: ride the earliest-opened open conversation of any category.
            let convs = &self.out.conversations;
            self.st
                .open
                .iter()
                .flatten()
                .min_by_key(|s| (convs[s.conv as usize].opened_at, s.conv))
                .copied()
        } else {
            self.st.open[group.ix()]
        };
        if let Some(s) = ride {
            let billable = self.out.conversations[s.conv as usize].billable;
            let free = (!billable).then_some(FreeReason::FreeService);
            return Outcome {
                conv: Some(s.conv),
                opened: false,
                billable,
                charged: false,
                free,
            };
        }
        let billable = !(group == ChargeCategory::Service && self.rules.service_free);
        let expires = self.at + self.rules.conversation_secs();
        let c = self.open(ConversationKind::of(group), expires, billable);
        self.st.open[group.ix()] = Some(Slot { conv: c, expires });
        let free = (!billable).then_some(FreeReason::FreeService);
        Outcome {
            conv: Some(c),
            opened: true,
            billable,
            charged: billable,
            free,
        }
    }
}

/// What a charged unit counts toward in its calendar month (business time zone): a PMP
/// volume tier of its market and category, or the CBP service free tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) enum Tally {
    /// PMP utility or authentication volume tier.
    Tier {
        /// (year, month).
        month: (i32, u32),
        /// The recipient's market.
        market: Market,
        /// Utility or authentication.
        group: ChargeCategory,
    },
    /// CBP service conversations, whose first ones each month are free.
    FreeTier {
        /// (year, month).
        month: (i32, u32),
    },
}

/// Units of expired history per monthly count: numbering continues from them.
pub(crate) type Tallies = crate::util::sorted_map::Map<Tally, u64>;

/// The monthly count a delivered, charged unit adds to, under the rules of its billing day.
pub(crate) fn tally(setup: &BillingSetup, m: &MessageCharge) -> Option<Tally> {
    if !m.charged() || m.delivered_at().is_none() {
        return None;
    }
    let day = m.billing_day;
    let rules = setup.timeline.rules_on(day);
    let month = (day.year(), day.month());
    let group = ChargeCategory::of(m.category).unwrap_or(ChargeCategory::Marketing);
    match rules.model {
        PricingModel::Pmp => (rules.volume_tiers
            && matches!(
                group,
                ChargeCategory::Utility | ChargeCategory::Authentication
            ))
        .then_some(Tally::Tier {
            month,
            market: m.market,
            group,
        }),
        _ => (group == ChargeCategory::Service && rules.service_free_tier > 0)
            .then_some(Tally::FreeTier { month }),
    }
}

/// Price one unit: a charged, delivered message gets its cost from the rate card (or, for
/// Meta Business Agent messages, Meta's price or its tokens); `n` is its number among the
/// units of its monthly tally (see [`tally`]), counted on from the units of expired
/// history ([`crate::expiry`](crate::guide::expiry)) — under a volume tier it picks the
/// band, under the CBP service free tier the first units of the month are free. Every
/// pricing field is set afresh, so pricing a unit again under a new number is exact.
pub(crate) fn price_unit(setup: &BillingSetup, m: &mut MessageCharge, n: Option<(Tally, u64)>) {
    m.tier = None;
    m.set_volume_tier(false);
    m.set_free_tier(false);
    m.cost = 0;
    m.set_unpriced(false);
    m.price_source = None;
    if !m.charged() || m.delivered_at().is_none() {
        return;
    }
    let day = m.billing_day;
    let mut ordinal = 1;
    if let Some((_, n)) = n {
        m.tier = std::num::NonZeroU64::new(n);
    }
    match n {
        Some((Tally::Tier { .. }, n)) => {
            ordinal = n;
            m.set_volume_tier(true);
        }
        Some((Tally::FreeTier { .. }, n))
            if n <= u64::from(setup.timeline.rules_on(day).service_free_tier) =>
        {
            m.set_free_tier(true);
            return;
        }
        _ => {}
    }
    let p = if m.category == Category::BusinessAgent {
        agent_price(setup, m)
    } else {
        setup
            .card
            .as_ref()
            .and_then(|card| card.price(m.market, m.category, day, ordinal))
            .map(|p| (p, PriceSource::RateCard))
    };
    m.cost = p.map_or(0, |p| p.0);
    m.set_unpriced(p.is_none());
    m.price_source = p.map(|p| p.1);
}

/// The cost of a charged Meta Business Agent message: Meta's price when its `pricing`
/// object carried one in the cost currency, else its tokens times the card's per-token
/// rate; `None` (unpriced) otherwise.
fn agent_price(setup: &BillingSetup, m: &MessageCharge) -> Option<(i64, PriceSource)> {
    if let Some(p) = m.meta_price() {
        // Meta's own price wins; in another currency it is left out, never converted.
        return (p.currency == setup.currency).then_some((p.micros, PriceSource::MetaPricing));
    }
    let cost = setup
        .card
        .as_ref()?
        .token_cost(m.market, m.billing_day, m.tokens()?)?;
    Some((cost, PriceSource::Tokens))
}

#[cfg(test)]
mod layout {
    /// A charge is kept per business message of every live user: its layout is part of the
    /// engine's footprint (issue 17). Eight-byte parts: cost (micros; the currency is the
    /// setup's), tier 8, agent pointer 8 = 24; four-byte: message, number, sent, delivered
    /// (a niche in the timestamp), billing day, conversation = 24; one byte each: category,
    /// model, free reason, market, price source and the flags, plus the country in 2
    /// (non-zero letters) = 8. 56 in all, where the fields one by one took 88.
    #[test]
    fn a_charge_takes_56_bytes() {
        assert_eq!(std::mem::size_of::<super::MessageCharge>(), 56);
        // A user's bill, held in place: charges and conversations (two vectors, 48), the
        // checked indices and the mismatches (two boxed slices, 32); an empty slot costs
        // the same 80 (the vectors' non-null pointers give `None` its niche).
        assert_eq!(
            std::mem::size_of::<Option<super::super::live::UserBill>>(),
            80
        );
        assert_eq!(
            std::mem::size_of::<Option<crate::model::country::Country>>(),
            2
        );
    }
}
