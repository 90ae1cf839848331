//! Every API operation, into the one route table.

use super::{
    audit_events, authorization_code_clients, bulk_invitations, clients, communities,
    community_members, community_tenants, directory, identity_providers, invitations, roles, sds,
    tenants, usage, users, webhooks,
};
use crate::web::route_table::RouteTable;

pub fn add_all(table: &mut RouteTable) {
    tenants::operations(table);
    directory::operations(table);
    roles::operations(table);
    identity_providers::operations(table);
    audit_events::operations(table);
    clients::operations(table);
    authorization_code_clients::operations(table);
    users::operations(table);
    communities::operations(table);
    community_tenants::operations(table);
    community_members::operations(table);
    invitations::operations(table);
    sds::operations(table);
    usage::operations(table);
    webhooks::operations(table);
    bulk_invitations::operations(table);
}
