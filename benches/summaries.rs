//! A summary reads each stored value of its range once, and parses only
//! the numbers it needs, so it should cost little more than walking the
//! range. This prints the latency of summarising 1,000,000 stored values
//! in 100 intervals against a plain walk of the same values through the
//! store (`sds_values::each_in_range`, nothing parsed: the baseline), and
//! the ratio (target: at most 2).
//!
//! Both on the same on-disk redb file in the same run:
//! `cargo bench --bench summaries`.

use communityd::app::sds::data::summaries::{summarise, SummaryQuery};
use communityd::domain::sds::index_key;
use communityd::domain::sds::sds_type::SdsType;
use communityd::domain::sds::stream::SdsStream;
use communityd::store::sds_values::{self, Direction};
use communityd::store::{sds_streams, Store, StoreError};
use serde_json::json;
use std::ops::Bound;
use std::time::{Duration, Instant};

const VALUES: i64 = 1_000_000;
const BATCH: i64 = 20_000;
const INTERVALS: usize = 100;
const ROUNDS: usize = 5;

fn wave_type() -> SdsType {
    let body = json!({
        "Id": "WaveData_SampleType", "SdsTypeCode": "Object",
        "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "Radians", "SdsType": {"SdsTypeCode": "Double"}},
            {"Id": "Sin", "SdsType": {"SdsTypeCode": "Double"}}
        ]
    });
    SdsType::parse("WaveData_SampleType", &body, chrono::Utc::now()).expect("type")
}

fn stream(sds_type: &SdsType) -> SdsStream {
    let now = chrono::Utc::now();
    SdsStream {
        storage: sds_streams::new_storage_id(),
        namespace: "default".into(),
        id: "waves".into(),
        name: "waves".into(),
        description: String::new(),
        type_id: sds_type.id.clone(),
        keys: sds_type.keys.clone(),
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

fn fill(store: &Store, s: &SdsStream) {
    for batch in 0..VALUES / BATCH {
        store
            .write_blocking(|tx| {
                for order in batch * BATCH..(batch + 1) * BATCH {
                    let radians = order as f64 / 32.0;
                    let value = json!({"Order": order, "Radians": radians, "Sin": radians.sin()});
                    let key = index_key::of_value(&s.keys, &value).expect("key");
                    let bytes = serde_json::to_vec(&value).expect("json");
                    sds_values::put(tx, s.storage, &key, &bytes)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("fill");
    }
}

fn summaries(store: &Store, s: &SdsStream, t: &SdsType) -> usize {
    let query = SummaryQuery {
        start: "0".into(),
        end: (VALUES - 1).to_string(),
        count: INTERVALS,
        filter: None,
    };
    let (body, read) = store
        .read_blocking(|tx| summarise(tx, s, t, &query))
        .expect("summaries");
    assert!(body.len() > INTERVALS * 100, "an answer per interval");
    read as usize
}

fn plain_walk(store: &Store, s: &SdsStream) -> usize {
    let (from, to) = (0i32.to_string(), (VALUES - 1).to_string());
    let from = index_key::of_text(&s.keys, &from).expect("key");
    let to = index_key::of_text(&s.keys, &to).expect("key");
    store
        .read_blocking(|tx| {
            let mut bytes = 0usize;
            sds_values::each_in_range(
                tx,
                s.storage,
                (Bound::Included(&from[..]), Bound::Included(&to[..])),
                Direction::Forward,
                0,
                usize::MAX,
                |_, json| {
                    bytes += json.len();
                    true
                },
            )
            .inspect(|_| {
                std::hint::black_box(bytes);
            })
        })
        .expect("walk")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut f: impl FnMut() -> usize) -> Duration {
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        assert_eq!(f(), VALUES as usize);
        samples.push(started.elapsed());
    }
    median(samples)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let t = wave_type();
    let s = stream(&t);
    let started = Instant::now();
    fill(&store, &s);
    println!(
        "{VALUES} values written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // One untimed walk each, so both start from a warm cache.
    plain_walk(&store, &s);
    summaries(&store, &s, &t);
    let walk = time(|| plain_walk(&store, &s));
    let summary = time(|| summaries(&store, &s, &t));
    println!("{VALUES} stored values, median of {ROUNDS}:");
    println!(
        "  summaries in {INTERVALS} intervals: {:>9.1} ms",
        summary.as_secs_f64() * 1e3
    );
    println!(
        "  plain walk of the range (baseline): {:>9.1} ms",
        walk.as_secs_f64() * 1e3
    );
    println!(
        "  ratio: {:.2}x (target <= 2)",
        summary.as_secs_f64() / walk.as_secs_f64()
    );
}
