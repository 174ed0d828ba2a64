#![doc = include_str!("../guide/billing.md")]

pub(crate) mod charges;
pub(crate) mod live;
pub(crate) mod reconcile;
pub(crate) mod rows;
pub(crate) mod sections;

pub(crate) mod windows;

pub(crate) use charges::{Charges, Tallies, tally};
pub use reconcile::{BillingView, Mismatch};
pub use sections::{
    AgentSummary, Amount, BillingSection, CategoryCounts, ConversationCounts, CostSection,
    FreeCounts, Reconciliation, UsageCounts, UsageMonth, UsageSection,
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
pub(crate) struct BillingSetup {
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
    pub(crate) fn from_config(cfg: &Config) -> Result<BillingSetup, ConfigError> {
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
    pub(crate) days: crate::util::sorted_map::Map<chrono::NaiveDate, sections::DayBilling>,
}

/// What keeps [`BillingDays`] up to date user by user: every live user's priced charges
/// (see [`live`]) and which cost-by-country entries the days hold.
#[derive(Clone, Debug)]
pub(crate) struct BillingTrack {
    live: live::LiveBilling,
    refs: sections::CountryRefs,
}

impl BillingTrack {
    /// The live state.
    pub(crate) fn live(&self) -> &live::LiveBilling {
        &self.live
    }

    /// Its parts and their bytes, measured by cloning each under the caller's allocation
    /// counter `live` (for the memory benchmarks): the kept bills, the unit tallies, and
    /// the rest.
    pub(crate) fn footprint(&self, live: &dyn Fn() -> isize) -> [(&'static str, isize); 3] {
        use crate::store::allocated_by;
        let [bills, tallies] = self.live.footprint(live);
        [
            ("billing: kept bills (charges, checks)", bills),
            ("billing: unit tallies", tallies),
            (
                "billing: the rest",
                allocated_by(live, || self.clone()) - bills - tallies,
            ),
        ]
    }
}

impl BillingDays {
    /// Price every business message of the store (monthly counts continuing from the
    /// `expired` units) and aggregate the charges by day in the context's zone, keeping the
    /// context's number filter (its range is not used). Also returns the charges, for
    /// callers that need them per message.
    pub(crate) fn build(
        ctx: &crate::scope::Scope<'_>,
        expired: Option<&Tallies>,
    ) -> Result<(BillingDays, Charges), ConfigError> {
        let (days, track) = BillingDays::build_tracked(ctx, expired)?;
        Ok((days, track.live.charges()))
    }

    /// [`BillingDays::build`], keeping what [`BillingDays::update`] needs instead of the charges.
    pub(crate) fn build_tracked(
        ctx: &crate::scope::Scope<'_>,
        expired: Option<&Tallies>,
    ) -> Result<(BillingDays, BillingTrack), ConfigError> {
        let mut setup = BillingSetup::from_config(ctx.config)?;
        if setup.card.is_none() {
            // No prices: every charged unit is unpriced, and zero is in the report currency.
            setup.currency = ctx.currency;
        }
        let mut track = BillingTrack {
            live: live::LiveBilling::new(setup, expired),
            refs: sections::CountryRefs::new(),
        };
        let mut days = BillingDays {
            timeline: track.live.setup().timeline.clone(),
            currency: track.live.setup().currency,
            days: crate::util::sorted_map::Map::new(),
        };
        days.update(&mut track, ctx, None);
        Ok((days, track))
    }

    /// Bring the days up to date for the users of `changed` (the store's journal; `None`:
    /// every live user, on a fresh state). The days then equal a fresh build's.
    pub(crate) fn update(
        &mut self,
        track: &mut BillingTrack,
        ctx: &crate::scope::Scope<'_>,
        changed: Option<&[crate::store::UserIx]>,
    ) -> live::Changed {
        let (days, refs) = (&mut self.days, &mut track.refs);
        track
            .live
            .update(ctx.store, changed, &mut |bill, other, s| {
                sections::apply_user(ctx, days, refs, (bill, other), s);
            })
    }

    /// The `billing` and `usage` sections over the context's range.
    pub(crate) fn sections(&self, ctx: &crate::scope::Scope<'_>) -> (BillingSection, UsageSection) {
        (
            sections::billing_section(ctx, &self.timeline, self.currency, &self.days),
            sections::usage_section(ctx, &self.days),
        )
    }
}
