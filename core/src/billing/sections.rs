#![doc = include_str!("../guide/billing/sections.md")]

use super::charges::{ChargeCategory, ConversationKind, FreeReason, MessageCharge, PriceSource};
use super::reconcile::Mismatch;
use crate::model::PricingModel;
use crate::model::country::{Country, Market};
use crate::model::money::{Currency, decimal_micros};
use crate::model::pricing::{ModelSpan, ServiceSpan, Timeline};
use crate::scope::Scope;
use crate::util::sort::SortSlice as _;
use crate::util::sorted_map::Map;
use crate::util::time::{day_in, local};
use chrono::{Datelike, NaiveDate, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt::Write as _;

/// An amount in micro-units, written in JSON as a decimal number in major units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub i64);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        decimal_micros::serialize(&self.0, s)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Amount {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Amount".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <crate::model::money::MajorUnits as schemars::JsonSchema>::json_schema(g)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        decimal_micros::deserialize(d).map(Amount)
    }
}

/// Conversations opened, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConversationCounts {
    /// Marketing (CBP).
    pub marketing: u64,
    /// Utility (CBP).
    pub utility: u64,
    /// Authentication (CBP).
    pub authentication: u64,
    /// Service (CBP).
    pub service: u64,
    /// Free entry point windows (both models).
    pub free_entry_point: u64,
}

impl ConversationCounts {
    fn add(&mut self, o: &ConversationCounts) {
        self.marketing += o.marketing;
        self.utility += o.utility;
        self.authentication += o.authentication;
        self.service += o.service;
        self.free_entry_point += o.free_entry_point;
    }
}

/// Counts by priced category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CategoryCounts {
    /// Marketing.
    pub marketing: u64,
    /// Utility.
    pub utility: u64,
    /// Authentication.
    pub authentication: u64,
    /// Service (free-form; charged from 2026-10-01 with the default timeline).
    pub service: u64,
    /// Meta Business Agent (charged from 2026-08-01 with the default timeline).
    #[serde(default)]
    pub meta_business_agent: u64,
}

impl CategoryCounts {
    fn add(&mut self, o: &CategoryCounts) {
        self.marketing += o.marketing;
        self.utility += o.utility;
        self.authentication += o.authentication;
        self.service += o.service;
        self.meta_business_agent += o.meta_business_agent;
    }
}

/// Free delivered messages by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FreeCounts {
    /// PMP: utility templates inside the customer service window.
    pub service_window: u64,
    /// Inside a free entry point window.
    pub free_entry_point: u64,
    /// PMP: free-form messages.
    pub free_form: u64,
    /// CBP: in a free service conversation.
    pub free_service: u64,
    /// Meta Business Agent messages delivered before Meta billed them (2026-08-01).
    #[serde(default)]
    pub meta_business_agent: u64,
}

impl FreeCounts {
    fn add(&mut self, o: &FreeCounts) {
        self.service_window += o.service_window;
        self.free_entry_point += o.free_entry_point;
        self.free_form += o.free_form;
        self.free_service += o.free_service;
        self.meta_business_agent += o.meta_business_agent;
    }
}

/// Meta Business Agent messages over the range (delivered ones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentSummary {
    /// Delivered agent messages.
    pub delivered: u64,
    /// Of those, charged (from 2026-08-01 with the default timeline).
    pub charged: u64,
    /// Tokens of the delivered ones whose count is known.
    pub tokens: u64,
    /// Delivered ones whose token count is not known.
    pub without_tokens: u64,
    /// Charged ones priced from Meta's `pricing` object.
    pub priced_by_meta: u64,
    /// Charged ones priced as tokens × the rate card's per-token rate.
    pub priced_by_tokens: u64,
    /// Charged ones without a price (cost zero; the report warns).
    pub unpriced: u64,
    /// Of the unpriced, those Meta priced in a currency other than the report's.
    pub other_currency: u64,
    /// Their cost.
    pub cost: Amount,
}

