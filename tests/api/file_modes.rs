//! What the service writes is its own user's only, whatever the umask it
//! was started with: the data dir and the folders in it 0700, every file
//! 0600 (database, emails, operator socket, backups). A data dir an
//! earlier release left open is closed at start, with a warning.

use crate::process::{Seeded, Served};
use communityd::store::FILE_NAME;
use serde_json::{json, Value};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the child with `mask` as its umask (set in the child only).
fn with_umask(mask: libc::mode_t) -> impl FnOnce(&mut Command) {
    move |command| {
        // SAFETY: umask is async-signal-safe and touches only the child.
        unsafe {
            command.pre_exec(move || {
                libc::umask(mask);
                Ok(())
            });
        }
    }
}

/// Runs `communityd --data-dir DIR ARGS` under `mask`; returns its JSON output.
fn cli(mask: libc::mode_t, dir: &Path, args: &[&str]) -> Value {
    let mut command = crate::helpers::communityd(dir);
    command.arg("--data-dir").arg(dir).args(args);
    with_umask(mask)(&mut command);
    let out = command.output().expect("communityd runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = &stdout[stdout.find('{').expect("json output")..];
    serde_json::from_str(json).expect("json")
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

/// Every entry under `dir` with its mode, except the test's own server logs.
fn modes_under(dir: &Path) -> Vec<(PathBuf, u32, bool)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        let kind = std::fs::symlink_metadata(&path).expect("meta").file_type();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("server-") && name.ends_with(".log") {
            continue;
        }
        if kind.is_dir() {
            found.extend(modes_under(&path));
        }
        found.push((path.clone(), mode(&path), kind.is_dir()));
    }
    found
}

async fn wait_for_email(mail: &Path) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        let emails = std::fs::read_dir(mail).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        });
        if emails > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email was written to {}", mail.display());
}

async fn everything_owner_only_under(mask: libc::mode_t) {
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("fresh").join("data");
    let tenant = cli(
        mask,
        &data,
        &[
            "tenant",
            "create",
            "--name",
            "Contoso",
            "--admin-email",
            "admin@contoso.example",
        ],
    );
    let client = cli(
        mask,
        &data,
        &[
            "client",
            "create",
            "--tenant",
            "Contoso",
            "--name",
            "admin",
            "--role",
            "Tenant Administrator",
        ],
    );
    let seeded = Seeded {
        tenant: tenant["tenant_id"].as_str().expect("tenant").to_string(),
        client_id: client["client_id"].as_str().expect("id").to_string(),
        client_secret: client["client_secret"]
            .as_str()
            .expect("secret")
            .to_string(),
    };
    let server = Served::start_with(&data, &[], with_umask(mask));
    let token = server.token(&seeded).await;
    let invitations = server.community(&seeded, &token).await;
    server
        .create(
            &invitations,
            &token,
            json!({ "InvitationRecipient": "someone@fabrikam.example" }),
        )
        .await;
    wait_for_email(&data.join("mail")).await;
    // The data dir, its mail and socket are both backends'; the database
    // file and its backup only redb's.
    let redb = !crate::helpers::redb_only("the modes of the redb file and its backup");
    if redb {
        let backup = root.path().join("backup.redb");
        cli(mask, &data, &["backup", backup.to_str().expect("path")]);
        assert_eq!(mode(&backup), 0o600, "umask {mask:o}");
    }

    assert_eq!(mode(&root.path().join("fresh")), 0o700, "umask {mask:o}");
    assert_eq!(mode(&data), 0o700, "umask {mask:o}");
    let socket = data.join(communityd::operator::SOCKET_NAME);
    assert!(std::fs::symlink_metadata(&socket)
        .expect("socket")
        .file_type()
        .is_socket());
    let entries = modes_under(&data);
    let expected = [FILE_NAME, "mail", communityd::operator::SOCKET_NAME];
    for name in &expected[usize::from(!redb)..] {
        assert!(
            entries.iter().any(|(p, ..)| p.ends_with(name)),
            "{name} in {entries:?}"
        );
    }
    for (path, found, is_dir) in entries {
        let wanted = if is_dir { 0o700 } else { 0o600 };
        assert_eq!(found, wanted, "{} under umask {mask:o}", path.display());
    }
}

#[tokio::test]
async fn files_and_folders_are_owner_only_under_the_usual_umask() {
    everything_owner_only_under(0o022).await;
}

#[tokio::test]
async fn files_and_folders_are_owner_only_under_an_empty_umask() {
    everything_owner_only_under(0o000).await;
}

#[tokio::test]
async fn a_data_dir_left_open_by_an_earlier_release_is_closed_at_start() {
    if crate::helpers::redb_only("the mode of the redb file an earlier release left open") {
        return;
    }
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("data");
    cli(
        0o022,
        &data,
        &[
            "tenant",
            "create",
            "--name",
            "Contoso",
            "--admin-email",
            "admin@contoso.example",
        ],
    );
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let db = data.join(FILE_NAME);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let mut command = crate::helpers::communityd(&data);
    let out = command
        .arg("--data-dir")
        .arg(&data)
        .args(["tenant", "list"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert!(said.contains("closed to other local users"), "{said}");
}
