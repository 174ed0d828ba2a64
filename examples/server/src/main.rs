//! `convolens-server`: see the crate docs and `examples/server/README.md`.

use convolens_server::{Secrets, USAGE, core_api, logline, parse_args, start};
use std::process::ExitCode;

fn main() -> ExitCode {
    let (opts, config_path) = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("convolens-server: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match core_api::load_config(config_path.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("convolens-server: {e}");
            return ExitCode::from(2);
        }
    };
    let secrets = Secrets::from_env();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("convolens-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let running = match start(opts, secrets, config).await {
            Ok(r) => r,
            Err(e) => {
                logline("ERROR", &e);
                return ExitCode::FAILURE;
            }
        };
        logline("INFO", format_args!("listening on http://{}", running.addr));
        shutdown_signal().await;
        logline(
            "INFO",
            "stopping: finishing requests, writing a last snapshot",
        );
        running.stop().await;
        logline("INFO", "stopped");
        ExitCode::SUCCESS
    })
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}
