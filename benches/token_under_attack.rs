//! Token latency for a real client while 64 connections from another
//! address send bad secrets, against the same client's latency with no
//! attack (the baseline), in one run on one server.
//!
//! `cargo bench --bench token_under_attack` prints the figures. The server
//! runs with its default settings; the attacker makes up a new client id
//! for every request (each one an identity nobody has tried before).

use communityd::app::admin;
use communityd::clock::Clock;
use communityd::config::Settings;
use communityd::domain::role::Role;
use communityd::startup::Application;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ATTACKERS: usize = 64;
const SAMPLES: usize = 15;

fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client")
}

async fn token(http: &reqwest::Client, url: &str, id: &str, secret: &str) -> u16 {
    http.post(format!("{url}/identity/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Median and slowest of SAMPLES sequential token requests.
async fn latency(
    http: &reqwest::Client,
    url: &str,
    id: &str,
    secret: &str,
) -> (Duration, Duration) {
    let mut took = Vec::new();
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let status = token(http, url, id, secret).await;
        assert_eq!(status, 200, "the real client was refused");
        took.push(started.elapsed());
    }
    took.sort();
    (took[SAMPLES / 2], took[SAMPLES - 1])
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::defaults();
    settings.data_dir = dir.path().to_path_buf();
    settings.bind = "127.0.0.1:0".into();
    let app = Application::build(settings, Clock::default())
        .await
        .expect("application");
    let url = app.url();
    let store = app.ctx.store.clone();
    let client = tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now();
        let t = admin::create_tenant(&store, "Contoso", "admin@contoso.example", None, now)
            .expect("tenant");
        admin::create_client(
            &store,
            t.tenant_id,
            "real",
            &[Role::TenantAdministrator],
            now,
        )
        .expect("client")
    })
    .await
    .expect("fixture");
    let handle = app.handle();
    let server = tokio::spawn(app.run_until_stopped());
    let (id, secret) = (client.client_id.to_string(), client.client_secret);
    let real = client_from(1);

    token(&real, &url, &id, &secret).await; // warm up
    let (calm, calm_max) = latency(&real, &url, &id, &secret).await;

    let stop = Arc::new(AtomicBool::new(false));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let attackers: Vec<_> = (0..ATTACKERS)
        .map(|_| {
            let (stop, statuses, url) = (stop.clone(), statuses.clone(), url.clone());
            tokio::spawn(async move {
                let http = client_from(2);
                while !stop.load(Ordering::Relaxed) {
                    let made_up = uuid::Uuid::new_v4().to_string();
                    let status = token(&http, &url, &made_up, "bad secret").await;
                    *statuses.lock().unwrap().entry(status).or_default() += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (attacked, attacked_max) = latency(&real, &url, &id, &secret).await;
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        let _ = a.await;
    }
    handle.stop(true).await;
    let _ = server.await;

    println!("token latency of a real client (median of {SAMPLES}, slowest in brackets)");
    println!("  no attack (baseline):        {calm:>10.1?} ({calm_max:.1?})");
    println!("  {ATTACKERS} connections attacking:   {attacked:>10.1?} ({attacked_max:.1?})");
    println!(
        "  ratio attacked / baseline:   {:>10.1}x",
        attacked.as_secs_f64() / calm.as_secs_f64()
    );
    println!(
        "  attackers' answers by status: {:?}",
        statuses.lock().unwrap()
    );
}
