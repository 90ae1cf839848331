//! Where work that may be long runs: large reads, and the answers built
//! from them. It runs on the blocking pool, at most as many at once as the
//! slots allow, and on threads the operating system schedules after the
//! HTTP workers: on a machine whose cores are all busy with large reads, a
//! liveness probe or a small read still gets a core within a time slice
//! instead of taking turns with every large one.

use super::StoreError;
use std::cell::Cell;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// How much less the operating system favours a thread doing large work
/// (a nice value; the HTTP workers keep 0).
const NICENESS: i32 = 10;

/// Runs `work` on the blocking pool once one of `slots` is free. The
/// caller waits for a slot without blocking its worker; the slot travels
/// into the work, so a caller that goes away (a client hanging up) does
/// not free it while the work still runs.
pub async fn run<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let permit = slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| StoreError::Task("the large-work slots are closed".into()))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        yield_to_workers();
        work()
    })
    .await
    .map_err(|_| StoreError::Task("large work panicked".into()))
}

/// Lowers this thread's scheduling priority, once per thread: pool threads
/// are reused, and a thread that has done large work may do more.
fn yield_to_workers() {
    thread_local! {
        static LOWERED: Cell<bool> = const { Cell::new(false) };
    }
    if LOWERED.with(|l| l.replace(true)) {
        return;
    }
    // On Linux, PRIO_PROCESS with id 0 names the calling thread only. A
    // refusal (a sandbox without the right) leaves the priority as it was,
    // which is correct, only less fair.
    // SAFETY: setpriority reads no memory of ours.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICENESS) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn niceness() -> i32 {
        // SAFETY: getpriority reads no memory of ours.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[tokio::test]
    async fn large_work_runs_on_a_thread_the_workers_come_before() {
        let slots = Arc::new(Semaphore::new(1));
        let mine = niceness();
        let theirs = run(&slots, niceness).await.expect("ran");
        assert_eq!(theirs, mine + NICENESS);
        assert_eq!(niceness(), mine, "the caller's thread keeps its priority");
        assert_eq!(slots.available_permits(), 1, "the slot came back");
    }
}
