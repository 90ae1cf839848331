//! The sign-in throttle (see `auth::throttle`), kept where every instance
//! that serves the store sees it. On redb one process serves, and its
//! buckets live in memory. On PostgreSQL several instances may serve, so
//! the buckets live in the database: failures spread over instances add up
//! to the same budget as failures sent to one.

use crate::auth::source::Source;
use crate::auth::throttle::{Level, Policy, Throttle};
use crate::clock::Clock;
use crate::store::throttles::{self, Bucket};
use crate::store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::time::Duration;

#[derive(Clone)]
pub enum AuthThrottle {
    Local(Throttle),
    Shared(SharedThrottle),
}

/// The buckets in the database, for every instance at once.
#[derive(Clone)]
pub struct SharedThrottle {
    policy: Policy,
    store: Store,
    clock: Clock,
}

impl AuthThrottle {
    pub fn new(
        store: &Store,
        clock: &Clock,
        identity_per_minute: u32,
        source_per_minute: u32,
    ) -> Self {
        match store.redb() {
            Some(_) => Self::Local(Throttle::new(identity_per_minute, source_per_minute)),
            None => Self::Shared(SharedThrottle {
                policy: Policy::new(identity_per_minute, source_per_minute),
                store: store.clone(),
                clock: clock.clone(),
            }),
        }
    }

    /// Ok, or how long to wait before this source may try this identity
    /// again. `identity` must already be canonical.
    pub async fn check(
        &self,
        identity: &str,
        source: Source,
    ) -> Result<Result<(), Duration>, StoreError> {
        match self {
            Self::Local(throttle) => Ok(throttle.check(identity, source)),
            Self::Shared(shared) => shared.check(Keys::of(identity, source)).await,
        }
    }

    pub async fn failed(&self, identity: &str, source: Source) -> Result<(), StoreError> {
        match self {
            Self::Local(throttle) => {
                throttle.failed(identity, source);
                Ok(())
            }
            Self::Shared(shared) => shared.failed(Keys::of(identity, source)).await,
        }
    }

    /// The right secret clears this source's failures for the identity (the
    /// source's own budget keeps counting).
    pub async fn succeeded(&self, identity: &str, source: Source) -> Result<(), StoreError> {
        match self {
            Self::Local(throttle) => {
                throttle.succeeded(identity, source);
                Ok(())
            }
            Self::Shared(shared) => {
                let keys = Keys::of(identity, source);
                let forget =
                    move |tx: &crate::store::WriteTx| throttles::forget(tx, &keys.identity);
                shared.store.write(forget).await
            }
        }
    }
}

impl SharedThrottle {
    async fn check(&self, keys: Keys) -> Result<Result<(), Duration>, StoreError> {
        let now = seconds(&self.clock);
        let [mine, theirs] = {
            let keys = keys.clone();
            self.store
                .read(move |tx| throttles::get(tx, [&keys.identity, &keys.source]))
                .await?
        };
        let before = mine.map(level);
        let mut after = before;
        let answer = self.policy.check(&mut after, theirs.map(level), now);
        if let Some(noted) = after.filter(|_| after != before) {
            // A probe let through, or the first refusal: noted for everyone.
            self.store
                .write(move |tx| throttles::put(tx, &keys.identity, bucket(noted)))
                .await?;
        }
        Ok(answer)
    }

    async fn failed(&self, keys: Keys) -> Result<(), StoreError> {
        let (policy, now) = (self.policy, seconds(&self.clock));
        self.store
            .write(move |tx| {
                let [mine, theirs] = throttles::get(tx, [&keys.identity, &keys.source])?;
                let (mine, theirs) = policy.failed(mine.map(level), theirs.map(level), now);
                throttles::put(tx, &keys.identity, bucket(mine))?;
                throttles::put(tx, &keys.source, bucket(theirs))
            })
            .await
    }
}

/// The rows of one identity from one source, and of the source. The
/// identity is hashed: its length is the caller's to choose.
#[derive(Clone)]
struct Keys {
    identity: String,
    source: String,
}

impl Keys {
    fn of(identity: &str, source: Source) -> Self {
        let digest = Sha256::digest(identity.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Self {
            identity: format!("identity:{hex}@{source}"),
            source: format!("source:{source}"),
        }
    }
}

/// The wall clock, in seconds: the one clock every instance shares.
fn seconds(clock: &Clock) -> f64 {
    clock.now().timestamp_millis() as f64 / 1000.0
}

fn level(b: Bucket) -> Level {
    Level {
        value: b.value,
        at: b.at,
        probed: b.probed,
    }
}

fn bucket(l: Level) -> Bucket {
    Bucket {
        value: l.value,
        at: l.at,
        probed: l.probed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::testing::fresh_database_url;

    fn source() -> Source {
        Source::of(std::net::IpAddr::from([192, 0, 2, 7]))
    }

    /// Two instances on one database: failures sent to either count
    /// against one budget, and a success through either clears it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failures_spread_over_instances_add_up() {
        let Some(url) = fresh_database_url() else {
            eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
            return;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Clock::default();
        let instances: Vec<AuthThrottle> = (0..2)
            .map(|_| {
                let store = Store::open_configured(dir.path(), &url, 2).expect("store");
                AuthThrottle::new(&store, &clock, 4, 100)
            })
            .collect();
        assert!(matches!(instances[0], AuthThrottle::Shared(_)));
        for i in 0..4 {
            let instance = &instances[i % 2];
            assert_eq!(instance.check("client:a", source()).await.unwrap(), Ok(()));
            instance.failed("client:a", source()).await.unwrap();
        }
        for instance in &instances {
            let refused = instance.check("client:a", source()).await.unwrap();
            assert!(
                refused.is_err(),
                "4 failures over two instances fill a budget of 4"
            );
        }
        let other = Source::of(std::net::IpAddr::from([192, 0, 2, 8]));
        assert_eq!(instances[1].check("client:a", other).await.unwrap(), Ok(()));
        instances[1].succeeded("client:a", source()).await.unwrap();
        assert_eq!(
            instances[0].check("client:a", source()).await.unwrap(),
            Ok(())
        );
    }
}
