//! The `report` program reads every file through the core's one stream path: a `.json`
//! array element by element, with per-element errors and a per-document size limit.

use std::process::Command;

fn report(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_report"))
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("convolens-report-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `n` outbound records as a pretty-printed JSON array; element `bad` has a bad timestamp.
fn records(n: usize, bad: Option<usize>) -> String {
    let docs: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let ts = if Some(i) == bad {
                serde_json::json!("soon")
            } else {
                serde_json::json!(1_751_450_000 + i)
            };
            serde_json::json!({"type": "outbound", "id": format!("wamid.{i}"),
                "to": "4915112345678", "timestamp": ts, "template": "promo"})
        })
        .collect();
    serde_json::to_string_pretty(&docs).unwrap()
}

#[test]
fn a_json_array_is_read_element_by_element() {
    // Issue 19.7: one bad element in a 41-document `.json` array dropped all 40 good ones.
    let p = temp_file("forty-one.json", &records(41, Some(17)));
    let (code, json, stderr) = report(&[p.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["input"]["records"]["outbound"], 40);
    // Element 17 starts on line 2 + 17 * 7 = 121 (7 lines per element, keys sorted: `{`,
    // id, template, timestamp, ...): its timestamp is on line 124, `    "timestamp": "soon"`,
    // whose value ends at column 23, where the parser reports it.
    let expected = format!(
        "{}: line 124, column 23, field `[17].timestamp`: timestamp `soon` is not a Unix time in seconds",
        p.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(stderr.contains("report: 1 document(s) failed"), "{stderr}");
}

#[test]
fn the_document_limit_applies_to_each_element() {
    // Issue 19.7: an array over the 16 MiB limit was rejected whole and nothing could raise
    // the limit. Now the limit is per element, and `--max-document-bytes` sets it.
    let text = records(200, None);
    assert!(text.len() > 20_000);
    let p = temp_file("two-hundred.json", &text);
    let path = p.to_str().unwrap();
    let (code, json, stderr) = report(&["--max-document-bytes", "1000", path]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["input"]["records"]["outbound"], 200);
    // Smaller than one element: each is reported and skipped.
    let (code, json, stderr) = report(&["--max-document-bytes", "100", path]);
    assert_eq!(code, 1);
    assert_eq!(json["input"]["errors"], 200);
    assert!(
        stderr.contains("line 2, column 3, field `[0]`: document is 1"),
        "{stderr}"
    );
    let (code, _, stderr) = report(&["--max-document-bytes", "none", path]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--max-document-bytes: `none` is not a positive number"));
}

#[test]
fn export_writes_the_row_tables_and_csv_the_keyed_tables() {
    let data = temp_file(
        "export.json",
        r#"{"type": "outbound", "id": "w1", "to": "4915112345678", "timestamp": 1751450000, "template": "promo", "category": "marketing"}"#,
    );
    let dir = std::env::temp_dir().join(format!("convolens-export-{}", std::process::id()));
    let (csv_dir, export_dir) = (dir.join("csv"), dir.join("rows"));
    let (code, json, err) = report(&[
        "--csv",
        csv_dir.to_str().unwrap(),
        "--export",
        export_dir.to_str().unwrap(),
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["input"]["records"]["outbound"], 1);
    // The keyed map input.records is a table: one type, one record.
    let records = std::fs::read_to_string(csv_dir.join("input_records.csv")).unwrap();
    assert_eq!(records, "type,records\r\noutbound,1\r\n");
    // One charge row: the template w1, sent but never delivered, so not charged.
    let charges = std::fs::read_to_string(export_dir.join("charges.csv")).unwrap();
    let lines: Vec<&str> = charges.lines().collect();
    assert_eq!(lines.len(), 2, "{charges}");
    assert!(lines[0].starts_with("message_id,user,phone,sent_at,delivered_at,"));
    assert!(lines[1].starts_with("w1,4915112345678,"), "{}", lines[1]);
    for name in ["conversations.csv", "contacts.csv"] {
        assert!(export_dir.join(name).exists(), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
