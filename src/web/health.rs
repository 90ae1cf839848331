//! Health for orchestrators and load balancers, without authentication and
//! without any tenant data: `/health/live` says the process answers;
//! `/health/ready` says the database is readable and the outbox worker runs
//! (503 otherwise), and reports the mail transport's last known state.
//! A failing mail server does not make the service unready: the outbox
//! keeps the emails and retries, and a restart would not help.

use crate::app::AppError;
use crate::store::meta;
use crate::telemetry::health::MailState;
use crate::web::extract::context;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::CACHE_CONTROL;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

const HEALTH: Mount = Mount::public("Operations", "/health");

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_live, _, _>(HEALTH, live);
    table.add::<__path_ready, _, _>(HEALTH, ready);
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Liveness {
    status: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MailTransport {
    /// `unknown`, `ok` or `failing`.
    status: String,
    /// Since when (absent while unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Readiness {
    /// `ready` or `not ready`.
    status: String,
    database: String,
    outbox_worker: String,
    mail_transport: MailTransport,
}

/// The process answers
#[utoipa::path(
    get,
    path = "/live",
    responses((status = 200, description = "The process answers", body = Liveness))
)]
async fn live() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(json!({ "Status": "live" }))
}

/// Database readable and outbox worker running; mail transport state
#[utoipa::path(
    get,
    path = "/ready",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready", body = Readiness),
    )
)]
async fn ready(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let database = ctx
        .store
        .read(|tx| Ok::<_, AppError>(meta::schema_version(tx)?))
        .await
        .is_ok_and(|v| v.is_some());
    let worker = ctx.health.worker_running();
    let mail = match ctx.health.mail() {
        MailState::Unknown => json!({ "Status": "unknown" }),
        MailState::Ok { at } => json!({ "Status": "ok", "Since": at.to_rfc3339() }),
        MailState::Failing { at, .. } => json!({ "Status": "failing", "Since": at.to_rfc3339() }),
    };
    let ready = database && worker;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok(HttpResponse::build(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(json!({
            "Status": if ready { "ready" } else { "not ready" },
            "Database": if database { "ok" } else { "unavailable" },
            "OutboxWorker": if worker { "running" } else { "stopped" },
            "MailTransport": mail,
        })))
}