impl AgentSummary {
    fn add(&mut self, o: &AgentSummary) {
        self.delivered += o.delivered;
        self.charged += o.charged;
        self.tokens = self.tokens.saturating_add(o.tokens);
        self.without_tokens += o.without_tokens;
        self.priced_by_meta += o.priced_by_meta;
        self.priced_by_tokens += o.priced_by_tokens;
        self.unpriced += o.unpriced;
        self.other_currency += o.other_currency;
        self.cost.0 += o.cost.0;
    }
}

/// What billing cost over the range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CostSection {
    /// Total.
    pub total: Amount,
    /// The rate card's currency.
    pub currency: Currency,
    /// By priced category.
    pub by_category: Map<String, Amount>,
    /// By recipient country (`unknown` when not known).
    pub by_country: Map<String, Amount>,
    /// By delivery day (every day of the range).
    pub by_day: Map<NaiveDate, Amount>,
    /// Charged units the rate card has no rate for.
    pub unpriced: u64,
    /// The unpriced units by category, then market (only those with any).
    #[serde(default)]
    pub unpriced_by_category: Map<String, Map<String, u64>>,
}

/// Engine vs Meta.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reconciliation {
    /// Messages whose statuses carried Meta's `pricing` or `conversation`.
    pub checked: u64,
    /// Of those, how many disagree.
    pub mismatched: u64,
    /// Disagreements by field (`model`, `category`, `billable`, `conversation`).
    pub by_field: Map<String, u64>,
    /// Every disagreeing message, in delivery order.
    pub mismatches: Vec<Mismatch>,
}

/// The `billing` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BillingSection {
    /// The pricing model over the range.
    pub model: ModelSpan,
    /// Whether service (free-form) messages are charged over the range: `free`, `charged`
    /// (from 2026-10-01 with the default timeline) or `mixed`.
    pub service: ServiceSpan,
    /// Conversations opened.
    pub conversations: ConversationCounts,
    /// PMP messages charged.
    pub charged_messages: CategoryCounts,
    /// Free messages by reason.
    pub free_messages: FreeCounts,
    /// CBP free-tier service conversations (billable, cost zero).
    pub free_tier_conversations: u64,
    /// Meta Business Agent messages on their own.
    pub meta_business_agent: AgentSummary,
    /// Cost.
    pub cost: CostSection,
    /// Paid units by local weekday of delivery (rows, Monday first) and hour (columns).
    pub heatmap: [[u64; 24]; 7],
    /// Engine vs Meta.
    pub reconciliation: Reconciliation,
}

/// Sent, delivered and billable counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageCounts {
    /// Business messages sent, delivered or not.
    pub sent: u64,
    /// Delivered.
    pub delivered: u64,
    /// Billable units.
    pub billable: u64,
}

impl UsageCounts {
    fn add(&mut self, o: &UsageCounts) {
        self.sent += o.sent;
        self.delivered += o.delivered;
        self.billable += o.billable;
    }
}

/// One calendar month of usage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The range covers only part of the month.
    pub partial: bool,
    /// Business messages sent, delivered or not.
    pub sent: u64,
    /// Delivered.
    pub delivered: u64,
    /// Billable units (CBP conversations, PMP charged messages).
    pub billable: u64,
    /// By recipient country.
    pub by_country: Map<String, UsageCounts>,
    /// By category.
    pub by_category: Map<String, UsageCounts>,
    /// The configured monthly quota.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[cfg_attr(feature = "schema", schemars(with = "u64"))] // never null: absent when None
    pub quota: Option<u64>,
    /// `billable / quota` (absent without a quota or for a zero quota).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))] // never null: absent when None
    pub quota_used: Option<f64>,
    /// `quota − billable`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[cfg_attr(feature = "schema", schemars(with = "i64"))] // never null: absent when None
    pub quota_left: Option<i64>,
}

