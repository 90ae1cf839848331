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
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Keys kept per budget before drained ones are dropped; bounds memory when
/// many sources fail at once.
const MAX_KEYS: usize = 100_000;

/// How often an identity over its budget is still tried, in seconds.
const PROBE_EVERY: f64 = 5.0;

/// One bucket: its failures, drained as of `at`, and when it was last let
/// through while over its budget. Times are seconds on one clock: this
/// process's for `Throttle`, the wall clock for a bucket kept in a database
/// that several instances share.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    pub value: f64,
    pub at: f64,
    pub probed: Option<f64>,
}

/// A leaky bucket's size and how fast it drains.
#[derive(Clone, Copy)]
struct Budget {
    burst: f64,
    per_second: f64,
}

impl Budget {
    fn new(per_minute: u32) -> Self {
        let burst = f64::from(per_minute.max(1));
        Self {
            burst,
            per_second: burst / 60.0,
        }
    }

    fn drained(self, level: Level, now: f64) -> f64 {
        (level.value - (now - level.at).max(0.0) * self.per_second).max(0.0)
    }

    /// How long until one more failure fits, if none fits now.
    fn wait(self, level: Option<Level>, now: f64) -> Option<Duration> {
        let over = self.drained(level?, now) + 1.0 - self.burst;
        (over > 0.0).then(|| Duration::from_secs_f64(over / self.per_second))
    }

    fn add(self, level: Option<Level>, now: f64) -> Level {
        Level {
            value: level.map_or(0.0, |l| self.drained(l, now)) + 1.0,
            at: now,
            probed: level.and_then(|l| l.probed),
        }
    }
}

