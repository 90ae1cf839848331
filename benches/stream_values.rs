//! Stream values are keyed by an order-preserving index, so a window read
//! is one key range whatever the stream's size. This prints:
//!
//! - the latency of reading a 1,000-value window from a stream of
//!   1,000,000 values, against reading all 1,000 values of a stream of
//!   1,000 (the baseline), as a ratio (near 1 means no scan);
//! - insert throughput in batches of 1,000 values (one write transaction
//!   per batch, as one POST .../Data is), against batches of one value.
//!
//! Both on the same on-disk redb file in the same run:
//! `cargo bench --bench stream_values`.

use communityd::app::sds::data::{read_stream, Answer, Read};
use communityd::domain::sds::index_key::{self, KeyPart};
use communityd::domain::sds::stream::SdsStream;
use communityd::domain::sds::type_code::KeyKind;
use communityd::store::{sds_streams, sds_values, Store, StoreError};
use serde_json::json;
use std::time::{Duration, Instant};

const BIG: i64 = 1_000_000;
const SMALL: i64 = 1_000;
const BATCH: i64 = 1_000;
const WINDOW: i64 = 1_000;
const ROUNDS: usize = 200;
const SINGLE_INSERTS: i64 = 2_000;

fn stream(id: &str) -> SdsStream {
    let now = chrono::Utc::now();
    SdsStream {
        storage: sds_streams::new_storage_id(),
        namespace: "default".into(),
        id: id.into(),
        name: id.into(),
        description: String::new(),
        type_id: "WaveData_SampleType".into(),
        keys: vec![KeyPart {
            property: "Order".into(),
            kind: KeyKind::Signed,
        }],
        tags: vec![],
        metadata: vec![],
        indexes: "[]".into(),
        acl: Default::default(),
        owner: None,
        created: now,
        modified: now,
        last_write: None,
        modes: Default::default(),
    }
}

/// One insert request's work: key each value, refuse an existing index,
/// write it; one transaction.
fn insert(store: &Store, s: &SdsStream, from: i64, count: i64) {
    store
        .write_blocking(|tx| {
            for order in from..from + count {
                let value = json!({"Order": order, "Radians": order as f64 / 32.0, "Sin": (order as f64).sin()});
                let key = index_key::of_value(&s.keys, &value).expect("key");
                assert!(!sds_values::exists(tx, s.storage, &key)?);
                let bytes = serde_json::to_vec(&value).expect("json");
                sds_values::put(tx, s.storage, &key, &bytes)?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("insert");
}

fn window(store: &Store, s: &SdsStream, start: i64) -> usize {
    store
        .read_blocking(|tx| {
            let read = Read::Window {
                start: start.to_string(),
                end: (start + WINDOW - 1).to_string(),
                count: None,
                token: None,
            };
            match read_stream(tx, s, read) {
                Ok(Answer::Values(values)) => Ok::<_, StoreError>(values.len()),
                _ => panic!("window read failed"),
            }
        })
        .expect("read")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let big = stream("big");
    let small = stream("small");

    let started = Instant::now();
    for batch in 0..BIG / BATCH {
        insert(&store, &big, batch * BATCH, BATCH);
    }
    let batched = started.elapsed();
    insert(&store, &small, 0, SMALL);
    let started = Instant::now();
    let single = stream("single");
    for order in 0..SINGLE_INSERTS {
        insert(&store, &single, order, 1);
    }
    let one_by_one = started.elapsed();

    let mut big_reads = Vec::with_capacity(ROUNDS);
    let mut small_reads = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        // Windows spread over the big stream, so the cache does not flatter it.
        let start = (round as i64 * 4_999) % (BIG - WINDOW);
        let t = Instant::now();
        assert_eq!(window(&store, &big, start), WINDOW as usize);
        big_reads.push(t.elapsed());
        let t = Instant::now();
        assert_eq!(window(&store, &small, 0), WINDOW as usize);
        small_reads.push(t.elapsed());
    }
    let (big_read, small_read) = (median(big_reads), median(small_reads));

    let per_second = |n: i64, d: Duration| n as f64 / d.as_secs_f64();
    let batched_rate = per_second(BIG, batched);
    let single_rate = per_second(SINGLE_INSERTS, one_by_one);
    println!("window read of {WINDOW} values (median of {ROUNDS}):");
    println!(
        "  from a stream of {BIG}: {:>9.3} ms",
        big_read.as_secs_f64() * 1e3
    );
    println!(
        "  from a stream of {SMALL} (baseline): {:>9.3} ms",
        small_read.as_secs_f64() * 1e3
    );
    println!(
        "  ratio: {:.2}x",
        big_read.as_secs_f64() / small_read.as_secs_f64()
    );
    println!("insert throughput:");
    println!(
        "  batches of {BATCH}: {batched_rate:>12.0} values/s ({BIG} values in {:.1} s)",
        batched.as_secs_f64()
    );
    println!("  batches of 1 (baseline): {single_rate:>12.0} values/s ({SINGLE_INSERTS} values)");
    println!("  ratio: {:.1}x", batched_rate / single_rate);
}
