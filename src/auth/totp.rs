//! Time-based one-time codes (RFC 6238) as authenticator apps make them:
//! HMAC-SHA-1, six digits, a 30-second step. A code is accepted for the
//! step it was made in and one step either side, so a clock a little off
//! (or a code typed as the step turns) still works; which step matched is
//! answered so the caller can refuse that step again (replay).

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret: 160 bits, the size of SHA-1's output, as RFC
/// 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Steps either side of the current one a code is still accepted for.
const WINDOW: i64 = 1;

/// The step a moment (Unix seconds) falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of one step (RFC 4226's HOTP with the step as counter).
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bytes = [
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ];
    u32::from_be_bytes(bytes) % 10u32.pow(DIGITS)
}

/// A code as shown by an app: zero-padded to six digits.
pub fn format_code(code: u32) -> String {
    format!("{code:06}")
}

/// A code as typed: six digits, spaces and dashes ignored; `None` for
/// anything else.
pub fn parse_code(typed: &str) -> Option<u32> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The step within the window around `unix_seconds` whose code is `code`,
/// and later than `after` (a step already used), if any. Every step of
/// the window is computed, so the time taken does not say which matched.
pub fn matching_step(secret: &[u8], code: u32, unix_seconds: i64, after: i64) -> Option<i64> {
    let now = step_at(unix_seconds);
    let mut found = None;
    for step in now - WINDOW..=now + WINDOW {
        let same = constant_time_eq(code_at_step(secret, step), code);
        if same && step > after && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: u32, b: u32) -> bool {
    (a ^ b) == 0
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    secret
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Base32 back to bytes: any case, spaces and padding ignored; `None` for
/// any other character.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let upper = c.to_ascii_uppercase() as u32;
        let value = BASE32.iter().position(|&b| u32::from(b) == upper)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://` URI an app reads (from a QR code or pasted): the
/// label names the account as `issuer:tenant/email`, and the issuer is
/// repeated as a parameter, as Google Authenticator's key format asks.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, the SHA-1 rows: the 20-byte ASCII secret
    /// "12345678901234567890", eight-digit codes (the last six are ours).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        let vectors: [(i64, u32); 6] = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (time, eight_digits) in vectors {
            assert_eq!(
                code_at_step(secret, step_at(time)),
                eight_digits % 1_000_000,
                "T = {time}"
            );
        }
    }

    #[test]
    fn a_code_matches_within_one_step_either_side_and_only_after_the_last_used() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = step_at(now);
        let code = code_at_step(secret, step);
        assert_eq!(matching_step(secret, code, now, 0), Some(step));
        assert_eq!(matching_step(secret, code, now + 30, 0), Some(step));
        assert_eq!(matching_step(secret, code, now - 30, 0), Some(step));
        assert_eq!(matching_step(secret, code, now + 60, 0), None);
        // The step once used is refused again.
        assert_eq!(matching_step(secret, code, now, step), None);
        let wrong = (code + 1) % 1_000_000;
        assert_eq!(matching_step(secret, wrong, now, 0), None);
    }

    #[test]
    fn codes_are_typed_as_six_digits() {
        assert_eq!(parse_code(" 123 456 "), Some(123_456));
        assert_eq!(parse_code("012-345"), Some(12_345));
        assert_eq!(format_code(12_345), "012345");
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(parse_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        // RFC 4648 section 10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
            assert_eq!(from_base32(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(from_base32("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(from_base32("MZ1W"), None);
        let secret = new_secret();
        assert_eq!(from_base32(&base32(&secret)).unwrap(), secret);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = otpauth_uri("communityd", "Contoso/ann@contoso.example", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/communityd:Contoso%2Fann%40contoso%2Eexample?secret=MZXW6YTBOI&issuer=communityd&algorithm=SHA1&digits=6&period=30"
        );
    }
}
