//! Sealed days: the day aggregates of days an expiry sealed, and what a report over them
//! may and may not ask (the rules are in [`crate::expiry`](crate::guide::expiry)).

use super::Prepared;
use crate::billing::Tallies;
use crate::config::ModelName;
use crate::engagement::{Carries, DayStore};
use crate::error::ReportError;
use crate::scope::{ReportOptions, Scope};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The day aggregates of sealed days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[doc(hidden)]
pub(crate) struct Sealed {
    /// Billing, sources, credits and template money, for the engine's zone, all numbers and
    /// the configured model.
    pub(crate) prepared: Prepared,
    /// Engagement, for the engine's zone.
    pub(crate) days: DayStore,
}

/// What expired history means for a report: the sealed days and what the per-user folds
/// carry past them.
#[derive(Clone, Copy, Debug)]
#[doc(hidden)]
pub struct Past<'a> {
    /// The first day that is not sealed (engine time zone).
    pub(crate) until: NaiveDate,
    /// The first instant of `until`.
    pub(crate) floor: i64,
    /// The zone the days were sealed in.
    pub(crate) tz: Tz,
    /// The attribution model the sealed credits were computed with.
    pub(crate) model: ModelName,
    /// The sealed days' aggregates.
    pub(crate) sealed: &'a Sealed,
    /// Expired charged units per monthly count.
    pub(crate) tallies: &'a Tallies,
    /// What each user's expired history left for engagement.
    pub(crate) carries: &'a Carries,
}

impl<'a> Past<'a> {
    /// Refuse a report that needs sealed days in a form they were not kept in.
    pub(crate) fn check(&self, ctx: &Scope<'_>, opts: &ReportOptions) -> Result<(), ReportError> {
        let (start, _) = ctx.range.instants();
        if start >= self.floor {
            return Ok(());
        }
        let why = if ctx.range.tz != self.tz {
            format!(
                "time zone {} (sealed in {})",
                ctx.range.tz.name(),
                self.tz.name()
            )
        } else if ctx.phone.is_some() || ctx.phone_unknown {
            "a phone filter (sealed for all numbers together)".to_string()
        } else if ctx.model != self.model {
            format!(
                "model {} (sealed under {})",
                ctx.model.as_str(),
                self.model.as_str()
            )
        } else if opts.compare_models {
            "compare_models".to_string()
        } else if let Some(c) = ctx.conversion_event {
            format!("conversion event {c} (sealed under the config's)")
        } else if ctx.currency != self.sealed.prepared.currency() {
            format!(
                "currency {} (sealed in {})",
                ctx.currency,
                self.sealed.prepared.currency()
            )
        } else {
            return Ok(());
        };
        Err(ReportError::Expired(format!(
            "days before {} are sealed; a range starting on {} cannot use {why}",
            self.until, ctx.range.from
        )))
    }

    /// Whether sealed days answer reports of this context (zone, numbers, model,
    /// conversion event and currency).
    pub(crate) fn serves(&self, ctx: &Scope<'_>) -> bool {
        ctx.range.tz == self.tz
            && ctx.phone.is_none()
            && !ctx.phone_unknown
            && ctx.model == self.model
            && ctx.conversion_event.is_none()
            && ctx.currency == self.sealed.prepared.currency()
    }

    /// What engagement needs of it.
    pub(crate) fn engagement(&self) -> crate::engagement::Past<'a> {
        crate::engagement::Past {
            carries: self.carries,
            sealed: &self.sealed.days,
            until: self.until,
        }
    }
}
