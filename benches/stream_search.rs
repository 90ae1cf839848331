//! What one stream search costs over a namespace of `STREAMS` streams: the
//! longest query the service accepts (500 characters, 20 words, every word
//! but the last matching every stream, so each stream is tried against all
//! of them) against a one-word query that matches nothing (the baseline:
//! the same walk of the namespace), as a ratio; and what a query past the
//! bounds gets. Both on one server in one run, one request at a time, so a
//! request's latency is its CPU time on the server.
//!
//! `cargo bench --bench stream_search` prints the figures.

#[path = "support/mod.rs"]
mod support;

use futures_util::{stream, StreamExt};
use serde_json::json;
use std::time::{Duration, Instant};

const STREAMS: usize = 5_000;
const SAMPLES: usize = 15;

/// 19 words that each match every stream, then one that matches none:
/// 500 characters.
fn longest_query() -> String {
    let mut words = vec!["description:*b*e*n*c*h*".to_string(); 19];
    words.push("id:*stream*nowhere*".to_string());
    let mut query = words.join(" ");
    while query.chars().count() < 500 {
        query.push('*');
    }
    query
}

async fn median(http: &reqwest::Client, url: &str, token: &str, query: &str) -> (Duration, u16) {
    let mut took = Vec::new();
    let mut status = 0;
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let r = http
            .get(url)
            .query(&[("query", query), ("count", "1000")])
            .bearer_auth(token)
            .send()
            .await
            .expect("search");
        status = r.status().as_u16();
        let _ = r.bytes().await;
        took.push(started.elapsed());
    }
    took.sort();
    (took[SAMPLES / 2], status)
}

#[tokio::main]
async fn main() {
    let served = support::serve(|_| {}).await;
    let contoso = served.tenant("Contoso", "bench").await;
    let (token, ns) = (contoso.token, contoso.ns);
    let http = reqwest::Client::new();
    let sds_type = json!({
        "Id": "WaveData_SampleType", "SdsTypeCode": "Object",
        "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"Id": "intType", "SdsTypeCode": "Int32"}},
            {"Id": "Radians", "SdsType": {"Id": "doubleType", "SdsTypeCode": "Double"}}
        ]
    });
    let r = http
        .post(format!("{ns}/Types/WaveData_SampleType"))
        .bearer_auth(&token)
        .json(&sds_type)
        .send()
        .await
        .expect("type");
    assert!(r.status().is_success(), "type: {}", r.status());
    let started = Instant::now();
    stream::iter(0..STREAMS)
        .for_each_concurrent(16, |i| {
            let (http, ns, token) = (&http, &ns, &token);
            async move {
                let id = format!("stream-{i:05}");
                let body = json!({"Id": id, "TypeId": "WaveData_SampleType", "Name": format!("Stream number {i}"),
                    "Description": format!("A stream of the bench namespace, number {i}")});
                let r = http
                    .post(format!("{ns}/Streams/{id}"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .expect("stream");
                assert!(r.status().is_success(), "stream: {}", r.status());
            }
        })
        .await;
    let prepared = started.elapsed();

    let search = format!("{ns}/Streams");
    let longest = longest_query();
    median(&http, &search, &token, "nomatch").await; // warm up
    let (baseline, base_status) = median(&http, &search, &token, "nomatch").await;
    let (loaded, loaded_status) = median(&http, &search, &token, &longest).await;
    let over = format!("{longest} {}", "x*".repeat(4_000));
    let (past, past_status) = median(&http, &search, &token, &over).await;
    served.stop().await;

    println!(
        "stream search over {STREAMS} streams (prepared in {prepared:.0?}), median of {SAMPLES}"
    );
    println!("  one word, no match (baseline):        {baseline:>10.2?} ({base_status})");
    println!(
        "  longest allowed query ({} chars, 20 words): {loaded:>10.2?} ({loaded_status})",
        longest.chars().count()
    );
    println!(
        "  ratio longest / baseline:             {:>10.2}x",
        loaded.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "  past the bounds ({} chars):          {past:>10.2?} ({past_status})",
        over.chars().count()
    );
}
