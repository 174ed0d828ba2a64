//! Input that cannot hurt (issue 19): each test is rebuilt from a reproduction of a
//! defect found by feeding the engine what a hostile or careless user would. Timings of
//! the big inputs are in `benches/hostile/run`; here linearity is checked by structure
//! (each document is handed to the parser once) and correctness at small sizes.

use super::support;

use convolens::internals::{DocumentSplitter, Piece};
use convolens::{Engine, ParseErrorKind, ReportOptions};
use proptest::prelude::*;
use std::fmt::Write as _;
use support::{engine, files_in, first_difference, sample_stream, shared_data, state_json};

/// Assert two engines are in the same state, naming the first difference.
fn assert_same_state(a: &mut Engine, b: &mut Engine) {
    let (x, y) = (state_json(a), state_json(b));
    if let Some(d) = first_difference(&x, &y, "") {
        panic!("states differ at {d}");
    }
}

/// Every document the splitter hands over, as (line, element) — what the parser is asked
/// to parse, once each.
fn pieces(input: &[u8], limit: usize) -> (Vec<(u64, Option<usize>)>, usize) {
    let mut docs = Vec::new();
    let mut errors = 0;
    DocumentSplitter::new(limit)
        .run(input, |p| match p {
            Piece::Doc(d) => docs.push((d.line, d.element)),
            Piece::Error(_) => errors += 1,
            _ => unreachable!("run offers no lines"),
        })
        .unwrap();
    (docs, errors)
}

/// One webhook with `n` delivered statuses, pretty-printed as `json.dumps(indent=2)` would.
fn pretty_statuses(n: usize) -> String {
    let statuses: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"id": format!("wamid.out.{i}"), "status": "delivered",
                "timestamp": (1_751_450_000 + i).to_string(), "recipient_id": "4915112345678"})
        })
        .collect();
    let doc = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA",
        "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "PN1"},
        "statuses": statuses}}]}]});
    serde_json::to_string_pretty(&doc).unwrap() + "\n"
}

#[test]
fn a_pretty_printed_webhook_is_parsed_once() {
    // Issue 19.1: the reader reparsed the whole buffer on every continuation line, so one
    // pretty-printed webhook with 1k / 4k statuses took 4.1 / 62.9 s. Now it is handed to
    // the parser once, as one document, whatever its length.
    let text = pretty_statuses(2_000);
    let lines = text.lines().count() as u64;
    assert!(lines > 10_000, "{lines}");
    assert_eq!(pieces(text.as_bytes(), 1 << 24), (vec![(1, None)], 0));
    let mut e = engine();
    let out = e.ingest_reader(text.as_bytes()).unwrap();
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.lines, lines);
    assert_eq!(out.outcome.ingested, 2_000);
    let r = e.report(&ReportOptions::default()).unwrap();
    assert_eq!(r.input.statuses["delivered"], 2_000);
    assert_eq!(r.input.lines, lines);
}

#[test]
fn an_object_that_never_closes_is_one_truncated_document() {
    // Issue 19.1: `{` then 40k lines of ` "a":1,` took 78 s, and the 50 MB version did not
    // finish in 11 minutes. Now it is one document, parsed once at the end of the input.
    let text = format!("{{\n{}", " \"a\":1,\n".repeat(4_000));
    assert_eq!(pieces(text.as_bytes(), 1 << 24), (vec![(1, None)], 0));
    let mut e = engine();
    let out = e.ingest_reader(text.as_bytes()).unwrap();
    assert_eq!(out.lines, 4_001);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].kind, ParseErrorKind::Truncated);
    // serde_json reports the end of input on the document's last line.
    assert_eq!(out.errors[0].line, 4_001);
    // Over the document limit it is not even kept: skipped to the end, one error.
    let mut e = engine();
    e.set_max_document_bytes(1_000);
    let out = e.ingest_reader(text.as_bytes()).unwrap();
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].kind, ParseErrorKind::TooLong);
    assert_eq!(out.errors[0].line, 1);
    // Its size does not count the final line break.
    assert_eq!(
        out.errors[0].message,
        format!(
            "document is {} bytes, over the 1000 byte limit",
            text.len() - 1
        )
    );
}

#[test]
fn glued_webhook_files_ingest_every_document() {
    // Issue 19.2: `cat testdata/shared/webhooks/*/*.json > all.log` — most files have no
    // final newline, so one file's `}` meets the next one's `{` — ingested 3 of 129
    // documents and reported 1 error: after the failure every line starting with `}` or a
    // space was skipped as a continuation.
    let mut all = Vec::new();
    let mut each = engine();
    for dir in ["meta-docs", "pywa", "whatsapp-api-js"] {
        for path in files_in(&shared_data().join("webhooks").join(dir)) {
            let bytes = std::fs::read(&path).unwrap();
            each.ingest(&bytes).unwrap();
            all.extend_from_slice(&bytes);
        }
    }
    let glued = all.windows(2).filter(|w| w == b"}{").count();
    assert!(glued > 100, "most files end without a newline ({glued})");
    let (docs, errors) = pieces(&all, 1 << 24);
    assert_eq!((docs.len(), errors), (129, 0));
    let mut e = engine();
    let out = e.ingest_reader(&all[..]).unwrap();
    assert_eq!(out.errors, vec![]);
    assert_same_state(&mut e, &mut each);
    // A bad document between them costs only itself.
    let mut broken = all.clone();
    let at = broken.windows(2).position(|w| w == b"}{").unwrap() + 1;
    broken.splice(at..at, b"{\"type\":\"close\"}".iter().copied());
    let mut e = engine();
    let out = e.ingest_reader(&broken[..]).unwrap();
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(out.errors[0].field, "contact");
    each.ingest(b"{\"type\":\"close\"}").unwrap_err();
    assert_same_state(&mut e, &mut each);
}

