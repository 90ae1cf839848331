//! HTTP: the route table, extractors, error mapping and middleware.

pub mod api;
pub mod error;
pub mod extract;
pub mod identity;
pub mod lenient;
pub mod operation;
pub mod pages;
pub mod paths;

use crate::app::{AppError, Context};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use tera::Tera;

/// Every route, in one place.
pub fn routes(cfg: &mut web::ServiceConfig) {
    identity::routes(cfg);
    api::tenants::routes(cfg);
    api::communities::routes(cfg);
    api::community_tenants::routes(cfg);
    api::community_members::routes(cfg);
    api::invitations::routes(cfg);
    api::directory::routes(cfg);
    api::sds::routes(cfg);
    pages::routes(cfg);
}

async fn unknown_route() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::not_found("no such route"))
}

pub fn server(
    ctx: Context,
    tera: Arc<Tera>,
    listener: TcpListener,
) -> std::io::Result<actix_web::dev::Server> {
    let data = web::Data::new(ctx);
    let templates = web::Data::from(tera);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(templates.clone())
            .configure(routes)
            .default_service(web::to(unknown_route))
            .wrap(
                ErrorHandlers::new()
                    .handler(StatusCode::METHOD_NOT_ALLOWED, error::method_not_allowed),
            )
            .wrap(from_fn(paths::middleware))
            .wrap(from_fn(operation::middleware))
    })
    .workers(2)
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
