//! A `kill -9` in the middle of concurrent writes loses no acknowledged
//! write: the real binary, many clients creating invitations at once (so
//! their commits are grouped), SIGKILL while requests are in flight, a
//! restart on the same data dir, and every invitation that was answered
//! 201 is there.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: usize = 16;
/// Acknowledged invitations to wait for before the kill.
const BEFORE_KILL: usize = 150;

/// The real binary serving a data dir; killed with SIGKILL when dropped.
struct Server {
    child: Child,
    // Kept open: the server prints more lines, and a closed pipe would fail them.
    _stdout: BufReader<ChildStdout>,
    url: String,
}

impl Server {
    fn start(data_dir: &Path) -> Server {
        let mut child = crate::helpers::communityd(data_dir)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("COMMUNITYD_INVITATIONS_PER_COMMUNITY_PER_DAY", "1000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server {
            child,
            _stdout: stdout,
            url,
        }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn admin(data_dir: &Path, args: &[&str]) -> Value {
    let out = crate::helpers::communityd(data_dir)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("admin command runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).expect("admin prints JSON")
}

async fn token(http: &reqwest::Client, url: &str, client: &Value) -> String {
    let response = http
        .post(format!("{url}/identity/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client["client_id"].as_str().expect("id")),
            (
                "client_secret",
                client["client_secret"].as_str().expect("secret"),
            ),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token body");
    body["access_token"].as_str().expect("token").to_string()
}

/// Creates invitations until a request fails (the server is gone).
async fn invite_until_killed(
    http: reqwest::Client,
    url: String,
    token: String,
    writer: usize,
    acknowledged: Arc<Mutex<Vec<String>>>,
) {
    for i in 0.. {
        let sent = http
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({ "InvitationRecipient": format!("w{writer}-{i}@example.com") }))
            .send()
            .await;
        let Ok(response) = sent else { return };
        if response.status() != StatusCode::CREATED {
            return;
        }
        // A body cut off by the kill is no acknowledgement.
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        let id = body["Id"].as_str().expect("invitation id").to_string();
        acknowledged.lock().expect("lock").push(id);
    }
}

async fn listed_invitations(http: &reqwest::Client, url: &str, token: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    for skip in (0..).step_by(1000) {
        let response = http
            .get(format!("{url}?skip={skip}&count=1000"))
            .bearer_auth(token)
            .send()
            .await
            .expect("list");
        assert_eq!(response.status(), StatusCode::OK);
        let page: Vec<Value> = response.json().await.expect("list body");
        if page.is_empty() {
            return found;
        }
        found.extend(
            page.iter()
                .map(|i| i["Id"].as_str().expect("id").to_string()),
        );
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_concurrent_writes_loses_no_acknowledged_invitation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tenant = admin(
        dir.path(),
        &[
            "tenant",
            "create",
            "--name",
            "Contoso",
            "--admin-email",
            "admin@contoso.example",
        ],
    );
    let tenant_id = tenant["tenant_id"].as_str().expect("tenant id").to_string();
    let client = admin(
        dir.path(),
        &[
            "client",
            "create",
            "--tenant",
            "Contoso",
            "--name",
            "writer",
            "--role",
            "Tenant Administrator",
        ],
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client");

    let server = Server::start(dir.path());
    let token = token(&http, &server.url, &client).await;
    let created = http
        .post(format!(
            "{}/api/v1-preview/tenants/{tenant_id}/communities",
            server.url
        ))
        .bearer_auth(&token)
        .json(&json!({ "Name": "Durable" }))
        .send()
        .await
        .expect("create community");
    assert_eq!(created.status(), StatusCode::CREATED);
    let community: Value = created.json().await.expect("community body");
    let invitations_url = format!(
        "{}/api/v1-preview/tenants/{tenant_id}/communities/{}/invitations",
        server.url,
        community["Id"].as_str().expect("community id")
    );

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            tokio::spawn(invite_until_killed(
                http.clone(),
                invitations_url.clone(),
                token.clone(),
                w,
                acknowledged.clone(),
            ))
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().expect("lock").len() < BEFORE_KILL {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the writers stalled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    for writer in writers {
        writer.await.expect("writer task");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();

    let server = Server::start(dir.path());
    let token = self::token(&http, &server.url, &client).await;
    let invitations_url = invitations_url.replacen(
        invitations_url.split("/api/").next().expect("base"),
        &server.url,
        1,
    );
    let community_url = invitations_url.trim_end_matches("/invitations");
    let found = http
        .get(community_url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("get community");
    assert_eq!(
        found.status(),
        StatusCode::OK,
        "the acknowledged community was lost"
    );
    let listed = listed_invitations(&http, &invitations_url, &token).await;
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|id| !listed.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged invitations were lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
}