/// `n` outbound records as a pretty-printed JSON array, element `bad` with a bad timestamp.
fn records_array(n: usize, bad: Option<usize>) -> String {
    let docs: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let ts = if Some(i) == bad {
                serde_json::json!("soon")
            } else {
                serde_json::json!(1_751_450_000 + i)
            };
            serde_json::json!({"type": "outbound", "id": format!("wamid.arr.{i}"),
                "to": "4915112345678", "timestamp": ts, "template": "promo",
                "category": "marketing"})
        })
        .collect();
    serde_json::to_string_pretty(&docs).unwrap()
}

#[test]
fn one_bad_array_element_costs_only_itself() {
    // Issue 19.7: one bad element in a 41-document array dropped all 40 good ones.
    let text = records_array(41, Some(17));
    let (docs, _) = pieces(text.as_bytes(), 1 << 24);
    assert_eq!(docs.len(), 41);
    let mut e = engine();
    let out = e.ingest_reader(text.as_bytes()).unwrap();
    assert_eq!(out.outcome.ingested, 40);
    assert_eq!(out.errors.len(), 1);
    let err = &out.errors[0];
    assert_eq!(err.kind, ParseErrorKind::Value);
    assert_eq!(err.field, "[17].timestamp");
    // Each pretty-printed element takes 8 lines after the `[`: element 17 starts on line
    // 2 + 17 * 8 = 138, and its timestamp is its fifth line.
    assert_eq!(err.line, 142, "{err}");
    assert_eq!(
        convolens::internals::store(&e).stats.records["outbound"],
        40
    );
}

#[test]
fn an_array_larger_than_the_document_limit_is_read_element_by_element() {
    // Issue 19.7: an 18.3 MB array of 50,000 documents was rejected whole by the 16 MiB
    // limit, and nothing could raise it. The same at a smaller scale: 400 elements of
    // about 200 bytes against a 4 KiB limit, which applies to each element.
    let text = records_array(400, None);
    assert!(text.len() > 10 * 4_096, "{}", text.len());
    let mut e = engine();
    e.set_max_document_bytes(4_096);
    let out = e.ingest_reader(text.as_bytes()).unwrap();
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.outcome.ingested, 400);
    // An element over the limit is skipped and named; the rest of the array goes on.
    let big = format!(
        "[{},{{\"type\":\"close\",\"contact\":\"4915112345678\",\"timestamp\":1751450000,\"by\":\"{}\"}},{}]",
        records_array(1, None).trim_matches(|c| c == '[' || c == ']'),
        "x".repeat(5_000),
        r#"{"type":"close","contact":"4915112345678","timestamp":1751450001}"#
    );
    let mut e = engine();
    e.set_max_document_bytes(4_096);
    let out = e.ingest_reader(big.as_bytes()).unwrap();
    assert_eq!(out.outcome.ingested, 2);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].kind, ParseErrorKind::TooLong);
    assert_eq!(out.errors[0].field, "[1]");
}

/// How the documents of a stream are laid out.
#[derive(Clone, Copy, Debug)]
enum Layout {
    Line,
    Pretty,
    Glued,
    Spaced,
    InArray,
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Line),
        Just(Layout::Pretty),
        Just(Layout::Glued),
        Just(Layout::Spaced),
        Just(Layout::InArray),
    ]
}

/// Lay documents out as a stream; arrays group runs of `InArray` documents.
fn lay_out(docs: &[(String, Layout)]) -> String {
    let mut s = String::new();
    let mut in_array = false;
    for (doc, l) in docs {
        let v: serde_json::Value = serde_json::from_str(doc).unwrap();
        match l {
            Layout::InArray => {
                s.push_str(if in_array { ",\n  " } else { "[\n  " });
                in_array = true;
                s.push_str(&v.to_string());
                continue;
            }
            _ if in_array => {
                s.push_str("\n]\n");
                in_array = false;
            }
            _ => {}
        }
        match l {
            Layout::Line => {
                s.push_str(doc);
                s.push('\n');
            }
            Layout::Pretty => {
                s.push_str(&serde_json::to_string_pretty(&v).unwrap());
                s.push('\n');
            }
            Layout::Glued => s.push_str(doc),
            Layout::Spaced => {
                s.push_str(doc);
                s.push(' ');
            }
            Layout::InArray => {}
        }
    }
    if in_array {
        s.push_str("\n]");
    }
    s
}

