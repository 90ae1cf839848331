//! `/namespaces/{namespace}/stream-defaults`: the permissions a namespace
//! gives its new streams, as a tick per role and right, with "apply to
//! existing streams". Saving is `stream_defaults::set` (Tenant
//! Administrators), the same as the API's PUT.

use crate::app::custom_roles;
use crate::app::sds::stream_access::Target;
use crate::app::sds::stream_defaults;
use crate::app::AppError;
use crate::domain::role::Role;
use crate::domain::sds::acl::{
    rights, AccessControlEntry, AccessControlList, AccessType, Trustee, TrusteeType,
};
use crate::web::api::sds::request::encode_segment;
use crate::web::pages::render::{PageResult, Portal};
use crate::web::pages::role_ticks::Fields;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

/// The field each tick sends, as `<role id>:<right bit>`.
const FIELD: &str = "grant";

#[derive(Serialize)]
struct RightTick {
    name: &'static str,
    bit: u32,
    ticked: bool,
}

#[derive(Serialize)]
struct RoleRow {
    id: String,
    name: String,
    rights: Vec<RightTick>,
}

/// The roles the page offers: the built-in tenant roles, then the custom ones.
async fn roles(p: &Portal) -> Result<Vec<(Uuid, String)>, AppError> {
    let v = p
        .visitor
        .as_ref()
        .ok_or_else(|| AppError::Unauthorized("sign in".into()))?;
    let tenant = v.session.tenant;
    let mut out: Vec<(Uuid, String)> = Role::TENANT
        .iter()
        .map(|r| (r.instance_id(tenant.0), r.name().to_string()))
        .collect();
    for c in custom_roles::of_tenant(&p.ctx, v.caller(), tenant).await? {
        out.push((c.id.0, c.name));
    }
    Ok(out)
}

/// The rights `acl` allows `role` (what Allowed entries naming it give,
/// less what Denied ones take).
fn allowed(acl: &AccessControlList, role: Uuid) -> u32 {
    acl.rights_of(&crate::domain::sds::acl::Subject {
        kind: TrusteeType::Role,
        id: role,
        roles: &[role],
    })
}

fn is_offered(e: &AccessControlEntry, offered: &[(Uuid, String)]) -> bool {
    e.trustee.kind == TrusteeType::Role
        && e.access_type == AccessType::Allowed
        && offered.iter().any(|(id, _)| *id == e.trustee.object_id)
}

/// The address of a namespace's defaults page.
pub fn page_of(namespace: &str) -> String {
    format!("/namespaces/{}/stream-defaults", encode_segment(namespace))
}

pub async fn show(p: Portal, path: web::Path<String>) -> HttpResponse {
    let result = show_inner(&p, &path.into_inner()).await;
    p.finish(result)
}

async fn show_inner(p: &Portal, namespace: &str) -> PageResult {
    let v = p.visitor()?;
    let target = Target::new(v.caller(), v.session.tenant, namespace, None)?;
    let acl = stream_defaults::get(&p.ctx, target.clone()).await?;
    let offered = roles(p).await?;
    let rows: Vec<RoleRow> = offered
        .iter()
        .map(|(id, name)| {
            let held = allowed(&acl, *id);
            RoleRow {
                id: id.to_string(),
                name: name.clone(),
                rights: rights::NAMES
                    .iter()
                    .map(|(bit, right)| RightTick {
                        name: right,
                        bit: *bit,
                        ticked: held & bit != 0,
                    })
                    .collect(),
            }
        })
        .collect();
    let others = acl
        .entries
        .iter()
        .filter(|e| !is_offered(e, &offered))
        .count();
    let mut page = tera::Context::new();
    page.insert("title", "Default stream permissions");
    page.insert("namespace", &target.namespace);
    page.insert("action", &page_of(namespace));
    page.insert("roles", &rows);
    page.insert("others", &others);
    page.insert(
        "can_change",
        &v.who.tenant_roles.contains(Role::TenantAdministrator),
    );
    Ok(p.render("stream_defaults", page))
}

/// The roles' ticks as list entries; a tick naming no offered role or
/// right was not sent by the page (400 naming the field).
fn ticked(form: &Fields, offered: &[(Uuid, String)]) -> Result<Vec<AccessControlEntry>, AppError> {
    let mut granted: Vec<(Uuid, u32)> = Vec::new();
    for (_, raw) in form.0.iter().filter(|(n, _)| n == FIELD) {
        let bad = || AppError::invalid(FIELD, "holds a role or right this page does not offer");
        let (role, bit) = raw.split_once(':').ok_or_else(bad)?;
        let role = Uuid::try_parse(role).map_err(|_| bad())?;
        let bit: u32 = bit.parse().map_err(|_| bad())?;
        if !offered.iter().any(|(id, _)| *id == role)
            || !rights::NAMES.iter().any(|(b, _)| *b == bit)
        {
            return Err(bad());
        }
        match granted.iter_mut().find(|(r, _)| *r == role) {
            Some((_, bits)) => *bits |= bit,
            None => granted.push((role, bit)),
        }
    }
    Ok(granted
        .into_iter()
        .map(|(role, bits)| AccessControlEntry {
            trustee: Trustee {
                kind: TrusteeType::Role,
                object_id: role,
                tenant_id: None,
            },
            access_type: AccessType::Allowed,
            rights: bits,
        })
        .collect())
}

pub async fn save(p: Portal, path: web::Path<String>, form: web::Form<Fields>) -> HttpResponse {
    let result = save_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn save_inner(p: &Portal, namespace: &str, form: Fields) -> PageResult {
    let v = p.checked(&form.text("csrf"))?;
    let target = Target::new(v.caller(), v.session.tenant, namespace, None)?;
    let offered = roles(p).await?;
    let mut entries = ticked(&form, &offered)?;
    // Entries the page does not show (users, clients, denials) stay.
    let current = stream_defaults::get(&p.ctx, target.clone()).await?;
    entries.extend(
        current
            .entries
            .into_iter()
            .filter(|e| !is_offered(e, &offered)),
    );
    let acl = AccessControlList { entries };
    stream_defaults::set(&p.ctx, target.clone(), acl.to_json()).await?;
    let back = page_of(namespace);
    if form.ticked("apply_to_existing") {
        stream_defaults::apply_to_existing(&p.ctx, target).await?;
        return Ok(p.done("defaults_applied", &back));
    }
    Ok(p.done("defaults_saved", &back))
}
