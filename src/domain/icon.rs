//! Tenant icons: base64 text that must decode to a real PNG under 64 KiB.
//!
//! The text and the image are both untrusted: a PNG of a few dozen bytes can
//! declare a picture of gigabytes, so the declared size is checked against
//! fixed bounds before anything the size of the picture is allocated, and the
//! decoder itself runs under a byte limit.

use base64::Engine;

pub const MAX_BYTES: usize = 65536;
/// Widest and tallest icon accepted, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// Most memory one icon check may use for its decoded pixels (and, separately,
/// for the decoder's own buffers).
pub const MAX_DECODED_BYTES: usize = 16 * 1024 * 1024;
/// Base64 of MAX_BYTES bytes is never longer than this (plus a data-URL
/// prefix and whitespace, which a caller has no reason to send in bulk).
const MAX_TEXT_CHARS: usize = MAX_BYTES / 3 * 4 + 4 + 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantIcon(Vec<u8>);

impl TenantIcon {
    /// Decodes and checks an icon. CPU-bound (it inflates the image): call
    /// it off the async workers.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        if text.len() > MAX_TEXT_CHARS {
            return Err(format!(
                "is {} characters long; the base64 of an icon smaller than {MAX_BYTES} bytes is at most {} characters",
                text.len(),
                MAX_BYTES / 3 * 4 + 4
            ));
        }
        let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let cleaned = cleaned
            .strip_prefix("data:image/png;base64,")
            .unwrap_or(&cleaned);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(cleaned)
            .map_err(|e| format!("is not valid base64 ({e})"))?;
        if bytes.len() >= MAX_BYTES {
            return Err(format!(
                "decodes to {} bytes; an icon must be smaller than {MAX_BYTES} bytes",
                bytes.len()
            ));
        }
        check_png(&bytes)?;
        Ok(Self(bytes))
    }

    pub fn from_stored(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }
}

/// Reads the header, bounds the declared size, then decodes the first frame
/// so a file that merely starts with the PNG signature is refused.
fn check_png(bytes: &[u8]) -> Result<(), String> {
    let limits = png::Limits {
        bytes: MAX_DECODED_BYTES,
    };
    let mut decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits);
    let header = decoder
        .read_header_info()
        .map_err(|e| format!("is not a PNG image ({e})"))?;
    let (width, height) = (header.width, header.height);
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!(
            "declares {width}x{height} pixels; an icon may be at most {MAX_SIDE}x{MAX_SIDE}"
        ));
    }
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("is not a PNG image ({e})"))?;
    let size = reader
        .output_buffer_size()
        .filter(|&n| n <= MAX_DECODED_BYTES)
        .ok_or_else(|| {
            format!("declares an image larger than {MAX_DECODED_BYTES} bytes once decoded")
        })?;
    let mut frame = vec![0; size];
    reader
        .next_frame(&mut frame)
        .map_err(|e| format!("is not a complete PNG image ({e})"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real 1x1 PNG.
    pub const TINY_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    #[test]
    fn a_real_png_is_accepted() {
        let icon = TenantIcon::from_base64(TINY_PNG).unwrap();
        assert_eq!(icon.to_base64(), TINY_PNG);
    }

    #[test]
    fn garbage_and_fakes_are_refused() {
        assert!(TenantIcon::from_base64("!!!")
            .unwrap_err()
            .contains("base64"));
        let fake = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nnot really");
        assert!(TenantIcon::from_base64(&fake).unwrap_err().contains("PNG"));
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_BYTES]);
        assert!(TenantIcon::from_base64(&big)
            .unwrap_err()
            .contains("smaller than"));
    }

    /// A PNG of a few dozen bytes that declares `width` x `height` pixels of
    /// 16-bit RGBA: a valid header, one tiny IDAT, IEND.
    fn declaring(width: u32, height: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut typed = kind.to_vec();
            typed.extend_from_slice(data);
            out.extend_from_slice(&typed);
            let mut crc = 0xFFFF_FFFFu32;
            for &b in &typed {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            out.extend_from_slice(&(!crc).to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[test]
    fn a_tiny_png_declaring_a_huge_image_is_refused_before_allocating() {
        for (w, h) in [
            (2_147_483_647, 2_147_483_647),
            (1_000_000, 1_000_000),
            (4097, 1),
        ] {
            let text = base64::engine::general_purpose::STANDARD.encode(declaring(w, h));
            let reason = TenantIcon::from_base64(&text).unwrap_err();
            assert!(reason.contains(&format!("{w}x{h}")), "{reason}");
        }
        // Within the side bound but 128 MiB of pixels once decoded.
        let text = base64::engine::general_purpose::STANDARD.encode(declaring(4096, 4096));
        let reason = TenantIcon::from_base64(&text).unwrap_err();
        assert!(reason.contains("larger than"), "{reason}");
    }

    #[test]
    fn over_long_text_is_refused_before_decoding() {
        let text = "A".repeat(200_000);
        assert!(TenantIcon::from_base64(&text)
            .unwrap_err()
            .contains("characters long"));
    }
}
