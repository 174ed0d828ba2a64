//! `report`: ingest webhook payloads and convolens JSONL, print the analytics.
//!
//! ```text
//! cargo run --release -q --bin report -- [OPTIONS] FILE...
//! ```
//!
//! `-` reads standard input. A `.json` file holds one (pretty-printed) document or an
//! array of them; anything else is JSON lines. gzip and zstd input (files or standard
//! input) is decompressed on the fly, recognised by its first bytes. A bad line is reported on stderr with its
//! file and line number and the run goes on; the exit code is 1 when any line failed,
//! 2 on a usage or configuration error, 0 otherwise.

use convolens::{Engine, ModelName, ReportOptions};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: report [OPTIONS] FILE...

Reads Cloud API webhook payloads and convolens JSONL records; prints the analytics.
FILE may be `-` for standard input; `.json` files hold one document or an array.
gzip and zstd input is read as it is decompressed, recognised by its first bytes.

Options:
  --json                 machine-readable JSON instead of the text dashboard
  --config FILE          JSON configuration (time_zone, sources, events, rate_card, ...)
  --from YYYY-MM-DD      first day (inclusive, report time zone)
  --to YYYY-MM-DD        last day (exclusive)
  --last PERIOD          7d, 14d, 30d, 6m or 12m, ending at the latest ingested day
  --phone ID             only this business number (phone_number_id)
  --tz ZONE              report time zone (IANA name), overrides the config
  --model NAME           attribution model: last_touch, first_touch, linear, time_decay,
                         position_based, markov, shapley
  --compare-models       every attribution model side by side per source
  --contacts NAME        print the users of a source key or event name as CSV
                         (wa_id, name, country, first seen, source, converted, value)
                         instead of the report
  --compare              also report the previous period of equal length and the change
  --csv DIR              also write one CSV file per table of the report into DIR
  -h, --help             this text";

struct Args {
    json: bool,
    contacts: Option<String>,
    csv: Option<String>,
    config: Option<String>,
    opts: ReportOptions,
    files: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        json: false,
        contacts: None,
        csv: None,
        config: None,
        opts: ReportOptions::default(),
        files: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--json" => a.json = true,
            "--compare" => a.opts.compare = true,
            "--csv" => a.csv = Some(val("--csv")?),
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
            eprintln!("report: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match convolens_examples::load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
    let mut engine = match Engine::new(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
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
    if let Some(name) = &args.contacts {
        return contacts(&mut engine, &args.opts, name, failed);
    }
    let report = match engine.report(&args.opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.csv {
        if let Err(e) = write_csv(dir, &report) {
            eprintln!("report: --csv {dir}: {e}");
            return ExitCode::from(2);
        }
    }
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => {
                let _ = writeln!(std::io::stdout(), "{s}");
            }
            Err(e) => {
                eprintln!("report: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        let _ = write!(std::io::stdout(), "{}", report.to_text());
    }
    if failed > 0 {
        eprintln!("report: {failed} line(s) failed");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--contacts`: the users of a source or event as CSV on standard output.
fn contacts(engine: &mut Engine, opts: &ReportOptions, name: &str, failed: u64) -> ExitCode {
    let filter = engine.contact_filter(name);
    if let Err(e) = engine.export_contacts(opts, &filter, std::io::stdout().lock()) {
        eprintln!("report: {e}");
        return ExitCode::from(2);
    }
    if failed > 0 {
        eprintln!("report: {failed} line(s) failed");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Ingest one file (plain, gzip or zstd, whatever its name); returns the per-line errors,
/// numbered from 1 within the file. An input that breaks off (a damaged or truncated
/// compressed stream) keeps what was read before it and says after which line it broke.
fn ingest_file(engine: &mut Engine, file: &str) -> std::io::Result<Vec<convolens::ParseError>> {
    let first = engine.next_line();
    let raw: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(file)?)
    };
    let (_, mut input) = convolens_examples::compressed::decompress(raw)?;
    let broke = |e: std::io::Error, engine: &Engine| {
        let lines = engine.next_line() - first;
        std::io::Error::new(e.kind(), format!("{e} (after line {lines})"))
    };
    if file != "-" && is_json(file) {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| broke(e, engine))?;
        let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let result = engine.ingest_at(&bytes, first, lines);
        Ok(result
            .err()
            .map(|e| e.relative_to(first))
            .into_iter()
            .collect())
    } else {
        match engine.ingest_reader(input) {
            Ok(out) => Ok(out.relative_to(first).errors),
            Err(e) => Err(broke(e, engine)),
        }
    }
}

/// A `.json` file holds one document or an array; a compression suffix does not count
/// (`x.json.gz` is JSON too).
fn is_json(file: &str) -> bool {
    let path = std::path::Path::new(file);
    let compressed = path.extension().is_some_and(|e| {
        ["gz", "zst", "zstd"]
            .iter()
            .any(|c| e.eq_ignore_ascii_case(c))
    });
    let path = if compressed {
        std::path::Path::new(path.file_stem().unwrap_or_default())
    } else {
        path
    };
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
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
