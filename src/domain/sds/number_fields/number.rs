//! One JSON number of a stored value's text: where it ends, and its value
//! when it is wanted. Digits are read eight at a time, as one
//! little-endian word (the first byte lowest), so a 17-digit double costs
//! three steps, not seventeen.

/// A number in JSON's grammar at `at`, read exactly when `wanted`, and
/// where it ends; `None` when it is not one or does not fit a finite
/// double. A number that is not wanted is only stepped over: the text was
/// checked as JSON when it was stored.
pub fn number(json: &[u8], at: usize, wanted: bool) -> Option<(Option<f64>, usize)> {
    if !wanted {
        return Some((None, end_of_number(json, at)));
    }
    let negative = json[at] == b'-';
    let start = at + usize::from(negative);
    let Digits {
        mut end,
        mut mantissa,
    } = Digits::read(json, start, 0);
    let whole = end - start;
    if whole == 0 || whole > 1 && json[start] == b'0' {
        return None;
    }
    let mut after_point = 0;
    if json.get(end) == Some(&b'.') {
        let fraction = Digits::read(json, end + 1, mantissa);
        after_point = fraction.end - (end + 1);
        if after_point == 0 {
            return None;
        }
        (end, mantissa) = (fraction.end, fraction.mantissa);
    }
    // An exponent of more than four digits is left to the parser.
    let mut exponent = Some(0);
    if let Some(b'e' | b'E') = json.get(end) {
        let sign = json.get(end + 1).copied();
        let first = end + 1 + usize::from(matches!(sign, Some(b'+' | b'-')));
        let power = Digits::read(json, first, 0);
        exponent = match power.end - first {
            0 => return None,
            1..=4 => Some(if sign == Some(b'-') {
                -(power.mantissa as i32)
            } else {
                power.mantissa as i32
            }),
            _ => None,
        };
        end = power.end;
    }
    // The mantissa holds 19 digits; a whole part of "0" adds none to it.
    let significant = whole + after_point - usize::from(json[start] == b'0');
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

/// Where the bytes a number may hold (digits, signs, point, exponent)
/// from `at` on end.
fn end_of_number(json: &[u8], mut at: usize) -> usize {
    while let Some(word) = word(json, at) {
        let count = leading(!number_bytes(word) & HIGHS);
        at += count;
        if count < LANES {
            return at;
        }
    }
    while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = json.get(at) {
        at += 1;
    }
    at
}

/// The digits from `end` on, and their value added to `mantissa` (which
/// wraps past 19 digits).
struct Digits {
    end: usize,
    mantissa: u64,
}

impl Digits {
    fn read(json: &[u8], mut end: usize, mut mantissa: u64) -> Self {
        while let Some(word) = word(json, end) {
            let count = leading(!digits(word) & HIGHS);
            mantissa = mantissa
                .wrapping_mul(POWERS_OF_TEN[count])
                .wrapping_add(value_of_digits(word, count));
            end += count;
            if count < LANES {
                return Self { end, mantissa };
            }
        }
        while let Some(&b) = json.get(end) {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            end += 1;
        }
        Self { end, mantissa }
    }
}

const LANES: usize = 8;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
/// Ten to the powers a 19-digit mantissa spans: eight digits' worth
/// combine a word of digits with the mantissa before it, and all of them
/// scale a long mantissa in 128 bits (`exact`).
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// The eight bytes from `at` on, if there are eight.
fn word(json: &[u8], at: usize) -> Option<u64> {
    let eight = json.get(at..at + LANES)?;
    Some(u64::from_le_bytes(eight.try_into().ok()?))
}

/// The high bit of each byte of `word` that is not zero (no carry crosses
/// from one byte to the next).
fn nonzero(word: u64) -> u64 {
    (((word & !HIGHS) + !HIGHS) | word) & HIGHS
}

/// The high bit of each byte of `word` that equals `byte`.
fn equal(word: u64, byte: u8) -> u64 {
    !nonzero(word ^ (u64::from(byte) * ONES)) & HIGHS
}

/// The high bit of each byte of `word` that is an ASCII digit.
fn digits(word: u64) -> u64 {
    // 0x30 to 0x39: high nibble 3, and still 3 once 6 is added. Adding 6
    // carries into the next byte only from a byte above 0xF9, which is no
    // digit itself, so the first byte that is not a digit is still found.
    let nibble = |w: u64| (w & (0xF0 * ONES)) ^ (0x30 * ONES);
    !nonzero(nibble(word) | nibble(word.wrapping_add(0x06 * ONES))) & HIGHS
}

/// The high bit of each byte of `word` that a number may hold.
fn number_bytes(word: u64) -> u64 {
    b".-+eE"
        .iter()
        .fold(digits(word), |bytes, &b| bytes | equal(word, b))
}

/// How many bytes at the start of `word` come before the first whose
/// high bit is set in `flags`.
fn leading(flags: u64) -> usize {
    (flags.trailing_zeros() / 8) as usize
}

/// The number the first `count` (at most eight) bytes of `word` spell,
/// when they are ASCII digits.
fn value_of_digits(word: u64, count: usize) -> u64 {
    if count == 0 {
        return 0;
    }
    // The digits moved to the top of the word, "0"s filling the bottom.
    let shift = 8 * (LANES - count) as u32;
    let zeros = (0x30 * ONES).checked_shr(64 - shift).unwrap_or(0);
    let d = ((word << shift) | zeros) - 0x30 * ONES;
    // Pairs of digits, then fours, then the eight, in every lane at once.
    let pairs = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let fours = (pairs * 100 + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    (fours * 10_000 + (fours >> 32)) & 0xFFFF_FFFF
}

/// The powers of ten a double holds exactly.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `mantissa` times ten to `exponent`, rounded once, without a second
/// pass over the number's text: by one multiplication or division of
/// doubles when both are exact (Clinger's fast path), or else, for the
/// 17- to 19-digit mantissas a double's shortest text often has, by one
/// of 128-bit integers.
fn exact(mantissa: u64, exponent: i32) -> Option<f64> {
    let power = exponent.unsigned_abs() as usize;
    if mantissa <= 1 << 53 {
        let ten = *EXACT_POWERS.get(power)?;
        let mantissa = mantissa as f64;
        return Some(if exponent < 0 {
            mantissa / ten
        } else {
            mantissa * ten
        });
    }
    let ten = u128::from(*POWERS_OF_TEN.get(power)?);
    Some(if exponent < 0 {
        quotient(mantissa, ten)
    } else {
        // Below 10^19 times 10^19, so exact; the cast rounds it once.
        (u128::from(mantissa) * ten) as f64
    })
}

/// `mantissa` (above 2^53) over `ten` (at most 10^19), rounded to the
/// nearest double, ties to even.
fn quotient(mantissa: u64, ten: u128) -> f64 {
    // The numerator's top bit at bit 127 leaves the quotient at least 63
    // bits (10^19 < 2^64): more than a double's 53 and its round bit.
    let shift = 64 + mantissa.leading_zeros();
    let numerator = u128::from(mantissa) << shift;
    let quotient = numerator / ten;
    // A remainder can only tip a tie, so it is kept as the lowest bit, far
    // below the round bit: the cast then rounds as the exact quotient would.
    let inexact = numerator - quotient * ten != 0;
    let rounded = (quotient | u128::from(inexact)) as f64;
    rounded * f64::from_bits(u64::from(1023 - shift) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_digits_read_as_their_number() {
        for text in ["", "7", "42", "1234567", "12345678", "00000009", "98765432"] {
            let mut bytes = text.as_bytes().to_vec();
            bytes.resize(LANES, b',');
            let word = word(&bytes, 0).expect("eight bytes");
            assert_eq!(leading(!digits(word) & HIGHS), text.len(), "{text}");
            let expected = text.parse::<u64>().unwrap_or(0);
            assert_eq!(value_of_digits(word, text.len()), expected, "{text}");
        }
    }

    #[test]
    fn numbers_end_where_their_bytes_do() {
        let text = b"-12.5e+3,\"x\":1234567890123456789}";
        assert_eq!(end_of_number(text, 0), 8);
        assert_eq!(end_of_number(text, 13), 32);
        assert_eq!(
            number(text, 13, true),
            Some((Some(1.2345678901234568e18), 32))
        );
    }

    /// Long mantissas are rounded in integers: each must give the very
    /// double the standard parser gives, ties included.
    #[test]
    fn long_mantissas_round_as_the_standard_parser_does() {
        let mut texts: Vec<String> = [
            "4503599627370496.5",
            "4503599627370497.5",
            "9007199254740993",
            "9007199254740995e3",
            "0.9589242746631385",
            "-0.12345678901234567",
            "1234567890123456789e-19",
            "9999999999999999999e19",
            "18014398509481985e-1",
        ]
        .map(String::from)
        .to_vec();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let digits = (seed % 9_999_999_999_999_999_999).max(1 << 53).to_string();
            let point = (seed >> 40) as usize % (digits.len() + 1);
            let exponent = (seed >> 50) as i32 % 24 - 12;
            let (whole, fraction) = digits.split_at(point);
            let whole = if whole.is_empty() { "0" } else { whole };
            let text = match fraction {
                "" => format!("{whole}e{exponent}"),
                _ => format!("{whole}.{fraction}e{exponent}"),
            };
            texts.push(text);
            // The 19-digit decimal just above a point halfway between two
            // doubles in [0.5, 1): only the remainder says to round up.
            let halfway = u128::from(seed >> 11 | 1 << 53 | 1);
            let above = (halfway * u128::from(POWERS_OF_TEN[19])).div_ceil(1 << 54);
            texts.push(format!("0.{above}"));
        }
        for text in &texts {
            let expected: f64 = text.parse().expect("a number");
            let read = number(text.as_bytes(), 0, true).and_then(|(n, _)| n);
            assert_eq!(read.map(f64::to_bits), Some(expected.to_bits()), "{text}");
        }
    }
}
