//! What a filter's operands evaluate to, and how two of them compare.
//!
//! A stored value is JSON: its DateTimes, GUIDs and TimeSpans are text.
//! Text meets a DateTime (GUID, TimeSpan) literal as that kind when it
//! reads as one, so `Time gt 2020-01-01T00:00:00Z` compares instants, not
//! characters. Anything null, missing, of another kind or unreadable
//! compares as no match: `eq` and `ne` alike are false (as SDS does).

use crate::domain::sds::index_key::parse_time;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::cmp::Ordering;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    /// Whole numbers, wide enough for Int64 and UInt64 alike.
    Int(i128),
    Float(f64),
    Text(String),
    Time(DateTime<Utc>),
    Guid(Uuid),
    /// A TimeSpan, in ticks of 100 ns as .NET counts them.
    Span(i64),
}

pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
pub const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
pub const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

impl Val {
    /// A property of a stored value. Arrays and objects are not filterable
    /// (SDS does not filter on them either): they compare as null.
    pub fn of_json(value: &Value) -> Val {
        match value {
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .map(Val::Int)
                .or_else(|| n.as_f64().map(Val::Float))
                .unwrap_or(Val::Null),
            Value::String(s) => Val::Text(s.clone()),
            Value::Null | Value::Array(_) | Value::Object(_) => Val::Null,
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn time(&self) -> Option<DateTime<Utc>> {
        match self {
            Val::Time(t) => Some(*t),
            Val::Text(s) => parse_time(s.trim()),
            _ => None,
        }
    }

    pub fn span(&self) -> Option<i64> {
        match self {
            Val::Span(t) => Some(*t),
            Val::Text(s) => parse_span(s.trim()),
            _ => None,
        }
    }

    fn guid(&self) -> Option<Uuid> {
        match self {
            Val::Guid(g) => Some(*g),
            Val::Text(s) => Uuid::try_parse(s.trim()).ok(),
            _ => None,
        }
    }
}

/// How `a` orders against `b`, when they are comparable.
pub fn order(a: &Val, b: &Val) -> Option<Ordering> {
    use Val::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Int(_) | Float(_), Int(_) | Float(_)) => a.number()?.partial_cmp(&b.number()?),
        (Text(x), Text(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Time(_), Time(_) | Text(_)) | (Text(_), Time(_)) => Some(a.time()?.cmp(&b.time()?)),
        (Guid(_), Guid(_) | Text(_)) | (Text(_), Guid(_)) => Some(a.guid()?.cmp(&b.guid()?)),
        (Span(_), Span(_) | Text(_)) | (Text(_), Span(_)) => Some(a.span()?.cmp(&b.span()?)),
        _ => None,
    }
}

/// A .NET TimeSpan as text: `[-][d.]hh:mm[:ss[.fffffff]]`.
pub fn parse_span(text: &str) -> Option<i64> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut parts = rest.split(':');
    let (first, minutes, seconds) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match first.split_once('.') {
        Some((d, h)) => (whole(d, i64::MAX / TICKS_PER_DAY)?, whole(h, 23)?),
        None => (0, whole(first, 23)?),
    };
    let minutes = whole(minutes, 59)?;
    let (seconds, fraction) = match seconds {
        None => (0, 0),
        Some(s) => match s.split_once('.') {
            Some((s, f)) => (whole(s, 59)?, ticks_of_fraction(f)?),
            None => (whole(s, 59)?, 0),
        },
    };
    let ticks = days
        .checked_mul(TICKS_PER_DAY)?
        .checked_add(hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE)?
        .checked_add(seconds * TICKS_PER_SECOND + fraction)?;
    Some(if negative { -ticks } else { ticks })
}

fn whole(text: &str, most: i64) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|n| *n <= most)
}

/// Up to seven digits of a second, as ticks.
fn ticks_of_fraction(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 7 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{text:0<7}");
    padded.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_of_either_kind_compare_by_value() {
        let big = Val::of_json(&json!(u64::MAX));
        assert_eq!(big, Val::Int(u64::MAX as i128));
        assert_eq!(order(&Val::Int(2), &Val::Float(2.0)), Some(Ordering::Equal));
        assert_eq!(order(&Val::Float(1.5), &Val::Int(2)), Some(Ordering::Less));
        assert_eq!(order(&Val::Null, &Val::Null), None);
        assert_eq!(order(&Val::Text("1".into()), &Val::Int(1)), None);
    }

    #[test]
    fn text_meets_times_guids_and_spans_as_their_kind() {
        let t = Val::Time(parse_time("2020-01-01T01:00:00+01:00").unwrap());
        let text = Val::Text("2020-01-01T00:00:00Z".into());
        assert_eq!(order(&text, &t), Some(Ordering::Equal));
        assert_eq!(order(&Val::Text("soon".into()), &t), None);
        let g = Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
        let upper = Val::Text("6F9619FF-8B86-D011-B42D-00C04FC964FF".into());
        assert_eq!(order(&upper, &Val::Guid(g)), Some(Ordering::Equal));
        assert_eq!(parse_span("01:30:00"), Some(90 * TICKS_PER_MINUTE));
        assert_eq!(
            parse_span("-2.03:04:05.5"),
            Some(-(2 * TICKS_PER_DAY + 3 * TICKS_PER_HOUR + 4 * TICKS_PER_MINUTE + 55_000_000))
        );
        assert_eq!(parse_span("24:00:00"), None);
        assert_eq!(parse_span("1:2:3:4"), None);
    }
}
