//! The BILLING and USAGE parts of the text dashboard ([`crate::report::text`]).

use super::layout::{Bucket, bar, bucketed, table};
use crate::billing::BillingSection;
use crate::model::money::format_micros;
use crate::model::pricing::{ModelSpan, ServiceSpan};
use crate::report::Report;
use crate::util::sorted_map::Map;
use std::fmt::Write;

/// Money in micro-units as a decimal with at least four decimals (rates have four).
fn money(micros: i64) -> String {
    format_micros(micros, 4)
}

/// Append the BILLING and USAGE sections of `report` to `out`.
pub(super) fn render(out: &mut String, report: &Report) {
    billing(out, report);
    usage(out, report);
}

/// The BILLING section: pricing model, totals, and the tables below it.
fn billing(out: &mut String, report: &Report) {
    let bill = &report.billing;
    let model = match bill.model {
        ModelSpan::Cbp => "conversation-based (CBP)",
        ModelSpan::Pmp => "per-message (PMP)",
        ModelSpan::Mixed => "mixed (CBP and PMP)",
    };
    let service = match bill.service {
        ServiceSpan::Free => "free",
        ServiceSpan::Charged => "charged",
        ServiceSpan::Mixed => "free on some days, charged on others",
    };
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "BILLING  {model}  total {} {}",
        money(bill.cost.total.0),
        bill.cost.currency
    );
    let _ = writeln!(out, "service (free-form) messages: {service}");
    categories(out, bill);
    free_and_unpriced(out, bill);
    agent_and_countries(out, bill);
    cost_series(out, report);
    let _ = writeln!(
        out,
        "\nPaid units (charged conversations and messages) by weekday and hour"
    );
    out.push_str(&super::heatmap(&bill.heatmap, "paid units"));
    reconciliation(out, bill);
}

/// Conversations, charged messages and cost per category.
fn categories(out: &mut String, bill: &BillingSection) {
    let convs = &bill.conversations;
    let charged = &bill.charged_messages;
    let cost_of = |k: &str| bill.cost.by_category.get(k).map_or(0, |a| a.0);
    let rows: Vec<Vec<String>> = [
        ("marketing", convs.marketing, charged.marketing),
        ("utility", convs.utility, charged.utility),
        (
            "authentication",
            convs.authentication,
            charged.authentication,
        ),
        ("service", convs.service, charged.service),
        ("meta_business_agent", 0, charged.meta_business_agent),
    ]
    .iter()
    .filter(|(k, conv, msg)| {
        *k != "meta_business_agent" || conv + msg + bill.meta_business_agent.delivered > 0
    })
    .map(|(k, conv, msg)| {
        vec![
            (*k).to_string(),
            conv.to_string(),
            msg.to_string(),
            money(cost_of(k)),
        ]
    })
    .chain(std::iter::once(vec![
        "free entry point".into(),
        convs.free_entry_point.to_string(),
        "-".into(),
        money(0),
    ]))
    .collect();
    out.push_str(&table(
        &["category", "conversations", "charged msgs", "cost"],
        &rows,
    ));
}

/// Messages that were free, and why, and those charged without a rate.
fn free_and_unpriced(out: &mut String, bill: &BillingSection) {
    let free = &bill.free_messages;
    let rows: Vec<Vec<String>> = [
        ("utility in service window (free)", free.service_window),
        ("free entry point", free.free_entry_point),
        ("free-form service (free)", free.free_form),
        ("free service conversation", free.free_service),
        (
            "meta business agent before billing",
            free.meta_business_agent,
        ),
        ("free-tier conversations", bill.free_tier_conversations),
        ("charged without a rate", bill.cost.unpriced),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| vec![(*k).to_string(), n.to_string()])
    .collect();
    if !rows.is_empty() {
        let _ = writeln!(out);
        out.push_str(&table(&["free / unpriced", "count"], &rows));
    }
}

