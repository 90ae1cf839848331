//! `communityd demo`: a fresh data dir with two tenants, so a newcomer can
//! run the whole handshake by hand.
//!
//! Each run resets the demo's database, so `demo` must never be pointed at
//! real data by mistake: it only ever resets a data dir it created itself
//! (marked by a file), and never one a running server is using.

use crate::app::admin;
use crate::config::Settings;
use crate::domain::role::Role;
use crate::store::{private_files, Store, StoreError};
use std::io::Write;
use std::path::Path;

/// The file that marks a data dir as made by `demo`.
pub const MARKER: &str = ".communityd-demo";

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
    // Never wipe a database that may be shared with real instances.
    if !settings.database_url.0.is_empty() {
        return Err("`communityd demo` deletes its data on every run, so it keeps it only in a data dir of its own, never in PostgreSQL: unset COMMUNITYD_DATABASE_URL (database_url) to run the demo".into());
    }
    let dir = &settings.data_dir;
    claim(dir)?;
    reset(dir, &settings.mail_dir())?;
    let mail = settings.mail_dir();
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
    let (where_mail_goes, newest) = if settings.smtp_url.is_empty() {
        (
            format!("emails are .eml files in {}", mail.display()),
            "the newest .eml",
        )
    } else {
        (
            format!("{}; read them in its inbox", settings.mail_destination()),
            "the newest email",
        )
    };
    out.push_str(&format!(
        "\ntry the handshake in a browser ({where_mail_goes}):\n  \
         1. open /login, tenant Contoso, sign in; create a community; Invitations tab: Invite Tenant admin@fabrikam.example\n  \
         2. in a private window open the VIEW COMMUNITY INVITE link from {newest}, sign in as Fabrikam, Join\n  \
         3. as Contoso open the VIEW PENDING INVITATIONS link, Confirm Tenant under Awaiting your confirmation, confirm again\n"
    ));
    drop(store);
    Ok(out)
}

/// Makes `dir` a demo data dir if it is new or empty; refuses any other
/// folder that lacks the marker.
fn claim(dir: &Path) -> Result<(), String> {
    let marker = dir.join(MARKER);
    if marker.is_file() {
        return Ok(());
    }
    let empty = match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    if !empty {
        return Err(format!(
            "refusing to use {} for the demo: `communityd demo` resets only a data dir it \
             created itself (one holding its {MARKER} file), and this folder already holds \
             other files. Pass --data-dir with a new or empty folder.",
            dir.display()
        ));
    }
    private_files::data_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    private_files::create_new(&marker)
        .and_then(|mut file| {
            file.write_all(
                b"Created by `communityd demo`, which may delete this folder's database and mail.\n",
            )
            .map_err(|e| StoreError::file(&marker, e))
        })
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))
}

/// Deletes the demo database and mail, unless a server is using the database.
fn reset(dir: &Path, mail: &Path) -> Result<(), String> {
    let db = dir.join(crate::store::FILE_NAME);
    if db.exists() {
        // Opening takes redb's lock, which a running server holds; keep it
        // while deleting, so no server can start on the file meanwhile.
        let held = match Store::open(dir) {
            Ok(store) => Some(store),
            Err(StoreError::Locked(_)) => {
                return Err(format!(
                    "refusing to reset the demo in {}: a server is using its database. \
                     Stop that server first.",
                    dir.display()
                ))
            }
            // Unreadable (say, from another version): it is the demo's own.
            Err(_) => None,
        };
        std::fs::remove_file(&db)
            .map_err(|e| format!("cannot reset the demo database {}: {e}", db.display()))?;
        drop(held);
    }
    if mail.exists() {
        std::fs::remove_dir_all(mail)
            .map_err(|e| format!("cannot clear {}: {e}", mail.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path) -> Settings {
        let mut s = Settings::defaults();
        s.data_dir = dir.to_path_buf();
        s
    }

    fn tenant_count(dir: &Path) -> usize {
        let store = Store::open(dir).unwrap();
        store
            .read_blocking(|tx| crate::store::tenants::all(tx))
            .unwrap()
            .len()
    }

    #[test]
    fn a_new_folder_is_claimed_and_reset_on_every_run() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        prepare(&settings(&dir)).unwrap();
        assert!(dir.join(MARKER).is_file());
        assert_eq!(tenant_count(&dir), 2);
        // A second run starts over instead of adding two more tenants.
        prepare(&settings(&dir)).unwrap();
        assert_eq!(tenant_count(&dir), 2);
    }

    #[test]
    fn the_instructions_say_where_mail_goes() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        let files = prepare(&settings(&dir)).unwrap();
        let mail = dir.join("mail");
        assert!(
            files.contains(&format!("emails are .eml files in {}", mail.display())),
            "{files}"
        );
        assert!(files.contains("from the newest .eml"), "{files}");

        let mut smtp = settings(&dir);
        smtp.smtp_url = "smtp://mailer:pw-of-mailer@127.0.0.1:1025".into();
        let sent = prepare(&smtp).unwrap();
        assert!(
            sent.contains(
                "emails are sent through the SMTP server 127.0.0.1:1025; read them in its inbox"
            ),
            "{sent}"
        );
        assert!(sent.contains("from the newest email"), "{sent}");
        assert!(!sent.contains(".eml"), "no .eml instructions: {sent}");
        assert!(!sent.contains("pw-of-mailer"), "no credentials: {sent}");
    }

    #[test]
    fn a_data_dir_it_did_not_create_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        admin::create_tenant(
            &store,
            "Real",
            "admin@real.example",
            None,
            chrono::Utc::now(),
        )
        .unwrap();
        drop(store);
        let refused = prepare(&settings(dir.path())).unwrap_err();
        assert!(refused.contains("refusing to use"), "{refused}");
        assert!(refused.contains(MARKER), "{refused}");
        assert!(!dir.path().join(MARKER).exists());
        assert_eq!(tenant_count(dir.path()), 1, "the real tenant is gone");
    }

    #[test]
    fn a_demo_database_in_use_is_not_reset() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("demo");
        prepare(&settings(&dir)).unwrap();
        let running = Store::open(&dir).unwrap();
        let refused = prepare(&settings(&dir)).unwrap_err();
        assert!(refused.contains("a server is using"), "{refused}");
        drop(running);
        assert_eq!(tenant_count(&dir), 2);
    }
}
