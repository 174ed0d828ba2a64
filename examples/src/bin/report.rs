//! `report`: ingest webhook payloads and convolens JSONL, print the analytics.
//!
//! ```text
//! cargo run --release -q --bin report -- [OPTIONS] FILE...
//! ```
//!
//! `-` reads standard input. A `.json` file holds one (pretty-printed) document or an
//! array of them; anything else is JSON lines. A bad line is reported on stderr with its
//! file and line number and the run goes on; the exit code is 1 when any line failed,
//! 2 on a usage or configuration error, 0 otherwise.

use convolens::{Engine, ModelName, ReportOptions};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: report [OPTIONS] FILE...

Reads Cloud API webhook payloads and convolens JSONL records; prints the analytics.
FILE may be `-` for standard input; `.json` files hold one document or an array.

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
  --event NAME           the conversion event of this report (a configured messaging
                         event or an external event name; default: the config's)
  --compare              also report the previous period of equal length and the change
                         of every figure
  --csv DIR              also write one CSV file per table of the report into DIR
  --wide                 every column of the sources table (default: fit 120 columns)
  --explain              print a one-line definition of every figure and exit
  -h, --help             this text";

struct Args {
    json: bool,
    wide: bool,
    contacts: Option<String>,
    csv: Option<String>,
    config: Option<String>,
    opts: ReportOptions,
    files: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        json: false,
        wide: false,
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
            "--wide" => a.wide = true,
            "--explain" => return Err(EXPLAIN.into()),
            "--event" => a.opts.conversion_event = Some(val("--event")?),
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
    if let Err(e) = output(&args, &report) {
        eprintln!("report: {e}");
        return ExitCode::from(2);
    }
    if failed > 0 {
        eprintln!("report: {failed} line(s) failed");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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

/// Ingest one file; returns the per-line errors, numbered from 1 within the file.
fn ingest_file(engine: &mut Engine, file: &str) -> std::io::Result<Vec<convolens::ParseError>> {
    let first = engine.next_line();
    if file == "-" {
        let out = engine.ingest_reader(std::io::stdin().lock())?;
        return Ok(out.relative_to(first).errors);
    }
    let is_json = std::path::Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let mut bytes = Vec::new();
        std::fs::File::open(file)?.read_to_end(&mut bytes)?;
        let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        let result = engine.ingest_at(&bytes, first, lines);
        Ok(result
            .err()
            .map(|e| e.relative_to(first))
            .into_iter()
            .collect())
    } else {
        let out = engine.ingest_reader(std::fs::File::open(file)?)?;
        Ok(out.relative_to(first).errors)
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