/// The `usage` section.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsageSection {
    /// The configured monthly quota.
    pub quota: Option<u64>,
    /// One row per calendar month.
    pub months: Vec<UsageMonth>,
}

/// Everything billing contributes to one day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DayBilling {
    conversations: ConversationCounts,
    charged: CategoryCounts,
    free: FreeCounts,
    free_tier: u64,
    cost_by_category: [i64; ChargeCategory::ALL.len()],
    cost_by_country: Map<Option<Country>, i64>,
    /// Paid units by local hour of delivery.
    paid_hours: [u64; 24],
    unpriced: u64,
    unpriced_by: Map<(ChargeCategory, Market), u64>,
    #[serde(with = "crate::util::serde::as_json")]
    agent: AgentSummary,
    checked: u64,
    #[serde(with = "crate::util::serde::as_json")]
    mismatches: Vec<Mismatch>,
    usage: Map<(Option<Country>, Option<ChargeCategory>), UsageCounts>,
}

/// One count added (`s = 1`) or taken out (`s = -1`).
fn step1(x: &mut u64, s: i64) {
    crate::util::step(x, 1, s);
}

fn bump_category(c: &mut CategoryCounts, g: ChargeCategory, s: i64) {
    step1(
        match g {
            ChargeCategory::Marketing => &mut c.marketing,
            ChargeCategory::Utility => &mut c.utility,
            ChargeCategory::Authentication => &mut c.authentication,
            ChargeCategory::Service => &mut c.service,
            ChargeCategory::BusinessAgent => &mut c.meta_business_agent,
        },
        s,
    );
}

/// How many charged messages of a day and country `cost_by_country` holds an entry for
/// (an entry exists while one does, even at cost zero): kept beside the days, so that
/// taking a user out removes exactly the entries a fresh build would not have.
pub(crate) type CountryRefs = hashbrown::HashMap<(NaiveDate, Option<Country>), u32>;

