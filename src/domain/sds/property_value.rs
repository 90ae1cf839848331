//! One property of an event calculated between two stored events, as SDS's
//! read characteristics describe it for each interpolation mode and kind
//! of value: numbers and times linearly (integers rounded), Booleans from
//! the nearer event, enumerations as 0, everything else (strings, GUIDs,
//! arrays, nested objects) as null where Continuous cannot interpolate.

use super::index_key::parse_time;
use super::index_value::{nanos, time_of_nanos, time_text, whole_json};
use super::read_modes::InterpolationMode;
use serde_json::Value;

/// How a property's values are interpolated, by its `SdsTypeCode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Integers (also nullable): interpolated, then rounded.
    Whole,
    /// Single, Double, Decimal (also nullable).
    Real,
    /// DateTime, DateTimeOffset (also nullable).
    Time,
    /// Boolean: the value of the nearer event.
    Boolean,
    /// Enumerations: 0.
    Enumeration,
    /// Anything that cannot be interpolated.
    Other,
}

impl ValueKind {
    pub fn of_code(code: u16) -> Self {
        match code % 100 {
            _ if code >= 600 && code < 800 => ValueKind::Enumeration,
            _ if code >= 200 => ValueKind::Other,
            5..=12 => ValueKind::Whole,
            13..=15 => ValueKind::Real,
            16 | 20 => ValueKind::Time,
            3 => ValueKind::Boolean,
            _ => ValueKind::Other,
        }
    }
}

/// A property's value at `fraction` of the way from the event before
/// (`from`) to the event after (`to`); `fraction` is `None` when the index
/// has no position (a string or compound index) and so cannot be
/// interpolated.
pub fn between(
    mode: InterpolationMode,
    kind: ValueKind,
    from: Option<&Value>,
    to: Option<&Value>,
    fraction: Option<f64>,
) -> Value {
    let from = from.filter(|v| !v.is_null());
    let to = to.filter(|v| !v.is_null());
    let copy = |v: Option<&Value>| v.cloned().unwrap_or(Value::Null);
    let either_null = from.is_none() || to.is_none();
    match mode {
        InterpolationMode::StepwiseContinuousLeading => copy(from),
        InterpolationMode::StepwiseContinuousTrailing => copy(to),
        InterpolationMode::Discrete => Value::Null,
        InterpolationMode::ContinuousNullableLeading if either_null => copy(from),
        InterpolationMode::ContinuousNullableTrailing if either_null => copy(to),
        _ => match (from, to, fraction) {
            (Some(a), Some(b), Some(f)) => continuous(kind, a, b, f).unwrap_or(Value::Null),
            _ => Value::Null,
        },
    }
}

/// Linear interpolation by kind; `None` where the values cannot be.
fn continuous(kind: ValueKind, a: &Value, b: &Value, f: f64) -> Option<Value> {
    match kind {
        ValueKind::Whole => {
            // The interpolated number rounded, halves to even, as .NET
            // converts a double to an integer type.
            let (x, y) = (whole(a)?, whole(b)?);
            let v = x as f64 + (y - x) as f64 * f;
            Some(whole_json(v.round_ties_even() as i128))
        }
        ValueKind::Real => {
            let (x, y) = (a.as_f64()?, b.as_f64()?);
            let v = x + (y - x) * f;
            Some(Value::from(v))
        }
        ValueKind::Time => {
            let (x, y) = (nanos(&time(a)?), nanos(&time(b)?));
            // .NET times count 100 ns ticks: an interpolated time is one.
            let ticks = (((y - x) as f64 * f) / 100.0).round_ties_even() as i128;
            time_of_nanos(x + ticks * 100).map(|t| Value::String(time_text(&t)))
        }
        ValueKind::Boolean => Some(if f <= 0.5 { a.clone() } else { b.clone() }),
        ValueKind::Enumeration => Some(Value::from(0)),
        ValueKind::Other => None,
    }
}

