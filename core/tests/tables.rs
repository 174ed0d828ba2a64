//! The report's tables (`Report::tables`, what `report --csv` writes and the bindings'
//! `tables()` list): every list and keyed map is one, named columns, the formula guard.

mod support;

use convolens::{Config, ContactFilter, Engine, ReportOptions};
use serde_json::Value;
use std::collections::BTreeSet;

/// Objects of a report that are records (one thing's fields), not keyed maps.
const RECORDS: &[&str] = &[
    "overall",
    "billing.meta_business_agent",
    "engagement.support",
];

fn example_engine() -> Engine {
    let mut e = Engine::new(support::example_config()).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");
    let data = std::fs::File::open(format!("{dir}/example.jsonl")).unwrap();
    assert!(e.ingest_reader(data).unwrap().errors.is_empty());
    e
}

/// Paths (`a.b`, `a[].b`) of every non-empty object whose values are all numbers or all
/// objects, not descending into such an object.
fn maps(path: &str, v: &Value, out: &mut BTreeSet<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(o) if !o.is_empty() && o.values().all(|x| x.is_number() || x.is_object()) => {
            if o.values().all(Value::is_number) || o.values().all(Value::is_object) {
                out.insert(path.to_string());
            } else {
                o.iter().for_each(|(k, x)| maps(&join(k), x, out));
            }
        }
        Value::Object(o) => o.iter().for_each(|(k, x)| maps(&join(k), x, out)),
        Value::Array(a) => a.iter().for_each(|x| maps(&format!("{path}[]"), x, out)),
        _ => {}
    }
}

#[test]
fn every_keyed_map_and_list_of_a_full_report_is_a_table() {
    let mut e = example_engine();
    let opts = ReportOptions::from_json(r#"{"compare": true, "compare_models": true}"#).unwrap();
    let r = e.report(&opts).unwrap();
    let tables = r.tables();
    let paths: BTreeSet<String> = tables.iter().map(|t| t.path.clone()).collect();
    let mut found = BTreeSet::new();
    maps("", &serde_json::to_value(&r).unwrap(), &mut found);
    for p in &found {
        assert!(
            paths.contains(p) || RECORDS.contains(&p.as_str()),
            "{p} is a map but neither a table nor a record; tables: {paths:?}"
        );
    }
    // Names are the paths with `_` for `.` and `[].`.
    for t in &tables {
        assert_eq!(t.name, t.path.replace("[].", "_").replace('.', "_"));
    }
}

#[test]
fn the_example_report_has_a_table_per_list_and_keyed_map() {
    let mut e = example_engine();
    let r = e.report(&ReportOptions::default()).unwrap();
    let names: Vec<String> = r.tables().into_iter().map(|t| t.name).collect();
    // The 14 lists of before (one per array of objects or arrays), plus the keyed maps
    // that the example data fills: 3 input counts, 6 billing maps (conversations, charged
    // and free messages, cost by category, country and day), usage by country and
    // category, events by source, countries, authors, response time by author, and the
    // failures of templates and campaigns by error code. Not here: the reconciliation's
    // maps and `unpriced_by_category` (nothing mismatched or unpriced in the example).
    let want = [
        "input_messages",
        "input_records",
        "input_statuses",
        "billing_charged_messages",
        "billing_conversations",
        "billing_cost_by_category",
        "billing_cost_by_country",
        "billing_cost_by_day",
        "billing_free_messages",
        "billing_heatmap",
        "usage_months",
        "usage_months_by_category",
        "usage_months_by_country",
        "sources",
        "sources_funnel",
        "sources_funnel_steps",
        "events",
        "events_by_source",
        "engagement_authors",
        "engagement_countries",
        "engagement_daily_active",
        "engagement_daily_volume",
        "engagement_heatmap",
        "engagement_response_time_by_author",
        "engagement_top_authors",
        "templates",
        "templates_buttons",
        "templates_failed",
        "campaigns",
        "campaigns_buttons",
        "campaigns_failed",
    ];
    let got: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(got, want.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(names.len(), want.len(), "a name twice: {names:?}");
}

#[test]
fn keyed_tables_have_named_typed_columns() {
    let mut e = example_engine();
    let r = e.report(&ReportOptions::default()).unwrap();
    let tables = r.tables();
    let t = |n: &str| tables.iter().find(|t| t.name == n).unwrap();
    let by_day = t("billing_cost_by_day");
    assert_eq!(by_day.header, ["date", "cost"]);
    // One row per day of the range, each a date and the day's cost (a JSON number).
    assert_eq!(by_day.rows.len() as i64, r.range.days);
    let total: f64 = by_day.values.iter().map(|v| v[1].as_f64().unwrap()).sum();
    assert!((total - r.billing.cost.total.0 as f64 / 1e6).abs() < 0.01);
    assert_eq!(t("input_messages").header, ["type", "messages"]);
    let sum: u64 = t("input_messages")
        .values
        .iter()
        .map(|v| v[1].as_u64().unwrap())
        .sum();
    assert_eq!(sum, r.input.messages.values().sum::<u64>());
    let by_country = t("usage_months_by_country");
    assert_eq!(
        &by_country.header[..2],
        ["usage_months.month", "country"],
        "{:?}",
        by_country.header
    );
}

#[test]
fn a_profile_name_that_is_a_formula_is_written_as_text() {
    let mut e = Engine::new(Config::default()).unwrap();
    e.ingest_str(r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
      "metadata":{"phone_number_id":"1001"},
      "contacts":[{"wa_id":"4915112345678","profile":{"name":"=HYPERLINK(\"http://x.test\",\"Ana\")"}}],
      "messages":[{"from":"4915112345678","id":"wamid.in1","timestamp":"1751450000","type":"text","text":{"body":"Hi"}}]}}]}]}"#)
        .unwrap();
    let mut out = Vec::new();
    e.export_contacts(
        &ReportOptions::default(),
        &ContactFilter::default(),
        &mut out,
    )
    .unwrap();
    let csv = String::from_utf8(out).unwrap();
    let line = csv.lines().nth(1).unwrap();
    // The name gets a leading `'`, then RFC 4180 quoting (it holds quotes and commas).
    assert!(
        line.starts_with("4915112345678,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"Ana\"\")\","),
        "{line}"
    );
}

