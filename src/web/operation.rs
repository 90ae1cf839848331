//! Every request gets an OperationId: sent as a response header, put in
//! every ErrorResponse body, and logged with the route pattern (never the
//! raw path, which may carry a link token).
//!
//! Every request also runs in a `request` span carrying its operation id,
//! route pattern and, once the bearer token is checked, the caller's
//! tenant, so each line a use case logs says which request wrote it.

use crate::app::audit;
use crate::domain::ids::TenantId;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};
use std::rc::Rc;
use std::time::Instant;
use tracing::field::{display, Empty};
use tracing::Instrument;

pub const HEADER: &str = "operation-id";

tokio::task_local! {
    static OPERATION_ID: String;
}

/// The current request's OperationId (a fresh one outside a request).
pub fn current() -> String {
    OPERATION_ID
        .try_with(|id| id.clone())
        .unwrap_or_else(|_| fresh_id())
}

/// A random (v4) id from the thread's generator: an operation id needs to
/// be unique, not secret, and this costs no system call per request, where
/// `Uuid::new_v4` asks the kernel every time.
fn fresh_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// The route pattern the request matched, worked out once per request for
/// the log line and the metrics (actix rebuilds it on every call).
pub fn route_pattern(req: &HttpRequest) -> Rc<str> {
    #[derive(Clone)]
    struct Matched(Rc<str>);
    if let Some(Matched(route)) = req.extensions().get::<Matched>() {
        return route.clone();
    }
    let route: Rc<str> = req
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".into())
        .into();
    req.extensions_mut().insert(Matched(route.clone()));
    route
}

/// Names the authenticated caller's tenant on the current request's span:
/// called once the bearer token is checked, it marks every later line of
/// the request. Outside a request it does nothing.
pub fn record_tenant(tenant: TenantId) {
    tracing::Span::current().record("tenant", display(tenant));
}

/// The span a request runs in. `paths` has already given the request the
/// path routing will see, so its route pattern is known now; the tenant is
/// known once the bearer token is checked (`record_tenant`).
fn request_span(id: &str, req: &ServiceRequest) -> tracing::Span {
    tracing::info_span!(
        "request",
        operation_id = %id,
        route = %route_pattern(req.request()),
        client = %super::client_source::of(req.request()),
        tenant = Empty
    )
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = fresh_id();
    let started = Instant::now();
    let method = req.method().clone();
    let span = request_span(&id, &req);
    let request = audit::Request {
        operation_id: id.clone(),
        address: super::client_source::address(req.request()),
    };
    let handling = audit::serving(request, next.call(req));
    let mut response = OPERATION_ID
        .scope(id.clone(), handling)
        .instrument(span)
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    let route = route_pattern(response.request());
    tracing::info!(
        operation_id = %id,
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Log output kept in memory for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_logged_in_a_request_name_its_operation_and_tenant() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let tenant = TenantId(uuid::Uuid::from_u128(42));
        tracing::subscriber::with_default(subscriber, || {
            let req = actix_web::test::TestRequest::with_uri("/api/v1/tenants").to_srv_request();
            request_span("op-1", &req).in_scope(|| {
                tracing::info!("before the token is checked");
                record_tenant(tenant);
                tracing::info!("after");
            });
            record_tenant(tenant);
            tracing::info!("outside any request");
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("operation_id=op-1"), "{text}");
        assert!(!lines[0].contains("tenant="), "{text}");
        assert!(lines[1].contains("operation_id=op-1"), "{text}");
        assert!(lines[1].contains(&format!("tenant={tenant}")), "{text}");
        assert!(
            !lines[2].contains("op-1") && !lines[2].contains("tenant="),
            "{text}"
        );
    }
}
