//! Pure types and rules: no I/O, no clock, no HTTP.

pub mod authorization_code;
pub mod authorization_code_client;
pub mod client_secret;
pub mod community;
pub mod custom_role;
pub mod email;
pub mod icon;
pub mod identity;
pub mod identity_provider;
pub mod ids;
pub mod invitation;
pub mod membership;
pub mod notification;
pub mod paging;
pub mod password;
pub mod permission;
pub mod role;
pub mod sds;
pub mod session;
pub mod share_visibility;
pub mod shown_name;
pub mod sign_in_policy;
pub mod tenant;
pub mod two_factor;
pub mod usage;
pub mod user_invitation;
