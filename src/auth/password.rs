//! argon2id hashes of passwords and client secrets.
//!
//! Verifying is deliberately slow and needs ~19 MiB, so it runs on the
//! blocking pool behind the fair, bounded `HashingQueue`, in one of a fixed
//! set of reused memory buffers (one per slot). Allocating the buffer per
//! verification left each blocking thread's allocator arena holding its
//! ~19 MiB, and resident memory grew with the number of threads.
//!
//! An identity that does not exist has no hash to check. Checking a dummy
//! hash would hide that, but would let anyone burn a full argon2 run per
//! request with made-up ids. Instead the unknown case takes its place in
//! the same queue (so it waits exactly as a real check would), gives its
//! slot back at once, and then sleeps for about as long as recent real
//! checks took. The answer is always "wrong", its timing follows the real
//! one, and it costs the server a timer, not a core.

use super::hashing_queue::{Full, HashingQueue};
use super::source::Source;
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Stored hashes asking for more memory than this are refused rather than
/// run (ours use argon2's default, 19 MiB).
const MAX_MEMORY_BLOCKS: usize = 256 * 1024;

#[derive(Clone)]
pub struct Passwords {
    queue: HashingQueue,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    /// Recent verification time in microseconds (0 until measured).
    typical_micros: Arc<AtomicU64>,
    /// argon2 verifications run so far.
    runs: Arc<AtomicU64>,
}

/// The hashing queue had no room; try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
    /// True when everyone's requests fill the queue (503), false when only
    /// this source's own line is full (429).
    pub everyone: bool,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new(HashingQueue::new(2, 8, 128))
    }
}

impl Passwords {
    pub fn new(queue: HashingQueue) -> Self {
        Self {
            queue,
            memory: Arc::new(Mutex::new(Vec::new())),
            typical_micros: Arc::new(AtomicU64::new(0)),
            runs: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many argon2 verifications this process has run.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Checks `secret` against the stored `hash` of the identity, or against
    /// nothing when the identity does not exist (always false).
    pub async fn verify(
        &self,
        source: Source,
        secret: String,
        hash: Option<String>,
    ) -> Result<bool, Busy> {
        let turn = self.queue.enter(source).await.map_err(|f| self.busy(f))?;
        let typical = self.typical();
        let (hash, known) = match (hash, typical) {
            (Some(hash), _) => (hash, true),
            (None, Some(typical)) => {
                drop(turn);
                tokio::time::sleep(jittered(typical)).await;
                return Ok(false);
            }
            // Nothing measured yet: run one real check against a made-up
            // hash so the first unknown answer is not instant.
            (None, None) => (CALIBRATION_HASH.to_string(), false),
        };
        let started = Instant::now();
        self.runs.fetch_add(1, Ordering::Relaxed);
        let memory = self.memory.clone();
        let matched = tokio::task::spawn_blocking(move || {
            let mut blocks = memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop()
                .unwrap_or_default();
            let matched = verify_in(&secret, &hash, &mut blocks);
            memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(blocks);
            matched
        })
        .await
        .unwrap_or(false);
        self.record(started.elapsed());
        drop(turn);
        Ok(matched && known)
    }

    fn typical(&self) -> Option<Duration> {
        match self.typical_micros.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros)),
        }
    }

    /// Moving average, weighted 1/8 to the newest run.
    fn record(&self, took: Duration) {
        let took = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
        let _ = self
            .typical_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some(if old == 0 { took } else { (old * 7 + took) / 8 })
            });
    }

    fn busy(&self, full: Full) -> Busy {
        let per_run = self.typical().unwrap_or(Duration::from_millis(100));
        let rounds = (full.waiting / self.queue.slots() + 1) as u32;
        let wait = per_run.saturating_mul(rounds);
        Busy {
            retry_after: wait.max(Duration::from_secs(1)),
            everyone: full.everyone,
        }
    }
}

/// A hash of nothing anyone knows, with our parameters, for calibration.
const CALIBRATION_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$Y2FsaWJyYXRpb24tc2FsdA$3lpxzj8gG5zVSPwI3C3Q4f1mLxzJ8y1gE4g8mN0t7xE";

/// Within ±10 %, so the stand-in's timing is not suspiciously exact.
fn jittered(typical: Duration) -> Duration {
    let factor = 0.9 + rand::random::<f64>() * 0.2;
    typical.mul_f64(factor)
}

pub fn hash_now(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Verifies in the caller's memory blocks (grown once if too small), in
/// constant time over the output.
fn verify_in(secret: &str, hash: &str, blocks: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let needed = params.block_count();
    if needed > MAX_MEMORY_BLOCKS {
        return false;
    }
    if blocks.len() < needed {
        blocks.resize(needed, Block::default());
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2
        .hash_password_into_with_memory(secret.as_bytes(), salt, &mut out, &mut blocks[..needed])
        .is_err()
    {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// A random secret for generated passwords and client secrets.
pub fn generate_secret(bytes: usize) -> String {
    use base64::Engine;
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Source {
        Source::of(std::net::IpAddr::from([127, 0, 0, 1]))
    }

    #[test]
    fn reused_memory_verifies_exactly_like_argon2() {
        let hash = hash_now("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let mut blocks = Vec::new();
        assert!(verify_in("correct horse", &hash, &mut blocks));
        assert!(!verify_in("wrong", &hash, &mut blocks));
        assert!(!verify_in("correct horse", "not a hash", &mut blocks));
        assert!(PasswordHash::new(CALIBRATION_HASH).is_ok());
    }

    #[tokio::test]
    async fn unknown_identities_never_match() {
        let p = Passwords::default();
        let hash = hash_now("correct horse").unwrap();
        assert_eq!(
            p.verify(here(), "correct horse".into(), Some(hash.clone()))
                .await,
            Ok(true)
        );
        assert_eq!(
            p.verify(here(), "wrong".into(), Some(hash)).await,
            Ok(false)
        );
        assert_eq!(p.verify(here(), "anything".into(), None).await, Ok(false));
        assert!(p.typical().is_some());
    }

    #[tokio::test]
    async fn the_first_unknown_identity_calibrates_the_stand_in() {
        let p = Passwords::default();
        assert_eq!(p.verify(here(), "x".into(), None).await, Ok(false));
        assert!(
            p.typical().is_some(),
            "the calibration run was not measured"
        );
    }
}
