//! JSON Patch (RFC 6902) of a stream's descriptive documents (its access
//! control list, its metadata) within bounds the request cannot choose.
//!
//! A `copy` doubles what it copies, so a few dozen operations would grow any
//! document without limit. Each operation is therefore measured *before* it
//! runs: the document may never grow past `max_bytes` (the largest body a
//! PUT of the same document could send), so a patch can build nothing a
//! replacement could not, and no step allocates more than that.

use super::json_body::Invalid;
use serde_json::Value;
use std::io;

/// The most operations one patch may carry.
pub const MAX_OPERATIONS: usize = 100;

/// Applies `body`, a JSON Patch, to `doc`. On error `doc` is left partly
/// patched: callers patch a copy and drop it.
pub fn apply(doc: &mut Value, body: Value, max_bytes: usize) -> Result<(), Invalid> {
    let count = body.as_array().map(Vec::len).unwrap_or(0);
    if count > MAX_OPERATIONS {
        return Err(invalid(
            "body",
            format!("has {count} operations; a patch may have at most {MAX_OPERATIONS}"),
        ));
    }
    let patch: json_patch::Patch = serde_json::from_value(body)
        .map_err(|e| invalid("body", format!("is not a JSON Patch document: {e}")))?;
    let mut size = json_len(doc, max_bytes);
    if size > max_bytes {
        return Err(invalid(
            "body",
            format!("the document is already larger than {max_bytes} bytes; replace it whole"),
        ));
    }
    for (i, op) in patch.0.iter().enumerate() {
        size = size.saturating_add(growth(doc, op, max_bytes - size));
        if size > max_bytes {
            return Err(invalid(
                format!("[{i}]"),
                format!("would make the document larger than {max_bytes} bytes"),
            ));
        }
        json_patch::patch_unsafe(doc, std::slice::from_ref(op))
            .map_err(|e| invalid(format!("[{i}]"), format!("does not apply: {e}")))?;
    }
    Ok(())
}

/// At most how many bytes `op` adds to `doc`'s JSON text (what it removes is
/// not subtracted, so the running total only over-estimates). Measuring
/// stops past `budget`: the answer is then only known to exceed it.
fn growth(doc: &Value, op: &json_patch::PatchOperation, budget: usize) -> usize {
    use json_patch::PatchOperation as Op;
    // An object member costs its key, quotes, colon and comma besides its value.
    let member = |path: &str| path.len() + 4;
    match op {
        Op::Add(add) => member(add.path.as_str()) + json_len(&add.value, budget),
        Op::Replace(replace) => json_len(&replace.value, budget),
        Op::Copy(copy) => {
            member(copy.path.as_str())
                + doc
                    .pointer(copy.from.as_str())
                    .map_or(0, |v| json_len(v, budget))
        }
        Op::Move(mv) => member(mv.path.as_str()),
        Op::Remove(_) | Op::Test(_) => 0,
    }
}

/// The length of `value`'s compact JSON text, counted without writing it;
/// counting stops once it passes `cap` (returning more than `cap`).
fn json_len(value: &Value, cap: usize) -> usize {
    let mut counter = Counter { bytes: 0, cap };
    // The only error is the counter's own, once past the cap.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.bytes
}

struct Counter {
    bytes: usize,
    cap: usize,
}

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes = self.bytes.saturating_add(buf.len());
        if self.bytes > self.cap {
            return Err(io::Error::other("past the cap"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doubling(times: usize) -> Value {
        let mut ops = vec![json!({"op": "add", "path": "/a", "value": vec!["x"; 64]})];
        for _ in 0..times {
            ops.push(json!({"op": "copy", "from": "/a", "path": "/a/-"}));
        }
        Value::Array(ops)
    }

    #[test]
    fn a_doubling_patch_stops_at_the_limit_before_it_allocates() {
        let mut doc = json!({});
        let err = apply(&mut doc, doubling(40), 4096).unwrap_err();
        assert!(err.field.starts_with('['), "{err:?}");
        assert!(err.reason.contains("4096"), "{err:?}");
        assert!(json_len(&doc, usize::MAX) <= 4096);
    }

    #[test]
    fn small_patches_apply_and_the_op_count_is_bounded() {
        let mut doc = json!({"a": 1});
        apply(
            &mut doc,
            json!([{"op": "copy", "from": "/a", "path": "/b"}, {"op": "remove", "path": "/a"}]),
            1024,
        )
        .unwrap();
        assert_eq!(doc, json!({"b": 1}));
        let many = Value::Array(vec![json!({"op": "test", "path": "/b", "value": 1}); 101]);
        let err = apply(&mut doc, many, 1024).unwrap_err();
        assert_eq!(err.field, "body");
        assert!(err.reason.contains("100"));
    }

    #[test]
    fn counting_matches_the_text_and_stops_at_the_cap() {
        let v = json!({"k": ["é", 1.5, null]});
        assert_eq!(json_len(&v, usize::MAX), v.to_string().len());
        assert!(json_len(&v, 3) > 3);
    }
}
