//! The command-line side: send a request to the server running on the
//! data dir, or, when none runs there, open the database file directly.
//! On PostgreSQL there is no file to guard: a command opens the database
//! itself, beside any running servers. Every error says which data dir or
//! database it is about and what to do.

use super::commands::{execute, Request};
use crate::store::{backup, backup_check, copy, private_files, Store, StoreError, FILE_NAME};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Where `communityd demo` keeps its data: this folder inside the data dir.
pub const DEMO_DIR: &str = "demo";

fn missing_dir(data_dir: &Path) -> String {
    format!(
        "the data dir {} does not exist; pass --data-dir (or set COMMUNITYD_DATA_DIR) to the server's data dir",
        data_dir.display()
    )
}

fn open(data_dir: &Path) -> Result<Store, String> {
    Store::open(data_dir).map_err(|e| match e {
        StoreError::Locked(_) => format!(
            "another communityd process holds the database in {} and its operator socket does not answer; stop that process, or run this command as the user the server runs as",
            data_dir.display()
        ),
        other => format!("{}: {other}", data_dir.display()),
    })
}

/// Where the settings put the data: `url` empty means the redb file in
/// `data_dir`, else the PostgreSQL database it names.
pub struct Database<'a> {
    pub data_dir: &'a Path,
    pub url: &'a str,
}

/// A command runs one transaction at a time; a second connection covers
/// a read made while another is still being handed back.
const COMMAND_CONNECTIONS: usize = 2;

impl Database<'_> {
    fn on_postgres(&self) -> bool {
        !self.url.is_empty()
    }

    /// Refuses `command` before it does any work when the data is in
    /// PostgreSQL, whose own tools copy it better than a file could.
    fn file_only(&self, command: &str) -> Result<(), String> {
        if self.on_postgres() {
            return Err(format!(
                "`communityd {command}` works on the data dir's database file, but COMMUNITYD_DATABASE_URL (database_url) puts the data in PostgreSQL: back it up and restore it with PostgreSQL's own tools (pg_dump and pg_restore, or a replica; see the README, Running on PostgreSQL)"
            ));
        }
        Ok(())
    }
}

/// Runs an admin request where the settings put the data: on PostgreSQL
/// directly (several processes may use the database at once), else as
/// `run` does on the data dir.
pub fn run_configured(database: &Database, request: Request) -> Result<Value, String> {
    if !database.on_postgres() {
        return run(database.data_dir, request);
    }
    let store = Store::open_configured(database.data_dir, database.url, COMMAND_CONNECTIONS)
        .map_err(|e| e.to_string())?;
    execute(&store, request, chrono::Utc::now())
}

/// `backup`, refused on PostgreSQL.
pub fn backup_configured(database: &Database, dest: &Path) -> Result<Value, String> {
    database.file_only("backup")?;
    backup(database.data_dir, dest)
}

/// `restore`, refused on PostgreSQL.
pub fn restore_configured(database: &Database, from: &Path) -> Result<Value, String> {
    database.file_only("restore")?;
    restore(database.data_dir, from)
}

/// `store copy`: copies the deployment at `from` into the empty one at
/// `to`, each a `postgres://` URL or a data dir (holding, or to hold,
/// the redb file), and verifies it record by record (`store::copy`).
pub fn store_copy(from: &str, to: &str) -> Result<Value, String> {
    if from == to {
        return Err(format!(
            "--from and --to both name {from}; copy into another place"
        ));
    }
    let source = open_location(from, true)?;
    let dest = open_location(to, false)?;
    let counts = copy::copy(&source, &dest).map_err(|e| e.to_string())?;
    Ok(json!({
        "copied": { "from": source.describe(), "to": dest.describe() },
        "records": counts.values().sum::<u64>(),
        "counts": counts,
        "verified": true,
    }))
}

/// A store named on the command line: a PostgreSQL URL, or a data dir;
/// the source's data dir must already hold a database.
fn open_location(at: &str, source: bool) -> Result<Store, String> {
    if at.starts_with("postgres://") || at.starts_with("postgresql://") {
        return Store::open_configured(Path::new(""), at, COMMAND_CONNECTIONS)
            .map_err(|e| e.to_string());
    }
    let dir = Path::new(at);
    if source && !dir.join(FILE_NAME).exists() {
        return Err(format!(
            "{} holds no {FILE_NAME}; pass the data dir of the deployment to copy, or its postgres:// URL",
            dir.display()
        ));
    }
    open(dir)
}

