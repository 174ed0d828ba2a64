#![doc = include_str!("../guide/model/pricing.md")]

use crate::model::PricingModel;
use crate::util::sort::SortSlice as _;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The billing rules in force on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct Rules {
    /// The pricing model: conversation-based (`CBP`) or per-message (`PMP`).
    pub(crate) model: PricingModel,
    /// CBP: "A conversation is a 24-hour window per (business number, user, category)".
    pub(crate) conversation_hours: u32,
    /// "Customer service window: 24 h from the user's latest inbound message, reset by each."
    pub(crate) service_window_hours: u32,
    /// "A user who arrives through a CTWA ad or a Page call-to-action and is answered within
    /// 24 h gets a free entry point conversation lasting 72 h from that reply's delivery":
    /// the 72.
    pub(crate) free_entry_hours: u32,
    /// The 24 of the same rule: how long after the CTWA / Page-CTA message the business's
    /// reply may be delivered and still open a free entry point window.
    pub(crate) free_entry_reply_hours: u32,
    /// CBP: service conversations cost nothing ("Since 2024-11-01 service conversations are
    /// free"). PMP: free-form (service) messages cost nothing ("free-form (service) messages
    /// are free").
    pub(crate) service_free: bool,
    /// CBP: the first this-many service conversations per calendar month cost nothing ("the
    /// first 1,000 per month were, the 'free tier'"). Meta still calls them billable.
    pub(crate) service_free_tier: u32,
    /// PMP: "a utility template delivered while the customer service window is open is free".
    pub(crate) utility_free_in_service_window: bool,
    /// PMP: "Utility and authentication rates fall in volume tiers: charged messages per
    /// calendar month per market and category (business time zone), priced by the band they
    /// fall in."
    pub(crate) volume_tiers: bool,
    /// "Meta Business Agent messages [...] are a category of their own, billed per token
    /// from 2026-08-01": when false, delivered agent messages cost nothing (free reason
    /// `meta_business_agent`); when true each is charged, even inside a free entry point
    /// window.
    #[serde(default)]
    pub(crate) business_agent_charged: bool,
}

impl Rules {
    /// Conversation-based pricing as it stood before any timeline entry (Meta's four
    /// conversation categories, June 2022 on): 24-hour conversations and service window,
    /// 72-hour free entry point answered within 24 h, service conversations charged with the
    /// first 1,000 per month free, no volume tiers.
    pub(crate) const BASELINE: Rules = Rules {
        model: PricingModel::Cbp,
        conversation_hours: 24,
        service_window_hours: 24,
        free_entry_hours: 72,
        free_entry_reply_hours: 24,
        service_free: false,
        service_free_tier: 1_000,
        utility_free_in_service_window: false,
        volume_tiers: false,
        business_agent_charged: false,
    };

    /// Apply the rules an entry sets.
    pub(crate) fn apply(&mut self, p: &RulePatch) {
        if let Some(v) = p.model {
            self.model = v;
        }
        if let Some(v) = p.conversation_hours {
            self.conversation_hours = v;
        }
        if let Some(v) = p.service_window_hours {
            self.service_window_hours = v;
        }
        if let Some(v) = p.free_entry_hours {
            self.free_entry_hours = v;
        }
        if let Some(v) = p.free_entry_reply_hours {
            self.free_entry_reply_hours = v;
        }
        if let Some(v) = p.service_free {
            self.service_free = v;
        }
        if let Some(v) = p.service_free_tier {
            self.service_free_tier = v;
        }
        if let Some(v) = p.utility_free_in_service_window {
            self.utility_free_in_service_window = v;
        }
        if let Some(v) = p.volume_tiers {
            self.volume_tiers = v;
        }
        if let Some(v) = p.business_agent_charged {
            self.business_agent_charged = v;
        }
    }

    /// [`Rules::conversation_hours`] in seconds.
    pub(crate) fn conversation_secs(&self) -> i64 {
        i64::from(self.conversation_hours) * crate::util::time::HOUR
    }

