//! The ENGAGEMENT, TEMPLATES and CAMPAIGNS parts of the text dashboard.

use super::layout::{Bucket, bar, bucketed, duration, table};
use super::{heatmap, num2, pct};
use crate::engagement::{Engagement, TemplateRow};
use crate::report::Report;
use crate::util::sort::SortSlice as _;
use std::fmt::Write;

/// The ENGAGEMENT block: totals, the daily (weekly, monthly) table, the heatmap,
/// countries, support, first-response times and authorship.
pub(super) fn render(r: &Report) -> String {
    let e = &r.engagement;
    let mut s = String::new();
    let _ = writeln!(s, "\nENGAGEMENT");
    let rows = vec![
        vec!["active users".into(), e.active_users.to_string()],
        vec!["  new".into(), e.new_users.to_string()],
        vec!["  returning".into(), e.returning_users.to_string()],
        vec!["messages received".into(), e.messages_received.to_string()],
        vec!["messages sent".into(), e.messages_sent.to_string()],
        vec!["  delivered".into(), e.messages_delivered.to_string()],
        vec![
            "received per active user per day".into(),
            num2(e.avg_received_per_user_per_day),
        ],
    ];
    s.push_str(&table(&["", "value"], &rows));
    daily_volume(r, &mut s);
    let _ = writeln!(s, "\nUsers' messages by weekday and hour");
    s.push_str(&heatmap(&e.heatmap, "messages"));
    countries(e, &mut s);
    support(e, &mut s);
    authors(e, &mut s);
    s
}

/// Active users (new, returning), received, sent and delivered per day (week, month),
/// with a bar of received (█) and sent (▒) per line.
fn daily_volume(r: &Report, s: &mut String) {
    let e = &r.engagement;
    if e.daily_volume.is_empty() {
        return;
    }
    let b = Bucket::of(r.range.from, r.range.to);
    let days = e
        .daily_volume
        .iter()
        .zip(&e.daily_active)
        .map(|(v, a)| (v.date, [a.users, a.new, v.received, v.sent, v.delivered]));
    let lines = bucketed(b, days);
    let max = lines.iter().map(|l| l.2[2] + l.2[3]).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(label, n, [users, new, rec, sent, del])| {
            let active = if *n == 1 {
                users.to_string()
            } else {
                format!("{:.1}", *users as f64 / *n as f64)
            };
            vec![
                label.clone(),
                active,
                new.to_string(),
                rec.to_string(),
                sent.to_string(),
                del.to_string(),
            ]
        })
        .collect();
    let active = if b == Bucket::Day {
        "active"
    } else {
        "active/day"
    };
    let _ = writeln!(s, "\nMessages per {}  (█ received, ▒ sent)", b.header());
    let t = table(
        &[b.header(), active, "new", "received", "sent", "delivered"],
        &rows,
    );
    // The table, with each line's bar appended (left-aligned) to it.
    for (i, line) in t.lines().enumerate() {
        s.push_str(line);
        if let Some((_, _, v)) = i.checked_sub(2).and_then(|d| lines.get(d)) {
            let rec = bar(v[2], max, 40);
            let both = bar(v[2] + v[3], max, 40).chars().count();
            let sent = "▒".repeat(both.saturating_sub(rec.chars().count()));
            let _ = write!(s, "  {rec}{sent}");
        }
        s.push('\n');
    }
}

/// The ten countries with the most active users.
fn countries(e: &Engagement, s: &mut String) {
    if !e.countries.is_empty() {
        let mut c: Vec<(&String, &u64)> = e.countries.iter().collect();
        c.stable_sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
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
fn support(e: &Engagement, s: &mut String) {
    let sp = &e.support;
    let _ = writeln!(s);
    let rows = vec![
        vec!["opened".into(), sp.opened.to_string()],
        vec!["  of which reopened".into(), sp.reopened.to_string()],
        vec!["    by an agent".into(), sp.reopened_manually.to_string()],
        vec!["closed".into(), sp.closed.to_string()],
        vec!["open at end".into(), sp.open_at_end.to_string()],
    ];
    s.push_str(&table(&["support conversations", "count"], &rows));
    let rt = &e.response_time;
    let mut rows = vec![vec![
        "all".to_string(),
        format!("{}/{}", rt.answered, rt.conversations),
        duration(rt.first_response_median_s),
        duration(rt.first_response_p90_s),
    ]];
    rows.extend(rt.by_author.iter().map(|(k, a)| {
        vec![
            k.clone(),
            a.answered.to_string(),
            duration(a.median_s),
            duration(a.p90_s),
        ]
    }));
    let _ = writeln!(s);
    s.push_str(&table(
        &["first response by", "answered", "median", "p90"],
        &rows,
    ));
}

/// Delivered messages by author kind and the top authors.
fn authors(e: &Engagement, s: &mut String) {
    if !e.authors.is_empty() {
        let rows: Vec<Vec<String>> = e
            .authors
            .iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect();
        let _ = writeln!(s);
        s.push_str(&table(&["author kind", "delivered"], &rows));
    }
    if !e.top_authors.is_empty() {
        let rows: Vec<Vec<String>> = e
            .top_authors
            .iter()
            .map(|a| vec![a.id.clone(), a.kind.clone(), a.messages.to_string()])
            .collect();
        let _ = writeln!(s);
        s.push_str(&table(&["top author", "kind", "delivered"], &rows));
    }
}

/// A funnel table (TEMPLATES or CAMPAIGNS) with cost per delivered and per URL click, and
/// the buttons and failures of each row beneath.
pub(super) fn funnels(title: &str, rows: &[TemplateRow]) -> String {
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
                cost4(r.cost_per_delivered),
                cost4(r.cost_per_click),
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
            "cost/deliv.",
            "cost/click",
            "conv",
            "value",
            "failed",
        ],
        &cells,
    ));
    buttons_and_failures(rows, &mut s);
    s
}

/// A unit cost with four decimals (message rates are fractions of a cent).
fn cost4(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.4}"))
}

/// Each row's buttons (clicks, CTR) and failures by error code.
fn buttons_and_failures(rows: &[TemplateRow], s: &mut String) {
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
}