/// Add (`s = 1`) or take out (`s = -1`) what one user's priced charges contribute to the
/// days in the report's zone, keeping only the report's business number: conversations
/// by opening day, usage by sending and delivery day, charges, free reasons and costs by
/// delivery day, and the reconciliation of the `checked` messages (indices into
/// `bill.messages`) with their `mismatches`. Taking out what was added leaves the days
/// exactly as if the user had never been added (entries at zero and empty days removed),
/// so the days equal a fresh build whatever order users came and went in.
///
/// `other` is the same user's bill on the other side of the change (the new one when
/// taking out, the old one when adding), when there is one: every contribution is a sum
/// of one conversation's, one message's or one check's, so those equal in both bills
/// (the conversations and messages before the first that differs, and the checks and
/// mismatches of those messages that both bills have) are skipped on both sides. A user
/// with one new message costs that message, not their history.
pub(crate) fn apply_user(
    ctx: &Scope<'_>,
    days: &mut Map<NaiveDate, DayBilling>,
    refs: &mut CountryRefs,
    (bill, other): (&super::live::UserBill, Option<&super::live::UserBill>),
    s: i64,
) {
    let tz = ctx.range.tz;
    let mut seen: Vec<NaiveDate> = Vec::new();
    let uc = &bill.charges;
    let (same_convs, same_msgs) = other.map_or((0, 0), |o| {
        (
            common_prefix(&uc.conversations, &o.charges.conversations),
            common_prefix(&uc.messages, &o.charges.messages),
        )
    });
    for c in uc.conversations[same_convs..]
        .iter()
        .filter(|c| ctx.phone_ok(c.phone))
    {
        let d = days_entry(days, day_in(c.opened_at, tz), s, &mut seen);
        let n = &mut d.conversations;
        step1(
            match c.kind {
                ConversationKind::Marketing => &mut n.marketing,
                ConversationKind::Utility => &mut n.utility,
                ConversationKind::Authentication => &mut n.authentication,
                ConversationKind::Service => &mut n.service,
                ConversationKind::FreeEntryPoint => &mut n.free_entry_point,
            },
            s,
        );
    }
    for m in uc.messages[same_msgs..]
        .iter()
        .filter(|m| ctx.phone_ok(m.phone))
    {
        let key = (
            m.country,
            ChargeCategory::of(m.category).filter(|_| m.counted()),
        );
        let d = days_entry(days, day_in(m.sent_at(), tz), s, &mut seen);
        step1(&mut d.usage.entry(key).or_default().sent, s);
        if let Some(at) = m.delivered_at() {
            let on = day_in(at, tz);
            let d = days_entry(days, on, s, &mut seen);
            add_delivered(d, m, (at, tz, s), key);
            if m.charged() {
                count_country(d, refs, (on, m.country), s);
            }
        }
    }
    // A check or mismatch of a message both bills share is the same in both when both
    // have it.
    let shared = |i: u32| (i as usize) < same_msgs;
    // (`checked` is in delivery order: sorted here to look indices up.)
    let other_checked: Vec<u32> = other.map_or_else(Vec::new, |o| {
        let mut c: Vec<u32> = o.checked.iter().copied().filter(|i| shared(*i)).collect();
        c.sort_total();
        c
    });
    for &i in &bill.checked {
        if shared(i) && other_checked.binary_search(&i).is_ok() {
            continue;
        }
        let m = &uc.messages[i as usize];
        if let (true, Some(at)) = (ctx.phone_ok(m.phone), m.delivered_at()) {
            step1(
                &mut days_entry(days, day_in(at, tz), s, &mut seen).checked,
                s,
            );
        }
    }
    for (i, mm) in &bill.mismatches {
        if shared(*i) && other.is_some_and(|o| o.mismatches.iter().any(|(j, x)| j == i && x == mm))
        {
            continue;
        }
        let m = &uc.messages[*i as usize];
        if let (true, Some(at)) = (ctx.phone_ok(m.phone), m.delivered_at()) {
            let d = days_entry(days, day_in(at, tz), s, &mut seen);
            place_mismatch(&mut d.mismatches, mm, s);
        }
    }
    for d in seen {
        tidy(days, d);
    }
}

/// How many leading items `a` and `b` have equal.
fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The day's aggregate, noting the day in `seen` when taking out (to tidy it afterwards).
fn days_entry<'d>(
    days: &'d mut Map<NaiveDate, DayBilling>,
    d: NaiveDate,
    s: i64,
    seen: &mut Vec<NaiveDate>,
) -> &'d mut DayBilling {
    if s < 0 && !seen.contains(&d) {
        seen.push(d);
    }
    days.entry(d).or_default()
}

/// Note one charged message of `(day, country)`: the country's cost entry exists while any does.
fn count_country(
    d: &mut DayBilling,
    refs: &mut CountryRefs,
    at: (NaiveDate, Option<Country>),
    s: i64,
) {
    let n = refs.entry(at).or_default();
    *n = n.wrapping_add_signed(s as i32);
    if *n == 0 {
        refs.remove(&at);
        d.cost_by_country.remove(&at.1);
    }
}

/// Insert (`s = 1`) a mismatch in delivery order (ties by message id), or remove it.
fn place_mismatch(list: &mut Vec<Mismatch>, mm: &Mismatch, s: i64) {
    fn key(x: &Mismatch) -> (i64, &str) {
        (x.delivered_at, x.message_id.as_str())
    }
    let at = list.partition_point(|x| key(x) < key(mm));
    if s > 0 {
        list.insert(at, mm.clone());
    } else if let Some(i) = list[at..].iter().position(|x| x == mm) {
        list.remove(at + i);
    }
}

