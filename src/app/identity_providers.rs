//! A tenant's administrators (and the operator) add, change and remove the
//! OpenID Connect providers its people sign in with. A provider is added by
//! its issuer: the discovery document is fetched first, so a typo is a 400
//! at once rather than a broken button on the login page.

use super::access::Acting;
use super::audit;
use super::context::Context;
use super::directory::own_directory;
use super::error::AppError;
use super::role_ids;
use crate::auth::oidc::discovery;
use crate::auth::oidc::http::ProviderHttp;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::identity::Caller;
use crate::domain::identity_provider::ProviderSecret;
use crate::domain::identity_provider::{
    validate_claim, validate_client_id, validate_client_secret, validate_domains, validate_group,
    validate_issuer, validate_name, GroupRole, IdentityProvider, MAX_GROUP_ROLES,
    MAX_PROVIDERS_PER_TENANT,
};
use crate::domain::ids::{IdentityProviderId, TenantId};
use crate::domain::permission::Operation;
use crate::store::{identity_providers, sign_in_policies, Readable, WriteTx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A provider as a caller sends one. `None` leaves a part as it is (on an
/// update) or is missing (on a create, where the first four are needed).
#[derive(Clone, Debug, Default)]
pub struct ProviderInput {
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub domains: Option<Vec<String>>,
    pub create_unknown_users: Option<bool>,
    /// `Some("")` clears the claim.
    pub groups_claim: Option<String>,
    /// (group, role id) pairs.
    pub group_roles: Option<Vec<(String, String)>>,
}

/// Who may change the providers: the operator, or an administrator of the
/// tenant. `None` is the operator.
fn administrator(
    tx: &impl Readable,
    caller: Option<Caller>,
    tenant: TenantId,
) -> Result<Option<Acting>, AppError> {
    let Some(caller) = caller else {
        return Ok(None);
    };
    let me = own_directory(tx, caller, tenant)?;
    me.require_tenant_role(Operation::ManageSignIn)?;
    Ok(Some(me))
}

/// The tenant's providers, for anyone who may read its directory (the
/// secret stays in the record; views leave it out).
pub async fn of_tenant(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<Vec<IdentityProvider>, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            Ok(identity_providers::of_tenant(tx, tenant)?)
        })
        .await
}

pub async fn get(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
) -> Result<IdentityProvider, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            found(tx, tenant, id)
        })
        .await
}

fn found(tx: &impl Readable, tenant: TenantId, id: Uuid) -> Result<IdentityProvider, AppError> {
    identity_providers::get(tx, tenant, IdentityProviderId(id))?
        .ok_or_else(|| AppError::not_found(format!("your tenant has no identity provider {id}")))
}

/// Every field of `input` checked and applied to `provider`.
fn apply(
    tx: &impl Readable,
    provider: &mut IdentityProvider,
    input: &ProviderInput,
) -> Result<(), AppError> {
    let bad = |field: &'static str| move |r: &str| AppError::invalid(field, r);
    if let Some(name) = &input.name {
        provider.name = validate_name(name).map_err(bad("Name"))?;
    }
    if let Some(issuer) = &input.issuer {
        provider.issuer = validate_issuer(issuer).map_err(bad("Issuer"))?;
    }
    if let Some(id) = &input.client_id {
        provider.client_id = validate_client_id(id).map_err(bad("ClientId"))?;
    }
    if let Some(secret) = &input.client_secret {
        provider.client_secret = validate_client_secret(secret).map_err(bad("ClientSecret"))?;
    }
    if let Some(domains) = &input.domains {
        provider.domains =
            validate_domains(domains).map_err(|r| AppError::invalid("Domains", r))?;
    }
    if let Some(create) = input.create_unknown_users {
        provider.create_unknown_users = create;
    }
    if let Some(claim) = &input.groups_claim {
        provider.groups_claim = match claim.trim() {
            "" => None,
            c => Some(validate_claim(c).map_err(bad("GroupsClaim"))?),
        };
    }
    if let Some(pairs) = &input.group_roles {
        provider.group_roles = group_roles(tx, provider.tenant, pairs)?;
    }
    Ok(())
}

