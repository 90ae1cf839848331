//! Tera templates compiled into the binary, so it runs from any directory;
//! a `templates_dir` setting replaces any of them by file name.

use std::path::Path;
use tera::Tera;

macro_rules! built_in {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const BUILT_IN: &[(&str, &str)] = built_in!(
    "email/base.html",
    "email/invite.subject.txt",
    "email/invite.html",
    "email/invite.txt",
    "email/pending_confirmation.subject.txt",
    "email/pending_confirmation.html",
    "email/pending_confirmation.txt",
    "email/declined.subject.txt",
    "email/declined.html",
    "email/declined.txt",
    "email/confirmed.subject.txt",
    "email/confirmed.html",
    "email/confirmed.txt",
    "email/removed.subject.txt",
    "email/removed.html",
    "email/removed.txt",
    "email/password_reset.subject.txt",
    "email/password_reset.html",
    "email/password_reset.txt",
    "email/user_invitation.subject.txt",
    "email/user_invitation.html",
    "email/user_invitation.txt",
    "pages/base.html",
    "pages/message.html",
    "pages/authorized.html",
    "pages/login.html",
    "pages/communities.html",
    "pages/community.html",
    "pages/invitation.html",
    "pages/confirm.html",
    "pages/invitation_landing.html",
    "pages/tenant.html",
    "pages/community_edit.html",
    "pages/community_usage.html",
    "pages/account.html",
    "pages/forgot_password.html",
    "pages/set_password.html",
    "pages/signup.html",
    "pages/clients.html",
    "pages/client_secret.html",
    "pages/users.html",
    "pages/roles.html",
    "pages/sign_in.html",
    "pages/audit.html",
    "pages/login_code.html",
    "pages/login_enrol.html",
    "pages/totp_offer.html",
    "pages/two_factor.html",
    "pages/recovery_codes.html",
    "pages/stream.html",
    "pages/share_streams.html",
    "pages/stream_defaults.html",
    "email/invite_reminder.subject.txt",
    "email/invite_reminder.html",
    "email/invite_reminder.txt",
    "email/invitation_expired.subject.txt",
    "email/invitation_expired.html",
    "email/invitation_expired.txt",
    "email/webhook_disabled.subject.txt",
    "email/webhook_disabled.html",
    "email/webhook_disabled.txt",
    "pages/bulk_invite.html",
    "pages/webhooks.html",
    "pages/webhook_secret.html",
    "pages/webhook_deliveries.html",
);

/// The built-in templates, each replaced by `<dir>/<name>` when that file exists.
pub fn load(override_dir: Option<&Path>) -> Result<Tera, String> {
    let mut tera = Tera::default();
    let mut sources: Vec<(String, String)> = Vec::new();
    for (name, text) in BUILT_IN {
        let replaced = override_dir
            .map(|d| d.join(name))
            .filter(|p| p.is_file())
            .map(|p| {
                std::fs::read_to_string(&p)
                    .map_err(|e| format!("cannot read template {}: {e}", p.display()))
            })
            .transpose()?;
        sources.push((
            name.to_string(),
            replaced.unwrap_or_else(|| text.to_string()),
        ));
    }
    tera.add_raw_templates(sources)
        .map_err(|e| format!("template error: {e:?}"))?;
    Ok(tera)
}

#[cfg(test)]
mod tests {
    #[test]
    fn built_in_templates_parse() {
        super::load(None).unwrap();
    }
}
