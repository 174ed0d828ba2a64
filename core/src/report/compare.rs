//! `compare`: the same report over the previous period of equal length, and how each
//! number changed.
//!
//! # Rules
//!
//! - The previous period of `[from, to)` is `[from − n days, from)` with `n = to − from`,
//!   same time zone, number filter and model.
//! - The report gains `compare: {previous_range, <section>_delta, ...}` with one delta per
//!   compared section (`COMPARED`) present in the report. The delta is computed on the
//!   sections' JSON form, so it covers every field of every section without knowing them:
//!   - a number becomes `current − previous` (exact for integers; decimals rounded to 9
//!     places); a `null` on either side gives `null` (a ratio that was undefined);
//!   - objects are compared key by key; a key present on one side only compares against
//!     zero (an absent count is zero);
//!   - arrays of numbers and arrays of arrays compare position by position;
//!   - arrays of rows (objects) with a `date` compare position by position (day *i* of the
//!     period against day *i* of the previous one: their dates never coincide) and keep
//!     the current date;
//!   - other arrays of rows are matched by their identifying text fields (`key`, `name`,
//!     `kind`, `id`, `text`, `type`); a row present on one side only compares against zero;
//!   - text and booleans are kept as they are in the current report (they name the row).

use super::{RangeInfo, Report};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// The sections `compare` reports a delta for (when the report has them).
pub(crate) const COMPARED: [&str; 2] = ["engagement", "sources"];

/// Fields that identify a row in an array of rows.
pub(crate) const ROW_KEYS: [&str; 6] = ["key", "name", "kind", "id", "text", "type"];

/// The previous period and the change of each compared section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The previous period.
    pub previous_range: RangeInfo,
    /// `<section>_delta` → the section's change (same shape as the section).
    #[serde(flatten)]
    pub deltas: BTreeMap<String, Value>,
}

impl Comparison {
    /// Compare `cur` with `prev`, the same report over the previous period.
    pub fn new(prev: &Report, cur: &Report) -> Comparison {
        let p = serde_json::to_value(prev).unwrap_or(Value::Null);
        let c = serde_json::to_value(cur).unwrap_or(Value::Null);
        let mut deltas = BTreeMap::new();
        for s in COMPARED {
            if let (Some(pv), Some(cv)) = (p.get(s), c.get(s)) {
                deltas.insert(format!("{s}_delta"), delta(pv, cv));
            }
        }
        Comparison {
            previous_range: prev.range.clone(),
            deltas,
        }
    }
}

/// The change from `prev` to `cur` (see the module rules).
pub(crate) fn delta(prev: &Value, cur: &Value) -> Value {
    match (prev, cur) {
        (Value::Number(a), Value::Number(b)) => sub(a, b),
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Map::new();
            for (k, v) in b {
                out.insert(k.clone(), delta_opt(a.get(k), Some(v)));
            }
            for (k, v) in a {
                if !b.contains_key(k) {
                    out.insert(k.clone(), delta_opt(Some(v), None));
                }
            }
            Value::Object(out)
        }
        (Value::Array(a), Value::Array(b)) => Value::Array(delta_arrays(a, b)),
        (Value::String(_) | Value::Bool(_), Value::String(_) | Value::Bool(_)) => cur.clone(),
        // A null on either side (an undefined ratio), or different kinds of value.
        _ => Value::Null,
    }
}