    /// [`Rules::service_window_hours`] in seconds.
    pub(crate) fn service_window_secs(&self) -> i64 {
        i64::from(self.service_window_hours) * crate::util::time::HOUR
    }

    /// [`Rules::free_entry_hours`] in seconds.
    pub(crate) fn free_entry_secs(&self) -> i64 {
        i64::from(self.free_entry_hours) * crate::util::time::HOUR
    }

    /// [`Rules::free_entry_reply_hours`] in seconds.
    pub(crate) fn free_entry_reply_secs(&self) -> i64 {
        i64::from(self.free_entry_reply_hours) * crate::util::time::HOUR
    }
}

/// What a timeline entry changes: each rule it names, the others untouched. The JSON keys are
/// the field names of `Rules`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RulePatch {
    /// See `Rules::model` (`"CBP"` or `"PMP"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<PricingModel>,
    /// See `Rules::conversation_hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_hours: Option<u32>,
    /// See `Rules::service_window_hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_window_hours: Option<u32>,
    /// See `Rules::free_entry_hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_entry_hours: Option<u32>,
    /// See `Rules::free_entry_reply_hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_entry_reply_hours: Option<u32>,
    /// See `Rules::service_free`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_free: Option<bool>,
    /// See `Rules::service_free_tier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_free_tier: Option<u32>,
    /// See `Rules::utility_free_in_service_window`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utility_free_in_service_window: Option<bool>,
    /// See `Rules::volume_tiers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_tiers: Option<bool>,
    /// See `Rules::business_agent_charged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_agent_charged: Option<bool>,
}

impl RulePatch {
    const NONE: RulePatch = RulePatch {
        model: None,
        conversation_hours: None,
        service_window_hours: None,
        free_entry_hours: None,
        free_entry_reply_hours: None,
        service_free: None,
        service_free_tier: None,
        utility_free_in_service_window: None,
        volume_tiers: None,
        business_agent_charged: None,
    };

    /// Whether the patch sets nothing.
    pub fn is_empty(&self) -> bool {
        *self == RulePatch::NONE
    }

    fn validate(&self) -> Result<(), String> {
        let hours = [
            ("conversation_hours", self.conversation_hours),
            ("service_window_hours", self.service_window_hours),
            ("free_entry_hours", self.free_entry_hours),
            ("free_entry_reply_hours", self.free_entry_reply_hours),
        ];
        for (k, v) in hours {
            if let Some(h) = v {
                if h == 0 || h > 24 * 366 {
                    return Err(format!("`{k}` must be between 1 and 8784"));
                }
            }
        }
        Ok(())
    }
}

/// A built-in timeline entry: one of Meta's dated pricing changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BuiltinEntry {
    /// The name a config entry uses to change it.
    pub(crate) name: &'static str,
    /// First day it applies (business time zone).
    pub(crate) effective_from: NaiveDate,
    /// What it sets.
    pub(crate) set: RulePatch,
    /// Whether it is on unless the config says otherwise (opt-in entries are off).
    pub(crate) enabled: bool,
}

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => NaiveDate::MIN,
    }
}

/// 2024-11-01: "Since 2024-11-01 service conversations are free (before that, the first
/// 1,000 per month were, the 'free tier')." (semantics §2, CBP)
pub(crate) const SERVICE_FREE_2024_11: BuiltinEntry = BuiltinEntry {
    name: "service_free_2024_11",
    effective_from: ymd(2024, 11, 1),
    set: RulePatch {
        service_free: Some(true),
        service_free_tier: Some(0),
        ..RulePatch::NONE
    },
    enabled: true,
};

/// 2025-07-01: "Per-message pricing (PMP), from 2025-07-01. Each delivered template is
/// charged by its category; free-form (service) messages are free; a utility template
/// delivered while the customer service window is open is free; everything delivered inside
/// a free entry point window (72 h from the business's reply, sent within 24 h of the
/// CTWA/Page-CTA message) is free. [...] Utility and authentication rates fall in volume
/// tiers" (semantics §2)
pub(crate) const PMP_2025_07: BuiltinEntry = BuiltinEntry {
    name: "pmp_2025_07",
    effective_from: ymd(2025, 7, 1),
    set: RulePatch {
        model: Some(PricingModel::Pmp),
        service_free: Some(true),
        service_free_tier: Some(0),
        utility_free_in_service_window: Some(true),
        volume_tiers: Some(true),
        ..RulePatch::NONE
    },
    enabled: true,
};

