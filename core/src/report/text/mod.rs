//! The readable terminal dashboard: aligned tables, a bar per day.

mod billing;
mod layout;

pub(crate) use layout::{bar, table};

use super::Report;
use super::compare::Comparison;
use crate::engagement::{Engagement, TemplateRow};
use std::fmt::Write;

/// Render the whole report for a terminal.
pub(crate) fn render(r: &Report) -> String {
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
    billing::render(&mut s, r);
    render_sources(r, &mut s);
    s.push_str(&render_engagement(&r.engagement));
    s.push_str(&render_funnels("TEMPLATES", &r.templates));
    s.push_str(&render_funnels("CAMPAIGNS", &r.campaigns));
    if let Some(c) = &r.compare {
        s.push_str(&render_compare(c));
    }
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
    sources_table(r, s);
    render_funnels_by_source(r, s);
    if let Some(cmp) = &a.comparison {
        render_model_comparison(cmp, &a.comparison_errors, s);
    }
}

/// The SOURCES table and the attributed / unattributed / left-out lines under it.
fn sources_table(r: &Report, s: &mut String) {
    let a = &r.attribution;
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
}

/// One table per configured funnel: each source's conversations reaching each step.
fn render_funnels_by_source(r: &Report, s: &mut String) {
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
}

/// Every attribution model's conversions and revenue per source, side by side.
fn render_model_comparison(
    cmp: &[crate::attribution::ComparisonRow],
    errors: &std::collections::BTreeMap<String, String>,
    s: &mut String,
) {
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
    for (m, e) in errors {
        let _ = writeln!(s, "{m}: {e}");
    }
}

/// A ratio as a percentage with one decimal (`12.5%`), `–` when undefined.
fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// A number with two decimals, `–` when undefined.
fn num2(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), |r| format!("{r:.2}"))
}

/// The 7 × 24 heatmap as a grid of shaded characters: `·` for none, then `░▒▓█` by quarter
/// of the busiest hour.
pub(crate) fn heatmap(h: &[[u64; 24]; 7]) -> String {
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
    let _ = writeln!(s, "     (busiest hour: {max} messages)");
    s
}

/// The ENGAGEMENT block: totals, a bar per day, the heatmap, countries, support,
/// authorship and first-response times.
pub(crate) fn render_engagement(e: &Engagement) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\nENGAGEMENT");
    let rows = vec![
        vec!["active users".into(), e.active_users.to_string()],
        vec!["  new".into(), e.new_users.to_string()],
        vec!["  returning".into(), e.returning_users.to_string()],
        vec!["messages received".into(), e.messages_received.to_string()],
        vec![
            "messages sent (delivered)".into(),
            e.messages_sent.to_string(),
        ],
        vec![
            "received per active user per day".into(),
            num2(e.avg_received_per_user_per_day),
        ],
    ];
    s.push_str(&table(&["", "value"], &rows));
    daily_volume_chart(e, &mut s);
    let _ = writeln!(s, "\nUsers' messages by weekday and hour");
    s.push_str(&heatmap(&e.heatmap));
    countries_table(e, &mut s);
    support_tables(e, &mut s);
    authors_tables(e, &mut s);
    s
}

/// The daily table (active users, received, sent) with a bar per day.
fn daily_volume_chart(e: &Engagement, s: &mut String) {
    if !e.daily_volume.is_empty() {
        let _ = writeln!(s, "\nDaily  (█ received, ▒ sent)");
        let max = e
            .daily_volume
            .iter()
            .map(|d| d.sent + d.received)
            .max()
            .unwrap_or(0);
        let rows: Vec<Vec<String>> = e
            .daily_volume
            .iter()
            .zip(&e.daily_active)
            .map(|(v, a)| {
                vec![
                    v.date.to_string(),
                    a.users.to_string(),
                    v.received.to_string(),
                    v.sent.to_string(),
                ]
            })
            .collect();
        // The table, with each day's bar appended (left-aligned) to its line.
        let t = table(&["date", "active", "received", "sent"], &rows);
        for (i, line) in t.lines().enumerate() {
            s.push_str(line);
            if let Some(v) = i.checked_sub(2).and_then(|d| e.daily_volume.get(d)) {
                let rec = bar(v.received, max, 40);
                let both = bar(v.received + v.sent, max, 40).chars().count();
                let sent = "▒".repeat(both.saturating_sub(rec.chars().count()));
                let _ = write!(s, "  {rec}{sent}");
            }
            s.push('\n');
        }
    }
}

/// The ten countries with the most active users.
fn countries_table(e: &Engagement, s: &mut String) {
    if !e.countries.is_empty() {
        let mut c: Vec<(&String, &u64)> = e.countries.iter().collect();
        c.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let rows: Vec<Vec<String>> = c
            .iter()
            .take(10)
            .map(|(k, v)| vec![(*k).clone(), v.to_string()])
            .collect();
        let _ = writeln!(s);
        s.push_str(&table(&["country", "active users"], &rows));
    }
}

