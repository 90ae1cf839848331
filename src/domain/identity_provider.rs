//! An OpenID Connect provider a tenant trusts to sign its people in: the
//! organisation's own directory (Entra ID, Okta, Keycloak...). The provider
//! vouches for email addresses in the domains the tenant lists, and only
//! those: a provider that also hosts other organisations cannot sign
//! strangers into this tenant. Its groups may map to the tenant's roles, so
//! access follows the directory at each sign-in.

use super::email::EmailAddress;
use super::ids::{IdentityProviderId, TenantId};
use super::shown_name;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most providers one tenant may have.
pub const MAX_PROVIDERS_PER_TENANT: usize = 10;
/// Most email domains one provider may vouch for.
pub const MAX_DOMAINS: usize = 20;
/// Most group-to-role mappings one provider may have.
pub const MAX_GROUP_ROLES: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProvider {
    pub id: IdentityProviderId,
    pub tenant: TenantId,
    /// What the login page's button says: "Sign in with NAME".
    pub name: String,
    /// The issuer URL exactly as its discovery document and ID tokens say.
    pub issuer: String,
    pub client_id: String,
    /// Sent only to the provider's token endpoint; never shown, logged or
    /// answered.
    pub client_secret: ProviderSecret,
    /// Lower-cased email domains the provider may vouch for.
    pub domains: Vec<String>,
    /// An unknown but verified person becomes a Tenant Member; otherwise
    /// only existing users may sign in this way.
    pub create_unknown_users: bool,
    /// The ID token claim listing the person's groups, when groups map to
    /// roles.
    pub groups_claim: Option<String>,
    pub group_roles: Vec<GroupRole>,
    pub created: DateTime<Utc>,
}

/// A provider's client secret. Its `Debug` hides it, so no log line or
/// error that prints a provider can carry it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderSecret(String);

impl ProviderSecret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    /// The secret itself, for the token endpoint only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ProviderSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderSecret(hidden)")
    }
}

/// Members of `group` hold the tenant role `role` (a built-in tenant role's
/// id or a custom role's), and lose it when they leave the group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRole {
    pub group: String,
    pub role: Uuid,
}

impl IdentityProvider {
    pub fn name_key(&self) -> String {
        shown_name::unique_key(&self.name)
    }

    /// Whether the provider may vouch for `email`: its domain is one of the
    /// provider's, exactly (a subdomain is another domain).
    pub fn vouches_for(&self, email: &EmailAddress) -> bool {
        let address = email.as_str().to_ascii_lowercase();
        let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        self.domains.iter().any(|d| d == domain)
    }

    /// The roles the groups map to that `groups` earns, and those that
    /// they map to at all: a sign-in grants the first and takes away the
    /// rest of the second, leaving every other role as it is.
    pub fn roles_for_groups(&self, groups: &[String]) -> (Vec<Uuid>, Vec<Uuid>) {
        let mut earned = Vec::new();
        let mut mapped = Vec::new();
        for m in &self.group_roles {
            if !mapped.contains(&m.role) {
                mapped.push(m.role);
            }
            if groups.contains(&m.group) && !earned.contains(&m.role) {
                earned.push(m.role);
            }
        }
        (earned, mapped)
    }
}

fn bounded(text: &str, max: usize) -> Result<String, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Err("must not be empty");
    }
    if text.chars().count() > max {
        return Err("is too long");
    }
    if text.chars().any(char::is_control) {
        return Err("must not hold control characters");
    }
    Ok(text.to_string())
}

/// The button's name: as a tenant's name, 1..100 characters nothing can
/// hide in.
pub fn validate_name(name: &str) -> Result<String, &'static str> {
    let name = bounded(name, 100).map_err(|e| match e {
        "is too long" => "must be at most 100 characters",
        e => e,
    })?;
    shown_name::check(&name)?;
    Ok(name)
}

/// An issuer: an absolute https URL without query or fragment (http only
/// on loopback, for a provider on the same machine), at most 500 bytes.
/// Kept as typed: OpenID compares issuers as exact strings.
pub fn validate_issuer(issuer: &str) -> Result<String, &'static str> {
    let issuer = issuer.trim();
    if issuer.len() > 500 {
        return Err("must be at most 500 characters");
    }
    let url = url::Url::parse(issuer).map_err(|_| "must be an absolute URL")?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err("must be an https URL (http only on loopback)"),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("must not have a query, a fragment or a user name");
    }
    Ok(issuer.to_string())
}

/// A client id as the provider issued it: 1..255 visible characters.
pub fn validate_client_id(id: &str) -> Result<String, &'static str> {
    let id = bounded(id, 255).map_err(|e| match e {
        "is too long" => "must be at most 255 characters",
        e => e,
    })?;
    Ok(id)
}