/// A reader handing out the input in chunks of the given sizes (cycled).
struct Chunks<'a> {
    bytes: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl std::io::Read for Chunks<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let want = self.sizes[self.next % self.sizes.len()].max(1);
        self.next += 1;
        let n = want.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Documents laid out in any mix of JSON lines, pretty-printing, gluing and arrays, read
    /// in chunks of any size, give the state of ingesting each document on its own.
    #[test]
    fn any_layout_and_chunking_ingests_every_document(
        picks in proptest::collection::vec((0usize..15, layout()), 1..25),
        sizes in proptest::collection::vec(1usize..300, 1..5),
    ) {
        let stream = sample_stream();
        let docs: Vec<(String, Layout)> =
            picks.iter().map(|(i, l)| (stream[*i % stream.len()].clone(), *l)).collect();
        let mut each = engine();
        for (d, _) in &docs {
            each.ingest_str(d).unwrap();
        }
        let text = lay_out(&docs);
        let mut e = engine();
        let out = e
            .ingest_reader(Chunks { bytes: text.as_bytes(), sizes, next: 0 })
            .unwrap();
        prop_assert_eq!(out.errors, vec![]);
        prop_assert_eq!(out.lines, text.lines().count() as u64);
        prop_assert_eq!(state_json(&mut e), state_json(&mut each));
    }

    /// Arbitrary bytes never panic the splitter, and what it hands over covers the input:
    /// every document lies within it, in order, and lines are counted exactly.
    #[test]
    fn arbitrary_bytes_split_in_order(bytes in proptest::collection::vec(
        prop_oneof![Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b'\\'),
                    Just(b'\n'), Just(b' '), Just(b','), Just(b'a'), any::<u8>()], 0..300),
        limit in 1usize..64,
    ) {
        let mut last = (0u64, 0u64);
        let mut ok = true;
        let mut s = DocumentSplitter::new(limit);
        s.run(&bytes[..], |p| {
            // Documents come in order, each within the limit (`[]` stands for an empty
            // array); errors name a place in the input.
            let at = match p {
                Piece::Doc(d) => {
                    ok &= d.bytes.len() <= limit.max(2) && (d.line, d.column) > last;
                    last = (d.line, d.column);
                    last
                }
                Piece::Error(e) => (e.line, e.column),
                _ => unreachable!("run offers no lines"),
            };
            ok &= at.0 >= 1 && at.1 >= 1;
        }).unwrap();
        prop_assert!(ok);
        let newlines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
        let expected = newlines + u64::from(bytes.last().is_some_and(|b| *b != b'\n'));
        prop_assert_eq!(s.lines(), expected);
    }
}

#[test]
fn a_stream_restores_like_a_snapshot_after_bad_documents() {
    // The fuzz target's invariant at a fixed point: a stream mixing good and bad documents
    // leaves an engine whose snapshot restores to the same state.
    let mut text = String::new();
    for (i, l) in sample_stream().iter().enumerate() {
        text.push_str(l);
        text.push_str(if i % 3 == 0 { "\n{\"type\":\n" } else { "\n" });
    }
    let mut e = engine();
    let out = e.ingest_reader(text.as_bytes()).unwrap();
    assert_eq!(out.errors.len(), 5);
    let mut restored = Engine::restore(&e.snapshot()).unwrap();
    assert_same_state(&mut restored, &mut e);
}

/// One-line documents that each count exactly once: as an ingested item, a duplicate, an
/// ignored item or an error. Among them the payloads issue 19.8 found counted nowhere.
fn one_item_lines() -> Vec<String> {
    let t = 1_751_450_000;
    let hook = |value: &str| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"PN1"}}{value}}}}}]}}]}}"#
        )
    };
    vec![
        support::inbound_text("wamid.in.1", "4915112345678", t, "hi"),
        support::status("wamid.out.1", "4915112345678", t + 60, "delivered"),
        support::outbound_template("wamid.out.1", "4915112345678", t + 30, "promo", "marketing"),
        support::purchase("order-1", "4915112345678", t + 90, "10"),
        r#"{"type":"spend","source":"meta_ad:1","date":"2025-07-02","amount":5}"#.into(),
        r#"{"type":"close","contact":"4915112345678","timestamp":1751450100}"#.into(),
        r#"{"type":"click","message_id":"wamid.out.1","button":"Shop","timestamp":1751450120}"#
            .into(),
        // Counted nowhere before (issue 19.8).
        r#"{"object":"whatsapp_business_account"}"#.into(),
        r#"{"object":"whatsapp_business_account","entry":[]}"#.into(),
        r#"{"object":"whatsapp_business_account","entry":[{"id":"1"}]}"#.into(),
        r#"{"entry":[{"id":"1","changes":[]}]}"#.into(),
        "[]".into(),
        // Ignored with a reason all along.
        r#"{"object":"page","entry":[]}"#.into(),
        r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]}"#.into(),
        hook(r#","contacts":[{"wa_id":"4915112345678"}]"#),
        hook(r#","statuses":[{"id":"wamid.x","status":"sent","timestamp":"1751450000"}]"#),
        // Errors.
        r#"{"type":"close"}"#.into(),
        r#"{"type":"#.into(),
        "garbage".into(),
        "null".into(),
        r#"{"type":"close","contact":"4915112345678","timestamp":99999999999999999999999}"#
            .into(),
    ]
}

/// A generated webhook entry: its changes, `Some((messages, statuses))` or `None`.
type Entry = Vec<Option<(usize, usize)>>;

