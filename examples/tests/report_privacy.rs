//! The `report` program's Conversions API, audience, erasure and pseudonymisation
//! options (issue #24), run as a user runs them.

use std::process::Command;

fn report(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_report"));
    cmd.args(args).env_remove("CONVOLENS_TEST_SECRET");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run report");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn tmp(name: &str) -> std::path::PathBuf {
    // One name per call: the tests run in parallel and each writes its own chats and
    // config (a shared file could be read while another test rewrites it).
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("convolens-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{n}-{name}"))
}

/// Two buyers, one from an ad: `4915100000001` (Ana) clicks and buys, `34600111222`
/// (Ben) buys without a click.
fn chats() -> std::path::PathBuf {
    let p = tmp("chats.jsonl");
    let lines = [
        r#"{"object":"whatsapp_business_account","entry":[{"id":"WABA-1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1001"},"contacts":[{"wa_id":"4915100000001","profile":{"name":"Ana"}}],"messages":[{"from":"4915100000001","id":"wamid.a1","timestamp":"1751450000","type":"text","text":{"body":"Hi"},"referral":{"source_type":"ad","source_id":"AD1","ctwa_clid":"CLID-A"}}]}}]}]}"#,
        r#"{"type":"external_event","id":"o1","contact":"4915100000001","name":"purchase","value":49.9,"currency":"EUR","timestamp":1751460000}"#,
        r#"{"object":"whatsapp_business_account","entry":[{"id":"WABA-1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1001"},"contacts":[{"wa_id":"34600111222","profile":{"name":"Ben"}}],"messages":[{"from":"34600111222","id":"wamid.b1","timestamp":"1751450100","type":"text","text":{"body":"Hello"}}]}}]}]}"#,
        r#"{"type":"external_event","id":"o2","contact":"34600111222","name":"purchase","value":10,"currency":"EUR","timestamp":1751460100}"#,
    ];
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn config(extra: &str) -> std::path::PathBuf {
    let p = tmp(&format!("config-{}.json", extra.len()));
    std::fs::write(
        &p,
        format!(r#"{{"currency":"EUR","capi":{{"events":{{"purchase":"Purchase"}}}}{extra}}}"#),
    )
    .unwrap();
    p
}

#[test]
fn capi_file_holds_the_batches_the_reasons_and_a_cursor() {
    let (cfg, data, out) = (config(""), chats(), tmp("capi.json"));
    let (code, _, err) = report(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--capi",
            out.to_str().unwrap(),
            "--json",
            data.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let data0 = &v["batches"][0]["data"];
    assert_eq!(data0.as_array().unwrap().len(), 1);
    assert_eq!(data0[0]["event_id"], "x:o1");
    assert_eq!(data0[0]["user_data"]["ctwa_clid"], "CLID-A");
    assert_eq!(
        data0[0]["user_data"]["whatsapp_business_account_id"],
        "WABA-1"
    );
    assert_eq!(v["ineligible"]["no_click_id"], 1); // Ben's purchase
    // Run again with the cursor: nothing new.
    let cursor = v["cursor"].as_str().unwrap();
    let (code, stdout, _) = report(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--capi",
            "-",
            "--capi-since",
            cursor,
            data.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["batches"], serde_json::json!([]));
}

#[test]
fn meta_audience_and_forget() {
    let (cfg, data) = (config(""), chats());
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "--contacts",
        "purchase",
        "--format",
        "meta-audience",
        data.to_str().unwrap(),
    ];
    let (code, stdout, err) = report(&args, &[]);
    assert_eq!(code, 0, "{err}");
    // printf '4915100000001' | sha256sum; printf '34600111222' | sha256sum
    assert_eq!(
        stdout,
        "phone\r\n\
         12945c74de2446f10b234fbb5fd68f748f13630f6fe05f19c87c85cf5f439b63\r\n\
         67f01a2b0e2c34277df586b5cc6e35a5f232494e64dc33b5f75f80bf568914f1\r\n"
    );
    let list = tmp("forget.txt");
    std::fs::write(&list, "# erasure requests\n34600111222\n\n99999999999\n").unwrap();
    let mut with_forget = args.to_vec();
    with_forget.splice(0..0, ["--forget", list.to_str().unwrap()]);
    let (code, stdout, err) = report(&with_forget, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("forgot 1 of 2 contact(s)"), "{err}");
    assert_eq!(
        stdout,
        "phone\r\n12945c74de2446f10b234fbb5fd68f748f13630f6fe05f19c87c85cf5f439b63\r\n"
    );
}

#[test]
fn a_pseudonymising_config_reads_its_secret_from_the_environment() {
    let (cfg, data) = (
        config(r#","pseudonymise":{"secret_env":"CONVOLENS_TEST_SECRET"}"#),
        chats(),
    );
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "--contacts",
        "purchase",
        data.to_str().unwrap(),
    ];
    let (code, _, err) = report(&args, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("CONVOLENS_TEST_SECRET"), "{err}");
    let (code, stdout, err) = report(
        &args,
        &[("CONVOLENS_TEST_SECRET", "a secret of at least 16 bytes")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        !stdout.contains("4915100000001") && !stdout.contains("Ana"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 3);
    // The plain report and the pseudonymised one agree.
    let plain = report(
        &[
            "--config",
            config("").to_str().unwrap(),
            "--json",
            data.to_str().unwrap(),
        ],
        &[],
    )
    .1;
    let pseudo = report(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--json",
            data.to_str().unwrap(),
        ],
        &[("CONVOLENS_TEST_SECRET", "a secret of at least 16 bytes")],
    )
    .1;
    assert_eq!(plain, pseudo);
}
