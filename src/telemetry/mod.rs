//! Logging: tracing to stderr, filtered by RUST_LOG (default info). Plain
//! text, coloured only when stderr is a terminal (and NO_COLOR is unset);
//! `COMMUNITYD_LOG_FORMAT=json` gives one JSON object per line for log
//! collectors. Lines go out through `log_buffer`, a few milliseconds late.

pub mod error_chain;
pub mod health;
pub mod labels;
pub mod log_buffer;
pub mod metrics;

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub const LOG_FORMAT_VAR: &str = "COMMUNITYD_LOG_FORMAT";

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(log_buffer::BufferedStderr)
        .with_target(false);
    let json = std::env::var(LOG_FORMAT_VAR).is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    } else {
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        builder.with_ansi(colour).try_init()
    };
    log_buffer::start_writer();
    // A panic's own message comes after the lines that led up to it.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log_buffer::flush();
        report(info);
    }));
}
