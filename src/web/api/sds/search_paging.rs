//! A community search's query parameters as a `SearchRequest`, and the
//! `Link` header of a paged answer.
//!
//! `skip`/`count` page as before. `pageSize` replaces `count` and asks for
//! a `Link` header: `first` (the same search from its start) and, while
//! more hits follow and `maxPages` allows, `next` (the same search with a
//! `continuationToken`). Going on from a token needs the same `query`,
//! `searchTenantId` and `orderBy`; anything else, or a changed token, is
//! 400 naming `continuationToken`.

use super::read_params::{MAX_PAGES, MAX_PAGE_SIZE};
use super::request::Query;
use crate::app::sds::community_search::{SearchAnswer, SearchRequest};
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::domain::sds::search_order::{fingerprint, Cursor, OrderBy};
use actix_web::HttpRequest;
use uuid::Uuid;

/// The longest `orderBy` read.
const MAX_ORDER_CHARS: usize = 40;

/// The parsed request, and whether the answer carries a `Link` header.
pub struct Paging {
    pub request: SearchRequest,
    pub linked: bool,
}

impl Paging {
    pub fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let query = Query::of(req);
        let page = query.page()?;
        let only = only_tenant(&query)?;
        let search = query.search()?;
        let order_text = query.get("orderby").unwrap_or_default();
        if order_text.chars().count() > MAX_ORDER_CHARS {
            return Err(AppError::invalid(
                "orderBy",
                format!("must be at most {MAX_ORDER_CHARS} characters"),
            ));
        }
        let order = OrderBy::parse(order_text).map_err(|e| AppError::invalid("orderBy", e))?;
        let page_size = bounded(&query, "pageSize", MAX_PAGE_SIZE)?;
        let max_pages = bounded(&query, "maxPages", MAX_PAGES as usize)?.map(|m| m as u32);
        let only_text = only.map(|t| t.0.to_string()).unwrap_or_default();
        let print = fingerprint(&[query.get("query").unwrap_or_default(), &only_text]);
        let after = match query.get("continuationtoken").filter(|t| !t.is_empty()) {
            None => None,
            Some(token) => Some(
                Cursor::decode(token, order, &print)
                    .map_err(|e| AppError::invalid("continuationToken", e.to_string()))?,
            ),
        };
        let linked = page_size.is_some() || after.is_some();
        Ok(Self {
            request: SearchRequest {
                query: search,
                fingerprint: print,
                only_tenant: only,
                order,
                skip: page.skip,
                size: page_size.unwrap_or(page.count),
                max_pages,
                after,
            },
            linked,
        })
    }
}

/// A whole number from 1 to `max`, when given; else 400 naming it.
fn bounded(query: &Query, name: &str, max: usize) -> Result<Option<usize>, AppError> {
    match query.number(name)? {
        Some(n) if !(1..=max).contains(&n) => Err(AppError::invalid(
            name,
            format!("must be a whole number from 1 to {max}"),
        )),
        other => Ok(other),
    }
}

/// `searchTenantId`: only that tenant's shares (the nil GUID: every tenant's).
fn only_tenant(query: &Query) -> Result<Option<TenantId>, AppError> {
    let Some(text) = query
        .get("searchtenantid")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let id =
        Uuid::try_parse(text).map_err(|_| AppError::invalid("searchTenantId", "must be a GUID"))?;
    Ok(Some(TenantId(id)).filter(|t| !t.0.is_nil()))
}

/// `<url>; rel="first"` and, when a page follows, `<url>; rel="next"`.
pub fn link_header(
    public_url: &str,
    req: &HttpRequest,
    paging: &Paging,
    answer: &SearchAnswer,
) -> Option<String> {
    if !paging.linked {
        return None;
    }
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| !k.eq_ignore_ascii_case("continuationToken"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let link = |pairs: &[(String, String)]| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        format!("<{public_url}{}?{}>", req.path(), query.finish())
    };
    let mut out = format!("{}; rel=\"first\"", link(&kept));
    if let Some(next) = &answer.next {
        let mut pairs: Vec<(String, String)> = kept
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("skip"))
            .cloned()
            .collect();
        pairs.push(("continuationToken".to_string(), next.encode()));
        out.push_str(&format!(", {}; rel=\"next\"", link(&pairs)));
    }
    Some(out)
}
