//! Records already read from one exact snapshot of the database,
//! remembered per thread until the next commit.
//!
//! An authenticated GET reads the caller, its tenant, the community, the
//! memberships, grants and profiles: a dozen table opens and B-tree walks
//! that give the same answer until something commits. Each thread keeps
//! what it read, labelled with the snapshot it came from, and forgets it
//! all when a read begins at a newer one.
//!
//! A snapshot is named exactly only when no commit was in flight as it was
//! taken (`Store::read` checks that the count of commits begun equals the
//! count finished). Otherwise, and inside every write transaction, lookups
//! go straight to the tables and nothing is remembered. What is remembered
//! is the decoded record itself, so rules that depend on the time (an
//! invitation lapsing) are still applied to it on every request.

use super::error::StoreError;
use super::lookup::{Kind, Lookup};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Records remembered per thread; past this the memory starts over.
const CAPACITY: usize = 4096;

/// Which store and which of its commits a snapshot shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Snapshot {
    pub store: u64,
    pub commits: u64,
}

/// A lookup's kind and ids. Its record type is fixed by the kind (see
/// `lookup`), so the downcast below finds what was stored.
type Key = (Kind, [u128; 3]);

struct Memory {
    snapshot: Option<Snapshot>,
    /// foldhash: a dozen lookups per request, where SipHash showed up.
    records: HashMap<Key, Box<dyn Any>, foldhash::fast::RandomState>,
}

thread_local! {
    /// The snapshot of the read transaction running on this thread, if exact.
    static CURRENT: Cell<Option<Snapshot>> = const { Cell::new(None) };
    static MEMORY: RefCell<Memory> = RefCell::new(Memory {
        snapshot: None,
        records: HashMap::default(),
    });
}

/// Runs `f` (a read transaction's work) with `snapshot` as this thread's
/// current one.
pub(super) fn within<T>(snapshot: Option<Snapshot>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Snapshot>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(snapshot)));
    f()
}

/// The read transaction's exact snapshot on this thread, if any.
pub(super) fn current() -> Option<Snapshot> {
    CURRENT.with(Cell::get)
}

/// `load`'s answer for `lookup`, remembered for `snapshot` (None: just load).
pub(super) fn recall<T: Clone + 'static>(
    snapshot: Option<Snapshot>,
    lookup: Lookup<T>,
    load: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    recall_if(snapshot, lookup, || load().map(|value| (value, true)))
}

/// Like `recall`, for answers worked out from records: `load` also says
/// whether its answer holds for the whole snapshot (false when it depends
/// on the time), and only then is it remembered. Errors never are.
pub(super) fn recall_if<T: Clone + 'static, E>(
    snapshot: Option<Snapshot>,
    lookup: Lookup<T>,
    load: impl FnOnce() -> Result<(T, bool), E>,
) -> Result<T, E> {
    let Some(snapshot) = snapshot else {
        return load().map(|(value, _)| value);
    };
    let key = (lookup.kind, lookup.ids);
    let found = MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        if memory.snapshot != Some(snapshot) {
            memory.records.clear();
            memory.snapshot = Some(snapshot);
        }
        memory
            .records
            .get(&key)
            .and_then(|r| r.downcast_ref::<T>())
            .cloned()
    });
    if let Some(value) = found {
        return Ok(value);
    }
    // Loaded outside the borrow: `load` may recall other records.
    let (value, lasting) = load()?;
    if !lasting {
        return Ok(value);
    }
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        if memory.snapshot == Some(snapshot) {
            if memory.records.len() >= CAPACITY {
                memory.records.clear();
            }
            memory.records.insert(key, Box::new(value.clone()));
        }
    });
    Ok(value)
}

/// Records read within one transaction, for as long as it lasts: a
/// PostgreSQL read, whose snapshot no other transaction names. Nothing
/// outlives the transaction, so nothing here can go stale when another
/// instance commits. Filled by the lookups themselves and, ahead of them,
/// by `prefetch` (one statement answering a request's dozen lookups).
#[derive(Default)]
pub struct TxMemory {
    records: RefCell<HashMap<Key, Box<dyn Any>, foldhash::fast::RandomState>>,
}

