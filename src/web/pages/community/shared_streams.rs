//! The Tenants tab's shared streams: each tenant's shares (name, when a
//! value was last written), and Unshare for the viewer's own, behind a
//! confirmation step like every other action.

use crate::app::sds::access_control::{self, AclChange};
use crate::app::sds::community_streams;
use crate::app::sds::stream_access::Target;
use crate::domain::ids::CommunityId;
use crate::web::api::sds::request::encode_segment;
use crate::web::pages::render::{readable_time, PageResult, Portal};
use crate::web::pages::session::Visitor;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Serialize)]
pub struct ShareRow {
    name: String,
    id: String,
    last_value: String,
    /// Set for the viewer's own tenant's streams.
    unshare: Option<String>,
}

/// Shares keyed by tenant id, for the Tenants tab.
pub async fn rows(
    p: &Portal,
    v: &Visitor,
    community: CommunityId,
) -> Result<HashMap<String, Vec<ShareRow>>, crate::app::AppError> {
    let found = community_streams::tenant_shares(&p.ctx, v.caller(), community).await?;
    Ok(found
        .into_iter()
        .map(|(tenant, shares)| {
            let mine = tenant == v.session.tenant;
            let rows = shares
                .into_iter()
                .map(|s| ShareRow {
                    unshare: mine.then(|| {
                        format!(
                            "/communities/{community}/shares/{}/{}/unshare",
                            encode_segment(&s.namespace),
                            encode_segment(&s.id)
                        )
                    }),
                    last_value: s
                        .last_write
                        .map(|t| readable_time(&t))
                        .unwrap_or_else(|| "no values yet".into()),
                    name: s.name,
                    id: s.id,
                })
                .collect();
            (tenant.to_string(), rows)
        })
        .collect())
}

#[derive(Deserialize)]
pub struct UnshareForm {
    #[serde(default)]
    csrf: String,
    confirm: Option<String>,
}

pub async fn unshare(
    p: Portal,
    path: web::Path<(CommunityId, String, String)>,
    form: web::Form<UnshareForm>,
) -> HttpResponse {
    let (community, namespace, stream) = path.into_inner();
    let result = unshare_inner(&p, community, &namespace, &stream, form.into_inner()).await;
    p.finish(result)
}

async fn unshare_inner(
    p: &Portal,
    community: CommunityId,
    namespace: &str,
    stream: &str,
    form: UnshareForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let back = format!("/communities/{community}");
    if form.confirm.as_deref() != Some("yes") {
        let mut page = tera::Context::new();
        page.insert("title", "Stop sharing this stream?");
        page.insert(
            "question",
            &format!("Stream '{stream}' will no longer be visible to the community's members."),
        );
        page.insert(
            "action",
            &format!(
                "/communities/{community}/shares/{}/{}/unshare",
                encode_segment(namespace),
                encode_segment(stream)
            ),
        );
        page.insert("button", "Unshare");
        page.insert("cancel", &back);
        return Ok(p.render("confirm", page));
    }
    let target = Target::new(v.caller(), v.session.tenant, namespace, None)?;
    access_control::change(
        &p.ctx,
        target,
        stream.to_string(),
        AclChange::Unshare(community),
    )
    .await?;
    Ok(p.done("unshared", &back))
}
