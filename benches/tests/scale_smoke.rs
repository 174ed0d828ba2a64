//! The scale benchmark runs end to end on a tiny history (2,000 messages) and ends with
//! its figures line; the figures themselves are measured by `benches/scale/run`, not here.

#[test]
fn scale_bench_smoke_run_ends_with_the_figures_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scale"))
        .arg("2000")
        .env("SCALE_ROUNDS", "1")
        .output()
        .expect("run the scale bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    let fields: Vec<(&str, f64)> = last
        .strip_prefix("scale: ")
        .unwrap_or_else(|| panic!("last line: {last}"))
        .split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k, v.parse().unwrap())
        })
        .collect();
    let names: Vec<&str> = fields.iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        [
            "messages",
            "bytes_per_message",
            "bytes_per_idle_user",
            "apply_events_per_s",
            "append_report_ms",
            "full_report_ms"
        ]
    );
    // About 2,000 messages are stored (the user count is sized from a sample), and every
    // stored message costs at least its id.
    assert!((1_500.0..2_500.0).contains(&fields[0].1), "{last}");
    assert!(fields[1].1 > 20.0 && fields[2].1 > 0.0, "{last}");
    // The breakdown's parts add up to its total (each printed rounded to 0.1).
    let parts: Vec<f64> = text
        .lines()
        .skip_while(|l| !l.starts_with("bytes per stored message"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().last().unwrap().parse().unwrap())
        .collect();
    let (total, parts) = parts.split_last().unwrap();
    assert!((parts.iter().sum::<f64>() - total).abs() < 0.1 * parts.len() as f64);
    assert!((total - fields[1].1).abs() < 1.0, "{total} vs {last}");
}
