//! The queue in front of argon2: a few slots (argon2 is CPU and memory
//! bound, so more slots than cores only adds waiting), a bounded line per
//! source and in all, and turns handed out round-robin between sources, so
//! a source that sends many requests waits behind its own requests, not in
//! front of everyone else's. A full line answers at once (the caller sends
//! 429 or 503 with Retry-After) instead of letting waiters pile up.

use super::source::Source;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

#[derive(Clone)]
pub struct HashingQueue {
    shared: Arc<Shared>,
}

struct Shared {
    slots: usize,
    per_source: usize,
    total: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    running: usize,
    waiting: usize,
    next_ticket: u64,
    lines: HashMap<Source, VecDeque<(u64, oneshot::Sender<()>)>>,
    /// Sources with someone waiting, in the order their next turn comes.
    rota: VecDeque<Source>,
}

/// The line was full; `waiting` requests were ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full {
    /// True when the whole queue is full, false when only this source's line is.
    pub everyone: bool,
    pub waiting: usize,
}

/// The right to run one hash; the slot frees when it is dropped.
pub struct Turn {
    shared: Arc<Shared>,
}

impl HashingQueue {
    pub fn new(slots: usize, per_source: usize, total: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                slots: slots.max(1),
                per_source: per_source.max(1),
                total: total.max(1),
                state: Mutex::new(State::default()),
            }),
        }
    }

    pub fn slots(&self) -> usize {
        self.shared.slots
    }

    /// Waits for a turn, or says at once that the line is full.
    pub async fn enter(&self, source: Source) -> Result<Turn, Full> {
        let (id, rx) = {
            let mut state = self.shared.lock();
            if state.running < self.shared.slots {
                state.running += 1;
                return Ok(Turn {
                    shared: self.shared.clone(),
                });
            }
            let waiting = state.waiting;
            let queued = state.lines.get(&source).map_or(0, VecDeque::len);
            if queued >= self.shared.per_source {
                return Err(Full {
                    everyone: false,
                    waiting,
                });
            }
            if waiting >= self.shared.total {
                return Err(Full {
                    everyone: true,
                    waiting,
                });
            }
            let (tx, rx) = oneshot::channel();
            let id = state.next_ticket;
            state.next_ticket += 1;
            state.waiting += 1;
            let line = state.lines.entry(source).or_default();
            line.push_back((id, tx));
            if line.len() == 1 {
                state.rota.push_back(source);
            }
            (id, rx)
        };
        let mut ticket = Ticket {
            shared: self.shared.clone(),
            source,
            id,
            rx: Some(rx),
        };
        ticket.wait().await
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot came free: hand it (and any other free ones) to the next
    /// sources in the rota.
    fn release(&self) {
        let mut state = self.lock();
        state.running = state.running.saturating_sub(1);
        while state.running < self.slots {
            let Some(source) = state.rota.pop_front() else {
                break;
            };
            let Some(line) = state.lines.get_mut(&source) else {
                continue;
            };
            let next = line.pop_front();
            let more = !line.is_empty();
            if more {
                state.rota.push_back(source);
            } else {
                state.lines.remove(&source);
            }
            if let Some((_, tx)) = next {
                state.waiting = state.waiting.saturating_sub(1);
                if tx.send(()).is_ok() {
                    state.running += 1;
                }
            }
        }
    }

    /// A waiter gave up (its client went away) before its turn came.
    fn withdraw(&self, source: Source, id: u64) {
        let mut state = self.lock();
        let Some(line) = state.lines.get_mut(&source) else {
            return;
        };
        let before = line.len();
        line.retain(|(t, _)| *t != id);
        let removed = before - line.len();
        if line.is_empty() {
            state.lines.remove(&source);
            state.rota.retain(|s| *s != source);
        }
        state.waiting = state.waiting.saturating_sub(removed);
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.shared.release();
    }
}

/// A place in a line; if dropped while waiting it leaves the line, and if
/// its turn had just been handed over, passes the slot on.
struct Ticket {
    shared: Arc<Shared>,
    source: Source,
    id: u64,
    rx: Option<oneshot::Receiver<()>>,
}

impl Ticket {
    async fn wait(&mut self) -> Result<Turn, Full> {
        let Some(rx) = self.rx.as_mut() else {
            return Err(Full {
                everyone: true,
                waiting: 0,
            });
        };
        let outcome = rx.await;
        self.rx = None;
        match outcome {
            Ok(()) => Ok(Turn {
                shared: self.shared.clone(),
            }),
            // Only if the queue itself went away.
            Err(_) => Err(Full {
                everyone: true,
                waiting: 0,
            }),
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let Some(mut rx) = self.rx.take() else {
            return;
        };
        rx.close();
        if rx.try_recv().is_ok() {
            self.shared.release();
        } else {
            self.shared.withdraw(self.source, self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn source(last: u8) -> Source {
        Source::of(IpAddr::from([127, 0, 0, last]))
    }

    #[tokio::test]
    async fn turns_alternate_between_sources() {
        let queue = HashingQueue::new(1, 8, 64);
        let first = queue.enter(source(1)).await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        // Source 2 queues four requests before source 3 queues two.
        for s in [2, 2, 2, 2, 3, 3] {
            let (queue, order) = (queue.clone(), order.clone());
            waiters.push(tokio::spawn(async move {
                let turn = queue.enter(source(s)).await.unwrap();
                order.lock().unwrap().push(s);
                tokio::task::yield_now().await;
                drop(turn);
            }));
            tokio::task::yield_now().await;
        }
        drop(first);
        for w in waiters {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![2, 3, 2, 3, 2, 2]);
    }

    #[tokio::test]
    async fn a_full_line_answers_at_once() {
        let queue = HashingQueue::new(1, 2, 3);
        let _running = queue.enter(source(1)).await.unwrap();
        let mut held = Vec::new();
        for _ in 0..2 {
            let q = queue.clone();
            held.push(tokio::spawn(
                async move { q.enter(source(2)).await.map(drop) },
            ));
        }
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
        let own = queue.enter(source(2)).await.err().unwrap();
        assert!(!own.everyone);
        let q = queue.clone();
        held.push(tokio::spawn(
            async move { q.enter(source(3)).await.map(drop) },
        ));
        tokio::task::yield_now().await;
        let all = queue.enter(source(4)).await.err().unwrap();
        assert!(all.everyone);
        for h in held {
            h.abort();
        }
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_leaves_the_line() {
        let queue = HashingQueue::new(1, 1, 8);
        let running = queue.enter(source(1)).await.unwrap();
        let q = queue.clone();
        let waiter = tokio::spawn(async move { q.enter(source(2)).await.map(drop) });
        tokio::task::yield_now().await;
        assert!(queue.enter(source(2)).await.is_err());
        waiter.abort();
        let _ = waiter.await;
        drop(running);
        // The slot is free again and source 2's line is empty.
        let _again = queue.enter(source(2)).await.unwrap();
    }
}
