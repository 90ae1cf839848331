//! Log lines reach stderr through a buffer that a writer thread empties a
//! few milliseconds after the first line lands in it. Writing each line
//! straight to stderr cost every request a system call, and the HTTP
//! workers queued on stderr's lock: under load about every other request
//! paid a futex call and a context switch for its log line.
//!
//! Lines keep their order. What sits in the buffer (at most `GATHER` worth,
//! or `LIMIT` bytes, past which the logging thread writes it out itself) is
//! written at exit and on a panic; only a SIGKILL can lose it.

use std::io::Write;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long the writer thread lets lines gather before one write.
const GATHER: Duration = Duration::from_millis(5);
/// Past this many buffered bytes (stderr blocked, or a flood of lines) the
/// thread logging writes the buffer itself, so memory stays bounded.
const LIMIT: usize = 1 << 20;

static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static ARRIVED: Condvar = Condvar::new();
/// Held while bytes go to stderr, so two writes never swap places.
static WRITING: Mutex<()> = Mutex::new(());

/// The `MakeWriter` for tracing: each event's formatted text is appended.
#[derive(Clone, Copy, Default)]
pub struct BufferedStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BufferedStderr {
    type Writer = BufferedStderr;

    fn make_writer(&'a self) -> Self::Writer {
        BufferedStderr
    }
}

impl Write for BufferedStderr {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut pending = lock(&PENDING);
        let was_empty = pending.is_empty();
        pending.extend_from_slice(bytes);
        let over = pending.len() > LIMIT;
        drop(pending);
        if over {
            flush();
        } else if was_empty {
            ARRIVED.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes out everything buffered so far. Called at exit and on panic.
pub fn flush() {
    let _writing = lock(&WRITING);
    let bytes = std::mem::take(&mut *lock(&PENDING));
    if !bytes.is_empty() {
        let _ = std::io::stderr().lock().write_all(&bytes);
    }
}

/// Starts the thread that empties the buffer; `telemetry::init` calls it
/// once, before the first line.
pub fn start_writer() {
    // Should the thread not start, lines wait for the limit or for `flush`
    // at exit: logging must never stop the service.
    let _ = std::thread::Builder::new()
        .name("communityd-log".into())
        .spawn(|| loop {
            let mut pending = lock(&PENDING);
            while pending.is_empty() {
                pending = ARRIVED
                    .wait(pending)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            drop(pending);
            std::thread::sleep(GATHER);
            flush();
        });
}

/// A panic while holding a lock must not silence every later line.
fn lock<T>(mutex: &'static Mutex<T>) -> MutexGuard<'static, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kept_in_order_until_flushed() {
        let mut out = BufferedStderr;
        // Held, so the writer thread cannot take the lines meanwhile.
        let writing = lock(&WRITING);
        out.write_all(b"one\n").unwrap();
        out.write_all(b"two\n").unwrap();
        let held = lock(&PENDING).clone();
        drop(writing);
        assert!(held.ends_with(b"one\ntwo\n"), "{held:?}");
        flush();
        assert!(lock(&PENDING).is_empty());
    }
}
