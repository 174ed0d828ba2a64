#![doc = include_str!("../guide/report/prepared.md")]

use crate::attribution::CreditDays;
use crate::attribution::{Attribution, attribute};
use crate::billing::{BillingDays, Charges};
use crate::config::ModelName;
use crate::engagement::TemplateMoney;
use crate::error::ReportError;
use crate::model::money::Currency;
use crate::report::Past;
use crate::scope::Scope;
use crate::sources::{Analysis, EventDays, SourceDays, analyse};
use crate::store::PhoneIx;
use crate::util::time::{everything, splice_days};
use chrono::NaiveDate;
use chrono_tz::Tz;

/// Day aggregates of every range-dependent section, for one (zone, number filter, model).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[doc(hidden)]
pub struct Prepared {
    key: PrepKey,
    /// Billing and usage by day.
    pub(crate) billing: BillingDays,
    /// Conversations by (start day, source).
    pub(crate) sources: SourceDays,
    /// The attributed events by day under the model, when it is range-independent.
    pub(crate) credits: Option<CreditDays>,
    /// Template and campaign costs (and, with `credits`, conversions) by send day.
    pub(crate) money: TemplateMoney,
    /// Every event by day.
    pub(crate) events: EventDays,
}

/// What a preparation depends on besides the engine's state.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct PrepKey {
    #[serde(with = "crate::util::serde::tz_name")]
    tz: Tz,
    phone: Option<PhoneIx>,
    phone_unknown: bool,
    model: ModelName,
    conversion_event: Option<Box<str>>,
    currency: Currency,
}

impl PrepKey {
    /// The key of a report context.
    fn of(ctx: &Scope<'_>) -> PrepKey {
        PrepKey {
            tz: ctx.range.tz,
            phone: ctx.phone,
            phone_unknown: ctx.phone_unknown,
            model: ctx.model,
            conversion_event: ctx.conversion_event.map(Into::into),
            currency: ctx.currency,
        }
    }
}

/// `(opening message, event time, micro-conversions, value)` for every credit of `att`.
pub(crate) fn opening_credits<'a>(
    analysis: &'a Analysis,
    att: &'a Attribution,
) -> impl Iterator<Item = (crate::store::MsgIx, i64, i64, i64)> + 'a {
    att.events.iter().flat_map(move |e| {
        e.credits.iter().map(move |c| {
            (
                analysis.conversations[c.conversation].opening,
                e.ts,
                c.count,
                c.value,
            )
        })
    })
}

impl Prepared {
    /// Prepare the context's zone, number filter and model (its range is not used).
    pub fn build(ctx: &Scope<'_>, past: Option<&Past<'_>>) -> Result<Prepared, ReportError> {
        Ok(Prepared::build_with_charges(ctx, past)?.0)
    }

    /// [`Prepared::build`], also returning the per-message charges billing computed.
    pub(crate) fn build_with_charges(
        ctx: &Scope<'_>,
        past: Option<&Past<'_>>,
    ) -> Result<(Prepared, Charges), ReportError> {
        let (billing, charges) = BillingDays::build(ctx, past.map(|p| p.tallies))?;
        let mut money = TemplateMoney::default();
        money.add_costs(ctx, charges.messages.iter().map(|m| (m.msg, m.cost.micros)));
        let analysis = analyse(ctx);
        let sources = SourceDays::build(ctx, &analysis);
        let events = EventDays::build(ctx, &analysis);
        let credits = if ctx.model.range_independent() {
            let att = attribute(
                &analysis,
                &everything(ctx.range.tz),
                &ctx.config.attribution,
                ctx.model,
            )?;
            money.add_credits(ctx, opening_credits(&analysis, &att));
            Some(CreditDays::build(ctx, &analysis, &att))
        } else {
            None
        };
        let mut p = Prepared {
            key: PrepKey::of(ctx),
            billing,
            sources,
            credits,
            money,
            events,
        };
        if let Some(x) = past.filter(|x| x.serves(ctx)) {
            p.splice(&x.sealed.prepared, x.until);
        }
        Ok((p, charges))
    }

    /// Keep only the days before `until` (what [`crate::expiry`](crate::guide::expiry) seals).
    pub(crate) fn keep_before(&mut self, until: NaiveDate) {
        self.billing.days.split_off(&until);
        self.sources.days.split_off(&until);
        if let Some(c) = &mut self.credits {
            c.days.split_off(&until);
        }
        self.money.keep_before(until);
        self.events.keep_before(until);
    }

    /// Replace the days before `until` with those of `sealed` (a preparation of the same
    /// zone, numbers and model), and add the sources only sealed days had.
    pub(crate) fn splice(&mut self, sealed: &Prepared, until: NaiveDate) {
        splice_days(&mut self.billing.days, &sealed.billing.days, until);
        self.sources.splice(&sealed.sources, until);
        if let (Some(live), Some(old)) = (&mut self.credits, &sealed.credits) {
            splice_days(&mut live.days, &old.days, until);
        }
        self.money.splice(&sealed.money, until);
        self.events.splice(&sealed.events, until);
    }

    /// The report currency the preparation's money is in.
    pub(crate) fn currency(&self) -> Currency {
        self.key.currency
    }

    /// Whether this preparation answers reports of `ctx` (same zone, number filter and
    /// model; the caller keeps it only while the engine's state is unchanged).
    pub(crate) fn fits(&self, ctx: &Scope<'_>) -> bool {
        self.key == PrepKey::of(ctx)
    }
}
