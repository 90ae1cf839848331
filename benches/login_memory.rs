//! Resident memory of the release binary under login load: RSS after 200
//! logins (token requests, each one argon2 verification, 8 at a time, within
//! one address's share of the hashing queue)
//! against the same process's RSS when idle (the baseline).
//!
//! `cargo build --release && cargo bench --bench login_memory` prints the
//! figures; COMMUNITYD_BIN names another binary to measure.

use communityd::app::admin;
use communityd::domain::role::Role;
use communityd::store::Store;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LOGINS: usize = 200;
const AT_ONCE: usize = 8;

/// VmRSS of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Starts `serve` and returns it with the URL it prints.
fn serve(binary: &str, data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(binary)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (run cargo build --release first)"));
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on ").map(str::to_string))
        .expect("the server printed its address");
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

#[tokio::main]
async fn main() {
    let binary = std::env::var("COMMUNITYD_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/communityd").into()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let client = {
        let store = Store::open(dir.path()).expect("store");
        let now = chrono::Utc::now();
        let t = admin::create_tenant(&store, "Contoso", "admin@contoso.example", None, now)
            .expect("tenant");
        admin::create_client(
            &store,
            t.tenant_id,
            "load",
            &[Role::TenantAdministrator],
            now,
        )
        .expect("client")
    };
    let (mut child, url) = serve(&binary, dir.path());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_kib(child.id());

    let http = reqwest::Client::new();
    let (id, secret) = (client.client_id.to_string(), client.client_secret);
    let mut done = 0;
    let mut peak = idle;
    while done < LOGINS {
        let batch: Vec<_> = (0..AT_ONCE.min(LOGINS - done))
            .map(|_| {
                let (http, url, id, secret) =
                    (http.clone(), url.clone(), id.clone(), secret.clone());
                tokio::spawn(async move {
                    http.post(format!("{url}/identity/connect/token"))
                        .form(&[
                            ("grant_type", "client_credentials"),
                            ("client_id", id.as_str()),
                            ("client_secret", secret.as_str()),
                        ])
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0)
                })
            })
            .collect();
        for b in batch {
            assert_eq!(b.await.expect("task"), 200, "a login failed");
            done += 1;
        }
        peak = peak.max(rss_kib(child.id()));
    }
    let after = rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();

    println!("resident memory of {binary}");
    println!(
        "  idle (baseline):          {:>8.1} MiB",
        idle as f64 / 1024.0
    );
    println!(
        "  after {LOGINS} logins:        {:>8.1} MiB",
        after as f64 / 1024.0
    );
    println!(
        "  peak during the logins:   {:>8.1} MiB",
        peak as f64 / 1024.0
    );
    println!(
        "  ratio after / idle:       {:>8.1}x",
        after as f64 / idle as f64
    );
}
