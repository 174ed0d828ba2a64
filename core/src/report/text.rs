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
    s
}
