//! The server's HTTP contract, against the real router on a real loopback socket (no
//! mocks): Meta's handshake and signatures, size and syntax limits, `/records` with its
//! per-line errors, the reports, metrics, the dashboard, and bodies that must not crash it.

mod common;

use common::{
    APP_SECRET, RECORDS_TOKEN, TempDir, VERIFY_TOKEN, get_json, input, log_records, metric,
    options, start,
};
use convolens_server::client::{Conn, text_message};
use convolens_server::signature::{SIGNATURE_HEADER, sign};
use convolens_server::wal::Kind;
use std::fmt::Write as _;
use std::io::{Read, Write};

const T0: i64 = 1_751_450_000; // 2025-07-02 09:53:20 UTC
const PHONE: &str = "106540352242922";

fn msg(n: u32) -> String {
    text_message(
        &format!("wamid.t{n}"),
        &format!("4915100000{n:03}"),
        T0 + i64::from(n) * 60,
        PHONE,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_valid_accepted_and_each_wrong_one_refused() {
    let dir = TempDir::new("sig");
    let s = start(options(dir.path()), "{}").await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    // Valid: signed with the app secret over the exact bytes.
    let r = c.webhook(APP_SECRET.as_bytes(), msg(1)).await.unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "ok\n"));
    // Wrong secret.
    let r = c.webhook(b"not-the-secret", msg(2)).await.unwrap();
    assert_eq!(r.status, 401, "{}", r.text());
    assert!(r.text().contains("does not match"));
    // Altered body: signed, then one character changed.
    let sig = sign(APP_SECRET.as_bytes(), msg(3).as_bytes());
    let altered = msg(3).replace("Hello", "Jello");
    let r = c
        .request("POST", "/webhook", &[(SIGNATURE_HEADER, &sig)], altered)
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    // Missing header.
    let r = c.request("POST", "/webhook", &[], msg(4)).await.unwrap();
    assert_eq!(r.status, 401);
    assert!(r.text().contains("no X-Hub-Signature-256"));
    // Non-hex digits (right length), a short digest, and no `sha256=` prefix.
    let good = sign(APP_SECRET.as_bytes(), msg(5).as_bytes());
    for bad in [
        good.replace(|ch: char| ch.is_ascii_digit(), "z"),
        good[..good.len() - 2].to_string(),
        good[7..].to_string(),
    ] {
        let r = c
            .request("POST", "/webhook", &[(SIGNATURE_HEADER, &bad)], msg(5))
            .await
            .unwrap();
        assert_eq!(r.status, 401, "{bad}");
        assert!(r.text().contains("64 hex digits"), "{}", r.text());
    }
    // Only the valid one is stored and counted.
    assert_eq!(input(s.addr).await["messages"]["text"], 1);
    assert_eq!(
        metric(
            s.addr,
            "convolens_webhooks_rejected_total{reason=\"signature\"}"
        )
        .await,
        6
    );
    assert_eq!(metric(s.addr, "convolens_webhooks_accepted_total").await, 1);
    s.stop().await;
    assert_eq!(log_records(dir.path()).get(&Kind::Webhook), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_answers_the_challenge_and_refuses_a_wrong_token() {
    let dir = TempDir::new("verify");
    let s = start(options(dir.path()), "{}").await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    let q = |mode: &str, token: &str| {
        format!("/webhook?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444")
    };
    let r = c.get(&q("subscribe", VERIFY_TOKEN)).await.unwrap();
    // The challenge, exactly (Meta compares it).
    assert_eq!((r.status, r.text().as_str()), (200, "1158201444"));
    assert_eq!(
        c.get(&q("subscribe", "wrong-token")).await.unwrap().status,
        403
    );
    assert_eq!(c.get(&q("subscribe", "")).await.unwrap().status, 403);
    assert_eq!(
        c.get(&q("unsubscribe", VERIFY_TOKEN)).await.unwrap().status,
        403
    );
    assert_eq!(
        c.get(&format!(
            "/webhook?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}"
        ))
        .await
        .unwrap()
        .status,
        403
    );
    assert_eq!(c.get("/webhook").await.unwrap().status, 403);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_whether_declared_or_streamed() {
    let dir = TempDir::new("limit");
    let mut o = options(dir.path());
    o.max_body = 1000;
    let s = start(o, "{}").await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    // JSON padded with spaces to exactly the limit: accepted; one byte more: 413.
    let base = msg(1);
    let exact = format!("{base}{}", " ".repeat(1000 - base.len()));
    assert_eq!(
        c.webhook(APP_SECRET.as_bytes(), exact.clone())
            .await
            .unwrap()
            .status,
        200
    );
    let over = format!("{exact} ");
    let r = c
        .webhook(APP_SECRET.as_bytes(), over.clone())
        .await
        .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    // Chunked (no Content-Length): cut off while streaming, still 413.
    let sig = sign(APP_SECRET.as_bytes(), over.as_bytes());
    let mut tcp = std::net::TcpStream::connect(s.addr).unwrap();
    let mut req = format!(
        "POST /webhook HTTP/1.1\r\nhost: x\r\n{SIGNATURE_HEADER}: {sig}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    for chunk in over.as_bytes().chunks(300) {
        let _ = write!(
            req,
            "{:x}\r\n{}\r\n",
            chunk.len(),
            String::from_utf8_lossy(chunk)
        );
    }
    req.push_str("0\r\n\r\n");
    tcp.write_all(req.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = tcp.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(
        metric(
            s.addr,
            "convolens_webhooks_rejected_total{reason=\"too_large\"}"
        )
        .await,
        2
    );
    assert_eq!(input(s.addr).await["messages"]["text"], 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_is_400_and_not_stored() {
    let dir = TempDir::new("notjson");
    let s = start(options(dir.path()), "{}").await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    let full = msg(1);
    for bad in [
        "not json".to_string(),
        full[..full.len() - 3].to_string(),
        String::new(),
        "{\"a\":1}}".into(),
    ] {
        let r = c.webhook(APP_SECRET.as_bytes(), bad.clone()).await.unwrap();
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text());
        assert!(r.text().starts_with("the body is not JSON"));
    }
    assert_eq!(
        metric(
            s.addr,
            "convolens_webhooks_rejected_total{reason=\"not_json\"}"
        )
        .await,
        4
    );
    assert_eq!(input(s.addr).await["lines"], 0);
    s.stop().await;
    assert!(
        log_records(dir.path()).is_empty(),
        "nothing reached the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_need_the_token_and_answer_per_line_errors() {
    let dir = TempDir::new("records");
    let s = start(options(dir.path()), "{}").await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    let body = [
        r#"{"type":"outbound","id":"wamid.1","to":"34600111222","timestamp":1751450000,"template":"welcome","category":"utility"}"#,
        "not json",
        r#"{"type":"outbound","id":"wamid.2","timestamp":1751450000}"#,
        r#"{"type":"close","contact":"34600111222","timestamp":1751460000}"#,
    ]
    .join("\n");
    assert_eq!(c.records("wrong", body.clone()).await.unwrap().status, 401);
    let r = c
        .request("POST", "/records", &[], body.clone())
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    // A webhook first, so that the body's lines are not the engine's first lines: the
    // errors are still numbered within the body.
    assert_eq!(
        c.webhook(APP_SECRET.as_bytes(), msg(1))
            .await
            .unwrap()
            .status,
        200
    );
    let r = c.records(RECORDS_TOKEN, body).await.unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    // 4 lines: the outbound record and the close are ingested; lines 2 and 3 fail, with
    // the very lines `report` prints for them (`report: FILE: line 2, column 2: ...`).
    assert_eq!(
        (v["lines"].as_u64(), v["ingested"].as_u64()),
        (Some(4), Some(2))
    );
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[0]["kind"], "syntax");
    assert_eq!(errors[0]["text"], "line 2, column 2: expected ident");
    assert_eq!(errors[1]["line"], 3);
    assert_eq!(errors[1]["field"], "to");
    assert_eq!(
        errors[1]["text"],
        "line 3, field `to`: outbound record needs `to`"
    );
    let i = input(s.addr).await;
    // 1 webhook + 4 lines; 2 errors; records: one outbound, one close.
    assert_eq!(
        (i["lines"].as_u64(), i["errors"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(i["records"]["close"], 1);
    assert_eq!(metric(s.addr, "convolens_lines_failed_total").await, 2);
    assert_eq!(metric(s.addr, "convolens_lines_ingested_total").await, 3);
    // An empty body is fine and stores nothing.
    let r = c.records(RECORDS_TOKEN, "").await.unwrap();
    assert_eq!((r.status, r.text().contains("\"lines\":0")), (200, true));
    s.stop().await;
    let records = log_records(dir.path());
    assert_eq!(
        (records.get(&Kind::Webhook), records.get(&Kind::Records)),
        (Some(&1), Some(&1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_is_the_json_of_report_json_and_survives_a_restart() {
    let dir = TempDir::new("report");
    let data = common::example_data();
    let config = std::fs::read_to_string(data.join("sources-demo.config.json")).unwrap();
    let jsonl = std::fs::read(data.join("sources-demo.jsonl")).unwrap();
    let s = start(options(dir.path()), &config).await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    let r = c.records(RECORDS_TOKEN, jsonl.clone()).await.unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    // What `report --json --last 30d --model linear --tz UTC` prints: the engine's report,
    // pretty-printed, with options built here independently of the server's mapping.
    let mut engine =
        convolens::Engine::new(convolens::Config::from_json(&config).unwrap()).unwrap();
    engine.ingest_reader(&jsonl[..]).unwrap();
    let opts: convolens::ReportOptions = serde_json::from_value(
        serde_json::json!({"last": "30d", "model": "linear", "time_zone": "UTC"}),
    )
    .unwrap();
    let expected = format!(
        "{}\n",
        serde_json::to_string_pretty(&engine.report(&opts).unwrap()).unwrap()
    );
    let path = "/report?last=30d&model=linear&tz=UTC";
    let got = c.get(path).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.text(), expected);
    // One table as CSV, as `report --csv DIR` writes sources.csv.
    let table = convolens_server::core_api::report_csv(&mut engine, &opts, "sources")
        .unwrap()
        .unwrap();
    assert!(table.starts_with("key,name,kind,"), "{table}");
    let csv = c
        .get("/report.csv?table=sources&last=30d&model=linear&tz=UTC")
        .await
        .unwrap();
    assert_eq!((csv.status, csv.text()), (200, table));
    let missing = c.get("/report.csv?table=nope").await.unwrap();
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("engagement_daily_active"),
        "{}",
        missing.text()
    );
    assert_eq!(c.get("/report.csv").await.unwrap().status, 400);
    // Bad options name the parameter.
    let bad = c.get("/report?form=2025-07-01").await.unwrap();
    assert_eq!(
        (bad.status, bad.text().trim()),
        (400, "unknown parameter `form`")
    );
    assert_eq!(c.get("/report?model=best").await.unwrap().status, 400);
    assert_eq!(c.get("/report?from=July").await.unwrap().status, 400);
    // A restart (last snapshot on stop, restore on start) answers the same.
    s.stop().await;
    let s = start(options(dir.path()), &config).await;
    let again = Conn::connect(s.addr)
        .await
        .unwrap()
        .get(path)
        .await
        .unwrap();
    assert_eq!(again.text(), expected);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_are_the_csv_of_report_contacts() {
    let dir = TempDir::new("contacts");
    let data = common::example_data();
    let config = std::fs::read_to_string(data.join("sources-demo.config.json")).unwrap();
    let jsonl = std::fs::read(data.join("sources-demo.jsonl")).unwrap();
    let s = start(options(dir.path()), &config).await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    assert_eq!(
        c.records(RECORDS_TOKEN, jsonl.clone())
            .await
            .unwrap()
            .status,
        200
    );
    // The same data in an engine here; its export, with filters and options built here,
    // is what `report --contacts` writes.
    let mut engine =
        convolens::Engine::new(convolens::Config::from_json(&config).unwrap()).unwrap();
    engine.ingest_reader(&jsonl[..]).unwrap();
    let opts: convolens::ReportOptions =
        serde_json::from_value(serde_json::json!({"last": "30d", "model": "linear"})).unwrap();
    let report = engine.report(&opts).unwrap();
    let report = serde_json::to_value(&report).unwrap();
    let key = report["sources"][0]["key"].as_str().unwrap().to_string();
    let event = report["events"][0]["name"].as_str().unwrap().to_string();
    let export = |engine: &mut convolens::Engine, filter: convolens::ContactFilter| {
        let mut csv = Vec::new();
        engine.export_contacts(&opts, &filter, &mut csv).unwrap();
        String::from_utf8(csv).unwrap()
    };
    let by_source = export(&mut engine, convolens::ContactFilter::source(key.as_str()));
    assert!(
        by_source.lines().count() > 1,
        "the first source has users: {by_source}"
    );
    let got = c
        .get(&format!("/contacts?source={key}&last=30d&model=linear"))
        .await
        .unwrap();
    assert_eq!((got.status, got.text()), (200, by_source));
    let by_event = export(&mut engine, convolens::ContactFilter::event(event.as_str()));
    let got = c
        .get(&format!("/contacts?event={event}&last=30d&model=linear"))
        .await
        .unwrap();
    assert_eq!((got.status, got.text()), (200, by_event));
    // Neither filter, or an unknown parameter: 400 saying what to give.
    let none = c.get("/contacts?last=30d").await.unwrap();
    assert_eq!(none.status, 400);
    assert!(
        none.text().contains("?source=KEY or ?event=NAME"),
        "{}",
        none.text()
    );
    let bad = c.get("/contacts?source=x&form=1").await.unwrap();
    assert_eq!(
        (bad.status, bad.text().trim()),
        (400, "unknown parameter `form`")
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_the_dashboard_in_server_mode() {
    let dir = TempDir::new("misc");
    let s = start(options(dir.path()), "{}").await;
    common::post_webhooks(s.addr, (0..5).map(msg)).await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    // The same webhook again (Meta retries): stored, counted as a duplicate, not twice.
    assert_eq!(
        c.webhook(APP_SECRET.as_bytes(), msg(4))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(c.get("/healthz").await.unwrap().text(), "ok\n");
    let _ = input(s.addr).await; // caught up with every acknowledged webhook
    // 6 documents, 5 users (one per message), 5 messages.
    assert_eq!(metric(s.addr, "convolens_lines_ingested_total").await, 6);
    assert_eq!(metric(s.addr, "convolens_engine_users").await, 5);
    assert_eq!(metric(s.addr, "convolens_engine_messages").await, 5);
    assert!(metric(s.addr, "convolens_fsync_seconds_count").await >= 1);
    assert_eq!(metric(s.addr, "convolens_fsync_batch_records_sum").await, 6);
    // The segment header (16 bytes) and 6 records of 9 header bytes and the body each.
    let bodies: usize = (0..5).chain([4]).map(|n| msg(n).len()).sum();
    assert_eq!(
        metric(s.addr, "convolens_log_bytes").await,
        (16 + 6 * 9 + bodies) as u64
    );
    let page = c.get("/").await.unwrap().text();
    assert!(page.contains(r#"<meta name="convolens-report" content="report">"#));
    let js = c.get("/app.js").await.unwrap();
    assert_eq!(js.status, 200);
    assert!(js.text().contains("meta[name=\"convolens-report\"]"));
    assert_eq!(c.get("/style.css").await.unwrap().status, 200);
    assert_eq!(
        get_json(s.addr, "/report?last=7d").await["range"]["days"],
        7
    );
    s.stop().await;
}

/// A small deterministic PRNG for the bad bodies (SplitMix64).
fn rng(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A body to post, with the status it must get (`None`: 200 or 400).
type BadBody = (Vec<u8>, Option<u16>);

/// The bad bodies, built around the good payload `good`, and how many of the first are
/// valid JSON the engine rejects (stored and answered 200, counted failed). Then come
/// bodies that are not JSON (400), bodies either answer is right for, and 200 random
/// bytes, cuts and flips of `good`.
fn bad_bodies(good: &str) -> (Vec<BadBody>, usize) {
    // Valid JSON the engine rejects: stored (Meta signed it), answered 200, counted failed.
    let json_but_wrong = [
        "{}".to_string(),
        "[]".into(),
        "null".into(),
        "123".into(),
        "\"text\"".into(),
        r#"{"object":"whatsapp_business_account","entry":"no"}"#.into(),
        good.replace("\"1751450060\"", "\"-99999999999999999999\""),
        format!(
            "{{\"object\":\"whatsapp_business_account\",\"entry\":[{}{}]}}",
            "[".repeat(100),
            "]".repeat(100)
        ),
        format!("[{good},{good},7]"),
    ];
    let mut seed = 7u64;
    let mut bodies: Vec<BadBody> = json_but_wrong
        .iter()
        .map(|b| (b.clone().into_bytes(), Some(200)))
        .collect();
    // Not JSON: 400.
    bodies.push(("[".repeat(100_000).into_bytes(), Some(400)));
    bodies.push((b"\0\0\0\0".to_vec(), Some(400)));
    // Either answer is right for these; neither may crash.
    bodies.push((b"{\"a\":\"\xff\xfe\"}".to_vec(), None));
    bodies.push((
        good.replace("Hello", "\\ud800 lone surrogate").into_bytes(),
        None,
    ));
    // Random bytes and random cuts and flips of a good payload.
    for _ in 0..200 {
        let n = (rng(&mut seed) % 600) as usize;
        let mut b: Vec<u8> = good.as_bytes().to_vec();
        match rng(&mut seed) % 3 {
            0 => b = (0..n).map(|_| rng(&mut seed) as u8).collect(),
            1 => b.truncate(n),
            _ => {
                let i = n % b.len();
                b[i] ^= 1 << (rng(&mut seed) % 8);
            }
        }
        bodies.push((b, None));
    }
    (bodies, json_but_wrong.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_never_crash_it() {
    let dir = TempDir::new("bad");
    let s = start(options(dir.path()), "{}").await;
    let mut c = Conn::connect(s.addr).await.unwrap();
    let good = msg(1);
    let (bodies, json_but_wrong) = bad_bodies(&good);
    let mut stored = 0;
    for (b, want) in &bodies {
        let r = c.webhook(APP_SECRET.as_bytes(), b.clone()).await.unwrap();
        assert!(
            matches!(r.status, 200 | 400),
            "{}: {:?}",
            r.status,
            String::from_utf8_lossy(b)
        );
        if let Some(w) = want {
            assert_eq!(r.status, *w, "{:?}", String::from_utf8_lossy(b));
        }
        stored += u64::from(r.status == 200);
    }
    // The same garbage as records: every line answered, nothing crashes.
    let mut jsonl = Vec::new();
    for (b, _) in &bodies {
        jsonl.extend_from_slice(b);
        jsonl.push(b'\n');
    }
    let r = c.records(RECORDS_TOKEN, jsonl).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(c.get("/healthz").await.unwrap().status, 200);
    let before = input(s.addr).await;
    let lines = metric(s.addr, "convolens_lines_ingested_total").await
        + metric(s.addr, "convolens_lines_failed_total").await;
    assert_eq!(before["lines"].as_u64(), Some(lines));
    assert!(before["errors"].as_u64().unwrap() >= json_but_wrong as u64);
    assert_eq!(
        metric(s.addr, "convolens_webhooks_accepted_total").await,
        stored
    );
    // Replayed from the log alone (snapshots removed), the same bodies give the same state.
    s.stop().await;
    assert_eq!(log_records(dir.path()).get(&Kind::Webhook), Some(&stored));
    std::fs::remove_dir_all(dir.path().join("snapshots")).unwrap();
    let s = start(options(dir.path()), "{}").await;
    assert_eq!(input(s.addr).await, before);
    s.stop().await;
}
