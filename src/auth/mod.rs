//! Secrets and proofs: password hashes and their queue, access tokens, link
//! tokens, sessions, throttling.

pub mod access_token;
pub mod authorization_code;
pub mod client_secret;
pub mod hashing_queue;
pub mod hs256;
pub mod link_token;
pub mod oidc;
pub mod password;
pub mod pending_sign_in;
pub mod pkce;
pub mod recovery_codes;
pub mod remembered_secrets;
pub mod session;
pub mod source;
pub mod throttle;
pub mod totp;
pub mod trusted_proxies;
pub mod verified_tokens;