/// 2026-08-01: "Meta Business Agent messages (Meta's own AI agent, from 2026-07-01) are a
/// category of their own, billed per token from 2026-08-01: priced from Meta's pricing
/// object or a per-token rate, else reported as unpriced with a warning." (semantics §2)
/// Source: Meta's page "Upcoming pricing updates for Meta Business Agent, service and
/// utility messages" (updated 2026-07-01).
pub(crate) const BUSINESS_AGENT_2026_08: BuiltinEntry = BuiltinEntry {
    name: "business_agent_2026_08",
    effective_from: ymd(2026, 8, 1),
    set: RulePatch {
        business_agent_charged: Some(true),
        ..RulePatch::NONE
    },
    enabled: true,
};

/// 2026-10-01, **on by default**: "Since 2026-10-01 (in force by default). Free-form service
/// messages delivered inside the customer service window are charged per message at the
/// market's service rate, and utility templates delivered inside the window are charged
/// too; the free entry point stays free. (Announced by Meta on 2026-07-01; BSP changelogs
/// and the 2026-10-01 rate cards, which carry a `service` rate, agree.)" (semantics §2)
///
/// A config switches it off with `{"name": "service_charged_2026_10", "enabled": false}`
/// or moves it with `"effective_from"`. (Some sources also describe 1,000 free service
/// messages per business number and month from that date; the contract does not, so this
/// entry does not model them.)
pub(crate) const SERVICE_CHARGED_2026_10: BuiltinEntry = BuiltinEntry {
    name: "service_charged_2026_10",
    effective_from: ymd(2026, 10, 1),
    set: RulePatch {
        service_free: Some(false),
        utility_free_in_service_window: Some(false),
        ..RulePatch::NONE
    },
    enabled: true,
};

/// Meta's pricing changes, in date order.
pub(crate) const BUILTIN: [BuiltinEntry; 4] = [
    SERVICE_FREE_2024_11,
    PMP_2025_07,
    BUSINESS_AGENT_2026_08,
    SERVICE_CHARGED_2026_10,
];

/// A `pricing_timeline` entry of the config: changes a built-in entry (by `name`) or adds one.
///
/// ```json
/// {"name": "service_charged_2026_10", "enabled": false}
/// {"name": "meta_2027_01", "effective_from": "2027-01-01", "set": {"volume_tiers": false}}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// A built-in entry's name to change it, or a name for a new entry (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First day the entry applies (business time zone). Required for a new entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// The rules it sets. Required for a new entry; replaces a built-in entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<RulePatch>,
    /// Whether the entry applies. Default: true for a new entry and for a built-in entry the
    /// config names, unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// One entry of a resolved timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ResolvedEntry {
    /// Its name (`""` for an unnamed config entry).
    pub(crate) name: String,
    /// First day it applies.
    pub(crate) effective_from: NaiveDate,
    /// What it sets.
    pub(crate) set: RulePatch,
    /// Whether it applies.
    pub(crate) enabled: bool,
    /// The rules in force from `effective_from` on (until the next enabled entry).
    pub(crate) rules: Rules,
}

/// The resolved pricing timeline: the rules in force on any day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Timeline {
    entries: Vec<ResolvedEntry>,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline::meta_default()
    }
}

/// The pricing model over a range of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ModelSpan {
    /// Conversation-based pricing on every day.
    #[serde(rename = "CBP")]
    Cbp,
    /// Per-message pricing on every day.
    #[serde(rename = "PMP")]
    Pmp,
    /// Both models occur.
    #[serde(rename = "mixed")]
    Mixed,
}

