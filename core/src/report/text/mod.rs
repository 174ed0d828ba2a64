#![doc = include_str!("../../guide/report/text.md")]

mod billing;
mod compare;
mod engagement;
mod layout;
mod sources;

pub(crate) use layout::table;

use super::Report;
use crate::model::money::format_micros;
use std::fmt::Write;

/// How the text dashboard is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TextOptions {
    /// Print every column of the SOURCES table, uncut (default: fit 120 columns).
    pub wide: bool,
}

impl TextOptions {
    /// Every column of the SOURCES table, uncut.
    #[must_use]
    pub fn wide(mut self, on: bool) -> Self {
        self.wide = on;
        self
    }
}

/// The widest the default SOURCES table gets, in display columns.
pub(crate) const NARROW: usize = 120;

/// Render the whole report for a terminal.
pub(crate) fn render(r: &Report, opts: TextOptions) -> String {
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
    if !r.warnings.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "WARNINGS");
        for w in &r.warnings {
            let _ = writeln!(s, "  ! {w}");
        }
    }
    overall(r, &mut s);
    input(r, &mut s);
    billing::render(&mut s, r);
    sources::render(r, opts, &mut s);
    sources::events(r, &mut s);
    s.push_str(&engagement::render(r));
    s.push_str(&engagement::funnels("TEMPLATES", &r.templates));
    s.push_str(&engagement::funnels("CAMPAIGNS", &r.campaigns));
    if let Some(c) = &r.compare {
        s.push_str(&compare::render(c));
    }
    s
}

/// Money for display: major units rounded to cents (the JSON keeps every micro-unit).
fn money(micros: i64) -> String {
    let cents = (micros + micros.signum() * 5_000) / 10_000;
    format_micros(cents * 10_000, 2)
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "—".to_string(), f)
}

/// A ratio as a percentage with one decimal (`12.5%`), `—` when undefined.
fn pct(r: Option<f64>) -> String {
    opt(r, |r| format!("{:.1}%", r * 100.0))
}

/// A number with two decimals, `—` when undefined.
fn num2(r: Option<f64>) -> String {
    opt(r, |r| format!("{r:.2}"))
}

/// The conversion event in words.
fn event_name(r: &Report) -> String {
    match &r.attribution.conversion_event {
        Some(c) => format!(
            "{} ({})",
            c.name.as_deref().unwrap_or("any external event"),
            c.kind.as_str()
        ),
        None => "none".into(),
    }
}

/// The OVERALL block: every source together.
fn overall(r: &Report, s: &mut String) {
    let o = &r.overall;
    let cur = &r.attribution.currency;
    let _ = writeln!(s);
    let _ = writeln!(s, "OVERALL  conversion event {}, {cur}", event_name(r));
    let rows = vec![
        vec!["conversations".into(), o.conversations.to_string()],
        vec!["leads".into(), o.leads.to_string()],
        vec!["conversion rate".into(), pct(o.conversion_rate)],
        vec!["conversions".into(), format!("{:.2}", o.conversions)],
        vec!["invested".into(), money(o.invested)],
        vec!["cost per lead".into(), num2(o.conversion_cost)],
        vec![
            "revenue".into(),
            o.revenue.map_or_else(|| "—".into(), money),
        ],
        vec!["ROAS".into(), num2(o.roas)],
    ];
    s.push_str(&table(&["", "value"], &rows));
}

/// The INPUT block: ingestion counts over the engine's life.
fn input(r: &Report, s: &mut String) {
    let i = &r.input;
    let _ = writeln!(s);
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
}

/// The 7 × 24 heatmap as a grid of shaded characters: `·` for none, then `░▒▓█` by quarter
/// of the busiest hour; `what` names the unit in the legend.
pub(crate) fn heatmap(h: &[[u64; 24]; 7], what: &str) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const SHADES: [char; 4] = ['░', '▒', '▓', '█'];
    let max = h.iter().flatten().copied().max().unwrap_or(0);
    let mut s = String::from("     0     6     12    18   \n");
    for (d, row) in DAYS.iter().zip(h) {
        s.push_str(d);
        s.push_str("  ");
        for &v in row {
            s.push(if v == 0 || max == 0 {
                '·'
            } else {
                // 1..=max maps onto the four shades by quarters.
                SHADES[((v * 4).div_ceil(max) as usize).clamp(1, 4) - 1]
            });
        }
        s.push('\n');
    }
    let _ = writeln!(s, "     (busiest hour: {max} {what})");
    s
}
