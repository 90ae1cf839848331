//! `SdsTypeCode`: the type of a property, as a name (what AVEVA's SDK sends)
//! or its number. Only some codes can be part of an index.

/// AVEVA's public enum, name and number.
const CODES: &[(&str, u16)] = &[
    ("Empty", 0),
    ("Object", 1),
    ("DBNull", 2),
    ("Boolean", 3),
    ("Char", 4),
    ("SByte", 5),
    ("Byte", 6),
    ("Int16", 7),
    ("UInt16", 8),
    ("Int32", 9),
    ("UInt32", 10),
    ("Int64", 11),
    ("UInt64", 12),
    ("Single", 13),
    ("Double", 14),
    ("Decimal", 15),
    ("DateTime", 16),
    ("String", 18),
    ("Guid", 19),
    ("DateTimeOffset", 20),
    ("TimeSpan", 21),
    ("Version", 22),
    ("NullableBoolean", 103),
    ("NullableChar", 104),
    ("NullableSByte", 105),
    ("NullableByte", 106),
    ("NullableInt16", 107),
    ("NullableUInt16", 108),
    ("NullableInt32", 109),
    ("NullableUInt32", 110),
    ("NullableInt64", 111),
    ("NullableUInt64", 112),
    ("NullableSingle", 113),
    ("NullableDouble", 114),
    ("NullableDecimal", 115),
    ("NullableDateTime", 116),
    ("NullableGuid", 119),
    ("NullableDateTimeOffset", 120),
    ("NullableTimeSpan", 121),
    ("BooleanArray", 203),
    ("CharArray", 204),
    ("SByteArray", 205),
    ("ByteArray", 206),
    ("Int16Array", 207),
    ("UInt16Array", 208),
    ("Int32Array", 209),
    ("UInt32Array", 210),
    ("Int64Array", 211),
    ("UInt64Array", 212),
    ("SingleArray", 213),
    ("DoubleArray", 214),
    ("DecimalArray", 215),
    ("DateTimeArray", 216),
    ("StringArray", 218),
    ("GuidArray", 219),
    ("DateTimeOffsetArray", 220),
    ("TimeSpanArray", 221),
    ("VersionArray", 222),
    ("Array", 400),
    ("IList", 401),
    ("IDictionary", 402),
    ("IEnumerable", 403),
    ("SdsType", 501),
    ("SdsTypeProperty", 502),
    ("SByteEnum", 605),
    ("ByteEnum", 606),
    ("Int16Enum", 607),
    ("UInt16Enum", 608),
    ("Int32Enum", 609),
    ("UInt32Enum", 610),
    ("Int64Enum", 611),
    ("UInt64Enum", 612),
    ("NullableSByteEnum", 705),
    ("NullableByteEnum", 706),
    ("NullableInt16Enum", 707),
    ("NullableUInt16Enum", 708),
    ("NullableInt32Enum", 709),
    ("NullableUInt32Enum", 710),
    ("NullableInt64Enum", 711),
    ("NullableUInt64Enum", 712),
];

pub const OBJECT: u16 = 1;

/// How an index value of a code is compared, and so how its key is encoded,
/// and which values it holds.
///
/// Records store a kind by its position, so new kinds are only ever added
/// at the end. The first five are what types created before ranges were
/// checked hold for every code of their family (a stored Int32 index is
/// `Signed` there): they keep the widest range, so every value such a
/// stream holds stays addressable. A narrower kind encodes its values
/// exactly as its family's widest kind does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeyKind {
    /// Int64.
    Signed,
    /// UInt64.
    Unsigned,
    /// Double.
    Float,
    DateTime,
    /// String, taken exactly as written.
    Text,
    SByte,
    Int16,
    Int32,
    Byte,
    UInt16,
    UInt32,
    /// Rounded to single precision, so each Single has one key.
    Single,
    Decimal,
    /// One character.
    Char,
    /// Keyed by its canonical form (lower-case, hyphenated).
    Guid,
}

/// How a kind's values become key bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyFamily {
    Signed {
        min: i64,
        max: i64,
    },
    Unsigned {
        max: u64,
    },
    /// Finite, at most `max` in magnitude; `single` rounds to f32 first.
    Float {
        max: f64,
        single: bool,
    },
    DateTime,
    Text,
    Char,
    Guid,
}

