//! Email addresses: validated on parse and stored lower-cased, because the
//! spec compares addresses case-insensitively everywhere.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The longest address SMTP allows (RFC 5321 path limit).
const MAX_LENGTH: usize = 254;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid email address")]
pub struct InvalidEmail(pub String);

impl EmailAddress {
    pub fn parse(text: &str) -> Result<Self, InvalidEmail> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > MAX_LENGTH {
            return Err(InvalidEmail(trimmed.chars().take(64).collect()));
        }
        // The `email_address` crate does the RFC 5322 syntax check. It also
        // accepts display names ("Bob <bob@x>") and quoted local parts, which
        // are no use as a recipient typed into a form, so those are refused.
        let exotic = trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c));
        if exotic || !email_address::EmailAddress::is_valid(trimmed) || !trimmed.contains('@') {
            return Err(InvalidEmail(trimmed.chars().take(64).collect()));
        }
        let domain = trimmed.rsplit('@').next().unwrap_or_default();
        if domain.is_empty()
            || domain.starts_with('[')
            || !domain.contains('.') && domain != "localhost"
        {
            return Err(InvalidEmail(trimmed.chars().take(64).collect()));
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for EmailAddress {
    type Err = InvalidEmail;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lower_cased_and_trimmed() {
        let e = EmailAddress::parse("  Alice@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "alice@example.com");
    }

    #[test]
    fn invalid_addresses_are_rejected() {
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "a b@example.com",
            "Bob <bob@example.com>",
            "x@nodot",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad} should be rejected"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