impl TxMemory {
    /// `load`'s answer for `lookup`, read once per transaction.
    pub(super) fn recall<T: Clone + 'static>(
        &self,
        lookup: Lookup<T>,
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let key = (lookup.kind, lookup.ids);
        let found = self
            .records
            .borrow()
            .get(&key)
            .and_then(|r| r.downcast_ref::<T>())
            .cloned();
        if let Some(value) = found {
            return Ok(value);
        }
        // Loaded outside the borrow: `load` may recall other records.
        let value = load()?;
        self.keep(key, value.clone());
        Ok(value)
    }

    /// Keeps `value` as the answer to `lookup` for the rest of the
    /// transaction.
    pub(super) fn remember<T: Clone + 'static>(&self, lookup: Lookup<T>, value: T) {
        self.keep((lookup.kind, lookup.ids), value);
    }

    /// The answer kept for `lookup`, if any; nothing is loaded.
    pub(super) fn kept<T: Clone + 'static>(&self, lookup: Lookup<T>) -> Option<T> {
        self.records
            .borrow()
            .get(&(lookup.kind, lookup.ids))
            .and_then(|r| r.downcast_ref::<T>())
            .cloned()
    }

    /// Lets go of every answer kept.
    pub(super) fn forget(&self) {
        self.records.borrow_mut().clear();
    }

    fn keep<T: 'static>(&self, key: Key, value: T) {
        self.records.borrow_mut().insert(key, Box::new(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CommunityId, PrincipalId, TenantId, UserId};
    use uuid::Uuid;

    fn at(commits: u64) -> Option<Snapshot> {
        Some(Snapshot { store: 7, commits })
    }

    fn tenant(n: u128) -> TenantId {
        TenantId(Uuid::from_u128(n))
    }

    /// A lookup whose record type the test chooses.
    fn view<V: 'static>(n: u128) -> Lookup<V> {
        Lookup::community_view(
            CommunityId(Uuid::from_u128(n)),
            PrincipalId::User(UserId(Uuid::from_u128(2))),
            tenant(3),
        )
    }

    #[test]
    fn a_record_is_read_once_per_snapshot() {
        let mut loads = 0;
        let mut read = |snapshot, value: u32| {
            recall(snapshot, view(1), || {
                loads += 1;
                Ok(value)
            })
            .unwrap()
        };
        assert_eq!(read(at(1), 10), 10);
        assert_eq!(read(at(1), 11), 10, "the same snapshot answers from memory");
        assert_eq!(read(at(2), 12), 12, "a newer snapshot reads again");
        assert_eq!(read(None, 13), 13, "no exact snapshot: always read");
        assert_eq!(read(None, 14), 14);
        assert_eq!(loads, 4);
    }

    #[test]
    fn an_answer_that_depends_on_the_time_is_not_remembered() {
        let mut loads = 0;
        let mut read = |lasting: bool| {
            recall_if(at(9), view(4), || {
                loads += 1;
                Ok::<_, StoreError>((loads, lasting))
            })
            .unwrap()
        };
        assert_eq!(read(false), 1);
        assert_eq!(read(false), 2);
        assert_eq!(read(true), 3);
        assert_eq!(read(false), 3, "remembered once it held for the snapshot");
    }

    #[test]
    fn another_store_or_key_is_not_confused_with_this_one() {
        let other = Some(Snapshot {
            store: 8,
            commits: 1,
        });
        let value = |snapshot, n, v: u32| recall(snapshot, view(n), || Ok(v)).unwrap();
        assert_eq!(value(at(1), 1, 1), 1);
        assert_eq!(value(other, 1, 2), 2);
        assert_eq!(value(other, 2, 3), 3);
    }

    /// Two lookups with the same ids but different record types are two
    /// keys: each keeps its own record instead of one evicting the other.
    #[test]
    fn lookups_of_different_types_keep_their_own_records() {
        let mut loads = 0;
        let mut count = |v| {
            loads += 1;
            Ok(v)
        };
        let number = recall(at(3), view::<u32>(5), || count(7u32)).unwrap();
        let text = recall(at(3), view::<String>(5), || Ok("seven".to_string())).unwrap();
        let again = recall(at(3), view::<u32>(5), || count(8u32)).unwrap();
        assert_eq!((number, text.as_str(), again), (7, "seven", 7));
        assert_eq!(loads, 1, "the number was remembered beside the text");

        let region = Lookup::community_region(CommunityId(Uuid::from_u128(5)));
        let tenant_lookup = Lookup::tenant(tenant(5));
        assert_ne!(region.kind, tenant_lookup.kind);
        let found = recall(at(3), region, || Ok(Some("eu".to_string()))).unwrap();
        let none = recall(at(3), tenant_lookup, || Ok(None)).unwrap();
        assert_eq!((found.as_deref(), none), (Some("eu"), None));
    }

    #[test]
    fn the_current_snapshot_is_set_only_within() {
        assert_eq!(current(), None);
        within(at(5), || assert_eq!(current(), at(5)));
        assert_eq!(current(), None);
    }
}
