//! The community details page and the forms on it. `details` picks the
//! tab; each tab draws inside the `frame` every tab shares, so the tabs
//! use the frame and never each other.

pub mod bulk_invite;
pub mod contact;
pub mod details;
pub mod edit;
pub mod frame;
pub mod invitations;
pub mod roles;
pub mod shared_streams;
pub mod tenants;
pub mod trusted_domains;
pub mod usage;
pub mod usage_chart;
