//! Who read what through a community: per community, reader tenant,
//! shared stream and UTC day, how many read requests came, how many values
//! they answered, and how many were refused. The values themselves are
//! never kept.

use super::ids::{CommunityId, TenantId};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// One counted cell: a reader's reads of one stream on one UTC day.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsageKey {
    pub community: CommunityId,
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub reader: TenantId,
    pub owner: TenantId,
    pub namespace: String,
    /// The stream's id as its owner wrote it.
    pub stream: String,
}

impl UsageKey {
    /// The stream as stored: `namespace/stream id` (neither holds '/').
    pub fn stream_ref(&self) -> String {
        format!("{}/{}", self.namespace, self.stream)
    }
}

/// (namespace, stream id) of a stored `namespace/stream id`.
pub fn split_stream_ref(stream_ref: &str) -> (String, String) {
    match stream_ref.split_once('/') {
        Some((ns, id)) => (ns.to_string(), id.to_string()),
        None => (String::new(), stream_ref.to_string()),
    }
}

/// A counted cell and its counts.
pub type UsageRow = (UsageKey, UsageCounts);

/// What was counted in one cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsageCounts {
    /// Read requests, answered or refused.
    pub requests: u64,
    /// Values the answered requests returned.
    pub values: u64,
    /// Requests refused (rights, visibility, not shared) of a stream that
    /// exists.
    pub refused: u64,
}

impl UsageCounts {
    pub fn answered(values: u64) -> Self {
        Self {
            requests: 1,
            values,
            refused: 0,
        }
    }

    pub fn refused() -> Self {
        Self {
            requests: 1,
            values: 0,
            refused: 1,
        }
    }

    /// Adds `other`, saturating: a counter never wraps to a small number.
    pub fn add(&mut self, other: UsageCounts) {
        self.requests = self.requests.saturating_add(other.requests);
        self.values = self.values.saturating_add(other.values);
        self.refused = self.refused.saturating_add(other.refused);
    }
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// The UTC day number of an instant.
pub fn day_of(at: DateTime<Utc>) -> i64 {
    day_number(at.date_naive())
}

pub fn day_number(date: NaiveDate) -> i64 {
    (date - EPOCH).num_days()
}

/// The date of a day number (clamped to chrono's range).
pub fn date_of(day: i64) -> NaiveDate {
    EPOCH
        .checked_add_signed(chrono::Duration::days(day))
        .unwrap_or(NaiveDate::MAX)
}

/// The first day of the month a day falls in.
pub fn month_start(day: i64) -> i64 {
    let date = date_of(day);
    day_number(date.with_day(1).unwrap_or(date))
}

/// The first day of the month after the one `day` falls in.
pub fn next_month_start(day: i64) -> i64 {
    let date = date_of(day);
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(day + 31, day_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_epoch() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(date_of(day_number(d)), d);
        assert_eq!(day_number(EPOCH), 0);
    }

    #[test]
    fn months_start_on_the_first() {
        let d = day_number(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
        assert_eq!(date_of(month_start(d)).to_string(), "2026-12-01");
        assert_eq!(date_of(next_month_start(d)).to_string(), "2027-01-01");
    }

    #[test]
    fn counts_add_without_wrapping() {
        let mut c = UsageCounts {
            requests: u64::MAX,
            values: 1,
            refused: 0,
        };
        c.add(UsageCounts::answered(2));
        assert_eq!(c.requests, u64::MAX);
        assert_eq!(c.values, 3);
    }
}