/// A whole number written as a JSON number (or its text).
fn whole(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().map(|f| f.round() as i128)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn time(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    v.as_str().and_then(parse_time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use InterpolationMode as M;
    use ValueKind as K;

    fn at(mode: M, kind: K, a: Value, b: Value, f: f64) -> Value {
        between(mode, kind, Some(&a), Some(&b), Some(f))
    }

    #[test]
    fn continuous_numbers_are_linear_and_integers_rounded() {
        assert_eq!(
            at(M::Continuous, K::Real, json!(10.0), json!(20.0), 0.25),
            json!(12.5)
        );
        assert_eq!(
            at(M::Continuous, K::Whole, json!(10), json!(20), 0.25),
            json!(12)
        );
        assert_eq!(
            at(M::Continuous, K::Whole, json!(10), json!(20), 0.35),
            json!(14)
        );
        assert_eq!(
            at(M::Continuous, K::Whole, json!(0), json!(5), 0.5),
            json!(2),
            "halves round to even, as .NET does"
        );
        assert_eq!(
            at(M::Continuous, K::Whole, json!(-10), json!(10), 0.75),
            json!(5)
        );
        assert_eq!(
            at(M::Continuous, K::Whole, json!(11), json!(21), 0.25),
            json!(14),
            "the interpolated 13.5 is rounded, not its step"
        );
        assert_eq!(
            at(
                M::Continuous,
                K::Time,
                json!("2024-01-01T00:00:00Z"),
                json!("2024-01-01T00:01:00Z"),
                0.5
            ),
            json!("2024-01-01T00:00:30Z")
        );
    }

    #[test]
    fn other_kinds_follow_the_sds_table() {
        assert_eq!(
            at(M::Continuous, K::Boolean, json!(true), json!(false), 0.5),
            json!(true)
        );
        assert_eq!(
            at(M::Continuous, K::Boolean, json!(true), json!(false), 0.6),
            json!(false)
        );
        assert_eq!(
            at(M::Continuous, K::Enumeration, json!(3), json!(4), 0.5),
            json!(0)
        );
        assert_eq!(
            at(M::Continuous, K::Other, json!("a"), json!("b"), 0.5),
            Value::Null
        );
        assert_eq!(
            between(
                M::Continuous,
                K::Real,
                Some(&json!(1.0)),
                Some(&json!(2.0)),
                None
            ),
            Value::Null,
            "an index without position cannot be interpolated"
        );
    }

    #[test]
    fn each_mode_picks_its_value() {
        let (a, b) = (json!(10.0), json!(20.0));
        assert_eq!(
            at(
                M::StepwiseContinuousLeading,
                K::Real,
                a.clone(),
                b.clone(),
                0.9
            ),
            a
        );
        assert_eq!(
            at(
                M::StepwiseContinuousTrailing,
                K::Real,
                a.clone(),
                b.clone(),
                0.1
            ),
            b
        );
        assert_eq!(
            at(
                M::StepwiseContinuousLeading,
                K::Other,
                json!("s"),
                json!("t"),
                0.9
            ),
            json!("s")
        );
        assert_eq!(
            at(M::Discrete, K::Real, a.clone(), b.clone(), 0.5),
            Value::Null
        );
        assert_eq!(
            at(
                M::ContinuousNullableLeading,
                K::Real,
                a.clone(),
                b.clone(),
                0.5
            ),
            json!(15.0)
        );
        assert_eq!(
            at(
                M::ContinuousNullableTrailing,
                K::Real,
                a.clone(),
                b.clone(),
                0.5
            ),
            json!(15.0)
        );
    }

    #[test]
    fn nulls_stop_continuous_and_choose_a_side_for_nullable_modes() {
        let a = json!(10.0);
        let null = Value::Null;
        assert_eq!(
            at(M::Continuous, K::Real, a.clone(), null.clone(), 0.5),
            Value::Null
        );
        assert_eq!(
            at(
                M::ContinuousNullableLeading,
                K::Real,
                a.clone(),
                null.clone(),
                0.5
            ),
            a
        );
        assert_eq!(
            at(
                M::ContinuousNullableTrailing,
                K::Real,
                a.clone(),
                null.clone(),
                0.5
            ),
            Value::Null
        );
        assert_eq!(
            at(M::ContinuousNullableTrailing, K::Real, null, a.clone(), 0.5),
            a
        );
        assert_eq!(
            between(
                M::ContinuousNullableLeading,
                K::Real,
                None,
                Some(&a),
                Some(0.5)
            ),
            Value::Null,
            "a property missing before is null before"
        );
    }

    #[test]
    fn kinds_come_from_type_codes() {
        assert_eq!(ValueKind::of_code(9), K::Whole);
        assert_eq!(ValueKind::of_code(109), K::Whole);
        assert_eq!(ValueKind::of_code(14), K::Real);
        assert_eq!(ValueKind::of_code(114), K::Real);
        assert_eq!(ValueKind::of_code(16), K::Time);
        assert_eq!(ValueKind::of_code(3), K::Boolean);
        assert_eq!(ValueKind::of_code(609), K::Enumeration);
        assert_eq!(ValueKind::of_code(709), K::Enumeration);
        assert_eq!(ValueKind::of_code(18), K::Other);
        assert_eq!(ValueKind::of_code(214), K::Other);
        assert_eq!(ValueKind::of_code(1), K::Other);
        assert_eq!(ValueKind::of_code(19), K::Other);
    }
}
