//! What every SDS handler reads from a request: the target (tenant,
//! namespace, and the community it goes through, from the path or a
//! `community-id` header), the stream id, query parameters in any case,
//! and a JSON body of any shape.

use crate::app::sds::stream_access::Target;
use crate::app::AppError;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::paging::Page;
use crate::domain::sds::filter::Filter;
use crate::domain::sds::search::SearchQuery;
use crate::domain::sds::value_count::ValueCount;
use crate::web::extract::ApiCaller;
use crate::web::path::{CommunityNamespacePath, NamespacePath};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{ready, Ready};
use uuid::Uuid;

/// The namespace a route names: a tenant's own, or one read through a
/// community (from the path, or a `community-id` header).
pub struct Namespace {
    tenant: TenantId,
    namespace: String,
    via: Option<CommunityId>,
}

impl Namespace {
    fn of(req: &HttpRequest) -> Result<Self, AppError> {
        if req.match_info().get("communityId").is_some() {
            let path = CommunityNamespacePath::of(req)?;
            return Ok(Self {
                tenant: path.tenant,
                namespace: path.namespace,
                via: Some(path.community),
            });
        }
        let path = NamespacePath::of(req)?;
        Ok(Self {
            tenant: path.tenant,
            namespace: path.namespace,
            via: community_header(req)?,
        })
    }

    pub fn target(&self, caller: &ApiCaller) -> Result<Target, AppError> {
        Target::new(caller.0, self.tenant, &self.namespace, self.via)
    }
}

impl FromRequest for Namespace {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req))
    }
}

/// The `community-id` header, when sent.
fn community_header(req: &HttpRequest) -> Result<Option<CommunityId>, AppError> {
    let Some(value) = req.headers().get("community-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            Uuid::try_parse(v)
                .map(CommunityId)
                .map_err(|_| AppError::invalid("community-id", "must be a GUID"))
        })
        .transpose()
}

/// Query parameters, names lower-cased (ASP.NET read them in any case).
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn of(req: &HttpRequest) -> Self {
        Self(
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn number(&self, name: &str) -> Result<Option<usize>, AppError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<usize>()
                    .map_err(|_| AppError::invalid(name, "must be a whole number of at least 0"))
            })
            .transpose()
    }

    /// A number of values (`count` of a value read), when given: 1 to the
    /// read limit, else 400 naming it.
    pub fn value_count(&self, name: &str) -> Result<Option<ValueCount>, AppError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .map(|v| ValueCount::parse(v).map_err(|e| AppError::invalid(name, e.to_string())))
            .transpose()
    }

    /// The stream search of `query` (empty: every stream), bounded in
    /// length and words.
    pub fn search(&self) -> Result<SearchQuery, AppError> {
        SearchQuery::parse(self.get("query").unwrap_or_default())
            .map_err(|e| AppError::invalid("query", e.to_string()))
    }

    pub fn flag(&self, name: &str) -> Result<bool, AppError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("false") => Ok(false),
            Some("true") => Ok(true),
            _ => Err(AppError::invalid(name, "must be true or false")),
        }
    }

    pub fn page(&self) -> Result<Page, AppError> {
        Page::parse(self.get("skip"), self.get("count"))
            .map_err(|e| AppError::invalid(e.field(), e.to_string()))
    }

    /// The `filter` expression, parsed once; none when absent or blank.
    pub fn filter(&self) -> Result<Option<Filter>, AppError> {
        Filter::optional(self.get("filter")).map_err(|e| AppError::invalid("filter", e.to_string()))
    }

    /// For reads a filter does not apply to: say so instead of ignoring
    /// one (which would return values the caller excluded).
    pub fn refuse_filter(&self) -> Result<(), AppError> {
        match self.get("filter") {
            Some(f) if !f.trim().is_empty() => Err(AppError::invalid(
                "filter",
                "a filter applies to window and range reads, not to values read by index",
            )),
            _ => Ok(()),
        }
    }
}

/// A path segment percent-encoded, for links.
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
