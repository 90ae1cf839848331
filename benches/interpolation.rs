//! An interpolated read costs two keyed seeks per index, never a scan, so
//! the stream's size changes only how far apart the pages it reads lie.
//! This prints the median latency of reading 1,000 interpolated events
//! (each between two stored ones) from a stream of 1,000,000 values,
//! against the same read from a stream of 1,000 values (the baseline), and
//! their ratio (target: at most 1.5; a scan would make it hundreds).
//!
//! Both on the same on-disk redb file in the same run:
//! `cargo bench --bench interpolation`.

use communityd::app::sds::data::{read_stream, Answer, Indexes, Read};
use communityd::domain::ids::TenantId;
use communityd::domain::sds::index_key;
use communityd::domain::sds::sds_type::SdsType;
use communityd::domain::sds::stream::SdsStream;
use communityd::store::{sds_streams, sds_types, sds_values, Store, StoreError};
use serde_json::json;
use std::time::{Duration, Instant};

const BIG: usize = 1_000_000;
const SMALL: usize = 1_000;
const INDEXES: usize = 1_000;
const BATCH: usize = 20_000;
const ROUNDS: usize = 30;

fn wave_type() -> SdsType {
    let body = json!({"Id": "Wave", "SdsTypeCode": "Object", "Properties": [
        {"Id": "Position", "IsKey": true, "SdsType": {"SdsTypeCode": "Double"}},
        {"Id": "Value", "SdsType": {"SdsTypeCode": "Double"}},
        {"Id": "Count", "SdsType": {"SdsTypeCode": "Int64"}}
    ]});
    SdsType::parse("Wave", &body, chrono::Utc::now()).expect("type")
}

fn stream(id: &str, sds_type: &SdsType) -> SdsStream {
    let now = chrono::Utc::now();
    SdsStream {
        storage: sds_streams::new_storage_id(),
        namespace: "default".into(),
        id: id.into(),
        name: id.into(),
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

/// Values at positions 0, 1, 2, ... in transactions of `BATCH`.
fn fill(store: &Store, s: &SdsStream, count: usize) {
    for from in (0..count).step_by(BATCH) {
        store
            .write_blocking(|tx| {
                for position in from..(from + BATCH).min(count) {
                    let value = json!({"Position": position as f64, "Value": (position as f64).sin(), "Count": position});
                    let key = index_key::of_value(&s.keys, &value).expect("key");
                    let bytes = serde_json::to_vec(&value).expect("json");
                    sds_values::put(tx, s.storage, &key, &bytes)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("fill");
    }
}

/// `INDEXES` indexes halfway between stored values, spread over `size`.
fn between(size: usize, round: usize) -> Vec<String> {
    let stride = size / INDEXES;
    (0..INDEXES)
        .map(|i| {
            let position = (i * stride + round * 7) % (size - 1);
            format!("{}.5", position)
        })
        .collect()
}

fn interpolated(store: &Store, owner: TenantId, s: &SdsStream, indexes: Vec<String>) -> usize {
    store
        .read_blocking(|tx| {
            let read = Read::Interpolated(Indexes::Listed(indexes));
            match read_stream(tx, owner, s, read) {
                Ok(Answer::Values(values)) => Ok::<_, StoreError>(values.len()),
                _ => panic!("interpolated read failed"),
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
    let owner = TenantId::generate();
    let sds_type = wave_type();
    store
        .write_blocking(|tx| sds_types::put(tx, owner, "default", &sds_type))
        .expect("type");
    let (big, small) = (stream("big", &sds_type), stream("small", &sds_type));
    let started = Instant::now();
    fill(&store, &big, BIG);
    fill(&store, &small, SMALL);
    println!("filled in {:.1} s", started.elapsed().as_secs_f64());

    let (mut big_reads, mut small_reads) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let t = Instant::now();
        assert_eq!(
            interpolated(&store, owner, &big, between(BIG, round)),
            INDEXES
        );
        big_reads.push(t.elapsed());
        let t = Instant::now();
        assert_eq!(
            interpolated(&store, owner, &small, between(SMALL, round)),
            INDEXES
        );
        small_reads.push(t.elapsed());
    }
    let (big_read, small_read) = (median(big_reads), median(small_reads));
    println!("interpolated read of {INDEXES} indexes (median of {ROUNDS}):");
    println!(
        "  from a stream of {BIG}: {:>9.3} ms",
        big_read.as_secs_f64() * 1e3
    );
    println!(
        "  from a stream of {SMALL} (baseline): {:>9.3} ms",
        small_read.as_secs_f64() * 1e3
    );
    println!(
        "  ratio: {:.2}x (target <= 1.5)",
        big_read.as_secs_f64() / small_read.as_secs_f64()
    );
}
