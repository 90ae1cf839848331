//! A tenant's administrators manage its client-credentials clients and
//! their secrets (`/api/v1/Tenants/{tenantId}/ClientCredentialClients`),
//! in the shapes of AVEVA's Identity API. A secret appears in exactly one
//! answer, the one that made it; lists and reads show only its id,
//! description, expiry and creation time.
//!
//! Deleting a client or a secret, or disabling a client, stops tokens
//! being issued at once; access tokens already issued stay valid for the
//! rest of their lifetime (at most an hour).

use super::directory::{client_body, ClientBody};
use super::time;
use crate::app::clients::{self, ClientChange, NewClient, SecretInput};
use crate::app::AppError;
use crate::domain::client_secret::ClientSecret;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{ClientPath, SecretPath, TenantPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_create, _, _>(TENANT, create);
    table.add::<__path_update, _, _>(TENANT, update);
    table.add::<__path_delete, _, _>(TENANT, delete);
    table.add::<__path_secrets, _, _>(TENANT, secrets);
    table.add::<__path_add_secret, _, _>(TENANT, add_secret);
    table.add::<__path_secret, _, _>(TENANT, secret);
    table.add::<__path_update_secret, _, _>(TENANT, update_secret);
    table.add::<__path_delete_secret, _, _>(TENANT, delete_secret);
}

/// `ClientCredentialClientCreate`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateClientInput {
    name: String,
    /// Ids of the tenant's roles (Tenant Member, Tenant Administrator).
    #[serde(default)]
    role_ids: Vec<String>,
    tags: Option<Vec<String>>,
    enabled: Option<bool>,
    /// The first secret's description.
    secret_description: Option<String>,
    /// The first secret's expiry (RFC 3339); absent or null: never.
    secret_expiration_date: Option<String>,
}

/// `ClientCredentialClientCreateResponse`: the secret is shown this once.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedClientBody {
    client: ClientBody,
    client_secret: String,
    /// The first secret's id.
    secret_id: u32,
}

/// `ClientCredentialClient` changes; an absent property is left alone.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateClientInput {
    name: Option<String>,
    role_ids: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    enabled: Option<bool>,
}

/// `ClientSecret`: never the secret itself.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecretBody {
    id: u32,
    description: String,
    /// RFC 3339; null when the secret never expires.
    expiration: Option<String>,
    created: String,
    /// Whether the expiry has passed (an expired secret buys no token).
    expired: bool,
}

impl SecretBody {
    fn new(s: &ClientSecret, now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            id: s.id,
            description: s.description.clone(),
            expiration: s.expires.as_ref().map(time),
            created: time(&s.created),
            expired: !s.is_live_at(now),
        }
    }
}

/// `ClientSecretResponse`: the secret's properties and, this once, the
/// secret.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedSecretBody {
    #[serde(flatten)]
    properties: SecretBody,
    secret: String,
}

/// `ClientSecretCreateOrUpdate`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecretInputBody {
    description: Option<String>,
    /// RFC 3339; absent or null: never expires.
    expiration: Option<String>,
}

impl From<SecretInputBody> for SecretInput {
    fn from(b: SecretInputBody) -> Self {
        SecretInput {
            description: b.description,
            expiration: b.expiration,
        }
    }
}

/// Create a client with its first secret
#[utoipa::path(post, path = "/ClientCredentialClients", request_body = CreateClientInput,
    responses((status = 201, description = "The client, and its secret (shown only here)", body = CreatedClientBody)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<CreateClientInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0;
    let new = NewClient {
        name: input.name,
        role_ids: input.role_ids,
        tags: input.tags,
        enabled: input.enabled,
        secret_description: input.secret_description,
        secret_expiration: input.secret_expiration_date,
    };
    let created = clients::create(&ctx, caller.0, path.tenant, new).await?;
    let secret_id = created
        .made
        .identity
        .secrets
        .first()
        .map(|s| s.id)
        .unwrap_or(1);
    Ok(HttpResponse::Created().json(CreatedClientBody {
        client: client_body(created.made),
        client_secret: created.secret,
        secret_id,
    }))
}

/// Rename a client, set its tenant roles, tags, or whether it may get tokens
#[utoipa::path(put, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
    request_body = UpdateClientInput,
    responses((status = 200, description = "The client as changed", body = ClientBody)))]
async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
    body: ApiJson<UpdateClientInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0;
    let change = ClientChange {
        name: input.name,
        role_ids: input.role_ids,
        tags: input.tags,
        enabled: input.enabled,
    };
    let updated = clients::update(&ctx, caller.0, path.tenant, one.client, change).await?;
    Ok(HttpResponse::Ok().json(client_body(updated)))
}

/// Delete a client: it gets no more tokens (those issued run out within the hour)
#[utoipa::path(delete, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    clients::delete(&ctx, caller.0, path.tenant, one.client).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A client's secrets (never their values)
#[utoipa::path(get, path = "/ClientCredentialClients/{clientId}/Secrets", params(ClientPath),
    responses((status = 200, description = "The client's secrets", body = [SecretBody])))]
async fn secrets(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let now = ctx.clock.now();
    let found = clients::secrets(&ctx, caller.0, path.tenant, one.client).await?;
    let bodies: Vec<SecretBody> = found.iter().map(|s| SecretBody::new(s, now)).collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Total-Count", bodies.len().to_string()))
        .json(bodies))
}

/// Add a secret to a client
#[utoipa::path(post, path = "/ClientCredentialClients/{clientId}/Secrets", params(ClientPath),
    request_body = SecretInputBody,
    responses((status = 201, description = "The secret (its value shown only here)", body = CreatedSecretBody)))]
async fn add_secret(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
    body: ApiJson<SecretInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let now = ctx.clock.now();
    let made = clients::add_secret(&ctx, caller.0, path.tenant, one.client, body.0.into()).await?;
    Ok(HttpResponse::Created().json(CreatedSecretBody {
        properties: SecretBody::new(&made.made, now),
        secret: made.secret,
    }))
}

/// One of a client's secrets (never its value)
#[utoipa::path(get, path = "/ClientCredentialClients/{clientId}/Secrets/{secretId}",
    params(ClientPath, SecretPath),
    responses((status = 200, description = "The secret's properties", body = SecretBody)))]
async fn secret(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
    which: SecretPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let now = ctx.clock.now();
    let found = clients::secret(&ctx, caller.0, path.tenant, one.client, which.secret).await?;
    Ok(HttpResponse::Ok().json(SecretBody::new(&found, now)))
}

/// Change a secret's description and expiry (absent or null expiry: never)
#[utoipa::path(put, path = "/ClientCredentialClients/{clientId}/Secrets/{secretId}",
    params(ClientPath, SecretPath), request_body = SecretInputBody,
    responses((status = 200, description = "The secret as changed", body = SecretBody)))]
async fn update_secret(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
    which: SecretPath,
    body: ApiJson<SecretInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let now = ctx.clock.now();
    let changed = clients::update_secret(
        &ctx,
        caller.0,
        path.tenant,
        one.client,
        which.secret,
        body.0.into(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(SecretBody::new(&changed, now)))
}

/// Revoke a secret: it gets no more tokens (those issued run out within the hour)
#[utoipa::path(delete, path = "/ClientCredentialClients/{clientId}/Secrets/{secretId}",
    params(ClientPath, SecretPath),
    responses((status = 204, description = "Revoked")))]
async fn delete_secret(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
    which: SecretPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    clients::delete_secret(&ctx, caller.0, path.tenant, one.client, which.secret).await?;
    Ok(HttpResponse::NoContent().finish())
}