/// Remove a day's entries at zero, and the day when nothing is left.
fn tidy(days: &mut Map<NaiveDate, DayBilling>, day: NaiveDate) {
    let Some(d) = days.get_mut(&day) else { return };
    d.usage.retain(|_, u| *u != UsageCounts::default());
    d.unpriced_by.retain(|_, n| *n != 0);
    if *d == DayBilling::default() {
        days.remove(&day);
    }
}

/// Count one delivered message (`s = 1`, or take it out: `s = -1`) on its delivery day
/// `d`, delivered at `at` in zone `tz`: usage, charges, free reasons, costs.
fn add_delivered(
    d: &mut DayBilling,
    m: &MessageCharge,
    (at, tz, s): (i64, chrono_tz::Tz, i64),
    key: (Option<Country>, Option<ChargeCategory>),
) {
    let u = d.usage.entry(key).or_default();
    step1(&mut u.delivered, s);
    if m.charged() {
        step1(&mut u.billable, s);
    }
    if !m.counted() {
        return;
    }
    let group = ChargeCategory::of(m.category).unwrap_or(ChargeCategory::Marketing);
    if group == ChargeCategory::BusinessAgent {
        add_agent(&mut d.agent, m, s);
    }
    if m.charged() {
        // Agent messages are charged per message under either model.
        if m.model == Some(PricingModel::Pmp) || group == ChargeCategory::BusinessAgent {
            bump_category(&mut d.charged, group, s);
        }
        if m.free_tier() {
            step1(&mut d.free_tier, s);
        } else {
            step1(&mut d.paid_hours[local(at, tz).hour() as usize], s);
            if m.unpriced() {
                step1(&mut d.unpriced, s);
                step1(d.unpriced_by.entry((group, m.market)).or_default(), s);
            }
        }
        d.cost_by_category[group as usize] += s * m.cost;
        *d.cost_by_country.entry(m.country).or_default() += s * m.cost;
    }
    let free = &mut d.free;
    match m.free {
        Some(FreeReason::ServiceWindow) => step1(&mut free.service_window, s),
        Some(FreeReason::FreeEntryPoint) => step1(&mut free.free_entry_point, s),
        Some(FreeReason::FreeForm) => step1(&mut free.free_form, s),
        Some(FreeReason::FreeService) => step1(&mut free.free_service, s),
        Some(FreeReason::BusinessAgent) => step1(&mut free.meta_business_agent, s),
        None => {}
    }
}

/// Count one delivered Meta Business Agent message (`s = 1`), or take it out (`s = -1`).
fn add_agent(a: &mut AgentSummary, m: &MessageCharge, s: i64) {
    step1(&mut a.delivered, s);
    match m.tokens() {
        Some(t) if s > 0 => a.tokens = a.tokens.saturating_add(t),
        Some(t) => a.tokens = a.tokens.saturating_sub(t),
        None => step1(&mut a.without_tokens, s),
    }
    if !m.charged() {
        return;
    }
    step1(&mut a.charged, s);
    a.cost.0 += s * m.cost;
    match m.price_source {
        Some(PriceSource::MetaPricing) => step1(&mut a.priced_by_meta, s),
        Some(PriceSource::Tokens) => step1(&mut a.priced_by_tokens, s),
        _ => {
            step1(&mut a.unpriced, s);
            if m.meta_price().is_some() {
                step1(&mut a.other_currency, s);
            }
        }
    }
}

