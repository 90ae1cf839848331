//! SIGTERM on an idle server: every waiting part (the HTTP server, the mail
//! worker, the expiry sweep, the operator socket, the log writer) wakes on
//! the stop, so the process exits promptly and cleanly.

use crate::process::Served;
use std::time::{Duration, Instant};

#[tokio::test]
async fn an_idle_server_stops_promptly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Served::start(dir.path(), &[]);
    // An idle keep-alive connection, as a monitoring client leaves behind.
    let health = server
        .http
        .get(format!("{}/health/live", server.url))
        .send()
        .await
        .expect("health answered");
    assert!(health.status().is_success(), "{}", health.status());
    // Long enough for every background loop to be asleep.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let started = Instant::now();
    server.terminate();
    let status = server.exit_within(Duration::from_secs(5));
    let took = started.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running; log:\n{}", server.log()));
    assert!(status.success(), "{status:?}; log:\n{}", server.log());
    // Nothing is left to do, so the stop takes a few tens of milliseconds;
    // actix's own signal handling alone waited 300 ms after it was done.
    assert!(
        took < Duration::from_millis(200),
        "took {took:?} to stop; log:\n{}",
        server.log()
    );
    assert!(server.log().contains("stopped"), "{}", server.log());
}
