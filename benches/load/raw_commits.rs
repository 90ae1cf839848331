//! The write baseline: one thread committing to a bare redb file, each
//! commit durable (redb's default), one invitation-sized record apiece.
//! That is the best a design with one fsync per write can do.

use redb::{Database, TableDefinition};
use std::path::Path;
use std::time::{Duration, Instant};

const RECORDS: TableDefinition<u128, &[u8]> = TableDefinition::new("records");

/// Durable commits per second over `measure`.
pub fn rate(dir: &Path, measure: Duration) -> f64 {
    let db = Database::create(dir.join("raw.redb")).expect("raw redb");
    let record = [7u8; 200];
    let mut key = 0u128;
    let mut commit = || {
        let tx = db.begin_write().expect("begin");
        tx.open_table(RECORDS)
            .expect("table")
            .insert(key, record.as_slice())
            .expect("insert");
        tx.commit().expect("commit");
        key += 1;
    };
    for _ in 0..50 {
        commit();
    }
    let started = Instant::now();
    let mut commits = 0u64;
    while started.elapsed() < measure {
        commit();
        commits += 1;
    }
    commits as f64 / started.elapsed().as_secs_f64()
}
