//! A real SMTP listener on loopback that captures what lettre sends, so
//! tests read the exact emails and click their links. It can stop (refusing
//! connections) and start again on the same port, answer slowly, hold its
//! reply to a message's data (a relay that hangs), and count how many mail
//! transactions it served at once.

#![allow(dead_code)]

use base64::Engine;
use mail_parser::MessageParser;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the capture answers.
#[derive(Clone, Debug, Default)]
pub struct Behaviour {
    /// Every reply waits this long.
    pub reply_delay: Duration,
    /// In a transaction for this recipient, each reply from RCPT on waits
    /// this long (a slow recipient's domain).
    pub slow_recipient: Option<(String, Duration)>,
    /// Offers AUTH PLAIN and records what the client sends.
    pub offer_auth: bool,
    /// Offers STARTTLS; after it, only notes that a TLS handshake began.
    pub offer_starttls: bool,
    /// Expects TLS from the first byte (smtps); notes the handshake and closes.
    pub implicit_tls: bool,
}

/// What every session of one capture shares.
#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<CapturedEmail>>,
    behaviour: Mutex<Behaviour>,
    /// While true, the reply to a message's data is not sent (the message
    /// is captured first).
    holding: AtomicBool,
    in_transaction: AtomicUsize,
    most_at_once: AtomicUsize,
    /// Decoded AUTH PLAIN responses: "authzid\0user\0password".
    logins: Mutex<Vec<String>>,
    /// TLS handshakes a client began (a ClientHello record arrived).
    tls_hellos: AtomicUsize,
}

#[derive(Clone, Debug)]
pub struct CapturedEmail {
    pub envelope_to: Vec<String>,
    pub raw: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

impl CapturedEmail {
    /// The first absolute link in the HTML part whose path starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.html
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(|s| s.replace("&amp;", "&"))
            .find(|href| url_path(href).is_some_and(|p| p.starts_with(prefix)))
    }
}

fn url_path(href: &str) -> Option<String> {
    let after_scheme = href.split_once("://")?.1;
    Some(format!("/{}", after_scheme.split_once('/')?.1))
}

pub struct SmtpCapture {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl SmtpCapture {
    pub async fn start() -> Self {
        Self::start_with(Behaviour::default()).await
    }

    pub async fn start_with(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("smtp bind");
        let addr = listener.local_addr().expect("smtp addr");
        let shared = Arc::new(Shared::default());
        *shared.behaviour.lock().expect("lock") = behaviour;
        let task = Some(tokio::spawn(serve(listener, shared.clone())));
        Self { addr, shared, task }
    }

    /// Holds (true) or sends (false) the replies to messages' data.
    pub fn hold_replies(&self, hold: bool) {
        self.shared.holding.store(hold, Ordering::SeqCst);
    }

    /// What clients sent with AUTH PLAIN, decoded.
    pub fn logins(&self) -> Vec<String> {
        self.shared.logins.lock().expect("lock").clone()
    }

    /// How many TLS handshakes clients began.
    pub fn tls_hellos(&self) -> usize {
        self.shared.tls_hellos.load(Ordering::SeqCst)
    }

    /// The most mail transactions (MAIL FROM to the reply to the data) that were open at once.
    pub fn most_at_once(&self) -> usize {
        self.shared.most_at_once.load(Ordering::SeqCst)
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Stops listening and drops open connections (the port refuses connections).
    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn resume(&mut self) {
        self.stop();
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot listen again on {}: {e}", self.addr),
            }
        };
        self.task = Some(tokio::spawn(serve(listener, self.shared.clone())));
    }

    pub fn emails(&self) -> Vec<CapturedEmail> {
        self.shared.messages.lock().expect("lock").clone()
    }

    /// How many emails arrived.
    pub fn count(&self) -> usize {
        self.shared.messages.lock().expect("lock").len()
    }

    /// Waits (bounded) until at least `n` emails arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<CapturedEmail> {
        for _ in 0..400 {
            let got = self.emails();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "expected {n} emails, captured {}: {:?}",
            self.emails().len(),
            self.emails().iter().map(|e| &e.subject).collect::<Vec<_>>()
        );
    }

    /// Waits for the first email to `to` whose subject contains `needle`.
    pub async fn wait_for_email(&self, to: &str, needle: &str) -> CapturedEmail {
        for _ in 0..400 {
            if let Some(e) = self.emails().into_iter().find(|e| {
                e.envelope_to.iter().any(|t| t.eq_ignore_ascii_case(to))
                    && e.subject.contains(needle)
            }) {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "no email to {to} with '{needle}'; got {:?}",
            self.emails()
                .iter()
                .map(|e| (&e.envelope_to, &e.subject))
                .collect::<Vec<_>>()
        );
    }
}

