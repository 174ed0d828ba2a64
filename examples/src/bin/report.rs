//! `report`: ingest webhook payloads and convolens JSONL, print the analytics.
//!
//! ```text
//! cargo run --release -q --bin report -- [OPTIONS] FILE...
//! ```
//!
//! `-` reads standard input. Every file is read the same way, whatever its name: JSON
//! lines, pretty-printed documents, documents glued together, and JSON arrays (read
//! element by element), in one pass (`convolens::input::stream`); gzip and zstd input
//! (files or standard input) is decompressed on the fly, recognised by its first bytes. A
//! bad document is reported on stderr with its file and line number and the run goes on;
//! the exit code is 1 when any document failed, 2 on a usage or configuration error, 0
//! otherwise.

use convolens::{CapiOptions, Engine, ModelName, ReportOptions};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: report [OPTIONS] FILE...

Reads Cloud API webhook payloads and convolens JSONL records; prints the analytics.
FILE may be `-` for standard input. Files hold JSON lines, pretty-printed documents or
JSON arrays of documents (read element by element), in any mix.
gzip and zstd input is read as it is decompressed, recognised by its first bytes.

Options:
  --json                 machine-readable JSON instead of the text dashboard
  --config FILE          JSON configuration (time_zone, sources, events, rate_card, ...)
  --from YYYY-MM-DD      first day (inclusive, report time zone)
  --to YYYY-MM-DD        last day (exclusive)
  --last PERIOD          7d, 14d, 30d, 6m or 12m, ending at the last day with a message
                         (inbound or outbound; a later status or spend does not count)
  --phone ID             only this business number (phone_number_id)
  --tz ZONE              report time zone (IANA name), overrides the config
  --model NAME           attribution model: last_touch, first_touch, linear, time_decay,
                         position_based, markov, shapley
  --compare-models       every attribution model side by side per source
  --contacts NAME        print the users of a source key or event name as CSV
                         (wa_id, name, country, first seen, source, converted, value)
                         instead of the report
  --format FORMAT        with --contacts: `convolens` (default) or `meta-audience`
                         (Meta's Custom Audience list: SHA-256 of each phone number)
  --capi FILE            also write Meta Conversions API events (batches, ineligible
                         counts by reason, cursor) as JSON to FILE (`-`: stdout)
  --capi-since CURSOR    with --capi: only events new since an earlier run's cursor
  --capi-now T           with --capi: leave out events more than 7 days before T
                         (Unix seconds), which Meta would refuse
  --forget FILE          erase the contacts listed in FILE (one wa_id or BSUID a line)
                         after reading the input, before reporting
  --event NAME           the conversion event of this report (a configured messaging
                         event or an external event name; default: the config's)
  --compare              also report the previous period of equal length and the change
                         of every figure
  --csv DIR              also write one CSV file per table of the report into DIR
  --export DIR           also write the row-level tables (charges.csv, one row per
                         business message; conversations.csv; contacts.csv) into DIR
  --max-document-bytes N longest document (or JSON array element) accepted, in bytes;
                         a longer one is reported and skipped (default 16777216)
  --wide                 every column of the sources table (default: fit 120 columns)
  --explain              print a one-line definition of every figure and exit
  -h, --help             this text";

struct Args {
    json: bool,
    wide: bool,
    contacts: Option<String>,
    audience: bool,
    capi: Option<String>,
    capi_opts: CapiOptions,
    forget: Option<String>,
    csv: Option<String>,
    export: Option<String>,
    config: Option<String>,
    max_document_bytes: Option<usize>,
    opts: ReportOptions,
    files: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        json: false,
        wide: false,
        contacts: None,
        audience: false,
        capi: None,
        capi_opts: CapiOptions::default(),
        forget: None,
        csv: None,
        export: None,
        config: None,
        max_document_bytes: None,
        opts: ReportOptions::default(),
        files: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => a.json = true,
            "--compare" => a.opts.compare = true,
            "--wide" => a.wide = true,
            "--explain" => return Err(EXPLAIN.into()),
            "--event" => a.opts.conversion_event = Some(val("--event")?),
            "--csv" => a.csv = Some(val("--csv")?),
            "--export" => a.export = Some(val("--export")?),
            "--config" => a.config = Some(val("--config")?),
            "--from" => a.opts.from = Some(date(&val("--from")?)?),
            "--to" => a.opts.to = Some(date(&val("--to")?)?),
            "--last" => a.opts.last = Some(val("--last")?),
            "--phone" => a.opts.phone = Some(val("--phone")?),
            "--tz" => a.opts.time_zone = Some(val("--tz")?),
            "--model" => {
                let m = val("--model")?;
                a.opts.model =
                    Some(ModelName::parse(&m).ok_or_else(|| format!("unknown model `{m}`"))?);
            }
            "--compare-models" => a.opts.compare_models = true,
            "--contacts" => a.contacts = Some(val("--contacts")?),
            "--max-document-bytes" => {
                let v = val("--max-document-bytes")?;
                a.max_document_bytes =
                    Some(v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("--max-document-bytes: `{v}` is not a positive number")
                    })?);
            }
            "--format" => {
                a.audience = match val("--format")?.as_str() {
                    "meta-audience" => true,
                    "convolens" => false,
                    f => return Err(format!("unknown contacts format `{f}`")),
                }
            }
            "--capi" => a.capi = Some(val("--capi")?),
            "--capi-since" => a.capi_opts = a.capi_opts.since(val("--capi-since")?),
            "--capi-now" => {
                let t = val("--capi-now")?;
                let t = t
                    .parse()
                    .map_err(|_| format!("`{t}` is not Unix seconds"))?;
                a.capi_opts = a.capi_opts.now(t);
            }
            "--forget" => a.forget = Some(val("--forget")?),
            "-h" | "--help" => return Err(String::new()),
            "-" => a.files.push(arg),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            _ => a.files.push(arg),
        }
    }
    if a.files.is_empty() {
        return Err("no input files".into());
    }
    Ok(a)
}

