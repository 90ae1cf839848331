//! Literal path segments match case-insensitively (`/Communities` and
//! `/communities` are one route), as in the original ASP.NET service. Under
//! /api and /identity every segment is a literal or a GUID, so the whole path
//! is lower-cased before routing; portal paths (which carry case-sensitive
//! link tokens) are left alone.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let lowered = path.to_ascii_lowercase();
    if (lowered.starts_with("/api/") || lowered.starts_with("/identity/")) && lowered != path {
        let query = req.query_string();
        let rebuilt = if query.is_empty() {
            lowered
        } else {
            format!("{lowered}?{query}")
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            req.head_mut().uri = uri.clone();
            req.match_info_mut().get_mut().update(&uri);
        }
    }
    next.call(req).await
}
