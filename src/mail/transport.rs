//! Where emails go: an SMTP server (one pooled lettre transport for the
//! process) or `.eml` files in a folder, the default so a first run needs
//! no mail server.

use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// A failed send: `permanent` when retrying cannot help (the server refused
/// the message or an address with a 5xx).
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl Transport {
    /// `smtp_url` empty: the file transport under `mail_dir`.
    pub fn from_settings(smtp_url: &str, mail_dir: PathBuf) -> Result<Self, String> {
        if smtp_url.is_empty() {
            std::fs::create_dir_all(&mail_dir)
                .map_err(|e| format!("cannot create {}: {e}", mail_dir.display()))?;
            return Ok(Transport::File(
                AsyncFileTransport::new(&mail_dir),
                mail_dir,
            ));
        }
        let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("smtp_url is not usable: {e} (use smtp://host:port, smtp://host:587?tls=required or smtps://host:465)"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        Ok(Transport::Smtp(smtp))
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "smtp".into(),
            Transport::File(_, dir) => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: readable_smtp_error(&e),
            }),
            Transport::File(file, _) => {
                file.send(message).await.map(|_| ()).map_err(|e| SendError {
                    message: format!("cannot write the email file: {e}"),
                    permanent: false,
                })
            }
        }
    }
}

/// lettre's errors, with a hint for the usual mistake (TLS mode vs port).
fn readable_smtp_error(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    if let Some(source) = std::error::Error::source(e) {
        text = format!("{text}: {source}");
    }
    if e.is_tls() {
        text.push_str(" (check that the smtp_url scheme matches the port: smtps:// for 465, smtp://...?tls=required for 587)");
    }
    text
}