/// A webhook made of `entries` (each a list of changes: `Some((messages, statuses))` for a
/// `messages` change, `None` for another field), or without `entry` at all; and the
/// number of items it counts: one per message, status and other change, one for a
/// `messages` change with neither, one for an entry without changes, one for a payload
/// whose `entry` is missing or empty.
fn webhook_with(entries: Option<&[Entry]>, tag: usize) -> (String, u64) {
    let Some(entries) = entries else {
        return (r#"{"object":"whatsapp_business_account"}"#.into(), 1);
    };
    let mut items = 0;
    let mut n = 0;
    let entry: Vec<serde_json::Value> = entries
        .iter()
        .map(|changes| {
            if changes.is_empty() {
                items += 1;
            }
            let changes: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| match c {
                    None => {
                        items += 1;
                        serde_json::json!({"field": "message_template_status_update", "value": {}})
                    }
                    Some((m, s)) => {
                        items += if m + s == 0 { 1 } else { (m + s) as u64 };
                        let msgs: Vec<serde_json::Value> = (0..*m)
                            .map(|_| {
                                n += 1;
                                serde_json::json!({"from": "4915112345678", "id": format!("w.{tag}.{n}"),
                                    "timestamp": "1751450000", "type": "text", "text": {"body": "x"}})
                            })
                            .collect();
                        let sts: Vec<serde_json::Value> = (0..*s)
                            .map(|_| {
                                n += 1;
                                serde_json::json!({"id": format!("w.{tag}.{n}"), "status": "read",
                                    "timestamp": "1751450000", "recipient_id": "4915112345678"})
                            })
                            .collect();
                        serde_json::json!({"field": "messages", "value": {
                            "metadata": {"phone_number_id": "PN1"}, "messages": msgs, "statuses": sts}})
                    }
                })
                .collect();
            serde_json::json!({"id": "WABA", "changes": changes})
        })
        .collect();
    if entry.is_empty() {
        items = 1;
    }
    let doc = serde_json::json!({"object": "whatsapp_business_account", "entry": entry});
    (doc.to_string(), items)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Issue 19.8: with one item per line, `lines = ingested + duplicates + ignored +
    /// errors`, for a stream and for documents ingested one by one, in the stream's
    /// outcome and in the engine's input statistics.
    #[test]
    fn every_line_is_counted_once(picks in proptest::collection::vec(0usize..21, 0..40)) {
        let vocab = one_item_lines();
        let lines: Vec<&String> = picks.iter().map(|i| &vocab[*i]).collect();
        let mut text = String::new();
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        let mut e = engine();
        let out = e.ingest_reader(text.as_bytes()).unwrap();
        let o = &out.outcome;
        prop_assert_eq!(out.lines, lines.len() as u64);
        prop_assert_eq!(
            out.lines,
            u64::from(o.ingested + o.duplicates) + o.ignored.len() as u64 + out.errors.len() as u64
        );
        let s = &convolens::internals::store(&e).stats;
        prop_assert_eq!(s.lines, s.ingested + s.duplicates + s.ignored + s.errors);
        let mut one = engine();
        for l in &lines {
            let _ = one.ingest_str(l);
        }
        let s = &convolens::internals::store(&one).stats;
        prop_assert_eq!(s.lines, lines.len() as u64);
        prop_assert_eq!(s.lines, s.ingested + s.duplicates + s.ignored + s.errors);
    }

    /// In general every part of a payload counts once: its messages and statuses, other
    /// changes, a `messages` change with neither, an entry without changes, a payload
    /// without entries. Counted independently of the parser by the generator.
    #[test]
    fn every_part_of_a_payload_is_counted_once(
        docs in proptest::collection::vec(
            proptest::option::weighted(0.9, proptest::collection::vec(
                proptest::collection::vec(proptest::option::weighted(0.8, (0usize..3, 0usize..3)), 0..3),
                0..3)),
            1..8),
    ) {
        let mut e = engine();
        let mut expected = 0;
        for (tag, d) in docs.iter().enumerate() {
            let (text, items) = webhook_with(d.as_deref(), tag);
            expected += items;
            let o = e.ingest_str(&text).unwrap();
            prop_assert_eq!(u64::from(o.ingested + o.duplicates) + o.ignored.len() as u64, items, "{}", text);
        }
        let s = &convolens::internals::store(&e).stats;
        prop_assert_eq!(s.ingested + s.duplicates + s.ignored + s.errors, expected);
    }
}

#[test]
fn payloads_with_nothing_to_count_are_ignored_with_a_reason() {
    // Issue 19.8: these were accepted and counted nowhere, so `lines` differed from
    // `ingested + duplicates + ignored + errors`.
    let mut e = engine();
    for (doc, reason) in [
        (r#"{"object":"whatsapp_business_account"}"#, "no_entry"),
        (
            r#"{"object":"whatsapp_business_account","entry":[]}"#,
            "empty_entry",
        ),
        (
            r#"{"object":"whatsapp_business_account","entry":[{"id":"1"}]}"#,
            "no_changes",
        ),
        (r#"{"entry":[{"id":"1","changes":[]}]}"#, "no_changes"),
        ("[]", "empty_array"),
    ] {
        let out = e.ingest_str(doc).unwrap();
        assert_eq!(out.ignored, vec![reason.to_string()], "{doc}");
    }
    let r = e.report(&ReportOptions::default()).unwrap();
    assert_eq!(r.input.lines, 5);
    assert_eq!(r.input.ignored, 5);
    assert_eq!(r.input.ignored_reasons["no_changes"], 2);
}

#[test]
fn empty_ids_are_rejected_on_every_kind() {
    // Issue 19.4: inbound messages with `"id": ""` were accepted and all collapsed into
    // one, keeping whichever arrived first. Every kind now rejects a blank id, naming it.
    let hook = |value: &str| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"metadata":{{"phone_number_id":"PN1"}},{value}}}}}]}}]}}"#
        )
    };
    let cases = [
        (
            hook(
                r#""messages":[{"from":"4915112345678","id":"","timestamp":"1751450000","type":"text","text":{"body":"a"}}]"#,
            ),
            "entry[0].changes[0].value.messages[0].id",
        ),
        (
            hook(
                r#""statuses":[{"id":"  ","status":"read","timestamp":"1751450000","recipient_id":"4915112345678"}]"#,
            ),
            "entry[0].changes[0].value.statuses[0].id",
        ),
        (
            r#"{"type":"outbound","id":"","to":"4915112345678","timestamp":1751450000}"#.into(),
            "id",
        ),
        (
            r#"{"type":"external_event","id":"","contact":"4915112345678","name":"purchase","timestamp":1751450000}"#.into(),
            "id",
        ),
        (
            r#"{"type":"spend","id":"","source":"meta_ad:1","date":"2025-07-01","amount":5}"#
                .into(),
            "id",
        ),
        (
            r#"{"type":"click","id":" ","message_id":"wamid.1","button":"Shop","timestamp":1751450000}"#.into(),
            "id",
        ),
    ];
    let mut e = engine();
    for (doc, field) in &cases {
        let err = e.ingest_str(doc).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Schema, "{doc}: {err}");
        assert_eq!(err.field, *field, "{doc}: {err}");
    }
    let r = e.report(&ReportOptions::default()).unwrap();
    assert_eq!(r.input.errors, cases.len() as u64);
    assert_eq!(r.input.ingested, 0);
}

