//! A tenant's webhook endpoints (`/api/v1/Tenants/{tenantId}/Webhooks`,
//! `app::webhooks`): Tenant Administrators of that tenant only. The
//! signing secret is in the answer to the create, and nowhere else. Each
//! endpoint's delivery log lists the newest deliveries first, a page at a
//! time (`count`, and `before` the last id of the previous page), and any
//! delivery that is not queued can be sent again with its own id.

use super::sds::request::Query;
use super::time;
use crate::app::webhooks::{self, WebhookInput, MAX_LOG_PAGE};
use crate::app::AppError;
use crate::domain::ids::{WebhookDeliveryId, WebhookId};
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::{WebhookAttempt, WebhookDelivery};
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{TenantPath, WebhookDeliveryPath, WebhookPath};
use crate::web::route_table::RouteTable;
use crate::web::schemas::{query_param as param, whole_number};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::KnownFormat;

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_list, _, _>(TENANT, list);
    table.add::<__path_create, _, _>(TENANT, create);
    table.add::<__path_one, _, _>(TENANT, one);
    table.add::<__path_update, _, _>(TENANT, update);
    table.add::<__path_remove, _, _>(TENANT, remove);
    table.add::<__path_deliveries, _, _>(TENANT, deliveries);
    table.add::<__path_redeliver, _, _>(TENANT, redeliver);
}

/// `Webhook`: an endpoint, without its secret.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookBody {
    id: WebhookId,
    url: String,
    events: Vec<String>,
    description: String,
    enabled: bool,
    /// Why it is disabled, when it is.
    disabled_reason: Option<String>,
    created: String,
    /// Since when every delivery has failed, if they have.
    failing_since: Option<String>,
}

impl From<&WebhookEndpoint> for WebhookBody {
    fn from(e: &WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url.clone(),
            events: e.events.iter().map(|k| k.name().to_string()).collect(),
            description: e.description.clone(),
            enabled: e.is_enabled(),
            disabled_reason: e.disabled.clone(),
            created: time(&e.created),
            failing_since: e.failing_since.as_ref().map(time),
        }
    }
}

/// A new endpoint and, this once, its signing secret (`whsec_...`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedWebhookBody {
    #[serde(flatten)]
    webhook: WebhookBody,
    secret: String,
}

/// `WebhookCreateOrUpdate`: on a create `Url` and `Events` are required;
/// on an update what is absent stays as it is.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookInputBody {
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
    /// `true` enables a disabled endpoint again; `false` disables it.
    enabled: Option<bool>,
}

impl From<WebhookInputBody> for WebhookInput {
    fn from(b: WebhookInputBody) -> Self {
        WebhookInput {
            url: b.url,
            events: b.events,
            description: b.description,
            enabled: b.enabled,
        }
    }
}

/// One try of a delivery.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AttemptBody {
    time: String,
    response_code: Option<u16>,
    error: Option<String>,
}

impl From<&WebhookAttempt> for AttemptBody {
    fn from(a: &WebhookAttempt) -> Self {
        Self {
            time: time(&a.at),
            response_code: a.response,
            error: a.error.clone(),
        }
    }
}

/// `WebhookDelivery`: one event sent to the endpoint, with its tries.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DeliveryBody {
    /// The `webhook-id` header it is sent with.
    id: WebhookDeliveryId,
    event: String,
    /// Pending, Delivered or Failed.
    status: String,
    attempts: u32,
    created: String,
    /// When the next try is due, while it is pending.
    next_attempt: Option<String>,
    last_response_code: Option<u16>,
    last_error: Option<String>,
    last_attempt: Option<String>,
    /// The newest tries, oldest first.
    tries: Vec<AttemptBody>,
}

impl From<&WebhookDelivery> for DeliveryBody {
    fn from(d: &WebhookDelivery) -> Self {
        let last = d.last();
        Self {
            id: d.id,
            event: d.event.name().to_string(),
            status: d.status.name().to_string(),
            attempts: d.attempts,
            created: time(&d.created),
            next_attempt: d.is_pending().then(|| time(&d.next_attempt)),
            last_response_code: last.and_then(|a| a.response),
            last_error: last.and_then(|a| a.error.clone()),
            last_attempt: last.map(|a| time(&a.at)),
            tries: d.log.iter().map(AttemptBody::from).collect(),
        }
    }
}

/// The delivery log's query parameters.
pub struct DeliveryLogParams;

