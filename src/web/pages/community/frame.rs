//! What every tab of the community details page shares: the heading, the
//! description, and which tabs and buttons this viewer gets.

use crate::app::communities::CommunityView;
use crate::domain::ids::TenantId;
use crate::domain::permission::Operation;

/// The page's context with the frame filled in, for the tab named `tab`.
pub fn community_page(view: &CommunityView, me: TenantId, tab: &str) -> tera::Context {
    let roles = view.viewer_roles;
    let owner_side = view.community.owner == me;
    let mut page = tera::Context::new();
    page.insert("title", view.community.name.as_str());
    page.insert("id", &view.community.id.to_string());
    page.insert("name", view.community.name.as_str());
    page.insert("alias", &view.alias);
    page.insert("description", &view.community.description);
    page.insert("tab", tab);
    page.insert(
        "can_view_invitations",
        &Operation::ViewInvitations.allows(roles),
    );
    page.insert("can_invite", &view.may(Operation::InviteTenant));
    page.insert("can_view_usage", &Operation::ViewUsage.allows(roles));
    page.insert(
        "can_edit",
        &(owner_side && Operation::EditCommunity.allows(roles)),
    );
    page.insert(
        "can_delete",
        &(owner_side && Operation::DeleteCommunity.allows(roles)),
    );
    page
}
