//! A tenant's administrators register the applications its people sign in
//! to with the authorization code flow (OCS's Authorization Code Clients).
//! Rights are checked first, inside the same transaction as the write, so
//! a role revoked meanwhile still refuses it; every list is bounded and
//! every URI checked before anything is stored.
//!
//! Deleting or disabling a client stops codes and tokens for it at once;
//! access tokens already issued live out their hour.

use super::access::acting;
use super::audit;
use super::context::Context;
use super::error::AppError;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::authorization_code_client::{
    validate_cors_origins, validate_post_logout_redirect_uris, validate_redirect_uris,
    AuthorizationCodeClient, MAX_AUTHORIZATION_CODE_CLIENTS_PER_TENANT,
};
use crate::domain::identity::{validate_client_name, Caller};
use crate::domain::ids::{AuthorizationCodeClientId, TenantId};
use crate::domain::permission::Operation;
use crate::store::{authorization_code_clients as clients, Readable, WriteTx};

/// A client as the request gave it; `None` leaves that part as it is (a
/// new client needs a name and its redirect URIs).
#[derive(Clone, Default)]
pub struct ClientInput {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub redirect_uris: Option<Vec<String>>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
    pub allowed_cors_origins: Option<Vec<String>>,
    /// Only false is accepted: no refresh tokens are issued.
    pub allow_offline_access: Option<bool>,
}

/// The caller, checked to administer `tenant`'s clients: a Tenant
/// Administrator of that very tenant.
fn administrator(tx: &impl Readable, caller: Caller, tenant: TenantId) -> Result<(), AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only manage its own tenant's clients",
        ));
    }
    me.require_tenant_role(Operation::ManageClients)
}

fn own_client(
    tx: &impl Readable,
    tenant: TenantId,
    id: AuthorizationCodeClientId,
) -> Result<AuthorizationCodeClient, AppError> {
    match clients::get(tx, id)? {
        Some(c) if c.tenant == tenant => Ok(c),
        _ => Err(AppError::not_found(format!(
            "your tenant has no authorization code client {id}"
        ))),
    }
}

/// Applies `input` to `client`, each field checked and named on refusal.
fn apply(client: &mut AuthorizationCodeClient, input: &ClientInput) -> Result<(), AppError> {
    if let Some(name) = &input.name {
        client.name = validate_client_name(name).map_err(|r| AppError::invalid("Name", r))?;
    }
    if let Some(uris) = &input.redirect_uris {
        client.redirect_uris =
            validate_redirect_uris(uris).map_err(|r| AppError::invalid("RedirectUris", r))?;
    }
    if let Some(uris) = &input.post_logout_redirect_uris {
        client.post_logout_redirect_uris = validate_post_logout_redirect_uris(uris)
            .map_err(|r| AppError::invalid("PostLogoutRedirectUris", r))?;
    }
    if let Some(origins) = &input.allowed_cors_origins {
        client.allowed_cors_origins = validate_cors_origins(origins)
            .map_err(|r| AppError::invalid("AllowedCorsOrigins", r))?;
    }
    if input.allow_offline_access == Some(true) {
        return Err(AppError::invalid(
            "AllowOfflineAccess",
            "refresh tokens are not issued; leave it false",
        ));
    }
    if let Some(enabled) = input.enabled {
        client.enabled = enabled;
    }
    Ok(())
}

pub async fn list(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<Vec<AuthorizationCodeClient>, AppError> {
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            Ok(clients::of_tenant(tx, tenant)?)
        })
        .await
}

pub async fn get(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: AuthorizationCodeClientId,
) -> Result<AuthorizationCodeClient, AppError> {
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            own_client(tx, tenant, id)
        })
        .await
}

/// A change to an application: its name, addresses and whether it is
/// enabled, as they are now.
fn record(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    client: &AuthorizationCodeClient,
) -> Result<(), AppError> {
    let detail = serde_json::json!({
        "Name": client.name,
        "Enabled": client.enabled,
        "RedirectUris": client.redirect_uris,
    });
    audit::record(
        tx,
        who,
        kind,
        Subject::application(client.id),
        detail,
        &[client.tenant],
    )?;
    Ok(())
}

pub async fn create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    input: ClientInput,
) -> Result<AuthorizationCodeClient, AppError> {
    let now = ctx.clock.now();
    let id = AuthorizationCodeClientId::generate();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            if input.name.is_none() {
                return Err(AppError::invalid("Name", "is required"));
            }
            if input.redirect_uris.is_none() {
                return Err(AppError::invalid("RedirectUris", "is required"));
            }
            let mut client = AuthorizationCodeClient {
                id,
                tenant,
                name: String::new(),
                enabled: true,
                redirect_uris: Vec::new(),
                post_logout_redirect_uris: Vec::new(),
                allowed_cors_origins: Vec::new(),
                created: now,
            };
            apply(&mut client, &input)?;
            if clients::of_tenant(tx, tenant)?.len() >= MAX_AUTHORIZATION_CODE_CLIENTS_PER_TENANT {
                return Err(AppError::conflict(format!(
                    "your tenant has {MAX_AUTHORIZATION_CODE_CLIENTS_PER_TENANT} authorization code clients, the most it may have; delete one first"
                )));
            }
            clients::put(tx, &client)?;
            record(tx, &who, AuditKind::ApplicationCreated, &client)?;
            Ok(client)
        })
        .await
}

pub async fn update(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: AuthorizationCodeClientId,
    input: ClientInput,
) -> Result<AuthorizationCodeClient, AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let mut client = own_client(tx, tenant, id)?;
            apply(&mut client, &input)?;
            clients::put(tx, &client)?;
            record(tx, &who, AuditKind::ApplicationChanged, &client)?;
            Ok(client)
        })
        .await
}

pub async fn delete(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: AuthorizationCodeClientId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let client = own_client(tx, tenant, id)?;
            clients::delete(tx, id)?;
            record(tx, &who, AuditKind::ApplicationDeleted, &client)?;
            Ok(())
        })
        .await
}
