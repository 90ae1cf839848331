//! SMTP over a bounded pool of connections that this module opens itself.
//!
//! lettre 0.11 (up to 0.11.23, the newest release) leaves Nagle's algorithm
//! on: it writes a message body and the closing `.` in two writes, and the
//! second waits for the server's delayed ACK, ~40 ms per message (fixed
//! upstream in lettre's pull request 1159, not released). So the socket is
//! connected here with TCP_NODELAY and handed to lettre, which still speaks
//! SMTP, STARTTLS, implicit TLS and AUTH exactly as its own transport does.
//! `smtp_url` keeps lettre's meaning (scheme, `?tls=`, credentials, a path
//! naming the EHLO host).

use super::send_error::SendError;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Longest wait for the TCP connection and the server's greeting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest one message may take, connection included. The outbox lease is
/// longer, so a message is never claimed twice while it is being sent.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// A parked connection unused this long is checked with NOOP before reuse
/// (the server may have closed it); one unused for `IDLE_LIMIT` is closed.
const FRESH: Duration = Duration::from_secs(2);
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// Where and how to connect, from `smtp_url`.
struct Endpoint {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl Endpoint {
    fn parse(smtp_url: &str) -> Result<Self, String> {
        let url = url::Url::parse(smtp_url).map_err(|e| format!("not a URL: {e}"))?;
        let host = url
            .host_str()
            .ok_or("no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let tls_for = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| format!("TLS setup failed: {e}"))
        };
        let (default_port, tls) = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None | Some("none")) => (25, Tls::None),
            ("smtp", Some("required")) => (587, Tls::Required(tls_for(&host)?)),
            ("smtp", Some("opportunistic")) => (587, Tls::Opportunistic(tls_for(&host)?)),
            ("smtps", _) => (465, Tls::Wrapper(tls_for(&host)?)),
            (scheme, tls) => {
                return Err(format!(
                    "unknown scheme '{scheme}' or tls parameter {tls:?} (use smtp://host:port, smtp://host:587?tls=required or smtps://host:465)"
                ))
            }
        };
        let credentials = match url.password() {
            Some(password) => {
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8()
                        .map(|s| s.into_owned())
                        .map_err(|e| format!("credentials are not UTF-8: {e}"))
                };
                Some(Credentials::new(decode(url.username())?, decode(password)?))
            }
            None => None,
        };
        let name = url.path().trim_matches('/');
        let hello = if name.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(name.to_string())
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            tls,
            credentials,
            hello,
        })
    }

    /// A ready connection: greeted, encrypted as configured, authenticated.
    async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
        let connect = TcpStream::connect((self.host.as_str(), self.port));
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| {
                transient(format!(
                    "no connection to {}:{} within {CONNECT_TIMEOUT:?}",
                    self.host, self.port
                ))
            })?
            .map_err(|e| {
                transient(format!(
                    "cannot connect to {}:{}: {e}",
                    self.host, self.port
                ))
            })?;
        tcp.set_nodelay(true)
            .map_err(|e| transient(format!("cannot set TCP_NODELAY: {e}")))?;
        let stream: Box<dyn AsyncTokioStream> = match &self.tls {
            Tls::Wrapper(params) => Box::new(ImplicitTls::wrap(tcp, params.clone()).await?),
            _ => Box::new(tcp),
        };
        let greeted = AsyncSmtpConnection::connect_with_transport(stream, &self.hello);
        let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, greeted)
            .await
            .map_err(|_| transient(format!("no SMTP greeting within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| smtp_error(&e))?;
        match &self.tls {
            Tls::Opportunistic(params) if conn.can_starttls() => {
                conn.starttls(params.clone(), &self.hello)
                    .await
                    .map_err(|e| smtp_error(&e))?;
            }
            Tls::Required(params) => conn
                .starttls(params.clone(), &self.hello)
                .await
                .map_err(|e| smtp_error(&e))?,
            _ => {}
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(|e| smtp_error(&e))?;
        }
        Ok(conn)
    }
}

/// Up to `size` connections, each carrying one message at a time.
pub struct SmtpPool {
    endpoint: Endpoint,
    slots: Semaphore,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl SmtpPool {
    pub fn new(smtp_url: &str, size: usize) -> Result<Self, String> {
        Ok(Self {
            endpoint: Endpoint::parse(smtp_url)?,
            slots: Semaphore::new(size.max(1)),
            idle: Mutex::new(Vec::new()),
        })
    }

    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| transient("the mail pool is closed".into()))?;
        let work = async {
            let mut conn = self.checkout().await?;
            let result = conn
                .send(message.envelope(), &message.formatted())
                .await
                .map(|_| ())
                .map_err(|e| smtp_error(&e));
            if !conn.has_broken() {
                self.park(conn);
            }
            result
        };
        // A connection that times out is dropped with the future: its state
        // is unknown, so it is never reused.
        tokio::time::timeout(SEND_TIMEOUT, work)
            .await
            .map_err(|_| {
                transient(format!(
                    "the SMTP server did not finish within {SEND_TIMEOUT:?}"
                ))
            })?
    }

    /// A parked connection that still answers, or a new one.
    async fn checkout(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let parked = self.lock_idle().pop();
            let Some((mut conn, since)) = parked else {
                return self.endpoint.open().await;
            };
            let idle = since.elapsed();
            if idle < FRESH || (idle < IDLE_LIMIT && conn.test_connected().await) {
                return Ok(conn);
            }
            conn.abort().await;
        }
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        self.lock_idle().push((conn, Instant::now()));
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Says QUIT on every parked connection (at shutdown).
    pub async fn close(&self) {
        let parked: Vec<_> = self.lock_idle().drain(..).collect();
        for (mut conn, _) in parked {
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.quit()).await;
        }
    }
}