/// The Meta Business Agent line and the cost per country.
fn agent_and_countries(out: &mut String, bill: &BillingSection) {
    let agent = &bill.meta_business_agent;
    if agent.delivered > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "meta business agent: {} delivered, {} charged, {} tokens known ({} without a count); priced by Meta {}, by tokens {}, unpriced {}; cost {}",
            agent.delivered,
            agent.charged,
            agent.tokens,
            agent.without_tokens,
            agent.priced_by_meta,
            agent.priced_by_tokens,
            agent.unpriced,
            money(agent.cost.0)
        );
    }
    if !bill.cost.by_country.is_empty() {
        let _ = writeln!(out);
        let rows: Vec<Vec<String>> = bill
            .cost
            .by_country
            .iter()
            .map(|(k, v)| vec![k.clone(), money(v.0)])
            .collect();
        out.push_str(&table(&["country", "cost"], &rows));
    }
}

/// How many charges were checked against Meta's pricing objects, and how many differ.
fn reconciliation(out: &mut String, bill: &BillingSection) {
    let rec = &bill.reconciliation;
    if rec.checked > 0 {
        let _ = writeln!(out);
        let fields: Vec<String> = rec
            .by_field
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let detail = if fields.is_empty() {
            String::new()
        } else {
            format!(" ({})", fields.join(", "))
        };
        let _ = writeln!(
            out,
            "reconciliation: {} checked against Meta, {} differ{detail}",
            rec.checked, rec.mismatched
        );
    }
}

/// Cost over time: per day up to 45 days, per week beyond, per month beyond 6 months.
fn cost_series(out: &mut String, report: &Report) {
    let b = Bucket::of(report.range.from, report.range.to);
    let days = report.billing.cost.by_day.iter().map(|(d, v)| (*d, [v.0]));
    let series: Vec<(String, i64)> = bucketed(b, days)
        .into_iter()
        .map(|(l, _, [v])| (l, v))
        .collect();
    let max = series
        .iter()
        .map(|(_, v)| (*v).max(0))
        .max()
        .unwrap_or(0)
        .unsigned_abs();
    if max == 0 {
        return;
    }
    let _ = writeln!(out);
    let rows: Vec<Vec<String>> = series
        .iter()
        .map(|(k, v)| {
            vec![
                k.clone(),
                money(*v),
                bar((*v).max(0).unsigned_abs(), max, 30),
            ]
        })
        .collect();
    out.push_str(&table(&[b.header(), "cost", ""], &rows));
}

fn usage(out: &mut String, report: &Report) {
    let usage = &report.usage;
    if usage.months.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "USAGE{}",
        usage
            .quota
            .map(|q| format!("  monthly quota {q}"))
            .unwrap_or_default()
    );
    let rows: Vec<Vec<String>> = usage
        .months
        .iter()
        .map(|m| {
            vec![
                format!("{}{}", m.month, if m.partial { "*" } else { "" }),
                m.sent.to_string(),
                m.delivered.to_string(),
                m.billable.to_string(),
                m.quota_used
                    .map_or_else(|| "-".into(), |q| format!("{:.1}%", q * 100.0)),
            ]
        })
        .collect();
    out.push_str(&table(
        &["month", "sent", "delivered", "billable", "quota used"],
        &rows,
    ));
    let mut split: Map<(&str, &str), [u64; 3]> = Map::new();
    for month in &usage.months {
        let countries = month
            .by_country
            .iter()
            .map(|(k, c)| (("country", k.as_str()), c));
        let categories = month
            .by_category
            .iter()
            .map(|(k, c)| (("category", k.as_str()), c));
        for (key, counts) in countries.chain(categories) {
            let sum = split.entry(key).or_default();
            sum[0] += counts.sent;
            sum[1] += counts.delivered;
            sum[2] += counts.billable;
        }
    }
    if !split.is_empty() {
        let _ = writeln!(out);
        let rows: Vec<Vec<String>> = split
            .iter()
            .map(|((kind, key), [sent, delivered, billable])| {
                vec![
                    format!("{kind} {key}"),
                    sent.to_string(),
                    delivered.to_string(),
                    billable.to_string(),
                ]
            })
            .collect();
        out.push_str(&table(
            &["split (all months)", "sent", "delivered", "billable"],
            &rows,
        ));
    }
    if usage.months.iter().any(|m| m.partial) {
        let _ = writeln!(out, "* the range covers part of the month");
    }
}