/// Whether service messages are charged over a range of days (`Timeline::service_span`).
/// Under CBP "service" means service conversations, under PMP free-form messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceSpan {
    /// Free on every day (2024-11-01 to 2026-09-30 with the default timeline).
    Free,
    /// Charged on every day (before 2024-11-01, and from 2026-10-01).
    Charged,
    /// Free on some days, charged on others.
    Mixed,
}

impl Timeline {
    /// Meta's timeline: [`Rules::BASELINE`] and the enabled [`BUILTIN`] entries.
    pub(crate) fn meta_default() -> Timeline {
        Timeline::resolve(
            BUILTIN
                .iter()
                .map(|b| (b.name.to_string(), b.effective_from, b.set, b.enabled))
                .collect(),
        )
    }

    /// Meta's timeline edited by the config's `pricing_timeline` entries (see the module
    /// docs). Errors name the entry.
    pub(crate) fn from_config(entries: &[TimelineEntry]) -> Result<Timeline, String> {
        let mut rows: Vec<(String, NaiveDate, RulePatch, bool)> = BUILTIN
            .iter()
            .map(|b| (b.name.to_string(), b.effective_from, b.set, b.enabled))
            .collect();
        for (i, e) in entries.iter().enumerate() {
            let at = |m: &str| format!("[{i}]: {m}");
            if let Some(set) = &e.set {
                set.validate().map_err(|m| at(&m))?;
            }
            let builtin = e.name.as_deref().and_then(|n| {
                rows.iter()
                    .position(|r| r.0 == n && BUILTIN.iter().any(|b| b.name == n))
            });
            if let Some(j) = builtin {
                let r = &mut rows[j];
                if let Some(d) = e.effective_from {
                    r.1 = d;
                }
                if let Some(s) = e.set {
                    r.2 = s;
                }
                r.3 = e.enabled.unwrap_or(true);
                continue;
            }
            let d = e
                .effective_from
                .ok_or_else(|| at("a new entry needs `effective_from`"))?;
            let s = e
                .set
                .filter(|s| !s.is_empty())
                .ok_or_else(|| at("a new entry needs a non-empty `set`"))?;
            rows.push((
                e.name.clone().unwrap_or_default(),
                d,
                s,
                e.enabled.unwrap_or(true),
            ));
        }
        Ok(Timeline::resolve(rows))
    }

    fn resolve(mut rows: Vec<(String, NaiveDate, RulePatch, bool)>) -> Timeline {
        // Stable: entries of the same day apply in the order given (built-ins first).
        rows.stable_sort_by_key(|r| r.1);
        let mut rules = Rules::BASELINE;
        let entries = rows
            .into_iter()
            .map(|(name, effective_from, set, enabled)| {
                if enabled {
                    rules.apply(&set);
                }
                ResolvedEntry {
                    name,
                    effective_from,
                    set,
                    enabled,
                    rules,
                }
            })
            .collect();
        Timeline { entries }
    }

    /// Every entry, in date order, with the rules in force from its date.
    pub(crate) fn entries(&self) -> &[ResolvedEntry] {
        &self.entries
    }

    /// The rules in force on `day` (business time zone).
    pub(crate) fn rules_on(&self, day: NaiveDate) -> Rules {
        let n = self.entries.partition_point(|e| e.effective_from <= day);
        self.entries[..n]
            .last()
            .map_or(Rules::BASELINE, |e| e.rules)
    }

    /// The rules in force at instant `ts`, whose day is taken in `tz` (the business zone).
    pub(crate) fn rules_at(&self, ts: i64, tz: Tz) -> Rules {
        self.rules_on(crate::util::time::day_in(ts, tz))
    }

    /// A rule's value on `from`, and whether it changes on a later day of `[from, to)`.
    fn span<T: PartialEq>(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        f: impl Fn(&Rules) -> T,
    ) -> (T, bool) {
        let first = f(&self.rules_on(from));
        let changes = self
            .entries
            .iter()
            .filter(|e| e.effective_from > from && e.effective_from < to)
            .any(|e| f(&e.rules) != first);
        (first, changes)
    }