/// The `billing` section over the context's range.
pub(crate) fn billing_section(
    ctx: &Scope<'_>,
    timeline: &Timeline,
    currency: Currency,
    days: &Map<NaiveDate, DayBilling>,
) -> BillingSection {
    let range = ctx.range;
    let mut sec = BillingSection {
        model: timeline.model_span(range.from, range.to),
        service: timeline.service_span(range.from, range.to),
        conversations: ConversationCounts::default(),
        charged_messages: CategoryCounts::default(),
        free_messages: FreeCounts::default(),
        free_tier_conversations: 0,
        meta_business_agent: AgentSummary::default(),
        cost: CostSection {
            currency,
            ..CostSection::default()
        },
        heatmap: [[0; 24]; 7],
        reconciliation: Reconciliation::default(),
    };
    let mut by_category = [0i64; ChargeCategory::ALL.len()];
    let mut by_country: Map<String, i64> = Map::new();
    let country_key =
        |c: &Option<Country>| c.as_ref().map_or("unknown", Country::as_str).to_string();
    for day in range.iter_days() {
        let Some(agg) = days.get(&day) else {
            sec.cost.by_day.insert(day, Amount(0));
            continue;
        };
        sec.conversations.add(&agg.conversations);
        sec.charged_messages.add(&agg.charged);
        sec.free_messages.add(&agg.free);
        sec.free_tier_conversations += agg.free_tier;
        sec.meta_business_agent.add(&agg.agent);
        sec.cost.unpriced += agg.unpriced;
        let row = &mut sec.heatmap[day.weekday().num_days_from_monday() as usize];
        for (x, n) in row.iter_mut().zip(agg.paid_hours) {
            *x += n;
        }
        for ((g, market), n) in &agg.unpriced_by {
            *sec.cost
                .unpriced_by_category
                .entry(g.as_str().to_string())
                .or_default()
                .entry(market.as_str().to_string())
                .or_default() += n;
        }
        for (sum, v) in by_category.iter_mut().zip(agg.cost_by_category) {
            *sum += v;
        }
        for (k, v) in &agg.cost_by_country {
            *by_country.entry(country_key(k)).or_default() += v;
        }
        sec.cost
            .by_day
            .insert(day, Amount(agg.cost_by_category.iter().sum()));
        let rec = &mut sec.reconciliation;
        rec.checked += agg.checked;
        for mm in &agg.mismatches {
            rec.mismatched += 1;
            for field in &mm.fields {
                *rec.by_field.entry(field.clone()).or_default() += 1;
            }
            rec.mismatches.push(mm.clone());
        }
    }
    sec.cost.total = Amount(by_category.iter().sum());
    sec.cost.by_category = ChargeCategory::ALL
        .iter()
        .map(|g| (g.as_str().to_string(), Amount(by_category[*g as usize])))
        .collect();
    sec.cost.by_country = by_country
        .into_iter()
        .map(|(k, v)| (k, Amount(v)))
        .collect();
    sec
}

/// What the `billing` section left out, for the report's `warnings`: charged units without a
/// rate (by category, naming up to five markets), and Meta Business Agent messages without
/// a price (never silently free). `rate_card`: whether the config has a card.
pub(crate) fn warnings(sec: &BillingSection, rate_card: bool) -> Vec<String> {
    let mut out = Vec::new();
    let agent = &sec.meta_business_agent;
    let others: u64 = sec
        .cost
        .unpriced_by_category
        .iter()
        .filter(|(g, _)| *g != ChargeCategory::BusinessAgent.as_str())
        .flat_map(|(_, m)| m.values())
        .sum();
    if !rate_card && others > 0 {
        out.push(format!(
            "no rate card is configured: {} unpriced, counting zero in the cost",
            count(others, "charged unit is", "charged units are")
        ));
    }
    for (g, markets) in &sec.cost.unpriced_by_category {
        if !rate_card || g == ChargeCategory::BusinessAgent.as_str() {
            continue;
        }
        let n: u64 = markets.values().sum();
        let mut by: Vec<(&String, &u64)> = markets.iter().collect();
        by.stable_sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut names: Vec<String> = by.iter().take(5).map(|(m, k)| format!("{m} {k}")).collect();
        if by.len() > 5 {
            names.push(format!("{} more markets", by.len() - 5));
        }
        out.push(format!(
            "{} no rate on the rate card and count zero in the cost ({})",
            count(
                n,
                &format!("charged {g} unit has"),
                &format!("charged {g} units have")
            ),
            names.join(", ")
        ));
    }
    if agent.unpriced > 0 {
        let mut w = format!(
            "{} unpriced and count zero in the cost: \
             no price in Meta's pricing object, and no token count with a meta_business_agent \
             per-token rate on the rate card",
            count(
                agent.unpriced,
                "charged Meta Business Agent message is",
                "charged Meta Business Agent messages are"
            )
        );
        if agent.other_currency > 0 {
            let _ = write!(
                w,
                " ({} of them priced by Meta in a currency other than {}, which convolens does not convert)",
                agent.other_currency, sec.cost.currency
            );
        }
        out.push(w);
    }
    out
}

