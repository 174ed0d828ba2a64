//! Plain-text layout: aligned tables, bars, durations and the buckets of long series.
//!
//! Columns are aligned by **display width** (`unicode-width`): an emoji or a CJK
//! character takes two terminal columns, a combining mark none, so a source named
//! "夏のセール 🌞" lines up with "Summer sale".

use chrono::{Datelike, Months, NaiveDate};
use unicode_width::UnicodeWidthStr;

/// The terminal columns `s` takes.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` display columns, ending in `…` when cut.
pub(crate) fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Right-align `cells` in columns under `header`, two spaces apart; the first column is
/// left-aligned.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    table_with(header, rows, usize::MAX, 1)
}

/// [`table`], with the first column's cells cut (to no less than 8 columns) so that
/// every line fits in `max` display columns.
pub(crate) fn table_fit(header: &[&str], rows: &[Vec<String>], max: usize) -> String {
    table_with(header, rows, max, 1)
}

/// [`table_fit`] with the first `left` columns left-aligned (text), the others right-
/// aligned (numbers).
pub(crate) fn table_with(header: &[&str], rows: &[Vec<String>], max: usize, left: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(c));
            }
        }
    }
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    if total(&widths) > max && !widths.is_empty() {
        let others = total(&widths) - widths[0];
        widths[0] = max.saturating_sub(others).max(8).min(widths[0]);
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        for (i, c) in cells.iter().enumerate() {
            let c = if i == 0 {
                fit(c, widths[0])
            } else {
                (*c).to_string()
            };
            let pad = " ".repeat(widths[i].saturating_sub(width(&c)));
            if i > 0 {
                out.push_str("  ");
            }
            if i < left {
                out.push_str(&c);
                // No trailing blanks after the last column.
                if i + 1 < cells.len() {
                    out.push_str(&pad);
                }
            } else {
                out.push_str(&pad);
                out.push_str(&c);
            }
        }
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    out.push_str(&"─".repeat(total(&widths)));
    out.push('\n');
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// A horizontal bar of `value` scaled to `width` characters at `max`.
pub(crate) fn bar(value: u64, max: u64, width: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let n = ((value as f64 / max as f64) * width as f64).round() as usize;
    "█".repeat(n.min(width))
}

/// A duration in seconds, readably: `42 s`, `4 min 12 s`, `3 h 5 min`, `2 d 4 h`
/// (rounded to the second; `—` when undefined).
pub(crate) fn duration(secs: Option<f64>) -> String {
    let Some(secs) = secs.filter(|s| s.is_finite() && *s >= 0.0) else {
        return "—".into();
    };
    let s = secs.round() as u64;
    let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// How a daily series over a range is shown: by day up to 45 days, by week (Monday to
/// Sunday) beyond, by month beyond 6 months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bucket {
    /// One line per day.
    Day,
    /// One line per week.
    Week,
    /// One line per calendar month.
    Month,
}

impl Bucket {
    /// The bucket for a range `[from, to)`.
    pub(crate) fn of(from: NaiveDate, to: NaiveDate) -> Bucket {
        if (to - from).num_days() <= 45 {
            Bucket::Day
        } else if from
            .checked_add_months(Months::new(6))
            .is_some_and(|d| d < to)
        {
            Bucket::Month
        } else {
            Bucket::Week
        }
    }

    /// The label of the bucket `day` falls in: the day, `wk YYYY-MM-DD` (its Monday), or
    /// `YYYY-MM`.
    pub(crate) fn label(self, day: NaiveDate) -> String {
        match self {
            Bucket::Day => day.to_string(),
            Bucket::Week => {
                let monday =
                    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
                format!("wk {monday}")
            }
            Bucket::Month => day.format("%Y-%m").to_string(),
        }
    }

    /// The column header of the labels.
    pub(crate) fn header(self) -> &'static str {
        match self {
            Bucket::Day => "date",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }
}

/// Group consecutive `(day, values)` into buckets: `(label, days in it, summed values)`.
pub(crate) fn bucketed<T: Copy + std::ops::AddAssign, const N: usize>(
    b: Bucket,
    days: impl IntoIterator<Item = (NaiveDate, [T; N])>,
) -> Vec<(String, u64, [T; N])> {
    let mut out: Vec<(String, u64, [T; N])> = Vec::new();
    for (day, v) in days {
        let label = b.label(day);
        match out.last_mut() {
            Some((l, n, sum)) if *l == label => {
                *n += 1;
                for (a, x) in sum.iter_mut().zip(v) {
                    *a += x;
                }
            }
            _ => out.push((label, 1, v)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_align_by_display_width() {
        // "夏のセール" is 5 characters, 10 columns; "🌞" is 1 character, 2 columns.
        assert_eq!(width("夏のセール 🌞"), 13);
        let t = table(
            &["source", "n"],
            &[
                vec!["夏のセール 🌞".into(), "1".into()],
                vec!["Summer".into(), "22".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        // Every line ends at the same display column: 13 + 2 + 2.
        for l in [lines[0], lines[2], lines[3]] {
            assert_eq!(width(l), 17, "{l:?}");
        }
        assert_eq!(fit("夏のセール", 5), "夏の…");
        assert_eq!(fit("Summer", 6), "Summer");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(Some(42.0)), "42 s");
        assert_eq!(duration(Some(252.0)), "4 min 12 s"); // 4 × 60 + 12
        assert_eq!(duration(Some(11_100.0)), "3 h 5 min"); // 3 × 3600 + 5 × 60
        assert_eq!(duration(Some(187_200.0)), "2 d 4 h"); // 2 × 86400 + 4 × 3600
        assert_eq!(duration(None), "—");
    }

    #[test]
    fn long_ranges_are_bucketed_by_week_then_month() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        // 45 days: daily; 46: weekly; 6 months exactly: weekly; one day more: monthly.
        assert_eq!(Bucket::of(d(6, 1), d(7, 16)), Bucket::Day);
        assert_eq!(Bucket::of(d(6, 1), d(7, 17)), Bucket::Week);
        assert_eq!(Bucket::of(d(1, 1), d(7, 1)), Bucket::Week);
        assert_eq!(Bucket::of(d(1, 1), d(7, 2)), Bucket::Month);
        // 2025-06-01 is a Sunday: its week starts Monday 05-26; 06-02 starts the next.
        let days = (1..=9).map(|n| (d(6, n), [1u64]));
        let b = bucketed(Bucket::Week, days);
        assert_eq!(
            b,
            vec![
                ("wk 2025-05-26".to_string(), 1, [1]),
                ("wk 2025-06-02".to_string(), 7, [7]),
                ("wk 2025-06-09".to_string(), 1, [1])
            ]
        );
    }
}
