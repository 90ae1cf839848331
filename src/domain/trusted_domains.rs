//! Trusted partners: the email domains a community invites (none listed:
//! any), and whether joiners invited at those domains are confirmed
//! without the inviter's third step. The owner's Community Administrators
//! set both; the record keeps who set them last, and when.
//!
//! A domain matches an address's domain exactly, whatever the case:
//! `partner.org` does not admit `eu.partner.org`. A subdomain may be run
//! by someone else (a hosted mail service's customers, say), so trusting
//! it is a choice made by listing it.

use super::email::EmailAddress;
use super::ids::PrincipalId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// The most domains one community lists.
pub const MAX_DOMAINS: usize = 50;
/// The longest domain name DNS allows, in characters.
const MAX_LENGTH: usize = 253;
/// The longest label DNS allows.
const MAX_LABEL: usize = 63;

/// An email domain: lower-case ASCII labels (internationalised names in
/// their `xn--` form) joined by dots, at least two of them, no address
/// literal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EmailDomain(String);

impl EmailDomain {
    /// The domain `text` names, or why it names none.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let domain = text.trim().to_ascii_lowercase();
        if domain.is_empty() {
            return Err("is empty");
        }
        if domain.len() > MAX_LENGTH {
            return Err("is longer than 253 characters");
        }
        if domain.contains("://") {
            return Err("has a scheme; give the domain alone");
        }
        if domain.contains('@') {
            return Err("is an address; give only what follows the @");
        }
        if domain.parse::<IpAddr>().is_ok() || domain.starts_with('[') {
            return Err("is an IP address, not a domain");
        }
        if !domain.contains('.') {
            return Err("has no dot; give a full domain such as example.com");
        }
        for label in domain.split('.') {
            check_label(label)?;
        }
        // Four numbers with dots that `IpAddr` refused (leading zeros,
        // say) are still no domain: a top-level domain is never numeric.
        if domain.rsplit('.').next().is_some_and(all_digits) {
            return Err("is an IP address, not a domain");
        }
        Ok(Self(domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn all_digits(label: &str) -> bool {
    label.bytes().all(|b| b.is_ascii_digit())
}

fn check_label(label: &str) -> Result<(), &'static str> {
    if label.is_empty() {
        return Err("has an empty label (two dots in a row, or a dot at an end)");
    }
    if label.len() > MAX_LABEL {
        return Err("has a label longer than 63 characters");
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err("may hold only letters, digits, hyphens and dots (write an internationalised name in its xn-- form)");
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err("has a label that starts or ends with a hyphen");
    }
    Ok(())
}

impl fmt::Display for EmailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Parses a list as sent: each entry a domain, at most `MAX_DOMAINS`,
/// lower-cased, duplicates dropped, in the order first given. The error
/// says which entry is wrong and why.
pub fn parse_list(entries: &[String]) -> Result<Vec<EmailDomain>, String> {
    if entries.len() > MAX_DOMAINS {
        return Err(format!(
            "must list at most {MAX_DOMAINS} domains ({} given)",
            entries.len()
        ));
    }
    let mut out: Vec<EmailDomain> = Vec::with_capacity(entries.len());
    for entry in entries {
        let domain = EmailDomain::parse(entry).map_err(|why| {
            let shown: String = entry.trim().chars().take(80).collect();
            format!("'{shown}' is not a domain: it {why}")
        })?;
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Ok(out)
}

/// Who set a community's trusted domains last, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetBy {
    pub principal: PrincipalId,
    /// The user's email or the client's name, as it was then.
    pub name: String,
    pub at: DateTime<Utc>,
}

/// A community's trusted domains as stored; a community that never set
/// them has `TrustedDomains::default()`: any domain, nobody confirmed
/// automatically.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedDomains {
    /// Empty: invitations go to any domain.
    pub allowed: Vec<EmailDomain>,
    /// Joiners invited at an allowed domain are confirmed on accepting.
    pub auto_confirm: bool,
    pub set_by: Option<SetBy>,
}

impl TrustedDomains {
    /// Whether the community may invite (and take in) `address`.
    pub fn allows(&self, address: &EmailAddress) -> bool {
        self.allowed.is_empty() || self.lists(address)
    }

