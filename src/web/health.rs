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
use actix_web::http::header::CACHE_CONTROL;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(live))
        .route("/health/ready", web::get().to(ready));
}

async fn live() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(json!({ "Status": "live" }))
}

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