/// `n` and the singular or plural phrase after it.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The `usage` section over the context's range.
pub(crate) fn usage_section(ctx: &Scope<'_>, days: &Map<NaiveDate, DayBilling>) -> UsageSection {
    let r = ctx.range;
    let quota = ctx.config.quota;
    let mut months: Vec<UsageMonth> = Vec::new();
    for day in r.iter_days() {
        let key = format!("{:04}-{:02}", day.year(), day.month());
        if months.last().is_none_or(|m| m.month != key) {
            let first = day.with_day(1).unwrap_or(day);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first);
            months.push(UsageMonth {
                month: key,
                partial: first < r.from || next > r.to,
                sent: 0,
                delivered: 0,
                billable: 0,
                by_country: Map::new(),
                by_category: Map::new(),
                quota,
                quota_used: None,
                quota_left: None,
            });
        }
        let Some(d) = days.get(&day) else { continue };
        let Some(m) = months.last_mut() else { continue };
        for ((country, category), u) in &d.usage {
            m.sent += u.sent;
            m.delivered += u.delivered;
            m.billable += u.billable;
            let country = country
                .as_ref()
                .map_or("unknown", Country::as_str)
                .to_string();
            m.by_country.entry(country).or_default().add(u);
            let category = category
                .map_or("unknown", ChargeCategory::as_str)
                .to_string();
            m.by_category.entry(category).or_default().add(u);
        }
    }
    for m in &mut months {
        if let Some(q) = quota {
            m.quota_used = (q > 0).then(|| m.billable as f64 / q as f64);
            m.quota_left = Some(
                i64::try_from(q).unwrap_or(i64::MAX)
                    - i64::try_from(m.billable).unwrap_or(i64::MAX),
            );
        }
    }
    UsageSection { quota, months }
}

#[cfg(test)]
mod tests {
    use super::Amount;

    /// An amount is read as a decimal number in major units, or as a string of one
    /// (`decimal_micros`): 0.1365 is 0.1365 × 1,000,000 = 136,500 micros, `"2.5"` is
    /// 2,500,000, -0.01 is -10,000. The numbers around it in the array are read too, so an
    /// amount that left its number unread would fail the array.
    #[test]
    fn an_amount_reads_major_units_from_a_number_or_a_string() {
        let v: Vec<Amount> = serde_json::from_str(r#"[0.1365, "2.5", -0.01]"#).unwrap();
        assert_eq!(v, [Amount(136_500), Amount(2_500_000), Amount(-10_000)]);
    }

    /// The report's schema describes every amount in place as what it is written as: a
    /// JSON number of major units (`MajorUnits` under the serialising contract: `"type":
    /// "number"`, `"format": "major_units"`), with no `$defs` entry of its own that the
    /// bindings' generated types would turn into a named type.
    #[cfg(feature = "schema")]
    #[test]
    fn the_report_schema_describes_an_amount_inline_as_a_number_of_major_units() {
        let s = crate::schema::report();
        let total = &s["$defs"]["CostSection"]["properties"]["total"];
        assert_eq!(total["type"], "number", "{total}");
        assert_eq!(total["format"], "major_units", "{total}");
        assert!(total.get("$ref").is_none(), "{total}");
        assert!(s["$defs"].get("Amount").is_none());
    }
}
