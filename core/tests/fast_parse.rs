//! The fast parse path (`input::fast`) reads every document it accepts exactly as
//! serde_json does, and gives up on the rest: per document (events or error equal, on
//! generated webhooks and records written in every way JSON allows, broken ones included)
//! and per engine (outcome, stats, snapshot bytes and report JSON equal with the fast path
//! on and off, on the example data and every public payload).

mod support;

use convolens::internals::{self, ParseOptions, parse_document, parse_fast_only};
use convolens::{Engine, ReportOptions};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::fmt::Write as _;
use support::{example_config, files_in, shared_data};

/// What serde_json's path (fast path off) makes of one document.
fn serde_path(bytes: &[u8]) -> Result<Vec<internals::Event<'_>>, convolens::ParseError> {
    let mut out = Vec::new();
    let opts = ParseOptions::default().with_fast(false);
    parse_document(bytes, 7, &opts, &mut out).map(|()| out)
}

/// Whether the fast path accepted `bytes`; panics when its result differs from serde's
/// (and, first, when the extractor's does: [`check_extract`]).
fn check(bytes: &[u8]) -> bool {
    check_extract(bytes);
    let Some(fast) = parse_fast_only(bytes, 7, &ParseOptions::default()) else {
        return false;
    };
    let slow = serde_path(bytes);
    assert_eq!(fast, slow, "{}", String::from_utf8_lossy(bytes));
    true
}

/// Whether the extractor read `bytes`; panics when serde's path refuses the document or
/// gives other events.
fn check_extract(bytes: &[u8]) -> bool {
    let Some(events) = internals::parse_extract_only(bytes, 7) else {
        return false;
    };
    assert_eq!(
        Ok(events),
        serde_path(bytes),
        "{}",
        String::from_utf8_lossy(bytes)
    );
    true
}