/// True (and noted in `level`) when a bucket over its budget has not been
/// let through for `PROBE_EVERY`; the first refusal starts the clock.
fn probe(level: &mut Level, now: f64) -> bool {
    match level.probed {
        // A microsecond's slack: times are sums of f64 seconds, and a
        // probe due exactly now must not wait for a rounding error.
        Some(at) if now - at >= PROBE_EVERY - 1e-6 => {
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

/// The two budgets and how they combine, whoever keeps the buckets.
#[derive(Clone, Copy)]
pub struct Policy {
    identity: Budget,
    source: Budget,
}

impl Policy {
    /// `identity_per_minute` failures for one identity from one source,
    /// `source_per_minute` failures from one source over all identities.
    pub fn new(identity_per_minute: u32, source_per_minute: u32) -> Self {
        Self {
            identity: Budget::new(identity_per_minute),
            source: Budget::new(source_per_minute),
        }
    }

    /// Ok, or how long to wait. A probe let through (or the first refusal)
    /// is noted in `identity`, which the caller keeps.
    pub fn check(
        &self,
        identity: &mut Option<Level>,
        source: Option<Level>,
        now: f64,
    ) -> Result<(), Duration> {
        match (
            self.identity.wait(*identity, now),
            self.source.wait(source, now),
        ) {
            (None, None) => Ok(()),
            (Some(_), None) if identity.as_mut().is_none_or(|l| probe(l, now)) => Ok(()),
            (a, b) => Err(a.max(b).unwrap_or_default()),
        }
    }

    /// The identity's and the source's buckets after one more failure.
    pub fn failed(
        &self,
        identity: Option<Level>,
        source: Option<Level>,
        now: f64,
    ) -> (Level, Level) {
        (
            self.identity.add(identity, now),
            self.source.add(source, now),
        )
    }

    /// Whether a bucket has drained empty, so it need not be kept.
    pub fn identity_drained(&self, level: Level, now: f64) -> bool {
        self.identity.drained(level, now) == 0.0
    }
}

/// A cap on requests that cost the server something whatever their outcome
/// (a forgot-password email): `count` per `window`, a leaky bucket like the
/// budgets above, but every request counts and none gets through over the
/// cap (no probes: there is no right answer to let through).
#[derive(Clone, Copy)]
pub struct Allowance(Budget);

impl Allowance {
    pub fn new(count: u32, window: Duration) -> Self {
        let burst = f64::from(count.max(1));
        Self(Budget {
            burst,
            per_second: burst / window.as_secs_f64().max(1.0),
        })
    }

    /// How long until one more request fits, if none fits now.
    pub fn wait(self, level: Option<Level>, now: f64) -> Option<Duration> {
        self.0.wait(level, now)
    }

    /// The bucket after one more request.
    pub fn add(self, level: Option<Level>, now: f64) -> Level {
        self.0.add(level, now)
    }
}

/// Allowances kept by one process, for a store only it uses (redb): one
/// bucket per key, all under the same allowance.
#[derive(Clone)]
pub struct Allowances {
    allowance: Allowance,
    buckets: Arc<Buckets<String>>,
}

impl Allowances {
    pub fn new(allowance: Allowance) -> Self {
        Self {
            allowance,
            buckets: Arc::new(Buckets::new(allowance.0)),
        }
    }

    /// How long until `key` may make one more request, if it may not now.
    pub fn wait(&self, key: &str) -> Option<Duration> {
        let now = seconds(Instant::now());
        self.allowance.wait(self.buckets.get(&key.to_string()), now)
    }

    /// Counts one request of `key`.
    pub fn add(&self, key: &str) {
        let now = seconds(Instant::now());
        let key = key.to_string();
        let level = self.allowance.add(self.buckets.get(&key), now);
        self.buckets.put(key, level, now);
    }
}

/// This process's clock, in seconds.
fn seconds(now: Instant) -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    now.saturating_duration_since(*START.get_or_init(Instant::now))
        .as_secs_f64()
}

/// The buckets of one process, for a store only it uses (redb).
#[derive(Clone)]
pub struct Throttle {
    policy: Policy,
    per_identity: Arc<Buckets<(String, Source)>>,
    per_source: Arc<Buckets<Source>>,
}

impl Throttle {
    pub fn new(identity_per_minute: u32, source_per_minute: u32) -> Self {
        let policy = Policy::new(identity_per_minute, source_per_minute);
        Self {
            policy,
            per_identity: Arc::new(Buckets::new(policy.identity)),
            per_source: Arc::new(Buckets::new(policy.source)),
        }
    }

    /// Ok, or how long to wait before this source may try this identity
    /// again. `identity` must already be canonical.
    pub fn check(&self, identity: &str, source: Source) -> Result<(), Duration> {
        self.check_at(identity, source, Instant::now())
    }

    fn check_at(&self, identity: &str, source: Source, now: Instant) -> Result<(), Duration> {
        let now = seconds(now);
        let pair = (identity.to_string(), source);
        let mut levels = self.per_identity.lock();
        let mut level = levels.get(&pair).copied();
        let answer = self
            .policy
            .check(&mut level, self.per_source.get(&source), now);
        if let Some(level) = level {
            levels.insert(pair, level);
        }
        answer
    }

    pub fn failed(&self, identity: &str, source: Source) {
        let now = seconds(Instant::now());
        let pair = (identity.to_string(), source);
        let (mine, theirs) = self.policy.failed(
            self.per_identity.get(&pair),
            self.per_source.get(&source),
            now,
        );
        self.per_identity.put(pair, mine, now);
        self.per_source.put(source, theirs, now);
    }

    /// The right secret clears this source's failures for the identity (the
    /// source's own budget keeps counting).
    pub fn succeeded(&self, identity: &str, source: Source) {
        self.per_identity
            .lock()
            .remove(&(identity.to_string(), source));
    }
}

struct Buckets<K> {
    budget: Budget,
    levels: Mutex<HashMap<K, Level>>,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn new(budget: Budget) -> Self {
        Self {
            budget,
            levels: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Level>> {
        // A panic elsewhere while holding the lock leaves only counters.
        self.levels.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, key: &K) -> Option<Level> {
        self.lock().get(key).copied()
    }

    fn put(&self, key: K, level: Level, now: f64) {
        let mut levels = self.lock();
        if levels.len() >= MAX_KEYS && !levels.contains_key(&key) {
            let budget = self.budget;
            levels.retain(|_, l| budget.drained(*l, now) > 0.0);
            if levels.len() >= MAX_KEYS {
                // Failing open is the lesser harm: the hashing queue still
                // bounds what the failures cost.
                tracing::warn!("throttle table full; forgetting every failure count");
                levels.clear();
            }
        }
        levels.insert(key, level);
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
        let now = Instant::now();
        let probe = Duration::from_secs_f64(PROBE_EVERY);
        // Refused at first; one try gets through each PROBE_EVERY after.
        assert!(t.check_at("client:a", source(1), now).is_err());
        assert!(t.check_at("client:a", source(1), now + probe / 2).is_err());
        assert!(t.check_at("client:a", source(1), now + probe).is_ok());
        assert!(t
            .check_at("client:a", source(1), now + probe * 3 / 2)
            .is_err());
        assert!(t.check_at("client:a", source(1), now + probe * 2).is_ok());
        // A success clears the identity.
        t.succeeded("client:a", source(1));
        assert!(t.check("client:a", source(1)).is_ok());
        assert!(t.check("client:a", source(1)).is_ok());
    }

    #[test]
    fn an_allowance_counts_every_request_and_lets_none_through_over_it() {
        let a = Allowances::new(Allowance::new(3, Duration::from_secs(3600)));
        for _ in 0..3 {
            assert_eq!(a.wait("reset:x"), None);
            a.add("reset:x");
        }
        let wait = a.wait("reset:x").expect("over the allowance");
        // One request drains in a twentieth of the hour (3 an hour).
        assert!(wait > Duration::from_secs(1100) && wait <= Duration::from_secs(1200));
        assert_eq!(a.wait("reset:y"), None);
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
