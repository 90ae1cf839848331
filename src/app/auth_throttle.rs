//! The sign-in throttle (see `auth::throttle`), kept where every instance
//! that serves the store sees it. On redb one process serves, and its
//! buckets live in memory. On PostgreSQL several instances may serve, so
//! the buckets live in the database: failures spread over instances add up
//! to the same budget as failures sent to one.

use crate::auth::source::Source;
use crate::auth::throttle::{Allowance, Allowances, Level, Policy, Throttle};
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

/// Forgot-password requests allowed per email address (whoever asks: one
/// mailbox cannot be flooded from many sources) and per source (whatever
/// addresses it asks for). Every request counts, found or not, so the
/// throttle says nothing about which addresses have accounts. Kept like
/// the sign-in throttle: in memory on redb, in the database on PostgreSQL.
#[derive(Clone)]
pub enum ResetThrottle {
    Local {
        per_address: Allowances,
        per_source: Allowances,
    },
    Shared {
        per_address: Allowance,
        per_source: Allowance,
        store: Store,
        clock: Clock,
    },
}

impl ResetThrottle {
    pub fn new(
        store: &Store,
        clock: &Clock,
        per_address: u32,
        per_source: u32,
        window: Duration,
    ) -> Self {
        let (per_address, per_source) = (
            Allowance::new(per_address, window),
            Allowance::new(per_source, window),
        );
        match store.redb() {
            Some(_) => Self::Local {
                per_address: Allowances::new(per_address),
                per_source: Allowances::new(per_source),
            },
            None => Self::Shared {
                per_address,
                per_source,
                store: store.clone(),
                clock: clock.clone(),
            },
        }
    }

    /// Counts one request for `address` (canonical) from `source`, or says
    /// how long to wait, counting nothing.
    pub async fn take(
        &self,
        address: &str,
        source: Source,
    ) -> Result<Result<(), Duration>, StoreError> {
        let address_key = format!("password-reset:{}", hex_digest(address));
        let source_key = format!("password-reset-source:{source}");
        match self {
            Self::Local {
                per_address,
                per_source,
            } => {
                let wait = per_address
                    .wait(&address_key)
                    .max(per_source.wait(&source_key));
                if let Some(wait) = wait {
                    return Ok(Err(wait));
                }
                per_address.add(&address_key);
                per_source.add(&source_key);
                Ok(Ok(()))
            }
            Self::Shared {
                per_address,
                per_source,
                store,
                clock,
            } => {
                let (per_address, per_source, now) = (*per_address, *per_source, seconds(clock));
                // One write transaction: requests at once on several
                // instances are counted one after the other.
                store
                    .write(move |tx| {
                        let [mine, theirs] = throttles::get(tx, [&address_key, &source_key])?;
                        let (mine, theirs) = (mine.map(level), theirs.map(level));
                        let wait = per_address
                            .wait(mine, now)
                            .max(per_source.wait(theirs, now));
                        if let Some(wait) = wait {
                            return Ok(Err(wait));
                        }
                        throttles::put(tx, &address_key, bucket(per_address.add(mine, now)))?;
                        throttles::put(tx, &source_key, bucket(per_source.add(theirs, now)))?;
                        Ok(Ok(()))
                    })
                    .await
            }
        }
    }
}

fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
        let hex = hex_digest(identity);
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

    /// Forgot-password requests for one address from two sources, sent to
    /// two instances, count against one allowance; another address from
    /// the same sources is still served until a source's own allowance runs
    /// out.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reset_requests_spread_over_instances_add_up() {
        let Some(url) = fresh_database_url() else {
            eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
            return;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Clock::default();
        let hour = Duration::from_secs(3600);
        let instances: Vec<ResetThrottle> = (0..2)
            .map(|_| {
                let store = Store::open_configured(dir.path(), &url, 2).expect("store");
                ResetThrottle::new(&store, &clock, 3, 5, hour)
            })
            .collect();
        assert!(matches!(instances[0], ResetThrottle::Shared { .. }));
        let other = Source::of(std::net::IpAddr::from([192, 0, 2, 8]));
        for (i, from) in [source(), other, source()].into_iter().enumerate() {
            let took = instances[i % 2].take("a@x.example", from).await.unwrap();
            assert_eq!(took, Ok(()));
        }
        for instance in &instances {
            let refused = instance.take("a@x.example", other).await.unwrap();
            assert!(refused.is_err(), "3 requests fill the address's allowance");
        }
        assert_eq!(
            instances[1].take("b@x.example", source()).await.unwrap(),
            Ok(())
        );
        assert_eq!(
            instances[0].take("c@x.example", source()).await.unwrap(),
            Ok(())
        );
        // source() has made 4 counted requests of its 5; refused ones did not count.
        assert_eq!(
            instances[1].take("d@x.example", source()).await.unwrap(),
            Ok(())
        );
        assert!(instances[0]
            .take("e@x.example", source())
            .await
            .unwrap()
            .is_err());
    }
}
