//! SDS identifiers (namespace, type and stream ids): case-insensitive but
//! case-preserving, so records keep the id as written and are keyed by
//! its ASCII lower-case form (the router lower-cases `/api` paths the same way).

pub const ID_MAX: usize = 100;

/// Checks an id as SDS does: 1..100 characters, no control characters, no
/// `/` (it would break the route), and not only dots.
pub fn validate(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("must not be empty");
    }
    if id.chars().count() > ID_MAX {
        return Err("must be at most 100 characters");
    }
    if id.chars().any(|c| c.is_control() || c == '/') {
        return Err("must not contain '/' or control characters");
    }
    if id.chars().all(|c| c == '.') {
        return Err("must not consist only of dots");
    }
    Ok(())
}

/// The storage key of an id.
pub fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_keyed_without_case() {
        assert!(validate("WaveData_SampleStream").is_ok());
        assert!(validate("").is_err());
        assert!(validate("a/b").is_err());
        assert!(validate("..").is_err());
        assert_eq!(key("WaveData"), key("wavedata"));
    }
}