/// Group mappings, each naming one of the tenant's roles (built-in or
/// custom); at most `MAX_GROUP_ROLES`.
fn group_roles(
    tx: &impl Readable,
    tenant: TenantId,
    pairs: &[(String, String)],
) -> Result<Vec<GroupRole>, AppError> {
    const FIELD: &str = "GroupRoles";
    if pairs.len() > MAX_GROUP_ROLES {
        return Err(AppError::invalid(
            FIELD,
            format!("may hold at most {MAX_GROUP_ROLES} mappings"),
        ));
    }
    let roles = role_ids::of_tenant(tx, tenant)?;
    let mut out: Vec<GroupRole> = Vec::new();
    for (group, role) in pairs {
        let group = validate_group(group).map_err(|r| AppError::invalid(FIELD, r))?;
        let role = Uuid::try_parse(role.trim())
            .ok()
            .filter(|id| roles.contains(id))
            .ok_or_else(|| {
                let shown: String = role.chars().take(64).collect();
                AppError::invalid(FIELD, format!("'{shown}' is not a role of your tenant"))
            })?;
        let mapping = GroupRole { group, role };
        if !out.contains(&mapping) {
            out.push(mapping);
        }
    }
    Ok(out)
}

/// Fetches the issuer's discovery document: a 400 naming `Issuer` when it
/// cannot be used, before anything is written.
pub async fn check_discovery(http: &ProviderHttp, issuer: &str) -> Result<(), AppError> {
    discovery::fetch(http, issuer)
        .await
        .map(|_| ())
        .map_err(|e| {
            AppError::invalid(
                "Issuer",
                format!("cannot be used: the provider at {issuer} {e}"),
            )
        })
}

/// The operator's check of an issuer before `idp add` (the command runs
/// outside the server, with its own client).
pub async fn check_issuer(issuer: &str) -> Result<(), AppError> {
    let issuer = validate_issuer(issuer).map_err(|r| AppError::invalid("Issuer", r))?;
    let http = ProviderHttp::new().map_err(AppError::Unexpected)?;
    check_discovery(&http, &issuer).await
}

fn name_taken(name: &str) -> AppError {
    AppError::conflict(format!(
        "your tenant already has an identity provider named '{name}'"
    ))
}

fn save(tx: &WriteTx, provider: &IdentityProvider) -> Result<(), AppError> {
    if identity_providers::put(tx, provider)? {
        Ok(())
    } else {
        Err(name_taken(&provider.name))
    }
}

/// The fields a new provider needs, and its issuer checked: what to ask
/// discovery about before the write.
pub fn required(input: &ProviderInput) -> Result<String, AppError> {
    for (field, given) in [
        ("Name", input.name.is_some()),
        ("Issuer", input.issuer.is_some()),
        ("ClientId", input.client_id.is_some()),
        ("ClientSecret", input.client_secret.is_some()),
        ("Domains", input.domains.is_some()),
    ] {
        if !given {
            return Err(AppError::invalid(field, "is required"));
        }
    }
    validate_issuer(input.issuer.as_deref().unwrap_or_default())
        .map_err(|r| AppError::invalid("Issuer", r))
}

/// The write of a new provider, its discovery already checked. `who` is
/// the operator or a caller.
pub fn insert(
    tx: &WriteTx,
    who: &Origin,
    tenant: TenantId,
    input: &ProviderInput,
    now: DateTime<Utc>,
) -> Result<IdentityProvider, AppError> {
    administrator(tx, audit::caller_or_operator(who), tenant)?;
    if identity_providers::of_tenant(tx, tenant)?.len() >= MAX_PROVIDERS_PER_TENANT {
        return Err(AppError::conflict(format!(
            "your tenant has {MAX_PROVIDERS_PER_TENANT} identity providers, the most it may have; remove one first"
        )));
    }
    let mut provider = IdentityProvider {
        id: IdentityProviderId::generate(),
        tenant,
        name: String::new(),
        issuer: String::new(),
        client_id: String::new(),
        client_secret: ProviderSecret::new(String::new()),
        domains: Vec::new(),
        create_unknown_users: false,
        groups_claim: None,
        group_roles: Vec::new(),
        created: now,
    };
    apply(tx, &mut provider, input)?;
    save(tx, &provider)?;
    record(tx, who, AuditKind::IdentityProviderAdded, &provider)?;
    Ok(provider)
}

