//! The relying-party side of OpenID Connect: what communityd needs to let
//! a tenant's own identity provider sign its people in. Discovery, the
//! provider's signing keys, PKCE and the ID token's checks; the flow itself
//! (which tenant, which user) is the app's.

pub mod discovery;
pub mod flow;
pub mod http;
pub mod id_token;
pub mod jwks;
