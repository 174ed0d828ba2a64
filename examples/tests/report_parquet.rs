//! `report --export DIR --format parquet` (issue #21 item 5): the row tables of the example
//! data as Parquet hold the same rows and values as the CSV export, cell by cell, with the
//! column types the `parquet_export` module documents. Read back with the `parquet`
//! crate's own reader.

use convolens_examples::parquet_export::{
    MONEY_SCALE, column_is_listed, day_number, instant_micros,
};
use parquet::basic::{LogicalType, TimeUnit};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::{Path, PathBuf};
use std::process::Command;

const TABLES: [&str; 3] = ["charges", "conversations", "contacts"];

fn example(name: &str) -> String {
    format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Run `report --export <dir>/<sub>` with `extra` options on the example data.
fn export(dir: &Path, sub: &str, extra: &[&str]) -> PathBuf {
    let out_dir = dir.join(sub);
    let out = Command::new(env!("CARGO_BIN_EXE_report"))
        .args(["--json", "--config", &example("config.json"), "--export"])
        .arg(&out_dir)
        .args(extra)
        .arg(example("example.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out_dir
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Whether a Parquet cell says what the CSV cell says.
fn same(field: &Field, csv: &str) -> bool {
    match field {
        Field::Null => csv.is_empty(),
        // The CSV guards formula-like text with a leading `'`; Parquet carries it as is.
        Field::Str(s) => s == csv || csv.strip_prefix('\'') == Some(s.as_str()),
        Field::Bool(b) => b.to_string() == csv,
        Field::Long(n) => n.to_string() == csv,
        // The CSV prints the shortest text that reads back as the same f64: exact.
        Field::Double(x) => csv.parse::<f64>().is_ok_and(|c| c.to_bits() == x.to_bits()),
        Field::Decimal(d) => {
            let bytes = d.data();
            let mut buf = [if bytes[0] & 0x80 != 0 { 0xff } else { 0 }; 8];
            buf[8 - bytes.len()..].copy_from_slice(bytes);
            let micros = i64::from_be_bytes(buf);
            let c = csv.parse::<f64>().unwrap() * 10f64.powi(MONEY_SCALE);
            micros == c.round() as i64
        }
        Field::Date(days) => day_number(csv) == Ok(*days),
        Field::TimestampMicros(us) => instant_micros(csv) == Ok(*us),
        other => panic!("unexpected Parquet field {other:?}"),
    }
}

#[test]
fn parquet_export_equals_the_csv_export_cell_by_cell() {
    let dir = std::env::temp_dir().join(format!("convolens-parquet-{}", std::process::id()));
    let csv_dir = export(&dir, "csv", &[]);
    let pq_dir = export(&dir, "parquet", &["--format", "parquet"]);
    // `--format csv` is the default: the same bytes.
    let csv_again = export(&dir, "csv-again", &["--format", "csv"]);
    for t in TABLES {
        let name = format!("{t}.csv");
        assert_eq!(
            std::fs::read(csv_dir.join(&name)).unwrap(),
            std::fs::read(csv_again.join(&name)).unwrap()
        );
        let (header, rows) = read_csv(&csv_dir.join(&name));
        assert!(rows.len() > 100, "{t}: the example data has rows");
        let file = std::fs::File::open(pq_dir.join(format!("{t}.parquet"))).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let meta = reader.metadata().file_metadata();
        assert_eq!(meta.num_rows(), rows.len() as i64, "{t}");
        let columns: Vec<&str> = meta
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name())
            .collect();
        assert_eq!(columns, header, "{t}");
        for col in &header {
            assert!(
                column_is_listed(col),
                "{t}.{col} has no Parquet type in parquet_export"
            );
        }
        let mut n = 0;
        for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
            for (j, (col, field)) in row.unwrap().get_column_iter().enumerate() {
                let cell = &rows[i][j];
                assert!(
                    same(field, cell),
                    "{t} row {i} {col}: parquet {field:?}, csv {cell:?}"
                );
            }
            n += 1;
        }
        assert_eq!(n, rows.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn parquet_columns_have_their_logical_types_and_values() {
    let dir = std::env::temp_dir().join(format!("convolens-parquet-t-{}", std::process::id()));
    let pq_dir = export(&dir, "parquet", &["--format", "parquet"]);
    let file = std::fs::File::open(pq_dir.join("charges.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let logical = |name: &str| {
        let c = schema.columns().iter().find(|c| c.name() == name).unwrap();
        c.logical_type_ref().cloned()
    };
    assert_eq!(logical("message_id"), Some(LogicalType::String));
    assert_eq!(logical("billing_day"), Some(LogicalType::Date));
    assert_eq!(
        logical("sent_at"),
        Some(LogicalType::timestamp(true, TimeUnit::MICROS))
    );
    assert_eq!(logical("cost"), Some(LogicalType::decimal(6, 18)));
    assert_eq!(logical("tier"), None); // plain INT64
    // The first charge of the example data (charges.csv row 1): sent at
    // 2025-06-01T11:33:20+02:00 (Europe/Madrid) = 09:33:20 UTC = 1_748_770_400 s, billed
    // on 2025-06-01 = day 20_240 after 1970-01-01 (hand-computed: 55 years incl. 14 leap
    // days = 20_089 days to 2025-01-01, plus 151 days of January–May).
    let first = reader.get_row_iter(None).unwrap().next().unwrap().unwrap();
    let get = |name: &str| {
        first
            .get_column_iter()
            .find(|(c, _)| c.as_str() == name)
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(
        get("sent_at"),
        Field::TimestampMicros(1_748_770_400_000_000)
    );
    assert_eq!(get("billing_day"), Field::Date(20_240));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn parquet_needs_export() {
    let out = Command::new(env!("CARGO_BIN_EXE_report"))
        .args(["--format", "parquet", &example("example.jsonl")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format parquet needs --export"));
}
