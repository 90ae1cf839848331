//! An index read back from its order-preserving key (see `index_key`):
//! the canonical value of each part, its JSON form, and, for a one-part
//! numeric or DateTime index, its position on a line, which is what
//! interpolation and evenly spaced indexes need.

use super::index_key::KeyPart;
use super::type_code::KeyFamily;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// One part of an index, as its key holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexValue {
    /// Signed and unsigned integers.
    Whole(i128),
    Real(f64),
    Time(DateTime<Utc>),
    /// Strings, characters and GUIDs.
    Text(String),
}

/// Where an index lies on a line: exact for integers and times (in
/// nanoseconds), so differences of large values lose nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Position {
    Exact(i128),
    Real(f64),
}

impl Position {
    /// How far `self` lies from `from` towards `to`: 0 at `from`, 1 at `to`.
    /// `None` when `from` and `to` coincide.
    pub fn fraction(self, from: Position, to: Position) -> Option<f64> {
        let (part, whole) = match (self, from, to) {
            (Position::Exact(x), Position::Exact(a), Position::Exact(b)) => {
                ((x - a) as f64, (b - a) as f64)
            }
            _ => (self.real() - from.real(), to.real() - from.real()),
        };
        (whole != 0.0).then(|| part / whole)
    }

    pub fn real(self) -> f64 {
        match self {
            Position::Exact(n) => n as f64,
            Position::Real(f) => f,
        }
    }
}

impl IndexValue {
    pub fn position(&self) -> Option<Position> {
        match self {
            IndexValue::Whole(n) => Some(Position::Exact(*n)),
            IndexValue::Real(f) => Some(Position::Real(*f)),
            IndexValue::Time(t) => Some(Position::Exact(nanos(t))),
            IndexValue::Text(_) => None,
        }
    }

    /// The value as SDS writes it in an event: numbers as numbers, times
    /// as RFC 3339 UTC.
    pub fn json(&self) -> Value {
        match self {
            IndexValue::Whole(n) => whole_json(*n),
            IndexValue::Real(f) => Value::from(*f),
            IndexValue::Time(t) => Value::String(time_text(t)),
            IndexValue::Text(s) => Value::String(s.clone()),
        }
    }

    /// The value as text that `index_key::of_text` reads back to the same
    /// key (one part; compound indexes are not spaced).
    pub fn text(&self) -> String {
        match self {
            IndexValue::Whole(n) => n.to_string(),
            IndexValue::Real(f) => format!("{f:?}"),
            IndexValue::Time(t) => t.to_rfc3339_opts(SecondsFormat::Nanos, true),
            IndexValue::Text(s) => s.clone(),
        }
    }
}

/// A whole number as JSON: `i64` when it fits, else `u64`.
pub fn whole_json(n: i128) -> Value {
    match (i64::try_from(n), u64::try_from(n)) {
        (Ok(i), _) => Value::from(i),
        (_, Ok(u)) => Value::from(u),
        _ => Value::from(n as f64),
    }
}

/// A time as SDS writes one: UTC, with as many fraction digits as needed.
pub fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn nanos(t: &DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

pub fn time_of_nanos(n: i128) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(n.div_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, n.rem_euclid(1_000_000_000) as u32)
}

/// The parts of a key, or `None` when the bytes are not a key of `parts`.
pub fn decode(parts: &[KeyPart], key: &[u8]) -> Option<Vec<IndexValue>> {
    let mut rest = key;
    let mut values = Vec::with_capacity(parts.len());
    for part in parts {
        let (value, after) = decode_part(part, rest)?;
        values.push(value);
        rest = after;
    }
    rest.is_empty().then_some(values)
}

fn take<const N: usize>(bytes: &[u8]) -> Option<([u8; N], &[u8])> {
    let head = bytes.get(..N)?.try_into().ok()?;
    Some((head, &bytes[N..]))
}