impl Drop for SmtpCapture {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut sessions = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        sessions.spawn(session(stream, shared.clone()));
    }
}

/// Counts a session's open transaction, also when the client goes away mid-way.
struct Transaction<'a> {
    shared: &'a Shared,
    open: bool,
}

impl Transaction<'_> {
    fn begin(&mut self) {
        if !self.open {
            self.open = true;
            let now = self.shared.in_transaction.fetch_add(1, Ordering::SeqCst) + 1;
            self.shared.most_at_once.fetch_max(now, Ordering::SeqCst);
        }
    }

    fn end(&mut self) {
        if self.open {
            self.open = false;
            self.shared.in_transaction.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        self.end();
    }
}

/// The server side of one SMTP session (RFC 5321, no extensions).
async fn session(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut envelope_to: Vec<String> = Vec::new();
    let mut transaction = Transaction {
        shared: &shared,
        open: false,
    };
    if shared.behaviour.lock().expect("lock").implicit_tls {
        note_tls_hello(&mut lines, &shared).await;
        return;
    }
    if write.write_all(b"220 capture ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let behaviour = shared.behaviour.lock().expect("lock").clone();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => {
                let mut ehlo = String::from("250-capture\r\n");
                if behaviour.offer_starttls {
                    ehlo.push_str("250-STARTTLS\r\n");
                }
                if behaviour.offer_auth {
                    ehlo.push_str("250-AUTH PLAIN\r\n");
                }
                ehlo.push_str("250 8BITMIME\r\n");
                if write.write_all(ehlo.as_bytes()).await.is_err() {
                    return;
                }
                continue;
            }
            "STARTTLS" if behaviour.offer_starttls => {
                if write.write_all(b"220 go ahead\r\n").await.is_err() {
                    return;
                }
                note_tls_hello(&mut lines, &shared).await;
                return;
            }
            "AUTH" if behaviour.offer_auth => {
                let encoded = command.split_whitespace().nth(2).unwrap_or_default();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .unwrap_or_default();
                shared
                    .logins
                    .lock()
                    .expect("lock")
                    .push(String::from_utf8_lossy(&decoded).into_owned());
                b"235 accepted\r\n"
            }
            "HELO" => b"250 capture\r\n",
            "MAIL" => {
                envelope_to.clear();
                transaction.begin();
                b"250 OK\r\n"
            }
            "RCPT" => {
                let addr = command.split(':').nth(1).unwrap_or_default();
                envelope_to.push(
                    addr.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string(),
                );
                b"250 OK\r\n"
            }
            "DATA" => {
                pause(&shared, &envelope_to).await;
                if write.write_all(b"354 end with .\r\n").await.is_err() {
                    return;
                }
                let raw = read_data(&mut lines).await;
                shared
                    .messages
                    .lock()
                    .expect("lock")
                    .push(parse(envelope_to.clone(), raw));
                while shared.holding.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                pause(&shared, &envelope_to).await;
                transaction.end();
                if write.write_all(b"250 OK queued\r\n").await.is_err() {
                    return;
                }
                continue;
            }
            "RSET" | "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"502 not implemented\r\n",
        };
        pause(&shared, &envelope_to).await;
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// Reads the client's first bytes and counts them if they open a TLS
/// handshake (a record of type 22, version 3.x).
async fn note_tls_hello(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, shared: &Shared) {
    let mut head = [0u8; 2];
    let read = tokio::time::timeout(Duration::from_secs(5), lines.read_exact(&mut head)).await;
    if matches!(read, Ok(Ok(_))) && head == [0x16, 0x03] {
        shared.tls_hellos.fetch_add(1, Ordering::SeqCst);
    }
}

/// Waits as the behaviour says before a reply.
async fn pause(shared: &Shared, envelope_to: &[String]) {
    let behaviour = shared.behaviour.lock().expect("lock").clone();
    let mut delay = behaviour.reply_delay;
    if let Some((slow, extra)) = &behaviour.slow_recipient {
        if envelope_to.iter().any(|t| t.eq_ignore_ascii_case(slow)) {
            delay += *extra;
        }
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    let mut raw = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 || line == ".\r\n" {
            return raw;
        }
        raw.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

fn parse(envelope_to: Vec<String>, raw: String) -> CapturedEmail {
    let parsed = MessageParser::default().parse(raw.as_bytes());
    let (subject, message_id, text, html) = match &parsed {
        Some(m) => (
            m.subject().unwrap_or_default().to_string(),
            m.message_id().unwrap_or_default().to_string(),
            m.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
            m.body_html(0).map(|t| t.to_string()).unwrap_or_default(),
        ),
        None => Default::default(),
    };
    CapturedEmail {
        envelope_to,
        raw,
        subject,
        message_id,
        text,
        html,
    }
}
