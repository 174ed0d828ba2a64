//! `gen_data`: write deterministic example traffic as convolens JSONL.
//!
//! ```text
//! cargo run --release -q --bin gen_data -- [--seed N] [--users N] [--days N] [--start YYYY-MM-DD] [--tz ZONE] [OUT]
//! ```
//!
//! Without `OUT` the lines go to standard output. The bundled `examples/data/example.jsonl`
//! is `gen_data --seed 42 --users 400 --days 61 --start 2025-06-01 --tz Europe/Madrid` (the
//! defaults). `--tz` is the business time zone that dates Meta's pricing changes in the
//! simulated `pricing` objects: give the engine the same `time_zone`. Traffic follows Meta's
//! rules of its dates: `--start 2026-09-01 --days 91` shows the 2026-10-01 change (service
//! messages and utility templates in the window charged, new standalone markets) and Meta
//! Business Agent replies.

use convolens_examples::{GenConfig, generate};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut cfg = GenConfig::default();
    let mut out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            v.parse()
                .map_err(|_| format!("{name}: `{v}` is not a number"))
        };
        let r: Result<(), String> = match a.as_str() {
            "--seed" => num("--seed").map(|v| cfg.seed = v),
            "--users" => num("--users").map(|v| cfg.users = v.min(u64::from(u32::MAX)) as u32),
            "--days" => num("--days").map(|v| cfg.days = v.clamp(1, 3650) as u32),
            "--start" => args
                .next()
                .and_then(|v| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok())
                .map(|d| cfg.start = d)
                .ok_or_else(|| "--start needs a date YYYY-MM-DD".to_string()),
            "--tz" => args
                .next()
                .and_then(|v| v.parse::<chrono_tz::Tz>().ok())
                .map(|z| cfg.time_zone = z)
                .ok_or_else(|| "--tz needs an IANA time zone".to_string()),
            "-h" | "--help" => {
                println!(
                    "usage: gen_data [--seed N] [--users N] [--days N] [--start YYYY-MM-DD] [--tz ZONE] [OUT]\n\
                     defaults: --seed 42 --users 400 --days 61 --start 2025-06-01 --tz Europe/Madrid \
                     (the bundled example); --start 2026-09-01 --days 91 shows Meta's 2026-10-01 change"
                );
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => Err(format!("unknown option `{s}`")),
            _ => {
                out = Some(a);
                Ok(())
            }
        };
        if let Err(e) = r {
            eprintln!("gen_data: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match &out {
        Some(path) => {
            std::fs::File::create(path).and_then(|f| generate(&cfg, std::io::BufWriter::new(f)))
        }
        None => generate(&cfg, std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match result {
        Ok(stats) => {
            let _ = writeln!(
                std::io::stderr(),
                "gen_data: {} lines, {} inbound, {} outbound, {} statuses, {} purchases, {} bytes",
                stats.lines,
                stats.inbound,
                stats.outbound,
                stats.statuses,
                stats.purchases,
                stats.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_data: {e}");
            ExitCode::from(1)
        }
    }
}
