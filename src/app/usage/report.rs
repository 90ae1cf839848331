//! The usage of one community as one member tenant sees it: the reads of
//! its own shared streams (it is the owner) and its own reads (it is the
//! reader), over a range of UTC days, grouped as asked.
//!
//! A reader sees a day's row of a stream only if at least one of its reads
//! that day was answered: a row of refused reads alone would tell it that a
//! stream it may not see exists, which the refusal itself (404) does not.

use crate::app::community_access::in_community;
use crate::app::{AppError, Context};
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::permission::Operation;
use crate::domain::usage::{
    date_of, day_number, month_start, next_month_start, UsageCounts, UsageKey,
};
use crate::store::usage::{self, Row};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// The longest range one request may ask for, in days.
pub const MAX_DAYS: i64 = 366;
/// The range asked for when none is given, in days up to today.
pub const DEFAULT_DAYS: i64 = 30;
/// Stored rows one request may add up; more asks for a shorter range.
pub const MAX_ROWS: usize = 100_000;

/// UTC days `from` through `to`, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRange {
    pub from: i64,
    pub to: i64,
}

/// A date (`2026-12-01`) or a date and time (`2026-12-01T10:00:00Z`, its
/// UTC day).
fn parse_day(field: &str, text: &str) -> Result<i64, AppError> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day_number(date));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| day_number(t.with_timezone(&Utc).date_naive()))
        .map_err(|_| {
            AppError::invalid(
                field,
                "is not an ISO 8601 date (2026-12-01) or date and time (2026-12-01T00:00:00Z)",
            )
        })
}

impl DayRange {
    /// From the `startTime` and `endTime` parameters: the days from the
    /// first's to the second's, at most `MAX_DAYS`; without them, the last
    /// `DEFAULT_DAYS` days up to `today`.
    pub fn parse(start: Option<&str>, end: Option<&str>, today: i64) -> Result<Self, AppError> {
        let start = start.filter(|s| !s.trim().is_empty());
        let end = end.filter(|s| !s.trim().is_empty());
        let to = end.map(|e| parse_day("endTime", e)).transpose()?;
        let from = start.map(|s| parse_day("startTime", s)).transpose()?;
        let to = to.unwrap_or_else(|| from.map_or(today, |f| today.max(f)));
        let from = from.unwrap_or(to - (DEFAULT_DAYS - 1));
        if to < from {
            return Err(AppError::invalid("endTime", "is before startTime"));
        }
        if to - from + 1 > MAX_DAYS {
            let field = if end.is_some() {
                "endTime"
            } else {
                "startTime"
            };
            return Err(AppError::invalid(
                field,
                format!("the range from startTime to endTime is longer than a year ({MAX_DAYS} days); ask for a shorter one"),
            ));
        }
        Ok(Self { from, to })
    }
}

/// How rows are added up (`groupBy`), after AVEVA Data Hub's `UsageGroupBy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// One record for the whole range.
    None,
    /// One record per UTC day.
    Day,
    /// One record per calendar month (clipped to the range).
    Month,
    /// One record per stream, over the range.
    Stream,
    /// One record per reader tenant, over the range.
    ReaderTenant,
    /// One record per day, reader tenant and stream: the rows as counted.
    All,
}

impl GroupBy {
    pub const NAMES: [&'static str; 6] = ["None", "Day", "Month", "Stream", "ReaderTenant", "All"];

    pub fn parse(text: Option<&str>) -> Result<Self, AppError> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let Some(text) = text else {
            return Ok(GroupBy::None);
        };
        let all = [
            GroupBy::None,
            GroupBy::Day,
            GroupBy::Month,
            GroupBy::Stream,
            GroupBy::ReaderTenant,
            GroupBy::All,
        ];
        Self::NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(text))
            .map(|i| all[i])
            .ok_or_else(|| {
                AppError::invalid(
                    "groupBy",
                    format!("must be one of {}", Self::NAMES.join(", ")),
                )
            })
    }
}

/// One reported record: the days it covers (`end` excluded) and, when the
/// grouping keeps them, the reader, owner and stream.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Record {
    pub start: i64,
    pub end: i64,
    pub reader: Option<TenantId>,
    pub owner: Option<TenantId>,
    /// (namespace, stream id)
    pub stream: Option<(String, String)>,
    pub counts: Counts,
}

/// `UsageCounts`, ordered (records sort by their bucket, then counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Counts {
    pub requests: u64,
    pub values: u64,
    pub refused: u64,
}

impl From<UsageCounts> for Counts {
    fn from(c: UsageCounts) -> Self {
        Self {
            requests: c.requests,
            values: c.values,
            refused: c.refused,
        }
    }
}

type Bucket = (
    i64,
    i64,
    Option<TenantId>,
    Option<TenantId>,
    Option<(String, String)>,
);

