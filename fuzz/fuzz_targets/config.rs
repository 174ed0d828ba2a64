//! Fuzz config parsing: arbitrary text is an error naming a key, or a config an engine accepts.
#![no_main]

use convolens::{Config, Engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(cfg) = Config::from_json(text) {
            let _ = Engine::new(cfg);
        }
    }
});
