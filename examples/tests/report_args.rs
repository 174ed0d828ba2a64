//! The `report` program's command line (issue 18): `--opt=value` and `--opt value`,
//! `--start`/`--end` as `--from`/`--to`, `--version`, a `--help` naming every option, and
//! `--threads N` giving the same output for every N.

use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/example.jsonl");
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/config.json");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_report"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn an_option_takes_its_value_after_a_space_or_an_equals_sign() {
    let spaced = run(&[
        "--json",
        "--config",
        CONFIG,
        "--from",
        "2025-06-10",
        "--to",
        "2025-07-10",
        DATA,
    ]);
    assert_eq!(
        spaced.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&spaced.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&spaced.stdout).unwrap();
    // The range asked for: 2025-06-10 to 2025-07-10 is 20 + 10 = 30 days.
    assert_eq!(json["range"]["days"], 30);
    let equals = run(&["--json", "--config=", DATA]);
    assert_eq!(
        equals.status.code(),
        Some(2),
        "an empty config path is not a file"
    );
    let cfg = format!("--config={CONFIG}");
    for args in [
        vec!["--json", &cfg, "--from=2025-06-10", "--to=2025-07-10", DATA],
        vec![
            "--json",
            "--config",
            CONFIG,
            "--start",
            "2025-06-10",
            "--end=2025-07-10",
            DATA,
        ],
        // Given twice, the last wins (as before clap).
        vec![
            "--json",
            "--config",
            CONFIG,
            "--from",
            "2024-01-01",
            "--from=2025-06-10",
            "--to",
            "2025-07-10",
            DATA,
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(out.stdout, spaced.stdout, "{args:?}");
    }
}

#[test]
fn a_bad_value_is_a_usage_error_naming_it() {
    let out = run(&["--from=2025-13-01", DATA]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`2025-13-01` is not a date YYYY-MM-DD"),
        "{err}"
    );
    let out = run(&["--threads=0", DATA]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--threads: `0` is not a positive number")
    );
    let out = run(&["--bogus", DATA]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));
    assert!(out.stdout.is_empty());
}

#[test]
fn version_and_help() {
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("report {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    // Every option, each with its meaning on its line.
    for (opt, meaning) in [
        ("--json", "Machine-readable JSON"),
        ("--config <FILE>", "JSON configuration"),
        ("--from <YYYY-MM-DD>", "First day"),
        ("--to <YYYY-MM-DD>", "Last day"),
        ("--last <PERIOD>", "7d, 14d"),
        ("--phone <ID>", "Only this business number"),
        ("--tz <ZONE>", "Report time zone"),
        ("--model <NAME>", "Attribution model"),
        ("--compare-models", "Every attribution model"),
        ("--contacts <NAME>", "Print the users"),
        ("--format <FORMAT>", "With --contacts"),
        ("--capi <FILE>", "Conversions API"),
        ("--capi-since <CURSOR>", "new since"),
        ("--capi-now <T>", "leave out events"),
        ("--forget <FILE>", "Erase the contacts"),
        ("--event <NAME>", "conversion event"),
        ("--compare ", "previous period"),
        ("--csv <DIR>", "one CSV file per table"),
        ("--max-document-bytes <N>", "Longest document"),
        ("--threads <N>", "Threads that parse"),
        ("--wide", "Every column"),
        ("--explain", "one-line definition"),
        ("--help", "Print help"),
        ("--version", "Print version"),
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(opt) || l.contains(&format!(" {opt}")))
            .unwrap_or_else(|| panic!("{opt} missing from\n{help}"));
        assert!(line.contains(meaning), "{opt}: {line}");
    }
    assert!(help.contains("[alias: --start]") && help.contains("[alias: --end]"));
    // `--explain` needs no input file.
    let out = run(&["--explain"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("range.days "));
}

#[test]
fn one_thread_and_four_give_the_same_bytes_errors_included() {
    // The example data with broken documents at known places: line numbers in the errors
    // are the file's, whatever the thread count.
    let mut text = std::fs::read_to_string(DATA).unwrap();
    let lines = text.lines().count();
    text.push_str("not json\n{\"type\":\"close\"}\n[{\"type\":\"close\",\"contact\":\"1\",\"timestamp\":\"x\"}]\n");
    text.insert_str(0, "{\"broken\":\n");
    let dir = std::env::temp_dir().join(format!("convolens-report-args-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mixed.jsonl");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let one = run(&["--json", "--config", CONFIG, "--threads", "1", p]);
    let four = run(&["--json", "--config", CONFIG, "--threads=4", p]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(four.status.code(), Some(1));
    assert_eq!(one.stdout, four.stdout);
    assert_eq!(one.stderr, four.stderr);
    let err = String::from_utf8_lossy(&four.stderr);
    // Line 1 is the broken document; the example data's lines follow, then the three
    // bad ones at lines + 2, lines + 3 and lines + 4.
    for l in [1, lines + 2, lines + 3, lines + 4] {
        assert!(
            err.contains(&format!("mixed.jsonl: line {l},")),
            "line {l}: {err}"
        );
    }
    assert!(err.ends_with("report: 4 document(s) failed\n"), "{err}");
    // stderr is no terminal here: no progress line.
    assert!(!err.contains("MB/s"));
}

#[test]
fn a_terminal_on_stderr_gets_a_progress_line_that_is_erased() {
    // `script` (util-linux) runs the program with a pseudo-terminal as its stdin, stdout and
    // stderr, and copies what it wrote to our pipe.
    let cmd = format!(
        "{} --config {CONFIG} --last 7d {DATA}",
        env!("CARGO_BIN_EXE_report")
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    // Drawn at least once (the first read draws), naming the file and a rate...
    let drawn = text.find("\r\x1b[2K").expect("a progress line");
    assert!(text[drawn..].contains("example.jsonl ["), "{text}");
    assert!(text.contains(" MB/s  ETA "), "{text}");
    // ...and erased before the report starts.
    let report = text.find("convolens report").expect("the report");
    assert!(
        text[..report].ends_with("\r\x1b[2K"),
        "{:?}",
        &text[..report]
    );
}
