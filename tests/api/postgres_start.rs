//! Start-up on PostgreSQL, through the real binary where an operator would
//! see it: a database URL that cannot be used stops start-up with one line
//! saying what to fix, never showing the URL's password; a database from a
//! newer release is refused; instances starting together on an empty
//! database all come up. Tests that need a server skip without
//! `COMMUNITYD_TEST_DATABASE_URL`.

use crate::startup::{assert_one_line, BIN};
use communityd::store::pg::{
    migrate,
    testing::{fresh_database_url, sql},
};
use communityd::store::Store;
use std::process::{Command, Stdio};

/// The password every URL here carries, which no output may show.
const PASSWORD: &str = "Pa55-never-shown";

/// Runs the binary with `url` as its database; returns (success, stdout,
/// stderr).
fn run_on(url: &str, args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(args)
        .env("COMMUNITYD_DATABASE_URL", url)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .output()
        .expect("binary runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

/// `serve` on `url` fails with one line holding `needles`, and the
/// password appears nowhere.
fn assert_start_refused(url: &str, needles: &[&str]) {
    let (ok, stdout, stderr) = run_on(url, &["serve", "--bind", "127.0.0.1:0"]);
    assert!(!ok, "started on {url}");
    assert_one_line(&stderr, needles);
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "the password was shown: {stdout}{stderr}"
    );
}

/// The test server's URL with `PASSWORD` set and `path` as its database.
fn test_server_url(database: &str) -> Option<String> {
    let server = std::env::var("COMMUNITYD_TEST_DATABASE_URL").ok()?;
    let mut url = url::Url::parse(&server).expect("a URL");
    url.set_password(Some(PASSWORD)).expect("a password");
    url.set_path(database);
    Some(url.to_string())
}

fn with_password(url: &str) -> String {
    let mut url = url::Url::parse(url).expect("a URL");
    url.set_password(Some(PASSWORD)).expect("a password");
    url.to_string()
}

#[test]
fn an_unreachable_database_stops_start_up_with_one_line() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let url = format!("postgres://communityd:{PASSWORD}@127.0.0.1:{port}/communityd");
    assert_start_refused(
        &url,
        &[
            "cannot reach the PostgreSQL database",
            &format!("127.0.0.1:{port}"),
            "COMMUNITYD_DATABASE_URL",
        ],
    );
}

#[test]
fn a_url_that_is_not_postgres_is_refused_with_one_line() {
    let url = format!("mysql://communityd:{PASSWORD}@127.0.0.1/communityd");
    assert_start_refused(
        &url,
        &["mysql://", "postgres://", "COMMUNITYD_DATABASE_URL"],
    );
}

#[test]
fn a_database_that_does_not_exist_stops_start_up_with_one_line() {
    // The local server trusts every password, so a wrong database name
    // stands in for wrong credentials: both are refused at connection.
    let Some(url) = test_server_url("does_not_exist") else {
        eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
        return;
    };
    assert_start_refused(
        &url,
        &[
            "does_not_exist",
            "does not exist",
            "COMMUNITYD_DATABASE_URL",
        ],
    );
}

#[test]
fn a_database_written_by_a_newer_release_is_refused() {
    let Some(url) = fresh_database_url() else {
        eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    drop(Store::open_configured(dir.path(), &url, 1).expect("migrated"));
    sql(&url, "INSERT INTO schema_migrations (version) VALUES (999)");
    let needles = ["newer release", "migration 999", "restore the backup"];
    assert_start_refused(&with_password(&url), &needles);
    // The admin commands refuse it too, before touching anything.
    let (ok, _, stderr) = run_on(&with_password(&url), &["tenant", "list"]);
    assert!(!ok);
    assert_one_line(&stderr, &needles);
    assert_eq!(
        sql(&url, "SELECT max(version) FROM schema_migrations"),
        "999"
    );
}

#[test]
fn four_instances_starting_together_on_an_empty_database_all_come_up() {
    let (Some(url), Some(alone)) = (fresh_database_url(), fresh_database_url()) else {
        eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
        return;
    };
    let start = std::sync::Barrier::new(4);
    let opened: Vec<Result<Store, String>> = std::thread::scope(|scope| {
        let instances: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let dir = tempfile::tempdir().expect("dir");
                    start.wait();
                    Store::open_configured(dir.path(), &url, 2).map_err(|e| e.to_string())
                })
            })
            .collect();
        instances
            .into_iter()
            .map(|i| i.join().expect("no panic"))
            .collect()
    });
    for (i, store) in opened.iter().enumerate() {
        assert!(store.is_ok(), "instance {i}: {:?}", store.as_ref().err());
    }
    // Each migration was applied once, and the schema is the one a single
    // instance makes.
    let applied = "SELECT count(*) || ' ' || count(DISTINCT version) || ' ' || max(version) \
                   FROM schema_migrations";
    let (known, latest) = (migrate::known(), migrate::latest());
    assert_eq!(sql(&url, applied), format!("{known} {known} {latest}"));
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    let dir = tempfile::tempdir().expect("dir");
    drop(Store::open_configured(dir.path(), &alone, 1).expect("one instance"));
    assert_eq!(sql(&url, tables), sql(&alone, tables));
}