/// What `parse_args` returns for `--explain` (printed like `--help`).
const EXPLAIN: &str = "\u{0}explain";

fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date YYYY-MM-DD"))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            if e == EXPLAIN {
                print!("{}", convolens::explain());
                return ExitCode::SUCCESS;
            }
            eprintln!("report: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let engine = convolens_examples::load_config(args.config.as_deref())
        .and_then(convolens_examples::new_engine);
    let mut engine = match engine {
        Ok(e) => e,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(n) = args.max_document_bytes {
        engine.set_max_document_bytes(n);
    }
    let mut failed = 0u64;
    for file in &args.files {
        match ingest_file(&mut engine, file) {
            Ok(errors) => {
                for e in &errors {
                    let _ = writeln!(std::io::stderr(), "{file}: {e}");
                }
                failed += errors.len() as u64;
            }
            Err(e) => {
                eprintln!("report: {file}: {e}");
                failed += 1;
            }
        }
    }
    if let Err(e) = outputs(&mut engine, &args) {
        eprintln!("report: {e}");
        return ExitCode::from(2);
    }
    if failed > 0 {
        eprintln!("report: {failed} document(s) failed");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Everything after ingestion: erasure, the Conversions API file, then the contacts or
/// the report.
fn outputs(engine: &mut Engine, args: &Args) -> Result<(), String> {
    if let Some(file) = &args.forget {
        forget(engine, file)?;
    }
    if let Some(file) = &args.capi {
        let events = engine
            .capi_events(&args.capi_opts)
            .map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&events).map_err(|e| e.to_string())?;
        if file == "-" {
            let _ = writeln!(std::io::stdout(), "{text}");
        } else {
            std::fs::write(file, text + "\n").map_err(|e| format!("--capi {file}: {e}"))?;
        }
    }
    if let Some(name) = &args.contacts {
        return contacts(engine, &args.opts, name, args.audience);
    }
    if args.capi.as_deref() == Some("-") {
        return Ok(());
    }
    if let Some(dir) = &args.export {
        export_rows(engine, &args.opts, dir)?;
    }
    let report = engine.report(&args.opts).map_err(|e| e.to_string())?;
    output(args, &report)
}

/// `--export DIR`: one CSV file per row-level table (`Engine::ROW_TABLES`) into `dir`.
fn export_rows(engine: &mut Engine, opts: &ReportOptions, dir: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("--export {dir}: {e}");
    std::fs::create_dir_all(dir).map_err(fail)?;
    for name in Engine::ROW_TABLES {
        let table = engine.rows(name, opts).map_err(|e| e.to_string())?;
        let file = std::fs::File::create(std::path::Path::new(dir).join(format!("{name}.csv")))
            .map_err(fail)?;
        table
            .write_csv(std::io::BufWriter::new(file))
            .map_err(fail)?;
    }
    Ok(())
}

/// Print the report (JSON or text) and write the CSV files `--csv` asks for.
fn output(args: &Args, report: &convolens::Report) -> Result<(), String> {
    if let Some(dir) = &args.csv {
        write_csv(dir, report).map_err(|e| format!("--csv {dir}: {e}"))?;
    }
    if args.json {
        let s = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        let _ = writeln!(std::io::stdout(), "{s}");
    } else {
        let opts = convolens::TextOptions::default().wide(args.wide);
        let _ = write!(std::io::stdout(), "{}", report.to_text_with(opts));
    }
    Ok(())
}

/// `--forget FILE`: erase every contact listed; says on stderr how many were known.
fn forget(engine: &mut Engine, file: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("--forget {file}: {e}"))?;
    let list = convolens_examples::contacts_to_forget(&text);
    let found = list.iter().filter(|c| engine.forget(c).found).count();
    eprintln!(
        "report: forgot {found} of {} contact(s) listed in {file}",
        list.len()
    );
    Ok(())
}

/// `--contacts`: the users of a source or event as CSV on standard output (Meta's
/// Custom Audience form with `--format meta-audience`).
fn contacts(
    engine: &mut Engine,
    opts: &ReportOptions,
    name: &str,
    audience: bool,
) -> Result<(), String> {
    let filter = engine.contact_filter(name);
    let out = std::io::stdout().lock();
    if audience {
        let (_, skipped) = engine
            .export_audience(opts, &filter, out)
            .map_err(|e| e.to_string())?;
        if skipped > 0 {
            eprintln!(
                "report: {skipped} contact(s) without a phone number left out of the audience"
            );
        }
    } else {
        engine
            .export_contacts(opts, &filter, out)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Ingest one file (plain, gzip or zstd, whatever its name); returns the per-document
/// errors, numbered from 1 within the file. An input that breaks off (a damaged or truncated
/// compressed stream) keeps what was read before it and says after which line it broke.
fn ingest_file(engine: &mut Engine, file: &str) -> std::io::Result<Vec<convolens::ParseError>> {
    let first = engine.next_line();
    let raw: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(file)?)
    };
    let (_, input) = convolens_examples::compressed::decompress(raw)?;
    match engine.ingest_reader(input) {
        Ok(out) => Ok(out.relative_to(first).errors),
        Err(e) => {
            let lines = engine.next_line() - first;
            Err(std::io::Error::new(
                e.kind(),
                format!("{e} (after line {lines})"),
            ))
        }
    }
}

/// Write one CSV file per table of the report (`<section>_<table>.csv`) into `dir`.
fn write_csv(dir: &str, report: &convolens::Report) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for t in report.tables() {
        let path = std::path::Path::new(dir).join(format!("{}.csv", t.name));
        std::fs::write(path, t.to_csv())?;
    }
    Ok(())
}
