#![doc = include_str!("../guide/report/csv.md")]

use crate::util::csv::{guard, writer};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Identifying fields, written first, in this order.
pub(crate) const ID_COLUMNS: [&str; 8] = [
    "date", "key", "name", "kind", "id", "text", "type", "category",
];

/// The fields of a row that child tables repeat to name their parent row.
pub(crate) const PARENT_COLUMNS: [&str; 8] =
    ["date", "month", "key", "name", "kind", "id", "text", "type"];

/// A keyed map of the report and the columns of its table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keyed {
    /// Where the map is: object keys joined by `.`, with `[]` after an array whose rows
    /// hold it.
    pub(crate) path: &'static str,
    /// The key columns, one per level of nesting (a map of maps has two).
    pub(crate) keys: &'static [&'static str],
    /// The value column of a map of scalars; `None` for a map of objects, whose fields
    /// are the columns.
    pub(crate) value: Option<&'static str>,
}

const fn keyed(
    path: &'static str,
    keys: &'static [&'static str],
    value: Option<&'static str>,
) -> Keyed {
    Keyed { path, keys, value }
}

/// Every keyed map of the report (`core/tests/tables.rs` checks that a full report has no
/// other map of counts or objects that is not listed here or a record).
pub(crate) const KEYED: &[Keyed] = &[
    keyed("input.messages", &["type"], Some("messages")),
    keyed("input.statuses", &["status"], Some("statuses")),
    keyed("input.records", &["type"], Some("records")),
    keyed(
        "billing.conversations",
        &["category"],
        Some("conversations"),
    ),
    keyed("billing.charged_messages", &["category"], Some("messages")),
    keyed("billing.free_messages", &["reason"], Some("messages")),
    keyed("billing.cost.by_category", &["category"], Some("cost")),
    keyed("billing.cost.by_country", &["country"], Some("cost")),
    keyed("billing.cost.by_day", &["date"], Some("cost")),
    keyed(
        "billing.cost.unpriced_by_category",
        &["category", "market"],
        Some("units"),
    ),
    keyed(
        "billing.reconciliation.by_field",
        &["field"],
        Some("mismatches"),
    ),
    keyed("usage.months[].by_country", &["country"], None),
    keyed("usage.months[].by_category", &["category"], None),
    keyed("events[].by_source", &["source"], Some("occurrences")),
    keyed("attribution.comparison_errors", &["model"], Some("error")),
    keyed("engagement.countries", &["country"], Some("users")),
    keyed("engagement.authors", &["author"], Some("messages")),
    keyed("engagement.response_time.by_author", &["author"], None),
    keyed("templates[].failed", &["error_code"], Some("messages")),
    keyed("campaigns[].failed", &["error_code"], Some("messages")),
];

/// The keyed map at `path`, if it is one.
pub(crate) fn keyed_at(path: &str) -> Option<&'static Keyed> {
    KEYED.iter().find(|k| k.path == path)
}

/// A row to tabulate: the identifying cells of its parent rows (and its keys, for a keyed
/// map's row), and the row.
type Row<'v> = (Vec<(String, Value)>, Cow<'v, Map<String, Value>>);

/// One table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// File stem (`engagement_daily_volume`).
    pub name: String,
    /// Where the table is in the report's JSON form: keys joined by `.`, with `[]` after
    /// an array whose rows hold it (`billing.cost.by_day`, `usage.months[].by_country`).
    pub path: String,
    /// Column names.
    pub header: Vec<String>,
    /// Cells as text, one row per entry, aligned with `header`: text as is, numbers in
    /// JSON notation, booleans `true`/`false`, `null` empty, arrays as compact JSON.
    pub rows: Vec<Vec<String>>,
    /// The same cells as JSON values (numbers stay numbers, an empty cell is `null`).
    pub values: Vec<Vec<Value>>,
}

impl Table {
    fn new(at: &At, header: Vec<String>, values: Vec<Vec<Value>>) -> Table {
        let rows = values
            .iter()
            .map(|r| r.iter().map(cell).collect())
            .collect();
        Table {
            name: at.name.clone(),
            path: at.path.clone(),
            header,
            rows,
            values,
        }
    }

    /// The tables of a report's JSON form — a [`crate::Report`] serialised, or read back
    /// from `report --json` — by the module's rules (what [`crate::Report::tables`]
    /// returns for the report itself). Any other JSON value works too: its lists and
    /// keyed maps (at the report's paths) are its tables.
    pub fn from_json(report: &Value) -> Vec<Table> {
        tables(report)
    }

