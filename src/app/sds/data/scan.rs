//! The bound on a filtered read. A filter's cost is the stored values it
//! examines, not the values it answers: a filter nothing matches would
//! otherwise walk a whole stream for an empty answer. So a read examines
//! at most `MAX_FILTER_SCAN` values; a page then ends early with a token
//! where the scan stopped, and a read that cannot page is refused (400
//! naming `filter`).

use crate::app::AppError;
use crate::domain::sds::filter::Filter;
use crate::domain::sds::value_count::MAX_FILTER_SCAN;

pub struct Scan {
    filter: Option<Filter>,
    scanned: usize,
    bound: usize,
    exhausted: bool,
}

impl Scan {
    pub fn new(filter: Option<Filter>) -> Self {
        Self::bounded(filter, MAX_FILTER_SCAN)
    }

    /// A scan of at most `bound` values (smaller in tests).
    pub fn bounded(filter: Option<Filter>, bound: usize) -> Self {
        Self {
            filter,
            scanned: 0,
            bound,
            exhausted: false,
        }
    }

    pub fn filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// Whether a stored value belongs in the answer: every value when
    /// unfiltered; else whether it matches, counting it against the bound.
    /// Past the bound nothing is examined: false, and `exhausted()`.
    pub fn keeps(&mut self, json: &[u8]) -> bool {
        let Some(filter) = &self.filter else {
            return true;
        };
        if self.scanned == self.bound {
            self.exhausted = true;
            return false;
        }
        self.scanned += 1;
        filter.matches_json(json)
    }

    /// Whether the scan stopped at its bound with values left to examine.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// 400 for a read that reached the bound and cannot page.
    pub fn refused(&self, resolution: &str) -> AppError {
        AppError::invalid(
            "filter",
            format!(
                "the filter would examine more than {} stored values; {resolution}",
                self.bound
            ),
        )
    }
}
