//! Billing: what Meta charges for business messages (semantics §2).
//!
//! Where each rule lives:
//!
//! | concept | module |
//! |---|---|
//! | the pricing timeline: which rules hold on which day (CBP, PMP, free service, tiers, agent messages, 2026-10-01 service charges) | [`crate::model::pricing`] |
//! | the customer service window and the free entry point window; "can I send free-form now?" | [`windows`] |
//! | rate cards, tier bands, per-token agent rates | [`crate::model::rates`] |
//! | the dated country→market table | [`crate::model::country`] |
//! | the per-user fold (conversations, free reasons) and the monthly pricing pass (tiers, free tier, cost) | [`charges`] |
//! | engine vs Meta's `pricing` / `conversation` objects | [`reconcile`] |
//! | the `billing` and `usage` report sections | [`sections`] |
//! | their rendering in the text dashboard | `report/text/billing.rs` |
//!
//! # The rules (semantics §2, quoted)
//!
//! - "Pricing is a timeline of date-effective rules, data rather than code."
//! - "**Conversation-based pricing (CBP), before 2025-07-01.** A conversation is a 24-hour
//!   window per (business number, user, category), categories marketing, utility,
//!   authentication, service. It opens when the first business message of that category is
//!   *delivered* and no conversation of that category is open. A template of a different
//!   category opens a second, concurrent conversation (seed 004 FAQ). A free-form message
//!   opens a service conversation only if the customer service window is open (the user
//!   wrote in the last 24 h) and no conversation of any category is open; otherwise it rides
//!   the open one. Since 2024-11-01 service conversations are free (before that, the first
//!   1,000 per month were, the 'free tier'). A user who arrives through a CTWA ad or a Page
//!   call-to-action and is answered within 24 h gets a **free entry point** conversation
//!   lasting 72 h from that reply's delivery: it closes every other open conversation, every
//!   business message in it is free, and nothing else opens until it expires."
//! - "**Per-message pricing (PMP), from 2025-07-01.** Each delivered template is charged by
//!   its category; free-form (service) messages are free; a utility template delivered while
//!   the customer service window is open is free; everything delivered inside a free entry
//!   point window (72 h from the business's reply, sent within 24 h of the CTWA/Page-CTA
//!   message) is free. The customer service window runs independently of it. Utility and
//!   authentication rates fall in volume tiers: charged messages per calendar month per
//!   market and category (business time zone), priced by the band they fall in."
//! - "**Since 2026-10-01 (in force by default).** Free-form service messages delivered
//!   inside the customer service window are charged per message at the market's service
//!   rate, and utility templates delivered inside the window are charged too; the free entry
//!   point stays free. [...] Meta Business Agent messages (Meta's own AI agent, from
//!   2026-07-01) are a category of their own, billed per token from 2026-08-01: priced from
//!   Meta's pricing object or a per-token rate, else reported as unpriced with a warning.
//!   Every such change is timeline data a config can switch or move, never code." — the
//!   built-in entries `service_charged_2026_10` and `business_agent_2026_08`, on by default;
//!   `"pricing_timeline": [{"name": "service_charged_2026_10", "enabled": false}]` switches
//!   the first off, `"effective_from"` moves either.
//! - "**Customer service window**: 24 h from the user's latest inbound message, reset by each."
//! - "**Price** = rate(market, category, date[, tier]) from a rate card. The market comes
//!   from the recipient's number [...] the country→market table itself changes over time
//!   (Zimbabwe moved to Rest of Africa on 2025-10-01; on 2026-10-01 Bangladesh, Iraq, Nepal,
//!   Sri Lanka, Kazakhstan, Kuwait, Morocco, Oman and Ukraine became standalone markets,
//!   each with an authentication-international rate) [...] Failed messages are never
//!   charged."
//! - "When a status carries Meta's own `pricing` / `conversation` objects, the engine keeps
//!   them and reports where its prediction disagrees (reconciliation)."
//! - "**Usage** (seed 004): per calendar month, billable conversations (CBP) or charged
//!   messages (PMP) and delivered messages, split by country and category, against a quota.
//!   'Overall' counts every message sent, delivered or not; 'usage' counts delivered only."
//!
//! How the engine reads them where the text is silent (window edges, which instant counts,
//! messages without a business number, ties) is written down in each module's *Rules*.
//!
//! # Which rules apply to which dates (default timeline)
//!
//! | delivered | model | service (free-form) | utility in the service window | Meta Business Agent | markets |
//! |---|---|---|---|---|---|
//! | before 2024-11-01 | CBP | service conversations charged, first 1,000 a month free | (a utility conversation) | — | 2025 table |
//! | 2024-11-01 – 2025-06-30 | CBP | free | (a utility conversation) | — | 2025 table |
//! | 2025-07-01 – 2026-07-31 | PMP | free | free | free (launched 2026-07-01) | Zimbabwe in Rest of Africa from 2025-10-01 |
//! | 2026-08-01 – 2026-09-30 | PMP | free | free | charged per token | |
//! | from 2026-10-01 | PMP | **charged** at the service rate | **charged** | charged per token | nine new standalone markets |
//!
//! The free entry point window keeps everything but agent messages free throughout. Each
//! built-in entry, with its date, what it sets and its source, is listed in [`crate::model::pricing`].
//!
//! # Configuration
//!
//! ```json
//! {
//!   "time_zone": "Europe/Berlin",
//!   "rate_card": "rate-card.example.csv",
//!   "pricing_timeline": [{"name": "service_charged_2026_10", "enabled": false}],
//!   "markets": [{"country": "ZW", "market": "Rest of Africa", "effective_from": "2025-10-01"}],
//!   "quota": 100000
//! }
//! ```
//!
//! `time_zone` is the business's zone: it dates timeline entries, rates and market changes,
//! and bounds the months of volume tiers and the free tier. Costs are in the rate card's
//! currency (without a card, the report currency, and every charged unit is unpriced).

