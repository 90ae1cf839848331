//! A community's daily invitation quota, spent outside the write that
//! spends it.
//!
//! Every invitation of a community updates that community's one quota row.
//! Inside SERIALIZABLE writes, two such updates at once are always a
//! conflict (the later one must run again), so 64 invitations at once ran
//! about 13 times each. Here the spend is its own short statement on a
//! connection of its own, committed at once: the check and the increment
//! are one atomic `UPDATE ... WHERE used < cap`, so the cap holds whatever
//! runs at the same time, and the row is held only for that statement.
//!
//! The write keeps a ledger of what it spent. Run again after a conflict,
//! it reuses what it spent before instead of spending again; when it fails
//! in the end, or its last run spent less, the rest is given back. Only a
//! crash between the spend and the write's commit loses a spend: the day's
//! cap is then reached one email early, the safe side for a limit against
//! abuse. Spends are committed without waiting for the disk for the same
//! reason (a database crash forgets at most the last instant's).

use super::block::block_on;
use crate::domain::ids::CommunityId;
use crate::store::error::StoreError;
use deadpool_postgres::Pool;
use std::cell::RefCell;

/// One community's day.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Day {
    pub community: CommunityId,
    pub day: i64,
}

/// What one write has spent, over all its runs.
pub(super) struct Ledger<'p> {
    pool: &'p Pool,
    spent: RefCell<Vec<Day>>,
}

/// The check and the spend in one statement; earlier days are forgotten
/// on the way. No row comes back when the day's cap is reached.
const SPEND: &str = "
WITH forgotten AS (
    DELETE FROM invitation_quota WHERE community = $1 AND day < $2
)
INSERT INTO invitation_quota (community, day, used) VALUES ($1, $2, 1)
ON CONFLICT (community, day) DO UPDATE SET used = invitation_quota.used + 1
WHERE invitation_quota.used < $3
RETURNING used";

const REFUND: &str = "
UPDATE invitation_quota SET used = used - $3
WHERE community = $1 AND day = $2 AND used >= $3";

impl<'p> Ledger<'p> {
    /// `pool`'s connections commit without waiting for the disk.
    pub(super) fn new(pool: &'p Pool) -> Self {
        Self {
            pool,
            spent: RefCell::new(Vec::new()),
        }
    }

    /// Spends one of `day`'s `cap` for a run that has already spent
    /// `this_run` (the days it spent, in order). False when the cap is
    /// reached.
    pub(super) fn spend(
        &self,
        this_run: &RefCell<Vec<Day>>,
        day: Day,
        cap: u32,
    ) -> Result<bool, StoreError> {
        let earlier = count(&self.spent.borrow(), day);
        if count(&this_run.borrow(), day) < earlier {
            this_run.borrow_mut().push(day);
            return Ok(true);
        }
        if cap == 0 || !self.spend_now(day, cap)? {
            return Ok(false);
        }
        self.spent.borrow_mut().push(day);
        this_run.borrow_mut().push(day);
        Ok(true)
    }

    fn spend_now(&self, day: Day, cap: u32) -> Result<bool, StoreError> {
        let cap = i32::try_from(cap).unwrap_or(i32::MAX);
        block_on(async {
            let client = self.pool.get().await.map_err(pool_error)?;
            let statement = client.prepare_cached(SPEND).await?;
            let row = client
                .query_opt(&statement, &[&day.community.0, &day.day, &cap])
                .await?;
            Ok(row.is_some())
        })
    }

    /// Gives back what the write's last run did not use: all of it when
    /// the write failed (`used` is None). A refund that fails is logged
    /// and left: the day's cap is then reached early, never late.
    pub(super) fn settle(&self, used: Option<&[Day]>) {
        let spent = self.spent.borrow();
        let mut days: Vec<Day> = Vec::new();
        for day in spent.iter() {
            if !days.contains(day) {
                days.push(*day);
            }
        }
        for day in days {
            let kept = used.map_or(0, |used| count(used, day));
            let back = count(&spent, day).saturating_sub(kept);
            if back > 0 {
                if let Err(e) = self.refund(day, back) {
                    tracing::warn!(error = %e, "an unused invitation quota spend was not given back");
                }
            }
        }
    }

    fn refund(&self, day: Day, n: usize) -> Result<(), StoreError> {
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        block_on(async {
            let client = self.pool.get().await.map_err(pool_error)?;
            let statement = client.prepare_cached(REFUND).await?;
            client
                .execute(&statement, &[&day.community.0, &day.day, &n])
                .await?;
            Ok(())
        })
    }
}

fn count(days: &[Day], day: Day) -> usize {
    days.iter().filter(|d| **d == day).count()
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Task(format!("no connection for the invitation quota: {e}"))
}
