//! `/api/v1/Tenants/{t}/Namespaces` (the namespaces the caller may read),
//! `.../Namespaces/{ns}` (one), `.../Namespaces/{ns}/AccessControl` (its
//! list: GET, PUT, PATCH with JSON Patch) and `.../AccessControl/Namespaces`
//! (the tenant's default list for namespaces: GET, PUT, PATCH), as AVEVA's
//! `Namespaces` client calls them. Who may do what is `app::sds::namespaces`.

use super::request::{encode_segment, Query};
use crate::app::sds::access_control::AclChange;
use crate::app::sds::namespaces;
use crate::app::sds::stream_access::Target;
use crate::app::AppError;
use crate::domain::sds::DEFAULT_NAMESPACE;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{NamespaceIdPath, TenantPath};
use crate::web::route_table::{Mount, RouteTable};
use crate::web::schemas::query_param;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::IntoParams;

/// Under the tenant's mount (`/api/v1/Tenants/{tenantId}`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_list, _, _>(mount, list);
    table.add::<__path_get, _, _>(mount, get);
    table.add::<__path_get_acl, _, _>(mount, get_acl);
    table.add::<__path_put_acl, _, _>(mount, put_acl);
    table.add::<__path_patch_acl, _, _>(mount, patch_acl);
    table.add::<__path_get_default, _, _>(mount, get_default);
    table.add::<__path_put_default, _, _>(mount, put_default);
    table.add::<__path_patch_default, _, _>(mount, patch_default);
}

/// `region`: only namespaces of that region (this installation is one).
pub struct RegionParams;

impl IntoParams for RegionParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![query_param(
            "region",
            "Only namespaces of this region (this installation's region id, or empty for all)",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(100)),
        )]
    }
}

/// The tenant's own namespace `namespace` (`default` for the tenant's
/// collection-wide lists).
fn target(caller: &ApiCaller, tenant: &TenantPath, namespace: &str) -> Result<Target, AppError> {
    Target::new(caller.0, tenant.tenant, namespace, None)
}

/// AVEVA's `Namespace`: State 1 is Active, the only state here.
fn namespace_json(public_url: &str, tenant: &TenantPath, id: &str, region: &str) -> Value {
    json!({
        "Id": id,
        "Region": region,
        "Self": format!("{public_url}/api/v1/Tenants/{}/Namespaces/{}", tenant.tenant, encode_segment(id)),
        "Description": "",
        "State": 1,
    })
}

/// The tenant's namespaces the caller may read
#[utoipa::path(get, path = "/Namespaces", params(RegionParams),
    responses((status = 200, description = "Namespace[]", body = serde_json::Value)))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let region = ctx.settings.region_id.clone();
    let asked = Query::of(&req)
        .get("region")
        .unwrap_or_default()
        .trim()
        .to_string();
    if asked.chars().count() > 100 {
        return Err(AppError::invalid(
            "region",
            "must be at most 100 characters",
        ));
    }
    let ids = namespaces::list(&ctx, target(&caller, &path, DEFAULT_NAMESPACE)?).await?;
    if !asked.is_empty() && !asked.eq_ignore_ascii_case(&region) {
        return Ok(HttpResponse::Ok().json(Vec::<Value>::new()));
    }
    let body: Vec<Value> = ids
        .iter()
        .map(|id| namespace_json(&ctx.public_url, &path, id, &region))
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One namespace
#[utoipa::path(get, path = "/Namespaces/{namespaceId}", params(NamespaceIdPath),
    responses((status = 200, description = "The Namespace", body = serde_json::Value)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    ns: NamespaceIdPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = namespaces::get(&ctx, target(&caller, &path, &ns.namespace)?).await?;
    let region = ctx.settings.region_id.clone();
    Ok(HttpResponse::Ok().json(namespace_json(&ctx.public_url, &path, &id, &region)))
}

/// The namespace's access control list
#[utoipa::path(get, path = "/Namespaces/{namespaceId}/AccessControl", params(NamespaceIdPath),
    responses((status = 200, description = "The ACL", body = serde_json::Value)))]
async fn get_acl(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    ns: NamespaceIdPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let acl = namespaces::get_acl(&ctx, target(&caller, &path, &ns.namespace)?).await?;
    Ok(HttpResponse::Ok().json(acl.to_json()))
}

async fn change_acl(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    ns: NamespaceIdPath,
    how: AclChange,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    namespaces::change_acl(&ctx, target(&caller, &path, &ns.namespace)?, how).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the namespace's access control list
#[utoipa::path(put, path = "/Namespaces/{namespaceId}/AccessControl", params(NamespaceIdPath),
    request_body = serde_json::Value, responses((status = 204, description = "Stored")))]
async fn put_acl(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    ns: NamespaceIdPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change_acl(req, caller, path, ns, AclChange::Replace(body.0)).await
}

/// Change the namespace's access control list (JSON Patch)
#[utoipa::path(patch, path = "/Namespaces/{namespaceId}/AccessControl", params(NamespaceIdPath),
    request_body = serde_json::Value, responses((status = 204, description = "Stored")))]
async fn patch_acl(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    ns: NamespaceIdPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change_acl(req, caller, path, ns, AclChange::Patch(body.0)).await
}

/// The tenant's default access control list for namespaces
#[utoipa::path(get, path = "/AccessControl/Namespaces",
    responses((status = 200, description = "The ACL", body = serde_json::Value)))]
async fn get_default(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let acl = namespaces::get_default(&ctx, target(&caller, &path, DEFAULT_NAMESPACE)?).await?;
    Ok(HttpResponse::Ok().json(acl.to_json()))
}

async fn change_default(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    how: AclChange,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    namespaces::change_default(&ctx, target(&caller, &path, DEFAULT_NAMESPACE)?, how).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the tenant's default access control list for namespaces
#[utoipa::path(put, path = "/AccessControl/Namespaces", request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn put_default(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change_default(req, caller, path, AclChange::Replace(body.0)).await
}

/// Change the tenant's default access control list for namespaces (JSON Patch)
#[utoipa::path(patch, path = "/AccessControl/Namespaces", request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn patch_default(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change_default(req, caller, path, AclChange::Patch(body.0)).await
}
