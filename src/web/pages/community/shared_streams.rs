//! The Tenants tab's shared streams: each tenant's shares (name, when a
//! value was last written), and Unshare for the viewer's own, behind the
//! confirmation step every action that takes something away has.

use crate::app::communities;
use crate::app::sds::access_control::{self, AclChange};
use crate::app::sds::community_streams;
use crate::app::sds::stream_access::Target;
use crate::app::sds::streams;
use crate::domain::ids::CommunityId;
use crate::web::api::sds::request::encode_segment;
use crate::web::pages::confirmation::{confirm_page, ActionForm, Question};
use crate::web::pages::render::{readable_time, PageResult, Portal};
use crate::web::pages::session::Visitor;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize)]
pub struct ShareRow {
    name: String,
    id: String,
    last_value: String,
    /// The stream's page: the owner's own page for the viewer's tenant's
    /// streams, the page read through the community for a partner's.
    page: String,
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
                    page: if mine {
                        format!(
                            "/streams/{}/{}",
                            encode_segment(&s.namespace),
                            encode_segment(&s.id)
                        )
                    } else {
                        format!(
                            "/communities/{community}/tenants/{tenant}/streams/{}/{}",
                            encode_segment(&s.namespace),
                            encode_segment(&s.id)
                        )
                    },
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

pub async fn unshare(
    p: Portal,
    path: web::Path<(CommunityId, String, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let (community, namespace, stream) = path.into_inner();
    let result = unshare_inner(&p, community, &namespace, &stream, form.into_inner()).await;
    p.finish(result)
}

/// Asks first, naming the stream and the community as people know them,
/// in the style of every action that takes something away.
async fn unshare_inner(
    p: &Portal,
    community: CommunityId,
    namespace: &str,
    stream: &str,
    form: ActionForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let back = format!("/communities/{community}");
    let target = Target::new(v.caller(), v.session.tenant, namespace, None)?;
    if !form.confirmed() {
        let shared = streams::get(&p.ctx, target, stream.to_string()).await?;
        let view = communities::get(&p.ctx, v.caller(), None, community).await?;
        let question = format!(
            "Stream '{}' will no longer be visible to the members of '{}'.",
            shared.name,
            view.community.name.as_str()
        );
        let action = format!(
            "/communities/{community}/shares/{}/{}/unshare",
            encode_segment(namespace),
            encode_segment(stream)
        );
        return Ok(confirm_page(
            p,
            Question {
                title: "Stop sharing this stream?",
                question: &question,
                action: &action,
                button: "Unshare",
                cancel: &back,
                danger: true,
            },
        ));
    }
    access_control::change(
        &p.ctx,
        target,
        stream.to_string(),
        AclChange::Unshare(community),
    )
    .await?;
    Ok(p.done("unshared", &back))
}
