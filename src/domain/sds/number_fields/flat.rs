//! The quick path of `number_fields`: a flat JSON object (no nested
//! object or array, no escaped property name) read byte by byte. It
//! answers `None` for anything else, and the caller then reads the text
//! the general way; stored values are flat objects almost always, so a
//! summary pays for the general way only where a value needs it.
//! Strings are skipped, not checked: a stored value's text was checked as
//! JSON when it was written.

/// Fills `found` as `number_fields::read` does when `json` is a flat
/// object; `None` (with `found` in any state) when it is not one.
pub fn read(json: &[u8], names: &[String], found: &mut [Option<f64>]) -> Option<()> {
    let mut at = space(json, 0);
    if json.get(at) != Some(&b'{') {
        return None;
    }
    at = space(json, at + 1);
    if json.get(at) == Some(&b'}') {
        return ends(json, at + 1);
    }
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
        at = space(json, after);
        match json.get(at)? {
            b',' => at = space(json, at + 1),
            b'}' => return ends(json, at + 1),
            _ => return None,
        }
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

/// A number in JSON's grammar at `at`, read exactly when `wanted`, and
/// where it ends; `None` when it is not one or does not fit a finite
/// double.
fn number(json: &[u8], at: usize, wanted: bool) -> Option<(Option<f64>, usize)> {
    let negative = json[at] == b'-';
    let start = at + usize::from(negative);
    let (mut end, mut mantissa) = digits(json, start, 0);
    let whole = end - start;
    if whole == 0 || whole > 1 && json[start] == b'0' {
        return None;
    }
    let mut after_point = 0;
    if json.get(end) == Some(&b'.') {
        let (fraction_end, m) = digits(json, end + 1, mantissa);
        after_point = fraction_end - (end + 1);
        if after_point == 0 {
            return None;
        }
        (end, mantissa) = (fraction_end, m);
    }
    // An exponent of more than four digits is left to the parser.
    let mut exponent = Some(0);
    if let Some(b'e' | b'E') = json.get(end) {
        let sign = json.get(end + 1).copied();
        let first = end + 1 + usize::from(matches!(sign, Some(b'+' | b'-')));
        let (exponent_end, power) = digits(json, first, 0);
        exponent = match exponent_end - first {
            0 => return None,
            1..=4 => Some(if sign == Some(b'-') {
                -(power as i32)
            } else {
                power as i32
            }),
            _ => None,
        };
        end = exponent_end;
    }
    if !wanted {
        return Some((None, end));
    }
    let significant = whole + after_point;
    let exact = exponent
        .filter(|_| significant <= 19)
        .and_then(|e| exact(mantissa, e - after_point as i32));
    let magnitude = match exact {
        Some(n) => n,
        None => std::str::from_utf8(&json[start..end])
            .ok()?
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())?,
    };
    Some((Some(if negative { -magnitude } else { magnitude }), end))
}

/// The digits from `at` on, added to `mantissa` (which wraps past 19
/// digits), and where they end.
fn digits(json: &[u8], at: usize, mantissa: u64) -> (usize, u64) {
    let rest = json.get(at..).unwrap_or_default();
    let count = rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    let mantissa = rest[..count].iter().fold(mantissa, |m, &b| {
        m.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    });
    (at + count, mantissa)
}

/// The powers of ten a double holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `mantissa` times ten to `exponent`, when both are exact doubles: one
/// multiplication or division then rounds the number correctly (Clinger's
/// fast path), without a second pass over its text.
fn exact(mantissa: u64, exponent: i32) -> Option<f64> {
    if mantissa > 1 << 53 {
        return None;
    }
    let power = *EXACT_POWERS.get(exponent.unsigned_abs() as usize)?;
    let mantissa = mantissa as f64;
    Some(if exponent < 0 {
        mantissa / power
    } else {
        mantissa * power
    })
}
