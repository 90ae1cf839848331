//! `GET /streams/{namespace}/{stream}`: a stream of the visitor's own
//! tenant, with the communities it is shared into (each with Unshare,
//! behind the usual confirmation step), its latest values and a window.

use super::values::{self, WindowQuery};
use crate::app::sds::share_streams;
use crate::app::sds::stream_access::Target;
use crate::web::api::sds::request::encode_segment;
use crate::web::pages::render::{PageResult, Portal};
use actix_web::{web, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
struct SharedWith {
    id: String,
    name: String,
    /// Where Unshare posts (it asks first).
    unshare: String,
}

pub async fn show(
    p: Portal,
    path: web::Path<(String, String)>,
    q: web::Query<WindowQuery>,
) -> HttpResponse {
    let (namespace, stream) = path.into_inner();
    let result = show_inner(&p, &namespace, &stream, q.into_inner()).await;
    p.finish(result)
}

/// The address of a stream's page.
pub fn page_of(namespace: &str, stream: &str) -> String {
    format!(
        "/streams/{}/{}",
        encode_segment(namespace),
        encode_segment(stream)
    )
}

async fn show_inner(p: &Portal, namespace: &str, id: &str, q: WindowQuery) -> PageResult {
    let v = p.visitor()?;
    let target = Target::new(v.caller(), v.session.tenant, namespace, None)?;
    let mut page = tera::Context::new();
    let (stream, status) = values::fill(p, &mut page, target.clone(), id, &q).await?;
    let shared = share_streams::communities_of_stream(&p.ctx, target, id.to_string()).await?;
    let shared: Vec<SharedWith> = shared
        .into_iter()
        .map(|c| SharedWith {
            unshare: format!(
                "/communities/{}/shares/{}/{}/unshare",
                c.id,
                encode_segment(&stream.namespace),
                encode_segment(&stream.id)
            ),
            id: c.id.to_string(),
            name: c.name,
        })
        .collect();
    page.insert("title", &stream.name);
    page.insert("shared_with", &shared);
    page.insert("owner_view", &true);
    page.insert("defaults", &super::defaults::page_of(&stream.namespace));
    page.insert("here", &page_of(&stream.namespace, &stream.id));
    page.insert("back", "/communities");
    page.insert("back_label", "Communities");
    Ok(p.render_status(status, "stream", &mut page))
}
