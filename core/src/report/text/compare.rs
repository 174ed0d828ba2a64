//! The COMPARED WITH part of the text dashboard: one table of every figure.

use super::layout::table_with;
use crate::report::compare::{Comparison, Figure};
use serde_json::Value;
use std::fmt::Write;

/// A figure's value for display: integers as they are, decimals with two places, `—` for
/// `null`.
fn value(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
        _ => "—".into(),
    }
}

/// A change with its sign.
fn signed(v: &Value) -> String {
    let s = value(v);
    if s.starts_with('-') || s == "—" || s == "0" || s == "0.00" {
        s
    } else {
        format!("+{s}")
    }
}

/// Whether a figure is zero (or undefined) in both periods: left out of the text.
fn idle(f: &Figure) -> bool {
    let zero = |v: &Value| v.is_null() || v.as_f64() == Some(0.0);
    zero(&f.previous) && zero(&f.current)
}

/// The COMPARED WITH table: section, row, figure, previous, current, change and %
/// change of every figure that is not zero in both periods.
pub(super) fn render(c: &Comparison) -> String {
    let mut s = String::new();
    let p = &c.previous_range;
    let _ = writeln!(s, "\nCOMPARED WITH {} → {} ({} days)", p.from, p.to, p.days);
    let rows: Vec<Vec<String>> = c
        .figures
        .iter()
        .filter(|f| !idle(f))
        .map(|f| {
            vec![
                f.section.clone(),
                f.row.clone().unwrap_or_default(),
                f.figure.clone(),
                value(&f.previous),
                value(&f.current),
                signed(&f.change),
                f.change_pct
                    .map_or_else(|| "—".into(), |x| format!("{x:+.1}%")),
            ]
        })
        .collect();
    s.push_str(&table_with(
        &[
            "section", "row", "figure", "previous", "current", "change", "%",
        ],
        &rows,
        usize::MAX,
        3,
    ));
    let _ = writeln!(s, "(figures zero in both periods are left out)");
    s
}
