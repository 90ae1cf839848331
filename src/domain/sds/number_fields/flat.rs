//! The quick path of `number_fields`: a flat JSON object (no nested
//! object or array, no escaped property name) read byte by byte. It
//! answers `None` for anything else, and the caller then reads the text
//! the general way; stored values are flat objects almost always, so a
//! summary pays for the general way only where a value needs it.
//! Strings and unwanted numbers are stepped over, not checked: a stored
//! value's text was checked as JSON when it was written.

use super::number::number;

/// The text around the values of the last object read: for each
/// property, the bytes from the previous value's end to its own value's
/// start (punctuation and name) and which of the names it is; and the
/// bytes after the last value. A stream's stored values mostly have the
/// same properties in the same order, so the next value is matched
/// against these bytes and only its values are read.
#[derive(Debug, Default)]
pub struct Shape {
    properties: Vec<(Vec<u8>, Option<usize>)>,
    closing: Vec<u8>,
}

/// Fills `found` as `number_fields::read` does when `json` is a flat
/// object, and remembers its shape; `None` (with `found` in any state)
/// when it is not one.
pub fn read(
    json: &[u8],
    names: &[String],
    found: &mut [Option<f64>],
    shape: &mut Shape,
) -> Option<()> {
    if shape.follow(json, found).is_some() {
        return Some(());
    }
    found.fill(None);
    shape.properties.clear();
    shape.closing.clear();
    let mut at = space(json, 0);
    if json.get(at) != Some(&b'{') {
        return None;
    }
    at = space(json, at + 1);
    if json.get(at) == Some(&b'}') {
        return ends(json, at + 1);
    }
    let mut value_end = 0;
    loop {
        let (name, after) = name(json, at)?;
        at = space(json, after);
        if json.get(at) != Some(&b':') {
            return None;
        }
        at = space(json, at + 1);
        let wanted = names
            .iter()
            .position(|n| n.as_bytes().eq_ignore_ascii_case(name));
        let (number, after) = value(json, at, wanted.is_some())?;
        if let Some(i) = wanted {
            found[i] = number;
        }
        shape
            .properties
            .push((json[value_end..at].to_vec(), wanted));
        value_end = after;
        at = space(json, after);
        match json.get(at)? {
            b',' => at = space(json, at + 1),
            b'}' => {
                ends(json, at + 1)?;
                shape.closing = json[value_end..].to_vec();
                return Some(());
            }
            _ => return None,
        }
    }
}

impl Shape {
    /// Reads `json` when it has this shape: the same bytes around its
    /// values (which may be of other kinds than last time).
    fn follow(&self, json: &[u8], found: &mut [Option<f64>]) -> Option<()> {
        if self.closing.is_empty() {
            return None;
        }
        let mut at = 0;
        for (before, wanted) in &self.properties {
            let start = at + before.len();
            if !same(json.get(at..start)?, before) {
                return None;
            }
            let (number, end) = value(json, start, wanted.is_some())?;
            if let Some(i) = *wanted {
                found[i] = number;
            }
            at = end;
        }
        same(json.get(at..)?, &self.closing).then_some(())
    }
}

/// Whether `a` and `b` (a name and its punctuation: a few bytes) are the
/// same bytes: compared as words from both ends, where `==` on slices
/// would call the C library's `memcmp`, which costs more than the
/// comparison for texts this short.
fn same(a: &[u8], b: &[u8]) -> bool {
    fn words<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        let word =
            |bytes: &[u8], at: usize| -> [u8; N] { bytes[at..at + N].try_into().expect("N bytes") };
        let last = a.len() - N;
        word(a, 0) == word(b, 0) && word(a, last) == word(b, last)
    }
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => words::<4>(a, b),
        8..=16 => words::<8>(a, b),
        _ => a == b,
    }
}

/// Where the white space from `at` on ends.
fn space(json: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = json.get(at) {
        at += 1;
    }
    at
}

/// Nothing but white space from `at` on.
fn ends(json: &[u8], at: usize) -> Option<()> {
    (space(json, at) == json.len()).then_some(())
}

/// A property name without escapes at `at`, and where it ends.
fn name(json: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if json.get(at) != Some(&b'"') {
        return None;
    }
    let rest = json.get(at + 1..)?;
    let len = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    (rest[len] == b'"').then(|| (&rest[..len], at + len + 2))
}

/// A value at `at` that is not an object or an array: its number, if it
/// is one, finite and `wanted` (the others are only checked); and where it
/// ends.
fn value(json: &[u8], at: usize, wanted: bool) -> Option<(Option<f64>, usize)> {
    let word = |word: &[u8]| {
        let end = at + word.len();
        (json.get(at..end)? == word).then_some((None, end))
    };
    match *json.get(at)? {
        b'"' => string_end(json, at + 1).map(|end| (None, end)),
        b't' => word(b"true"),
        b'f' => word(b"false"),
        b'n' => word(b"null"),
        b'-' | b'0'..=b'9' => number(json, at, wanted),
        _ => None,
    }
}

/// Where the string whose text starts at `at` ends: an escape's next byte
/// is never its end.
fn string_end(json: &[u8], mut at: usize) -> Option<usize> {
    loop {
        match *json.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_sees_a_difference_in_any_byte() {
        for len in 0..24u8 {
            let a: Vec<u8> = (0..len).collect();
            assert!(super::same(&a, &a.clone()), "{len}");
            for i in 0..usize::from(len) {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!super::same(&a, &b), "{len} {i}");
            }
            assert!(!super::same(&a, &[&a[..], b"x"].concat()), "{len}");
        }
    }
}
