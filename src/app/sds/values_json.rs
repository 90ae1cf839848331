//! The values of a large read as one JSON array, copied from their stored
//! text (each value is stored as the JSON text it was written as). A read
//! of a quarter of a million values once decoded each into a value tree of
//! about a kilobyte before writing it out again; this costs the stored
//! size once.

use crate::domain::sds::value_count::MAX_ANSWER_BYTES;

#[derive(Debug)]
pub struct ValuesJson {
    text: Vec<u8>,
    len: usize,
}

impl ValuesJson {
    pub fn new() -> Self {
        Self {
            text: b"[".to_vec(),
            len: 0,
        }
    }

    /// Appends one value's stored JSON text.
    pub fn push(&mut self, json: &[u8]) {
        if self.len > 0 {
            self.text.push(b',');
        }
        self.text.extend_from_slice(json);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether `json` still fits within `MAX_ANSWER_BYTES`.
    pub fn fits(&self, json: &[u8]) -> bool {
        self.text.len() + json.len() + 2 <= MAX_ANSWER_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The array's JSON text.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.text.push(b']');
        self.text
    }
}

impl Default for ValuesJson {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_texts_make_one_array() {
        assert_eq!(ValuesJson::new().into_bytes(), b"[]");
        let mut values = ValuesJson::new();
        values.push(br#"{"a":1}"#);
        values.push(br#"{"a":2}"#);
        assert_eq!(values.len(), 2);
        let text = values.into_bytes();
        let parsed: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
        assert_eq!(parsed, serde_json::json!([{"a": 1}, {"a": 2}]));
    }
}
