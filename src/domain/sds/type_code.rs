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

/// How an index value of a code is compared, and so how its key is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeyKind {
    Signed,
    Unsigned,
    Float,
    DateTime,
    Text,
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
    match code {
        5 | 7 | 9 | 11 => Some(KeyKind::Signed),
        6 | 8 | 10 | 12 => Some(KeyKind::Unsigned),
        13..=15 => Some(KeyKind::Float),
        16 | 20 => Some(KeyKind::DateTime),
        4 | 18 | 19 => Some(KeyKind::Text),
        _ => None,
    }
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
    }
}
