//! The real `communityd` binary as a child process, for what only a
//! process can show: being killed with SIGKILL, or stopped with SIGTERM.

#![allow(dead_code)]

use communityd::app::admin;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A tenant made directly in the data dir before any server runs.
pub struct Seeded {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Creates a tenant and an administrator client in `dir` (no server may hold it).
pub fn seed_tenant(dir: &Path, name: &str) -> Seeded {
    let store = crate::helpers::open_store(dir).expect("store opens");
    let now = chrono::Utc::now();
    let email = format!("admin@{}.example", name.to_lowercase());
    let tenant = admin::create_tenant(
        &store,
        name,
        &email,
        Some("correct horse battery".into()),
        now,
    )
    .expect("tenant");
    let client = admin::create_client(
        &store,
        tenant.tenant_id,
        "admin client",
        &[Role::TenantAdministrator],
        now,
    )
    .expect("client");
    Seeded {
        tenant: tenant.tenant_id.to_string(),
        client_id: client.client_id.to_string(),
        client_secret: client.client_secret,
    }
}

pub struct Served {
    child: Child,
    pub url: String,
    pub http: reqwest::Client,
    log: PathBuf,
    /// Holds the log when the data dir is the server's to create (on
    /// PostgreSQL nothing else makes it first).
    _log_dir: Option<tempfile::TempDir>,
}

impl Served {
    /// Starts `communityd serve` on `dir` with settings given as
    /// COMMUNITYD_* variables; returns once it listens.
    pub fn start(dir: &Path, settings: &[(&str, &str)]) -> Served {
        Self::start_with(dir, settings, |_| {})
    }

    /// `start`, with the command adjusted first (its umask, say).
    pub fn start_with(
        dir: &Path,
        settings: &[(&str, &str)],
        adjust: impl FnOnce(&mut Command),
    ) -> Served {
        let log_dir = (!dir.exists()).then(|| tempfile::tempdir().expect("log dir"));
        let log = log_dir
            .as_ref()
            .map_or(dir, |d| d.path())
            .join(format!("server-{}.log", now_nanos()));
        let mut command = crate::helpers::communityd(dir);
        command
            .arg("serve")
            .env("COMMUNITYD_DATA_DIR", dir)
            .env("COMMUNITYD_BIND", "127.0.0.1:0")
            .env("COMMUNITYD_AUTH_ATTEMPTS_PER_MINUTE", "1000")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"));
        for (key, value) in settings {
            command.env(format!("COMMUNITYD_{}", key.to_uppercase()), value);
        }
        adjust(&mut command);
        let mut child = command.spawn().expect("communityd starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("first line");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {first:?}; log: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        // Keep reading so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in stdout.lines() {});
        Served {
            child,
            url,
            http: reqwest::Client::new(),
            log,
            _log_dir: log_dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn token(&self, seeded: &Seeded) -> String {
        let response = self
            .http
            .post(format!("{}/identity/connect/token", self.url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", seeded.client_id.as_str()),
                ("client_secret", seeded.client_secret.as_str()),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("token json");
        body["access_token"].as_str().expect("token").to_string()
    }

    /// POSTs JSON, asserting 201; returns the body.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::CREATED, "{text}");
        serde_json::from_str(&text).expect("json")
    }

    /// A community of the seeded tenant; returns its invitations path.
    pub async fn community(&self, seeded: &Seeded, token: &str) -> String {
        let path = format!("/api/v1-preview/tenants/{}/communities", seeded.tenant);
        let created = self
            .create(
                &path,
                token,
                json!({ "Name": "Plant data", "Description": "test" }),
            )
            .await;
        format!("{path}/{}/invitations", created["Id"].as_str().expect("Id"))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}
