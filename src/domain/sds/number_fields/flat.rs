//! The quick path of `number_fields`: a flat JSON object (no nested
//! object or array, no escaped property name) read byte by byte. It
//! answers `None` for anything else, and the caller then reads the text
//! the general way; stored values are flat objects almost always, so a
//! summary pays for the general way only where a value needs it.

/// Fills `found` as `number_fields::read` does when `json` is a flat
/// object; `None` (with `found` in any state) when it is not one.
pub fn read(json: &[u8], names: &[String], found: &mut [Option<f64>]) -> Option<()> {
    let mut text = Text { bytes: json, at: 0 };
    text.expect(b'{')?;
    if text.peek()? == b'}' {
        text.at += 1;
        return text.end();
    }
    loop {
        let name = text.name()?;
        text.expect(b':')?;
        let wanted = names
            .iter()
            .position(|n| n.as_bytes().eq_ignore_ascii_case(name));
        let number = text.value(wanted.is_some())?;
        if let Some(i) = wanted {
            found[i] = number;
        }
        match text.next()? {
            b',' => continue,
            b'}' => return text.end(),
            _ => return None,
        }
    }
}

struct Text<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Text<'a> {
    fn skip_space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte that is not white space, not taken.
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// Nothing but white space is left.
    fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// A property name without escapes, between its quotes.
    fn name(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let rest = &self.bytes[self.at..];
        let len = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if rest[len] == b'\\' {
            return None;
        }
        self.at += len + 1;
        Some(&rest[..len])
    }

    /// A value that is not an object or an array: its number, if it is
    /// one, finite and `wanted` (the others are only checked).
    fn value(&mut self, wanted: bool) -> Option<Option<f64>> {
        match self.peek()? {
            b'"' => self.string().map(|()| None),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            b'-' | b'0'..=b'9' => self.number(wanted),
            _ => None,
        }
    }

    fn word(&mut self, word: &[u8]) -> Option<Option<f64>> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            None
        })
    }

    /// A string, skipped: an escape's next byte is never its end.
    fn string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    /// A number in JSON's grammar, read exactly when `wanted`; `None` when
    /// it is not one or does not fit a finite double.
    fn number(&mut self, wanted: bool) -> Option<Option<f64>> {
        let negative = self.take(|b| b == b'-');
        let start = self.at;
        let mut decimal = Decimal::default();
        match self.bytes.get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(|d| decimal.digit(d, false))?,
            _ => return None,
        }
        if self.take(|b| b == b'.') {
            self.digits(|d| decimal.digit(d, true))?;
        }
        if self.take(|b| b == b'e' || b == b'E') {
            let minus = self.take(|b| b == b'-');
            if !minus {
                self.take(|b| b == b'+');
            }
            let mut exponent = 0i32;
            self.digits(|d| exponent = (exponent * 10 + i32::from(d)).min(100_000))?;
            decimal.exponent += if minus { -exponent } else { exponent };
        }
        if !wanted {
            return Some(None);
        }
        let magnitude = match decimal.exact() {
            Some(n) => n,
            None => std::str::from_utf8(&self.bytes[start..self.at])
                .ok()?
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())?,
        };
        Some(Some(if negative { -magnitude } else { magnitude }))
    }

    fn take(&mut self, wanted: impl Fn(u8) -> bool) -> bool {
        let taken = self.bytes.get(self.at).is_some_and(|&b| wanted(b));
        self.at += usize::from(taken);
        taken
    }

    /// One digit or more, each handed to `each` as its value.
    fn digits(&mut self, mut each: impl FnMut(u8)) -> Option<()> {
        let start = self.at;
        while let Some(&b) = self.bytes.get(self.at).filter(|b| b.is_ascii_digit()) {
            each(b - b'0');
            self.at += 1;
        }
        (self.at > start).then_some(())
    }
}

/// A number's digits as an integer and a power of ten, while they fit:
/// when both are exact doubles, one multiplication or division rounds the
/// number correctly (Clinger's fast path), without a second pass over its
/// text. Anything else goes to the standard library's parser.
#[derive(Default)]
struct Decimal {
    mantissa: u64,
    exponent: i32,
    overflowed: bool,
}

/// The powers of ten a double holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl Decimal {
    fn digit(&mut self, digit: u8, after_point: bool) {
        match self
            .mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(digit)))
        {
            Some(m) if !self.overflowed => {
                self.mantissa = m;
                self.exponent -= i32::from(after_point);
            }
            _ => self.overflowed = true,
        }
    }

    fn exact(&self) -> Option<f64> {
        if self.overflowed || self.mantissa > 1 << 53 {
            return None;
        }
        let mantissa = self.mantissa as f64;
        let power = *EXACT_POWERS.get(self.exponent.unsigned_abs() as usize)?;
        Some(if self.exponent < 0 {
            mantissa / power
        } else {
            mantissa * power
        })
    }
}
