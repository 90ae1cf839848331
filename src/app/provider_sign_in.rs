//! Signing in through a tenant's identity provider: the authorization code
//! flow with PKCE, `state` and `nonce`. `start` sends the browser to the
//! provider; `finish` takes its answer, redeems the code, checks the ID
//! token, matches (or, if the provider allows it, creates) the user by
//! email in the tenant, brings the user's roles in step with the groups
//! claim, and starts a session. Nothing is written before every check has
//! passed.

use super::context::Context;
use super::error::AppError;
use super::identity::start_session;
use crate::auth::oidc::discovery::Discovery;
use crate::auth::oidc::flow::Flow;
use crate::auth::oidc::http::ProviderError;
use crate::auth::oidc::id_token::{self, Expected, Person, Rejected};
use crate::auth::pkce;
use crate::domain::email::EmailAddress;
use crate::domain::identity::User;
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::ids::{CustomRoleId, IdentityProviderId, TenantId, UserId};
use crate::domain::role::{Role, RoleSet};
use crate::domain::session::Session;
use crate::store::{custom_roles, identities, identity_providers, tenants, Readable};
use serde::Deserialize;

/// Where providers send the browser back, the same for every provider
/// (the flow cookie says which one it was).
pub const CALLBACK_PATH: &str = "/login/provider/callback";

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("This tenant has no such identity provider any more. Choose another way to sign in.")]
    UnknownProvider,
    #[error("This tenant is not active, so its users cannot sign in.")]
    TenantInactive,
    #[error("The sign-in took too long or was started in another browser. Start it again.")]
    FlowLost,
    #[error("{name} could not be used: it {error}. Try again later, or sign in another way.")]
    ProviderDown { name: String, error: ProviderError },
    #[error("{name} did not sign you in: {reason}.")]
    ProviderRefused { name: String, reason: String },
    #[error("{name} could not be trusted: {rejected}.")]
    Rejected { name: String, rejected: Rejected },
    #[error("{name} may not vouch for {email}: its email domains are {domains}.")]
    OutsideDomains {
        name: String,
        email: String,
        domains: String,
    },
    #[error("{email} is not a user of this tenant. Ask one of its administrators to add you.")]
    UnknownUser { email: String },
    #[error("{email} is deactivated in this tenant. Ask one of its administrators.")]
    Deactivated { email: String },
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<crate::store::StoreError> for SignInError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::App(e.into())
    }
}

/// The tenant's provider, if the tenant is active.
async fn provider(
    ctx: &Context,
    tenant: TenantId,
    id: IdentityProviderId,
) -> Result<IdentityProvider, SignInError> {
    let (state, provider) = ctx
        .store
        .read(move |tx| {
            Ok::<_, AppError>((
                tenants::get(tx, tenant)?.map(|t| t.state),
                identity_providers::get(tx, tenant, id)?,
            ))
        })
        .await?;
    if state.is_some_and(|s| !s.is_active()) {
        return Err(SignInError::TenantInactive);
    }
    provider.ok_or(SignInError::UnknownProvider)
}

async fn discover(ctx: &Context, p: &IdentityProvider) -> Result<Discovery, SignInError> {
    ctx.provider_documents
        .get(&ctx.provider_http, &p.issuer)
        .await
        .map_err(|error| SignInError::ProviderDown {
            name: p.name.clone(),
            error,
        })
}

/// Begins a sign-in: where to send the browser, and the flow it carries.
pub async fn start(
    ctx: &Context,
    tenant: TenantId,
    id: IdentityProviderId,
    next: String,
) -> Result<(String, Flow), SignInError> {
    let p = provider(ctx, tenant, id).await?;
    let doc = discover(ctx, &p).await?;
    let flow = Flow::new(tenant.0, id.0, next, ctx.clock.now());
    let mut url =
        url::Url::parse(&doc.authorization_endpoint).map_err(|_| SignInError::ProviderDown {
            name: p.name.clone(),
            error: ProviderError::Malformed("its authorization endpoint is not a URL".into()),
        })?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &p.client_id)
        .append_pair("redirect_uri", &callback(ctx))
        .append_pair("scope", "openid email profile")
        .append_pair("state", &flow.state)
        .append_pair("nonce", &flow.nonce)
        .append_pair("code_challenge", &pkce::challenge_of(&flow.verifier))
        .append_pair("code_challenge_method", "S256");
    Ok((url.into(), flow))
}

fn callback(ctx: &Context) -> String {
    format!("{}{CALLBACK_PATH}", ctx.public_url)
}

/// What the provider sent the browser back with.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: String,
}

/// Ends a sign-in: a new session and where to land. `flow` is what the
/// browser's cookie carried (already opened, so signed and in time).
pub async fn finish(
    ctx: &Context,
    flow: Flow,
    answer: Answer,
) -> Result<(String, Session, String), SignInError> {
    if answer.state.as_deref() != Some(flow.state.as_str()) {
        return Err(SignInError::FlowLost);
    }
    let p = provider(
        ctx,
        TenantId(flow.tenant),
        IdentityProviderId(flow.provider),
    )
    .await?;
    if let Some(error) = answer.error {
        let detail = answer.error_description.unwrap_or_default();
        let reason: String = format!("{error} {detail}")
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        return Err(SignInError::ProviderRefused {
            name: p.name,
            reason,
        });
    }
    let code = answer.code.unwrap_or_default();
    let person = redeem(ctx, &p, &flow, &code).await?;
    let email = EmailAddress::parse(&person.email).map_err(|_| SignInError::Rejected {
        name: p.name.clone(),
        rejected: Rejected::NoEmail,
    })?;
    if !p.vouches_for(&email) {
        return Err(SignInError::OutsideDomains {
            name: p.name.clone(),
            email: email.to_string(),
            domains: p.domains.join(", "),
        });
    }
    let groups = p
        .groups_claim
        .as_deref()
        .map(|claim| person.groups(claim))
        .unwrap_or_default();
    let user = matched_user(ctx, p, email, groups).await?;
    let (id, session) = start_session(ctx, &user, "IdentityProvider").await?;
    Ok((id, session, flow.next))
}