impl utoipa::IntoParams for DeliveryLogParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let uuid = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        vec![
            param(
                "count",
                &format!("Deliveries per page (1 to {MAX_LOG_PAGE}, default 50)"),
                whole_number(KnownFormat::Int32, 1, Some(MAX_LOG_PAGE as u64)),
            ),
            param(
                "before",
                "Only deliveries older than this one (the last of the previous page)",
                uuid,
            ),
        ]
    }
}

fn log_query(req: &HttpRequest) -> Result<(Option<WebhookDeliveryId>, usize), AppError> {
    let query = Query::of(req);
    let count = match query.get("count").map(str::trim) {
        None | Some("") => 50,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LOG_PAGE).contains(n))
            .ok_or_else(|| {
                AppError::invalid(
                    "count",
                    format!("must be a number from 1 to {MAX_LOG_PAGE}"),
                )
            })?,
    };
    let before = match query.get("before").map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            WebhookDeliveryId::parse(raw)
                .ok_or_else(|| AppError::invalid("before", "is not a valid GUID"))?,
        ),
    };
    Ok((before, count))
}

/// Your tenant's webhook endpoints (Tenant Administrator)
#[utoipa::path(get, path = "/Webhooks",
    responses((status = 200, description = "The endpoints, oldest first", body = [WebhookBody])))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = webhooks::list(&ctx, caller.0, path.tenant).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(WebhookBody::from).collect::<Vec<_>>()))
}

/// Register a webhook endpoint for your tenant's communities' events (Tenant Administrator)
#[utoipa::path(post, path = "/Webhooks", request_body = WebhookInputBody,
    responses((status = 201, description = "The endpoint, and its signing secret (shown only here)", body = CreatedWebhookBody)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<WebhookInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let made = webhooks::create(&ctx, caller.0, path.tenant, body.0.into()).await?;
    Ok(HttpResponse::Created().json(CreatedWebhookBody {
        webhook: WebhookBody::from(&made),
        secret: made.shown_secret(),
    }))
}

/// A webhook endpoint of your tenant (Tenant Administrator)
#[utoipa::path(get, path = "/Webhooks/{webhookId}", params(WebhookPath),
    responses((status = 200, description = "The endpoint", body = WebhookBody)))]
async fn one(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    hook: WebhookPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = webhooks::get(&ctx, caller.0, path.tenant, hook.webhook).await?;
    Ok(HttpResponse::Ok().json(WebhookBody::from(&found)))
}

/// Change a webhook endpoint's URL, events or description, or enable or disable it (Tenant Administrator)
#[utoipa::path(put, path = "/Webhooks/{webhookId}", params(WebhookPath), request_body = WebhookInputBody,
    responses((status = 200, description = "The endpoint as changed", body = WebhookBody)))]
async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    hook: WebhookPath,
    body: ApiJson<WebhookInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0.into();
    let changed = webhooks::update(&ctx, caller.0, path.tenant, hook.webhook, input).await?;
    Ok(HttpResponse::Ok().json(WebhookBody::from(&changed)))
}

/// Delete a webhook endpoint and its delivery log (Tenant Administrator)
#[utoipa::path(delete, path = "/Webhooks/{webhookId}", params(WebhookPath),
    responses((status = 204, description = "Deleted")))]
async fn remove(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    hook: WebhookPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    webhooks::delete(&ctx, caller.0, path.tenant, hook.webhook).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook endpoint's delivery log, newest first (Tenant Administrator)
#[utoipa::path(get, path = "/Webhooks/{webhookId}/Deliveries", params(WebhookPath, DeliveryLogParams),
    responses((status = 200, description = "A page of deliveries, newest first", body = [DeliveryBody])))]
async fn deliveries(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    hook: WebhookPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let (before, count) = log_query(&req)?;
    let found =
        webhooks::deliveries(&ctx, caller.0, path.tenant, hook.webhook, before, count).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(DeliveryBody::from).collect::<Vec<_>>()))
}

/// Send a delivery again now, with the same webhook-id (Tenant Administrator)
#[utoipa::path(post, path = "/Webhooks/{webhookId}/Deliveries/{deliveryId}/Redeliver",
    params(WebhookDeliveryPath),
    responses((status = 202, description = "Queued again", body = DeliveryBody)))]
async fn redeliver(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: WebhookDeliveryPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let queued =
        webhooks::redeliver(&ctx, caller.0, path.tenant, one.webhook, one.delivery).await?;
    Ok(HttpResponse::Accepted().json(DeliveryBody::from(&queued)))
}
