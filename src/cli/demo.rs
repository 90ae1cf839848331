//! `communityd demo`: a fresh data dir with two tenants, so a newcomer can
//! run the whole handshake by hand.

use crate::app::admin;
use crate::config::Settings;
use crate::domain::role::Role;
use crate::store::Store;

struct DemoTenant {
    name: &'static str,
    email: &'static str,
    password: &'static str,
}

const TENANTS: [DemoTenant; 2] = [
    DemoTenant {
        name: "Contoso",
        email: "admin@contoso.example",
        password: "contoso-demo-password",
    },
    DemoTenant {
        name: "Fabrikam",
        email: "admin@fabrikam.example",
        password: "fabrikam-demo-password",
    },
];

/// Wipes the demo database and mail folder, creates the tenants, and returns
/// what to print.
pub fn prepare(settings: &Settings) -> Result<String, String> {
    let dir = &settings.data_dir;
    let db = dir.join(crate::store::FILE_NAME);
    if db.exists() {
        std::fs::remove_file(&db).map_err(|e| {
            format!(
                "cannot reset the demo database {}: {e} (is a demo still running?)",
                db.display()
            )
        })?;
    }
    let mail = settings.mail_dir();
    if mail.exists() {
        std::fs::remove_dir_all(&mail)
            .map_err(|e| format!("cannot clear {}: {e}", mail.display()))?;
    }
    let store = Store::open(dir).map_err(|e| e.to_string())?;
    let now = chrono::Utc::now();
    let mut out = format!(
        "demo data in {} (recreated on every `demo` run)\n",
        dir.display()
    );
    for t in &TENANTS {
        let created = admin::create_tenant(&store, t.name, t.email, Some(t.password.into()), now)
            .map_err(|e| e.to_string())?;
        let client = admin::create_client(
            &store,
            created.tenant_id,
            &format!("{} script", t.name),
            &[Role::TenantAdministrator],
            now,
        )
        .map_err(|e| e.to_string())?;
        out.push_str(&format!(
            "\ntenant {name} (id {tid})\n  log in: tenant \"{name}\", email {email}, password {pw}\n  API client: client_id {cid}, client_secret {secret}\n",
            name = t.name,
            tid = created.tenant_id,
            email = t.email,
            pw = t.password,
            cid = client.client_id,
            secret = client.client_secret,
        ));
    }
    out.push_str(&format!(
        "\ntry the handshake in a browser (emails are .eml files in {mail}):\n  \
         1. open /login, tenant Contoso, sign in; create a community; Invitations tab: Invite Tenant admin@fabrikam.example\n  \
         2. in a private window open the VIEW COMMUNITY INVITE link from the newest .eml, sign in as Fabrikam, Join\n  \
         3. as Contoso open the VIEW PENDING INVITATIONS link, Confirm Tenant under Awaiting your confirmation, confirm again\n",
        mail = mail.display()
    ));
    drop(store);
    Ok(out)
}
