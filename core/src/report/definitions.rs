//! One-line definitions of every figure of a report: what `report --explain` prints and
//! what these docs show, from one table ([`DEFINITIONS`]).
//!
//! A figure is named by its JSON path without array positions (`sources.leads` is the
//! `leads` of every row of `sources`); a map's entry is defined by the map
//! (`engagement.countries` covers `engagement.countries.DE`).

/// Builds [`DEFINITIONS`] and its documentation from one list, so the docs and
/// `--explain` can never say different things.
use std::fmt::Write;

macro_rules! definitions {
    ($($name:literal => $text:literal,)*) => {
        /// Every figure of the report and its definition, in report order:
        ///
        #[doc = concat!($("- `", $name, "`: ", $text, "\n"),*)]
        pub const DEFINITIONS: &[(&str, &str)] = &[$(($name, $text)),*];
    };
}

definitions! {
    "range.days" => "Days in the reported range [from, to), calendar days of the report time zone.",
    "overall.conversations" => "Conversations started in the range, every source together, each counted once.",
    "overall.leads" => "Of those, conversations in which the conversion event happened.",
    "overall.conversion_rate" => "leads ÷ conversations.",
    "overall.conversions" => "Conversion events those conversations led to (attributed external events, or occurrences of a messaging event).",
    "overall.invested" => "Spend dated in the range on every source (a Meta campaign-level row only on days without ad rows).",
    "overall.conversion_cost" => "invested ÷ leads.",
    "overall.revenue" => "Value of the conversion events those conversations led to; null for a messaging conversion event.",
    "overall.roas" => "revenue ÷ invested.",
    "input.lines" => "Lines or documents offered to the engine over its life.",
    "input.ingested" => "Items applied for the first time.",
    "input.duplicates" => "Items already seen (retried webhooks, re-sent records).",
    "input.ignored" => "Items accepted but not used (other webhook fields, unresolvable ids), by reason in ignored_reasons.",
    "input.errors" => "Lines rejected with an error.",
    "input.conflicts" => "Facts that arrived in more than one version (same id, different content); one order-independent rule kept one.",
    "input.messages" => "Unique inbound messages per type.",
    "input.statuses" => "Unique statuses per kind.",
    "input.records" => "Unique records per type (outbound, external_event, spend, close, reopen, click).",
    "input.ignored_reasons" => "Ignored items per reason.",
    "billing.conversations" => "Conversations WhatsApp opened in the range (CBP categories, and free entry point windows).",
    "billing.charged_messages" => "Per-message pricing: messages charged, by category.",
    "billing.free_messages" => "Delivered messages that cost nothing, by reason.",
    "billing.free_tier_conversations" => "CBP service conversations of the monthly free tier (billable, cost zero).",
    "billing.meta_business_agent.delivered" => "Meta Business Agent messages delivered in the range.",
    "billing.meta_business_agent.charged" => "Of those, charged (from 2026-08-01 with the default pricing timeline).",
    "billing.meta_business_agent.tokens" => "Tokens of the delivered agent messages whose count is known.",
    "billing.meta_business_agent.without_tokens" => "Delivered agent messages whose token count is not known.",
    "billing.meta_business_agent.priced_by_meta" => "Charged agent messages priced from Meta's pricing object.",
    "billing.meta_business_agent.priced_by_tokens" => "Charged agent messages priced as tokens × the rate card's per-token rate.",
    "billing.meta_business_agent.unpriced" => "Charged agent messages without a price (cost zero; the report warns).",
    "billing.meta_business_agent.other_currency" => "Of the unpriced agent messages, those Meta priced in a currency other than the report's.",
    "billing.meta_business_agent.cost" => "Cost of the charged agent messages.",
    "billing.cost.total" => "What WhatsApp charges for the range: the rate of every charged unit delivered in it.",
    "billing.cost.by_category" => "Cost by priced category.",
    "billing.cost.by_country" => "Cost by recipient country.",
    "billing.cost.by_day" => "Cost by delivery day.",
    "billing.cost.unpriced" => "Charged units the rate card has no rate for (they add zero).",
    "billing.cost.unpriced_by_category" => "The unpriced units by category, then market (only those with any).",
    "billing.heatmap" => "Paid units (charged conversations or messages) by weekday (Monday first) and hour of delivery, report time zone: when paid conversations begin.",
    "billing.reconciliation.checked" => "Messages whose statuses carried Meta's pricing or conversation objects.",
    "billing.reconciliation.mismatched" => "Of those, messages where the engine's billing disagrees with Meta's.",
    "billing.reconciliation.by_field" => "Disagreements by field.",
    "billing.reconciliation.mismatches" => "Every disagreeing message, engine against Meta.",
    "usage.quota" => "The configured monthly quota of billable units.",
    "usage.months.quota" => "The monthly quota, repeated on each month.",
    "usage.months.sent" => "Business messages sent in the month, delivered or not.",
    "usage.months.delivered" => "Of those, delivered.",
    "usage.months.billable" => "Billable units delivered in the month (CBP conversations, PMP charged messages).",
    "usage.months.by_country" => "Sent, delivered and billable by recipient country.",
    "usage.months.by_category" => "Sent, delivered and billable by category.",
    "usage.months.quota_used" => "billable ÷ quota.",
    "usage.months.quota_left" => "quota − billable.",
    "sources.conversations" => "Conversations of the source started in the range.",
    "sources.leads" => "Of those, conversations in which the conversion event happened.",
    "sources.conversion_rate" => "leads ÷ conversations.",
    "sources.invested" => "Spend on the source dated in the range.",
    "sources.conversion_cost" => "invested ÷ leads: cost per lead.",
    "sources.revenue" => "Attributed value of the conversion events the source's conversations in the range led to, within the lookback; null for a messaging conversion event.",
    "sources.roas" => "revenue ÷ invested.",
    "sources.conversions" => "Conversion events the source's conversations in the range led to (attributed, fractional under multi-touch models; occurrences for a messaging event).",
    "sources.funnel.users_started" => "Distinct users who reached the funnel's first step in the source's conversations.",
    "sources.funnel.users_completed" => "Distinct users who reached its last step.",
    "sources.funnel.steps.reached" => "Conversations that reached the step, steps in order.",
    "sources.funnel.steps.drop_off" => "Conversations that reached the step before but not this one.",
    "events.occurrences" => "Times the event happened in the range.",
    "events.users" => "Distinct users it happened for.",
    "events.conversations" => "Distinct conversations it happened in.",
    "events.value" => "External events: their value in the report currency; null for messaging events.",
    "events.by_source" => "Occurrences by the source of the conversation they happened in.",
    "attribution.lookback_days" => "How long after a conversation starts an external event may be credited to it.",
    "attribution.events" => "Attributed events that happened in the range.",
    "attribution.value" => "Their value.",
    "attribution.attributed_events" => "Of those, events credited to some conversation.",
    "attribution.attributed_value" => "Their value.",
    "attribution.unattributed_events" => "Events with no conversation in the lookback.",
    "attribution.unattributed_value" => "Their value.",
    "attribution.other_currency" => "Events and spend records whose amounts were left out for their currency.",
    "attribution.comparison" => "Conversions and revenue per source under every attribution model.",
    "engagement.active_users" => "Distinct users who sent at least one message in the range.",
    "engagement.new_users" => "Of those, users whose first message ever is in the range.",
    "engagement.returning_users" => "Of those, users who had written before the range.",
    "engagement.daily_active.users" => "Distinct users who sent a message that day.",
    "engagement.daily_active.new" => "Of those, users whose first message ever was that day.",
    "engagement.daily_active.returning" => "Of those, users who had written before.",
    "engagement.countries" => "Active users by country of their number.",
    "engagement.messages_received" => "Messages users sent.",
    "engagement.messages_sent" => "Business messages sent, delivered or not.",
    "engagement.messages_delivered" => "Of those, delivered.",
    "engagement.avg_received_per_user_per_day" => "messages_received ÷ the sum of daily active users.",
    "engagement.heatmap" => "Users' messages by weekday (Monday first) and hour, report time zone.",
    "engagement.daily_volume.sent" => "Business messages sent that day, delivered or not.",
    "engagement.daily_volume.delivered" => "Of those, delivered.",
    "engagement.daily_volume.received" => "Users' messages received that day.",
    "engagement.support.opened" => "Support conversations opened in the range (by a user's message, or reopened).",
    "engagement.support.closed" => "Support conversations closed by a close record.",
    "engagement.support.reopened" => "Openings that followed a close.",
    "engagement.support.reopened_manually" => "Of those, reopened by an agent's reopen record.",
    "engagement.support.open_at_end" => "Support conversations open at the end of the range.",
    "engagement.authors" => "Delivered business messages by author kind.",
    "engagement.top_authors.messages" => "Delivered messages of the author.",
    "engagement.response_time.conversations" => "Support conversations users opened in the range.",
    "engagement.response_time.answered" => "Of those, answered by an agent, automation or API (never a campaign).",
    "engagement.response_time.first_response_median_s" => "Median seconds from the first inbound message to the first response.",
    "engagement.response_time.first_response_p90_s" => "90th percentile of those seconds.",
    "engagement.response_time.by_author" => "The same by the responder's author kind.",
    "templates.sent" => "Messages of the template sent in the range, failed included.",
    "templates.delivered" => "Of those, delivered.",
    "templates.read" => "Of those, read.",
    "templates.replied" => "Of those, answered by a reply naming the message.",
    "templates.clicks" => "Quick-reply presses plus URL clicks.",
    "templates.url_clicks" => "URL clicks only.",
    "templates.ctr" => "clicks ÷ delivered.",
    "templates.buttons.clicks" => "Clicks on the button.",
    "templates.buttons.ctr" => "Button clicks ÷ delivered.",
    "templates.cost" => "What billing charged the template's messages sent in the range.",
    "templates.cost_per_delivered" => "cost ÷ delivered.",
    "templates.cost_per_click" => "cost ÷ URL clicks.",
    "templates.conversions" => "External events credited to conversations the template's messages opened.",
    "templates.conversion_value" => "Their credited value.",
    "templates.failed" => "Failed messages by error code.",
    "campaigns" => "The template figures, per campaign (every message naming the campaign).",
    "compare.previous_range.days" => "Days of the previous period: as many as the range, just before it.",
    "compare.figures" => "Each figure in the previous period of equal length and now: previous, current, change, change_pct (% of previous).",
    "warnings" => "What the report left out or could not price, in words.",
}

/// The definition of `path` (a figure's JSON path without array positions): its own, else
/// the closest enclosing entry's.
pub fn definition(path: &str) -> Option<&'static str> {
    let mut p = path;
    loop {
        if let Some((_, d)) = DEFINITIONS.iter().find(|(n, _)| *n == p) {
            return Some(d);
        }
        p = &p[..p.rfind('.')?];
    }
}

/// Every definition as `name  text` lines, names aligned (what `report --explain` prints).
pub fn explain() -> String {
    let w = DEFINITIONS.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut s = String::new();
    for (n, d) in DEFINITIONS {
        let _ = writeln!(s, "{n:<w$}  {d}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lookup_climbs_to_the_enclosing_entry() {
        let mut names: Vec<&str> = DEFINITIONS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
        assert_eq!(
            definition("engagement.countries.DE"),
            definition("engagement.countries")
        );
        assert_eq!(definition("campaigns.sent"), definition("campaigns"));
        assert_eq!(definition("nothing.here"), None);
        assert!(explain().lines().count() == n);
    }
}
