#![doc = include_str!("../guide/report/csv.md")]

use serde_json::{Map, Value};

/// Identifying fields, written first, in this order.
pub(crate) const ID_COLUMNS: [&str; 8] = [
    "date", "key", "name", "kind", "id", "text", "type", "category",
];

/// The fields of a row that child tables repeat to name their parent row.
pub(crate) const PARENT_COLUMNS: [&str; 7] = ["date", "key", "name", "kind", "id", "text", "type"];

/// A row to tabulate: the identifying cells of its parent rows, and the row.
type Row<'v> = (Vec<(String, String)>, &'v Map<String, Value>);

/// One table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// File stem (`engagement_daily_volume`).
    pub name: String,
    /// Column names.
    pub header: Vec<String>,
    /// Cells, one row per entry, aligned with `header`.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as RFC 4180 CSV text.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        write_line(&mut out, &self.header);
        for r in &self.rows {
            write_line(&mut out, r);
        }
        out
    }
}

fn write_line(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    }
    out.push_str("\r\n");
}

/// Every table of a report's JSON form (see the module rules), in the order met.
pub(crate) fn tables(report: &Value) -> Vec<Table> {
    let mut out = Vec::new();
    walk("", report, &mut out);
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}_{name}")
    }
}

fn walk(path: &str, v: &Value, out: &mut Vec<Table>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                walk(&join(path, k), x, out);
            }
        }
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_object) => {
            let rows: Vec<Row<'_>> = a
                .iter()
                .filter_map(Value::as_object)
                .map(|o| (Vec::new(), o))
                .collect();
            row_table(path, &rows, out);
        }
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_array) => {
            let width = a
                .iter()
                .filter_map(Value::as_array)
                .map(Vec::len)
                .max()
                .unwrap_or(0);
            let mut header = vec!["row".to_string()];
            header.extend((0..width).map(|i| i.to_string()));
            let rows = a
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let cells = r
                        .as_array()
                        .map(|r| r.iter().map(cell).collect::<Vec<_>>())
                        .unwrap_or_default();
                    let mut row = vec![i.to_string()];
                    row.extend((0..width).map(|j| cells.get(j).cloned().unwrap_or_default()));
                    row
                })
                .collect();
            out.push(Table {
                name: path.to_string(),
                header,
                rows,
            });
        }
        _ => {}
    }
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

/// Flatten an object into (column, cell) pairs; arrays of objects are returned apart.
fn flatten<'v>(
    prefix: &str,
    o: &'v Map<String, Value>,
    cols: &mut Vec<(String, String)>,
    nested: &mut Vec<(String, &'v [Value])>,
) {
    for (k, v) in o {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) => flatten(&name, inner, cols, nested),
            Value::Array(a)
                if !a.is_empty() && a.iter().all(Value::is_object) && prefix.is_empty() =>
            {
                nested.push((k.clone(), a));
            }
            // An empty list is an empty cell (or no column when no row has anything).
            Value::Array(a) if a.is_empty() => {}
            other => cols.push((name, cell(other))),
        }
    }
}

/// A table of rows; each row carries the identifying cells of its parent rows.
fn row_table(name: &str, rows: &[Row<'_>], out: &mut Vec<Table>) {
    let mut flat: Vec<Vec<(String, String)>> = Vec::with_capacity(rows.len());
    let mut children: Vec<(String, Vec<Row<'_>>)> = Vec::new();
    for (parent, o) in rows {
        let mut cols = parent.clone();
        let mut nested = Vec::new();
        flatten("", o, &mut cols, &mut nested);
        let ids: Vec<(String, String)> = parent
            .iter()
            .cloned()
            .chain(PARENT_COLUMNS.iter().filter_map(|k| {
                o.get(*k)
                    .filter(|v| v.is_string() || v.is_number())
                    .map(|v| (format!("{name}.{k}"), cell(v)))
            }))
            .collect();
        for (field, arr) in nested {
            let i = children
                .iter()
                .position(|c| c.0 == field)
                .unwrap_or_else(|| {
                    children.push((field.clone(), Vec::new()));
                    children.len() - 1
                });
            children[i].1.extend(
                arr.iter()
                    .filter_map(Value::as_object)
                    .map(|c| (ids.clone(), c)),
            );
        }
        flat.push(cols);
    }
    // Parent columns first (in their order), then identifying columns, then the rest.
    let parent_cols: Vec<String> = rows
        .first()
        .map(|r| r.0.iter().map(|c| c.0.clone()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = parent_cols.clone();
    for id in ID_COLUMNS {
        if flat.iter().any(|r| r.iter().any(|c| c.0 == id)) {
            header.push(id.to_string());
        }
    }
    for r in &flat {
        for (c, _) in r {
            if !header.contains(c) {
                header.push(c.clone());
            }
        }
    }
    let cells = flat
        .iter()
        .map(|r| {
            header
                .iter()
                .map(|h| {
                    r.iter()
                        .find(|c| &c.0 == h)
                        .map(|c| c.1.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    out.push(Table {
        name: name.to_string(),
        header,
        rows: cells,
    });
    for (field, child_rows) in children {
        row_table(&join(name, &field), &child_rows, out);
    }
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
            vec!["engagement_heatmap", "templates", "templates_buttons"]
        );
        assert_eq!(t[0].to_csv(), "row,0,1\r\n0,1,2\r\n1,3,4\r\n");
        // name first; then the others as met (serde_json orders keys alphabetically),
        // nested object flattened, null and missing empty, an empty list no column, a list
        // of text as JSON (quoted: it has a comma and quotes); the first name is quoted
        // with its quotes doubled.
        assert_eq!(
            t[1].to_csv(),
            "name,ctr,failed.131047,sent,tags\r\n\"promo, \"\"summer\"\"\",,1,3,\r\nplain,0.5,,1,\"[\"\"a\"\",\"\"b\"\"]\"\r\n"
        );
        assert_eq!(
            t[2].to_csv(),
            "templates.name,text,type,clicks\r\n\"promo, \"\"summer\"\"\",Yes,quick_reply,2\r\n"
        );
    }
}
