//! What a tenant asks of its audit log (the AuditEvents API, the Audit
//! page and their exports): a time range of at most a year, some kinds,
//! one actor, and a page of events, newest first, after a continuation
//! token. The rules are here once; each interface names its own fields.

use super::audit::{AuditEventId, AuditFilter, AuditKind, AuditPage};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// The longest range one query covers: a year, leap day included. It is
/// what bounds one export.
pub const MAX_RANGE_DAYS: i64 = 366;

/// Events in one page of the list, unless asked otherwise.
pub const DEFAULT_COUNT: usize = 100;
/// The most events one page holds.
pub const MAX_COUNT: usize = 1000;

/// A checked query: the range is never reversed nor longer than a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    /// Inclusive.
    pub from: DateTime<Utc>,
    /// Exclusive.
    pub to: DateTime<Utc>,
    /// None means every kind.
    pub kinds: Vec<AuditKind>,
    /// A user's or client's id.
    pub actor: Option<Uuid>,
    pub count: usize,
    /// The previous page's continuation token: this page starts below it.
    pub after: Option<AuditEventId>,
}

/// What is wrong with a query, by the part at fault; each interface maps
/// the part to its own field name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("is before the start of the range")]
    Reversed,
    #[error("is more than {MAX_RANGE_DAYS} days after the start of the range; ask for at most a year at a time")]
    TooLong,
    #[error("'{0}' is not a kind of audit event")]
    UnknownKind(String),
    #[error("must be a whole number from 1 to {MAX_COUNT}")]
    Count,
    #[error("is not the id of a user or a client")]
    Actor,
    #[error("is not a token this service issued")]
    Token,
}

/// The raw parts of a query, as text, before any rule is applied.
#[derive(Clone, Debug, Default)]
pub struct RawQuery<'a> {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Each value may itself be a comma-separated list.
    pub kinds: Vec<&'a str>,
    pub actor: Option<&'a str>,
    pub count: Option<&'a str>,
    pub token: Option<&'a str>,
}

impl AuditQuery {
    /// `to` defaults to `now`, `from` to a year before `to`.
    pub fn parse(raw: &RawQuery<'_>, now: DateTime<Utc>) -> Result<Self, QueryError> {
        let (from, to) = range(raw.from, raw.to, now)?;
        Ok(Self {
            from,
            to,
            kinds: kinds(&raw.kinds)?,
            actor: present(raw.actor)
                .map(|a| Uuid::try_parse(a).map_err(|_| QueryError::Actor))
                .transpose()?,
            count: count(raw.count)?,
            after: present(raw.token)
                .map(|t| AuditEventId::parse(t).ok_or(QueryError::Token))
                .transpose()?,
        })
    }

    /// The store's filter for this query.
    pub fn filter(&self) -> AuditFilter {
        AuditFilter {
            from: Some(self.from),
            to: Some(self.to),
            kinds: self.kinds.clone(),
            actor: self.actor,
        }
    }

    /// The store's page for this query.
    pub fn page(&self) -> AuditPage {
        AuditPage {
            after: self.after,
            count: self.count,
        }
    }
}

fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn range(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), QueryError> {
    let longest = Duration::days(MAX_RANGE_DAYS);
    let to = to.unwrap_or(now);
    let from = from.unwrap_or(to - longest);
    if to < from {
        return Err(QueryError::Reversed);
    }
    if to - from > longest {
        return Err(QueryError::TooLong);
    }
    Ok((from, to))
}

/// Each kind once, in the order of `AuditKind::ALL`; an unknown name is
/// refused rather than ignored, so a typo never reads as "no events".
fn kinds(values: &[&str]) -> Result<Vec<AuditKind>, QueryError> {
    let mut found = Vec::new();
    for name in values.iter().flat_map(|v| v.split(',')) {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let kind = AuditKind::parse(name)
            .ok_or_else(|| QueryError::UnknownKind(name.chars().take(64).collect()))?;
        found.push(kind);
    }
    found.sort();
    found.dedup();
    Ok(found)
}

fn count(text: Option<&str>) -> Result<usize, QueryError> {
    let Some(text) = present(text) else {
        return Ok(DEFAULT_COUNT);
    };
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(n),
        _ => Err(QueryError::Count),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    #[test]
    fn an_empty_query_is_the_last_year_a_hundred_at_a_time() {
        let q = AuditQuery::parse(&RawQuery::default(), now()).unwrap();
        assert_eq!(q.to, now());
        assert_eq!(q.to - q.from, Duration::days(MAX_RANGE_DAYS));
        assert_eq!(
            (q.kinds.len(), q.actor, q.count, q.after),
            (0, None, 100, None)
        );
    }

    #[test]
    fn a_reversed_or_longer_than_a_year_range_is_refused() {
        let raw = |from: DateTime<Utc>, to: DateTime<Utc>| RawQuery {
            from: Some(from),
            to: Some(to),
            ..RawQuery::default()
        };
        let day = Duration::days(1);
        assert_eq!(
            AuditQuery::parse(&raw(now(), now() - day), now()),
            Err(QueryError::Reversed)
        );
        assert_eq!(
            AuditQuery::parse(&raw(now() - Duration::days(367), now()), now()),
            Err(QueryError::TooLong)
        );
        assert!(AuditQuery::parse(&raw(now() - Duration::days(366), now()), now()).is_ok());
        assert!(AuditQuery::parse(&raw(now(), now()), now()).is_ok());
    }

    #[test]
    fn kinds_come_repeated_or_as_a_list_and_an_unknown_one_is_named() {
        let raw = RawQuery {
            kinds: vec!["Share.Added, membership.paused", "Share.Added"],
            ..RawQuery::default()
        };
        let q = AuditQuery::parse(&raw, now()).unwrap();
        let mut expected = vec![AuditKind::ShareAdded, AuditKind::MembershipPaused];
        expected.sort();
        assert_eq!(q.kinds, expected);
        let raw = RawQuery {
            kinds: vec!["Share.Added,Share.Exploded"],
            ..RawQuery::default()
        };
        assert_eq!(
            AuditQuery::parse(&raw, now()),
            Err(QueryError::UnknownKind("Share.Exploded".into()))
        );
    }

    #[test]
    fn count_actor_and_token_are_checked() {
        let with = |count, actor, token| RawQuery {
            count,
            actor,
            token,
            ..RawQuery::default()
        };
        let parse = |raw: RawQuery<'_>| AuditQuery::parse(&raw, now());
        assert_eq!(parse(with(Some("0"), None, None)), Err(QueryError::Count));
        assert_eq!(
            parse(with(Some("1001"), None, None)),
            Err(QueryError::Count)
        );
        assert_eq!(parse(with(Some("1000"), None, None)).unwrap().count, 1000);
        assert_eq!(parse(with(None, Some("me"), None)), Err(QueryError::Actor));
        assert_eq!(parse(with(None, None, Some("zz"))), Err(QueryError::Token));
        let id = AuditEventId::generate(now());
        let text = id.to_string();
        assert_eq!(
            parse(with(None, None, Some(&text))).unwrap().after,
            Some(id)
        );
    }
}
