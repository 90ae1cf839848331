//! The operator's commands (CLI): tenants, users, clients and identity
//! providers. Secrets are hashed before the write transaction opens.

use super::error::AppError;
use super::founding::{new_tenant, Founding};
use super::identity_providers::{self, ProviderInput};
use super::{audit, clients, users};
use crate::auth::client_secret;
use crate::auth::password::{generate_secret, hash_now};
use crate::clock::Clock;
use crate::domain::audit::{AuditKind, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::identity::{validate_client_name, Client, User};
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::ids::IdentityProviderId;
use crate::domain::ids::{ClientId, TenantId, UserId};
use crate::domain::role::{Role, RoleSet};
use crate::domain::tenant::{Tenant, TenantState};
use crate::store::identity_providers as store_providers;
use crate::store::{custom_roles, identities, tenants, Readable, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CreatedTenant {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub admin_user_id: UserId,
    pub admin_email: String,
    /// Shown once when generated; `None` when the operator chose it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_password: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CreatedUser {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub roles: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct CreatedClient {
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    pub name: String,
    /// Shown once; only its hash is stored.
    pub client_secret: String,
    pub roles: Vec<&'static str>,
}

/// The password given as the option `field` (named in the error as the
/// operator typed it), or a generated one to show once.
fn password_or_generated(
    field: &'static str,
    password: Option<String>,
) -> Result<(String, Option<String>), AppError> {
    match password {
        Some(p) => match crate::domain::password::check_new(&p) {
            Err(reason) => Err(AppError::invalid(field, reason)),
            Ok(()) => Ok((p, None)),
        },
        None => {
            let p = generate_secret(12);
            Ok((p.clone(), Some(p)))
        }
    }
}

fn tenant_roles(roles: &[Role]) -> Result<RoleSet, AppError> {
    if let Some(r) = roles.iter().find(|r| r.is_community_role()) {
        return Err(AppError::invalid(
            "role",
            format!(
                "{} is a community role; grant it through the API or the portal",
                r.name()
            ),
        ));
    }
    // Administrators are members of their own tenant too, and an identity
    // created without roles is a plain member.
    let set = RoleSet::of(roles);
    Ok(
        if set.is_empty() || set.contains(Role::TenantAdministrator) {
            set.with(Role::TenantMember)
        } else {
            set
        },
    )
}

pub fn create_tenant(
    store: &Store,
    name: &str,
    admin_email: &str,
    admin_password: Option<String>,
    now: DateTime<Utc>,
) -> Result<CreatedTenant, AppError> {
    let email = EmailAddress::parse(admin_email)
        .map_err(|e| AppError::invalid("admin-email", e.to_string()))?;
    let tenant = new_tenant("name", name, now)?;
    let (password, shown) = password_or_generated("admin-password", admin_password)?;
    let hash = hash_now(&password).map_err(AppError::Unexpected)?;
    let founding = Founding::new(tenant, email, hash);
    let who = audit::by_operator(now);
    store.write_blocking(|tx| {
        founding.record(tx)?;
        let tenant = &founding.tenant;
        let detail = serde_json::json!({ "Name": tenant.company_name });
        audit::record(
            tx,
            &who,
            AuditKind::TenantCreated,
            Subject::tenant(tenant.id),
            detail,
            &[tenant.id],
        )?;
        users::record(tx, &who, AuditKind::UserCreated, &founding.admin)
    })?;
    Ok(CreatedTenant {
        tenant_id: founding.tenant.id,
        tenant_name: founding.tenant.company_name,
        admin_user_id: founding.admin.id,
        admin_email: founding.admin.email.to_string(),
        admin_password: shown,
    })
}

pub fn create_user(
    store: &Store,
    tenant: TenantId,
    email: &str,
    password: Option<String>,
    roles: &[Role],
    now: DateTime<Utc>,
) -> Result<CreatedUser, AppError> {
    let email =
        EmailAddress::parse(email).map_err(|e| AppError::invalid("email", e.to_string()))?;
    let roles = tenant_roles(roles)?;
    let (password, shown) = password_or_generated("password", password)?;
    let hash = hash_now(&password).map_err(AppError::Unexpected)?;
    let user = User::new(UserId::generate(), tenant, email, hash, roles, now);
    let who = audit::by_operator(now);
    store.write_blocking(|tx| {
        if tenants::get(tx, tenant)?.is_none() {
            return Err(AppError::not_found(format!(
                "tenant {tenant} does not exist"
            )));
        }
        if !identities::put_user(tx, &user)? {
            return Err(AppError::conflict(format!(
                "tenant {tenant} already has a user {}",
                user.email
            )));
        }
        users::record(tx, &who, AuditKind::UserCreated, &user)
    })?;
    Ok(CreatedUser {
        tenant_id: tenant,
        user_id: user.id,
        email: user.email.to_string(),
        password: shown,
        roles: roles.roles().iter().map(|r| r.name()).collect(),
    })
}

pub fn create_client(
    store: &Store,
    tenant: TenantId,
    name: &str,
    roles: &[Role],
    now: DateTime<Utc>,
) -> Result<CreatedClient, AppError> {
    let name = validate_client_name(name).map_err(|r| AppError::invalid("name", r))?;
    let roles = tenant_roles(roles)?;
    let (secret, first) = client_secret::make(String::new(), None).map_err(AppError::Unexpected)?;
    let client = Client::new(ClientId::generate(), tenant, name, roles, first, now);
    let who = audit::by_operator(now);
    store.write_blocking(|tx| {
        if tenants::get(tx, tenant)?.is_none() {
            return Err(AppError::not_found(format!(
                "tenant {tenant} does not exist"
            )));
        }
        identities::put_client(tx, &client)?;
        clients::record(tx, &who, AuditKind::ClientCreated, &client, None)
    })?;
    Ok(CreatedClient {
        tenant_id: tenant,
        client_id: client.id,
        name: client.name,
        client_secret: secret,
        roles: roles.roles().iter().map(|r| r.name()).collect(),
    })
}

pub fn list_tenants(store: &Store) -> Result<Vec<Tenant>, AppError> {
    store.read_blocking(|tx| Ok(tenants::all(tx)?))
}

pub fn set_tenant_state(
    store: &Store,
    tenant: TenantId,
    state: TenantState,
    now: DateTime<Utc>,
) -> Result<Tenant, AppError> {
    let who = audit::by_operator(now);
    store.write_blocking(|tx| {
        let mut t = tenants::get(tx, tenant)?
            .ok_or_else(|| AppError::not_found(format!("tenant {tenant} does not exist")))?;
        t.state = state;
        t.last_updated = now;
        tenants::put(tx, &t)?.map_err(|clash| super::tenants::clash_error(clash, &t))?;
        let detail = serde_json::json!({ "State": format!("{state:?}") });
        let kind = AuditKind::TenantStateChanged;
        audit::record(tx, &who, kind, Subject::tenant(tenant), detail, &[tenant])?;
        Ok(t)
    })
}

#[derive(Debug, Serialize)]
pub struct NewPassword {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub email: String,
    /// Shown once when generated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Sets a user's password (a generated one when `password` is `None`).
/// The user's portal sessions end and earlier set-password links stop
/// working, as after any password change.
pub fn reset_password(
    store: &Store,
    tenant: TenantId,
    email: &str,
    password: Option<String>,
) -> Result<NewPassword, AppError> {
    let email =
        EmailAddress::parse(email).map_err(|e| AppError::invalid("email", e.to_string()))?;
    let (password, shown) = password_or_generated("password", password)?;
    let hash = hash_now(&password).map_err(AppError::Unexpected)?;
    let who = audit::by_operator(Clock::default().now());
    let user = store.write_blocking(|tx| {
        let mut user = identities::user_by_email(tx, tenant, &email)?
            .ok_or_else(|| AppError::not_found(format!("tenant {tenant} has no user {email}")))?;
        user.set_password_hash(hash.clone());
        identities::put_user(tx, &user)?;
        users::record(tx, &who, AuditKind::UserPasswordChanged, &user)?;
        Ok::<_, AppError>(user)
    })?;
    Ok(NewPassword {
        tenant_id: tenant,
        user_id: user.id,
        email: user.email.to_string(),
        password: shown,
    })
}

/// Gives a client a new secret in place of all it had; the old ones stop
/// working at once (tokens already issued with them run until they expire,
/// at most an hour).
pub fn rotate_client_secret(
    store: &Store,
    client: ClientId,
    now: DateTime<Utc>,
) -> Result<CreatedClient, AppError> {
    let (secret, new) = client_secret::make(String::new(), None).map_err(AppError::Unexpected)?;
    let who = audit::by_operator(now);
    let updated = store.write_blocking(|tx| {
        let mut c = identities::get_client(tx, client)?
            .ok_or_else(|| AppError::not_found(format!("client {client} does not exist")))?;
        c.replace_secrets(new.clone(), now);
        identities::put_client(tx, &c)?;
        let secret = c.secrets.first().map(|s| s.id);
        clients::record(tx, &who, AuditKind::ClientSecretAdded, &c, secret)?;
        Ok::<_, AppError>(c)
    })?;
    Ok(CreatedClient {
        tenant_id: updated.tenant,
        client_id: updated.id,
        name: updated.name,
        client_secret: secret,
        roles: updated
            .tenant_roles
            .roles()
            .iter()
            .map(|r| r.name())
            .collect(),
    })
}

/// Deletes a client and its community roles; its tokens stop working at
/// once (every API call checks that the identity still exists).
pub fn delete_client(store: &Store, client: ClientId) -> Result<(), AppError> {
    let who = audit::by_operator(Clock::default().now());
    store.write_blocking(|tx| {
        let found = identities::get_client(tx, client)?;
        match found {
            Some(c) if identities::delete_client(tx, client)? => {
                clients::record(tx, &who, AuditKind::ClientDeleted, &c, None)
            }
            _ => Err(AppError::not_found(format!(
                "client {client} does not exist"
            ))),
        }
    })
}

/// A provider as `idp list` and `idp add` print it (no secret).
#[derive(Debug, Serialize)]
pub struct ListedProvider {
    pub id: IdentityProviderId,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub domains: Vec<String>,
    pub create_unknown_users: bool,
    pub groups_claim: Option<String>,
    /// "group = role name" (or the id of a role deleted since).
    pub group_roles: Vec<String>,
}

fn listed_provider(tx: &impl Readable, p: IdentityProvider) -> Result<ListedProvider, AppError> {
    let custom = custom_roles::of_tenant(tx, p.tenant)?;
    let role_name = |id: uuid::Uuid| {
        Role::TENANT
            .iter()
            .find(|r| r.instance_id(p.tenant.0) == id)
            .map(|r| r.name().to_string())
            .or_else(|| custom.iter().find(|c| c.id.0 == id).map(|c| c.name.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    Ok(ListedProvider {
        id: p.id,
        group_roles: p
            .group_roles
            .iter()
            .map(|m| format!("{} = {}", m.group, role_name(m.role)))
            .collect(),
        name: p.name,
        issuer: p.issuer,
        client_id: p.client_id,
        domains: p.domains,
        create_unknown_users: p.create_unknown_users,
        groups_claim: p.groups_claim,
    })
}

/// A role named as the operator types it: a built-in tenant role's name, a
/// custom role's name (any case), or an id.
fn role_named(tx: &impl Readable, tenant: TenantId, name: &str) -> Result<String, AppError> {
    if let Some(r) = Role::parse(name).filter(|r| !r.is_community_role()) {
        return Ok(r.instance_id(tenant.0).to_string());
    }
    let wanted = crate::domain::custom_role::name_key(name.trim());
    Ok(custom_roles::of_tenant(tx, tenant)?
        .into_iter()
        .find(|c| c.name_key() == wanted)
        .map(|c| c.id.to_string())
        .unwrap_or_else(|| name.trim().to_string()))
}

/// `idp add`: the issuer's discovery was checked by the command before.
/// `group_roles` are (group, role name or id) pairs.
pub fn add_identity_provider(
    store: &Store,
    tenant: TenantId,
    input: ProviderInput,
    now: DateTime<Utc>,
) -> Result<ListedProvider, AppError> {
    let who = audit::by_operator(now);
    store.write_blocking(|tx| {
        // A write may run again: the input is only read.
        let mut named = input.clone();
        if let Some(pairs) = &input.group_roles {
            let ids: Result<Vec<_>, AppError> = pairs
                .iter()
                .map(|(g, r)| Ok((g.clone(), role_named(tx, tenant, r)?)))
                .collect();
            named.group_roles = Some(ids?);
        }
        let made = identity_providers::insert(tx, &who, tenant, &named, now)?;
        listed_provider(tx, made)
    })
}

pub fn list_identity_providers(
    store: &Store,
    tenant: TenantId,
) -> Result<Vec<ListedProvider>, AppError> {
    store.read_blocking(|tx| {
        store_providers::of_tenant(tx, tenant)?
            .into_iter()
            .map(|p| listed_provider(tx, p))
            .collect()
    })
}

/// `idp remove`: the provider named by id or name.
pub fn remove_identity_provider(
    store: &Store,
    tenant: TenantId,
    provider: &str,
) -> Result<ListedProvider, AppError> {
    let who = audit::by_operator(Clock::default().now());
    store.write_blocking(|tx| {
        let key = crate::domain::shown_name::unique_key(provider.trim());
        let found = store_providers::of_tenant(tx, tenant)?
            .into_iter()
            .find(|p| p.id.to_string() == provider.trim().to_lowercase() || p.name_key() == key)
            .ok_or_else(|| {
                AppError::not_found(format!(
                    "the tenant has no identity provider with the id or name '{provider}' (see `communityd idp list`)"
                ))
            })?;
        let removed = identity_providers::remove(tx, &who, tenant, found.id.0)?;
        listed_provider(tx, removed)
    })
}