fn bucket(key: &UsageKey, range: DayRange, by: GroupBy) -> Bucket {
    let whole = (range.from, range.to + 1);
    let stream = || Some((key.namespace.clone(), key.stream.clone()));
    match by {
        GroupBy::None => (whole.0, whole.1, None, None, None),
        GroupBy::Day => (key.day, key.day + 1, None, None, None),
        GroupBy::Month => (
            month_start(key.day).max(range.from),
            next_month_start(key.day).min(range.to + 1),
            None,
            None,
            None,
        ),
        GroupBy::Stream => (whole.0, whole.1, None, Some(key.owner), stream()),
        GroupBy::ReaderTenant => (whole.0, whole.1, Some(key.reader), None, None),
        GroupBy::All => (
            key.day,
            key.day + 1,
            Some(key.reader),
            Some(key.owner),
            stream(),
        ),
    }
}

/// Adds rows up into records of `by`, in order of their time, then
/// reader, owner and stream.
pub fn group(rows: &[Row], range: DayRange, by: GroupBy) -> Vec<Record> {
    let mut sums: BTreeMap<Bucket, UsageCounts> = BTreeMap::new();
    for (key, counts) in rows {
        sums.entry(bucket(key, range, by)).or_default().add(*counts);
    }
    sums.into_iter()
        .map(|((start, end, reader, owner, stream), c)| Record {
            start,
            end,
            reader,
            owner,
            stream,
            counts: c.into(),
        })
        .collect()
}

/// The stored rows of `community` in `range` that the caller's tenant may
/// see. `path_tenant` is the route's `{tenantId}`: the caller's own.
pub async fn rows(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    community: CommunityId,
    range: DayRange,
) -> Result<Vec<Row>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, Some(path_tenant), community)?;
            at.require(Operation::ViewUsage)?;
            let me = caller.tenant;
            let mut found =
                usage::of_tenant_in(tx, community, (range.from, range.to), me, MAX_ROWS + 1)?;
            if found.len() > MAX_ROWS {
                return Err(AppError::invalid(
                    "startTime",
                    format!(
                        "the range holds more than {MAX_ROWS} counted rows; ask for a shorter one"
                    ),
                ));
            }
            found.retain(|(key, c)| key.owner == me || c.requests > c.refused);
            Ok(found)
        })
        .await
}

/// A day number as the instant it starts.
pub fn day_start(day: i64) -> DateTime<Utc> {
    date_of(day).and_time(chrono::NaiveTime::MIN).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn day(text: &str) -> i64 {
        day_number(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn ranges_default_to_the_last_thirty_days() {
        let today = day("2026-12-06");
        let r = DayRange::parse(None, None, today).unwrap();
        assert_eq!((r.from, r.to), (today - 29, today));
    }

    #[test]
    fn dates_and_date_times_name_utc_days() {
        let r = DayRange::parse(
            Some("2026-11-01T23:30:00-02:00"),
            Some("2026-11-30"),
            day("2026-12-06"),
        )
        .unwrap();
        assert_eq!((r.from, r.to), (day("2026-11-02"), day("2026-11-30")));
    }

    fn field_of(e: AppError) -> String {
        match e {
            AppError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reversed_long_and_unreadable_ranges_name_their_field() {
        let today = day("2026-12-06");
        let reversed = DayRange::parse(Some("2026-12-02"), Some("2026-12-01"), today);
        assert_eq!(field_of(reversed.unwrap_err()), "endTime");
        let long = DayRange::parse(Some("2025-01-01"), Some("2026-12-01"), today);
        assert_eq!(field_of(long.unwrap_err()), "endTime");
        let long = DayRange::parse(Some("2024-01-01"), None, today);
        assert_eq!(field_of(long.unwrap_err()), "startTime");
        let bad = DayRange::parse(Some("yesterday"), None, today);
        assert_eq!(field_of(bad.unwrap_err()), "startTime");
        assert!(DayRange::parse(Some("2025-12-06"), Some("2026-12-06"), today).is_ok());
    }

    #[test]
    fn group_names_follow_the_documented_list() {
        assert_eq!(GroupBy::parse(None).unwrap(), GroupBy::None);
        assert_eq!(
            GroupBy::parse(Some("readertenant")).unwrap(),
            GroupBy::ReaderTenant
        );
        assert_eq!(
            field_of(GroupBy::parse(Some("Week")).unwrap_err()),
            "groupBy"
        );
    }

    #[test]
    fn months_are_clipped_to_the_range() {
        let key = UsageKey {
            community: CommunityId(Uuid::nil()),
            day: day("2026-11-20"),
            reader: TenantId(Uuid::nil()),
            owner: TenantId(Uuid::max()),
            namespace: "default".into(),
            stream: "s".into(),
        };
        let range = DayRange {
            from: day("2026-11-10"),
            to: day("2026-12-06"),
        };
        let rows = vec![(key, UsageCounts::answered(5))];
        let months = group(&rows, range, GroupBy::Month);
        assert_eq!(months.len(), 1);
        assert_eq!(
            (months[0].start, months[0].end),
            (day("2026-11-10"), day("2026-12-01"))
        );
        assert_eq!(months[0].counts.values, 5);
    }
}
