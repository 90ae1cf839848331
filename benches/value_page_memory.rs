//! The server memory one maximal value read takes: the peak resident size
//! reached while one page of `count=250000` (the cap) is read from a stream
//! of `SMALL` values (the baseline) and from a stream of `BIG` values, as a
//! ratio (near 1: a read's memory does not grow with the stream), and the
//! bytes per value it costs. Also what a `count` past the cap gets. One
//! server in this process, one run.
//!
//! `cargo bench --bench value_page_memory` prints the figures (Linux: it
//! resets and reads the peak through /proc/self).

#[path = "support/mod.rs"]
mod support;

use communityd::domain::ids::TenantId;
use communityd::domain::sds::index_key;
use communityd::store::{sds_streams, sds_values, Store, StoreError};
use serde_json::json;

const SMALL: i64 = 250_000;
const BIG: i64 = 1_000_000;
const PAGE: i64 = 250_000;
const BATCH: i64 = 10_000;
const ROUNDS: usize = 3;

fn kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a size")
}

/// Peak resident growth of one read, the most of `ROUNDS`.
async fn peak_growth(http: &reqwest::Client, url: &str, token: &str) -> (u64, usize) {
    let mut most = 0;
    let mut bytes = 0;
    for _ in 0..ROUNDS {
        std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
        let before = kib("VmRSS:");
        let mut r = http.get(url).bearer_auth(token).send().await.expect("read");
        assert_eq!(r.status(), 200, "{url}");
        bytes = 0;
        // Counted and dropped chunk by chunk: the client holds no answer.
        while let Some(chunk) = r.chunk().await.expect("body") {
            bytes += chunk.len();
        }
        most = most.max(kib("VmHWM:").saturating_sub(before));
    }
    (most, bytes)
}

fn fill(store: &Store, tenant: TenantId, id: &str, count: i64) {
    let stream = store
        .read_blocking(|tx| sds_streams::get(tx, tenant, "default", id))
        .expect("read")
        .expect("the stream");
    for from in (0..count).step_by(BATCH as usize) {
        store
            .write_blocking(|tx| {
                for order in from..(from + BATCH).min(count) {
                    let value = json!({"Order": order, "Radians": order as f64 / 32.0});
                    let key = index_key::of_value(&stream.keys, &value).expect("key");
                    let text = serde_json::to_vec(&value).expect("json");
                    sds_values::put(tx, stream.storage, &key, &text)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("insert");
    }
}

#[tokio::main]
async fn main() {
    let served = support::serve(|_| {}).await;
    let contoso = served.tenant("Contoso", "bench").await;
    let (store, tenant) = (&served.store, contoso.client.tenant_id);
    let (token, ns) = (contoso.token, contoso.ns);
    let http = reqwest::Client::new();
    let sds_type = json!({
        "Id": "WaveData_SampleType", "SdsTypeCode": "Object",
        "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"Id": "intType", "SdsTypeCode": "Int32"}},
            {"Id": "Radians", "SdsType": {"Id": "doubleType", "SdsTypeCode": "Double"}}
        ]
    });
    let post = |path: String, body: serde_json::Value| {
        let (http, token) = (&http, &token);
        async move {
            let r = http
                .post(path)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("post");
            assert!(r.status().is_success(), "{}", r.status());
        }
    };
    post(format!("{ns}/Types/WaveData_SampleType"), sds_type).await;
    for (id, count) in [("small", SMALL), ("big", BIG)] {
        post(
            format!("{ns}/Streams/{id}"),
            json!({"Id": id, "TypeId": "WaveData_SampleType"}),
        )
        .await;
        let store = store.clone();
        tokio::task::spawn_blocking(move || fill(&store, tenant, id, count))
            .await
            .expect("filled");
    }
    let page = |id: &str, count: &str| {
        format!("{ns}/Streams/{id}/Data?startIndex=0&endIndex={BIG}&count={count}")
    };
    let (small, small_bytes) = peak_growth(&http, &page("small", &PAGE.to_string()), &token).await;
    let (big, big_bytes) = peak_growth(&http, &page("big", &PAGE.to_string()), &token).await;
    let past = http
        .get(page("big", "1000000000"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("read")
        .status();
    served.stop().await;

    println!("peak resident growth of one read of count={PAGE} (most of {ROUNDS})");
    println!("  stream of {SMALL} values (baseline): {small:>8} KiB, answer {small_bytes} bytes");
    println!("  stream of {BIG} values:            {big:>8} KiB, answer {big_bytes} bytes");
    println!(
        "  ratio big / baseline:                {:>8.2}x",
        big as f64 / small.max(1) as f64
    );
    println!(
        "  server memory per value read:        {:>8.0} bytes",
        big as f64 * 1024.0 / PAGE as f64
    );
    println!("  count=1000000000 on the big stream:  {past}");
}
