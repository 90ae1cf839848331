//! Friendly startup, through the real binary: each mistake an operator
//! makes gives exactly one line saying what to do, and logs carry no
//! colour codes when not on a terminal (JSON lines on request).

use crate::helpers::communityd_binary;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_communityd");

/// Runs the binary to completion; returns (success, stderr).
pub(crate) fn run(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = communityd_binary()
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn assert_one_line(stderr: &str, needles: &[&str]) {
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "not one line: {stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "'{needle}' missing from: {stderr}");
    }
}

#[test]
fn an_unknown_config_key_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("communityd.toml");
    std::fs::write(
        &file,
        "bind = \"127.0.0.1:0\"\nmail_form = \"x@example.com\"\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    let (ok, stderr) = run(
        &[
            "--config",
            file.to_str().expect("path"),
            "--data-dir",
            data.to_str().expect("path"),
            "serve",
        ],
        &[],
    );
    assert!(!ok);
    assert_one_line(&stderr, &["unknown setting 'mail_form'", "communityd.toml"]);
}

#[test]
fn a_port_in_use_says_how_to_choose_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let dir = tempfile::tempdir().expect("dir");
    // A new data dir: one left open to others is closed with a warning line.
    let data = dir.path().join("data");
    let (ok, stderr) = run(
        &[
            "--data-dir",
            data.to_str().expect("path"),
            "serve",
            "--bind",
            &addr,
        ],
        &[],
    );
    assert!(!ok);
    assert_one_line(&stderr, &[&addr, "--bind", "COMMUNITYD_BIND"]);
    // Nothing is left behind to mistake for an installation.
    assert!(!data.exists(), "a data dir was created");
}

#[test]
fn a_data_dir_that_cannot_be_written_says_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").expect("write");
    let data = file.join("data");
    let (ok, stderr) = run(
        &[
            "--data-dir",
            data.to_str().expect("path"),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ],
        &[],
    );
    assert!(!ok);
    assert_one_line(&stderr, &[data.to_str().expect("path"), "--data-dir"]);
}

#[test]
fn an_admin_command_on_a_missing_data_dir_names_it() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("missing");
    let (ok, stderr) = run(
        &["--data-dir", data.to_str().expect("path"), "tenant", "list"],
        &[],
    );
    assert!(!ok);
    assert_one_line(&stderr, &[data.to_str().expect("path"), "does not exist"]);
}

/// Starts `serve`, returns the first log line, and stops it.
fn first_log_line(env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    // A new data dir: one left open to others is closed with a warning line.
    let data = dir.path().join("data");
    let mut child = communityd_binary()
        .args([
            "--data-dir",
            data.to_str().expect("path"),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .envs(env.iter().copied())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    let stderr = child.stderr.take().expect("stderr");
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("a log line");
    let _ = child.kill();
    let _ = child.wait();
    line
}

#[test]
fn logs_have_no_colour_codes_off_a_terminal_and_json_on_request() {
    let plain = first_log_line(&[]);
    assert!(plain.contains("INFO"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "colour codes in {plain:?}");

    let json = first_log_line(&[("COMMUNITYD_LOG_FORMAT", "json")]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("a JSON line");
    assert_eq!(value["level"], "INFO");
    assert!(value["message"].is_string(), "{json}");
}

#[tokio::test]
async fn the_health_command_reports_a_ready_server_and_fails_without_one() {
    let app = crate::helpers::spawn_app().await;
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut result = (false, String::new());
    for _ in 0..100 {
        let args = ["health".to_string(), "--bind".to_string(), addr.clone()];
        let out = tokio::task::spawn_blocking(move || communityd_binary().args(args).output())
            .await
            .expect("task")
            .expect("binary runs");
        result = (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        );
        if result.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(result.0, "health failed against a running server");
    assert!(result.1.contains("\"Status\":\"ready\""), "{}", result.1);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed_addr = closed.local_addr().expect("addr").to_string();
    drop(closed);
    let (ok, stderr) = run(&["health", "--bind", &closed_addr], &[]);
    assert!(!ok);
    assert_one_line(&stderr, &["no server answers", &closed_addr]);
}
