//! Use cases of the SDS subset: types, streams, values, access control,
//! sharing into communities and reading what communities share.

pub mod access_control;
pub mod community_search;
pub mod community_streams;
pub mod data;
pub mod namespaces;
pub mod role_trustees;
pub mod share_events;
pub mod share_streams;
pub mod sharing;
pub mod stream_access;
pub mod stream_defaults;
pub mod streams;
pub mod type_access;
pub mod types;
pub mod values_json;
pub mod visibility;

use super::AppError;
use crate::domain::sds::json_body::Invalid;

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::invalid(e.field, e.reason)
    }
}