/// Runs an admin request through the running server, or on the file.
/// Only `tenant create` may start a new data dir (a fresh installation).
pub fn run(data_dir: &Path, request: Request) -> Result<Value, String> {
    // A server running on the data dir answers first, whichever backend
    // it keeps its data in.
    #[cfg(unix)]
    if data_dir.exists() {
        use super::socket::{ask, Answer, Reply};
        match ask(data_dir, &request)? {
            Answer::NoServer => {}
            Answer::Reply(Reply::Ok(v), _) => return Ok(v),
            Answer::Reply(Reply::Error(e), _) => return Err(e),
            Answer::Reply(Reply::File { .. }, _) => {
                return Err("the server answered with a file to a command".into())
            }
        }
    }
    let creates = matches!(request, Request::TenantCreate { .. });
    if !data_dir.join(FILE_NAME).exists() {
        // The demo keeps its database a folder down: a command run beside
        // it means the demo's, not a second database.
        if let Some(demo) = demo_beside(data_dir, creates) {
            return Err(demo);
        }
        if !creates {
            return Err(if data_dir.exists() {
                format!(
                    "the data dir {} holds no database yet; create the first tenant with `communityd tenant create`, or pass the server's --data-dir",
                    data_dir.display()
                )
            } else {
                missing_dir(data_dir)
            });
        }
    }
    let store = open(data_dir)?;
    execute(&store, request, chrono::Utc::now())
}

/// When `data_dir` has no database but the demo's folder in it has one,
/// what to say: a command that reads or changes data is pointed at the
/// demo's; `tenant create` (`creates`), which would start a second
/// database, only while the demo runs.
fn demo_beside(data_dir: &Path, creates: bool) -> Option<String> {
    let demo: PathBuf = data_dir.join(DEMO_DIR);
    if !demo.join(FILE_NAME).exists() {
        return None;
    }
    let running = serves(&demo);
    if creates && !running {
        return None;
    }
    let what = if running {
        "the running demo's is"
    } else {
        "the demo's is"
    };
    let mut message = format!(
        "no database in {}; {what} {}: pass --data-dir {}",
        data_dir.display(),
        demo.display(),
        demo.display()
    );
    if creates {
        message.push_str(&format!(
            " to add the tenant to the demo, or stop the demo to start a new database in {}",
            data_dir.display()
        ));
    }
    Some(message)
}

/// Whether a server answers on `data_dir`'s operator socket.
fn serves(data_dir: &Path) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::net::UnixStream::connect(data_dir.join(super::SOCKET_NAME)).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = data_dir;
        false
    }
}

/// Writes a consistent copy of the database to `dest`, through the
/// running server when there is one.
pub fn backup(data_dir: &Path, dest: &Path) -> Result<Value, String> {
    if !data_dir.join(FILE_NAME).exists() {
        return Err(missing_dir(data_dir));
    }
    if dest.exists() {
        return Err(format!(
            "{} already exists; choose a new file name",
            dest.display()
        ));
    }
    #[cfg(unix)]
    {
        use super::socket::{ask, Answer, Reply};
        match ask(data_dir, &Request::Backup)? {
            Answer::NoServer => {}
            Answer::Reply(Reply::File { bytes }, mut body) => {
                receive(&mut body, bytes, dest)?;
                return Ok(json!({ "backup": dest, "bytes": bytes, "through": "running server" }));
            }
            Answer::Reply(Reply::Error(e), _) => return Err(e),
            Answer::Reply(Reply::Ok(_), _) => {
                return Err("the server did not send the backup".into())
            }
        }
    }
    let store = open(data_dir)?;
    let rows = store
        .read_blocking(|tx| backup::write_snapshot(tx, dest))
        .map_err(|e| format!("backup to {} failed: {e}", dest.display()))?;
    Ok(json!({ "backup": dest, "rows": rows, "through": "database file" }))
}

#[cfg(unix)]
fn receive(body: &mut dyn std::io::Read, bytes: u64, dest: &Path) -> Result<(), String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let partial = dest.with_extension("partial");
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", partial.display());
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .map_err(fail)?;
    let copied = std::io::copy(&mut body.take(bytes), &mut file).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    if copied != bytes {
        let _ = std::fs::remove_file(&partial);
        return Err(format!(
            "the server sent {copied} of {bytes} bytes; the backup is incomplete and was not kept"
        ));
    }
    // What arrived is checked as a restore would check it, so a backup
    // damaged on the way is never kept as if it were good.
    if let Err(e) = backup_check::verify(&partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("the backup the server sent was not kept: {e}"));
    }
    std::fs::rename(&partial, dest).map_err(|e| format!("{}: {e}", dest.display()))
}

