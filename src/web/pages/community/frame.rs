//! What every tab of the community details page shares: the heading, the
//! description, and which tabs and buttons this viewer gets.

use crate::app::communities::CommunityView;
use crate::domain::ids::TenantId;
use crate::domain::permission::Operation;
use crate::domain::trusted_domains::TrustedDomains;
use crate::web::pages::render::readable_date;
use serde::Serialize;

/// The community's trusted domains as every tab shows them, and as the
/// edit page's form starts from.
#[derive(Serialize)]
pub struct TrustedShown {
    pub domains: Vec<String>,
    pub auto_confirm: bool,
    /// One domain a line, for the form's text area.
    pub text: String,
    pub set_by: Option<String>,
    pub set_on: Option<String>,
}

impl TrustedShown {
    pub fn of(trusted: &TrustedDomains) -> Self {
        let domains: Vec<String> = trusted
            .allowed
            .iter()
            .map(|d| d.as_str().to_string())
            .collect();
        Self {
            text: domains.join("\n"),
            domains,
            auto_confirm: trusted.auto_confirm,
            set_by: trusted.set_by.as_ref().map(|s| s.name.clone()),
            set_on: trusted.set_by.as_ref().map(|s| readable_date(&s.at)),
        }
    }
}

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
    page.insert("trusted", &TrustedShown::of(&view.trusted));
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