#[test]
fn hand_picked_documents_are_read_as_serde_json_reads_them_or_given_up() {
    let base = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"P"},"messages":[{"from":"4915112345678","id":"wamid.A","timestamp":TS,"type":"text","text":{"body":BODY}}]}}]}]}"#;
    // (timestamp, body, accepted by the fast path?)
    let cases = [
        ("1751400000", r#""hi""#, true),
        (
            r#""1751400000""#,
            r#""caf\u00e9 \ud83d\ude00 \"q\" \\ \/""#,
            true,
        ),
        ("1.7514e9", r#""x""#, true),
        ("1751400000.0", r#""x""#, true),
        ("17514e5", r#""x""#, true),
        // Valid JSON, but not plausible timestamps: serde_json's error is the one given.
        ("-0", r#""x""#, false),
        ("1e3", r#""x""#, false),
        ("17514000000000000000000", r#""x""#, false),
        ("1751400000", r#""lone \ud83d""#, false),
        ("01751400000", r#""x""#, false),
        ("1751400000", "\"tab\tinside\"", false),
        ("1751400000", r#""x","text":{"body":"dup"}"#, true),
        (
            "1751400000 ",
            r#" "x" , "unknown" : [1, {"a": [true, null, -2.5e-3]}, "\u0041"] "#,
            true,
        ),
    ];
    for (ts, body, accepted) in cases {
        let doc = base.replace("TS", ts).replace("BODY", body);
        assert_eq!(check(doc.as_bytes()), accepted, "{doc}");
    }
    // Numbers as serde_json computes them, to the bit, and the ones it gives up on.
    for (n, accepted) in [
        ("47.879999999999995", true),
        ("-0", true),
        ("1e22", true),
        ("1.5E-3", true),
        ("9223372036854775808", true),
        ("-9223372036854775808", true),
        ("-9223372036854775809", false),
        ("1e23", false),
        ("12345678901234567890.5", false),
        ("01", false),
        ("1.", false),
        ("-", false),
    ] {
        let fast = internals::fast_value(n);
        assert_eq!(fast.is_some(), accepted, "{n}");
        if let Some(fast) = fast {
            let slow: serde_json::Value = serde_json::from_str(n).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
    }
    // Truncated anywhere: never accepted by the fast path.
    let doc = base.replace("TS", "1751400000").replace("BODY", r#""x""#);
    for cut in 0..doc.len() {
        assert!(!check(&doc.as_bytes()[..cut]), "{}", &doc[..cut]);
    }
    assert!(check(doc.as_bytes()));
}

/// A JSON value to be written out in one of the many ways JSON allows.
#[derive(Clone, Debug)]
enum J {
    Lit(&'static str),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// How to write a document: a seed for the choices (escapes, white space), whether to
/// shuffle keys, and a cut or a flipped byte.
#[derive(Clone, Debug)]
struct Style {
    seed: u64,
    shuffle: bool,
    cut: Option<usize>,
    flip: Option<(usize, u8)>,
}

/// A tiny deterministic generator for the writing choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }
}

fn ws(out: &mut String, rng: &mut Rng) {
    if rng.one_in(4) {
        out.push_str([" ", "\n", "\t", "\r\n", "  "][(rng.next() % 5) as usize]);
    }
}

fn write_str(s: &str, out: &mut String, rng: &mut Rng) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '/' if rng.one_in(2) => out.push_str("\\/"),
            c if rng.one_in(12) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write(j: &J, out: &mut String, rng: &mut Rng, shuffle: bool) {
    ws(out, rng);
    match j {
        J::Lit(s) => out.push_str(s),
        J::Num(s) => out.push_str(s),
        J::Str(s) => write_str(s, out, rng),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out, rng, shuffle);
            }
            ws(out, rng);
            out.push(']');
        }
        J::Obj(members) => {
            let mut order: Vec<usize> = (0..members.len()).collect();
            if shuffle {
                for i in (1..order.len()).rev() {
                    order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
                }
            }
            out.push('{');
            for (n, &i) in order.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                ws(out, rng);
                write_str(&members[i].0, out, rng);
                ws(out, rng);
                out.push(':');
                write(&members[i].1, out, rng, shuffle);
            }
            ws(out, rng);
            out.push('}');
        }
    }
    ws(out, rng);
}

fn render(doc: &J, style: &Style) -> Vec<u8> {
    let mut out = String::new();
    write(doc, &mut out, &mut Rng(style.seed), style.shuffle);
    let mut bytes = out.into_bytes();
    if let Some((at, b)) = style.flip
        && !bytes.is_empty()
    {
        let i = at % bytes.len();
        bytes[i] = b;
    }
    if let Some(cut) = style.cut {
        bytes.truncate(cut % (bytes.len() + 1));
    }
    bytes
}

fn s(v: &str) -> J {
    J::Str(v.to_owned())
}

fn obj(members: Vec<(&str, J)>) -> J {
    J::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Strings with escapes to write: accents, emoji (surrogate pairs), quotes, slashes,
/// control characters, blanks.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        "[a-z0-9 ]{1,12}",
        Just("café 😀 \"q\" \\ / \n\t\u{1}".to_owned()),
        "\\PC{0,10}",
    ]
}

/// Numbers in the forms JSON allows, sane or not, as integers and strings.
fn number(sane: i64) -> impl Strategy<Value = J> {
    prop_oneof![
        4 => Just(J::Num(sane.to_string())),
        2 => Just(J::Str(sane.to_string())),
        1 => Just(J::Str(format!(" {sane} "))),
        1 => Just(J::Num(format!("{sane}.0"))),
        1 => Just(J::Num(format!("{}e3", sane / 1000))),
        1 => Just(J::Num(format!("{}E+3", sane / 1000))),
        1 => Just(J::Num(format!("{:.4e}", sane as f64))),
        1 => prop::sample::select(vec![
            "-0", "0", "-0.0", "1e3", "1.5", "-2", "1e400", "-1e-400", "18446744073709551616",
            "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "0.1", "2.5e-3", "17514000000000000", "1.751400000000000001e9",
        ])
        .prop_map(|n| J::Num(n.to_owned())),
        1 => Just(J::Lit("null")),
        1 => Just(J::Lit("true")),
    ]
}

/// Any small JSON value: for unknown fields and odd field values.
fn any_value() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Lit("null")),
        Just(J::Lit("true")),
        Just(J::Lit("false")),
        number(5).boxed(),
        text().prop_map(J::Str),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Arr),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(J::Obj),
        ]
    })
}

fn user() -> impl Strategy<Value = J> {
    prop_oneof![
        Just(s("4915112345678")),
        Just(s("+49 151 1234-5678")),
        Just(s("")),
        Just(s("not a phone")),
        Just(J::Num("4915112345678".to_owned())),
    ]
}

fn message() -> impl Strategy<Value = J> {
    (
        user(),
        "wamid\\.[A-Z]{1,3}",
        number(1_751_400_000),
        text(),
        any_value(),
    )
        .prop_map(|(from, id, ts, body, odd)| {
            obj(vec![
                ("from", from),
                ("id", s(&id)),
                ("timestamp", ts),
                ("type", s("text")),
                ("text", obj(vec![("body", J::Str(body))])),
                ("context", obj(vec![("id", s("wamid.PREV"))])),
                (
                    "referral",
                    obj(vec![
                        ("source_type", s("ad")),
                        ("source_id", s("120")),
                        ("ctwa_clid", odd),
                    ]),
                ),
                (
                    "interactive",
                    obj(vec![(
                        "button_reply",
                        obj(vec![("id", s("b1")), ("title", s("Yes"))]),
                    )]),
                ),
            ])
        })
}

fn status() -> impl Strategy<Value = J> {
    let kind = prop::sample::select(vec!["sent", "delivered", "read", "failed", "bogus"]);
    (
        user(),
        kind,
        number(1_751_400_100),
        number(1_751_486_400),
        any_value(),
        any_value(),
    )
        .prop_map(|(to, kind, ts, exp, price, tokens)| {
            obj(vec![
                ("id", s("wamid.OUT")),
                ("status", s(kind)),
                ("timestamp", ts),
                ("recipient_id", to),
                (
                    "conversation",
                    obj(vec![
                        ("id", s("c1")),
                        ("expiration_timestamp", exp),
                        ("origin", obj(vec![("type", s("marketing"))])),
                    ]),
                ),
                (
                    "pricing",
                    obj(vec![
                        ("billable", J::Lit("true")),
                        ("pricing_model", s("PMP")),
                        ("category", s("marketing")),
                        ("type", s("regular")),
                        ("price", price),
                        ("currency", s("USD")),
                        ("usage", obj(vec![("tokens", tokens)])),
                    ]),
                ),
                (
                    "errors",
                    J::Arr(vec![obj(vec![
                        ("code", J::Num("131026".to_owned())),
                        ("title", s("Undeliverable")),
                    ])]),
                ),
            ])
        })
}

fn webhook() -> impl Strategy<Value = J> {
    (
        prop::collection::vec(message(), 0..3),
        prop::collection::vec(status(), 0..3),
        prop::sample::select(vec!["messages", "account_update"]),
    )
        .prop_map(|(messages, statuses, field)| {
            let value = obj(vec![
                ("messaging_product", s("whatsapp")),
                (
                    "metadata",
                    obj(vec![
                        ("display_phone_number", s("15550000000")),
                        ("phone_number_id", s("P1")),
                    ]),
                ),
                (
                    "contacts",
                    J::Arr(vec![obj(vec![
                        ("profile", obj(vec![("name", s("Ana"))])),
                        ("wa_id", s("4915112345678")),
                    ])]),
                ),
                ("messages", J::Arr(messages)),
                ("statuses", J::Arr(statuses)),
            ]);
            let change = obj(vec![("field", s(field)), ("value", value)]);
            let entry = obj(vec![("id", s("WABA")), ("changes", J::Arr(vec![change]))]);
            obj(vec![
                ("object", s("whatsapp_business_account")),
                ("entry", J::Arr(vec![entry])),
            ])
        })
}

/// convolens records (outbound, external events, spend, close, click) and Ads Insights rows.
fn record() -> impl Strategy<Value = J> {
    let ty = prop::sample::select(vec![
        "outbound",
        "external_event",
        "spend",
        "close",
        "click",
        "nope",
    ]);
    (
        ty,
        number(1_751_400_000),
        number(12),
        any_value(),
        prop::bool::ANY,
    )
        .prop_map(|(ty, ts, amount, odd, insights)| {
            if insights {
                return obj(vec![
                    ("spend", amount),
                    ("date_start", s("2025-07-01")),
                    ("date_stop", s("2025-07-01")),
                    ("campaign_id", s("C1")),
                    ("account_currency", s("EUR")),
                ]);
            }
            obj(vec![
                ("type", s(ty)),
                ("id", s("r1")),
                ("to", s("4915112345678")),
                ("contact", s("4915112345678")),
                ("timestamp", ts),
                ("template", s("welcome")),
                ("category", s("marketing")),
                ("name", s("purchase")),
                ("value", amount.clone()),
                ("amount", amount),
                ("currency", s("EUR")),
                ("date", s("2025-07-01")),
                ("source", s("meta")),
                ("tokens", odd),
                (
                    "buttons",
                    J::Arr(vec![obj(vec![
                        ("type", s("quick_reply")),
                        ("text", s("Yes")),
                    ])]),
                ),
            ])
        })
}

/// A document with extra (unknown or duplicate) members added at its top level.
fn document() -> impl Strategy<Value = J> {
    (
        prop_oneof![webhook(), record()],
        prop::collection::vec(("[a-z_]{1,10}", any_value()), 0..3),
        prop::option::of(prop::sample::select(vec![
            "object",
            "type",
            "timestamp",
            "entry",
            "zz",
        ])),
    )
        .prop_map(|(doc, extra, dup)| {
            let J::Obj(mut members) = doc else { return doc };
            for (k, v) in extra {
                let at = k.len() % (members.len() + 1);
                members.insert(at, (k, v));
            }
            if let Some(k) = dup {
                members.push((k.to_owned(), J::Lit("null")));
            }
            J::Obj(members)
        })
}

fn style() -> impl Strategy<Value = Style> {
    (
        any::<u64>(),
        any::<bool>(),
        prop::option::weighted(0.15, any::<usize>()),
        prop::option::weighted(0.15, (any::<usize>(), any::<u8>())),
    )
        .prop_map(|(seed, shuffle, cut, flip)| Style {
            seed,
            shuffle,
            cut,
            flip,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every generated document: the fast path gives up or gives serde_json's result.
    #[test]
    fn the_fast_path_gives_up_or_gives_the_serde_result(doc in document(), style in style()) {
        let bytes = render(&doc, &style);
        check(&bytes);
    }
}

/// An `outbound` record as a host writes it, sane or odd in each field.
fn outbound() -> impl Strategy<Value = J> {
    let kind = prop::sample::select(vec![
        J::Lit("null"),
        s("template"),
        s("free_form"),
        s("session"),
        s("bogus"),
        J::Num("1".to_owned()),
    ]);
    let category = prop::sample::select(vec!["marketing", "utility", "meta_business_agent", "x"]);
    (
        (user(), number(1_751_400_000), kind, text()),
        (category, any_value(), text(), prop::bool::ANY),
    )
        .prop_map(
            |((to, ts, kind, template), (category, tokens, author, buttons))| {
                let mut members = vec![
                    ("type", s("outbound")),
                    ("id", s("wamid.O")),
                    ("to", to),
                    ("timestamp", ts),
                    ("kind", kind),
                    ("template", J::Str(template)),
                    ("category", s(category)),
                    ("author", J::Str(author)),
                    ("author_id", s("bot-1")),
                    ("campaign", s("spring")),
                    ("phone_number_id", s("P1")),
                    ("tokens", tokens),
                ];
                if buttons {
                    let button = obj(vec![("type", s("url")), ("text", s("Shop"))]);
                    members.push(("buttons", J::Arr(vec![button])));
                }
                obj(members)
            },
        )
}

/// An edit deep inside a document, at its `n`th object (in document order): a member
/// written twice (as it is, or as `null`), a member taken out, or a member added under a
/// name some document type knows (with any value).
#[derive(Clone, Debug)]
struct Edit {
    object: usize,
    member: usize,
    op: u8,
    value: J,
}

/// Names the document types know, for added members.
const KNOWN: [&str; 16] = [
    "id",
    "timestamp",
    "status",
    "type",
    "text",
    "errors",
    "pricing",
    "metadata",
    "entry",
    "object",
    "value",
    "field",
    "wa_id",
    "profile",
    "tokens",
    "contact",
];

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = (any::<usize>(), any::<usize>(), 0..4u8, any_value()).prop_map(
        |(object, member, op, value)| Edit {
            object,
            member,
            op,
            value,
        },
    );
    prop::collection::vec(edit, 0..3)
}

fn objects(j: &J) -> usize {
    match j {
        J::Obj(m) => 1 + m.iter().map(|(_, v)| objects(v)).sum::<usize>(),
        J::Arr(items) => items.iter().map(objects).sum(),
        _ => 0,
    }
}

fn nth_object<'j>(j: &'j mut J, n: &mut usize) -> Option<&'j mut Vec<(String, J)>> {
    match j {
        J::Obj(m) => {
            if *n == 0 {
                return Some(m);
            }
            *n -= 1;
            m.iter_mut().find_map(|(_, v)| nth_object(v, n))
        }
        J::Arr(items) => items.iter_mut().find_map(|v| nth_object(v, n)),
        _ => None,
    }
}

