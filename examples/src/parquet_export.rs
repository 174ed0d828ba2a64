//! `report --export DIR --format parquet`: the row-level tables of `Engine::rows` as
//! Parquet files, written through the `parquet` crate's column writer (no Arrow).
//!
//! Column types are fixed per column name (see [`column_kind`]), not guessed from the data,
//! so every export of a table has the same schema:
//!
//! - text: `BYTE_ARRAY` `STRING`; the `events` list of a conversation as the CSV's JSON
//!   text (`["purchase"]`);
//! - counts: `INT64`; flags: `BOOLEAN`;
//! - money (`cost`, `meta_price`, `attributed_value`, `value`): `DECIMAL(18, 6)` on
//!   `INT64`, exact micro-units of the major unit. `Engine::rows` hands money over as a
//!   float of major units computed from the core's integer micro-units, so rounding
//!   `x × 10⁶` gives those micro-units back exactly; a decimal keeps invoice lines exact
//!   where a float would not sum exactly;
//! - fractional credit (`conversions`): `DOUBLE`;
//! - instants (`sent_at`, `delivered_at`, `start`, `last`, `first_seen`; RFC 3339 in the
//!   report zone in the CSV): `TIMESTAMP(MICROS, UTC)`;
//! - days (`billing_day`): `DATE`.
//!
//! Every column is `OPTIONAL` (a null is an empty CSV cell). One row group per table,
//! uncompressed (the crate is built without codecs to keep the build small).

use chrono::{DateTime, NaiveDate};
use convolens::Table;
use parquet::basic::{LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::Type;
use serde_json::Value;
use std::sync::Arc;

/// The Parquet type of a row-table column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text.
    Text,
    /// A 64-bit integer.
    Int,
    /// A boolean.
    Bool,
    /// Money: DECIMAL(18, 6) on INT64.
    Money,
    /// A float.
    Float,
    /// An instant: TIMESTAMP(MICROS, UTC).
    Instant,
    /// A calendar day: DATE.
    Day,
}

/// Decimal places of money columns (the core's micro-units).
pub const MONEY_SCALE: i32 = 6;

/// The type of the column `name` of `Engine::rows`' tables (text for a name this list
/// does not know; `tests/report_parquet.rs` checks that every column is listed).
pub fn column_kind(name: &str) -> Kind {
    match name {
        "tier" | "tokens" | "messages" => Kind::Int,
        "template"
        | "billable"
        | "charged"
        | "opened_conversation"
        | "unpriced"
        | "lead"
        | "converted" => Kind::Bool,
        "cost" | "meta_price" | "attributed_value" | "value" => Kind::Money,
        "conversions" => Kind::Float,
        "sent_at" | "delivered_at" | "start" | "last" | "first_seen" => Kind::Instant,
        "billing_day" => Kind::Day,
        _ => Kind::Text,
    }
}

/// Whether `name` has an explicit type in [`column_kind`] or is a known text column.
pub fn column_is_listed(name: &str) -> bool {
    column_kind(name) != Kind::Text || TEXT_COLUMNS.contains(&name)
}

/// The text columns of the row tables (for [`column_is_listed`]).
const TEXT_COLUMNS: &[&str] = &[
    "message_id",
    "user",
    "phone",
    "category",
    "model",
    "free_reason",
    "conversation",
    "conversation_kind",
    "country",
    "market",
    "currency",
    "price_source",
    "meta_currency",
    "source",
    "source_kind",
    "direction",
    "opening_message",
    "events",
    "headline",
    "wa_id",
    "name",
];

fn field(name: &str, kind: Kind) -> parquet::errors::Result<Arc<Type>> {
    let (physical, logical) = match kind {
        Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        Kind::Int => (Physical::INT64, None),
        Kind::Bool => (Physical::BOOLEAN, None),
        Kind::Money => (Physical::INT64, Some(LogicalType::decimal(MONEY_SCALE, 18))),
        Kind::Float => (Physical::DOUBLE, None),
        Kind::Instant => (
            Physical::INT64,
            Some(LogicalType::timestamp(true, TimeUnit::MICROS)),
        ),
        Kind::Day => (Physical::INT32, Some(LogicalType::Date)),
    };
    let mut b = Type::primitive_type_builder(name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical);
    if kind == Kind::Money {
        b = b.with_precision(18).with_scale(MONEY_SCALE);
    }
    Ok(Arc::new(b.build()?))
}

