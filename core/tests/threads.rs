//! Threaded ingest (`Engine::ingest_reader_threads`) ends in exactly the state that
//! single-threaded `Engine::ingest_reader` gives: same outcome, same errors (engine lines,
//! batch-relative lines, columns, fields), same snapshot, same report — on the example data
//! with every public payload mixed in, and on generated streams of every shape the
//! splitter reads, cut into batches of every size.

mod support;

use convolens::{Engine, ReportOptions, StreamOutcome, internals};
use proptest::prelude::*;
use support::{example_config, files_in, shared_data};

/// Ingest `input` after a first document (so engine lines and stream lines differ), on
/// one thread or on `threads` with batches of about `batch` bytes; the outcome numbered
/// within the stream, the engine.
fn run(input: &[u8], threads: usize, batch: usize) -> (StreamOutcome, Engine) {
    let mut e = Engine::new(example_config()).unwrap();
    e.ingest_str(r#"{"type":"close","contact":"34600111222","timestamp":1751460000}"#)
        .unwrap();
    let first = e.next_line();
    let out = if threads == 1 {
        e.ingest_reader(input).unwrap()
    } else {
        internals::ingest_in_batches(&mut e, input, threads, batch).unwrap()
    };
    (out.relative_to(first), e)
}

fn report_json(e: &mut Engine) -> String {
    serde_json::to_string(&e.report(&ReportOptions::default()).unwrap()).unwrap()
}

fn assert_same(input: &[u8], threads: usize, batch: usize) {
    let (one, mut e1) = run(input, 1, batch);
    let (many, mut en) = run(input, threads, batch);
    assert_eq!(one, many, "threads={threads} batch={batch}");
    assert_eq!(e1.stats(), en.stats());
    assert_eq!(e1.snapshot(), en.snapshot());
    assert_eq!(report_json(&mut e1), report_json(&mut en));
}

/// The example data, every public payload (pretty-printed, some invalid), arrays, glued
/// documents and broken lines, as one stream.
fn mixed_input() -> Vec<u8> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/example.jsonl"
    );
    let mut input = std::fs::read(dir).unwrap();
    for sub in [
        "webhooks/meta-docs",
        "webhooks/pywa",
        "webhooks/whatsapp-api-js",
    ] {
        for f in files_in(&shared_data().join(sub)) {
            input.extend(std::fs::read(f).unwrap());
            input.push(b'\n');
        }
    }
    for f in files_in(&shared_data().join("webhooks-invalid")) {
        input.extend(std::fs::read(f).unwrap());
        input.push(b'\n');
    }
    input.extend_from_slice(
        b"not json\n{\"type\":\"close\"}\n[{\"type\":\"close\",\"contact\":\"1\",\"timestamp\":1751460001},\n 7, {\"a\":]\n{\"truncated\":\n\xff\xfe\n{\"type\":\"spend\"}{\"x\":1}\n[",
    );
    input
}

#[test]
fn four_threads_equal_one_on_the_example_data_and_every_payload() {
    let input = mixed_input();
    let (one, _) = run(&input, 1, 0);
    // The mix has errors of every kind; the check below is only worth something if so.
    assert!(one.errors.len() > 20, "{}", one.errors.len());
    assert!(one.outcome.ingested > 10_000);
    // Small batches: many batch and round boundaries; the default size: a few batches.
    for batch in [777, 1 << 19] {
        assert_same(&input, 4, batch);
    }
    let mut e = Engine::new(example_config()).unwrap();
    let out = e.ingest_reader_threads(&input[..], 4).unwrap();
    let (reference, _) = run(&input, 1, 0);
    assert_eq!(out.lines, reference.lines);
    assert_eq!(out.errors.len(), reference.errors.len());
}

/// One piece of a generated stream.
fn piece() -> impl Strategy<Value = String> {
    let ts = 1_751_400_000i64..1_751_900_000;
    prop_oneof![
        (0u32..50, ts.clone()).prop_map(|(u, t)| support::inbound_text(
            &format!("wamid.in{u}.{t}"),
            &format!("3460011{u:04}"),
            t,
            "hi"
        )),
        (0u32..50, ts.clone()).prop_map(|(u, t)| support::status(
            &format!("wamid.o{u}"),
            &format!("3460011{u:04}"),
            t,
            "delivered"
        )),
        (0u32..50, ts.clone()).prop_map(|(u, t)| support::outbound_template(
            &format!("wamid.o{u}"),
            &format!("3460011{u:04}"),
            t,
            "promo",
            "marketing"
        )),
        (0u32..50, ts).prop_map(|(u, t)| format!(
            "{{\n  \"type\": \"close\",\n  \"contact\": \"3460011{u:04}\",\n  \"timestamp\": {t}\n}}"
        )),
        Just(String::new()),
        Just("not json".to_string()),
        Just("{\"type\":\"close\"}".to_string()),
        Just("{\"type\":\"close\",\"contact\":\"1\",\"timestamp\":\"soon\"}".to_string()),
        Just("[{\"type\":\"close\",\"contact\":\"1\",\"timestamp\":1751460001}, {\"b\":]".to_string()),
        Just("{\"a\":1}{\"type\":\"click\"}".to_string()),
        Just("{\"open\":".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_thread_count_and_batch_size_gives_the_single_thread_result(
        pieces in prop::collection::vec(piece(), 0..60),
        threads in 2usize..6,
        batch in 1usize..3000,
        crlf in any::<bool>(),
    ) {
        let sep = if crlf { "\r\n" } else { "\n" };
        let input = pieces.join(sep);
        assert_same(input.as_bytes(), threads, batch);
    }
}

/// A reader that gives `data` a few bytes at a time, then fails.
struct Failing<'a> {
    data: &'a [u8],
    step: usize,
}

impl std::io::Read for Failing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.data.is_empty() {
            return Err(std::io::Error::other("disk gone"));
        }
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn a_read_error_keeps_what_came_before_it_as_on_one_thread() {
    let input = mixed_input();
    // Cut inside a line, so a document is open when the input breaks off.
    let cut = &input[..input.len() / 2 + 17];
    let mut one = Engine::new(example_config()).unwrap();
    let mut four = Engine::new(example_config()).unwrap();
    let a = one.ingest_reader(Failing {
        data: cut,
        step: 1000,
    });
    let b = internals::ingest_in_batches(
        &mut four,
        Failing {
            data: cut,
            step: 333,
        },
        4,
        4096,
    );
    assert_eq!(a.unwrap_err().to_string(), "disk gone");
    assert_eq!(b.unwrap_err().to_string(), "disk gone");
    // Half the example data was ingested, and its lines counted, the same on both.
    assert!(one.stats().lines > 1000);
    assert_eq!(one.stats(), four.stats());
    assert_eq!(one.snapshot(), four.snapshot());
}