/// A change to a provider, with its name, issuer and domains as they are
/// now (never its secret).
fn record(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    provider: &IdentityProvider,
) -> Result<(), AppError> {
    let detail = serde_json::json!({
        "Name": provider.name,
        "Issuer": provider.issuer,
        "Domains": provider.domains,
    });
    let subject = Subject::identity_provider(provider.id);
    audit::record(tx, who, kind, subject, detail, &[provider.tenant])?;
    Ok(())
}

/// A new provider.
pub async fn create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    input: ProviderInput,
) -> Result<IdentityProvider, AppError> {
    ctx.store
        .read(move |tx| administrator(tx, Some(caller), tenant).map(|_| ()))
        .await?;
    let issuer = required(&input)?;
    check_discovery(&ctx.provider_http, &issuer).await?;
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| insert(tx, &who, tenant, &input, now))
        .await
}

/// Changes a provider; a part not sent stays (the secret too, so a form or
/// script that never saw it can change the rest).
pub async fn update(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
    input: ProviderInput,
) -> Result<IdentityProvider, AppError> {
    let old = ctx
        .store
        .read(move |tx| {
            administrator(tx, Some(caller), tenant)?;
            found(tx, tenant, id)
        })
        .await?;
    if let Some(issuer) = &input.issuer {
        let issuer = validate_issuer(issuer).map_err(|r| AppError::invalid("Issuer", r))?;
        if issuer != old.issuer {
            check_discovery(&ctx.provider_http, &issuer).await?;
        }
    }
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, Some(caller), tenant)?;
            let mut provider = found(tx, tenant, id)?;
            apply(tx, &mut provider, &input)?;
            save(tx, &provider)?;
            record(tx, &who, AuditKind::IdentityProviderChanged, &provider)?;
            Ok(provider)
        })
        .await
}

/// Removes a provider (`who` is the operator or a caller). Its people
/// keep their users; they sign in another way from now on.
pub fn remove(
    tx: &WriteTx,
    who: &Origin,
    tenant: TenantId,
    id: Uuid,
) -> Result<IdentityProvider, AppError> {
    let caller = audit::caller_or_operator(who);
    administrator(tx, caller, tenant)?;
    let provider = found(tx, tenant, id)?;
    let last = identity_providers::of_tenant(tx, tenant)?.len() == 1;
    if caller.is_some() && last && !sign_in_policies::of_tenant(tx, tenant)?.passwords {
        return Err(AppError::conflict(format!(
            "password sign-in is off, so without {} nobody of the tenant could sign in; allow passwords first",
            provider.name
        )));
    }
    identity_providers::delete(tx, tenant, provider.id)?;
    record(tx, who, AuditKind::IdentityProviderRemoved, &provider)?;
    Ok(provider)
}

pub async fn delete(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
) -> Result<IdentityProvider, AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| remove(tx, &who, tenant, id))
        .await
}

/// How the login page offers to sign in to a tenant: its providers'
/// buttons, and whether passwords are allowed.
pub struct LoginChoices {
    pub buttons: Vec<(IdentityProviderId, String)>,
    pub passwords: bool,
    /// The providers' origins (`https://login.example`), where the
    /// buttons' form sends the browser on.
    pub origins: Vec<String>,
}

/// The login page's choices for `tenant`: no caller yet, so only the
/// providers' ids and names leave this function.
pub async fn login_choices(ctx: &Context, tenant: TenantId) -> Result<LoginChoices, AppError> {
    ctx.store
        .read(move |tx| {
            let providers = identity_providers::of_tenant(tx, tenant)?;
            let mut origins: Vec<String> =
                providers.iter().filter_map(|p| origin(&p.issuer)).collect();
            origins.dedup();
            Ok(LoginChoices {
                buttons: providers.into_iter().map(|p| (p.id, p.name)).collect(),
                passwords: sign_in_policies::of_tenant(tx, tenant)?.passwords,
                origins,
            })
        })
        .await
}

/// `scheme://host[:port]` of a URL, if it has one.
fn origin(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}
