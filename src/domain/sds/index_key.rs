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
//!
//! Each value has exactly one key, whoever writes it and however: `-0.0`
//! is `0.0`, `5.0` in a whole-number index is `5`, a time is its instant, a
//! GUID its canonical form; NaN, infinities and numbers outside the
//! property's type are refused. A string is taken exactly as written (outer
//! spaces too), and in a compound index written as text, `\|` is a `|`
//! inside a part and `\\` a backslash: so whatever a write stores can be
//! named again by `?index=` to read or delete it.
//!
//! Values written before keys were canonical: a `-0.0` float key stays
//! where it is (a window or range that spans zero reads and removes it);
//! strings with outer spaces, once unreachable by index, now are.

use super::type_code::{KeyFamily, KeyKind};
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
        what: String,
    },
    #[error(
        "the index has {expected} parts separated by '|' (write '\\|' for a '|' inside a part), '{text}' has {found}"
    )]
    Parts {
        expected: usize,
        found: usize,
        text: String,
    },
    #[error("the index is {found} bytes long once encoded; at most {MAX_KEY_BYTES} are allowed")]
    TooLong { found: usize },
}

/// The longest index key either backend stores (PostgreSQL's schema checks
/// the same bound), so a value cannot choose the size of a key.
pub const MAX_KEY_BYTES: usize = 1024;

fn bounded(key: Vec<u8>) -> Result<Vec<u8>, KeyError> {
    match key.len() {
        n if n > MAX_KEY_BYTES => Err(KeyError::TooLong { found: n }),
        _ => Ok(key),
    }
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
    bounded(key)
}

/// The key of an index written as text, as in `?index=` or `startIndex=`;
/// compound indexes separate their parts with `|` (see the module's notes).
pub fn of_text(parts: &[KeyPart], text: &str) -> Result<Vec<u8>, KeyError> {
    let pieces: Vec<String> = if parts.len() > 1 {
        split_compound(text)
    } else {
        vec![text.to_string()]
    };
    if pieces.len() != parts.len() {
        return Err(KeyError::Parts {
            expected: parts.len(),
            found: pieces.len(),
            text: text.chars().take(64).collect(),
        });
    }
    let mut key = Vec::with_capacity(16);
    for (part, piece) in parts.iter().zip(&pieces) {
        // Strings are exact; other values may be padded.
        let piece = match part.kind.family() {
            KeyFamily::Text | KeyFamily::Char => piece.as_str(),
            _ => piece.trim(),
        };
        push(&mut key, part, piece)?;
    }
    bounded(key)
}

/// Splits a compound index's text at each `|` not escaped by `\`, and
/// unescapes `\|` and `\\`; any other backslash is kept as written.
fn split_compound(text: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let current = pieces.last_mut().expect("never empty");
        match (c, chars.peek()) {
            ('\\', Some(&next)) if next == '|' || next == '\\' => {
                current.push(next);
                chars.next();
            }
            ('|', _) => pieces.push(String::new()),
            _ => current.push(c),
        }
    }
    pieces
}

/// The text that names a string value inside a compound index.
pub fn escape_part(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|")
}

fn push(key: &mut Vec<u8>, part: &KeyPart, text: &str) -> Result<(), KeyError> {
    let invalid = |what: String| KeyError::Invalid {
        property: part.property.clone(),
        text: text.chars().take(64).collect(),
        what,
    };
    let name = part.kind.name();
    match part.kind.family() {
        KeyFamily::Signed { min, max } => {
            let n = parse_whole(text)
                .and_then(|n| i64::try_from(n).ok())
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| invalid(format!("{name} (a whole number from {min} to {max})")))?;
            key.extend_from_slice(&((n as u64) ^ (1 << 63)).to_be_bytes());
        }
        KeyFamily::Unsigned { max } => {
            let n = parse_whole(text)
                .and_then(|n| u64::try_from(n).ok())
                .filter(|n| *n <= max)
                .ok_or_else(|| invalid(format!("{name} (a whole number from 0 to {max})")))?;
            key.extend_from_slice(&n.to_be_bytes());
        }
        KeyFamily::Float { max, single } => {
            let f = text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && f.abs() <= max)
                .map(|f| if single { f64::from(f as f32) } else { f })
                .ok_or_else(|| invalid(format!("{name} (a finite number up to {max:e})")))?;
            key.extend_from_slice(&float_bits(f).to_be_bytes());
        }
        KeyFamily::DateTime => {
            let t = parse_time(text).ok_or_else(|| invalid("DateTime".into()))?;
            key.extend_from_slice(&((t.timestamp() as u64) ^ (1 << 63)).to_be_bytes());
            key.extend_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
        }
        KeyFamily::Text => push_text(key, text),
        KeyFamily::Char => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(_), None) => push_text(key, text),
                _ => return Err(invalid("Char (exactly one character)".into())),
            }
        }
        KeyFamily::Guid => {
            let id = uuid::Uuid::try_parse(text.trim()).map_err(|_| invalid("Guid".into()))?;
            push_text(key, &id.hyphenated().to_string());
        }
    }
    Ok(())
}

