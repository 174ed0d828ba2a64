//! The `report` program reads gzip and zstd input as it reads plain files: the same report,
//! whatever the file is called; a broken stream keeps the lines before it and says where.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sources-demo.jsonl");
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sources-demo.config.json");

fn report(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_report"))
        .arg("--json")
        .arg("--config")
        .arg(CONFIG)
        .args(args)
        .output()
        .unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

/// A fresh directory under the target dir for this test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Lines read from the input, as the report counts them.
fn lines(out: &Output) -> u64 {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["input"]["lines"].as_u64().unwrap()
}

#[test]
fn gzip_and_zstd_give_the_plain_report_whatever_the_name() {
    let plain = std::fs::read(DATA).unwrap();
    let dir = scratch("compressed-same");
    // Named as what they are, and named as plain JSONL: the first bytes decide.
    let files = [
        ("demo.jsonl.gz", gzip(&plain)),
        ("demo.jsonl.zst", zstd(&plain)),
        ("demo-gzip.jsonl", gzip(&plain)),
        ("demo-zstd.log", zstd(&plain)),
    ];
    let want = report(&[Path::new(DATA)]);
    assert!(
        want.status.success(),
        "{}",
        String::from_utf8_lossy(&want.stderr)
    );
    assert_eq!(lines(&want), 113);
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let got = report(&[&path]);
        assert!(
            got.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&got.stderr)
        );
        assert_eq!(got.stdout, want.stdout, "{name}");
    }
}

#[test]
fn a_truncated_stream_keeps_the_lines_before_it_and_says_where() {
    let plain = std::fs::read(DATA).unwrap();
    let dir = scratch("compressed-cut");
    // The first 60 lines, compressed whole, then the rest compressed and cut in half: a
    // second gzip member that breaks off.
    let cut_at = plain
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(59)
        .unwrap()
        .0
        + 1;
    let rest = gzip(&plain[cut_at..]);
    let bytes = [gzip(&plain[..cut_at]), rest[..rest.len() / 2].to_vec()].concat();
    let path = dir.join("cut.jsonl.gz");
    std::fs::write(&path, &bytes).unwrap();
    let out = report(&[&path]);
    // Exit 1: a file failed; the report is still printed.
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("damaged or truncated gzip stream near compressed byte "),
        "{err}"
    );
    // Every line before the damage is in the report: at least the 60 whole ones (a few
    // more may have been decoded from the broken member before it broke off).
    let n = lines(&out);
    assert!((60..113).contains(&n), "{n} lines read");
    let after: u64 = err
        .split("(after line ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert_eq!(after, n, "{err}");
}