#[test]
fn contact_numbers_are_normalised() {
    // Issue 19.5: a purchase for `+447223201674` or `+44 7223 201674` stayed unattributed
    // with no warning, and an inbound message from `+447223201674` created a second user.
    let t = 1_751_450_000;
    let from_ad = support::inbound_text_with(
        "wamid.in.1",
        "447223201674",
        t,
        "hi",
        r#","referral":{"source_type":"ad","source_id":"AD1"}"#,
    );
    for contact in ["+447223201674", "+44 7223 201674", "(44) 7223-201674"] {
        let mut e = engine();
        e.ingest_str(&from_ad).unwrap();
        e.ingest_str(&support::inbound_text(
            "wamid.in.2",
            contact,
            t + 60,
            "me again",
        ))
        .unwrap();
        e.ingest_str(&support::purchase("order-1", contact, t + 3_600, "20"))
            .unwrap();
        let r = e.report(&ReportOptions::default()).unwrap();
        assert_eq!(r.engagement.active_users, 1, "{contact}");
        assert_eq!(r.attribution.attributed_events, 1, "{contact}");
        assert_eq!(
            convolens::internals::store(&e).live_users().count(),
            1,
            "{contact}"
        );
        assert!(
            e.free_form_window(contact, None, t + 120).is_some(),
            "{contact}"
        );
    }
    // A number with anything but digits and separators is an error naming the field.
    let mut e = engine();
    let err = e
        .ingest_str(&support::purchase("order-2", "+44 72x3", t, "1"))
        .unwrap_err();
    assert_eq!(
        (err.kind, err.field.as_str()),
        (ParseErrorKind::Value, "contact")
    );
    let err = e
        .ingest_str(&support::inbound_text("wamid.in.3", "+44 72x3", t, "x"))
        .unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::Value);
    assert_eq!(err.field, "entry[0].changes[0].value.contacts[0].wa_id");
    // Identifiers that are not numbers are kept as given.
    let mut e = engine();
    e.ingest_str(&support::purchase("order-3", "user.93737abc", t, "1"))
        .unwrap();
    assert!(
        convolens::internals::store(&e)
            .user_by_key("user.93737abc")
            .is_some()
    );
}

proptest! {
    /// Any way of writing a number — `+`, spaces, dashes, parentheses anywhere — names the
    /// same user as its digits, in records and in webhooks.
    #[test]
    fn any_written_form_of_a_number_is_one_user(
        digits in "[1-9][0-9]{6,14}",
        seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("("), Just(")")], 16),
        plus in any::<bool>(),
    ) {
        let mut written = String::from(if plus { "+" } else { "" });
        for (c, s) in digits.chars().zip(&seps) {
            written.push(c);
            written.push_str(s);
        }
        prop_assume!(written.starts_with(|c: char| c == '+' || c.is_ascii_digit()));
        let mut e = engine();
        e.ingest_str(&support::inbound_text("wamid.in.1", &digits, 1_751_450_000, "a")).unwrap();
        e.ingest_str(&support::inbound_text("wamid.in.2", &written, 1_751_450_060, "b")).unwrap();
        e.ingest_str(&support::purchase("order-1", &written, 1_751_450_100, "1")).unwrap();
        prop_assert_eq!(convolens::internals::store(&e).live_users().count(), 1);
        prop_assert_eq!(convolens::internals::store(&e).user_by_key(&written), convolens::internals::store(&e).user_by_key(&digits));
    }
}

/// The report of `lines` ingested in order, as JSON without the arrival-dependent
/// counters (`lines`, `ingested`, `duplicates`), under `config`.
fn report_of(config: &str, lines: &[String]) -> serde_json::Value {
    let mut e = Engine::new(convolens::Config::from_json(config).unwrap()).unwrap();
    for l in lines {
        e.ingest_str(l).unwrap();
    }
    state_json(&mut e)
}

/// The same report for `lines` in their order and reversed, which must agree.
fn either_order(config: &str, lines: &[String]) -> serde_json::Value {
    let forward = report_of(config, lines);
    let mut rev = lines.to_vec();
    rev.reverse();
    let backward = report_of(config, &rev);
    if let Some(d) = first_difference(&forward, &backward, "") {
        panic!("the order changed the report at {d}");
    }
    forward
}

