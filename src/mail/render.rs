//! Turning an outbox entry into subject, plain text and HTML, with absolute
//! links built from the public URL. Invitation links are signed here, at
//! send time, so no token is ever stored.

use crate::auth::link_token::{LinkClaims, LinkPurpose, LinkTokens, PasswordLink};
use crate::domain::notification::Notice;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tera::{Context, Tera};

pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Serialize)]
struct Fields<'a> {
    site: &'a str,
    link: String,
    community_name: &'a str,
    inviting_tenant: &'a str,
    accepting_tenant: &'a str,
    recipient: &'a str,
    tenant_name: &'a str,
    by_community: bool,
    expires: String,
    accounts: Vec<AccountLink<'a>>,
    webhook_url: &'a str,
    reason: &'a str,
}

/// One account's set-password link in a forgot-password email.
#[derive(Serialize)]
struct AccountLink<'a> {
    tenant_name: &'a str,
    link: String,
}

fn readable(t: &DateTime<Utc>) -> String {
    t.format("%-d %B %Y at %H:%M UTC").to_string()
}

/// Which template and which fields a notice uses.
fn fields<'a>(
    notice: &'a Notice,
    base: &'a str,
    links: &LinkTokens,
    link_expiry: DateTime<Utc>,
) -> Result<(&'static str, Fields<'a>), String> {
    let mut f = Fields {
        site: base,
        link: String::new(),
        community_name: "",
        inviting_tenant: "",
        accepting_tenant: "",
        recipient: "",
        tenant_name: "",
        by_community: false,
        expires: String::new(),
        accounts: Vec::new(),
        webhook_url: "",
        reason: "",
    };
    let name = match notice {
        // A reminder carries the invitation's own link, signed for the
        // generation it reminds of.
        Notice::Invitation {
            invitation,
            generation,
            community_name,
            inviting_tenant,
            expires,
        }
        | Notice::InvitationReminder {
            invitation,
            generation,
            community_name,
            inviting_tenant,
            expires,
        } => {
            let claims = LinkClaims {
                invitation: *invitation,
                generation: *generation,
            };
            let token = links.issue(LinkPurpose::Invite, claims, *expires)?;
            f.link = format!("{base}/invitations/{token}");
            f.community_name = community_name;
            f.inviting_tenant = inviting_tenant;
            f.expires = readable(expires);
            match notice {
                Notice::InvitationReminder { .. } => "invite_reminder",
                _ => "invite",
            }
        }
        Notice::PendingConfirmation {
            invitation,
            community_name,
            accepting_tenant,
            ..
        } => {
            let claims = LinkClaims {
                invitation: *invitation,
                generation: 0,
            };
            let token = links.issue(LinkPurpose::Pending, claims, link_expiry)?;
            f.link = format!("{base}/pending/{token}");
            f.community_name = community_name;
            f.accepting_tenant = accepting_tenant;
            "pending_confirmation"
        }
        Notice::Declined {
            community,
            community_name,
            recipient,
        } => {
            f.link = format!("{base}/communities/{community}?tab=invitations");
            f.community_name = community_name;
            f.recipient = recipient;
            "declined"
        }
        Notice::Confirmed {
            community,
            community_name,
            inviting_tenant,
        } => {
            f.link = format!("{base}/communities/{community}");
            f.community_name = community_name;
            f.inviting_tenant = inviting_tenant;
            "confirmed"
        }
        Notice::Removed {
            community_name,
            tenant_name,
            by_community,
        } => {
            f.link = format!("{base}/communities");
            f.community_name = community_name;
            f.tenant_name = tenant_name;
            f.by_community = *by_community;
            "removed"
        }
        Notice::PasswordReset { accounts, expires } => {
            for account in accounts {
                let link = PasswordLink {
                    user: account.user,
                    generation: account.generation,
                };
                let token = links.issue_password(link, *expires)?;
                f.accounts.push(AccountLink {
                    tenant_name: &account.tenant_name,
                    link: format!("{base}/password/{token}"),
                });
            }
            f.link = format!("{base}/login");
            f.expires = readable(expires);
            "password_reset"
        }
        Notice::UserInvitation {
            user,
            generation,
            tenant_name,
            expires,
        } => {
            let link = PasswordLink {
                user: *user,
                generation: *generation,
            };
            let token = links.issue_password(link, *expires)?;
            f.link = format!("{base}/password/{token}");
            f.tenant_name = tenant_name;
            f.expires = readable(expires);
            "user_invitation"
        }
        Notice::InvitationExpired {
            community,
            community_name,
            recipient,
            expired,
            accepting_tenant,
        } => {
            f.link = format!("{base}/communities/{community}?tab=invitations");
            f.community_name = community_name;
            f.recipient = recipient;
            f.accepting_tenant = accepting_tenant.as_deref().unwrap_or_default();
            f.expires = readable(expired);
            "invitation_expired"
        }
        Notice::WebhookDisabled {
            tenant_name,
            url,
            reason,
            ..
        } => {
            f.link = format!("{base}/tenant/webhooks");
            f.tenant_name = tenant_name;
            f.webhook_url = url;
            f.reason = reason;
            "webhook_disabled"
        }
    };
    Ok((name, f))
}

