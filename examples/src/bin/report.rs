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

use clap::Parser;
use convolens::{CapiOptions, Engine, ModelName, ReportOptions};
use convolens_examples::progress::Progress;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// What `report --help` says before the options.
const ABOUT: &str =
    "Reads Cloud API webhook payloads and convolens JSONL records; prints the analytics.

FILE may be `-` for standard input. Files hold JSON lines, pretty-printed documents or
JSON arrays of documents (read element by element), in any mix. gzip and zstd input is
read as it is decompressed, recognised by its first bytes. A bad document is reported on
stderr with its file and line and the run goes on. Exit code: 1 when any document failed,
2 on a usage or configuration error, 0 otherwise.

Options take their value as `--opt value` or `--opt=value`; given twice, the last wins.";

/// The command line, as clap reads it. Values are checked afterwards ([`Cli::into_args`]),
/// so their errors read as they always have.
#[derive(Parser)]
#[command(
    name = "report",
    version,
    about = ABOUT,
    args_override_self = true,
    max_term_width = 100
)]
struct Cli {
    /// Machine-readable JSON instead of the text dashboard
    #[arg(long)]
    json: bool,
    /// JSON configuration (time_zone, sources, events, rate_card, ...)
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// First day (inclusive, report time zone)
    #[arg(long, visible_alias = "start", value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// Last day (exclusive)
    #[arg(long, visible_alias = "end", value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// 7d, 14d, 30d, 6m or 12m, ending at the last day with a message (inbound or
    /// outbound; a later status or spend does not count)
    #[arg(long, value_name = "PERIOD")]
    last: Option<String>,
    /// Only this business number (phone_number_id)
    #[arg(long, value_name = "ID")]
    phone: Option<String>,
    /// Report time zone (IANA name), overrides the config
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Attribution model: last_touch, first_touch, linear, time_decay, position_based,
    /// markov, shapley
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// Every attribution model side by side per source
    #[arg(long)]
    compare_models: bool,
    /// Print the users of a source key or event name as CSV (wa_id, name, country, first
    /// seen, source, converted, value) instead of the report
    #[arg(long, value_name = "NAME")]
    contacts: Option<String>,
    /// With --contacts: `convolens` (default) or `meta-audience` (Meta's Custom Audience
    /// list: SHA-256 of each phone number). With --export: `csv` (default) or `parquet`
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Also write Meta Conversions API events (batches, ineligible counts by reason,
    /// cursor) as JSON to FILE (`-`: stdout)
    #[arg(long, value_name = "FILE")]
    capi: Option<String>,
    /// With --capi: only events new since an earlier run's cursor
    #[arg(long, value_name = "CURSOR")]
    capi_since: Option<String>,
    /// With --capi: leave out events more than 7 days before T (Unix seconds), which
    /// Meta would refuse
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    capi_now: Option<String>,
    /// Erase the contacts listed in FILE (one wa_id or BSUID a line) after reading the
    /// input, before reporting
    #[arg(long, value_name = "FILE")]
    forget: Option<String>,
    /// The conversion event of this report (a configured messaging event or an external
    /// event name; default: the config's)
    #[arg(long, value_name = "NAME")]
    event: Option<String>,
    /// Also report the previous period of equal length and the change of every figure
    #[arg(long)]
    compare: bool,
    /// Also write one CSV file per table of the report into DIR
    #[arg(long, value_name = "DIR")]
    csv: Option<String>,
    /// Also write the row-level tables (charges.csv, one row per business message;
    /// conversations.csv; contacts.csv) into DIR; `.parquet` files with --format parquet
    #[arg(long, value_name = "DIR")]
    export: Option<String>,
    /// Longest document (or JSON array element) accepted, in bytes; a longer one is
    /// reported and skipped [default: 16777216]
    #[arg(long, value_name = "N")]
    max_document_bytes: Option<String>,
    /// Threads that parse the input (documents are applied in input order, so the report
    /// is the same for any number) [default: the machine's cores]
    #[arg(long, value_name = "N")]
    threads: Option<String>,
    /// Every column of the sources table (default: fit 120 columns)
    #[arg(long)]
    wide: bool,
    /// Print a one-line definition of every figure and exit
    #[arg(long)]
    explain: bool,
    /// Input files (`-`: standard input)
    #[arg(value_name = "FILE")]
    files: Vec<String>,
}

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
    export_parquet: bool,
    config: Option<String>,
    max_document_bytes: Option<usize>,
    threads: usize,
    opts: ReportOptions,
    files: Vec<String>,
}

