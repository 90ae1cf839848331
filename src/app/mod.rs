//! Use cases. Each checks permission, loads, applies a domain rule and
//! writes in one transaction (queuing any email in that same transaction).

pub mod access;
pub mod admin;
pub mod audit;
pub mod audit_log;
pub mod auth_throttle;
pub mod authorization_code;
pub mod authorization_code_clients;
pub mod clients;
pub mod communities;
pub mod community_access;
pub mod community_roles;
pub mod community_tenants;
pub mod context;
pub mod custom_roles;
pub mod directory;
pub mod error;
pub mod expiry;
pub mod founding;
pub mod handshake;
pub mod health;
pub mod identity;
pub mod identity_providers;
pub mod invitations;
pub mod large;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod passwords;
pub mod portal;
pub mod profile;
pub mod provider_sign_in;
pub mod removal;
pub mod role_ids;
pub mod sds;
pub mod sign_in_policy;
pub mod signup;
pub mod tenants;
pub mod two_factor;
pub mod usage;
pub mod usage_recorder;
pub mod user_invitations;
pub mod users;

pub use context::Context;
pub use error::AppError;
