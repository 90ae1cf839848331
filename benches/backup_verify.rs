//! What checking a backup in full costs: `backup --verify` (both checksums,
//! every record decoded, counts compared) and `restore` (the same, then the
//! copy), against writing the backup itself (the baseline), on one database
//! of stream values and a few thousand other records, in the same run.
//!
//! `cargo bench --bench backup_verify` prints the figures.

use communityd::operator::client;
use communityd::store::{backup, tables, RedbStore, Store, StoreError};
use std::time::{Duration, Instant};

const STREAMS: u128 = 20;
const VALUES_PER_STREAM: u64 = 10_000;
const SECRETS: usize = 2_000;

fn populate(store: &RedbStore) {
    for stream in 0..STREAMS {
        store
            .write_blocking(|tx| {
                let mut values = tx.open_table(tables::SDS_VALUES)?;
                for order in 0..VALUES_PER_STREAM {
                    let json = format!(r#"{{"Order":{order},"Radians":{}}}"#, order as f64 / 10.0);
                    values.insert(
                        (
                            uuid::Uuid::from_u128(stream + 1),
                            order.to_be_bytes().as_slice(),
                        ),
                        json.as_bytes(),
                    )?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("populate");
    }
    store
        .write_blocking(|tx| {
            let mut secrets = tx.open_table(tables::SECRETS)?;
            for i in 0..SECRETS {
                secrets.insert(format!("key-{i}").as_str(), [7u8; 32].as_slice())?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("populate");
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let live = dir.path().join("live");
    let store = Store::open(&live).expect("store");
    populate(store.redb().expect("a redb store"));
    let file = dir.path().join("backup.redb");
    let (rows, wrote) = timed(|| {
        store
            .read_blocking(|tx| backup::write_snapshot(tx, &file))
            .expect("backup")
    });
    drop(store);
    let bytes = std::fs::metadata(&file).expect("file").len();
    let (_, verified) = timed(|| client::verify(&file).expect("verify"));
    let target = dir.path().join("restored");
    let (_, restored) = timed(|| client::restore(&target, &file).expect("restore"));

    println!("backup of {rows} records, {} MiB", bytes / (1024 * 1024));
    println!(
        "write backup (baseline): {:>8.1} ms",
        wrote.as_secs_f64() * 1e3
    );
    println!(
        "backup --verify:         {:>8.1} ms  ratio {:.2}",
        verified.as_secs_f64() * 1e3,
        verified.as_secs_f64() / wrote.as_secs_f64()
    );
    println!(
        "restore (check + copy):  {:>8.1} ms  ratio {:.2}",
        restored.as_secs_f64() * 1e3,
        restored.as_secs_f64() / wrote.as_secs_f64()
    );
}
