//! What readiness reports besides the database: whether the outbox worker
//! is running, and how the last email send went (the transport's last known
//! state). Updated by the worker, read by `/health/ready`.

use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailState {
    /// Nothing sent since start.
    Unknown,
    Ok {
        at: DateTime<Utc>,
    },
    Failing {
        at: DateTime<Utc>,
        error: String,
    },
}

pub struct Health {
    worker_running: AtomicBool,
    mail: Mutex<MailState>,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            worker_running: AtomicBool::new(false),
            mail: Mutex::new(MailState::Unknown),
        }
    }
}

/// Marks the worker running while alive; dropping it (the worker returning
/// or panicking) marks it stopped.
pub struct WorkerAlive<'a>(&'a Health);

impl Drop for WorkerAlive<'_> {
    fn drop(&mut self) {
        self.0.worker_running.store(false, Ordering::SeqCst);
    }
}

impl Health {
    pub fn worker_started(&self) -> WorkerAlive<'_> {
        self.worker_running.store(true, Ordering::SeqCst);
        WorkerAlive(self)
    }

    pub fn worker_running(&self) -> bool {
        self.worker_running.load(Ordering::SeqCst)
    }

    pub fn mail_sent(&self, at: DateTime<Utc>) {
        self.set_mail(MailState::Ok { at });
    }

    pub fn mail_failed(&self, at: DateTime<Utc>, error: &str) {
        self.set_mail(MailState::Failing {
            at,
            error: error.to_string(),
        });
    }

    fn set_mail(&self, state: MailState) {
        if let Ok(mut mail) = self.mail.lock() {
            *mail = state;
        }
    }

    pub fn mail(&self) -> MailState {
        self.mail
            .lock()
            .map(|m| m.clone())
            .unwrap_or(MailState::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_counts_as_stopped_once_its_guard_is_gone() {
        let h = Health::default();
        assert!(!h.worker_running());
        let alive = h.worker_started();
        assert!(h.worker_running());
        drop(alive);
        assert!(!h.worker_running());
    }
}
