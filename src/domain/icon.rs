//! Tenant icons: base64 text that must decode to a real PNG under 64 KiB.

use base64::Engine;

pub const MAX_BYTES: usize = 65536;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantIcon(Vec<u8>);

impl TenantIcon {
    pub fn from_base64(text: &str) -> Result<Self, String> {
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
        // Decode the header and the first frame so a file that merely starts
        // with the PNG signature is refused.
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.as_slice()))
            .read_info()
            .map_err(|e| format!("is not a PNG image ({e})"))?;
        let mut frame = vec![0; reader.output_buffer_size().unwrap_or(0)];
        reader
            .next_frame(&mut frame)
            .map_err(|e| format!("is not a complete PNG image ({e})"))?;
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
}
