//! The invariants the `ingest`, `config` and `snapshot` fuzz targets check, shared with the
//! workspace test that replays the committed corpus on stable Rust
//! (`core/tests/fuzz_replay.rs` includes this file by path). Each function panics when an
//! invariant does not hold.

use convolens::{Config, Engine, ReportOptions};

/// A few documents every `ingest` run starts from, so that a rejected document is checked
/// against a state that has users, messages, statuses and records to disturb.
const SEED: [&str; 3] = [
    r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1001"},"contacts":[{"wa_id":"4915112345678","profile":{"name":"Ana"}}],"messages":[{"from":"4915112345678","id":"wamid.seed.in","timestamp":"1751450000","type":"text","text":{"body":"Hi"},"referral":{"source_type":"ad","source_id":"120"}}]}}]}]}"#,
    r#"{"type":"outbound","id":"wamid.seed.out","phone_number_id":"1001","to":"4915112345678","timestamp":1751450060,"kind":"template","template":"promo","category":"marketing"}"#,
    r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1001"},"statuses":[{"id":"wamid.seed.out","status":"delivered","timestamp":"1751450065","recipient_id":"4915112345678"}]}}]}]}"#,
];

/// The report as JSON, without the counters a rejected document is allowed to move (the
/// line and error counts).
fn facts_json(e: &mut Engine) -> serde_json::Value {
    let r = e
        .report(&ReportOptions::default())
        .expect("a report is always possible");
    let mut v = serde_json::to_value(&r).expect("report json");
    if let Some(input) = v.get_mut("input").and_then(|i| i.as_object_mut()) {
        input.remove("lines");
        input.remove("errors");
    }
    v
}

/// The input counters a rejected document may not move: all but lines and errors.
fn counters(e: &Engine) -> convolens::InputStats {
    let mut s = e.stats().clone();
    s.lines = 0;
    s.errors = 0;
    s
}

/// An engine holding the [`SEED`] documents.
fn seeded() -> Engine {
    let mut e = Engine::new(Config::default()).expect("default config");
    for doc in SEED {
        e.ingest_str(doc).expect("seed document");
    }
    e
}

/// Ingest `data` as a stream into `e`: every line is counted (each line break, and a last
/// line without one) and every error names one of them.
fn stream_counts_every_line(e: &mut Engine, data: &[u8]) {
    let first = e.next_line();
    let lines_before = e.stats().lines;
    let out = e
        .ingest_reader(data)
        .expect("reading from a slice cannot fail");
    let breaks = data.iter().filter(|b| **b == b'\n').count() as u64;
    let expected = breaks + u64::from(data.last().is_some_and(|b| *b != b'\n'));
    assert_eq!(out.lines, expected, "lines counted");
    assert_eq!(e.stats().lines, lines_before + out.lines);
    let out = out.relative_to(first);
    assert!(
        out.errors
            .iter()
            .all(|err| err.line >= 1 && err.line <= out.lines),
        "an error names a line of the stream"
    );
}

/// `ingest` (the fast target: no reports): as one document, a rejected input leaves the
/// facts and every input counter but lines and errors as they were; as a stream, every line
/// is counted and every error names one of them.
pub fn ingest(data: &[u8]) {
    let mut e = seeded();
    let (facts, counts) = (e.facts(), counters(&e));
    if e.ingest(data).is_err() {
        assert_eq!(e.facts(), facts, "a rejected document changed the facts");
        assert_eq!(counters(&e), counts, "a rejected document moved a counter");
    }
    stream_counts_every_line(&mut e, data);
}

/// `ingest_report` (the thorough target): what `ingest` checks, and: a rejected document
/// leaves the whole report as it was; a report is always possible; the engine's snapshot
/// restores to an engine that gives the same report.
pub fn ingest_report(data: &[u8]) {
    let mut e = seeded();
    let before = facts_json(&mut e);
    let facts = e.facts();
    if e.ingest(data).is_err() {
        assert_eq!(e.facts(), facts, "a rejected document changed the facts");
        assert_eq!(
            facts_json(&mut e),
            before,
            "a rejected document changed the report"
        );
    }
    stream_counts_every_line(&mut e, data);
    let report = e.report(&ReportOptions::default()).expect("report");
    let mut back = Engine::restore(&e.snapshot()).expect("own snapshot restores");
    assert_eq!(
        back.report(&ReportOptions::default())
            .expect("report after restore"),
        report,
        "restore then report differs"
    );
}