/// What an absent value compares against: zero, empty, or itself for text.
fn zero_like(v: &Value) -> Value {
    match v {
        Value::Number(_) => Value::from(0),
        Value::Object(_) => Value::Object(Map::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        other => other.clone(),
    }
}

fn delta_opt(prev: Option<&Value>, cur: Option<&Value>) -> Value {
    match (prev, cur) {
        (Some(p), Some(c)) => delta(p, c),
        (None, Some(c)) => delta(&zero_like(c), c),
        (Some(p), None) => delta(p, &zero_like(p)),
        (None, None) => Value::Null,
    }
}

fn sub(prev: &Number, cur: &Number) -> Value {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    if let (Some(p), Some(c)) = (int(prev), int(cur)) {
        let diff = c - p;
        return i64::try_from(diff).map_or_else(|_| Value::from(diff as f64), Value::from);
    }
    match (prev.as_f64(), cur.as_f64()) {
        (Some(p), Some(c)) => {
            let diff = ((c - p) * 1e9).round() / 1e9;
            Number::from_f64(diff).map_or(Value::Null, Value::Number)
        }
        _ => Value::Null,
    }
}

/// The identity of a row: its identifying text fields, or None when it has none.
fn row_key(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    let parts: Vec<String> = ROW_KEYS
        .iter()
        .filter_map(|k| {
            o.get(*k)
                .and_then(Value::as_str)
                .map(|s| format!("{k}={s}"))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\u{1f}"))
}

fn delta_arrays(a: &[Value], b: &[Value]) -> Vec<Value> {
    let rows = |x: &[Value]| !x.is_empty() && x.iter().all(Value::is_object);
    let dated = |x: &[Value]| x.iter().all(|v| v.get("date").is_some());
    let keyed = |x: &[Value]| x.iter().all(|v| row_key(v).is_some());
    let (ra, rb) = (rows(a) || a.is_empty(), rows(b) || b.is_empty());
    let (any_rows, all_dated) = (rows(a) || rows(b), dated(a) && dated(b));
    if any_rows && ra && rb && !all_dated && keyed(a) && keyed(b) {
        let prev: BTreeMap<String, &Value> =
            a.iter().filter_map(|v| Some((row_key(v)?, v))).collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(b.len());
        for v in b {
            let k = row_key(v).unwrap_or_default();
            out.push(delta_opt(prev.get(&k).copied(), Some(v)));
            seen.insert(k);
        }
        for v in a {
            if !seen.contains(&row_key(v).unwrap_or_default()) {
                out.push(delta_opt(Some(v), None));
            }
        }
        return out;
    }
    // Position by position (numbers, matrices, dated rows: text such as the date is kept
    // from the current row).
    let n = a.len().max(b.len());
    (0..n).map(|i| delta_opt(a.get(i), b.get(i))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_subtracts_numbers_and_rows() {
        use serde_json::json;
        let prev = json!({"users": 4, "rate": 0.5, "days": [{"date": "2025-06-01", "n": 1}], "by": {"DE": 2}});
        let cur = json!({"users": 6, "rate": null, "days": [{"date": "2025-07-01", "n": 4}], "by": {"FR": 1}});
        assert_eq!(
            delta(&prev, &cur),
            json!({"users": 2, "rate": null, "days": [{"date": "2025-07-01", "n": 3}], "by": {"DE": -2, "FR": 1}})
        );
    }
    use serde_json::json;

    #[test]
    fn rows_are_matched_by_their_names_and_missing_ones_count_as_zero() {
        let prev = json!([{"kind": "agent", "id": "ana", "messages": 5}, {"kind": "agent", "id": "bob", "messages": 2}]);
        let cur = json!([{"kind": "agent", "id": "bob", "messages": 7}, {"kind": "api", "id": "crm", "messages": 1}]);
        // bob 2 → 7: +5; crm new: +1; ana gone: −5 (listed after the current rows).
        assert_eq!(
            delta(&prev, &cur),
            json!([
                {"kind": "agent", "id": "bob", "messages": 5},
                {"kind": "api", "id": "crm", "messages": 1},
                {"kind": "agent", "id": "ana", "messages": -5}
            ])
        );
    }

    #[test]
    fn matrices_and_decimals() {
        let prev =
            json!({"heatmap": [[1, 2], [3, 4]], "avg": 0.1, "big": 18_446_744_073_709_551_615u64});
        let cur = json!({"heatmap": [[2, 2], [0, 9]], "avg": 0.3, "big": 0});
        assert_eq!(
            delta(&prev, &cur),
            json!({"heatmap": [[1, 0], [-3, 5]], "avg": 0.2, "big": -18_446_744_073_709_551_615f64})
        );
    }

    #[test]
    fn dated_rows_compare_by_position_and_keep_the_current_date() {
        let prev = json!([{"date": "2025-06-01", "users": 3}, {"date": "2025-06-02", "users": 1}]);
        let cur = json!([{"date": "2025-06-03", "users": 1}, {"date": "2025-06-04", "users": 4}]);
        assert_eq!(
            delta(&prev, &cur),
            json!([{"date": "2025-06-03", "users": -2}, {"date": "2025-06-04", "users": 3}])
        );
    }
}