    /// Whether a tenant invited at `address` is confirmed as it accepts.
    /// Only a listed domain is: with no list, nobody is.
    pub fn confirms_automatically(&self, address: &EmailAddress) -> bool {
        self.auto_confirm && self.lists(address)
    }

    fn lists(&self, address: &EmailAddress) -> bool {
        let domain = domain_of(address);
        self.allowed.iter().any(|d| d.as_str() == domain)
    }

    /// The listed domains, comma-separated, for messages.
    pub fn listed(&self) -> String {
        let names: Vec<&str> = self.allowed.iter().map(EmailDomain::as_str).collect();
        names.join(", ")
    }
}

/// What follows an address's last `@` (addresses are stored lower-cased).
pub fn domain_of(address: &EmailAddress) -> &str {
    address.as_str().rsplit('@').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(domains: &[&str]) -> TrustedDomains {
        TrustedDomains {
            allowed: domains
                .iter()
                .map(|d| EmailDomain::parse(d).unwrap())
                .collect(),
            ..TrustedDomains::default()
        }
    }

    fn address(text: &str) -> EmailAddress {
        EmailAddress::parse(text).unwrap()
    }

    #[test]
    fn domains_are_lower_cased_and_trimmed() {
        assert_eq!(
            EmailDomain::parse(" Partner.ORG ").unwrap().as_str(),
            "partner.org"
        );
        assert!(EmailDomain::parse("xn--bcher-kva.example").is_ok());
        assert!(EmailDomain::parse(&format!("{}.com", "a".repeat(63))).is_ok());
    }

    #[test]
    fn what_is_not_a_domain_is_refused_with_the_reason() {
        for (text, why) in [
            ("", "empty"),
            ("localhost", "no dot"),
            ("https://partner.org", "scheme"),
            ("ops@partner.org", "address"),
            ("partner .org", "only letters"),
            ("10.0.0.1", "IP address"),
            ("::1", "IP address"),
            ("[10.0.0.1]", "IP address"),
            ("010.0.0.01", "IP address"),
            ("partner..org", "empty label"),
            ("partner.org.", "empty label"),
            ("-partner.org", "hyphen"),
            ("bücher.example", "xn--"),
        ] {
            let err = EmailDomain::parse(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(EmailDomain::parse(&long_label).unwrap_err().contains("63"));
        let long = format!("{}.com", ["abcdefghi"; 26].join("."));
        assert!(long.len() > 253);
        assert!(EmailDomain::parse(&long).unwrap_err().contains("253"));
    }

    #[test]
    fn a_list_drops_duplicates_names_the_bad_entry_and_is_bounded() {
        let entries: Vec<String> = ["Partner.org", "example.com", "partner.ORG"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let parsed = parse_list(&entries).unwrap();
        let names: Vec<&str> = parsed.iter().map(EmailDomain::as_str).collect();
        assert_eq!(names, ["partner.org", "example.com"]);
        let bad = parse_list(&["ok.example".into(), "not a domain".into()]).unwrap_err();
        assert!(bad.contains("'not a domain'"), "{bad}");
        let many: Vec<String> = (0..=MAX_DOMAINS).map(|i| format!("d{i}.example")).collect();
        assert!(parse_list(&many).unwrap_err().contains("at most 50"));
        assert_eq!(parse_list(&many[..MAX_DOMAINS]).unwrap().len(), MAX_DOMAINS);
    }

    #[test]
    fn an_empty_list_allows_any_address_and_confirms_nobody() {
        let open = TrustedDomains {
            auto_confirm: true,
            ..TrustedDomains::default()
        };
        assert!(open.allows(&address("a@anywhere.example")));
        assert!(!open.confirms_automatically(&address("a@anywhere.example")));
    }

    #[test]
    fn domains_match_exactly_not_their_subdomains() {
        let mut trusted = list(&["partner.org"]);
        assert!(trusted.allows(&address("Ops@PARTNER.org")));
        assert!(!trusted.allows(&address("ops@eu.partner.org")));
        assert!(!trusted.allows(&address("ops@notpartner.org")));
        assert!(!trusted.confirms_automatically(&address("ops@partner.org")));
        trusted.auto_confirm = true;
        assert!(trusted.confirms_automatically(&address("ops@partner.org")));
        assert!(!trusted.confirms_automatically(&address("ops@other.org")));
    }
}
