//! Writes are fair between tenants: tenant B's single-value insert while
//! tenant A bulk-inserts on 32 connections, against B's latency with A
//! idle (the baseline), in one run on one server.
//!
//! `cargo bench --bench fair_writes` prints B's median and p99 both ways
//! and the ratio of the medians, with how many values A wrote meanwhile.
//! A sends the most values one request may carry (`WRITE_LIMIT`), each
//! request to a fresh range of indexes of one of its streams.

#[path = "support/mod.rs"]
mod support;

use communityd::app::sds::data::WRITE_LIMIT;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::BenchTenant;

const BULK_CONNECTIONS: usize = 32;
const SAMPLES: usize = 200;

fn wave_type() -> Value {
    json!({
        "Id": "Wave", "SdsTypeCode": "Object",
        "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"Id": "long", "SdsTypeCode": "Int64", "Properties": []}},
            {"Id": "Radians", "IsKey": false, "SdsType": {"Id": "double", "SdsTypeCode": "Double", "Properties": []}}
        ]
    })
}

fn wave(order: i64) -> Value {
    json!({"Order": order, "Radians": order as f64 / 10.0})
}

async fn send(http: &reqwest::Client, url: String, token: &str, body: &Value) -> u16 {
    http.post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

async fn stream(http: &reqwest::Client, t: &BenchTenant, id: &str) {
    let status = send(http, format!("{}/Types/Wave", t.ns), &t.token, &wave_type()).await;
    assert!(status < 300, "type: {status}");
    let body = json!({"Id": id, "TypeId": "Wave"});
    let status = send(http, format!("{}/Streams/{id}", t.ns), &t.token, &body).await;
    assert!(status < 300, "stream: {status}");
}

/// Median and 99th percentile of SAMPLES sequential single-value inserts.
async fn latency(http: &reqwest::Client, b: &BenchTenant, next: &mut i64) -> (Duration, Duration) {
    let mut took = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        *next += 1;
        let started = Instant::now();
        let url = format!("{}/Streams/small/Data", b.ns);
        let status = send(http, url, &b.token, &json!([wave(*next)])).await;
        assert_eq!(status, 204, "B's write was refused");
        took.push(started.elapsed());
    }
    took.sort();
    (took[SAMPLES / 2], took[SAMPLES * 99 / 100])
}

#[tokio::main]
async fn main() {
    let served = support::serve(|_| {}).await;
    let a = Arc::new(served.tenant("Bulky", "writer").await);
    let b = served.tenant("Small", "writer").await;
    let http = reqwest::Client::new();
    for i in 0..BULK_CONNECTIONS {
        stream(&http, &a, &format!("bulk{i}")).await;
    }
    stream(&http, &b, "small").await;

    let mut next = 0;
    latency(&http, &b, &mut next).await; // warm up
    let (idle, idle_p99) = latency(&http, &b, &mut next).await;

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let bulk: Vec<_> = (0..BULK_CONNECTIONS)
        .map(|i| {
            let (a, stop, written, refused) =
                (a.clone(), stop.clone(), written.clone(), refused.clone());
            tokio::spawn(async move {
                // One connection each, as 32 separate clients would have.
                let http = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("http client");
                let url = format!("{}/Streams/bulk{i}/Data", a.ns);
                let mut from = 0;
                while !stop.load(Ordering::Relaxed) {
                    let values: Vec<Value> = (from..from + WRITE_LIMIT as i64).map(wave).collect();
                    if send(&http, url.clone(), &a.token, &json!(values)).await == 204 {
                        written.fetch_add(WRITE_LIMIT, Ordering::Relaxed);
                    } else {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    from += WRITE_LIMIT as i64;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = written.load(Ordering::Relaxed);
    let started = Instant::now();
    let (loaded, loaded_p99) = latency(&http, &b, &mut next).await;
    let rate = (written.load(Ordering::Relaxed) - before) as f64 / started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for task in bulk {
        let _ = task.await;
    }
    served.stop().await;

    println!("tenant B's single-value insert, {SAMPLES} in a row: median (p99)");
    println!("  A idle (baseline):                  {idle:>10.2?} ({idle_p99:.2?})");
    println!(
        "  A bulk-inserting on {BULK_CONNECTIONS} connections:   {loaded:>10.2?} ({loaded_p99:.2?})"
    );
    println!(
        "  ratio loaded / baseline (median):   {:>10.1}x",
        loaded.as_secs_f64() / idle.as_secs_f64()
    );
    println!(
        "  A meanwhile: {rate:.0} values/s in requests of {WRITE_LIMIT}, {} refused",
        refused.load(Ordering::Relaxed)
    );
}
