//! The SDS routes: a tenant's namespaces under `/api/v1` (and
//! `/api/v1-preview`, where AVEVA's shared-stream client calls them with a
//! `community-id` header), the community-scoped read routes that a search
//! result's `Self` names, and the community stream search.

pub mod access_control;
pub mod data;
pub mod read_params;
pub mod request;
pub mod search;
pub mod stream_defaults;
pub mod streams;
pub mod summaries;
pub mod summary_params;
pub mod type_access_control;
pub mod types;
pub mod wire;

use crate::web::api::mounts::{COMMUNITY_NAMESPACE, NAMESPACES, SEARCH};
use crate::web::route_table::RouteTable;

/// Types and their access control under a tenant's namespaces; streams, data and access control
/// there and through a community; the community stream search.
pub fn operations(table: &mut RouteTable) {
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
        summaries::operations(table, mount);
        access_control::operations(table, mount);
    }
}
