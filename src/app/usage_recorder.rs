//! The in-memory side of usage counting (see `app::usage`). A read adds to
//! one cell of a sharded map under a short lock and never waits for the
//! store; the flush task takes the whole map every interval and adds it to
//! the store.
//!
//! The map is bounded: at `MAX_KEYS` cells the flush task is woken early;
//! should the store be unreachable and the map reach twice that, reads of
//! cells not yet in it are no longer counted (and logged as lost) rather
//! than letting the map grow without end.

use crate::domain::usage::{UsageCounts, UsageKey};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use tokio::sync::Notify;

/// Cells held before the flush task is woken early.
pub const MAX_KEYS: usize = 100_000;

/// Locks that readers spread over, so concurrent reads rarely wait.
const SHARDS: usize = 16;

type Cells = HashMap<UsageKey, UsageCounts>;

pub struct Usage {
    enabled: bool,
    shards: Vec<Mutex<Cells>>,
    hasher: RandomState,
    /// Cells held over all shards.
    held: AtomicUsize,
    limit: usize,
    /// Counts that found the map full, since the last flush.
    lost: AtomicU64,
    /// Wakes the flush task when the map reaches `limit` cells.
    pub full: Notify,
}

impl Usage {
    pub fn new(enabled: bool) -> Self {
        Self::with_limit(enabled, MAX_KEYS)
    }

    pub fn with_limit(enabled: bool, limit: usize) -> Self {
        Self {
            enabled,
            shards: (0..SHARDS).map(|_| Mutex::new(Cells::new())).collect(),
            hasher: RandomState::new(),
            held: AtomicUsize::new(0),
            limit: limit.max(1),
            lost: AtomicU64::new(0),
            full: Notify::new(),
        }
    }

    /// Whether reads are counted (`usage_counting`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn shard(&self, key: &UsageKey) -> MutexGuard<'_, Cells> {
        let at = (self.hasher.hash_one(key) as usize) % SHARDS;
        // A panic while holding the lock left whole counts: keep going.
        self.shards[at].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `counts` to the cell `key`.
    pub fn count(&self, key: UsageKey, counts: UsageCounts) {
        if self.enabled {
            self.add(key, counts);
        }
    }

    fn add(&self, key: UsageKey, counts: UsageCounts) {
        let mut cells = self.shard(&key);
        if let Some(cell) = cells.get_mut(&key) {
            cell.add(counts);
            return;
        }
        if self.held.load(Ordering::Relaxed) >= self.limit.saturating_mul(2) {
            self.lost.fetch_add(counts.requests, Ordering::Relaxed);
            return;
        }
        cells.insert(key, counts);
        drop(cells);
        if self.held.fetch_add(1, Ordering::Relaxed) + 1 >= self.limit {
            self.full.notify_one();
        }
    }

    /// Takes every cell, leaving the map empty; answers them and how many
    /// requests found the map full since the last take.
    pub fn take(&self) -> (Vec<(UsageKey, UsageCounts)>, u64) {
        let mut out = Vec::new();
        for shard in &self.shards {
            let cells = std::mem::take(&mut *shard.lock().unwrap_or_else(|e| e.into_inner()));
            self.held.fetch_sub(cells.len(), Ordering::Relaxed);
            out.extend(cells);
        }
        (out, self.lost.swap(0, Ordering::Relaxed))
    }

    /// Gives back cells a flush could not write, to be tried again.
    pub fn put_back(&self, rows: Vec<(UsageKey, UsageCounts)>) {
        for (key, counts) in rows {
            self.add(key, counts);
        }
    }

    /// Cells held now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CommunityId, TenantId};
    use uuid::Uuid;

    fn key(stream: &str) -> UsageKey {
        UsageKey {
            community: CommunityId(Uuid::nil()),
            day: 20_000,
            reader: TenantId(Uuid::nil()),
            owner: TenantId(Uuid::max()),
            namespace: "default".into(),
            stream: stream.into(),
        }
    }

    #[test]
    fn reads_of_one_cell_add_up_and_a_take_empties_the_map() {
        let usage = Usage::new(true);
        usage.count(key("a"), UsageCounts::answered(3));
        usage.count(key("a"), UsageCounts::answered(4));
        usage.count(key("a"), UsageCounts::refused());
        let (rows, lost) = usage.take();
        assert_eq!(lost, 0);
        assert_eq!(
            rows,
            vec![(
                key("a"),
                UsageCounts {
                    requests: 3,
                    values: 7,
                    refused: 1
                }
            )]
        );
        assert_eq!(usage.held(), 0);
        assert!(usage.take().0.is_empty());
    }

    #[test]
    fn nothing_is_counted_when_counting_is_off() {
        let usage = Usage::new(false);
        usage.count(key("a"), UsageCounts::answered(3));
        assert!(usage.take().0.is_empty());
    }

    #[test]
    fn a_full_map_stops_growing_and_says_what_it_lost() {
        let usage = Usage::with_limit(true, 2);
        for s in ["a", "b", "c", "d", "e"] {
            usage.count(key(s), UsageCounts::answered(1));
        }
        // Cells already held still count.
        usage.count(key("a"), UsageCounts::answered(1));
        let (rows, lost) = usage.take();
        assert_eq!(rows.len(), 4);
        assert_eq!(lost, 1);
    }
}