    /// A row-level table (`Engine::rows`): `name` is also its path.
    pub(crate) fn of_rows(name: &str, header: &[&str], values: Vec<Vec<Value>>) -> Table {
        let at = At {
            name: name.to_string(),
            path: name.to_string(),
        };
        Table::new(
            &at,
            header.iter().map(ToString::to_string).collect(),
            values,
        )
    }

    /// The table as CSV text: RFC 4180 quoting, CRLF line ends, and a leading `'` on a
    /// text cell that starts with `=`, `+`, `-`, `@`, tab or CR, so that a spreadsheet
    /// shows it instead of running it as a formula (numbers are not text: `-1.5` stays).
    pub fn to_csv(&self) -> String {
        let mut out = Vec::new();
        // Writing into memory cannot fail, and every cell is UTF-8.
        let _ = self.write_csv(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// [`Table::to_csv`] into a writer (a file, a socket).
    pub fn write_csv<W: std::io::Write>(&self, w: W) -> std::io::Result<()> {
        let mut w = writer(w);
        w.write_record(&self.header)?;
        for (text, values) in self.rows.iter().zip(&self.values) {
            w.write_record(text.iter().zip(values).map(|(t, v)| {
                match v {
                    Value::String(s) => guard(s),
                    _ => Cow::Borrowed(t.as_str()),
                }
                .into_owned()
            }))?;
        }
        w.flush()
    }
}

/// Where a table is: its name (`_` between parts) and its JSON path.
struct At {
    name: String,
    path: String,
}

impl At {
    fn root() -> At {
        At {
            name: String::new(),
            path: String::new(),
        }
    }

    /// The field `key` of this object.
    fn field(&self, key: &str) -> At {
        let (name, path) = if self.path.is_empty() {
            (key.to_string(), key.to_string())
        } else {
            (
                format!("{}_{key}", self.name),
                format!("{}.{key}", self.path),
            )
        };
        At { name, path }
    }

    /// The field `key` of this table's rows.
    fn row_field(&self, key: &str) -> At {
        At {
            name: format!("{}_{key}", self.name),
            path: format!("{}[].{key}", self.path),
        }
    }
}

/// Every table of a report's JSON form (see the module rules), in the order met.
pub(crate) fn tables(report: &Value) -> Vec<Table> {
    let mut out = Vec::new();
    walk(&At::root(), report, &mut out);
    out
}

fn walk(at: &At, v: &Value, out: &mut Vec<Table>) {
    match v {
        Value::Object(o) => match keyed_at(&at.path) {
            // An empty map, like an empty list, is no table.
            Some(_) if o.is_empty() => {}
            Some(spec) => {
                let rows = keyed_rows(spec.keys, spec.value, o, &[]);
                row_table(at, &rows, out);
            }
            None => {
                for (k, x) in o {
                    walk(&at.field(k), x, out);
                }
            }
        },
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_object) => {
            let rows: Vec<Row<'_>> = a
                .iter()
                .filter_map(Value::as_object)
                .map(|o| (Vec::new(), Cow::Borrowed(o)))
                .collect();
            row_table(at, &rows, out);
        }
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_array) => {
            grid_table(at, a, out);
        }
        _ => {}
    }
}

/// An array of arrays: a `row` column (the outer index) and one column per inner index.
fn grid_table(at: &At, a: &[Value], out: &mut Vec<Table>) {
    let width = a
        .iter()
        .filter_map(Value::as_array)
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let mut header = vec!["row".to_string()];
    header.extend((0..width).map(|i| i.to_string()));
    let values = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells = r.as_array().map(Vec::as_slice).unwrap_or_default();
            let mut row = vec![Value::from(i)];
            row.extend((0..width).map(|j| cells.get(j).cloned().unwrap_or(Value::Null)));
            row
        })
        .collect();
    out.push(Table::new(at, header, values));
}

/// The rows of a keyed map: `parent`'s cells, a key column per level of `keys`, then the
/// value in column `value` (a map of scalars) or the object's fields.
fn keyed_rows<'v>(
    keys: &[&str],
    value: Option<&str>,
    map: &'v Map<String, Value>,
    parent: &[(String, Value)],
) -> Vec<Row<'v>> {
    let mut rows = Vec::new();
    for (k, v) in map {
        let mut cols = parent.to_vec();
        cols.push((keys[0].to_string(), Value::String(k.clone())));
        match (v, keys.len() > 1, value) {
            (Value::Object(inner), true, _) => {
                rows.extend(keyed_rows(&keys[1..], value, inner, &cols));
            }
            (Value::Object(o), false, None) => rows.push((cols, Cow::Borrowed(o))),
            (v, _, name) => {
                let mut m = Map::new();
                m.insert(name.unwrap_or("value").to_string(), v.clone());
                rows.push((cols, Cow::Owned(m)));
            }
        }
    }
    rows
}

