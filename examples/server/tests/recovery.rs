//! Recovery paths that need no crash: a damaged snapshot, a changed configuration, a data
//! directory already in use. The real router in-process, on loopback.

mod common;

use common::{RECORDS_TOKEN, TempDir, input, options, start};
use convolens_server::client::{Conn, text_message};
use convolens_server::snapshots;

fn msg(n: u32) -> String {
    text_message(
        &format!("wamid.r{n}"),
        &format!("4915300000{n:02}"),
        1_751_450_000 + i64::from(n) * 3600,
        "1001",
    )
}

async fn post(addr: std::net::SocketAddr, ns: std::ops::Range<u32>) {
    common::post_webhooks(addr, ns.map(msg)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_newest_snapshot_falls_back_to_the_one_before_and_replays_exactly() {
    let dir = TempDir::new("badsnap");
    let s = start(options(dir.path()), "{}").await;
    post(s.addr, 0..3).await;
    s.stop().await; // snapshot 1: three webhooks
    let s = start(options(dir.path()), "{}").await;
    post(s.addr, 3..5).await;
    // Two close records without ids of their own (keyed by user, number and time).
    let closes = "{\"type\":\"close\",\"contact\":\"491530000003\",\"phone_number_id\":\"1001\",\"timestamp\":1751461000}\n\
                  {\"type\":\"close\",\"contact\":\"491530000004\",\"phone_number_id\":\"1001\",\"timestamp\":1751465000}\n";
    let r = Conn::connect(s.addr)
        .await
        .unwrap()
        .records(RECORDS_TOKEN, closes)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let expected = input(s.addr).await;
    s.stop().await; // snapshot 2: everything
    let snaps = snapshots::list(&dir.path().join("snapshots")).unwrap();
    assert_eq!(snaps.len(), 2);
    let newest = &snaps[1].1;
    let mut bytes = std::fs::read(newest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(newest, bytes).unwrap();
    // Restored from snapshot 1, the two webhooks and the records body replayed after it:
    // 3 + 2 webhook lines + 2 record lines, 5 text messages, 2 closes, nothing twice.
    let s = start(options(dir.path()), "{}").await;
    let got = input(s.addr).await;
    assert_eq!(got, expected);
    assert_eq!(
        (got["lines"].as_u64(), got["duplicates"].as_u64()),
        (Some(7), Some(0))
    );
    assert_eq!(
        (
            got["messages"]["text"].as_u64(),
            got["records"]["close"].as_u64()
        ),
        (Some(5), Some(2))
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_configuration_rebuilds_the_state_from_the_whole_log() {
    let dir = TempDir::new("newconfig");
    let s = start(options(dir.path()), r#"{"time_zone": "UTC"}"#).await;
    post(s.addr, 0..4).await;
    let before = common::get_json(s.addr, "/report").await;
    s.stop().await;
    let s = start(options(dir.path()), r#"{"time_zone": "Asia/Tokyo"}"#).await;
    let after = common::get_json(s.addr, "/report").await;
    assert_eq!(before["range"]["time_zone"], "UTC");
    assert_eq!(after["range"]["time_zone"], "Asia/Tokyo");
    assert_eq!(after["input"], before["input"]);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_data_directory_is_refused() {
    let dir = TempDir::new("lock");
    let s = start(options(dir.path()), "{}").await;
    let config = convolens_server::core_api::Config::default();
    let Err(e) = convolens_server::start(options(dir.path()), common::secrets(), config).await
    else {
        panic!("a second server started on the same data directory");
    };
    assert!(e.contains("in use by another server"), "{e}");
    s.stop().await;
}