/// Redeems the code at the token endpoint and checks the ID token.
async fn redeem(
    ctx: &Context,
    p: &IdentityProvider,
    flow: &Flow,
    code: &str,
) -> Result<Person, SignInError> {
    let doc = discover(ctx, p).await?;
    let down = |error| SignInError::ProviderDown {
        name: p.name.clone(),
        error,
    };
    let redirect = callback(ctx);
    let answer: TokenAnswer = ctx
        .provider_http
        .post_form(
            &doc.token_endpoint,
            (&p.client_id, p.client_secret.expose()),
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &redirect),
                ("code_verifier", &flow.verifier),
            ],
        )
        .await
        .map_err(|error| match error {
            ProviderError::Refused { detail, .. } => SignInError::ProviderRefused {
                name: p.name.clone(),
                reason: detail,
            },
            other => down(other),
        })?;
    let kid = id_token::key_id(&answer.id_token);
    let keys = ctx
        .provider_keys
        .keys_for(&ctx.provider_http, &doc.jwks_uri, kid.as_deref())
        .await
        .map_err(down)?;
    let expected = Expected {
        issuer: &p.issuer,
        client_id: &p.client_id,
        nonce: &flow.nonce,
        now: ctx.clock.now(),
    };
    id_token::verify(&answer.id_token, &keys, &expected).map_err(|rejected| SignInError::Rejected {
        name: p.name.clone(),
        rejected,
    })
}

/// The tenant's user with the address, its roles brought in step with the
/// groups; created as a Tenant Member when unknown and the provider allows.
async fn matched_user(
    ctx: &Context,
    p: IdentityProvider,
    email: EmailAddress,
    groups: Vec<String>,
) -> Result<User, SignInError> {
    let now = ctx.clock.now();
    let fresh = UserId::generate();
    ctx.store
        .write(move |tx| {
            let tenant = p.tenant;
            if !tenants::get(tx, tenant)?.is_some_and(|t| t.state.is_active()) {
                return Err(SignInError::TenantInactive);
            }
            let found = identities::user_by_email(tx, tenant, &email)?;
            let mut user = match found {
                Some(u) if u.deactivated => {
                    return Err(SignInError::Deactivated {
                        email: email.to_string(),
                    })
                }
                Some(u) => u,
                None if p.create_unknown_users => {
                    let member = RoleSet::of(&[Role::TenantMember]);
                    User::new(fresh, tenant, email.clone(), String::new(), member, now)
                }
                None => {
                    return Err(SignInError::UnknownUser {
                        email: email.to_string(),
                    })
                }
            };
            let before = (user.tenant_roles, user.custom_roles.clone());
            if p.groups_claim.is_some() {
                follow_groups(tx, &p, &mut user, &groups)?;
            }
            if found_changed(&before, &user) || user.id == fresh {
                identities::put_user(tx, &user)?;
            }
            Ok(user)
        })
        .await
}

fn found_changed(before: &(RoleSet, Vec<CustomRoleId>), user: &User) -> bool {
    before.0 != user.tenant_roles || before.1 != user.custom_roles
}

/// Grants the roles the groups earn and takes away the other roles the
/// provider maps groups to. The tenant's last Tenant Administrator keeps
/// the role: a directory change must not lock the tenant out.
fn follow_groups(
    tx: &impl Readable,
    p: &IdentityProvider,
    user: &mut User,
    groups: &[String],
) -> Result<(), AppError> {
    let (earned, mapped) = p.roles_for_groups(groups);
    let custom = custom_roles::of_tenant(tx, p.tenant)?;
    for role in mapped {
        let holds = earned.contains(&role);
        if let Some(r) = Role::TENANT
            .iter()
            .find(|r| r.instance_id(p.tenant.0) == role)
        {
            user.tenant_roles = if holds {
                user.tenant_roles.with(*r)
            } else if *r == Role::TenantAdministrator && last_administrator(tx, user)? {
                user.tenant_roles
            } else {
                user.tenant_roles.without(*r)
            };
        } else if let Some(c) = custom.iter().find(|c| c.id.0 == role) {
            user.custom_roles.retain(|id| *id != c.id);
            if holds {
                user.custom_roles.push(c.id);
            }
        }
    }
    Ok(())
}

fn last_administrator(tx: &impl Readable, user: &User) -> Result<bool, AppError> {
    Ok(user.tenant_roles.contains(Role::TenantAdministrator)
        && !identities::users_of_tenant(tx, user.tenant)?
            .iter()
            .any(|u| {
                u.id != user.id
                    && !u.deactivated
                    && u.tenant_roles.contains(Role::TenantAdministrator)
            }))
}
