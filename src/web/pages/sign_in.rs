//! Tenant settings -> Sign-in (`/tenant/sign-in`): how the tenant's people
//! sign in. A Tenant Administrator allows or refuses password sign-in and
//! requires a one-time code with passwords; a Tenant Member sees the
//! policy only (and is refused a change, 403). The rules are the use
//! case's (`app::sign_in_policy`): password sign-in is not turned off
//! while the tenant has no other way in. The page itself, with the
//! tenant's identity providers, is `sign_in_page`.

use super::form_error::FormError;
use super::render::{PageResult, Portal};
use super::sign_in_page::{self, Sent, PAGE};
use crate::app::{sign_in_policy, AppError};
use crate::domain::sign_in_policy::SignInPolicy;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub async fn show(p: Portal) -> HttpResponse {
    let result = sign_in_page::render(&p, None, Sent::Nothing).await;
    p.finish(result)
}

/// Tick boxes: a box left unticked is not sent at all.
#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    passwords: Option<String>,
    totp_required: Option<String>,
}

impl PolicyForm {
    fn policy(&self) -> SignInPolicy {
        SignInPolicy {
            passwords: self.passwords.is_some(),
            totp_required: self.totp_required.is_some(),
        }
    }
}

pub async fn save(p: Portal, form: web::Form<PolicyForm>) -> HttpResponse {
    let result = save_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn save_inner(p: &Portal, form: PolicyForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let wanted = form.policy();
    match sign_in_policy::set(&p.ctx, v.caller(), v.session.tenant, wanted).await {
        Ok(()) => Ok(p.done("sign_in_saved", PAGE)),
        Err(e @ AppError::Conflict(_)) => {
            let error = FormError::or_conflict(e, "passwords")?;
            sign_in_page::render(p, Some(&error), Sent::Policy(wanted)).await
        }
        Err(e) => Err(e.into()),
    }
}
