//! Per-key rate limits for token requests and logins (governor's GCRA), so
//! argon2 cannot be used to exhaust the CPU.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Throttle {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Throttle {
    pub fn per_minute(attempts: u32) -> Self {
        let burst = NonZeroU32::new(attempts.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(burst))),
        }
    }

    /// Ok, or how long to wait before the next attempt for this key.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.limiter.retain_recent();
        self.limiter
            .check_key(&key.to_lowercase())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key() {
        let t = Throttle::per_minute(2);
        assert!(t.check("a").is_ok());
        assert!(t.check("A").is_ok());
        assert!(t.check("a").is_err());
        assert!(t.check("b").is_ok());
    }
}
