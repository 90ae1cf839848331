//! Token latency for a real client while 64 connections send bad secrets,
//! against the same client's latency with no attack (the baseline), in one
//! run on one server. Three attacks:
//!
//! - from another address, a new made-up client id for every request;
//! - through the real client's reverse proxy (the same peer address, a
//!   trusted proxy), wrong secrets for the real client's own id, the proxy
//!   naming each attacking connection's own address in X-Forwarded-For;
//! - the same with no X-Forwarded-For: everyone is the proxy's one address.
//!
//! `cargo bench --bench token_under_attack` prints the figures. The server
//! runs with its default settings but `trusted_proxies = 127.0.0.1`.

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

/// Connections from 127.0.0.`last`, each request saying it is forwarded
/// for `forwarded_for` when that is given.
fn client_from(last: u8, forwarded_for: Option<String>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(client) = forwarded_for {
        headers.insert("x-forwarded-for", client.parse().expect("header"));
    }
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .default_headers(headers)
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
    settings.trusted_proxies = vec!["127.0.0.1".into()];
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
    let real = client_from(1, Some("198.51.100.7".into()));

    token(&real, &url, &id, &secret).await; // warm up
    let (calm, calm_max) = latency(&real, &url, &id, &secret).await;
    println!("token latency of a real client (median of {SAMPLES}, slowest in brackets)");
    println!("  no attack (baseline):          {calm:>10.1?} ({calm_max:.1?})");
    for attack in [Attack::MadeUpIds, Attack::ThroughProxy, Attack::OneAddress] {
        let (statuses, (attacked, attacked_max)) =
            under(attack, &url, &id, || latency(&real, &url, &id, &secret)).await;
        println!(
            "  {:<31}{attacked:>10.1?} ({attacked_max:.1?})",
            attack.label()
        );
        println!(
            "    ratio attacked / baseline:   {:>8.1}x   (all {SAMPLES} real requests 200)",
            attacked.as_secs_f64() / calm.as_secs_f64()
        );
        println!("    attackers' answers by status: {statuses:?}");
    }
    handle.stop(true).await;
    let _ = server.await;
}

#[derive(Clone, Copy)]
enum Attack {
    /// From 127.0.0.2, a new made-up client id each time.
    MadeUpIds,
    /// Through the proxy (127.0.0.1), the real id, each connection named.
    ThroughProxy,
    /// Through the proxy, the real id, nobody named.
    OneAddress,
}

impl Attack {
    fn label(self) -> String {
        match self {
            Attack::MadeUpIds => format!("{ATTACKERS} conns, made-up ids:"),
            Attack::ThroughProxy => format!("{ATTACKERS} conns via proxy, its id:"),
            Attack::OneAddress => format!("{ATTACKERS} conns, its id, one addr:"),
        }
    }

    fn connection(self, n: usize) -> reqwest::Client {
        match self {
            Attack::MadeUpIds => client_from(2, None),
            Attack::ThroughProxy => client_from(1, Some(format!("203.0.113.{}", n % 250))),
            Attack::OneAddress => client_from(1, None),
        }
    }
}

/// Runs `measure` while ATTACKERS connections attack, after two seconds
/// of attack; returns the attackers' answers by status and the figures.
async fn under<F, T>(
    attack: Attack,
    url: &str,
    real_id: &str,
    measure: impl FnOnce() -> F,
) -> (BTreeMap<u16, usize>, T)
where
    F: std::future::Future<Output = T>,
{
    let stop = Arc::new(AtomicBool::new(false));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let attackers: Vec<_> = (0..ATTACKERS)
        .map(|n| {
            let (stop, statuses, url) = (stop.clone(), statuses.clone(), url.to_string());
            let real_id = real_id.to_string();
            tokio::spawn(async move {
                let http = attack.connection(n);
                while !stop.load(Ordering::Relaxed) {
                    let id = match attack {
                        Attack::MadeUpIds => uuid::Uuid::new_v4().to_string(),
                        _ => real_id.clone(),
                    };
                    let status = token(&http, &url, &id, "bad secret").await;
                    *statuses.lock().unwrap().entry(status).or_default() += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let figures = measure().await;
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        let _ = a.await;
    }
    let statuses = statuses.lock().unwrap().clone();
    (statuses, figures)
}