/// Renders a notice. `link_expiry` bounds links that are not tied to an
/// invitation's own expiry.
pub fn render(
    tera: &Tera,
    notice: &Notice,
    base: &str,
    links: &LinkTokens,
    link_expiry: DateTime<Utc>,
) -> Result<RenderedEmail, String> {
    let (name, fields) = fields(notice, base, links, link_expiry)?;
    let context = Context::from_serialize(&fields).map_err(|e| e.to_string())?;
    let part = |suffix: &str| {
        tera.render(&format!("email/{name}.{suffix}"), &context)
            .map_err(|e| format!("cannot render email/{name}.{suffix}: {e:?}"))
    };
    Ok(RenderedEmail {
        subject: part("subject.txt")?.trim().to_string(),
        text: part("txt")?,
        html: part("html")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CommunityId, InvitationId, UserId};
    use crate::domain::notification::PasswordAccount;

    /// Every email renders with sample data (Tera fails on unknown variables only at render time).
    #[test]
    fn every_notice_renders_both_parts() {
        let tera = crate::templates::load(None).unwrap();
        let links = LinkTokens::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
        let now = Utc::now();
        let notices = [
            Notice::Invitation {
                invitation: InvitationId::generate(),
                generation: 1,
                community_name: "Plant <data>".into(),
                inviting_tenant: "Contoso".into(),
                expires: now,
            },
            Notice::PendingConfirmation {
                invitation: InvitationId::generate(),
                community: CommunityId::generate(),
                community_name: "Plant".into(),
                accepting_tenant: "Fabrikam".into(),
            },
            Notice::Declined {
                community: CommunityId::generate(),
                community_name: "Plant".into(),
                recipient: "b@x.com".into(),
            },
            Notice::Confirmed {
                community: CommunityId::generate(),
                community_name: "Plant".into(),
                inviting_tenant: "Contoso".into(),
            },
            Notice::Removed {
                community_name: "Plant".into(),
                tenant_name: "Fabrikam".into(),
                by_community: true,
            },
            Notice::PasswordReset {
                accounts: vec![PasswordAccount {
                    user: UserId::generate(),
                    generation: 0,
                    tenant_name: "Contoso".into(),
                }],
                expires: now,
            },
            Notice::InvitationReminder {
                invitation: InvitationId::generate(),
                generation: 2,
                community_name: "Plant".into(),
                inviting_tenant: "Contoso".into(),
                expires: now,
            },
            Notice::InvitationExpired {
                community: CommunityId::generate(),
                community_name: "Plant".into(),
                recipient: "b@x.com".into(),
                expired: now,
                accepting_tenant: Some("Fabrikam".into()),
            },
            Notice::WebhookDisabled {
                webhook: crate::domain::ids::WebhookId::generate(),
                tenant_name: "Contoso".into(),
                url: "https://hooks.example.com/in".into(),
                reason: "every delivery failed for 5 days".into(),
            },
        ];
        for n in &notices {
            let r = render(&tera, n, "http://example.test", &links, now).unwrap();
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'));
            assert!(r.html.contains("http://example.test/"));
            assert!(r.text.contains("http://example.test/"));
            links_wrap_on_a_phone(&r.html);
        }
        let invite = render(&tera, &notices[0], "http://example.test", &links, now).unwrap();
        assert!(invite.html.contains("VIEW COMMUNITY INVITE"));
        assert!(
            invite.html.contains("Plant &lt;data&gt;"),
            "HTML part escapes names"
        );
        assert!(invite.text.contains("Plant <data>"));
    }

    /// A link shown as text (the fallback under a button) is one long word:
    /// unless the element around it may break it anywhere, a 390 px phone
    /// shows the email 1,500 px wide. Every link written out as text must
    /// sit directly in an element styled to wrap.
    fn links_wrap_on_a_phone(html: &str) {
        let mut shown = 0;
        for (at, _) in html.match_indices("http://example.test/") {
            let before = &html[..at];
            if before.ends_with("href=\"") {
                continue;
            }
            shown += 1;
            let tag = &before[before.rfind('<').expect("inside an element")..];
            assert!(
                tag.contains("word-break:break-all") && tag.contains("overflow-wrap:anywhere"),
                "a link shown as text must wrap; it is inside {tag}"
            );
        }
        let buttons = ["VIEW COMMUNITY INVITE", "VIEW PENDING INVITATIONS"];
        if buttons.iter().any(|b| html.contains(b)) {
            assert_eq!(shown, 1, "the button's fallback link is shown: {html}");
        }
    }

    /// An address with accounts in two tenants gets one email with a link
    /// for each, each signed for its own user.
    #[test]
    fn a_password_email_names_each_tenant_with_its_own_link() {
        let tera = crate::templates::load(None).unwrap();
        let links = LinkTokens::new(b"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
        let now = Utc::now();
        let (a, b) = (UserId::generate(), UserId::generate());
        let account = |user, name: &str| PasswordAccount {
            user,
            generation: 3,
            tenant_name: name.into(),
        };
        let notice = Notice::PasswordReset {
            accounts: vec![account(a, "Contoso"), account(b, "Fab <rikam>")],
            expires: now + chrono::Duration::minutes(30),
        };
        let r = render(&tera, &notice, "http://example.test", &links, now).unwrap();
        assert_eq!(r.subject, "Set a new password (2 accounts)");
        assert!(r.html.contains("Fab &lt;rikam&gt;"));
        assert!(r.text.contains("Tenant Fab <rikam>, set a new password:"));
        let users: Vec<UserId> = r
            .text
            .lines()
            .filter_map(|l| l.strip_prefix("http://example.test/password/"))
            .map(|token| links.verify_password(token, now).unwrap().user)
            .collect();
        assert_eq!(users, vec![a, b]);
    }
}
