//! A real HTTP listener on loopback that records what the webhook worker
//! POSTs (headers and body), answering each request with the next status
//! of a programmable list (then the default), or hanging without an
//! answer (a receiver that never replies).

#![allow(dead_code)]

use std::collections::HashMap;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the receiver answers one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Status(u16),
    /// Reads the request, records it, and never answers.
    Hang,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    next: Mutex<VecDeque<Answer>>,
    default: Mutex<Option<Answer>>,
}

pub struct WebhookReceiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WebhookReceiver {
    /// A receiver answering 204 unless told otherwise.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(serve(listener, shared.clone()));
        Self { addr, shared, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks/in", self.addr)
    }

    /// The answers to the next requests, in order.
    pub fn answer_next(&self, answers: &[Answer]) {
        self.shared
            .next
            .lock()
            .unwrap()
            .extend(answers.iter().copied());
    }

    /// The answer once the list is used up (204 at first).
    pub fn answer_always(&self, answer: Answer) {
        *self.shared.default.lock().unwrap() = Some(answer);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits (bounded) until at least `n` requests arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..600 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "expected {n} webhook requests, received {}",
            self.received().len()
        );
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(answer(stream, shared.clone()));
    }
}

/// Reads one request (headers, then a `content-length` body), records it
/// and answers as told; the connection is closed after.
async fn answer(stream: TcpStream, shared: Arc<Shared>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).await.is_err() {
        return;
    }
    shared.received.lock().unwrap().push(Received {
        path,
        headers,
        body,
    });
    let next = shared.next.lock().unwrap().pop_front();
    let default = *shared.default.lock().unwrap();
    match next.or(default).unwrap_or(Answer::Status(204)) {
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Answer::Status(code) => {
            let reply = format!(
                "HTTP/1.1 {code} Answered\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let mut stream = reader.into_inner();
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    }
}