/// A server started by the binary on a database, with its output kept.
struct Server {
    child: std::process::Child,
    url: String,
    stderr: std::thread::JoinHandle<String>,
}

impl Server {
    /// Starts `serve` with debug logs (the most a log shows) and waits
    /// for its address.
    fn start(database_url: &str, data: &std::path::Path) -> Self {
        use std::io::{BufRead, BufReader, Read};
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("COMMUNITYD_DATABASE_URL", database_url)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("a line");
        let Some(url) = line.trim().strip_prefix("listening on ").map(String::from) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no address: {line}{}", stderr.join().expect("stderr"));
        };
        // Its other lines are not needed; reading them keeps the pipe open.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Self { child, url, stderr }
    }

    /// Stops it and returns everything it logged.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr.join().expect("stderr")
    }
}

/// Polls /health/ready until its status is `want`; returns the body.
async fn ready_until(http: &reqwest::Client, url: &str, want: u16) -> serde_json::Value {
    let mut last = (0, String::new());
    for _ in 0..200 {
        let response = http
            .get(format!("{url}/health/ready"))
            .send()
            .await
            .expect("answers");
        last = (
            response.status().as_u16(),
            response.text().await.expect("body"),
        );
        if last.0 == want {
            return serde_json::from_str(&last.1).expect("json");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("/health/ready never answered {want}: {last:?}");
}

#[tokio::test]
async fn a_database_that_stops_answering_makes_the_server_not_ready_until_it_is_back() {
    let (Some(url), Ok(server)) = (
        fresh_database_url(),
        std::env::var("COMMUNITYD_TEST_DATABASE_URL"),
    ) else {
        eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
        return;
    };
    let name = url::Url::parse(&url).expect("url").path()[1..].to_string();
    let dir = tempfile::tempdir().expect("dir");
    let (secret_url, data) = (with_password(&url), dir.path().join("data"));
    let app = tokio::task::spawn_blocking(move || Server::start(&secret_url, &data))
        .await
        .expect("started");
    let http = reqwest::Client::new();
    let ready = ready_until(&http, &app.url, 200).await;
    assert_eq!(ready["Database"], "ok");
    let metrics = http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");

    // Closed to new connections, and the server's own ones ended: what a
    // database that went away looks like from the server.
    let admin = |statement: String| {
        let server = server.clone();
        async move { tokio::task::spawn_blocking(move || sql(&server, &statement)).await }
    };
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .expect("closed");
    admin(format!(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await
    .expect("ended");
    let gone = ready_until(&http, &app.url, 503).await;
    assert_eq!(gone["Database"], "unavailable", "{gone}");
    assert_eq!(gone["Status"], "not ready", "{gone}");

    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .expect("opened");
    let back = ready_until(&http, &app.url, 200).await;
    assert_eq!(back["Database"], "ok");

    let logs = tokio::task::spawn_blocking(move || app.stop())
        .await
        .expect("stopped");
    assert!(
        logs.contains("not ready: the database cannot be read"),
        "the reason is not logged: {logs}"
    );
    for (what, text) in [
        ("/health", format!("{ready}{gone}{back}")),
        ("/metrics", metrics),
        ("the log", logs),
    ] {
        assert!(
            !text.contains(PASSWORD),
            "{what} shows the password: {text}"
        );
    }
}