#[test]
fn conflicting_versions_resolve_the_same_in_any_order() {
    // Issue 19.3: a duplicate id with different content kept whichever arrived first.
    let t = 1_751_450_000;
    let w = "4915112345678";
    let ad = support::inbound_text_with(
        "wamid.in.1",
        w,
        t,
        "hi",
        r#","referral":{"source_type":"ad","source_id":"AD1"}"#,
    );
    let order = |value: &str, ts: i64| support::purchase("ord-9", w, ts, value);
    // Two `ord-9` events at the same time, worth 10 and 99: swapping them changed
    // attribution.value from 10 to 99. Equal times: the greater content wins, compared as
    // its postcard encoding — (name, value, contact), equal but for the value's micros,
    // zigzag LEB128: 10_000_000 → 20_000_000 → bytes 80 DA …, 99_000_000 → 198_000_000 →
    // bytes 80 FB …; FB > DA, so 99 is kept.
    let eur = r#"{"currency":"EUR"}"#;
    let r = either_order(
        eur,
        &[ad.clone(), order("10", t + 3_600), order("99", t + 3_600)],
    );
    assert_eq!(r["attribution"]["value"], 99.0);
    assert_eq!(r["input"]["conflicts"], 1);
    assert_eq!(r["input"]["records"]["external_event"], 1);
    // Different times: the latest wins, whatever its value.
    let r = either_order(
        eur,
        &[ad.clone(), order("10", t + 7_200), order("99", t + 3_600)],
    );
    assert_eq!(r["attribution"]["value"], 10.0);
    // Outbound template and category: the latest record wins.
    let r = either_order(
        "{}",
        &[
            support::outbound_template("wamid.o", w, t + 60, "promo", "marketing"),
            support::outbound_template("wamid.o", w, t + 90, "update", "utility"),
        ],
    );
    assert_eq!(r["templates"][0]["name"], "update");
    assert_eq!(r["templates"][0]["category"], "utility");
    assert_eq!(r["templates"].as_array().unwrap().len(), 1);
    // Inbound message type: the latest version wins, and the count per type follows it.
    let image = support::inbound_text("wamid.in.1", w, t + 5, "x").replace(
        r#""type":"text","text":{"body":"x"}"#,
        r#""type":"image","image":{"id":"m1"}"#,
    );
    let r = either_order("{}", &[ad.clone(), image]);
    assert_eq!(r["input"]["messages"], serde_json::json!({"image": 1}));
    // Spend tying on the amount in two currencies gave invested 25 or 0 by order. The
    // amount ties, so the currency code decides: "USD" > "EUR", and USD is the report's.
    let spend = |cur: &str| {
        format!(
            r#"{{"type":"spend","source":"meta_ad:AD1","date":"2025-07-02","amount":25,"currency":"{cur}"}}"#
        )
    };
    let r = either_order("{}", &[ad.clone(), spend("EUR"), spend("USD")]);
    let row = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "meta_ad:AD1")
        .unwrap();
    assert_eq!(row["invested"], 25.0);
    // A status of one kind at two times keeps the earliest, and is a conflict.
    let r = either_order(
        "{}",
        &[
            support::outbound_template("wamid.o", w, t + 60, "promo", "marketing"),
            support::status("wamid.o", w, t + 70, "delivered"),
            support::status("wamid.o", w, t + 65, "delivered"),
        ],
    );
    assert_eq!(r["input"]["conflicts"], 1);
}

#[test]
fn texts_are_matched_on_arrival_and_text_conflicts_still_count() {
    // The store keeps what the config's rules matched in a text and a digest of it, not
    // the text. Two versions of one message that differ only in their text are still a
    // conflict, and which one is kept does not depend on the order.
    let t = 1_751_450_000;
    let w = "4915112345678";
    let cfg = r#"{"sources":[{"key":"qr:menu","match":"prefix","pattern":"menu"}],
        "events":[{"name":"said_yes","kind":"text_reply","pattern":"yes"}]}"#;
    let hi = support::inbound_text("wamid.in.1", w, t, "hi");
    let hello = support::inbound_text("wamid.in.1", w, t, "hello");
    let r = either_order(cfg, &[hi.clone(), hello]);
    assert_eq!(r["input"]["conflicts"], 1);
    assert_eq!(r["input"]["messages"], serde_json::json!({"text": 1}));
    // The same text twice is a duplicate, not a conflict.
    let r = either_order(cfg, &[hi.clone(), hi.clone()]);
    assert_eq!(r["input"]["conflicts"], 0);
    // One version matches the QR rule, the other nothing. Equal times: the greater
    // content wins (semantics of the store's conflict rule), compared on what is kept —
    // the version with the rule's token (`Some`) encodes above the one without (`None`:
    // postcard writes 1 vs 0 first), so the conversation's source is the QR code in
    // either order.
    let menu = support::inbound_text("wamid.in.1", w, t, "Menu please");
    let r = either_order(cfg, &[hi.clone(), menu.clone()]);
    assert_eq!(r["input"]["conflicts"], 1);
    let keys: Vec<&str> = (r["sources"].as_array().unwrap().iter())
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(keys, ["qr:menu"]);
    // A text-reply event is matched when the text arrives, too: "yes" makes a lead.
    let yes = support::inbound_text("wamid.in.2", w, t + 60, "Yes");
    let r = either_order(cfg, &[menu, yes]);
    assert_eq!(r["overall"]["leads"], 1);
}

#[test]
fn conflicting_clicks_and_closes_keep_one_version() {
    // Issue 19.3, continued: versions of records the engine keeps one of.
    let t = 1_751_450_000;
    let w = "4915112345678";
    // A click with an id, on two buttons at one time: the greater button text ("Shop" >
    // "Details") is kept. A close sent twice with two `by`s is one close, no conflict.
    let click = |button: &str| {
        format!(
            r#"{{"type":"click","id":"c1","message_id":"wamid.o","button":"{button}","timestamp":{}}}"#,
            t + 100
        )
    };
    let close = |by: &str| {
        format!(
            r#"{{"type":"close","contact":"{w}","timestamp":{},"by":"{by}"}}"#,
            t + 200
        )
    };
    let mut e = engine();
    for l in [
        support::outbound_template("wamid.o", w, t + 60, "promo", "marketing"),
        click("Shop"),
        click("Details"),
        close("agent-1"),
        close("agent-2"),
    ] {
        e.ingest_str(&l).unwrap();
    }
    assert_eq!(
        convolens::internals::store(&e).clicks["id:c1"]
            .button
            .as_ref(),
        "Shop"
    );
    let s = &convolens::internals::store(&e).stats;
    assert_eq!((s.records["close"], s.conflicts), (1, 1));
}