/// The Parquet schema of `table`.
fn schema(table: &Table) -> parquet::errors::Result<Type> {
    let fields = (table.header.iter())
        .map(|h| field(h, column_kind(h)))
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    Type::group_type_builder(&table.name)
        .with_fields(fields)
        .build()
}

/// Write `table` as one Parquet file to `w`.
pub fn write_table<W: std::io::Write + Send>(table: &Table, w: W) -> Result<(), String> {
    let err = |e: parquet::errors::ParquetError| format!("{}: {e}", table.name);
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer =
        SerializedFileWriter::new(w, Arc::new(schema(table).map_err(err)?), props).map_err(err)?;
    let mut group = writer.next_row_group().map_err(err)?;
    let mut i = 0;
    while let Some(mut col) = group.next_column().map_err(err)? {
        let name = &table.header[i];
        let cells: Vec<(&Value, &str)> = (table.values.iter().zip(&table.rows))
            .map(|(v, t)| (&v[i], t[i].as_str()))
            .collect();
        write_column(&mut col, column_kind(name), &cells)
            .map_err(|e| format!("{}.{name}: {e}", table.name))?;
        col.close().map_err(err)?;
        i += 1;
    }
    group.close().map_err(err)?;
    writer.close().map_err(err)?;
    Ok(())
}

/// The non-null values of a column and its definition levels (1 present, 0 null).
fn levels<T>(
    cells: &[(&Value, &str)],
    mut convert: impl FnMut(&Value, &str) -> Result<T, String>,
) -> Result<(Vec<T>, Vec<i16>), String> {
    let mut values = Vec::with_capacity(cells.len());
    let mut defs = Vec::with_capacity(cells.len());
    for (v, text) in cells {
        if v.is_null() {
            defs.push(0);
        } else {
            values.push(convert(v, text)?);
            defs.push(1);
        }
    }
    Ok((values, defs))
}

fn write_column(
    col: &mut SerializedColumnWriter<'_>,
    kind: Kind,
    cells: &[(&Value, &str)],
) -> Result<(), String> {
    let e = |e: parquet::errors::ParquetError| e.to_string();
    match kind {
        Kind::Text => {
            // A string cell as it is (unguarded, as Arrow would carry it), anything else
            // as the CSV's text.
            let (v, d) = levels(cells, |v, t| {
                Ok(ByteArray::from(v.as_str().unwrap_or(t).as_bytes().to_vec()))
            })?;
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
        Kind::Int => {
            let (v, d) = levels(cells, |v, t| {
                v.as_i64().ok_or(format!("`{t}` is not an integer"))
            })?;
            col.typed::<Int64Type>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
        Kind::Bool => {
            let (v, d) = levels(cells, |v, t| {
                v.as_bool().ok_or(format!("`{t}` is not a flag"))
            })?;
            col.typed::<BoolType>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
        Kind::Money => {
            let (v, d) = levels(cells, |v, t| {
                money_micros(v).ok_or(format!("`{t}` is not money"))
            })?;
            col.typed::<Int64Type>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
        Kind::Float => {
            let (v, d) = levels(cells, |v, t| {
                v.as_f64().ok_or(format!("`{t}` is not a number"))
            })?;
            col.typed::<DoubleType>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
        Kind::Instant => {
            let (v, d) = levels(cells, |_, t| instant_micros(t))?;
            col.typed::<Int64Type>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
        Kind::Day => {
            let (v, d) = levels(cells, |_, t| day_number(t))?;
            col.typed::<Int32Type>()
                .write_batch(&v, Some(&d), None)
                .map_err(e)?;
        }
    }
    Ok(())
}

/// A money cell (a float of major units made from integer micro-units) as micro-units.
pub fn money_micros(v: &Value) -> Option<i64> {
    let x = v.as_f64()? * 10f64.powi(MONEY_SCALE);
    (x.is_finite() && x.abs() < 9.0e18).then(|| x.round() as i64)
}

/// An RFC 3339 instant as microseconds since the Unix epoch (UTC).
pub fn instant_micros(text: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_micros())
        .map_err(|e| format!("`{text}` is not an RFC 3339 instant: {e}"))
}

/// A `YYYY-MM-DD` day as days since 1970-01-01.
pub fn day_number(text: &str) -> Result<i32, String> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| format!("`{text}` is not a day: {e}"))?;
    Ok((day - NaiveDate::default()).num_days() as i32)
}
