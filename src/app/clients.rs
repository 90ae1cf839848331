//! A tenant's administrators manage its client-credentials clients and
//! their secrets. Rights, names, roles and quotas are checked before any
//! secret is hashed; the hashing runs on the blocking pool outside any
//! transaction; the write checks the rights and the quotas again, so a
//! role revoked or a quota filled meanwhile still refuses it. The plain
//! secret is returned once and kept nowhere.
//!
//! Deleting a client, revoking a secret or disabling a client stops new
//! tokens at once; tokens already issued live out their short lifetime.

use super::access::{acting, Acting};
use super::audit;
use super::context::Context;
use super::directory::{listed_client, own_directory, Listed};
use super::error::AppError;
use super::role_ids::{self, NamedRoles};
use crate::auth::client_secret;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::client_secret::{
    validate_expiry, validate_secret_description, validate_tags, ClientSecret,
    MAX_CLIENTS_PER_TENANT, MAX_SECRETS_PER_CLIENT,
};
use crate::domain::identity::{validate_client_name, Caller, Client, NewSecret};
use crate::domain::ids::{ClientId, TenantId};
use crate::domain::permission::Operation;
use crate::domain::role::RoleSet;
use crate::store::{clients, identities, Readable, WriteTx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A client to create, as the request gave it.
pub struct NewClient {
    pub name: String,
    pub role_ids: Vec<String>,
    pub tags: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub secret_description: Option<String>,
    pub secret_expiration: Option<String>,
}

/// A change to a client; `None` leaves that part as it is.
pub struct ClientChange {
    pub name: Option<String>,
    pub role_ids: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// A secret's description and expiry as the request gave them.
pub struct SecretInput {
    pub description: Option<String>,
    pub expiration: Option<String>,
}

/// Something just made with a secret: the plain secret, to show once.
pub struct WithSecret<T> {
    pub made: T,
    pub secret: String,
}

/// The caller, checked to administer `tenant`'s clients.
fn administrator(tx: &impl Readable, caller: Caller, tenant: TenantId) -> Result<Acting, AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only manage its own tenant's clients",
        ));
    }
    me.require_tenant_role(Operation::ManageClients)?;
    Ok(me)
}

/// The tenant's client `id`; another tenant's is not found.
fn own_client(tx: &impl Readable, tenant: TenantId, id: ClientId) -> Result<Client, AppError> {
    match identities::get_client(tx, id)? {
        Some(c) if c.tenant == tenant => Ok(c),
        _ => Err(AppError::not_found(format!(
            "your tenant has no client {id}"
        ))),
    }
}

fn secret_not_found(id: ClientId, secret: u32) -> AppError {
    AppError::not_found(format!("client {id} has no secret {secret}"))
}

/// An RFC 3339 time given as `field`; `None` or empty means "never".
fn parse_time(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => DateTime::parse_from_rfc3339(r)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| AppError::invalid(field, "is not an RFC 3339 date and time")),
    }
}

/// A secret's description and expiry, checked, as `fields` names them.
fn secret_fields(
    fields: (&str, &str),
    description: Option<&str>,
    expiration: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, Option<DateTime<Utc>>), AppError> {
    let description = validate_secret_description(description.unwrap_or_default())
        .map_err(|r| AppError::invalid(fields.0, r))?;
    let expires = validate_expiry(parse_time(fields.1, expiration)?, now)
        .map_err(|r| AppError::invalid(fields.1, r))?;
    Ok((description, expires))
}

/// The tenant roles `ids` name (see `role_ids`), where `kept` are the
/// community role ids the client holds. A client must hold a built-in
/// tenant role: it is what lets it use the tenant at all.
fn roles_of(
    tx: &impl Readable,
    tenant: TenantId,
    ids: &[Uuid],
    kept: &[Uuid],
) -> Result<NamedRoles, AppError> {
    let named = role_ids::resolve(tx, tenant, ids, kept)?;
    if named.tenant_roles.is_empty() {
        return Err(AppError::invalid(
            "RoleIds",
            "must name at least one tenant role (Tenant Member or Tenant Administrator)",
        ));
    }
    Ok(named)
}

fn checked_tags(tags: Option<&[String]>) -> Result<Option<Vec<String>>, AppError> {
    tags.map(validate_tags)
        .transpose()
        .map_err(|r| AppError::invalid("Tags", r))
}