impl Cli {
    /// Check the values and build the arguments the program runs with.
    fn into_args(self) -> Result<Args, String> {
        let mut opts = ReportOptions::default();
        opts.from = self.from.as_deref().map(date).transpose()?;
        opts.to = self.to.as_deref().map(date).transpose()?;
        opts.last = self.last;
        opts.phone = self.phone;
        opts.time_zone = self.tz;
        opts.conversion_event = self.event;
        opts.compare = self.compare;
        opts.compare_models = self.compare_models;
        if let Some(m) = self.model {
            opts.model = Some(ModelName::parse(&m).ok_or_else(|| format!("unknown model `{m}`"))?);
        }
        let (audience, export_parquet) = formats(self.format.as_deref(), self.export.is_some())?;
        let mut capi_opts = CapiOptions::default();
        if let Some(c) = self.capi_since {
            capi_opts = capi_opts.since(c);
        }
        if let Some(t) = self.capi_now {
            let t = t
                .parse()
                .map_err(|_| format!("`{t}` is not Unix seconds"))?;
            capi_opts = capi_opts.now(t);
        }
        if self.files.is_empty() {
            return Err("no input files".into());
        }
        Ok(Args {
            json: self.json,
            wide: self.wide,
            contacts: self.contacts,
            audience,
            capi: self.capi,
            capi_opts,
            forget: self.forget,
            csv: self.csv,
            export: self.export,
            export_parquet,
            config: self.config,
            max_document_bytes: self
                .max_document_bytes
                .map(|v| positive("--max-document-bytes", &v))
                .transpose()?,
            threads: match self.threads {
                Some(v) => positive("--threads", &v)?,
                None => std::thread::available_parallelism().map_or(1, usize::from),
            },
            opts,
            files: self.files,
        })
    }
}

/// `--format`: (the contacts as Meta's audience list, the export as Parquet).
fn formats(format: Option<&str>, export: bool) -> Result<(bool, bool), String> {
    match format {
        None | Some("convolens" | "csv") => Ok((false, false)),
        Some("meta-audience") => Ok((true, false)),
        Some("parquet") if export => Ok((false, true)),
        Some("parquet") => Err("--format parquet needs --export DIR".into()),
        Some(f) => Err(format!(
            "unknown format `{f}`: convolens or meta-audience (--contacts), csv or parquet (--export)"
        )),
    }
}

fn positive(name: &str, v: &str) -> Result<usize, String> {
    v.parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{name}: `{v}` is not a positive number"))
}

fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date YYYY-MM-DD"))
}

/// The arguments, or the exit code after `--help`, `--version`, `--explain` or a usage
/// error (said on stderr).
fn parse_args() -> Result<Args, ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return Err(ExitCode::from(if e.use_stderr() { 2 } else { 0 }));
        }
    };
    if cli.explain {
        print!("{}", convolens::explain());
        return Err(ExitCode::SUCCESS);
    }
    cli.into_args().map_err(|e| {
        eprintln!("report: {e}\n\nFor more information, try '--help'.");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(code) => return code,
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
        match ingest_file(&mut engine, file, args.threads) {
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
    // The process ends here: the operating system takes the memory back at once, while
    // dropping the engine would free every record one by one (about 7 % of a large
    // run's time).
    std::mem::forget(engine);
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
        export_rows(engine, &args.opts, dir, args.export_parquet)?;
    }
    let report = engine.report(&args.opts).map_err(|e| e.to_string())?;
    output(args, &report)
}

/// `--export DIR`: one CSV (or Parquet) file per row-level table (`Engine::ROW_TABLES`)
/// into `dir`.
fn export_rows(
    engine: &mut Engine,
    opts: &ReportOptions,
    dir: &str,
    parquet: bool,
) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("--export {dir}: {e}");
    std::fs::create_dir_all(dir).map_err(fail)?;
    let ext = if parquet { "parquet" } else { "csv" };
    for name in Engine::ROW_TABLES {
        let table = engine.rows(name, opts).map_err(|e| e.to_string())?;
        let path = std::path::Path::new(dir).join(format!("{name}.{ext}"));
        let file = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
        if parquet {
            convolens_examples::parquet_export::write_table(&table, file)
                .map_err(|e| format!("--export {dir}: {e}"))?;
        } else {
            table.write_csv(file).map_err(fail)?;
        }
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

/// Ingest one file (plain, gzip or zstd, whatever its name) on `threads` parse threads;
/// returns the per-document errors, numbered from 1 within the file. An input that breaks
/// off (a damaged or truncated compressed stream) keeps what was read before it and says
/// after which line it broke. With a terminal on stderr, a progress line counts the bytes
/// read (compressed bytes for compressed input) against the file's size.
fn ingest_file(
    engine: &mut Engine,
    file: &str,
    threads: usize,
) -> std::io::Result<Vec<convolens::ParseError>> {
    let first = engine.next_line();
    let (raw, size): (Box<dyn Read>, Option<u64>) = if file == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = std::fs::File::open(file)?;
        let size = f.metadata().ok().map(|m| m.len());
        (Box::new(f), size)
    };
    let mut bar = None;
    let raw: Box<dyn Read> = if std::io::stderr().is_terminal() {
        let p = Progress::new(raw, std::io::stderr(), file, size);
        let p = std::rc::Rc::new(std::cell::RefCell::new(p));
        bar = Some(p.clone());
        Box::new(Shared(p))
    } else {
        raw
    };
    let (_, input) = convolens_examples::compressed::decompress(raw)?;
    let result = engine.ingest_reader_threads(input, threads);
    if let Some(p) = bar {
        p.borrow_mut().finish();
    }
    match result {
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

/// A reader shared with the code that erases its progress line when the input is read.
struct Shared<R>(std::rc::Rc<std::cell::RefCell<R>>);

impl<R: Read> Read for Shared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
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
