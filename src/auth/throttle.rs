//! Failure budgets for token requests and password logins, so guessing
//! secrets is slow and cannot be used to burn the CPU.
//!
//! Only failures count, and they count twice: against the identity as tried
//! from one source (an attacker elsewhere cannot spend the owner's budget,
//! so a correct secret from the owner's own address is never blocked by
//! others' failures), and against the source alone, with a larger budget (so
//! one address cannot spray many identities). Each budget is a leaky bucket
//! that drains evenly over a minute.
//!
//! Behind one shared address (a proxy that names no client, a NAT) others'
//! failures do fill the owner's identity budget. So an identity over its
//! own budget (with its source's budget left) is still tried once every
//! `PROBE_EVERY` from its first refusal, and a success clears it: a correct secret gets through
//! within seconds, and guessing stays as slow as the probe.

use super::source::Source;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys kept per budget before drained ones are dropped; bounds memory when
/// many sources fail at once.
const MAX_KEYS: usize = 100_000;

/// How often an identity over its budget is still tried.
const PROBE_EVERY: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Throttle {
    per_identity: Arc<Buckets<(String, Source)>>,
    per_source: Arc<Buckets<Source>>,
}

impl Throttle {
    /// `identity_per_minute` failures for one identity from one source,
    /// `source_per_minute` failures from one source over all identities.
    pub fn new(identity_per_minute: u32, source_per_minute: u32) -> Self {
        Self {
            per_identity: Arc::new(Buckets::new(identity_per_minute)),
            per_source: Arc::new(Buckets::new(source_per_minute)),
        }
    }

    /// Ok, or how long to wait before this source may try this identity
    /// again. `identity` must already be canonical.
    pub fn check(&self, identity: &str, source: Source) -> Result<(), Duration> {
        let now = Instant::now();
        let pair = (identity.to_string(), source);
        match (
            self.per_identity.wait(&pair, now),
            self.per_source.wait(&source, now),
        ) {
            (None, None) => Ok(()),
            (Some(_), None) if self.per_identity.probe(&pair, now) => Ok(()),
            (a, b) => Err(a.max(b).unwrap_or_default()),
        }
    }

    pub fn failed(&self, identity: &str, source: Source) {
        let now = Instant::now();
        self.per_identity.add((identity.to_string(), source), now);
        self.per_source.add(source, now);
    }

    /// The right secret clears this source's failures for the identity (the
    /// source's own budget keeps counting).
    pub fn succeeded(&self, identity: &str, source: Source) {
        self.per_identity.forget(&(identity.to_string(), source));
    }
}

struct Buckets<K> {
    burst: f64,
    per_second: f64,
    levels: Mutex<HashMap<K, Level>>,
}

#[derive(Clone, Copy)]
struct Level {
    value: f64,
    at: Instant,
    /// When this key was last let through while over its budget.
    probed: Option<Instant>,
}

impl Level {
    fn drained(self, per_second: f64, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        (self.value - elapsed * per_second).max(0.0)
    }
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn new(per_minute: u32) -> Self {
        let burst = f64::from(per_minute.max(1));
        Self {
            burst,
            per_second: burst / 60.0,
            levels: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Level>> {
        // A panic elsewhere while holding the lock leaves only counters.
        self.levels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long until one more failure fits, if none fits now.
    fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let level = self.lock().get(key)?.drained(self.per_second, now);
        let over = level + 1.0 - self.burst;
        (over > 0.0).then(|| Duration::from_secs_f64(over / self.per_second))
    }

    fn add(&self, key: K, now: Instant) {
        let mut levels = self.lock();
        if levels.len() >= MAX_KEYS && !levels.contains_key(&key) {
            let per_second = self.per_second;
            levels.retain(|_, l| l.drained(per_second, now) > 0.0);
            if levels.len() >= MAX_KEYS {
                // Failing open is the lesser harm: the hashing queue still
                // bounds what the failures cost.
                tracing::warn!("throttle table full; forgetting every failure count");
                levels.clear();
            }
        }
        let (value, probed) = levels
            .get(&key)
            .map_or((0.0, None), |l| (l.drained(self.per_second, now), l.probed));
        levels.insert(
            key,
            Level {
                value: value + 1.0,
                at: now,
                probed,
            },
        );
    }

    /// True (and noted) when `key`, over its budget, has not been let
    /// through for `PROBE_EVERY`; the first refusal starts the clock.
    fn probe(&self, key: &K, now: Instant) -> bool {
        let mut levels = self.lock();
        let Some(level) = levels.get_mut(key) else {
            return true;
        };
        match level.probed {
            Some(at) if now.saturating_duration_since(at) >= PROBE_EVERY => {
                level.probed = Some(now);
                true
            }
            Some(_) => false,
            None => {
                level.probed = Some(now);
                false
            }
        }
    }

    fn forget(&self, key: &K) {
        self.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(last: u8) -> Source {
        Source::of(std::net::IpAddr::from([127, 0, 0, last]))
    }

    #[test]
    fn failures_count_per_identity_and_source() {
        let t = Throttle::new(2, 100);
        let (mine, theirs) = (source(1), source(2));
        t.failed("client:a", theirs);
        t.failed("client:a", theirs);
        assert!(t.check("client:a", theirs).is_err());
        // Another source's failures leave the owner's budget alone.
        assert!(t.check("client:a", mine).is_ok());
        assert!(t.check("client:b", theirs).is_ok());
    }

    #[test]
    fn a_source_spraying_identities_runs_out_of_its_own_budget() {
        let t = Throttle::new(5, 3);
        for i in 0..3 {
            t.failed(&format!("client:{i}"), source(2));
        }
        let wait = t.check("client:new", source(2)).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(t.check("client:new", source(1)).is_ok());
    }

    #[test]
    fn an_identity_over_its_budget_is_still_tried_at_a_fixed_rate() {
        let t = Throttle::new(2, 100);
        for _ in 0..5 {
            t.failed("client:a", source(1));
        }
        let pair = ("client:a".to_string(), source(1));
        let now = Instant::now();
        // Refused at first; one try gets through each PROBE_EVERY after.
        assert!(!t.per_identity.probe(&pair, now));
        assert!(!t.per_identity.probe(&pair, now + PROBE_EVERY / 2));
        assert!(t.per_identity.probe(&pair, now + PROBE_EVERY));
        assert!(!t.per_identity.probe(&pair, now + PROBE_EVERY * 3 / 2));
        assert!(t.per_identity.probe(&pair, now + PROBE_EVERY * 2));
        // A success clears the identity.
        t.succeeded("client:a", source(1));
        assert!(t.check("client:a", source(1)).is_ok());
        assert!(t.check("client:a", source(1)).is_ok());
    }

    #[test]
    fn success_clears_the_identity_budget_from_that_source() {
        let t = Throttle::new(1, 100);
        t.failed("login:x", source(1));
        assert!(t.check("login:x", source(1)).is_err());
        t.succeeded("login:x", source(1));
        assert!(t.check("login:x", source(1)).is_ok());
    }
}
