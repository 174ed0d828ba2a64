//! Incremental equals from scratch (issue 17, item 4): any arrival order cut into batches,
//! with reports, snapshot/restore and merges of side engines between the batches, ends in
//! the state of one fresh engine fed every fact in one batch. The scaffold the incremental
//! engine will be proven with; `expire` joins once histories span sealed days.
//! (properties.rs keeps the order-independence and merge tests of single operations.)

mod support;

use convolens::{Engine, ReportOptions};
use proptest::prelude::*;
use support::{engine, inbound_text, sample_stream, state_json};

/// The sample stream plus what makes incremental folds hard: a message three days before
/// the others (late), a spend restatement for a day already spent on, a user known first
/// by a BSUID and then linked to a wa_id that already wrote, and a duplicate record.
fn facts() -> Vec<String> {
    let t = 1_751_450_000;
    let bsuid = |contact: serde_json::Value, id: &str, ts: i64| {
        serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "w",
            "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"phone_number_id": "PN1"}, "contacts": [contact],
            "messages": [{"from": contact["wa_id"], "from_user_id": "user.77", "id": id,
                          "timestamp": ts.to_string(), "type": "text", "text": {"body": "hi"}}]}}]}]})
        .to_string()
    };
    let mut v = sample_stream();
    v.extend([
        inbound_text("wamid.late", "447911123456", t - 3 * 86_400, "late"),
        r#"{"type":"spend","source":"meta_ad:AD1","date":"2025-07-02","amount":99.5,"currency":"EUR"}"#.to_string(),
        bsuid(serde_json::json!({"wa_id": "", "user_id": "user.77"}), "wamid.b1", t + 500),
        bsuid(
            serde_json::json!({"wa_id": "4915112345678", "user_id": "user.77"}),
            "wamid.b2",
            t + 900,
        ),
    ]);
    let dup = v[3].clone();
    v.push(dup);
    v
}

/// What happens after a batch arrives.
#[derive(Clone, Copy, Debug)]
enum Step {
    Nothing,
    Report,
    ReportLast7Days,
    SnapshotRestore,
    /// The batch went to a new side engine, merged into the main one.
    MergeSide,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Nothing),
        Just(Step::Report),
        Just(Step::ReportLast7Days),
        Just(Step::SnapshotRestore),
        Just(Step::MergeSide),
    ]
}

fn feed(e: &mut Engine, lines: &[String]) {
    for l in lines {
        e.ingest_str(l).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn interleaved_batches_reports_snapshots_and_merges_equal_one_batch(
        order in Just((0..facts().len()).collect::<Vec<_>>()).prop_shuffle(),
        cuts in proptest::collection::vec(any::<bool>(), facts().len()),
        steps in proptest::collection::vec(step(), facts().len()),
    ) {
        let all = facts();
        let mut expected = engine();
        feed(&mut expected, &all);
        let mut e = engine();
        let mut batch = Vec::new();
        for (k, i) in order.iter().enumerate() {
            batch.push(all[*i].clone());
            if !cuts[k] && k + 1 < order.len() {
                continue;
            }
            match steps[k] {
                Step::MergeSide => {
                    let mut side = engine();
                    feed(&mut side, &batch);
                    e.merge(&side).unwrap();
                }
                s => {
                    feed(&mut e, &batch);
                    match s {
                        Step::Report => drop(e.report(&ReportOptions::default()).unwrap()),
                        Step::ReportLast7Days => {
                            drop(e.report(&ReportOptions::default().last("7d")).unwrap());
                        }
                        Step::SnapshotRestore => e = Engine::restore(&e.snapshot()).unwrap(),
                        _ => {}
                    }
                }
            }
            batch.clear();
        }
        prop_assert_eq!(state_json(&mut e), state_json(&mut expected));
        let last7 = ReportOptions::default().last("7d");
        prop_assert_eq!(
            serde_json::to_value(e.report(&last7).unwrap()).unwrap()["billing"].clone(),
            serde_json::to_value(expected.report(&last7).unwrap()).unwrap()["billing"].clone()
        );
    }
}