pub mod charges;
pub mod reconcile;
pub(crate) mod rows;
pub mod sections;

pub mod windows;

pub(crate) use charges::{Charges, Tallies, compute, tally};
pub use reconcile::{BillingView, Mismatch};
pub use sections::{
    Amount, BillingSection, CategoryCounts, ConversationCounts, CostSection, FreeCounts,
    Reconciliation, UsageCounts, UsageMonth, UsageSection,
};
pub use windows::WindowState;

use crate::config::Config;
use crate::error::ConfigError;
use crate::model::country::{MarketTable, market_table};
use crate::model::money::Currency;
use crate::model::pricing::Timeline;
use crate::model::rates::{RateCard, RateCardSpec};
use chrono_tz::Tz;

/// Everything billing needs from the config, validated: the timeline, the rate card, the
/// market table, the business time zone and the cost currency.
#[derive(Clone, Debug)]
#[doc(hidden)]
pub struct BillingSetup {
    /// The pricing timeline.
    pub(crate) timeline: Timeline,
    /// The rate card, if configured.
    pub(crate) card: Option<RateCard>,
    /// Country→market.
    pub(crate) markets: MarketTable,
    /// The business time zone.
    pub(crate) tz: Tz,
    /// The currency of costs: the card's, else the config's.
    pub(crate) currency: Currency,
}

impl BillingSetup {
    /// Build from a config. A `rate_card` still given as a path is an error (resolve it
    /// first with [`Config::resolve_rate_card`]).
    pub fn from_config(cfg: &Config) -> Result<BillingSetup, ConfigError> {
        let timeline = Timeline::from_config(&cfg.pricing_timeline)
            .map_err(|m| ConfigError::value("pricing_timeline", m))?;
        let markets = market_table(&cfg.markets).map_err(|m| ConfigError::value("markets", m))?;
        let card = match &cfg.rate_card {
            None => None,
            Some(RateCardSpec::Inline(rows)) => {
                Some(RateCard::from_rows(rows).map_err(|m| ConfigError::value("rate_card", m))?)
            }
            Some(RateCardSpec::Path(p)) => {
                return Err(ConfigError::value(
                    "rate_card",
                    format!("`{p}` is a path; resolve it first with Config::resolve_rate_card"),
                ));
            }
        };
        Ok(BillingSetup {
            timeline,
            currency: card
                .as_ref()
                .map_or(cfg.record_currency(), RateCard::currency),
            card,
            markets,
            tz: cfg.tz()?,
        })
    }
}

/// Billing's range-independent work for one report zone and number filter: the pricing
/// timeline, the cost currency and every day's aggregate. A report over any range sums its
/// days ([`BillingDays::sections`]), so repeated reports cost time proportional to their
/// days, not to the messages ingested.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct BillingDays {
    #[serde(with = "crate::util::serde::as_json")]
    timeline: Timeline,
    currency: Currency,
    pub(crate) days: std::collections::BTreeMap<chrono::NaiveDate, sections::DayBilling>,
}

impl BillingDays {
    /// Price every business message of the store (monthly counts continuing from the
    /// `expired` units) and aggregate the charges by day in the context's zone, keeping the context's number filter (its range is not used). Also
    /// returns the charges, for callers that need them per message.
    pub fn build(
        ctx: &crate::scope::Scope<'_>,
        expired: Option<&Tallies>,
    ) -> Result<(BillingDays, Charges), ConfigError> {
        let mut setup = BillingSetup::from_config(ctx.config)?;
        if setup.card.is_none() {
            // No prices: every charged unit is unpriced, and zero is in the report currency.
            setup.currency = ctx.currency;
        }
        let charges = compute(ctx.store, &setup, expired);
        let days = sections::day_aggregates(ctx, &charges);
        Ok((
            BillingDays {
                timeline: setup.timeline,
                currency: charges.currency,
                days,
            },
            charges,
        ))
    }

    /// The `billing` and `usage` sections over the context's range.
    pub fn sections(&self, ctx: &crate::scope::Scope<'_>) -> (BillingSection, UsageSection) {
        (
            sections::billing_section(ctx, &self.timeline, self.currency, &self.days),
            sections::usage_section(ctx, &self.days),
        )
    }
}