/// A client secret: 1..1000 characters, kept exactly (no trimming: a
/// secret may end in a space).
pub fn validate_client_secret(secret: &str) -> Result<ProviderSecret, &'static str> {
    match secret.chars().count() {
        0 => Err("must not be empty"),
        n if n > 1000 => Err("must be at most 1000 characters"),
        _ if secret.chars().any(char::is_control) => Err("must not hold control characters"),
        _ => Ok(ProviderSecret(secret.to_string())),
    }
}

/// Email domains: 1..20 host names, lower-cased, each with a dot, no
/// repeats.
pub fn validate_domains(domains: &[String]) -> Result<Vec<String>, String> {
    if domains.is_empty() {
        return Err("must name at least one email domain".into());
    }
    if domains.len() > MAX_DOMAINS {
        return Err(format!("may name at most {MAX_DOMAINS} domains"));
    }
    let mut out: Vec<String> = Vec::new();
    for raw in domains {
        let d = raw.trim().trim_start_matches('@').to_ascii_lowercase();
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if d.len() > 253 || !d.contains('.') || !d.split('.').all(label_ok) {
            let shown: String = raw.chars().take(64).collect();
            return Err(format!(
                "'{shown}' is not a domain name such as example.com"
            ));
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

/// The groups claim's name: 1..100 characters.
pub fn validate_claim(claim: &str) -> Result<String, &'static str> {
    bounded(claim, 100).map_err(|e| match e {
        "is too long" => "must be at most 100 characters",
        e => e,
    })
}

/// A group as the provider names it: 1..256 characters.
pub fn validate_group(group: &str) -> Result<String, &'static str> {
    bounded(group, 256).map_err(|e| match e {
        "is too long" => "must be at most 256 characters",
        e => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(domains: &[&str], groups: &[(&str, u128)]) -> IdentityProvider {
        IdentityProvider {
            id: IdentityProviderId::generate(),
            tenant: TenantId::generate(),
            name: "Contoso AD".into(),
            issuer: "https://login.contoso.example".into(),
            client_id: "communityd".into(),
            client_secret: ProviderSecret::new("s".into()),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            create_unknown_users: false,
            groups_claim: Some("groups".into()),
            group_roles: groups
                .iter()
                .map(|(g, r)| GroupRole {
                    group: g.to_string(),
                    role: Uuid::from_u128(*r),
                })
                .collect(),
            created: Utc::now(),
        }
    }

    #[test]
    fn a_provider_vouches_only_for_its_own_domains() {
        let p = provider(&["contoso.example"], &[]);
        let email = |a: &str| EmailAddress::parse(a).unwrap();
        assert!(p.vouches_for(&email("ada@contoso.example")));
        assert!(p.vouches_for(&email("Ada@CONTOSO.example")));
        assert!(!p.vouches_for(&email("ada@fabrikam.example")));
        assert!(!p.vouches_for(&email("ada@eu.contoso.example")));
        assert!(!p.vouches_for(&email("ada@notcontoso.example")));
    }

    #[test]
    fn groups_earn_the_roles_they_map_to_and_only_those() {
        let p = provider(
            &["contoso.example"],
            &[("admins", 1), ("stewards", 2), ("ops", 2)],
        );
        let (earned, mapped) = p.roles_for_groups(&["ops".into(), "other".into()]);
        assert_eq!(earned, [Uuid::from_u128(2)]);
        assert_eq!(mapped, [Uuid::from_u128(1), Uuid::from_u128(2)]);
        let (earned, _) = p.roles_for_groups(&[]);
        assert!(earned.is_empty());
    }

    #[test]
    fn issuers_are_https_or_loopback_http() {
        assert!(validate_issuer("https://login.example/tenant/v2.0").is_ok());
        assert!(validate_issuer("http://127.0.0.1:9000").is_ok());
        assert!(validate_issuer("http://localhost:9000/").is_ok());
        assert!(validate_issuer("http://idp.example").is_err());
        assert!(validate_issuer("https://idp.example/?a=1").is_err());
        assert!(validate_issuer("not a url").is_err());
        assert!(validate_issuer(&format!("https://e.example/{}", "a".repeat(500))).is_err());
    }

    #[test]
    fn domains_are_host_names_lower_cased_once() {
        let ok = validate_domains(&["Contoso.Example".into(), "@contoso.example".into()]);
        assert_eq!(ok.unwrap(), ["contoso.example"]);
        assert!(validate_domains(&[]).is_err());
        assert!(validate_domains(&["localhost".into()]).is_err());
        assert!(validate_domains(&["a b.example".into()]).is_err());
        assert!(validate_domains(&["-a.example".into()]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("d{i}.example")).collect();
        assert!(validate_domains(&many).is_err());
    }

    #[test]
    fn secrets_are_kept_exactly_and_bounded() {
        assert_eq!(validate_client_secret(" s ").unwrap().expose(), " s ");
        let shown = format!("{:?}", validate_client_secret("hunter2").unwrap());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(validate_client_secret("").is_err());
        assert!(validate_client_secret(&"x".repeat(1001)).is_err());
        assert!(validate_name("  Contoso AD ").is_ok());
        assert!(validate_name("").is_err());
    }
}
