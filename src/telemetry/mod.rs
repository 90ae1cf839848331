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

/// The PostgreSQL driver logs every statement with its parameters at debug
/// level: signing keys, password hashes and emails. Whatever RUST_LOG
/// asks, it says no more than `info`, unless RUST_LOG names it itself.
const QUIET_DRIVER: &str = "tokio_postgres=info";

pub fn init() {
    let asked = std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or_default();
    let filter =
        EnvFilter::try_new(filter_for(&asked)).unwrap_or_else(|_| EnvFilter::new(filter_for("")));
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

/// RUST_LOG's directives (default `info`, actix_server at `warn`), with the
/// driver kept quiet unless they name it.
fn filter_for(asked: &str) -> String {
    let asked = match asked.trim() {
        "" => "info,actix_server=warn",
        given => given,
    };
    if asked.contains("tokio_postgres") {
        asked.to_string()
    } else {
        format!("{asked},{QUIET_DRIVER}")
    }
}

#[cfg(test)]
mod tests {
    use super::filter_for;

    #[test]
    fn the_driver_never_logs_statement_parameters_unless_asked_by_name() {
        assert_eq!(filter_for(""), "info,actix_server=warn,tokio_postgres=info");
        assert_eq!(filter_for("debug"), "debug,tokio_postgres=info");
        assert_eq!(
            filter_for("debug,tokio_postgres=trace"),
            "debug,tokio_postgres=trace"
        );
    }
}