#[test]
fn the_sources_demo_reports_the_same_in_any_order() {
    // Issue 19.3: line 110 of examples/data/sources-demo.jsonl re-sent `order-100` with
    // another timestamp, and shuffling the file changed a funnel step from 2 to 1. The
    // generator now re-sends the same record; the engine resolves such a conflict the
    // same way in any order anyway.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/");
    let config = std::fs::read_to_string(format!("{dir}sources-demo.config.json")).unwrap();
    let lines: Vec<String> = std::fs::read_to_string(format!("{dir}sources-demo.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines[109], lines[9],
        "the re-sent purchase is the same record"
    );
    let r = either_order(&config, &lines);
    assert_eq!(r["input"]["conflicts"], 0);
    // The file as it was: line 110 with Lena's purchase two hours earlier.
    let mut old = lines.clone();
    old[109] = old[109].replace("1751893200", "1751886000");
    let r_old = either_order(&config, &old);
    assert_eq!(r_old["input"]["conflicts"], 1);
    // The later version (the original, 1751893200) wins: the same report as the fixed file.
    let mut fixed = r.clone();
    fixed["input"]["conflicts"] = serde_json::json!(1);
    if let Some(d) = first_difference(&fixed, &r_old, "") {
        panic!("{d}");
    }
}

#[test]
fn a_timestamp_out_of_range_says_so() {
    // Issue 19.9: `99999999999999999999999` was "not a whole number of seconds".
    let mut e = engine();
    for ts in [
        "99999999999999999999999",
        "\"99999999999999999999999\"",
        "99999999999",
        "-5",
    ] {
        let doc = format!(r#"{{"type":"close","contact":"4915112345678","timestamp":{ts}}}"#);
        let err = e.ingest_str(&doc).unwrap_err();
        assert_eq!(
            (err.kind, err.field.as_str()),
            (ParseErrorKind::Value, "timestamp")
        );
        assert!(err.message.contains("is out of range"), "{ts}: {err}");
    }
    let err = e
        .ingest_str(r#"{"type":"close","contact":"4915112345678","timestamp":1751450000.5}"#)
        .unwrap_err();
    assert!(
        err.message.contains("not a whole number of seconds"),
        "{err}"
    );
}

#[test]
fn rate_card_value_errors_name_the_file_and_its_row() {
    // Issue 19.9: a bad value in a rate card file said `row 0` and not which file.
    let csv = "# rates\nmarket,category,price,currency,effective_from\n\
               India,utility,0.0014,USD,2025-07-01\n\
               Atlantis,utility,0.0014,USD,2025-07-01\n";
    let mut cfg = convolens::Config::from_json(r#"{"rate_card":"cards/rates.csv"}"#).unwrap();
    let err = cfg
        .resolve_rate_card(None, |_| Ok(csv.to_string()))
        .unwrap_err();
    // The third row of the card is the file's fourth line (a comment comes first).
    assert_eq!(
        err.to_string(),
        "config: `rate_card`: `cards/rates.csv`: line 4: unknown market `Atlantis`"
    );
    let json = r#"[{"market":"India","category":"utility","price":1,"currency":"USD","effective_from":"2025-07-01"},
                   {"market":"India","category":"utility","price":1,"currency":"ZZZ","effective_from":"2025-07-02"}]"#;
    let mut cfg = convolens::Config::from_json(r#"{"rate_card":"rates.json"}"#).unwrap();
    let err = cfg
        .resolve_rate_card(None, |_| Ok(json.to_string()))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "config: `rate_card`: `rates.json`: row 2: `ZZZ` is not an ISO 4217 currency code"
    );
}

#[test]
fn configs_with_unknown_currencies_funnel_steps_or_no_object_are_rejected() {
    // Issue 19.9: each of these was accepted silently.
    // `ConfigError` is non-exhaustive outside the crate only; this test runs inside it.
    #[allow(unreachable_patterns)]
    let key = |json: &str| match convolens::Config::from_json(json).unwrap_err() {
        convolens::ConfigError::Value { key, message } => (key, message),
        convolens::ConfigError::Invalid { path, message } => (path, message),
        other => panic!("{other:?}"),
    };
    let (k, m) = key(r#"{"currency":"ZZZ"}"#);
    assert_eq!(
        (k.as_str(), m.as_str()),
        ("currency", "`ZZZ` is not an ISO 4217 currency code")
    );
    let (k, m) = key(
        r#"{"events":[{"name":"tapped_buy","kind":"button_reply","pattern":"buy"}],
            "funnels":[{"name":"sales","steps":["tapped_buy","purchse"]}]}"#,
    );
    assert_eq!(k, "funnels[0].steps[1]");
    assert!(m.starts_with("`purchse` is not a messaging event"), "{m}");
    let (k, m) = key(r#"["Europe/Berlin"]"#);
    assert_eq!(
        (k.as_str(), m.as_str()),
        ("", "a config is a JSON object (`{...}`), this is an array")
    );
    // What a funnel may name: messaging events, purchase, subscription, the conversion
    // event, and declared external events.
    convolens::Config::from_json(
        r#"{"events":[{"name":"tapped_buy","kind":"button_reply","pattern":"buy"}],
            "conversion_event":"order_paid","external_events":["refund"],
            "funnels":[{"name":"f","steps":["tapped_buy","subscription","order_paid","refund","purchase"]}]}"#,
    )
    .unwrap();
    convolens::Config::from_json(r#"{"currency":"eur"}"#).unwrap();
}

#[test]
fn a_relabelled_snapshot_does_not_restore() {
    // Issue 19.9: a schema-2 payload relabelled as schema 1 restored silently (the checksum
    // covered the payload only, and schema 1 ignored the bytes after its part).
    let mut e = engine();
    for l in sample_stream() {
        e.ingest_str(&l).unwrap();
    }
    let snap = e.snapshot();
    assert_eq!(
        snap[6..10],
        convolens::internals::SCHEMA_VERSION.to_le_bytes()
    );
    // Since schema 5 the checksum covers the header: relabelled, it fails.
    for version in [1u32, 2, 3, 4] {
        let mut r = snap.clone();
        r[6..10].copy_from_slice(&version.to_le_bytes());
        let err = Engine::restore(&r).unwrap_err();
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
    }
    // Older snapshots (checksum over the payload alone) still restore, to the same state
    // (this stream has no conflicting versions, the one thing they cannot hold)...
    for version in [2u32, 3, 4] {
        let old = convolens::internals::snapshot_as(&e, version);
        let mut back = Engine::restore(&old).unwrap();
        assert_same_state(&mut back, &mut e);
        // ...but relabelled as the schema before, whose checksum still matches, the bytes
        // that schema does not read make them corrupt.
        let mut r = old.clone();
        r[6..10].copy_from_slice(&(version - 1).to_le_bytes());
        let err = Engine::restore(&r).unwrap_err();
        assert!(err.to_string().contains("bytes after the payload"), "{err}");
    }
}

#[test]
fn a_huge_range_is_clamped_to_the_days_with_data() {
    // Issue 19.6: `--from 0001-01-01 --to 9999-12-31` on 40 lines took 4.7 s, 951 MB and
    // printed 693 MB of JSON (27 s and about 3 GB in WASM): every day of 10,000 years was
    // summed and listed. A range over MAX_RANGE_DAYS is clamped to the days with data.
    let lines: Vec<String> = support::example_lines().into_iter().take(40).collect();
    let mut e = Engine::new(support::example_config()).unwrap();
    for l in &lines {
        e.ingest_str(l).unwrap();
    }
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let huge = ReportOptions::default()
        .start(day("0001-01-01"))
        .end(day("9999-12-31"));
    let clamped = e.report(&huge).unwrap();
    let default = e.report(&ReportOptions::default()).unwrap();
    // The example's first 40 lines span its first days: the clamped range is exactly the
    // default range (first to last day with data), and so is every figure.
    assert_eq!(clamped.range, default.range);
    assert!(clamped.range.days < 10, "{:?}", clamped.range);
    assert_eq!(
        serde_json::to_value(&clamped).unwrap(),
        serde_json::to_value(&default).unwrap()
    );
    assert_eq!(
        clamped.engagement.daily_active.len() as i64,
        clamped.range.days
    );
    // A range within the limit keeps its empty days: 2025 has 365.
    let year = e
        .report(
            &ReportOptions::default()
                .start(day("2025-01-01"))
                .end(day("2026-01-01")),
        )
        .unwrap();
    assert_eq!(year.range.days, 365);
    assert_eq!(year.engagement.daily_active.len(), 365);
    assert_eq!(year.billing.cost.by_day.len(), 365);
    // Over the limit with no data in it: empty, where the data would have started.
    let before = e
        .report(
            &ReportOptions::default()
                .start(day("1900-01-01"))
                .end(day("2020-01-01")),
        )
        .unwrap();
    assert_eq!(
        (before.range.from, before.range.days),
        (day("2020-01-01"), 0)
    );
    // `last` with an absurd period is clamped the same way.
    let last = e.report(&ReportOptions::default().last("3000y")).unwrap();
    assert_eq!(last.range, default.range);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A JSONL line that is one whole document is parsed as it is, without the splitter
    /// scanning it first; that fast path gives exactly what the scan gives — the same
    /// errors (line, column, field, message) and the same state. Read one byte at a time,
    /// no line is ever offered whole, so the second engine takes the scan path only.
    #[test]
    fn whole_lines_read_as_the_scan_reads_them(
        picks in proptest::collection::vec((0usize..21, 0usize..4), 0..30),
    ) {
        let vocab = one_item_lines();
        let mut text = String::new();
        for (i, how) in &picks {
            let l = &vocab[*i];
            match how {
                0 => writeln!(text, "{l}").unwrap(),
                1 => write!(text, "  {l}\r\n").unwrap(),
                2 => text.push_str(l),
                _ => writeln!(text, "{l} {l}").unwrap(),
            }
        }
        let mut fast = engine();
        let a = fast.ingest_reader(text.as_bytes()).unwrap();
        let mut scan = engine();
        let b = scan.ingest_reader(Chunks { bytes: text.as_bytes(), sizes: vec![1], next: 0 }).unwrap();
        prop_assert_eq!(&a.errors, &b.errors);
        prop_assert_eq!(a.lines, b.lines);
        let (x, y) = (state_json(&mut fast), state_json(&mut scan));
        prop_assert!(x == y, "{:?}", first_difference(&x, &y, ""));
    }
}
