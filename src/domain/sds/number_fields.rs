//! The numbers of a few named properties of a stored value, read straight
//! from its JSON text: no value tree, no allocation, every other field
//! skipped. A summary reads each value of a range once this way, so it
//! costs little more than walking the range: flat objects take the quick
//! path in `flat`, anything else serde_json's streaming reader.

mod flat;
mod number;

use flat::Shape;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use std::fmt;

/// Reads the numbers of the same few properties from one stored value
/// after another. It keeps the last value's shape for the next; the shape
/// says which of the names each property is, so the names and the shape
/// live together here.
pub struct Reader {
    names: Vec<String>,
    numbers: Vec<Option<f64>>,
    shape: Shape,
}

impl Reader {
    pub fn new(names: Vec<String>) -> Self {
        Self {
            numbers: vec![None; names.len()],
            names,
            shape: Shape::default(),
        }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Reads `json`'s numbers, `numbers()` from then on; false when the
    /// text is not a JSON object.
    pub fn read(&mut self, json: &[u8]) -> bool {
        read(json, &self.names, &mut self.numbers, &mut self.shape)
    }

    /// By name, the numbers of the last value read.
    pub fn numbers(&self) -> &[Option<f64>] {
        &self.numbers
    }
}

/// Fills `found[i]` with the number of property `names[i]` in `json` (an
/// object; names compared ignoring ASCII case, as SDS reads them), `None`
/// where it is missing, null or not a number. Returns false when the text
/// is not a JSON object. `shape` is the last value's, kept from one read
/// to the next (see `Shape`).
fn read(json: &[u8], names: &[String], found: &mut [Option<f64>], shape: &mut Shape) -> bool {
    found.fill(None);
    if flat::read(json, names, found, shape).is_some() {
        return true;
    }
    found.fill(None);
    general(json, names, found)
}

/// `read` for any JSON text, through serde_json (`found` all `None`).
fn general(json: &[u8], names: &[String], found: &mut [Option<f64>]) -> bool {
    let mut de = serde_json::Deserializer::from_slice(json);
    de.deserialize_map(Fields { names, found }).is_ok()
}

struct Fields<'n, 'f> {
    names: &'n [String],
    found: &'f mut [Option<f64>],
}

impl<'de> Visitor<'de> for Fields<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let wanted = self
                .names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(key.as_str()));
            match wanted {
                Some(i) => self.found[i] = map.next_value_seed(Number)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A key, borrowed from the text unless it holds escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(s))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(s.to_string()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// A property's value as a number, or `None` for anything else (skipped
/// without building it).
struct Number;

impl<'de> DeserializeSeed<'de> for Number {
    type Value = Option<f64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Number {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_f64<E>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(v.is_finite().then_some(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }

    fn visit_unit<E>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<f64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<f64>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_numbers_are_read_and_the_rest_skipped() {
        let names = vec!["Radians".to_string(), "sin".to_string(), "Gone".to_string()];
        let mut found = [Some(9.0); 3];
        let json = br#"{"Order":3,"Tags":["a",{"b":1}],"Radians":0.25,"Sin":-2,"Note":"x\"y"}"#;
        assert!(read(json, &names, &mut found, &mut Shape::default()));
        assert_eq!(found, [Some(0.25), Some(-2.0), None]);
    }

    #[test]
    fn nulls_text_and_escaped_names_are_not_numbers() {
        let names = vec!["A".to_string(), "B\"".to_string(), "C".to_string()];
        let mut found = [None; 3];
        assert!(read(
            br#"{"A":null,"B\"":4,"C":"5"}"#,
            &names,
            &mut found,
            &mut Shape::default()
        ));
        assert_eq!(found, [None, Some(4.0), None]);
        assert!(!read(b"[1,2]", &names, &mut found, &mut Shape::default()));
        assert!(!read(b"{\"A\":", &names, &mut found, &mut Shape::default()));
    }

    /// Every text the quick path takes, it reads as serde_json does; the
    /// rest it leaves to serde_json.
    #[test]
    fn the_quick_path_agrees_with_serde_json_or_declines() {
        let names = vec!["a".to_string(), "B".to_string()];
        let flat = [
            &br#"{}"#[..],
            br#" { "A" : 1.5 , "b":-2e3 } "#,
            br#"{"a":0,"x":"s\"q","b":true,"c":null,"d":false}"#,
            br#"{"a":1,"a":2.25,"B":"7"}"#,
            br#"{"a":12345678901234567890,"b":-0.0}"#,
            br#"{"a":1E-3,"b":0.1}"#,
            br#"{"a":0.8414709848078965,"b":-1.2345678901234567e-300}"#,
            br#"{"a":123456789012345678901234,"b":5e-324}"#,
            br#"{"a":1E+2,"b":0.0000001e1}"#,
            br#"{"a":9007199254740993,"b":-12.50000000000000000000001}"#,
            br#"{"a":1e-00001,"b":2.5E+22}"#,
            br#"{"a":0.000000000000000000000000123,"b":-0}"#,
        ];
        for json in flat {
            let (mut quick, mut slow) = ([None; 2], [None; 2]);
            assert_eq!(
                flat::read(json, &names, &mut quick, &mut Shape::default()),
                Some(()),
                "{json:?}"
            );
            assert!(general(json, &names, &mut slow));
            assert_eq!(quick, slow, "{}", String::from_utf8_lossy(json));
        }
        let declined = [
            &br#"{"a":{"b":1}}"#[..],
            br#"{"x":[1],"a":1}"#,
            br#"{"a\u0062":1}"#,
            br#"{"a":01}"#,
            br#"{"a":-}"#,
            br#"{"a":1.}"#,
            br#"{"a":1e}"#,
            br#"{"a":1e+}"#,
            br#"{"a":-01}"#,
            br#"{"a":1e999}"#,
            br#"{"a":1,}"#,
            br#"{"a":1} x"#,
            br#"{"a":tru}"#,
            br#"{"a":"open"#,
            b"[1]",
            b"",
        ];
        for json in declined {
            let mut quick = [None; 2];
            assert_eq!(
                flat::read(json, &names, &mut quick, &mut Shape::default()),
                None,
                "{}",
                String::from_utf8_lossy(json)
            );
        }
    }

    /// One shape kept from value to value reads each as a fresh read does,
    /// and declines what a fresh read declines.
    #[test]
    fn a_kept_shape_reads_each_value_as_a_fresh_read_does() {
        let names = vec!["a".to_string(), "B".to_string()];
        let texts = [
            &br#"{"a":1,"x":"s","b":2.5}"#[..],
            br#"{"a":3,"x":"t,u","b":-0.8414709848078965}"#,
            br#"{"a":null,"x":"s","b":"7"}"#,
            br#"{"a":01,"x":"s","b":2}"#,
            br#"{"a":4,"x":"s","b":2}"#,
            br#"{"a":1e999,"x":"s","b":2}"#,
            br#"{"a":4,"x":"s","b":2}"#,
            br#"{"a":4,"x":"s","b":2} x"#,
            br#"{"a":4,"x":"s","b":2}"#,
            br#"{"a":4,"x":"s","b":2,}"#,
            br#"{"a":4,"x":"s","b":2}"#,
            br#"{"a":4, "x":"s","b":2}"#,
            br#"{"a":5,"x":"s","b":6,"c":7}"#,
            br#"{"a":5,"x":"s"}"#,
            br#"{"A":8,"x":{"b":1},"b":9}"#,
            br#"{"a":1.5,"x":-12e-3,"b":12345678901234567}"#,
            br#"{"a":1.5,"x":"\"","b":1E2}"#,
        ];
        let (mut kept, mut kept_flat) = (Shape::default(), Shape::default());
        for json in texts {
            let text = String::from_utf8_lossy(json);
            let (mut with_kept, mut with_fresh) = ([None; 2], [None; 2]);
            assert_eq!(
                read(json, &names, &mut with_kept, &mut kept),
                read(json, &names, &mut with_fresh, &mut Shape::default()),
                "{text}"
            );
            assert_eq!(with_kept, with_fresh, "{text}");
            let quick = flat::read(json, &names, &mut with_kept, &mut kept_flat);
            let fresh = flat::read(json, &names, &mut with_fresh, &mut Shape::default());
            assert_eq!(quick.is_some(), fresh.is_some(), "{text}");
        }
    }
}
