//! The rule every new password follows, wherever it is chosen: the admin
//! CLI (`user create`, `user reset-password`), the portal's change-password
//! form and the forgot-password link.

/// Fewer characters than this are refused.
pub const MIN_CHARS: usize = 8;
/// More characters than this are refused (the hash would not mind, but a
/// bound keeps a megabyte "password" from costing a hashing run).
pub const MAX_CHARS: usize = 1024;

/// Ok, or why the password cannot be used, as a phrase that follows the
/// field's name ("password must be at least 8 characters").
pub fn check_new(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err("must be at least 8 characters");
    }
    if n > MAX_CHARS {
        return Err("must be at most 1024 characters");
    }
    if password.trim().is_empty() {
        return Err("must not be only spaces");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_blank_passwords_are_refused() {
        assert!(check_new("correct horse").is_ok());
        assert!(check_new("12345678").is_ok());
        assert_eq!(check_new("1234567"), Err("must be at least 8 characters"));
        assert_eq!(check_new("ééééééé"), Err("must be at least 8 characters"));
        assert!(check_new(&"x".repeat(MAX_CHARS)).is_ok());
        assert!(check_new(&"x".repeat(MAX_CHARS + 1)).is_err());
        assert_eq!(check_new("          "), Err("must not be only spaces"));
    }
}
