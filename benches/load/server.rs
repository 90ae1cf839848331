//! The release binary as an operator runs it: admin commands on a data
//! dir, then `serve` (or `demo`) on a free loopback port.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_communityd");

pub struct Server {
    child: Child,
    // Kept open: the server prints more lines after the first.
    _stdout: BufReader<ChildStdout>,
    pub addr: SocketAddr,
    pub url: String,
}

impl Server {
    /// `communityd serve` on `data_dir`, with settings a load test needs
    /// (no daily invitation cap, no token throttle); logging as shipped.
    pub fn serve(data_dir: &Path) -> Server {
        Self::spawn(data_dir, "serve")
    }

    /// `communityd demo` on its own data dir.
    pub fn demo(data_dir: &Path) -> Server {
        Self::spawn(data_dir, "demo")
    }

    fn spawn(data_dir: &Path, command: &str) -> Server {
        let mut child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data_dir)
            .args([command, "--bind", "127.0.0.1:0"])
            .env("COMMUNITYD_INVITATIONS_PER_COMMUNITY_PER_DAY", "100000000")
            .env("COMMUNITYD_AUTH_ATTEMPTS_PER_MINUTE", "1000")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the release binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        let addr = url.trim_start_matches("http://").parse().expect("address");
        Server {
            child,
            _stdout: stdout,
            addr,
            url,
        }
    }

    /// Resident memory of the server process, in MiB.
    pub fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kib / 1024.0
    }

    /// A client-credentials token for `client` (the admin command's JSON).
    pub fn token(&self, client: &Value) -> String {
        let body = block_on(async {
            reqwest::Client::new()
                .post(format!("{}/identity/connect/token", self.url))
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
                .expect("token request")
                .json::<Value>()
                .await
                .expect("token body")
        });
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token: {body}"))
            .to_string()
    }

    /// POSTs JSON and returns the 201's body.
    pub fn create(&self, path: &str, token: &str, body: Value) -> Value {
        block_on(async {
            let response = reqwest::Client::new()
                .post(format!("{}{path}", self.url))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 201, "POST {path}");
            response.json().await.expect("body")
        })
    }

    pub fn get(&self, path: &str, token: &str) -> String {
        block_on(async {
            let response = reqwest::Client::new()
                .get(format!("{}{path}", self.url))
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 200, "GET {path}");
            response.text().await.expect("body")
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM, so it shuts down cleanly and leaves no repair behind.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Runs an admin command and returns the JSON it prints.
pub fn admin(data_dir: &Path, args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("admin command");
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A tenant `Contoso` with an administrator client; returns (tenant id, client).
pub fn tenant_with_client(data_dir: &Path) -> (String, Value) {
    let tenant = admin(
        data_dir,
        &[
            "tenant",
            "create",
            "--name",
            "Contoso",
            "--admin-email",
            "admin@contoso.example",
        ],
    );
    let client = admin(
        data_dir,
        &[
            "client",
            "create",
            "--tenant",
            "Contoso",
            "--name",
            "load",
            "--role",
            "Tenant Administrator",
        ],
    );
    let id = tenant["tenant_id"].as_str().expect("tenant id").to_string();
    (id, client)
}

pub fn community_body(name: &str) -> Value {
    json!({ "Name": name, "Description": "measured by the load benchmark" })
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}