fn transient(message: String) -> SendError {
    SendError {
        message,
        permanent: false,
    }
}

/// lettre's errors, with a hint for the usual mistake (TLS mode vs port).
fn smtp_error(e: &lettre::transport::smtp::Error) -> SendError {
    let mut text = e.to_string();
    if let Some(source) = std::error::Error::source(e) {
        text = format!("{text}: {source}");
    }
    if e.is_tls() {
        text.push_str(" (check that the smtp_url scheme matches the port: smtps:// for 465, smtp://...?tls=required for 587)");
    }
    SendError {
        message: text,
        permanent: e.is_permanent(),
    }
}

/// Implicit TLS (`smtps://`) over our own socket: lettre reads the greeting
/// as soon as it gets a stream, so the TLS handshake has to happen first.
/// lettre's own TLS code does it (same roots and checks as its transport),
/// through the stream type it exports for this.
#[allow(deprecated)]
#[derive(Debug)]
struct ImplicitTls(lettre::transport::smtp::client::AsyncNetworkStream);

#[allow(deprecated)]
impl ImplicitTls {
    async fn wrap(tcp: TcpStream, params: TlsParameters) -> Result<Self, SendError> {
        use lettre::transport::smtp::client::AsyncNetworkStream;
        let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
        tokio::time::timeout(CONNECT_TIMEOUT, stream.upgrade_tls(params))
            .await
            .map_err(|_| transient(format!("no TLS handshake within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| smtp_error(&e))?;
        Ok(Self(stream))
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        match futures_util::io::AsyncRead::poll_read(Pin::new(&mut self.0), cx, unfilled) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_util::io::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_close(Pin::new(&mut self.0), cx)
    }
}

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.peer_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_lettres_meaning() {
        let plain = Endpoint::parse("smtp://localhost:1025").unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("localhost", 1025));
        assert!(matches!(plain.tls, Tls::None) && plain.credentials.is_none());
        let submission = Endpoint::parse("smtp://u%40x:p%2Fw@mail.example?tls=required").unwrap();
        assert_eq!(submission.port, 587);
        assert!(matches!(submission.tls, Tls::Required(_)));
        assert_eq!(
            submission.credentials,
            Some(Credentials::new("u@x".into(), "p/w".into()))
        );
        let wrapped = Endpoint::parse("smtps://mail.example/relay.example").unwrap();
        assert_eq!(wrapped.port, 465);
        assert!(matches!(wrapped.tls, Tls::Wrapper(_)));
        assert_eq!(wrapped.hello, ClientId::Domain("relay.example".into()));
        assert!(Endpoint::parse("http://mail.example").is_err());
        assert!(Endpoint::parse("smtp://mail.example?tls=maybe").is_err());
    }
}