/// Support conversations and first-response times.
fn support_tables(e: &Engagement, s: &mut String) {
    let sp = &e.support;
    let _ = writeln!(s);
    let rows = vec![
        vec!["opened".into(), sp.opened.to_string()],
        vec!["  of which reopened".into(), sp.reopened.to_string()],
        vec!["closed".into(), sp.closed.to_string()],
        vec!["open at end".into(), sp.open_at_end.to_string()],
    ];
    s.push_str(&table(&["support conversations", "count"], &rows));
    let rt = &e.response_time;
    let mut rows = vec![vec![
        "all".to_string(),
        format!("{}/{}", rt.answered, rt.conversations),
        num2(rt.first_response_median_s),
        num2(rt.first_response_p90_s),
    ]];
    rows.extend(rt.by_author.iter().map(|(k, a)| {
        vec![
            k.clone(),
            a.answered.to_string(),
            num2(a.median_s),
            num2(a.p90_s),
        ]
    }));
    let _ = writeln!(s);
    s.push_str(&table(
        &["first response by", "answered", "median s", "p90 s"],
        &rows,
    ));
}

/// Sent messages by author kind and the top authors.
fn authors_tables(e: &Engagement, s: &mut String) {
    if !e.authors.is_empty() {
        let rows: Vec<Vec<String>> = e
            .authors
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect();
        let _ = writeln!(s);
        s.push_str(&table(&["author kind", "messages"], &rows));
    }
    if !e.top_authors.is_empty() {
        let rows: Vec<Vec<String>> = e
            .top_authors
            .iter()
            .map(|a| vec![a.id.clone(), a.kind.clone(), a.messages.to_string()])
            .collect();
        let _ = writeln!(s);
        s.push_str(&table(&["top author", "kind", "messages"], &rows));
    }
}

/// A funnel table (TEMPLATES or CAMPAIGNS) with the buttons of each row beneath.
pub(crate) fn render_funnels(title: &str, rows: &[TemplateRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n{title}");
    if rows.is_empty() {
        let _ = writeln!(s, "(none in range)");
        return s;
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.category.clone(),
                r.sent.to_string(),
                r.delivered.to_string(),
                r.read.to_string(),
                r.replied.to_string(),
                r.clicks.to_string(),
                pct(r.ctr),
                num2(r.cost),
                num2(r.conversions),
                num2(r.conversion_value),
                r.failed.values().sum::<u64>().to_string(),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            "name",
            "category",
            "sent",
            "delivered",
            "read",
            "replied",
            "clicks",
            "ctr",
            "cost",
            "conv",
            "value",
            "failed",
        ],
        &cells,
    ));
    let buttons: Vec<Vec<String>> = rows
        .iter()
        .flat_map(|r| {
            r.buttons.iter().map(move |b| {
                vec![
                    r.name.clone(),
                    b.text.clone(),
                    b.kind.clone(),
                    b.clicks.to_string(),
                    pct(b.ctr),
                ]
            })
        })
        .collect();
    if !buttons.is_empty() {
        let _ = writeln!(s);
        s.push_str(&table(
            &["name", "button", "type", "clicks", "ctr"],
            &buttons,
        ));
    }
    let failures: Vec<Vec<String>> = rows
        .iter()
        .flat_map(|r| {
            r.failed
                .iter()
                .map(move |(c, n)| vec![r.name.clone(), c.clone(), n.to_string()])
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(s);
        s.push_str(&table(&["name", "error code", "failed"], &failures));
    }
    s
}

/// Every numeric leaf of `v` outside arrays, as (dotted path, value).
fn numeric_leaves(path: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                numeric_leaves(&p, x, out);
            }
        }
        serde_json::Value::Number(n) => {
            let t = n.to_string();
            out.push((
                path.to_string(),
                if t.starts_with('-') {
                    t
                } else {
                    format!("+{t}")
                },
            ));
        }
        _ => {}
    }
}

/// The COMPARED WITH block: the change of every number outside the tables.
pub(crate) fn render_compare(c: &Comparison) -> String {
    let mut s = String::new();
    let p = &c.previous_range;
    let _ = writeln!(s, "\nCOMPARED WITH {} → {} ({} days)", p.from, p.to, p.days);
    for (section, d) in &c.deltas {
        let mut leaves = Vec::new();
        numeric_leaves("", d, &mut leaves);
        let rows: Vec<Vec<String>> = leaves.into_iter().map(|(k, v)| vec![k, v]).collect();
        if !rows.is_empty() {
            let _ = writeln!(s);
            s.push_str(&table(&[section.as_str(), "change"], &rows));
        }
    }
    s
}