/// Checks a backup file without restoring it: its checksums, and every
/// record of every table decoded and counted against its manifest.
pub fn verify(file: &Path) -> Result<Value, String> {
    let sealed = backup_check::verify(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let manifest = &sealed.manifest;
    Ok(json!({
        "verified": file,
        "schema_version": manifest.schema_version,
        "database_sha256": manifest.database_sha256,
        "records": manifest.tables.values().sum::<u64>(),
        "tables": manifest.tables,
    }))
}

/// Replaces the data dir's database with a backup, keeping the current
/// file beside it. The server must be stopped. The backup is checked in
/// full, and copied, before the live database is touched; it is only read.
pub fn restore(data_dir: &Path, from: &Path) -> Result<Value, String> {
    let refused = |e: StoreError| format!("{} cannot be restored: {e}", from.display());
    let sealed = backup_check::verify(from).map_err(refused)?;
    private_files::data_dir(data_dir)
        .map_err(|e| format!("cannot create the data dir {}: {e}", data_dir.display()))?;
    let live = data_dir.join(FILE_NAME);
    #[cfg(unix)]
    if let super::socket::Answer::Reply(..) = super::socket::ask(data_dir, &Request::TenantList)? {
        return Err(format!(
            "a server is running on {}; stop it first, then restore",
            data_dir.display()
        ));
    }
    if live.exists() {
        drop(open(data_dir)?); // fails while any process holds the file
    }
    let incoming = data_dir.join(format!("{FILE_NAME}.restoring"));
    let _ = std::fs::remove_file(&incoming);
    if let Err(e) = sealed.copy_database(&incoming) {
        let _ = std::fs::remove_file(&incoming);
        return Err(refused(e));
    }
    let previous = if live.exists() {
        let kept = data_dir.join(format!(
            "{FILE_NAME}.before-restore-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        std::fs::rename(&live, &kept).map_err(|e| format!("{}: {e}", live.display()))?;
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&incoming, &live).map_err(|e| format!("{}: {e}", live.display()))?;
    Ok(json!({
        "restored": live,
        "from": from,
        "schema_version": sealed.manifest.schema_version,
        "records": sealed.manifest.tables.values().sum::<u64>(),
        "previous_database_kept_as": previous,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(name: &str) -> Request {
        Request::TenantCreate {
            name: name.into(),
            admin_email: format!("admin@{}.example", name.to_lowercase()),
            admin_password: Some("correct horse battery".into()),
        }
    }

    /// A password that is too short is refused naming the option typed.
    #[test]
    fn a_short_password_names_the_option_it_came_in() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let mut request = create("Contoso");
        if let Request::TenantCreate { admin_password, .. } = &mut request {
            *admin_password = Some("short".into());
        }
        assert_eq!(
            run(&data, request).unwrap_err(),
            "--admin-password: must be at least 8 characters"
        );
        run(&data, create("Contoso")).unwrap();
        let user = Request::UserCreate {
            tenant: "Contoso".into(),
            email: "bob@contoso.example".into(),
            password: Some("short".into()),
            roles: Vec::new(),
        };
        assert_eq!(
            run(&data, user).unwrap_err(),
            "--password: must be at least 8 characters"
        );
    }

    /// `tenant list` beside a demo finds no database in ./data: it names
    /// the demo's instead of saying there is none, and `tenant create`
    /// does not quietly start a second database while the demo runs.
    #[test]
    fn commands_beside_the_demo_are_pointed_at_its_data_dir() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let demo = data.join(DEMO_DIR);
        drop(Store::open(&demo).unwrap());

        let listed = run(&data, Request::TenantList).unwrap_err();
        assert_eq!(
            listed,
            format!(
                "no database in {}; the demo's is {}: pass --data-dir {}",
                data.display(),
                demo.display(),
                demo.display()
            )
        );
        // Stopped, the demo is no reason not to start a real database.
        run(&data, create("Contoso")).unwrap();
        assert!(data.join(FILE_NAME).exists());
        std::fs::remove_file(data.join(FILE_NAME)).unwrap();

        #[cfg(unix)]
        {
            let _demo_runs =
                std::os::unix::net::UnixListener::bind(demo.join(super::super::SOCKET_NAME))
                    .unwrap();
            let refused = run(&data, create("Fabrikam")).unwrap_err();
            assert!(
                refused.starts_with(&format!(
                    "no database in {}; the running demo's is {}: pass --data-dir {} to add the tenant to the demo, or stop the demo",
                    data.display(),
                    demo.display(),
                    demo.display()
                )),
                "{refused}"
            );
            assert!(!data.join(FILE_NAME).exists(), "no second database");
        }
    }
}