/// The caller administers the tenant, which may have one more client.
fn room_for_a_client(tx: &impl Readable, caller: Caller, tenant: TenantId) -> Result<(), AppError> {
    administrator(tx, caller, tenant)?;
    if clients::count_of_tenant(tx, tenant)? >= MAX_CLIENTS_PER_TENANT {
        return Err(AppError::conflict(format!(
            "your tenant has {MAX_CLIENTS_PER_TENANT} clients, the most it may have; delete one first"
        )));
    }
    Ok(())
}

fn too_many_secrets(id: ClientId) -> AppError {
    AppError::conflict(format!(
        "client {id} has {MAX_SECRETS_PER_CLIENT} secrets, the most it may have; revoke one first"
    ))
}

/// Hashes a new secret on the blocking pool.
async fn make_secret(
    description: String,
    expires: Option<DateTime<Utc>>,
) -> Result<(String, NewSecret), AppError> {
    tokio::task::spawn_blocking(move || client_secret::make(description, expires))
        .await
        .map_err(|e| AppError::Unexpected(format!("hashing stopped: {e}")))?
        .map_err(AppError::Unexpected)
}

/// A change to a client (and which of its secrets, if one): its name,
/// roles and whether it is enabled, as they are now.
pub(super) fn record(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    client: &Client,
    secret: Option<u32>,
) -> Result<(), AppError> {
    let roles = client.tenant_roles.names();
    let detail = serde_json::json!({
        "Name": client.name,
        "Roles": roles,
        "Enabled": client.enabled,
        "Secret": secret,
    });
    audit::record(
        tx,
        who,
        kind,
        Subject::client(client.id),
        detail,
        &[client.tenant],
    )?;
    Ok(())
}

/// Creates a client with its first secret.
pub async fn create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    new: NewClient,
) -> Result<WithSecret<Listed<Client>>, AppError> {
    let now = ctx.clock.now();
    let raw_ids = new.role_ids.clone();
    // Rights first, then the ids (bounded) against the tenant's roles.
    let ids = ctx
        .store
        .read(move |tx| {
            room_for_a_client(tx, caller, tenant)?;
            let ids = role_ids::parse(&raw_ids)?;
            roles_of(tx, tenant, &ids, &[])?;
            Ok::<_, AppError>(ids)
        })
        .await?;
    let name = validate_client_name(&new.name).map_err(|r| AppError::invalid("Name", r))?;
    let tags = checked_tags(new.tags.as_deref())?.unwrap_or_default();
    let (description, expires) = secret_fields(
        ("SecretDescription", "SecretExpirationDate"),
        new.secret_description.as_deref(),
        new.secret_expiration.as_deref(),
        now,
    )?;
    let (secret, first) = make_secret(description, expires).await?;
    let mut client = Client::new(
        ClientId::generate(),
        tenant,
        name,
        RoleSet::EMPTY,
        first,
        now,
    );
    client.tags = tags;
    client.enabled = new.enabled.unwrap_or(true);
    let who = audit::by(ctx, caller);
    let listed = ctx
        .store
        .write(move |tx| {
            room_for_a_client(tx, caller, tenant)?;
            // Again: a custom role may have gone while the secret hashed.
            let roles = roles_of(tx, tenant, &ids, &[])?;
            let mut client = client.clone();
            client.tenant_roles = roles.tenant_roles;
            client.custom_roles = roles.custom_roles;
            identities::put_client(tx, &client)?;
            record(tx, &who, AuditKind::ClientCreated, &client, None)?;
            listed_client(tx, client.clone())
        })
        .await?;
    Ok(WithSecret {
        made: listed,
        secret,
    })
}

/// Renames a client, sets its tenant roles, tags, or whether it is enabled.
pub async fn update(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
    change: ClientChange,
) -> Result<Listed<Client>, AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let mut client = own_client(tx, tenant, id)?;
            let name = change
                .name
                .as_deref()
                .map(validate_client_name)
                .transpose()
                .map_err(|r| AppError::invalid("Name", r))?;
            let tags = checked_tags(change.tags.as_deref())?;
            if let Some(ids) = &change.role_ids {
                let held = listed_client(tx, client.clone())?.role_ids;
                let roles = roles_of(tx, tenant, &role_ids::parse(ids)?, &held)?;
                client.tenant_roles = roles.tenant_roles;
                client.custom_roles = roles.custom_roles;
            }
            if let Some(name) = name {
                client.name = name;
            }
            if let Some(tags) = tags {
                client.tags = tags;
            }
            if let Some(enabled) = change.enabled {
                client.enabled = enabled;
            }
            identities::put_client(tx, &client)?;
            record(tx, &who, AuditKind::ClientChanged, &client, None)?;
            listed_client(tx, client)
        })
        .await
}

