//! Share streams from the community page: pick streams of a namespace of
//! the visitor's tenant (search, a page at a time), confirm, done. The
//! share itself is `share_streams::share`, by the API's rules.

use super::own;
use crate::app::communities::{self, CommunityView};
use crate::app::sds::share_streams::{self, MAX_STREAMS_PER_SHARE};
use crate::app::sds::stream_access::Target;
use crate::app::sds::streams;
use crate::app::AppError;
use crate::domain::ids::CommunityId;
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::paging::Page;
use crate::domain::sds::search::SearchQuery;
use crate::web::pages::render::{PageResult, Portal};
use crate::web::pages::role_ticks::Fields;
use crate::web::pages::session::Visitor;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

/// Streams listed per page.
const PAGE_SIZE: usize = 25;
/// The namespace picked when none is named.
const DEFAULT_NAMESPACE: &str = "default";

#[derive(Deserialize, Default)]
pub struct PickQuery {
    pub namespace: Option<String>,
    pub query: Option<String>,
    pub skip: Option<usize>,
}

#[derive(Serialize)]
struct Pick {
    id: String,
    name: String,
    page: String,
    already: bool,
}

fn namespace_of(raw: Option<&str>) -> String {
    raw.map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_NAMESPACE)
        .to_string()
}

/// The community, if the visitor's tenant may share into it now: an
/// Active member (a Paused one is refused here as the share would be).
async fn sharing_view(
    p: &Portal,
    v: &Visitor,
    community: CommunityId,
) -> Result<CommunityView, AppError> {
    let view = communities::get(&p.ctx, v.caller(), None, community).await?;
    if view.viewer_status != CommunityTenantStatus::Active {
        return Err(AppError::forbidden(format!(
            "your tenant must be an Active member of '{}' to share streams into it",
            view.community.name.as_str()
        )));
    }
    Ok(view)
}

pub async fn pick(
    p: Portal,
    path: web::Path<CommunityId>,
    q: web::Query<PickQuery>,
) -> HttpResponse {
    let result = pick_inner(&p, path.into_inner(), q.into_inner()).await;
    p.finish(result)
}

async fn pick_inner(p: &Portal, community: CommunityId, q: PickQuery) -> PageResult {
    let v = p.visitor()?;
    let view = sharing_view(p, v, community).await?;
    let namespace = namespace_of(q.namespace.as_deref());
    let target = Target::new(v.caller(), v.session.tenant, &namespace, None)?;
    let text = q.query.unwrap_or_default();
    let query = SearchQuery::parse(&text).map_err(|e| AppError::invalid("query", e.to_string()))?;
    let skip = q.skip.unwrap_or(0);
    let page = Page {
        skip,
        count: PAGE_SIZE + 1,
    };
    let mut found = streams::list(&p.ctx, target, query, page).await?;
    let more = found.len() > PAGE_SIZE;
    found.truncate(PAGE_SIZE);
    let picks: Vec<Pick> = found
        .into_iter()
        .map(|s| Pick {
            already: share_streams::with_share(&s.acl, community) == s.acl,
            page: own::page_of(&s.namespace, &s.id),
            id: s.id,
            name: s.name,
        })
        .collect();
    let here = |skip: usize| {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        url.append_pair("namespace", &namespace)
            .append_pair("query", &text)
            .append_pair("skip", &skip.to_string());
        format!("/communities/{community}/share?{}", url.finish())
    };
    let mut page = tera::Context::new();
    page.insert("title", "Share streams");
    page.insert("id", &community.to_string());
    page.insert("community_name", view.community.name.as_str());
    page.insert("namespace", &namespace);
    page.insert("query", &text);
    page.insert("picks", &picks);
    page.insert("most", &MAX_STREAMS_PER_SHARE);
    page.insert("step", "pick");
    page.insert("defaults", &super::defaults::page_of(&namespace));
    page.insert(
        "previous",
        &(skip > 0).then(|| here(skip.saturating_sub(PAGE_SIZE))),
    );
    page.insert("next", &more.then(|| here(skip + PAGE_SIZE)));
    Ok(p.render("share_streams", page))
}

pub async fn submit(
    p: Portal,
    path: web::Path<CommunityId>,
    form: web::Form<Fields>,
) -> HttpResponse {
    let result = submit_inner(&p, path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

/// The stream ids ticked, each once, bounded before anything is read.
fn picked(form: &Fields) -> Result<Vec<String>, AppError> {
    let mut ids: Vec<String> = Vec::new();
    for (_, id) in form.0.iter().filter(|(n, _)| n == "stream") {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
        if ids.len() > MAX_STREAMS_PER_SHARE {
            break;
        }
    }
    share_streams::check_count(ids.len())?;
    Ok(ids)
}

async fn submit_inner(p: &Portal, community: CommunityId, form: Fields) -> PageResult {
    let v = p.checked(&form.text("csrf"))?;
    let ids = picked(&form)?;
    let namespace = namespace_of(form.get("namespace"));
    let target = Target::new(v.caller(), v.session.tenant, &namespace, None)?;
    if form.get("confirm") != Some("yes") {
        let view = sharing_view(p, v, community).await?;
        let mut picks = Vec::new();
        for id in &ids {
            let s = streams::get(&p.ctx, target.clone(), id.clone()).await?;
            picks.push(Pick {
                already: false,
                page: own::page_of(&s.namespace, &s.id),
                id: s.id,
                name: s.name,
            });
        }
        let mut page = tera::Context::new();
        page.insert("title", "Share these streams?");
        page.insert("id", &community.to_string());
        page.insert("community_name", view.community.name.as_str());
        page.insert("namespace", &namespace);
        page.insert("picks", &picks);
        page.insert("step", "confirm");
        return Ok(p.render("share_streams", page));
    }
    share_streams::share(&p.ctx, target, community, ids).await?;
    Ok(p.done("shared", &format!("/communities/{community}")))
}