/// A scalar cell (arrays and objects as compact JSON).
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A child table of a row: an array of objects or a keyed map.
enum Nested<'v> {
    Rows(&'v [Value]),
    Keyed(&'static Keyed, &'v Map<String, Value>),
}

/// Flatten a row into (column, cell) pairs; arrays of objects and keyed maps (of the
/// table at `at`) are returned apart.
fn flatten<'v>(
    at: &At,
    prefix: &str,
    o: &'v Map<String, Value>,
    cols: &mut Vec<(String, Value)>,
    nested: &mut Vec<(String, Nested<'v>)>,
) {
    for (k, v) in o {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let spec = || keyed_at(&format!("{}[].{k}", at.path));
        match v {
            Value::Object(inner) if prefix.is_empty() && spec().is_some() => {
                if let Some(s) = spec().filter(|_| !inner.is_empty()) {
                    nested.push((k.clone(), Nested::Keyed(s, inner)));
                }
            }
            Value::Object(inner) => flatten(at, &name, inner, cols, nested),
            Value::Array(a)
                if !a.is_empty() && a.iter().all(Value::is_object) && prefix.is_empty() =>
            {
                nested.push((k.clone(), Nested::Rows(a)));
            }
            // An empty list is an empty cell (or no column when no row has anything).
            Value::Array(a) if a.is_empty() => {}
            other => cols.push((name, other.clone())),
        }
    }
}

/// Add `rows` to the child table `field` (created on first use, in the order met).
fn add_child<'v>(children: &mut Vec<(String, Vec<Row<'v>>)>, field: String, rows: Vec<Row<'v>>) {
    match children.iter_mut().find(|c| c.0 == field) {
        Some(c) => c.1.extend(rows),
        None => children.push((field, rows)),
    }
}

