//! The SDS routes: a tenant's namespaces under `/api/v1` (and
//! `/api/v1-preview`, where AVEVA's shared-stream client calls them with a
//! `community-id` header), the community-scoped read routes that a search
//! result's `Self` names, joins of several streams' windows, and the
//! community stream search.

pub mod access_control;
pub mod boundaries;
pub mod bulk;
pub mod data;
pub mod interpolated;
pub mod namespaces;
pub mod read_params;
pub mod request;
pub mod search;
pub mod search_paging;
pub mod stream_defaults;
pub mod streams;
pub mod summaries;
pub mod summary_params;
pub mod type_access_control;
pub mod types;
pub mod wire;

use crate::web::api::mounts::{COMMUNITY_NAMESPACE, NAMESPACES, SEARCH, TENANT};
use crate::web::route_table::RouteTable;

/// The tenant's namespaces and their access control; types and their access control under
/// them; streams, data and access control there and through a community; the community
/// stream search.
pub fn operations(table: &mut RouteTable) {
    namespaces::operations(table, TENANT);
    for mount in SEARCH {
        search::operations(table, mount);
    }
    for mount in NAMESPACES {
        types::operations(table, mount);
        type_access_control::operations(table, mount);
        stream_defaults::operations(table, mount);
    }
    for mount in NAMESPACES.into_iter().chain([COMMUNITY_NAMESPACE]) {
        streams::operations(table, mount);
        data::operations(table, mount);
        bulk::operations(table, mount);
        interpolated::operations(table, mount);
        summaries::operations(table, mount);
        access_control::operations(table, mount);
    }
}