/// Deletes a client and the community roles it held.
pub async fn delete(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let client = own_client(tx, tenant, id)?;
            identities::delete_client(tx, id)?;
            record(tx, &who, AuditKind::ClientDeleted, &client, None)?;
            Ok(())
        })
        .await
}

/// A client's secrets (never the secrets themselves: `ClientSecret` holds
/// only a hash, which no answer shows). Readable by the tenant's members.
pub async fn secrets(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
) -> Result<Vec<ClientSecret>, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            Ok(own_client(tx, tenant, id)?.secrets)
        })
        .await
}

pub async fn secret(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
    secret: u32,
) -> Result<ClientSecret, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            own_client(tx, tenant, id)?
                .secret(secret)
                .cloned()
                .ok_or_else(|| secret_not_found(id, secret))
        })
        .await
}

/// Adds a secret to a client, up to `MAX_SECRETS_PER_CLIENT`.
pub async fn add_secret(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
    input: SecretInput,
) -> Result<WithSecret<ClientSecret>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            if own_client(tx, tenant, id)?.secrets.len() >= MAX_SECRETS_PER_CLIENT {
                return Err(too_many_secrets(id));
            }
            Ok::<_, AppError>(())
        })
        .await?;
    let (description, expires) = secret_fields(
        ("Description", "Expiration"),
        input.description.as_deref(),
        input.expiration.as_deref(),
        now,
    )?;
    let (secret, new) = make_secret(description, expires).await?;
    let who = audit::by(ctx, caller);
    let made = ctx
        .store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let mut client = own_client(tx, tenant, id)?;
            let made = client
                .add_secret(new.clone(), now)
                .map_err(|_| too_many_secrets(id))?
                .clone();
            identities::put_client(tx, &client)?;
            record(
                tx,
                &who,
                AuditKind::ClientSecretAdded,
                &client,
                Some(made.id),
            )?;
            Ok::<_, AppError>(made)
        })
        .await?;
    Ok(WithSecret { made, secret })
}

/// Changes a secret's description and expiry. The expiry is replaced:
/// absent or null means the secret never expires.
pub async fn update_secret(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
    secret: u32,
    input: SecretInput,
) -> Result<ClientSecret, AppError> {
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let mut client = own_client(tx, tenant, id)?;
            let description = input
                .description
                .as_deref()
                .map(validate_secret_description)
                .transpose()
                .map_err(|r| AppError::invalid("Description", r))?;
            let expires =
                validate_expiry(parse_time("Expiration", input.expiration.as_deref())?, now)
                    .map_err(|r| AppError::invalid("Expiration", r))?;
            let found = client
                .secret_mut(secret)
                .ok_or_else(|| secret_not_found(id, secret))?;
            if let Some(description) = &description {
                found.description = description.clone();
            }
            found.expires = expires;
            let changed = found.clone();
            identities::put_client(tx, &client)?;
            record(tx, &who, AuditKind::ClientChanged, &client, Some(secret))?;
            Ok(changed)
        })
        .await
}

/// Revokes a secret: from now on it buys no token.
pub async fn delete_secret(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
    secret: u32,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let mut client = own_client(tx, tenant, id)?;
            if !client.remove_secret(secret) {
                return Err(secret_not_found(id, secret));
            }
            identities::put_client(tx, &client)?;
            record(
                tx,
                &who,
                AuditKind::ClientSecretRevoked,
                &client,
                Some(secret),
            )?;
            Ok(())
        })
        .await
}

/// Every client of the tenant with its role ids, for its administrators
/// (the portal's Clients page). At most `MAX_CLIENTS_PER_TENANT`.
pub async fn manageable(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<Vec<Listed<Client>>, AppError> {
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            identities::clients_of_tenant(tx, tenant)?
                .into_iter()
                .map(|c| listed_client(tx, c))
                .collect()
        })
        .await
}

/// One client of the tenant, for its administrators (a confirmation step
/// names what it is about to change).
pub async fn managed(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
) -> Result<Client, AppError> {
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            own_client(tx, tenant, id)
        })
        .await
}