    /// Whether free-form service messages are charged over the days `[from, to)`: under
    /// every day's rules, under none, or `Mixed`. An empty range reports `from`'s rules.
    pub(crate) fn service_span(&self, from: NaiveDate, to: NaiveDate) -> ServiceSpan {
        match self.span(from, to, |r| r.service_free) {
            (_, true) => ServiceSpan::Mixed,
            (true, false) => ServiceSpan::Free,
            (false, false) => ServiceSpan::Charged,
        }
    }

    /// The pricing model over the days `[from, to)`: one model, or `Mixed`. An empty range
    /// reports the model of `from`.
    pub(crate) fn model_span(&self, from: NaiveDate, to: NaiveDate) -> ModelSpan {
        match self.span(from, to, |r| r.model) {
            (_, true) => ModelSpan::Mixed,
            (PricingModel::Pmp, false) => ModelSpan::Pmp,
            _ => ModelSpan::Cbp,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_and_configured_2026_10() {
        use super::{Timeline, TimelineEntry};
        use chrono::NaiveDate;
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // By default, service messages are charged from 2026-10-01.
        let t = Timeline::meta_default();
        assert!(t.rules_on(day("2026-09-30")).service_free);
        assert!(!t.rules_on(day("2026-10-01")).service_free);
        // A config can switch the change off, or move it.
        let entries: Vec<TimelineEntry> = serde_json::from_str(
            r#"[{"name":"service_charged_2026_10","effective_from":"2026-11-01"}]"#,
        )
        .unwrap();
        let t = Timeline::from_config(&entries).unwrap();
        assert!(t.rules_on(day("2026-10-31")).service_free);
        assert!(!t.rules_on(day("2026-11-01")).service_free);
        let entries: Vec<TimelineEntry> =
            serde_json::from_str(r#"[{"name":"service_charged_2026_10","enabled":false}]"#)
                .unwrap();
        assert!(
            Timeline::from_config(&entries)
                .unwrap()
                .rules_on(day("2026-12-01"))
                .service_free
        );
    }

    use super::*;

    #[test]
    fn opting_in_to_the_2026_10_entry_moves_service_off_free() {
        use chrono::NaiveDate;
        // Opt in to the reported 2026-10-01 change: service messages charged, utility in the
        // customer service window no longer free.
        let entries: Vec<TimelineEntry> =
            serde_json::from_str(r#"[{"name":"service_charged_2026_10","enabled":true}]"#).unwrap();
        let t = Timeline::from_config(&entries).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(t.rules_on(day("2026-09-30")).service_free);
        assert!(!t.rules_on(day("2026-10-01")).service_free);
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn meta_default_dates() {
        let t = Timeline::meta_default();
        // Before 2024-11-01: CBP, service charged, 1,000 free service conversations a month.
        let r = t.rules_on(day("2024-10-31"));
        assert_eq!(
            (r.model, r.service_free, r.service_free_tier),
            (PricingModel::Cbp, false, 1000)
        );
        // From 2024-11-01: service free, no free tier needed.
        let r = t.rules_on(day("2024-11-01"));
        assert_eq!(
            (r.model, r.service_free, r.service_free_tier),
            (PricingModel::Cbp, true, 0)
        );
        // The last CBP day and the first PMP day.
        assert_eq!(t.rules_on(day("2025-06-30")).model, PricingModel::Cbp);
        let r = t.rules_on(day("2025-07-01"));
        assert_eq!(r.model, PricingModel::Pmp);
        assert!(r.service_free && r.utility_free_in_service_window && r.volume_tiers);
        // Meta Business Agent messages: free until 2026-07-31, charged from 2026-08-01.
        assert!(!t.rules_on(day("2026-07-31")).business_agent_charged);
        assert!(t.rules_on(day("2026-08-01")).business_agent_charged);
        // The 2026-10-01 change is on by default: service and utility in the window are free
        // on 2026-09-30 and charged from 2026-10-01, still under PMP with tiers.
        let r = t.rules_on(day("2026-09-30"));
        assert!(r.service_free && r.utility_free_in_service_window);
        let r = t.rules_on(day("2026-10-01"));
        assert!(!r.service_free && !r.utility_free_in_service_window);
        assert!(r.volume_tiers && r.business_agent_charged);
        assert_eq!(r.model, PricingModel::Pmp);
        // Windows are the same throughout.
        assert_eq!(
            (
                r.conversation_hours,
                r.service_window_hours,
                r.free_entry_hours,
                r.free_entry_reply_hours
            ),
            (24, 24, 72, 24)
        );
    }

    #[test]
    fn config_switches_off_moves_and_adds() {
        let e: Vec<TimelineEntry> =
            serde_json::from_str(r#"[{"name":"service_charged_2026_10","enabled":false}]"#)
                .unwrap();
        let t = Timeline::from_config(&e).unwrap();
        let r = t.rules_on(day("2026-11-15"));
        assert!(r.service_free && r.utility_free_in_service_window);
        // The other 2026 entry is untouched.
        assert!(r.business_agent_charged);
        let e: Vec<TimelineEntry> = serde_json::from_str(
            r#"[{"name":"service_charged_2026_10","effective_from":"2026-11-01"},
                {"name":"meta_2027","effective_from":"2027-01-01","set":{"volume_tiers":false}},
                {"name":"pmp_2025_07","enabled":false}]"#,
        )
        .unwrap();
        let t = Timeline::from_config(&e).unwrap();
        // PMP switched off: CBP continues (with service free since 2024-11).
        assert_eq!(t.rules_on(day("2025-08-01")).model, PricingModel::Cbp);
        // The 2026-10 entry moved to 2026-11-01.
        assert!(t.rules_on(day("2026-10-31")).service_free);
        assert!(!t.rules_on(day("2026-11-01")).service_free);
        // A new entry applies on its date.
        let r = t.rules_on(day("2027-01-01"));
        assert!(!r.volume_tiers && !r.service_free);
    }

    #[test]
    fn config_errors_name_the_entry() {
        let e: Vec<TimelineEntry> =
            serde_json::from_str(r#"[{"name":"x","set":{"volume_tiers":true}}]"#).unwrap();
        assert!(
            Timeline::from_config(&e)
                .unwrap_err()
                .contains("[0]: a new entry needs `effective_from`")
        );
        let e: Vec<TimelineEntry> =
            serde_json::from_str(r#"[{"effective_from":"2027-01-01"}]"#).unwrap();
        assert!(
            Timeline::from_config(&e)
                .unwrap_err()
                .contains("non-empty `set`")
        );
        let e: Vec<TimelineEntry> = serde_json::from_str(
            r#"[{},{"effective_from":"2027-01-01","set":{"conversation_hours":0}}]"#,
        )
        .unwrap();
        let err = Timeline::from_config(&e).unwrap_err();
        assert!(err.starts_with("[0]") || err.starts_with("[1]"), "{err}");
        assert!(
            serde_json::from_str::<Vec<TimelineEntry>>(
                r#"[{"effective_from":"2027-01-01","set":{"colour":1}}]"#
            )
            .is_err()
        );
    }

    #[test]
    fn model_span() {
        let t = Timeline::meta_default();
        assert_eq!(
            t.model_span(day("2025-06-01"), day("2025-07-01")),
            ModelSpan::Cbp
        );
        assert_eq!(
            t.model_span(day("2025-06-30"), day("2025-07-02")),
            ModelSpan::Mixed
        );
        assert_eq!(
            t.model_span(day("2025-07-01"), day("2025-08-01")),
            ModelSpan::Pmp
        );
        assert_eq!(
            t.model_span(day("2025-07-01"), day("2025-07-01")),
            ModelSpan::Pmp
        );
        // Service: charged before 2024-11-01, free until 2026-09-30, charged from 2026-10-01.
        for (from, to, want) in [
            ("2024-10-01", "2024-11-01", ServiceSpan::Charged),
            ("2026-09-01", "2026-10-01", ServiceSpan::Free),
            ("2026-09-30", "2026-10-02", ServiceSpan::Mixed),
            ("2026-10-01", "2027-01-01", ServiceSpan::Charged),
        ] {
            assert_eq!(t.service_span(day(from), day(to)), want, "{from}..{to}");
        }
    }
}
