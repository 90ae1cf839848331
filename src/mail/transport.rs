//! Where emails go: an SMTP server (one bounded pool of connections for the
//! process) or `.eml` files in a folder, the default so a first run needs
//! no mail server.

use super::send_error::SendError;
use super::smtp::SmtpPool;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub enum Transport {
    Smtp(Arc<SmtpPool>),
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
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
            std::fs::create_dir_all(&mail_dir)
                .map_err(|e| format!("cannot create {}: {e}", mail_dir.display()))?;
            return Ok(Transport::File(
                AsyncFileTransport::new(&mail_dir),
                mail_dir,
            ));
        }
        let pool = SmtpPool::new(smtp_url, connections)
            .map_err(|e| format!("smtp_url is not usable: {e}"))?;
        Ok(Transport::Smtp(Arc::new(pool)))
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "smtp".into(),
            Transport::File(_, dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(pool) => pool.send(&message).await,
            Transport::File(file, _) => {
                file.send(message).await.map(|_| ()).map_err(|e| SendError {
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