impl KeyKind {
    pub fn family(self) -> KeyFamily {
        use KeyFamily as F;
        match self {
            KeyKind::SByte => F::Signed {
                min: i8::MIN.into(),
                max: i8::MAX.into(),
            },
            KeyKind::Int16 => F::Signed {
                min: i16::MIN.into(),
                max: i16::MAX.into(),
            },
            KeyKind::Int32 => F::Signed {
                min: i32::MIN.into(),
                max: i32::MAX.into(),
            },
            KeyKind::Signed => F::Signed {
                min: i64::MIN,
                max: i64::MAX,
            },
            KeyKind::Byte => F::Unsigned {
                max: u8::MAX.into(),
            },
            KeyKind::UInt16 => F::Unsigned {
                max: u16::MAX.into(),
            },
            KeyKind::UInt32 => F::Unsigned {
                max: u32::MAX.into(),
            },
            KeyKind::Unsigned => F::Unsigned { max: u64::MAX },
            KeyKind::Single => F::Float {
                max: f32::MAX.into(),
                single: true,
            },
            // .NET's decimal.MaxValue.
            KeyKind::Decimal => F::Float {
                max: 7.922_816_251_426_434e28,
                single: false,
            },
            KeyKind::Float => F::Float {
                max: f64::MAX,
                single: false,
            },
            KeyKind::DateTime => F::DateTime,
            KeyKind::Text => F::Text,
            KeyKind::Char => F::Char,
            KeyKind::Guid => F::Guid,
        }
    }

    /// What a value of this kind is called in an error.
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::Signed => "Int64",
            KeyKind::Unsigned => "UInt64",
            KeyKind::Float => "Double",
            KeyKind::Text => "String",
            other => CODES
                .iter()
                .find(|(_, c)| key_kind(*c) == Some(other))
                .map_or("value", |(n, _)| n),
        }
    }
}

/// Parses a code from a JSON string (any case) or number.
pub fn parse(value: &serde_json::Value) -> Option<u16> {
    match value {
        serde_json::Value::String(name) => CODES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(_, c)| *c),
        serde_json::Value::Number(n) => n
            .as_u64()
            .and_then(|n| CODES.iter().find(|(_, c)| u64::from(*c) == n))
            .map(|(_, c)| *c),
        _ => None,
    }
}

pub fn name(code: u16) -> &'static str {
    CODES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(n, _)| *n)
        .unwrap_or("Empty")
}

/// The key kind of a code that may be (part of) an index, `None` otherwise.
pub fn key_kind(code: u16) -> Option<KeyKind> {
    Some(match code {
        5 => KeyKind::SByte,
        7 => KeyKind::Int16,
        9 => KeyKind::Int32,
        11 => KeyKind::Signed,
        6 => KeyKind::Byte,
        8 => KeyKind::UInt16,
        10 => KeyKind::UInt32,
        12 => KeyKind::Unsigned,
        13 => KeyKind::Single,
        14 => KeyKind::Float,
        15 => KeyKind::Decimal,
        16 | 20 => KeyKind::DateTime,
        4 => KeyKind::Char,
        18 => KeyKind::Text,
        19 => KeyKind::Guid,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_parse_by_name_or_number() {
        assert_eq!(parse(&json!("Int32")), Some(9));
        assert_eq!(parse(&json!("datetime")), Some(16));
        assert_eq!(parse(&json!(14)), Some(14));
        assert_eq!(parse(&json!("Int33")), None);
        assert_eq!(parse(&json!(17)), None);
        assert_eq!(name(9), "Int32");
        assert_eq!(key_kind(1), None);
        assert_eq!(key_kind(16), Some(KeyKind::DateTime));
        assert_eq!(key_kind(9), Some(KeyKind::Int32));
        assert_eq!(KeyKind::Int32.name(), "Int32");
        assert_eq!(KeyKind::Signed.name(), "Int64");
    }

    /// Stored types and streams hold kinds by position: the first five
    /// must keep theirs for records written before the others existed.
    #[test]
    fn stored_kinds_keep_their_positions() {
        let position =
            |k: KeyKind| bincode::serde::encode_to_vec(k, bincode::config::standard()).unwrap();
        assert_eq!(position(KeyKind::Signed), [0]);
        assert_eq!(position(KeyKind::Text), [4]);
        assert_eq!(position(KeyKind::SByte), [5]);
    }
}
