//! Evaluating a filter's tree on one stored value. Nothing here fails: an
//! operand that is null, missing, of the wrong kind, or a step that has no
//! answer (a division by zero, an overflow, a substring past the end)
//! gives null, and a comparison with null is no match.

use super::bounds::MAX_TEXT_BYTES;
use super::grammar::{Cmp, Expr, Func, Op};
use super::value::{order, Val, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND};
use chrono::{Datelike, Timelike};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Whether `expr` holds for the value whose properties are `event`.
pub fn holds(expr: &Expr, event: &Map<String, Value>) -> bool {
    match expr {
        Expr::And(a, b) => holds(a, event) && holds(b, event),
        Expr::Or(a, b) => holds(a, event) || holds(b, event),
        Expr::Not(a) => !holds(a, event),
        Expr::Compare(op, a, b) => {
            order(&value(a, event), &value(b, event)).is_some_and(|ord| compares(*op, ord))
        }
        other => value(other, event) == Val::Bool(true),
    }
}

fn compares(op: Cmp, ord: Ordering) -> bool {
    match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
    }
}

/// A property of the value: its name as written, else the one name that
/// differs only in case (SDS property ids are not case-sensitive).
fn property(event: &Map<String, Value>, name: &str) -> Val {
    event
        .get(name)
        .or_else(|| {
            event
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .map_or(Val::Null, Val::of_json)
}

fn value(expr: &Expr, event: &Map<String, Value>) -> Val {
    match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Property(name) => property(event, name),
        Expr::And(..) | Expr::Or(..) | Expr::Not(..) | Expr::Compare(..) => {
            Val::Bool(holds(expr, event))
        }
        Expr::Arith(op, a, b) => arith(*op, value(a, event), value(b, event)),
        Expr::Negate(a) => match value(a, event) {
            Val::Int(i) => i.checked_neg().map_or(Val::Null, Val::Int),
            Val::Float(f) => Val::Float(-f),
            _ => Val::Null,
        },
        Expr::Call(func, args) => {
            let args: Vec<Val> = args.iter().map(|a| value(a, event)).collect();
            call(*func, &args).unwrap_or(Val::Null)
        }
    }
}

fn arith(op: Op, a: Val, b: Val) -> Val {
    if let (Val::Int(x), Val::Int(y), false) = (&a, &b, op == Op::Div) {
        let (x, y) = (*x, *y);
        let out = match op {
            Op::Add => x.checked_add(y),
            Op::Sub => x.checked_sub(y),
            Op::Mul => x.checked_mul(y),
            _ => x.checked_rem(y),
        };
        return out.map_or(Val::Null, Val::Int);
    }
    let (Some(x), Some(y)) = (a.number(), b.number()) else {
        return Val::Null;
    };
    // Division is always real division: a stored value does not say
    // whether a whole number was written for a Double property.
    let out = match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
        Op::Mod => x % y,
    };
    if out.is_finite() {
        Val::Float(out)
    } else {
        Val::Null
    }
}

fn text(v: &Val) -> Option<&str> {
    match v {
        Val::Text(s) => Some(s),
        _ => None,
    }
}

/// Text made by a function, unless it outgrows the bound on made text.
fn made(s: String) -> Option<Val> {
    (s.len() <= MAX_TEXT_BYTES).then_some(Val::Text(s))
}

fn whole(v: Option<&Val>) -> Option<usize> {
    match v? {
        Val::Int(i) => usize::try_from(*i).ok(),
        Val::Float(f) if f.fract() == 0.0 && *f >= 0.0 => Some(*f as usize),
        _ => None,
    }
}

fn call(func: Func, args: &[Val]) -> Option<Val> {
    use Func::*;
    let first = args.first()?;
    let second = || args.get(1).and_then(text);
    Some(match func {
        Round | Floor | Ceiling => match first {
            Val::Int(i) => Val::Int(*i),
            Val::Float(f) => Val::Float(match func {
                Round => f.round(),
                Floor => f.floor(),
                _ => f.ceil(),
            }),
            _ => return None,
        },
        EndsWith => Val::Bool(text(first)?.ends_with(second()?)),
        StartsWith => Val::Bool(text(first)?.starts_with(second()?)),
        Contains => Val::Bool(text(first)?.contains(second()?)),
        Length => Val::Int(text(first)?.chars().count() as i128),
        IndexOf => {
            let s = text(first)?;
            let found = s
                .find(second()?)
                .map_or(-1, |b| s[..b].chars().count() as i128);
            Val::Int(found)
        }
        Substring => substring(text(first)?, whole(args.get(1))?, args.get(2))?,
        ToLower => Val::Text(text(first)?.to_lowercase()),
        ToUpper => Val::Text(text(first)?.to_uppercase()),
        Trim => Val::Text(text(first)?.trim().to_string()),
        Concat => made(format!("{}{}", text(first)?, second()?))?,
        Replace => {
            let (from, to) = (second()?, args.get(2).and_then(text)?);
            // As .NET: an empty text to replace is an error, not a match
            // between every character.
            if from.is_empty() {
                return None;
            }
            let s = text(first)?;
            let grows = to.len().saturating_sub(from.len()) * s.matches(from).count();
            if s.len() + grows > MAX_TEXT_BYTES {
                return None;
            }
            Val::Text(s.replace(from, to))
        }
        Year | Month | Day | Hour | Minute | Second => {
            let t = first.time()?;
            Val::Int(i128::from(match func {
                Year => t.year(),
                Month => t.month() as i32,
                Day => t.day() as i32,
                Hour => t.hour() as i32,
                Minute => t.minute() as i32,
                _ => t.second() as i32,
            }))
        }
        Days | Hours | Minutes | Seconds => {
            let ticks = first.span()?;
            // The parts of a TimeSpan as .NET gives them (sign kept).
            Val::Int(i128::from(match func {
                Days => ticks / TICKS_PER_DAY,
                Hours => ticks / TICKS_PER_HOUR % 24,
                Minutes => ticks / TICKS_PER_MINUTE % 60,
                _ => ticks / TICKS_PER_SECOND % 60,
            }))
        }
    })
}

/// Characters from `start`, `length` of them or to the end; none past the
/// end (where .NET would throw).
fn substring(s: &str, start: usize, length: Option<&Val>) -> Option<Val> {
    let total = s.chars().count();
    if start > total {
        return None;
    }
    let length = match length {
        None => total - start,
        Some(v) => whole(Some(v)).filter(|n| start + n <= total)?,
    };
    Some(Val::Text(s.chars().skip(start).take(length).collect()))
}
