//! Real requests while 2,000 connections trickle request bodies (a byte a
//! second, forever reconnecting when cut off), against the same requests
//! on an unloaded server, in one run on one server.
//!
//! `cargo bench --bench slow_bodies` prints, for each load, the real
//! requests' success rate and median latency next to the baseline. Two
//! loads: the trickling connections spread over 100 loopback addresses (so
//! the per-address cap does not simply refuse them), and all from one.

#[path = "support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

const SLOW: usize = 2_000;
const SAMPLES: usize = 60;

/// Real requests, one every 100 ms: the share answered 200 and the median.
async fn real_requests(http: &reqwest::Client, url: &str, token: &str) -> (f64, Duration) {
    let mut ok = 0;
    let mut took = Vec::new();
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let status = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        took.push(started.elapsed());
        ok += usize::from(status == 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    took.sort();
    (ok as f64 / SAMPLES as f64, took[SAMPLES / 2])
}

/// One trickling connection after another from 127.0.0.`last`.
async fn trickle(server: SocketAddr, last: u8, stop: Arc<AtomicBool>, open: Arc<AtomicUsize>) {
    while !stop.load(Ordering::Relaxed) {
        let connected = async {
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::from(([127, 0, 0, last], 0)))?;
            socket.connect(server).await
        };
        let Ok(mut stream) = connected.await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let head = b"POST /identity/connect/token HTTP/1.1\r\nHost: x\r\n\
            Content-Type: application/x-www-form-urlencoded\r\n\
            Content-Length: 100000\r\n\r\n";
        if stream.write_all(head).await.is_ok() {
            open.fetch_add(1, Ordering::Relaxed);
            while !stop.load(Ordering::Relaxed) && stream.write_all(b"x").await.is_ok() {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            open.fetch_sub(1, Ordering::Relaxed);
        }
        // Refused or cut off: come back, as an attacker would.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::main]
async fn main() {
    let served = support::serve(|_| {}).await;
    let contoso = served.tenant("Contoso", "real").await;
    let (url, server, token) = (&served.url, served.address, contoso.token);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    let read = format!("{url}/api/v1/Tenants/{}", contoso.client.tenant_id);

    let (calm_ok, calm) = real_requests(&http, &read, &token).await;
    println!("real requests (GET a tenant, {SAMPLES} one every 100 ms): success, median");
    println!(
        "  unloaded (baseline):              {:>6.1}%  {calm:>9.1?}",
        calm_ok * 100.0
    );
    for (label, addresses) in [("over 100 addresses", 100u8), ("from one address", 1)] {
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let slow: Vec<_> = (0..SLOW)
            .map(|i| {
                let last = 10 + (i % usize::from(addresses)) as u8;
                tokio::spawn(trickle(server, last, stop.clone(), open.clone()))
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let held = open.load(Ordering::Relaxed);
        let (ok, median) = real_requests(&http, &read, &token).await;
        stop.store(true, Ordering::Relaxed);
        for s in slow {
            let _ = s.await;
        }
        println!(
            "  {SLOW} slow bodies {label:<19} {:>6.1}%  {median:>9.1?}  ({:.1}x baseline; {held} held open at the start)",
            ok * 100.0,
            median.as_secs_f64() / calm.as_secs_f64()
        );
    }
    served.stop().await;
}
