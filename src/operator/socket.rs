//! The operator socket: one request per connection, a JSON line each way.
//! A backup reply is a JSON line with the size, then the file's bytes, so
//! the copy lands wherever the operator's command runs (a container's data
//! volume need not be reachable from outside).
//!
//! A connection that sends no request, or takes no part of a reply, for
//! `operator_idle_timeout` is closed, so idle connections cannot pile up
//! (each holds a task and a descriptor, and a stalled backup a copy of
//! the database on disk).

use super::commands::{execute, Request};
use crate::app::Context;
use crate::store::backup;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

/// The largest request line accepted (passwords and names are short).
const MAX_REQUEST: u64 = 64 * 1024;

#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    Ok(Value),
    Error(String),
    /// The backup file's bytes follow this line.
    File {
        bytes: u64,
    },
}

pub struct Listener {
    listener: UnixListener,
    path: PathBuf,
    owner: u32,
}

impl Listener {
    /// Binds `<data_dir>/operator.sock` readable and writable only by this
    /// process's user. The database lock is already held, so a socket file
    /// left there is from a server that died, and is replaced.
    pub fn bind(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join(super::SOCKET_NAME);
        let _ = std::fs::remove_file(&path);
        let std_listener = std::os::unix::net::UnixListener::bind(&path).map_err(|e| {
            format!(
                "cannot create the operator socket {}: {e}; the data dir must be writable by the server's user",
                path.display()
            )
        })?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
        let owner = std::fs::metadata(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .uid();
        std_listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let listener = UnixListener::from_std(std_listener).map_err(|e| e.to_string())?;
        Ok(Self {
            listener,
            path,
            owner,
        })
    }

    /// Serves until `stop` turns true, then removes the socket file.
    pub async fn serve(self, ctx: Context, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let ctx = ctx.clone();
                        let owner = self.owner;
                        tokio::spawn(async move {
                            if let Err(e) = handle(ctx, stream, owner).await {
                                tracing::warn!(error = %e, "operator connection failed");
                            }
                        });
                    }
                    Err(e) => tracing::warn!(error = %e, "operator socket accept failed"),
                },
                _ = stop.changed() => break,
            }
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn write_reply(
    stream: &mut UnixStream,
    reply: &Reply,
    idle: Duration,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(reply)?;
    line.push(b'\n');
    write_within(stream, &line, idle).await
}

/// Writes `bytes`, giving up when the peer takes none of them for `idle`.
async fn write_within(
    stream: &mut UnixStream,
    bytes: &[u8],
    idle: Duration,
) -> std::io::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let written = tokio::time::timeout(idle, stream.write(rest))
            .await
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "the peer stopped reading")
            })??;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        rest = &rest[written..];
    }
    Ok(())
}

async fn handle(ctx: Context, mut stream: UnixStream, owner: u32) -> std::io::Result<()> {
    let idle = ctx.settings.operator_idle_timeout;
    // The file mode already keeps others out; this also covers the moment
    // between bind and chmod.
    let peer = stream.peer_cred()?.uid();
    if peer != owner && peer != 0 {
        tracing::warn!(
            uid = peer,
            "operator socket: refused a connection from another user"
        );
        return write_reply(
            &mut stream,
            &Reply::Error("only the server's own user may use the operator socket".into()),
            idle,
        )
        .await;
    }
    let mut line = String::new();
    let mut reader = AsyncBufReader::new((&mut stream).take(MAX_REQUEST));
    match tokio::time::timeout(idle, reader.read_line(&mut line)).await {
        Ok(read) => read?,
        Err(_) => {
            tracing::info!(after = ?idle, "operator socket: closed a connection that sent no request");
            return Ok(());
        }
    };
    drop(reader);
    let request: Request = match serde_json::from_str(&line) {
        Ok(r) => r,
        Err(e) => {
            return write_reply(
                &mut stream,
                &Reply::Error(format!("bad request: {e}")),
                idle,
            )
            .await
        }
    };
    ctx.metrics.operator_command();
    tracing::info!(command = ?request_name(&request), "operator command");
    if request == Request::Backup {
        return send_backup(&ctx, &mut stream).await;
    }
    let store = ctx.store.clone();
    let now = ctx.clock.now();
    let result = tokio::task::spawn_blocking(move || execute(&store, request, now))
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    let reply = match result {
        Ok(v) => Reply::Ok(v),
        Err(e) => Reply::Error(e),
    };
    write_reply(&mut stream, &reply, idle).await
}

/// The variant's name only: requests may carry passwords.
fn request_name(request: &Request) -> String {
    let text = format!("{request:?}");
    text.split([' ', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn send_backup(ctx: &Context, stream: &mut UnixStream) -> std::io::Result<()> {
    let idle = ctx.settings.operator_idle_timeout;
    let temp = ctx
        .settings
        .data_dir
        .join(format!(".backup-{}.redb", uuid::Uuid::new_v4()));
    let target = temp.clone();
    // A backup copies the whole database: it takes a large-read slot like
    // any other read that may be long.
    let made = ctx
        .store
        .read_large(&ctx.large_reads, move |tx| {
            backup::write_snapshot(tx, &target)
        })
        .await
        .map_err(|e| e.to_string());
    let result = match made {
        Ok(_) => stream_file(stream, &temp, idle).await,
        Err(e) => write_reply(stream, &Reply::Error(format!("backup failed: {e}")), idle).await,
    };
    let _ = tokio::fs::remove_file(&temp).await;
    result
}

async fn stream_file(stream: &mut UnixStream, file: &Path, idle: Duration) -> std::io::Result<()> {
    let mut source = tokio::fs::File::open(file).await?;
    let bytes = source.metadata().await?.len();
    write_reply(stream, &Reply::File { bytes }, idle).await?;
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = source.read(&mut chunk).await?;
        if n == 0 {
            return stream.flush().await;
        }
        write_within(stream, &chunk[..n], idle).await?;
    }
}

/// What the command line gets from the socket.
pub enum Answer {
    /// No server listens (no socket, or a stale one).
    NoServer,
    Reply(Reply, Box<dyn Read>),
}

/// Sends one request to the server on `data_dir`, if one runs there.
pub fn ask(data_dir: &Path, request: &Request) -> Result<Answer, String> {
    let path = data_dir.join(super::SOCKET_NAME);
    let mut stream = match std::os::unix::net::UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(Answer::NoServer)
        }
        Err(e) => {
            return Err(format!(
                "cannot use the running server's operator socket {}: {e}; run the command as the user the server runs as",
                path.display()
            ))
        }
    };
    let mut line = serde_json::to_vec(request).map_err(|e| e.to_string())?;
    line.push(b'\n');
    stream
        .write_all(&line)
        .map_err(|e| format!("operator socket: {e}"))?;
    let mut reader = BufReader::new(stream);
    let mut reply = String::new();
    reader
        .read_line(&mut reply)
        .map_err(|e| format!("operator socket: {e}"))?;
    let reply: Reply = serde_json::from_str(&reply)
        .map_err(|e| format!("the server's operator socket answered something unreadable: {e}"))?;
    Ok(Answer::Reply(reply, Box::new(reader)))
}
