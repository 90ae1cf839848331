//! Order-preserving keys for stream values. A value's key is the bytes of
//! its index properties, encoded so that comparing bytes compares values:
//! then a window read is one key range, never a scan.
//!
//! - signed integers: big-endian with the sign bit flipped
//! - unsigned integers: big-endian
//! - floating point: IEEE bits, all flipped for negatives, sign flipped otherwise
//! - DateTime: seconds (sign flipped) then nanoseconds, both big-endian
//! - strings: UTF-8 with 0x00 escaped as 0x00 0xFF, ended by 0x00 0x00, so a
//!   shorter string sorts before its extensions and compound keys stay ordered

use super::type_code::KeyKind;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One index property of a stream's type, in key order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPart {
    pub property: String,
    pub kind: KeyKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a value is missing its index property '{0}'")]
    Missing(String),
    #[error("'{text}' is not a valid {what} for index property '{property}'")]
    Invalid {
        property: String,
        text: String,
        what: &'static str,
    },
    #[error("the index has {expected} parts separated by '|', '{text}' has {found}")]
    Parts {
        expected: usize,
        found: usize,
        text: String,
    },
}

/// The key of a JSON value (an object holding the index properties).
pub fn of_value(parts: &[KeyPart], value: &Value) -> Result<Vec<u8>, KeyError> {
    let mut key = Vec::with_capacity(16);
    for part in parts {
        let field = value
            .as_object()
            .and_then(|o| {
                o.get(&part.property).or_else(|| {
                    o.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&part.property))
                        .map(|(_, v)| v)
                })
            })
            .filter(|v| !v.is_null())
            .ok_or_else(|| KeyError::Missing(part.property.clone()))?;
        let text = match field {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        push(&mut key, part, &text)?;
    }
    Ok(key)
}

/// The key of an index written as text, as in `?index=` or `startIndex=`;
/// compound indexes separate their parts with `|`.
pub fn of_text(parts: &[KeyPart], text: &str) -> Result<Vec<u8>, KeyError> {
    let pieces: Vec<&str> = if parts.len() > 1 {
        text.split('|').collect()
    } else {
        vec![text]
    };
    if pieces.len() != parts.len() {
        return Err(KeyError::Parts {
            expected: parts.len(),
            found: pieces.len(),
            text: text.to_string(),
        });
    }
    let mut key = Vec::with_capacity(16);
    for (part, piece) in parts.iter().zip(pieces) {
        push(&mut key, part, piece.trim())?;
    }
    Ok(key)
}

fn push(key: &mut Vec<u8>, part: &KeyPart, text: &str) -> Result<(), KeyError> {
    let invalid = |what| KeyError::Invalid {
        property: part.property.clone(),
        text: text.chars().take(64).collect(),
        what,
    };
    match part.kind {
        KeyKind::Signed => {
            let n = parse_whole(text).ok_or_else(|| invalid("whole number"))?;
            key.extend_from_slice(&((n as u64) ^ (1 << 63)).to_be_bytes());
        }
        KeyKind::Unsigned => {
            let n: u64 = text.parse().map_err(|_| invalid("unsigned whole number"))?;
            key.extend_from_slice(&n.to_be_bytes());
        }
        KeyKind::Float => {
            let f: f64 = text
                .parse()
                .ok()
                .filter(|f: &f64| !f.is_nan())
                .ok_or_else(|| invalid("number"))?;
            let bits = f.to_bits();
            let ordered = if bits >> 63 == 1 {
                !bits
            } else {
                bits ^ (1 << 63)
            };
            key.extend_from_slice(&ordered.to_be_bytes());
        }
        KeyKind::DateTime => {
            let t = parse_time(text).ok_or_else(|| invalid("DateTime"))?;
            key.extend_from_slice(&((t.timestamp() as u64) ^ (1 << 63)).to_be_bytes());
            key.extend_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
        }
        KeyKind::Text => {
            for b in text.bytes() {
                key.push(b);
                if b == 0 {
                    key.push(0xFF);
                }
            }
            key.extend_from_slice(&[0, 0]);
        }
    }
    Ok(())
}

/// Whole numbers, also when written as `5.0` (JSON writers differ).
fn parse_whole(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
            .map(|f| f as i64)
    })
}

/// RFC 3339, or a time without offset (taken as UTC, as SDS does).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d"]
                .iter()
                .find_map(|f| {
                    NaiveDateTime::parse_from_str(text, f).ok().or_else(|| {
                        chrono::NaiveDate::parse_from_str(text, f)
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                    })
                })
                .map(|n| n.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn part(kind: KeyKind) -> Vec<KeyPart> {
        vec![KeyPart {
            property: "K".into(),
            kind,
        }]
    }

    fn sorted(kind: KeyKind, texts: &[&str]) {
        let keys: Vec<Vec<u8>> = texts
            .iter()
            .map(|t| of_text(&part(kind), t).unwrap())
            .collect();
        for pair in keys.windows(2) {
            assert!(pair[0] < pair[1], "{kind:?}: {texts:?} out of order");
        }
    }

    #[test]
    fn keys_sort_as_their_values() {
        sorted(
            KeyKind::Signed,
            &[
                "-9000000000",
                "-2",
                "-1",
                "0",
                "1",
                "255",
                "256",
                "9000000000",
            ],
        );
        sorted(
            KeyKind::Unsigned,
            &["0", "1", "255", "256", "18446744073709551615"],
        );
        sorted(
            KeyKind::Float,
            &["-1e300", "-2.5", "-0.1", "0", "0.1", "2", "10", "1e300"],
        );
        sorted(
            KeyKind::DateTime,
            &[
                "1969-12-31T23:59:59Z",
                "1970-01-01T00:00:00Z",
                "2024-01-01T00:00:00.5Z",
                "2024-01-01T00:00:01Z",
                "2024-01-01T01:00:00+00:00",
            ],
        );
        sorted(
            KeyKind::Text,
            &["", "a", "a\u{0}", "a\u{0}b", "ab", "b", "é"],
        );
    }

    #[test]
    fn values_and_text_give_the_same_key() {
        let parts = part(KeyKind::Signed);
        assert_eq!(
            of_value(&parts, &json!({"K": 42, "V": 1})).unwrap(),
            of_text(&parts, "42").unwrap()
        );
        assert_eq!(
            of_value(&parts, &json!({"k": 42})).unwrap(),
            of_text(&parts, "42.0").unwrap()
        );
        assert!(matches!(
            of_value(&parts, &json!({"V": 1})),
            Err(KeyError::Missing(_))
        ));
        assert!(of_text(&parts, "x").is_err());
    }

    #[test]
    fn compound_keys_order_by_first_part_then_second() {
        let parts = vec![
            KeyPart {
                property: "Order".into(),
                kind: KeyKind::Signed,
            },
            KeyPart {
                property: "Multiplier".into(),
                kind: KeyKind::Signed,
            },
        ];
        let a = of_text(&parts, "2|1").unwrap();
        let b = of_text(&parts, "10|3").unwrap();
        let c = of_text(&parts, "10|8").unwrap();
        assert!(a < b && b < c);
        assert_eq!(
            of_value(&parts, &json!({"Order": 10, "Multiplier": 8})).unwrap(),
            c
        );
        assert!(matches!(of_text(&parts, "2"), Err(KeyError::Parts { .. })));
    }

    #[test]
    fn times_without_offset_are_utc() {
        assert_eq!(
            parse_time("2024-01-01T00:00:00"),
            parse_time("2024-01-01T00:00:00Z")
        );
    }
}
