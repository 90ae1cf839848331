//! AVEVA Data Hub's settings of a community and of each member tenant in
//! it: a contact email, a preferred region, and the tenant's private alias.
//! Checked here; stored by `store::profiles` (alias: on the membership).

use super::context::Context;
use super::error::AppError;
use crate::domain::email::EmailAddress;

/// A change to one setting: absent leaves it, `""` clears it.
pub type Setting = Option<Option<String>>;

/// A contact email: `""` clears it, anything else must be an address.
pub fn contact_email(field: &str, text: Option<&str>) -> Result<Setting, AppError> {
    text.map(|t| match t.trim() {
        "" => Ok(None),
        t => EmailAddress::parse(t)
            .map(|e| Some(e.to_string()))
            .map_err(|e| AppError::invalid(field, e.to_string())),
    })
    .transpose()
}

/// A preferred region: this installation is one region, so only its id
/// (any case) is accepted; `""` clears it.
pub fn region(ctx: &Context, field: &str, text: Option<&str>) -> Result<Setting, AppError> {
    let known = &ctx.settings.region_id;
    text.map(|t| match t.trim() {
        "" => Ok(None),
        t if t.eq_ignore_ascii_case(known) => Ok(Some(known.clone())),
        t => Err(AppError::invalid(
            field,
            format!(
                "'{}' is not a region of this service; the only region is '{known}'",
                t.chars().take(64).collect::<String>()
            ),
        )),
    })
    .transpose()
}
