//! The readable terminal dashboard: aligned tables, a bar per day.

use super::Report;
use std::fmt::Write;

/// Right-align `cells` in columns under `header`, two spaces apart; the first column is
/// left-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i == 0 {
                out.push_str(c);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(c);
            }
        }
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(&"─".repeat(total));
    out.push('\n');
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// A horizontal bar of `value` scaled to `width` characters at `max`.
pub fn bar(value: u64, max: u64, width: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let n = ((value as f64 / max as f64) * width as f64).round() as usize;
    "█".repeat(n.min(width))
}

/// Render the whole report for a terminal.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "convolens report  {} → {} ({} days, {}){}",
        r.range.from,
        r.range.to,
        r.range.days,
        r.range.time_zone,
        r.range
            .phone
            .as_deref()
            .map(|p| format!("  number {p}"))
            .unwrap_or_default()
    );
    let _ = writeln!(s);
    let i = &r.input;
    let _ = writeln!(s, "INPUT");
    let rows = vec![
        vec!["lines".into(), i.lines.to_string()],
        vec!["ingested".into(), i.ingested.to_string()],
        vec!["duplicates".into(), i.duplicates.to_string()],
        vec!["ignored".into(), i.ignored.to_string()],
        vec!["errors".into(), i.errors.to_string()],
    ];
    s.push_str(&table(&["", "count"], &rows));
    let kinds: Vec<Vec<String>> = i
        .messages
        .iter()
        .map(|(k, v)| vec![format!("message {k}"), v.to_string()])
        .chain(
            i.statuses
                .iter()
                .map(|(k, v)| vec![format!("status {k}"), v.to_string()]),
        )
        .chain(
            i.records
                .iter()
                .map(|(k, v)| vec![format!("record {k}"), v.to_string()]),
        )
        .collect();
    if !kinds.is_empty() {
        let _ = writeln!(s);
        s.push_str(&table(&["item", "unique"], &kinds));
    }
    render_sources(r, &mut s);
    s
}

/// Money for display: major units rounded to cents (the JSON keeps every micro-unit).
fn money(micros: i64) -> String {
    let cents = (micros + micros.signum() * 5_000) / 10_000;
    crate::model::money::format_micros(cents * 10_000, 2)
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "—".to_string(), f)
}

/// The SOURCES table, funnels, the unattributed line and the model comparison.
fn render_sources(r: &Report, s: &mut String) {
    let a = &r.attribution;
    let event = match &a.conversion_event {
        Some(c) => format!(
            "{} ({})",
            c.name.as_deref().unwrap_or("any external event"),
            c.kind.as_str()
        ),
        None => "none".into(),
    };
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "SOURCES  model {}, conversion event {event}, lookback {} d, {}",
        a.model.as_str(),
        a.lookback_days,
        a.currency
    );
    let rows: Vec<Vec<String>> = r
        .sources
        .iter()
        .map(|x| {
            vec![
                x.name.clone(),
                x.key.clone(),
                x.kind.as_str().into(),
                if x.direction == crate::sources::SourceDirection::Incoming {
                    "in".into()
                } else {
                    "out".into()
                },
                x.conversations.to_string(),
                x.leads.to_string(),
                opt(x.conversion_rate, |v| format!("{:.1}%", v * 100.0)),
                money(x.invested),
                opt(x.conversion_cost, |v| format!("{v:.2}")),
                money(x.revenue),
                opt(x.roas, |v| format!("{v:.2}")),
                format!("{:.2}", x.conversions),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "source",
            "key",
            "kind",
            "dir",
            "conversations",
            "leads",
            "rate",
            "invested",
            "cost/lead",
            "revenue",
            "roas",
            "conversions",
        ],
        &rows,
    ));
    let _ = writeln!(
        s,
        "attributed {} of {} event(s), {} of {} {}; unattributed (no conversation in the lookback) {}, {} {}",
        a.attributed_events,
        a.events,
        money(a.attributed_value),
        money(a.value),
        a.currency,
        a.unattributed_events,
        money(a.unattributed_value),
        a.currency
    );
    if a.other_currency > 0 {
        let _ = writeln!(
            s,
            "left out: {} amount(s) not in {}",
            a.other_currency, a.currency
        );
    }
    // Every row carries the same configured funnels.
    let names: Vec<&str> = r
        .sources
        .first()
        .map(|x| x.funnel.iter().map(|f| f.name.as_str()).collect())
        .unwrap_or_default();
    for name in &names {
        let mut header: Vec<String> = vec!["source".into(), "conversations".into()];
        let mut rows = Vec::new();
        for x in &r.sources {
            let Some(f) = x.funnel.iter().find(|f| f.name == *name) else {
                continue;
            };
            if header.len() == 2 {
                header.extend(f.steps.iter().map(|st| st.event.clone()));
            }
            let mut row = vec![x.name.clone(), x.conversations.to_string()];
            row.extend(
                f.steps
                    .iter()
                    .map(|st| format!("{} (−{})", st.reached, st.drop_off)),
            );
            rows.push(row);
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "FUNNEL {name}  reached (drop-off) per step");
        s.push_str(&table(
            &header.iter().map(String::as_str).collect::<Vec<_>>(),
            &rows,
        ));
    }
    if let Some(cmp) = &a.comparison {
        let models: Vec<&str> = cmp
            .first()
            .map(|c| c.models.iter().map(|m| m.model.as_str()).collect())
            .unwrap_or_default();
        let mut header = vec!["source", "key"];
        header.extend(models.iter().copied());
        let rows: Vec<Vec<String>> = cmp
            .iter()
            .map(|c| {
                let mut row = vec![c.name.clone(), c.key.clone()];
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
        for (m, e) in &a.comparison_errors {
            let _ = writeln!(s, "{m}: {e}");
        }
    }
}