/// Ordered bits of a finite float, with `-0.0` keyed as `0.0`.
fn float_bits(f: f64) -> u64 {
    let bits = if f == 0.0 { 0 } else { f.to_bits() };
    if bits >> 63 == 1 {
        !bits
    } else {
        bits ^ (1 << 63)
    }
}

fn push_text(key: &mut Vec<u8>, text: &str) {
    for b in text.bytes() {
        key.push(b);
        if b == 0 {
            key.push(0xFF);
        }
    }
    key.extend_from_slice(&[0, 0]);
}

/// Whole numbers, also when written as `5.0` or `5e3` (JSON writers differ).
fn parse_whole(text: &str) -> Option<i128> {
    text.parse::<i128>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1.9e19)
            .map(|f| f as i128)
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
        let long = "x".repeat(MAX_KEY_BYTES + 1);
        let text_part = [KeyPart {
            property: "Name".into(),
            kind: KeyKind::Text,
        }];
        assert!(matches!(
            of_text(&text_part, &long),
            Err(KeyError::TooLong { found }) if found > MAX_KEY_BYTES
        ));
        let fits = "x".repeat(MAX_KEY_BYTES - 8);
        assert!(of_text(&text_part, &fits).is_ok(), "a key within the bound");
        let value = serde_json::json!({ "Name": long });
        assert!(matches!(
            of_value(&text_part, &value),
            Err(KeyError::TooLong { .. })
        ));
    }

    fn key(kind: KeyKind, text: &str) -> Result<Vec<u8>, KeyError> {
        of_text(&part(kind), text)
    }

    #[test]
    fn each_number_has_one_key() {
        for kind in [KeyKind::Float, KeyKind::Single, KeyKind::Decimal] {
            assert_eq!(key(kind, "-0.0").unwrap(), key(kind, "0").unwrap());
            assert_eq!(
                of_value(&part(kind), &json!({"K": -0.0})).unwrap(),
                key(kind, "0.0").unwrap()
            );
            for bad in ["NaN", "inf", "-infinity", "1e400"] {
                assert!(key(kind, bad).is_err(), "{kind:?} took {bad}");
            }
        }
        assert_eq!(
            key(KeyKind::Single, "0.1").unwrap(),
            key(KeyKind::Single, "0.100000001490116").unwrap()
        );
        assert_eq!(
            key(KeyKind::Int32, "-0").unwrap(),
            key(KeyKind::Int32, "0").unwrap()
        );
        assert_eq!(
            key(KeyKind::UInt16, "5.0").unwrap(),
            key(KeyKind::UInt16, "5").unwrap()
        );
        let guid = "6F9619FF-8B86-D011-B42D-00CF4FC964FF";
        assert_eq!(
            key(KeyKind::Guid, guid).unwrap(),
            key(KeyKind::Guid, &format!("{{{}}}", guid.to_lowercase())).unwrap()
        );
    }

    #[test]
    fn numbers_outside_the_property_type_are_refused() {
        assert!(key(KeyKind::Int32, "2147483647").is_ok());
        for bad in ["2147483648", "-2147483649", "9e18", "1.5"] {
            let err = key(KeyKind::Int32, bad).unwrap_err().to_string();
            assert!(err.contains("Int32"), "{err}");
        }
        assert!(of_value(&part(KeyKind::Int32), &json!({"K": 9e18})).is_err());
        assert!(key(KeyKind::Signed, "9e18").is_ok());
        assert!(key(KeyKind::SByte, "-129").is_err());
        assert!(key(KeyKind::Byte, "256").is_err());
        assert!(key(KeyKind::Byte, "-1").is_err());
        assert!(key(KeyKind::Unsigned, "18446744073709551615").is_ok());
        assert!(key(KeyKind::Unsigned, "18446744073709551616").is_err());
        assert!(key(KeyKind::Single, "1e39").is_err());
        assert!(key(KeyKind::Decimal, "1e29").is_err());
        assert!(key(KeyKind::Char, "ab").is_err());
        assert!(key(KeyKind::Char, "").is_err());
        assert!(key(KeyKind::Guid, "not-a-guid").is_err());
    }

    #[test]
    fn every_written_string_can_be_named_by_text() {
        let parts = vec![
            KeyPart {
                property: "Name".into(),
                kind: KeyKind::Text,
            },
            KeyPart {
                property: "N".into(),
                kind: KeyKind::Int32,
            },
        ];
        for name in ["a|b", " padded ", "back\\slash", "both\\|", "|", ""] {
            let written = of_value(&parts, &json!({"Name": name, "N": 1})).unwrap();
            let named = of_text(&parts, &format!("{}|1", escape_part(name))).unwrap();
            assert_eq!(written, named, "{name:?}");
        }
        // A single-part string index is never split nor trimmed.
        let single = part(KeyKind::Text);
        assert_eq!(
            of_value(&single, &json!({"K": " a|b "})).unwrap(),
            of_text(&single, " a|b ").unwrap()
        );
        // A backslash before anything else is itself.
        assert_eq!(split_compound(r"a\b|c"), [r"a\b", "c"]);
    }

    #[test]
    fn times_without_offset_are_utc() {
        assert_eq!(
            parse_time("2024-01-01T00:00:00"),
            parse_time("2024-01-01T00:00:00Z")
        );
    }
}