#[test]
fn row_tables_add_up_to_the_report_on_the_example_data() {
    let mut e = example_engine();
    let opts = ReportOptions::default();
    let r = e.report(&opts).unwrap();
    let col = |t: &convolens::Table, name: &str| t.header.iter().position(|h| h == name).unwrap();
    // Every charged message's cost sums to the billing total (micro-units, rounded per row
    // to float: compare in micros).
    let charges = e.rows("charges", &opts).unwrap();
    let (cost, is_charged) = (col(&charges, "cost"), col(&charges, "charged"));
    let micros: i64 = charges
        .values
        .iter()
        .map(|row| (row[cost].as_f64().unwrap() * 1e6).round() as i64)
        .sum();
    assert_eq!(micros, r.billing.cost.total.0);
    let units = charges
        .values
        .iter()
        .filter(|row| row[is_charged] == true)
        .count() as u64;
    // Charged units: PMP charged messages plus the openers of billable CBP conversations —
    // marketing, utility and authentication; the example is from 2025, when service
    // conversations were free (not billable) and free entry points never are.
    let by_category = serde_json::to_value(r.billing.charged_messages).unwrap();
    let pmp = by_category
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_u64)
        .sum::<u64>();
    let c = &r.billing.conversations;
    assert_eq!(units, pmp + c.marketing + c.utility + c.authentication);
    // One conversation row per conversation the overall figures count, the same leads,
    // and their credited value is the overall revenue.
    let convs = e.rows("conversations", &opts).unwrap();
    assert_eq!(convs.values.len() as u64, r.overall.conversations);
    let leads = convs
        .values
        .iter()
        .filter(|row| row[col(&convs, "lead")] == true)
        .count();
    assert_eq!(leads as u64, r.overall.leads);
    let value: i64 = convs
        .values
        .iter()
        .map(|row| (row[col(&convs, "attributed_value")].as_f64().unwrap() * 1e6).round() as i64)
        .sum();
    // (Compared with the overall figure, which counts each conversion once.)
    assert_eq!(Some(value), r.overall.revenue);
}
