//! Tenant settings -> Sign-in, its identity providers: a Tenant
//! Administrator adds an OpenID Connect provider (checked by its discovery
//! document before it is kept) and removes one after confirming; a Tenant
//! Member sees the list only and is refused a change (403). The same use
//! cases as the IdentityProviders API, so the same rules hold; a refusal
//! comes back on the add form with what was typed, except the secret.

use super::confirmation::{confirm_page, ActionForm, Question};
use super::form_error::FormError;
use super::render::{Failure, PageResult, Portal};
use super::role_ticks::Fields;
use super::sign_in_page::{self, Mapping, ProviderTyped, Sent, MAPPING_ROWS, PAGE};
use crate::app::identity_providers::{self, ProviderInput};
use crate::app::AppError;
use crate::domain::identity_provider::MAX_GROUP_ROLES;
use crate::domain::permission::Operation;
use actix_web::{web, HttpResponse};
use uuid::Uuid;

/// The add form as sent: the mapping rows are repeated `group` and `role`
/// fields, read in order.
struct AddForm {
    typed: ProviderTyped,
    client_secret: String,
}

impl AddForm {
    fn of(fields: &Fields) -> Self {
        let values = |name: &'static str| fields.0.iter().filter(move |(n, _)| n == name);
        let mut mappings: Vec<Mapping> = values("group")
            .zip(values("role"))
            .take(MAX_GROUP_ROLES + 1)
            .map(|((_, group), (_, role))| Mapping {
                group: group.clone(),
                role: role.clone(),
            })
            .collect();
        if mappings.len() < MAPPING_ROWS {
            mappings.resize(MAPPING_ROWS, Mapping::default());
        }
        AddForm {
            typed: ProviderTyped {
                name: fields.text("name"),
                issuer: fields.text("issuer"),
                client_id: fields.text("client_id"),
                domains: fields.text("domains"),
                create_unknown_users: fields.ticked("create_unknown_users"),
                groups_claim: fields.text("groups_claim"),
                mappings,
            },
            client_secret: fields.text("client_secret"),
        }
    }

    /// The rows with a group typed; a group without a role is refused
    /// here, as the use case would not say which row lacks it.
    fn group_roles(&self) -> Result<Vec<(String, String)>, AppError> {
        let mut out = Vec::new();
        for m in &self.typed.mappings {
            if m.group.trim().is_empty() {
                continue;
            }
            if m.role.trim().is_empty() {
                let shown: String = m.group.trim().chars().take(64).collect();
                return Err(AppError::invalid(
                    "GroupRoles",
                    format!("need a role for each group; '{shown}' has none"),
                ));
            }
            out.push((m.group.clone(), m.role.clone()));
        }
        Ok(out)
    }

    /// Domains in one field, separated by commas or spaces.
    fn input(&self) -> Result<ProviderInput, AppError> {
        let t = &self.typed;
        let domains = t
            .domains
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        Ok(ProviderInput {
            name: Some(t.name.clone()),
            issuer: Some(t.issuer.trim().to_string()),
            client_id: Some(t.client_id.clone()),
            client_secret: Some(self.client_secret.clone()),
            domains: Some(domains),
            create_unknown_users: Some(t.create_unknown_users),
            groups_claim: Some(t.groups_claim.clone()),
            group_roles: Some(self.group_roles()?),
        })
    }
}

pub async fn add(p: Portal, form: web::Form<Fields>) -> HttpResponse {
    let result = add_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn add_inner(p: &Portal, fields: Fields) -> PageResult {
    let v = p.checked(&fields.text("csrf"))?;
    let form = AddForm::of(&fields);
    let tenant = v.session.tenant;
    let added = match form.input() {
        Ok(input) => identity_providers::create(&p.ctx, v.caller(), tenant, input).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(p.done("provider_added", PAGE)),
        Err(e) => {
            // A name taken, or the tenant's providers at their most.
            let error = FormError::or_conflict(e, "Name")?;
            sign_in_page::render(p, Some(&error), Sent::Provider(form.typed)).await
        }
    }
}

fn provider_id(raw: &str) -> Result<Uuid, Failure> {
    Uuid::try_parse(raw).map_err(|_| {
        Failure::App(AppError::not_found(
            "your tenant has no such identity provider",
        ))
    })
}

pub async fn remove(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = remove_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn remove_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = provider_id(raw)?;
    let tenant = v.session.tenant;
    if !form.confirmed() {
        // Members may read a provider, so asking is refused here, as the
        // removal itself would be.
        if !Operation::ManageSignIn.allows(v.who.tenant_roles) {
            return Err(AppError::forbidden(
                "only a Tenant Administrator removes identity providers",
            )
            .into());
        }
        let provider = identity_providers::get(&p.ctx, v.caller(), tenant, id).await?;
        let action = format!("{PAGE}/providers/{id}/remove");
        let question = format!(
            "Remove the identity provider {}? Its people keep their users, but the login page no longer offers it; they sign in another way from now on.",
            provider.name
        );
        return Ok(confirm_page(
            p,
            Question {
                title: "Remove identity provider?",
                question: &question,
                action: &action,
                button: "Remove identity provider",
                cancel: PAGE,
                danger: true,
            },
        ));
    }
    identity_providers::delete(&p.ctx, v.caller(), tenant, id).await?;
    Ok(p.done("provider_removed", PAGE))
}