fn apply(doc: &mut J, e: &Edit) {
    let count = objects(doc);
    if count == 0 {
        return;
    }
    let Some(members) = nth_object(doc, &mut (e.object % count)) else {
        return;
    };
    if e.op == 3 || members.is_empty() {
        let at = e.member % (members.len() + 1);
        let name = KNOWN[e.member % KNOWN.len()].to_owned();
        members.insert(at, (name, e.value.clone()));
        return;
    }
    let i = e.member % members.len();
    match e.op {
        0 => {
            let dup = members[i].clone();
            members.push(dup);
        }
        1 => {
            let dup = (members[i].0.clone(), J::Lit("null"));
            members.insert(e.member % (members.len() + 1), dup);
        }
        _ => {
            members.remove(i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Every generated webhook and record, edited anywhere (duplicate, missing and
    /// odd members) and written every way: the extractor gives up, or gives exactly the
    /// events of serde_json's path (which must then accept the document).
    #[test]
    fn the_extractor_gives_up_or_gives_the_serde_events(
        doc in prop_oneof![webhook(), outbound(), document()],
        edits in edits(),
        style in style(),
    ) {
        let mut doc = doc;
        for e in &edits {
            apply(&mut doc, e);
        }
        check_extract(&render(&doc, &style));
    }
}

#[test]
fn the_extractor_reads_most_well_formed_webhooks_and_outbound_records() {
    // The equivalence above would hold trivially if the extractor gave up on everything.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let plain = Style {
        seed: 1,
        shuffle: true,
        cut: None,
        flip: None,
    };
    let (mut read, mut valid) = (0, 0);
    for i in 0..3000 {
        let doc = if i % 2 == 0 {
            webhook().new_tree(&mut runner).unwrap().current()
        } else {
            outbound().new_tree(&mut runner).unwrap().current()
        };
        let bytes = render(&doc, &plain);
        let extracted = check_extract(&bytes);
        if serde_path(&bytes).is_ok() {
            valid += 1;
            read += usize::from(extracted);
        }
    }
    // Given up on: odd numbers the fast reader leaves to serde_json, records with errors.
    assert!(valid >= 300, "{valid}");
    assert!(read * 10 >= valid * 7, "{read} of {valid}");
}

/// Numbers in every form: digits, fraction, exponent, sign, leading zeros.
fn number_text() -> impl Strategy<Value = String> {
    (
        prop::option::of(Just("-")),
        "(0|[1-9][0-9]{0,21})",
        prop::option::of("\\.[0-9]{1,20}"),
        prop::option::of("[eE][+-]?[0-9]{1,3}"),
        prop::option::weighted(0.05, "[0-9.eE+-]{1,3}"),
    )
        .prop_map(|(sign, int, frac, exp, junk)| {
            [
                sign.unwrap_or(""),
                &int,
                &frac.unwrap_or_default(),
                &exp.unwrap_or_default(),
                &junk.unwrap_or_default(),
            ]
            .concat()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Any JSON value read as a `serde_json::Value`: the fast reader gives up or gives
    /// serde_json's value, to the bit (floats compared by their bits, -0 included).
    #[test]
    fn any_json_value_is_read_as_serde_json_reads_it(v in any_value(), style in style(), n in number_text()) {
        let bytes = render(&J::Arr(vec![v, J::Num(n.clone())]), &style);
        let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
        if let Some(fast) = internals::fast_value(text) {
            let slow: serde_json::Value = serde_json::from_str(text).unwrap();
            prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
        // Numbers alone: most with up to 19 digits and powers up to 22 are read.
        if let Some(fast) = internals::fast_value(&n) {
            let slow: serde_json::Value = serde_json::from_str(&n).unwrap();
            let bits = |v: &serde_json::Value| v.as_f64().map(f64::to_bits);
            prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            prop_assert_eq!(bits(&fast), bits(&slow));
        }
    }
}

#[test]
fn the_fast_path_accepts_most_well_formed_generated_documents() {
    // The equivalence above would hold trivially if the fast path gave up on everything.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut accepted, mut total) = (0, 0);
    let plain = Style {
        seed: 1,
        shuffle: true,
        cut: None,
        flip: None,
    };
    for _ in 0..300 {
        let doc = webhook().new_tree(&mut runner).unwrap().current();
        let bytes = render(&doc, &plain);
        total += 1;
        if serde_path(&bytes).is_ok() {
            accepted += usize::from(check(&bytes));
        } else {
            check(&bytes);
            total -= 1;
        }
    }
    // Only odd numbers (more than 15 digits, exponents beyond 22) are given up on.
    assert!(accepted * 10 >= total * 7, "{accepted} of {total}");
}

/// Ingest `input` into an engine with the fast path on or off.
fn engine(input: &[u8], fast: bool) -> (convolens::StreamOutcome, Engine) {
    let mut e = Engine::new(example_config()).unwrap();
    internals::set_fast_parse(&mut e, fast);
    let out = e.ingest_reader(input).unwrap();
    (out, e)
}

fn report_json(e: &mut Engine) -> String {
    serde_json::to_string(&e.report(&ReportOptions::default()).unwrap()).unwrap()
}

#[test]
fn whole_engine_results_are_the_same_with_the_fast_path_on_and_off() {
    let mut input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/example.jsonl"
    ))
    .unwrap();
    for sub in [
        "webhooks/meta-docs",
        "webhooks/pywa",
        "webhooks/whatsapp-api-js",
        "webhooks-invalid",
    ] {
        for f in files_in(&shared_data().join(sub)) {
            input.extend(std::fs::read(f).unwrap());
            input.push(b'\n');
        }
    }
    let (fast_out, mut fast) = engine(&input, true);
    let (slow_out, mut slow) = engine(&input, false);
    assert_eq!(fast_out, slow_out);
    assert!(
        fast_out.errors.len() >= 5,
        "the invalid payloads give errors"
    );
    assert_eq!(fast.stats(), slow.stats());
    assert_eq!(fast.snapshot(), slow.snapshot());
    assert_eq!(report_json(&mut fast), report_json(&mut slow));
}

#[test]
fn the_fast_path_reads_most_public_payloads_and_all_example_lines() {
    let mut given_up = Vec::new();
    let mut n = 0;
    for sub in [
        "webhooks/meta-docs",
        "webhooks/pywa",
        "webhooks/whatsapp-api-js",
    ] {
        for f in files_in(&shared_data().join(sub)) {
            let bytes = std::fs::read(&f).unwrap();
            n += 1;
            if !check(&bytes) && serde_path(&bytes).is_ok() {
                given_up.push(f.display().to_string());
            }
        }
    }
    // Payloads that are arrays, or hold exotic numbers, go to serde_json: a few at most.
    assert!(given_up.len() * 10 <= n, "{given_up:?} of {n}");
    for line in support::example_lines() {
        assert!(check(line.as_bytes()), "{line}");
    }
}
