//! Which roles an access list may name: a list is checked against the
//! roles its tenant knows when it changes, whether it is a stream's or a
//! type's.

use crate::app::AppError;
use crate::domain::sds::acl::{AccessControlList, TrusteeType};
use uuid::Uuid;

/// Every Role trustee of `new` must be one of `known`, or be on `old`
/// already: the entry of a custom role deleted since stays until someone
/// takes it out, and sending the list back unchanged must not fail on it.
/// `known_as` says what `known` holds, for the error.
pub fn check_role_trustees(
    new: &AccessControlList,
    old: &AccessControlList,
    known: &[Uuid],
    known_as: &str,
) -> Result<(), AppError> {
    let named_before = |id: Uuid| {
        old.entries
            .iter()
            .any(|e| e.trustee.kind == TrusteeType::Role && e.trustee.object_id == id)
    };
    for (i, e) in new.entries.iter().enumerate() {
        let id = e.trustee.object_id;
        if e.trustee.kind == TrusteeType::Role && !known.contains(&id) && !named_before(id) {
            return Err(AppError::invalid(
                format!("RoleTrusteeAccessControlEntries[{i}].Trustee.ObjectId"),
                format!("{id} is not {known_as}"),
            ));
        }
    }
    Ok(())
}
