//! Where emails go: an SMTP server (one bounded pool of connections for the
//! process) or `.eml` files in a folder, the default so a first run needs
//! no mail server. The folder and its files are the owner's only, whatever
//! the umask: the emails carry invitation and sign-in links.

use super::send_error::SendError;
use super::smtp::SmtpPool;
use lettre::Message;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone)]
pub enum Transport {
    Smtp(Arc<SmtpPool>),
    File(PathBuf),
}

impl Transport {
    /// `smtp_url` empty: the file transport under `mail_dir`. `connections`
    /// bounds how many SMTP sessions are open at once.
    pub fn from_settings(
        smtp_url: &str,
        mail_dir: PathBuf,
        connections: usize,
    ) -> Result<Self, String> {
        if smtp_url.is_empty() {
            owner_only_dir(&mail_dir)
                .map_err(|e| format!("cannot create {}: {e}", mail_dir.display()))?;
            return Ok(Transport::File(mail_dir));
        }
        let pool = SmtpPool::new(smtp_url, connections)
            .map_err(|e| format!("smtp_url is not usable: {e}"))?;
        Ok(Transport::Smtp(Arc::new(pool)))
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "smtp".into(),
            Transport::File(dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(pool) => pool.send(&message).await,
            Transport::File(dir) => {
                write_eml(dir, &message.formatted())
                    .await
                    .map_err(|e| SendError {
                        message: format!("cannot write the email file: {e}"),
                        permanent: false,
                    })
            }
        }
    }

    /// Closes idle SMTP connections politely (at shutdown).
    pub async fn close(&self) {
        if let Transport::Smtp(pool) = self {
            pool.close().await;
        }
    }
}

/// Creates the mail folder owner-only, and closes one an earlier release
/// left open to others.
fn owner_only_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    if std::fs::metadata(dir)?.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        tracing::warn!(dir = %dir.display(), "closed the mail folder to other local users");
    }
    Ok(())
}

/// Writes one email as `<uuid>.eml`, owner-only from its creation, under a
/// temporary name first so no reader sees half of it.
async fn write_eml(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let id = uuid::Uuid::new_v4();
    let partial = dir.join(format!(".{id}.partial"));
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .await?;
    file.write_all(bytes).await?;
    file.flush().await?;
    tokio::fs::rename(&partial, dir.join(format!("{id}.eml"))).await
}
