//! A tenant's sign-in policy (see `domain::sign_in_policy`): any user of
//! the tenant reads it, a Tenant Administrator changes it, and the
//! operator changes it from the command line whatever it is (the way back
//! when nobody can sign in any more).

use super::access::acting;
use super::audit;
use super::context::Context;
use super::error::AppError;
use crate::auth::pending_sign_in::Owed;
use crate::clock::Clock;
use crate::domain::audit::Origin;
use crate::domain::identity::{Caller, User};
use crate::domain::ids::TenantId;
use crate::domain::permission::Operation;
use crate::domain::sign_in_policy::SignInPolicy;
use crate::store::{
    identity_providers, sign_in_policies, tenants, two_factor, Readable, Store, WriteTx,
};

/// Why password sign-in may not be turned off now.
pub const PASSWORDS_NEEDED: &str = "Add an identity provider first: with password sign-in off and no other way in, nobody of the tenant could sign in";

/// Whether the tenant has another way in than passwords, so they may be
/// turned off without locking it out: an identity provider.
pub fn can_turn_off_passwords(tx: &impl Readable, tenant: TenantId) -> Result<bool, AppError> {
    Ok(!identity_providers::of_tenant(tx, tenant)?.is_empty())
}

/// What a user still owes after a right password under `policy`, if
/// anything.
pub(super) async fn owed(
    ctx: &Context,
    user: &User,
    policy: SignInPolicy,
) -> Result<Option<Owed>, AppError> {
    let (tenant, id) = (user.tenant, user.id);
    let enrolled = ctx
        .store
        .read(move |tx| Ok::<_, AppError>(two_factor::get(tx, tenant, id)?.is_some()))
        .await?;
    Ok(match (enrolled, policy.code_needed(enrolled)) {
        (true, _) => Some(Owed::SignInCode),
        (false, true) => Some(Owed::SignInEnrolment),
        (false, false) => None,
    })
}

fn own_tenant(
    tx: &impl Readable,
    caller: Caller,
    tenant: TenantId,
    op: Operation,
) -> Result<(), AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only see and change its own tenant's sign-in policy",
        ));
    }
    me.require_tenant_role(op)
}

/// The tenant's policy, for any of its users.
pub async fn get(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<SignInPolicy, AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, caller, tenant, Operation::ViewTenant)?;
            Ok(sign_in_policies::of_tenant(tx, tenant)?)
        })
        .await
}

/// A Tenant Administrator's change. Turning passwords off is refused
/// (409) while the tenant has no other way in; a policy that already has
/// them off (the operator's doing) may be saved as it is.
pub async fn set(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    wanted: SignInPolicy,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            own_tenant(tx, caller, tenant, Operation::UpdateTenant)?;
            let now = sign_in_policies::of_tenant(tx, tenant)?;
            let turning_off = now.passwords && !wanted.passwords;
            if turning_off && !can_turn_off_passwords(tx, tenant)? {
                return Err(AppError::conflict(PASSWORDS_NEEDED));
            }
            if now != wanted {
                sign_in_policies::put(tx, tenant, &wanted)?;
                record(tx, &who, tenant, &wanted)?;
            }
            Ok(())
        })
        .await
}

/// A new sign-in policy, as it now is.
fn record(
    tx: &WriteTx,
    who: &Origin,
    tenant: TenantId,
    policy: &SignInPolicy,
) -> Result<(), AppError> {
    let detail = serde_json::json!({
        "SignInPolicy": { "Passwords": policy.passwords, "TwoFactorRequired": policy.totp_required },
    });
    super::tenants::record_settings(tx, who, tenant, detail)
}

/// The operator's change (`communityd tenant sign-in`): each part given
/// is set, the others kept. Not checked against lock-out: this is how a
/// tenant locked out is let back in.
pub fn set_by_operator(
    store: &Store,
    tenant: TenantId,
    passwords: Option<bool>,
    totp_required: Option<bool>,
) -> Result<SignInPolicy, AppError> {
    let who = audit::by_operator(Clock::default().now());
    store.write_blocking(|tx| {
        if tenants::get(tx, tenant)?.is_none() {
            return Err(AppError::not_found(format!(
                "tenant {tenant} does not exist"
            )));
        }
        let mut policy = sign_in_policies::of_tenant(tx, tenant)?;
        policy.passwords = passwords.unwrap_or(policy.passwords);
        policy.totp_required = totp_required.unwrap_or(policy.totp_required);
        sign_in_policies::put(tx, tenant, &policy)?;
        record(tx, &who, tenant, &policy)?;
        Ok(policy)
    })
}