fn decode_part<'k>(part: &KeyPart, key: &'k [u8]) -> Option<(IndexValue, &'k [u8])> {
    Some(match part.kind.family() {
        KeyFamily::Signed { .. } => {
            let (b, rest) = take::<8>(key)?;
            let n = (u64::from_be_bytes(b) ^ (1 << 63)) as i64;
            (IndexValue::Whole(n.into()), rest)
        }
        KeyFamily::Unsigned { .. } => {
            let (b, rest) = take::<8>(key)?;
            (IndexValue::Whole(u64::from_be_bytes(b).into()), rest)
        }
        KeyFamily::Float { .. } => {
            let (b, rest) = take::<8>(key)?;
            let bits = u64::from_be_bytes(b);
            let bits = if bits >> 63 == 1 {
                bits ^ (1 << 63)
            } else {
                !bits
            };
            (IndexValue::Real(f64::from_bits(bits)), rest)
        }
        KeyFamily::DateTime => {
            let (s, rest) = take::<8>(key)?;
            let (n, rest) = take::<4>(rest)?;
            let secs = (u64::from_be_bytes(s) ^ (1 << 63)) as i64;
            let t = DateTime::from_timestamp(secs, u32::from_be_bytes(n))?;
            (IndexValue::Time(t), rest)
        }
        KeyFamily::Text | KeyFamily::Char | KeyFamily::Guid => decode_text(key)?,
    })
}

/// Text up to its `0x00 0x00` end, with `0x00 0xFF` read as `0x00`.
fn decode_text(key: &[u8]) -> Option<(IndexValue, &[u8])> {
    let mut bytes = Vec::new();
    let mut i = 0;
    loop {
        match (key.get(i)?, key.get(i + 1)) {
            (0, Some(0)) => break,
            (0, Some(0xFF)) => {
                bytes.push(0);
                i += 2;
            }
            (0, _) => return None,
            (b, _) => {
                bytes.push(*b);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    Some((IndexValue::Text(text), &key[i + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sds::index_key::of_text;
    use crate::domain::sds::type_code::KeyKind;

    fn one(kind: KeyKind, text: &str) -> IndexValue {
        let parts = [KeyPart {
            property: "K".into(),
            kind,
        }];
        let mut values = decode(&parts, &of_text(&parts, text).unwrap()).unwrap();
        values.pop().unwrap()
    }

    #[test]
    fn keys_read_back_as_their_values() {
        assert_eq!(one(KeyKind::Int32, "-42"), IndexValue::Whole(-42));
        assert_eq!(
            one(KeyKind::Unsigned, "18446744073709551615"),
            IndexValue::Whole(u64::MAX.into())
        );
        assert_eq!(one(KeyKind::Float, "-2.5"), IndexValue::Real(-2.5));
        assert_eq!(one(KeyKind::Float, "0.125"), IndexValue::Real(0.125));
        assert_eq!(
            one(KeyKind::DateTime, "2024-01-01T00:00:00.5+01:00").json(),
            Value::String("2023-12-31T23:00:00.500Z".into())
        );
        assert_eq!(
            one(KeyKind::Text, "a\u{0}b"),
            IndexValue::Text("a\u{0}b".into())
        );
        assert_eq!(whole_json(u64::MAX.into()), Value::from(u64::MAX));
    }

    #[test]
    fn compound_keys_read_back_part_by_part() {
        let parts = [
            KeyPart {
                property: "A".into(),
                kind: KeyKind::Text,
            },
            KeyPart {
                property: "B".into(),
                kind: KeyKind::Int32,
            },
        ];
        let key = of_text(&parts, "x\\|y|7").unwrap();
        assert_eq!(
            decode(&parts, &key).unwrap(),
            [IndexValue::Text("x|y".into()), IndexValue::Whole(7)]
        );
        assert_eq!(decode(&parts, &key[..key.len() - 1]), None);
    }

    #[test]
    fn positions_measure_fractions_exactly() {
        let t = |s: &str| one(KeyKind::DateTime, s).position().unwrap();
        let f = t("2024-01-01T00:00:15Z")
            .fraction(t("2024-01-01T00:00:00Z"), t("2024-01-01T00:01:00Z"))
            .unwrap();
        assert_eq!(f, 0.25);
        let big = Position::Exact(i128::from(i64::MAX) - 2);
        let f = big
            .fraction(
                Position::Exact(i128::from(i64::MAX) - 4),
                Position::Exact(i128::from(i64::MAX)),
            )
            .unwrap();
        assert_eq!(f, 0.5, "large integers keep their differences");
        assert_eq!(
            Position::Real(1.0).fraction(Position::Real(1.0), Position::Real(1.0)),
            None
        );
        assert_eq!(one(KeyKind::Text, "a").position(), None);
    }

    #[test]
    fn text_names_the_same_key_again() {
        for (kind, text) in [
            (KeyKind::Float, "0.1"),
            (KeyKind::Float, "-1e300"),
            (KeyKind::DateTime, "2024-05-06T07:08:09.123456789Z"),
            (KeyKind::Signed, "-9000000000"),
        ] {
            let value = one(kind, text);
            assert_eq!(one(kind, &value.text()), value, "{text}");
        }
    }
}
