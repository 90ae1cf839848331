//! Which queued writes the committer runs next. Every write waits in the
//! queue of its lane (the tenant it is done for, or the service's own
//! work), and each group of writes that shares one durable commit is one
//! round of deficit round robin over the lanes that have writes waiting:
//! each lane in turn is credited `QUANTUM` and gives up writes while its
//! credit covers the next one's cost (the values it writes). So a tenant
//! with many large writes queued gets about the same commit-thread time per
//! round as a tenant with one small write, who waits for at most one round
//! however much the other has queued.
//!
//! This is the order of one process's own work only: nothing in it is
//! state another instance would need to see.

use crate::domain::ids::TenantId;
use std::collections::{HashMap, VecDeque};

/// Whose turn a write waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// The service's own upkeep, and use cases not done for one tenant.
    Service,
    Tenant(TenantId),
}

/// Credit a lane gains per round, in cost units (values written). A lane
/// whose next write costs more gathers credit over rounds, so a write's
/// cost decides how often, not whether, it runs.
pub const QUANTUM: u64 = 1_000;

struct Waiting<J> {
    jobs: VecDeque<(u64, J)>,
    credit: u64,
}

pub struct FairQueue<J> {
    lanes: HashMap<Lane, Waiting<J>>,
    /// Lanes with writes waiting, in the order of their next turn.
    turns: VecDeque<Lane>,
    waiting: usize,
}

impl<J> Default for FairQueue<J> {
    fn default() -> Self {
        Self {
            lanes: HashMap::new(),
            turns: VecDeque::new(),
            waiting: 0,
        }
    }
}

impl<J> FairQueue<J> {
    pub fn push(&mut self, lane: Lane, cost: u64, job: J) {
        let waiting = self.lanes.entry(lane).or_insert_with(|| {
            self.turns.push_back(lane);
            Waiting {
                jobs: VecDeque::new(),
                credit: 0,
            }
        });
        waiting.jobs.push_back((cost.max(1), job));
        self.waiting += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }

    /// Writes waiting, in every lane.
    pub fn len(&self) -> usize {
        self.waiting
    }

    /// The writes of the next round, at most `limit` (and at least one when
    /// any is waiting), split into those that cost at most `small` and the
    /// others, each part in the order the round took them.
    pub fn next_round(&mut self, limit: usize, small: u64) -> (Vec<J>, Vec<J>) {
        let (small, large): (Vec<_>, Vec<_>) = self
            .take_round(limit)
            .into_iter()
            .partition(|(cost, _)| *cost <= small);
        let jobs = |part: Vec<(u64, J)>| part.into_iter().map(|(_, job)| job).collect();
        (jobs(small), jobs(large))
    }

    fn take_round(&mut self, limit: usize) -> Vec<(u64, J)> {
        let mut taken = Vec::new();
        if self.turns.is_empty() || limit == 0 {
            return taken;
        }
        self.skip_empty_rounds();
        for _ in 0..self.turns.len() {
            let Some(lane) = self.turns.pop_front() else {
                break;
            };
            let Some(waiting) = self.lanes.get_mut(&lane) else {
                continue;
            };
            waiting.credit += QUANTUM;
            while taken.len() < limit {
                match waiting.jobs.front() {
                    Some((cost, _)) if *cost <= waiting.credit => {
                        waiting.credit -= cost;
                        if let Some(job) = waiting.jobs.pop_front() {
                            taken.push(job);
                        }
                    }
                    _ => break,
                }
            }
            if waiting.jobs.is_empty() {
                // Credit is for waiting writes only: an idle lane saves none.
                self.lanes.remove(&lane);
            } else {
                self.turns.push_back(lane);
            }
            if taken.len() >= limit {
                break;
            }
        }
        self.waiting -= taken.len();
        taken
    }

    /// Credits every lane the rounds in which none could run its next
    /// write, so a round always takes one without looping through them.
    fn skip_empty_rounds(&mut self) {
        let rounds = self
            .lanes
            .values()
            .filter_map(|w| {
                w.jobs
                    .front()
                    .map(|(cost, _)| cost.saturating_sub(w.credit))
            })
            .map(|short| short.div_ceil(QUANTUM))
            .min()
            .unwrap_or(0);
        let idle = rounds.saturating_sub(1);
        if idle > 0 {
            for waiting in self.lanes.values_mut() {
                waiting.credit = waiting.credit.saturating_add(idle * QUANTUM);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    /// A whole round, in the order taken.
    fn round<J>(queue: &mut FairQueue<J>, limit: usize) -> Vec<J> {
        queue
            .take_round(limit)
            .into_iter()
            .map(|(_, job)| job)
            .collect()
    }

    fn tenant(n: u128) -> Lane {
        Lane::Tenant(TenantId(Uuid::from_u128(n)))
    }

    #[test]
    fn a_small_write_waits_one_round_behind_many_large_ones() {
        let mut queue = FairQueue::default();
        for i in 0..32 {
            queue.push(tenant(1), 5 * QUANTUM, format!("a{i}"));
        }
        queue.push(tenant(2), 1, "b".to_string());
        let mut order = Vec::new();
        while !queue.is_empty() {
            order.push(round(&mut queue, 256));
        }
        let b_round = order.iter().position(|r| r.contains(&"b".into()));
        assert_eq!(b_round, Some(0), "{order:?}");
        assert!(
            order[0].len() <= 2,
            "one round holds one large write: {order:?}"
        );
        let all: Vec<_> = order.concat();
        assert_eq!(all.len(), 33, "nothing is lost");
        assert_eq!(queue.len(), 0);
        let a: Vec<_> = all.iter().filter(|j| j.starts_with('a')).collect();
        let expected: Vec<_> = (0..32).map(|i| format!("a{i}")).collect();
        assert_eq!(
            a,
            expected.iter().collect::<Vec<_>>(),
            "a lane keeps its order"
        );
    }

    #[test]
    fn lanes_share_rounds_by_cost() {
        let mut queue = FairQueue::default();
        for i in 0..100 {
            queue.push(tenant(1), QUANTUM, ("a", i));
            queue.push(tenant(2), QUANTUM / 4, ("b", i));
            queue.push(Lane::Service, 1, ("s", i));
        }
        let round = round(&mut queue, 256);
        let count = |who| round.iter().filter(|(w, _)| *w == who).count();
        assert_eq!((count("a"), count("b"), count("s")), (1, 4, 100));
    }

    #[test]
    fn a_round_splits_into_small_and_large_writes_each_in_order() {
        let mut queue = FairQueue::default();
        queue.push(tenant(1), 1_000, "a1");
        queue.push(tenant(2), 1, "b1");
        queue.push(Lane::Service, 1, "s1");
        queue.push(tenant(2), 1_500, "b2");
        let (small, large) = queue.next_round(256, 100);
        assert_eq!(small, vec!["b1", "s1"]);
        assert_eq!(large, vec!["a1"]);
        assert_eq!(queue.next_round(256, 100), (vec![], vec!["b2"]));
    }

    #[test]
    fn a_round_takes_at_most_the_limit_and_always_one() {
        let mut queue = FairQueue::default();
        for i in 0..10 {
            queue.push(Lane::Service, 1, i);
        }
        assert_eq!(round(&mut queue, 3), vec![0, 1, 2]);
        queue.push(tenant(1), 1_000 * QUANTUM, 99);
        let mut rounds = 0;
        while !round(&mut queue, 256).contains(&99) {
            rounds += 1;
            assert!(rounds < 3, "a costly write still runs soon when alone");
        }
        assert!(queue.is_empty());
        assert!(queue.lanes.is_empty(), "no lane is kept once idle");
    }
}