/// A table of rows; each row carries the identifying cells of its parent rows.
fn row_table(at: &At, rows: &[Row<'_>], out: &mut Vec<Table>) {
    let mut flat: Vec<Vec<(String, Value)>> = Vec::with_capacity(rows.len());
    let mut children: Vec<(String, Vec<Row<'_>>)> = Vec::new();
    for (parent, o) in rows {
        let mut cols = parent.clone();
        let mut nested = Vec::new();
        flatten(at, "", o, &mut cols, &mut nested);
        let ids: Vec<(String, Value)> = parent
            .iter()
            .cloned()
            .chain(PARENT_COLUMNS.iter().filter_map(|k| {
                o.get(*k)
                    .filter(|v| v.is_string() || v.is_number())
                    .map(|v| (format!("{}.{k}", at.name), v.clone()))
            }))
            .collect();
        for (field, child) in nested {
            let child_rows = match child {
                Nested::Rows(arr) => arr
                    .iter()
                    .filter_map(Value::as_object)
                    .map(|c| (ids.clone(), Cow::Borrowed(c)))
                    .collect(),
                Nested::Keyed(spec, map) => keyed_rows(spec.keys, spec.value, map, &ids),
            };
            add_child(&mut children, field, child_rows);
        }
        flat.push(cols);
    }
    let header = header(rows, &flat);
    let values = flat
        .iter()
        .map(|r| {
            header
                .iter()
                .map(|h| {
                    r.iter()
                        .find(|c| &c.0 == h)
                        .map_or(Value::Null, |c| c.1.clone())
                })
                .collect()
        })
        .collect();
    out.push(Table::new(at, header, values));
    for (field, child_rows) in children {
        row_table(&at.row_field(&field), &child_rows, out);
    }
}

/// Parent (and key) columns first, in their order, then identifying columns, then the rest
/// in the order first met.
fn header(rows: &[Row<'_>], flat: &[Vec<(String, Value)>]) -> Vec<String> {
    let mut header: Vec<String> = rows
        .first()
        .map(|r| r.0.iter().map(|c| c.0.clone()).collect())
        .unwrap_or_default();
    for id in ID_COLUMNS {
        if !header.iter().any(|h| h == id) && flat.iter().any(|r| r.iter().any(|c| c.0 == id)) {
            header.push(id.to_string());
        }
    }
    for r in flat {
        for (c, _) in r {
            if !header.contains(c) {
                header.push(c.clone());
            }
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_list_one_table() {
        let v = serde_json::json!({"engagement": {"daily_active": [{"date": "2025-07-01", "users": 2}]}});
        let t = tables(&v);
        assert_eq!(t[0].name, "engagement_daily_active");
        assert_eq!(t[0].to_csv(), "date,users\r\n2025-07-01,2\r\n");
    }
    use serde_json::json;

    #[test]
    fn nested_rows_become_child_tables_and_quoting_follows_rfc_4180() {
        let v = json!({
            "templates": [
                {"name": "promo, \"summer\"", "sent": 3, "failed": {"131047": 1}, "ctr": null,
                 "buttons": [{"text": "Yes", "type": "quick_reply", "clicks": 2}]},
                {"name": "plain", "sent": 1, "failed": {}, "ctr": 0.5, "buttons": [], "tags": ["a", "b"]}
            ],
            "engagement": {"heatmap": [[1, 2], [3, 4]], "active_users": 2}
        });
        let t = tables(&v);
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        // serde_json orders keys alphabetically: engagement before templates.
        assert_eq!(
            names,
            vec![
                "engagement_heatmap",
                "templates",
                "templates_buttons",
                "templates_failed"
            ]
        );
        assert_eq!(t[0].to_csv(), "row,0,1\r\n0,1,2\r\n1,3,4\r\n");
        // name first; then the others as met (serde_json orders keys alphabetically),
        // `failed` (a keyed map) a table of its own, null and missing empty, an empty list
        // no column, a list
        // of text as JSON (quoted: it has a comma and quotes); the first name is quoted
        // with its quotes doubled.
        assert_eq!(
            t[1].to_csv(),
            "name,ctr,sent,tags\r\n\"promo, \"\"summer\"\"\",,3,\r\nplain,0.5,1,\"[\"\"a\"\",\"\"b\"\"]\"\r\n"
        );
        assert_eq!(
            t[2].to_csv(),
            "templates.name,text,type,clicks\r\n\"promo, \"\"summer\"\"\",Yes,quick_reply,2\r\n"
        );
        assert_eq!(
            t[3].to_csv(),
            "templates.name,error_code,messages\r\n\"promo, \"\"summer\"\"\",131047,1\r\n"
        );
    }
}

#[cfg(test)]
mod keyed_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keyed_maps_are_tables_with_named_columns() {
        let v = json!({
            "billing": {"cost": {"by_day": {"2025-07-01": 0.5, "2025-07-02": 0.0},
                                 "unpriced_by_category": {"marketing": {"IN": 2, "BR": 1}}}},
            "overall": {"leads": 2},
            "usage": {"months": [{"month": "2025-07", "by_country": {"DE": {"sent": 3}}}]},
            "events": [{"name": "purchase", "by_source": {"direct": 2}}]
        });
        let t = tables(&v);
        let names: Vec<(&str, &str)> = t
            .iter()
            .map(|t| (t.name.as_str(), t.path.as_str()))
            .collect();
        // `overall` is a record, not a keyed map: no table. Keys in serde_json's
        // (alphabetical) order; child tables after their parent.
        assert_eq!(
            names,
            vec![
                ("billing_cost_by_day", "billing.cost.by_day"),
                (
                    "billing_cost_unpriced_by_category",
                    "billing.cost.unpriced_by_category"
                ),
                ("events", "events"),
                ("events_by_source", "events[].by_source"),
                ("usage_months", "usage.months"),
                ("usage_months_by_country", "usage.months[].by_country"),
            ]
        );
        assert_eq!(
            t[0].to_csv(),
            "date,cost\r\n2025-07-01,0.5\r\n2025-07-02,0.0\r\n"
        );
        assert_eq!(t[0].values[0], vec![json!("2025-07-01"), json!(0.5)]);
        // Two levels of keys: category, then market (BR before IN).
        assert_eq!(
            t[1].to_csv(),
            "category,market,units\r\nmarketing,BR,1\r\nmarketing,IN,2\r\n"
        );
        assert_eq!(
            t[3].to_csv(),
            "events.name,source,occurrences\r\npurchase,direct,2\r\n"
        );
        // The month row no longer carries `by_country.DE.sent`: that is the child table,
        // whose rows start with their month.
        assert_eq!(t[4].to_csv(), "month\r\n2025-07\r\n");
        assert_eq!(
            t[5].to_csv(),
            "usage_months.month,country,sent\r\n2025-07,DE,3\r\n"
        );
    }

    #[test]
    fn text_cells_that_would_run_as_formulas_get_a_quote_mark_and_numbers_do_not() {
        let v = json!({"templates": [
            {"name": "=HYPERLINK(\"http://x\")", "sent": -1.5},
            {"name": "@me, +1", "sent": 2}
        ]});
        let t = tables(&v);
        // The first name: guarded, then quoted (it has quotes); -1.5 is a number.
        assert_eq!(
            t[0].to_csv(),
            "name,sent\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-1.5\r\n\"'@me, +1\",2\r\n"
        );
        // The text cells themselves are unchanged: the guard is the CSV's.
        assert_eq!(t[0].rows[1][0], "@me, +1");
    }
}
