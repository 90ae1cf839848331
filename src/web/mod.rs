//! HTTP: the route table, extractors, error mapping and middleware.

pub mod api;
pub mod authorize;
pub mod body_deadline;
pub mod client_source;
pub mod content_policy;
pub mod descriptors;
pub mod error;
pub mod extract;
pub mod health;
pub mod identity;
pub mod lenient;
pub mod metrics;
pub mod openapi;
pub mod operation;
pub mod pages;
pub mod path;
pub mod paths;
pub mod peer_connections;
pub mod route_table;
pub mod schemas;

use crate::app::{AppError, Context};
use actix_web::http::header::CONTENT_SECURITY_POLICY;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlers};
use actix_web::{web, App, FromRequest, HttpRequest, HttpResponse, HttpServer};
use route_table::RouteTable;
use std::net::TcpListener;
use std::sync::{Arc, OnceLock};
use tera::Tera;
use utoipa::openapi::OpenApi;

/// Every operation of the service, built once.
pub fn operations() -> &'static RouteTable {
    static TABLE: OnceLock<RouteTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = RouteTable::default();
        health::operations(&mut table);
        metrics::operations(&mut table);
        openapi::operations(&mut table);
        identity::operations(&mut table);
        authorize::operations(&mut table);
        api::operations::add_all(&mut table);
        table
    })
}

/// The API document of `operations()`, built once: it depends only on the code.
pub fn api_document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(|| openapi::build(operations()))
}

/// Every route: the route table's operations, then the portal's pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    operations().register(cfg);
    pages::routes(cfg);
}

pub use content_policy::CONTENT_SECURITY_POLICY_VALUE;

/// Paths whose callers are programs: an unknown one answers with the JSON
/// ErrorResponse. Any other unknown path is a portal page that is not there.
fn is_api_path(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    ["/api/", "/identity/", "/health/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || ["/api", "/identity", "/health", "/metrics", "/openapi.json"].contains(&path.as_str())
}

async fn unknown_route(req: HttpRequest) -> Result<HttpResponse, AppError> {
    if is_api_path(req.path()) {
        return Err(AppError::not_found("no such route"));
    }
    let portal = pages::render::Portal::extract(&req).await?;
    Ok(pages::not_found(&portal))
}

pub fn server(
    ctx: Context,
    tera: Arc<Tera>,
    listener: TcpListener,
) -> std::io::Result<actix_web::dev::Server> {
    let admitted = descriptors::connection_limit(descriptors::raise_limit());
    let peers = peer_connections::PeerConnections::new(
        ctx.settings.connections_per_peer,
        admitted,
        ctx.trusted_proxies.clone(),
    );
    let workers = ctx.settings.http_worker_count();
    let data = web::Data::new(ctx);
    let templates = web::Data::from(tera);
    let document = web::Data::new(openapi::Document(api_document));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(templates.clone())
            .app_data(document.clone())
            .configure(routes)
            .default_service(web::to(unknown_route))
            .wrap(
                ErrorHandlers::new()
                    .handler(StatusCode::METHOD_NOT_ALLOWED, error::method_not_allowed),
            )
            .wrap(from_fn(body_deadline::middleware))
            .wrap(from_fn(metrics::middleware))
            .wrap(from_fn(operation::middleware))
            // Outside the others, so each sees the path routing will see.
            .wrap(from_fn(paths::middleware))
            .wrap(
                DefaultHeaders::new().add((CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE)),
            )
    })
    .on_connect(move |connection, data| peers.on_connect(connection, data))
    .workers(workers)
    .max_connections(descriptors::per_worker(admitted, workers))
    .shutdown_timeout(10)
    // `startup` stops the server on SIGTERM/SIGINT: actix's own handling
    // waits a fixed 300 ms after the workers are done.
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}