/// `config`: arbitrary text is a config or an error; a validation error names its key; an
/// accepted config writes to JSON that reads back to the same config, and an engine accepts
/// it or names the key it refuses.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_json(text) {
        Err(err) => {
            if let convolens::ConfigError::Value { .. } = err {
                assert!(!err.key().is_empty(), "a value error names its key: {err}");
            }
            assert!(err.to_string().starts_with("config: "), "{err}");
        }
        Ok(cfg) => {
            let json = serde_json::to_string(&cfg).expect("config json");
            let again = Config::from_json(&json)
                .unwrap_or_else(|e| panic!("an accepted config's JSON is refused: {e}: {json}"));
            assert_eq!(again, cfg, "config JSON round trip");
            if let Err(err) = Engine::new(cfg) {
                assert!(
                    !err.key().is_empty(),
                    "an engine's config error names its key: {err}"
                );
            }
        }
    }
}

/// `snapshot`: arbitrary bytes (half of them wrapped in a valid header, see the target) are
/// an error or an engine; a payload in a valid header is never refused for its header; a
/// restored engine's snapshot restores to an engine that answers the same, before and after
/// expiring.
pub fn snapshot(data: &[u8]) {
    let (bytes, wrapped) = match data.split_first() {
        Some((flag, payload)) if flag % 2 == 0 => (convolens::internals::seal(payload), true),
        _ => (data.to_vec(), false),
    };
    let mut e = match Engine::restore(&bytes) {
        Ok(e) => e,
        Err(err) => {
            if wrapped {
                assert_eq!(
                    err.kind(),
                    "corrupt",
                    "a sealed payload failed on its header"
                );
            }
            return;
        }
    };
    let opts = ReportOptions::default();
    let mut again = Engine::restore(&e.snapshot()).expect("re-snapshot must restore");
    let same = |a: &mut Engine, b: &mut Engine| {
        assert_eq!(
            a.report(&opts).map_err(|x| x.kind()),
            b.report(&opts).map_err(|x| x.kind()),
            "restore then snapshot answers differently"
        );
    };
    same(&mut e, &mut again);
    // Expiring a restored state (sealed days, carries and tallies included) is an error or an
    // outcome, the same on both, and the expired state snapshots and restores too.
    let (x, y) = (e.expire(), again.expire());
    assert_eq!(x.map_err(|x| x.kind()), y.map_err(|x| x.kind()));
    same(&mut e, &mut again);
    let mut third = Engine::restore(&e.snapshot()).expect("expired snapshot must restore");
    same(&mut e, &mut third);
}

/// The fast parse path against serde_json on any bytes: as one document, the extractor
/// gives up or gives exactly the events of the serde_json path (which then accepts it), and
/// the fast reader gives up or gives exactly the events (or error) of the serde_json path; as any JSON text, it gives
/// up or gives serde_json's `Value`, floats to the bit.
pub fn fast_parse(data: &[u8]) {
    use convolens::internals::{
        ParseOptions, fast_value, parse_document, parse_extract_only, parse_fast_only,
    };
    let opts = ParseOptions::default();
    if let Some(events) = parse_extract_only(data, 3) {
        let mut out = Vec::new();
        let slow = parse_document(data, 3, &opts.with_fast(false), &mut out).map(|()| out);
        assert_eq!(
            Ok(events),
            slow,
            "extracted events of {:?}",
            String::from_utf8_lossy(data)
        );
    }
    if let Some(fast) = parse_fast_only(data, 3, &opts) {
        let mut out = Vec::new();
        let slow = parse_document(data, 3, &opts.with_fast(false), &mut out).map(|()| out);
        assert_eq!(fast, slow, "events of {:?}", String::from_utf8_lossy(data));
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = fast_value(text) {
        let slow: serde_json::Value = serde_json::from_str(text).expect("fast path accepted it");
        assert_eq!(
            format!("{fast:?}"),
            format!("{slow:?}"),
            "value of {text:?}"
        );
        let bits = |v: &serde_json::Value| v.as_f64().map(f64::to_bits);
        assert_eq!(bits(&fast), bits(&slow), "number {text:?}");
    }
}
