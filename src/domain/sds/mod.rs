//! The compact Sequential Data Store (SDS) subset that tenants share through
//! communities: types, streams, values keyed by the type's index, and each
//! stream's and type's access control list. Pure rules; storage is `store::sds_*`.

pub mod acl;
pub mod boundary;
pub mod filter;
pub mod identifier;
pub mod index_key;
pub mod index_value;
pub mod interpolation;
pub mod join;
pub mod json_body;
pub mod modes;
pub mod number_fields;
pub mod patch;
pub mod property_value;
pub mod read_modes;
pub mod sampling;
pub mod sds_type;
pub mod search;
pub mod search_order;
pub mod stream;
pub mod summarised;
pub mod summary;
pub mod type_code;
pub mod value_count;

/// The namespace every tenant has; others are created on first use.
pub const DEFAULT_NAMESPACE: &str = "default";
