//! The SOURCES, FUNNEL, ATTRIBUTION MODELS and EVENTS parts of the text dashboard.

use super::layout::{fit, table, table_fit, table_with};
use super::{NARROW, TextOptions, event_name, money, num2, pct};
use crate::attribution::SourceRow;
use crate::report::Report;
use crate::sources::SourceDirection;
use crate::util::sort::SortSlice as _;
use std::fmt::Write;

/// The SOURCES table, funnels, the attributed line and the model comparison.
pub(super) fn render(r: &Report, opts: TextOptions, s: &mut String) {
    let a = &r.attribution;
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "SOURCES  model {}, conversion event {}, lookback {} d, {}{}",
        a.model.as_str(),
        event_name(r),
        a.lookback_days,
        a.currency,
        if opts.wide {
            ""
        } else {
            "  (--wide: every column)"
        }
    );
    s.push_str(&if opts.wide {
        wide_table(&r.sources)
    } else {
        narrow_table(&r.sources)
    });
    let _ = writeln!(
        s,
        "attributed {} of {} event(s) in the range, {} of {} {}; unattributed (no conversation in the lookback) {}, {} {}",
        a.attributed_events,
        a.events,
        money(a.attributed_value),
        money(a.value),
        a.currency,
        a.unattributed_events,
        money(a.unattributed_value),
        a.currency
    );
    funnels(r, s);
    if let Some(cmp) = &a.comparison {
        model_comparison(cmp, &a.comparison_errors, s);
    }
}

/// The figures every layout shows, after the name: conversations, leads, rate, invested,
/// cost per lead, revenue, ROAS, conversions.
fn figures(x: &SourceRow) -> Vec<String> {
    vec![
        x.conversations.to_string(),
        x.leads.to_string(),
        pct(x.conversion_rate),
        money(x.invested),
        num2(x.conversion_cost),
        x.revenue.map_or_else(|| "—".to_string(), money),
        num2(x.roas),
        format!("{:.2}", x.conversions),
    ]
}

const FIGURES: [&str; 8] = [
    "conv.",
    "leads",
    "rate",
    "invested",
    "cost/lead",
    "revenue",
    "roas",
    "conversions",
];

/// Name and figures, the name cut so that the table fits in [`NARROW`] columns.
fn narrow_table(rows: &[SourceRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|x| {
            let mut row = vec![x.name.clone()];
            row.extend(figures(x));
            row
        })
        .collect();
    let mut header = vec!["source"];
    header.extend(FIGURES);
    table_fit(&header, &cells, NARROW)
}

/// Every column, uncut.
fn wide_table(rows: &[SourceRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|x| {
            let dir = if x.direction == SourceDirection::Incoming {
                "in"
            } else {
                "out"
            };
            let mut row = vec![
                x.name.clone(),
                x.key.clone(),
                x.kind.as_str().into(),
                dir.into(),
            ];
            row.extend(figures(x));
            row
        })
        .collect();
    let mut header = vec!["source", "key", "kind", "dir"];
    header.extend(FIGURES);
    table(&header, &cells)
}

/// One table per configured funnel: each source's conversations reaching each step, and
/// the users who started and completed it.
fn funnels(r: &Report, s: &mut String) {
    // Every row carries the same configured funnels.
    let names: Vec<&str> = r
        .sources
        .first()
        .map(|x| x.funnel.iter().map(|f| f.name.as_str()).collect())
        .unwrap_or_default();
    for name in &names {
        let mut header: Vec<String> = ["source", "conv.", "users started", "users done"]
            .map(String::from)
            .to_vec();
        let mut rows = Vec::new();
        for x in &r.sources {
            let Some(f) = x.funnel.iter().find(|f| f.name == *name) else {
                continue;
            };
            if header.len() == 4 {
                header.extend(f.steps.iter().map(|st| st.event.clone()));
            }
            let mut row = vec![
                x.name.clone(),
                x.conversations.to_string(),
                f.users_started.to_string(),
                f.users_completed.to_string(),
            ];
            row.extend(
                f.steps
                    .iter()
                    .map(|st| format!("{} (−{})", st.reached, st.drop_off)),
            );
            rows.push(row);
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "FUNNEL {name}  conversations reaching each step (drop-off)"
        );
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        s.push_str(&table_fit(&header, &rows, NARROW));
    }
}

/// Every attribution model's conversions and revenue per source, side by side.
fn model_comparison(
    cmp: &[crate::attribution::ComparisonRow],
    errors: &crate::util::sorted_map::Map<String, String>,
    s: &mut String,
) {
    let models: Vec<&str> = cmp
        .first()
        .map(|c| c.models.iter().map(|m| m.model.as_str()).collect())
        .unwrap_or_default();
    let mut header = vec!["source"];
    header.extend(models.iter().copied());
    let rows: Vec<Vec<String>> = cmp
        .iter()
        .map(|c| {
            let mut row = vec![c.name.clone()];
            row.extend(
                c.models
                    .iter()
                    .map(|m| format!("{:.2} · {}", m.conversions, money(m.revenue))),
            );
            row
        })
        .collect();
    let _ = writeln!(s);
    let _ = writeln!(s, "ATTRIBUTION MODELS  conversions · revenue per source");
    s.push_str(&table(&header, &rows));
    for (m, e) in errors {
        let _ = writeln!(s, "{m}: {e}");
    }
}

/// The EVENTS table: every messaging event and external event name, with the three
/// sources it happened most in.
pub(super) fn events(r: &Report, s: &mut String) {
    let _ = writeln!(s);
    let _ = writeln!(s, "EVENTS  in the range, {}", r.attribution.currency);
    if r.events.is_empty() {
        let _ = writeln!(s, "(none configured or seen)");
        return;
    }
    let name_of = |key: &str| {
        r.sources
            .iter()
            .find(|x| x.key == key)
            .map_or_else(|| key.to_string(), |x| x.name.clone())
    };
    // The sources last, left-aligned after the name and kind.
    let rows: Vec<Vec<String>> = r
        .events
        .iter()
        .map(|e| {
            let mut top: Vec<(&String, &u64)> = e.by_source.iter().collect();
            top.stable_sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let top: Vec<String> = top
                .iter()
                .take(3)
                .map(|(k, n)| format!("{} {n}", fit(&name_of(k), 24)))
                .collect();
            vec![
                e.name.clone(),
                e.kind.as_str().into(),
                top.join(", "),
                e.occurrences.to_string(),
                e.users.to_string(),
                e.conversations.to_string(),
                e.value.map_or_else(|| "—".to_string(), money),
            ]
        })
        .collect();
    s.push_str(&table_with(
        &[
            "event",
            "kind",
            "top sources",
            "occurrences",
            "users",
            "conv.",
            "value",
        ],
        &rows,
        usize::MAX,
        3,
    ));
}
