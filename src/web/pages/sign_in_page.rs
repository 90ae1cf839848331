//! Tenant settings -> Sign-in as a whole: the password policy (changed in
//! `sign_in.rs`) and the tenant's identity providers (added and removed in
//! `identity_providers.rs`). Both forms' handlers show it again after a
//! refusal, with the message on the form that sent it and what was typed.

use super::form_error::{self, FormError};
use super::render::{PageResult, Portal};
use super::session::Visitor;
use crate::app::{custom_roles, identity_providers, sign_in_policy, AppError};
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::permission::Operation;
use crate::domain::role::Role;
use crate::domain::sign_in_policy::SignInPolicy;
use serde::Serialize;

/// The page's address, where its forms' handlers send the browser back.
pub(super) const PAGE: &str = "/tenant/sign-in";

/// Empty group-mapping rows the add form offers.
pub(super) const MAPPING_ROWS: usize = 3;

/// One of the tenant's roles, as a mapping's select offers it.
#[derive(Serialize)]
struct RoleOption {
    id: String,
    name: String,
}

/// A group and its role (an id on the form, a name in the list).
#[derive(Clone, Default, Serialize)]
pub(super) struct Mapping {
    pub group: String,
    pub role: String,
}

/// What the add form held, its secret left out: blank on a fresh page.
#[derive(Serialize)]
pub(super) struct ProviderTyped {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub domains: String,
    pub create_unknown_users: bool,
    pub groups_claim: String,
    pub mappings: Vec<Mapping>,
}

impl Default for ProviderTyped {
    fn default() -> Self {
        ProviderTyped {
            name: String::new(),
            issuer: String::new(),
            client_id: String::new(),
            domains: String::new(),
            create_unknown_users: false,
            groups_claim: String::new(),
            mappings: vec![Mapping::default(); MAPPING_ROWS],
        }
    }
}

/// Which form a refusal came from, and what it held.
pub(super) enum Sent {
    Nothing,
    Policy(SignInPolicy),
    Provider(ProviderTyped),
}

/// A provider as the page lists it: never its secret.
#[derive(Serialize)]
struct Listed {
    id: String,
    name: String,
    issuer: String,
    client_id: String,
    domains: Vec<String>,
    create_unknown_users: bool,
    groups_claim: Option<String>,
    mappings: Vec<Mapping>,
}

fn listed(provider: IdentityProvider, roles: &[RoleOption]) -> Listed {
    let role_name = |id: String| {
        roles
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| "a role deleted since".to_string(), |r| r.name.clone())
    };
    Listed {
        id: provider.id.0.to_string(),
        name: provider.name,
        issuer: provider.issuer,
        client_id: provider.client_id,
        domains: provider.domains,
        create_unknown_users: provider.create_unknown_users,
        groups_claim: provider.groups_claim,
        mappings: provider
            .group_roles
            .into_iter()
            .map(|m| Mapping {
                group: m.group,
                role: role_name(m.role.to_string()),
            })
            .collect(),
    }
}

/// The tenant's roles a group may map to: its two built-in ones, then its own.
async fn role_options(p: &Portal, v: &Visitor) -> Result<Vec<RoleOption>, AppError> {
    let tenant = v.session.tenant;
    let own = custom_roles::of_tenant(&p.ctx, v.caller(), tenant).await?;
    let built_in = Role::TENANT.iter().map(|r| RoleOption {
        id: r.instance_id(tenant.0).to_string(),
        name: r.name().to_string(),
    });
    let own = own.into_iter().map(|r| RoleOption {
        id: r.id.0.to_string(),
        name: r.name,
    });
    Ok(built_in.chain(own).collect())
}

/// The page; after a refusal, `error` on the form `sent` came from.
pub(super) async fn render(p: &Portal, error: Option<&FormError>, sent: Sent) -> PageResult {
    let v = p.visitor()?;
    let tenant = v.session.tenant;
    let stored = sign_in_policy::get(&p.ctx, v.caller(), tenant).await?;
    let providers = identity_providers::of_tenant(&p.ctx, v.caller(), tenant).await?;
    let roles = role_options(p, v).await?;
    let (policy, typed, error_on) = match sent {
        Sent::Nothing => (stored, ProviderTyped::default(), ""),
        Sent::Policy(policy) => (policy, ProviderTyped::default(), "policy"),
        Sent::Provider(typed) => (stored, typed, "provider"),
    };
    let providers: Vec<Listed> = providers.into_iter().map(|x| listed(x, &roles)).collect();
    let mut page = tera::Context::new();
    page.insert("title", "Sign-in");
    page.insert("policy", &policy);
    page.insert("providers", &providers);
    page.insert("roles", &roles);
    page.insert("typed", &typed);
    page.insert("error_on", error_on);
    page.insert(
        "can_edit",
        &Operation::UpdateTenant.allows(v.who.tenant_roles),
    );
    page.insert(
        "can_manage_providers",
        &Operation::ManageSignIn.allows(v.who.tenant_roles),
    );
    Ok(form_error::render(p, "sign_in", &mut page, error))
}
