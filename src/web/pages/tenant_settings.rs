//! The tenant's own settings: its name and its icon. The same use cases as
//! the Tenants API, so the same rules (Tenant Administrator only; an icon
//! must be a real PNG under 64 KiB) apply.

use super::confirmation::{confirm_page, ActionForm, Question};
use super::render::{respond, sentence, Failure, PageResult, Portal};
use crate::app::tenants::{self, TenantChange};
use crate::app::AppError;
use crate::domain::permission::Operation;
use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use base64::Engine;
use futures_util::StreamExt;
use serde::Deserialize;

/// An upload larger than this is refused while reading, before any
/// decoding: well above the icon limit, far below anything harmful.
const UPLOAD_LIMIT: usize = 4 * crate::domain::icon::MAX_BYTES;

pub async fn show(p: Portal) -> HttpResponse {
    let result = settings_page(&p, StatusCode::OK, None, None).await;
    p.finish(result)
}

/// The page, optionally with an error and the name as typed.
async fn settings_page(
    p: &Portal,
    status: StatusCode,
    error: Option<&str>,
    typed_name: Option<&str>,
) -> PageResult {
    let v = p.visitor()?;
    let me = v.session.tenant;
    let tenant = tenants::get(&p.ctx, v.caller(), me, tenants::Unknown::Forbidden)
        .await?
        .tenant;
    let has_icon = tenants::icon(&p.ctx, v.caller(), me).await?.is_some();
    let mut page = tera::Context::new();
    page.insert("title", "Tenant settings");
    page.insert("tenant_id", &tenant.id.to_string());
    page.insert(
        "company_name",
        typed_name.unwrap_or(tenant.company_name.as_str()),
    );
    page.insert("alias", &tenant.alias);
    page.insert("has_icon", &has_icon);
    page.insert(
        "can_edit",
        &Operation::UpdateTenant.allows(v.who.tenant_roles),
    );
    page.insert(
        "can_audit",
        &Operation::ViewAuditLog.allows(v.who.tenant_roles),
    );
    page.insert(
        "can_webhooks",
        &Operation::ManageWebhooks.allows(v.who.tenant_roles),
    );
    if let Some(e) = error {
        page.insert("error", e);
    }
    Ok(p.render_status(status, "tenant", &mut page))
}

/// The stored icon as an image, for the settings page's preview.
pub async fn icon(p: Portal) -> HttpResponse {
    let result = icon_inner(&p).await;
    p.finish(result)
}

async fn icon_inner(p: &Portal) -> PageResult {
    let v = p.visitor()?;
    let icon = tenants::icon(&p.ctx, v.caller(), v.session.tenant)
        .await?
        .ok_or_else(|| AppError::not_found("the tenant has no icon"))?;
    Ok(respond(StatusCode::OK)
        .insert_header((header::CONTENT_TYPE, "image/png"))
        .body(icon.bytes().to_vec()))
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    company_name: String,
}

pub async fn save_name(p: Portal, form: web::Form<NameForm>) -> HttpResponse {
    let result = save_name_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn save_name_inner(p: &Portal, form: NameForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let change = TenantChange {
        company_name: Some(form.company_name.clone()),
        ..TenantChange::default()
    };
    match tenants::update(&p.ctx, v.caller(), v.session.tenant, change).await {
        Ok(_) => Ok(p.done("tenant_saved", "/tenant")),
        Err(AppError::Invalid { reason, .. }) => {
            let text = sentence(&format!("the name {reason}"));
            let typed = Some(form.company_name.as_str());
            settings_page(p, StatusCode::BAD_REQUEST, Some(&text), typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The multipart form's two fields: the CSRF token and the file.
#[derive(Default)]
struct Upload {
    csrf: String,
    file: Vec<u8>,
    too_big: bool,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, AppError> {
    let bad = |e: actix_multipart::MultipartError| AppError::invalid("icon", e.to_string());
    let mut up = Upload::default();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad)?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            if bytes.len() + chunk.len() > UPLOAD_LIMIT {
                up.too_big = true;
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf" => up.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "icon" => up.file = bytes,
            _ => {}
        }
    }
    Ok(up)
}

pub async fn upload_icon(p: Portal, form: Multipart) -> HttpResponse {
    let result = upload_icon_inner(&p, form).await;
    p.finish(result)
}

async fn upload_icon_inner(p: &Portal, form: Multipart) -> PageResult {
    let up = read_upload(form).await?;
    let v = p.checked(&up.csrf)?;
    let refused = |text: String| async move {
        settings_page(p, StatusCode::BAD_REQUEST, Some(&text), None).await
    };
    if up.too_big {
        return refused(format!(
            "The file is too large; an icon must be smaller than {} bytes.",
            crate::domain::icon::MAX_BYTES
        ))
        .await;
    }
    if up.file.is_empty() {
        return refused("Choose a PNG file first.".into()).await;
    }
    // The API's own path: the icon rules live in one place.
    let text = base64::engine::general_purpose::STANDARD.encode(&up.file);
    match tenants::set_icon(&p.ctx, v.caller(), v.session.tenant, text).await {
        Ok(_) => Ok(p.done("icon_saved", "/tenant")),
        Err(AppError::Invalid { reason, .. }) => {
            refused(sentence(&format!("the file {reason}"))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_icon(p: Portal, form: web::Form<ActionForm>) -> HttpResponse {
    let result = delete_icon_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn delete_icon_inner(p: &Portal, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    if !form.confirmed() {
        return Ok(confirm_page(
            p,
            Question {
                title: "Remove icon?",
                question: "The tenant's icon is deleted; you can upload another one later.",
                action: "/tenant/icon/delete",
                button: "Remove icon",
                cancel: "/tenant",
                danger: true,
            },
        ));
    }
    tenants::delete_icon(&p.ctx, v.caller(), v.session.tenant)
        .await
        .map_err(Failure::App)?;
    Ok(p.done("icon_removed", "/tenant"))
}
