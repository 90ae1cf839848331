//! A small closed-loop HTTP/1.1 load generator, in the manner of wrk: a
//! fixed number of keep-alive connections, each sending its next request as
//! soon as the previous response has been read in full.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Builds the bytes of request number `n`.
pub type Requests = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

pub struct Outcome {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// A GET with a bearer token.
pub fn get(path: &str, token: &str) -> Requests {
    let bytes =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n")
            .into_bytes();
    Arc::new(move |_| bytes.clone())
}

/// A POST of a JSON body made from the request number.
pub fn post_json(
    path: &str,
    token: &str,
    body: impl Fn(u64) -> String + Send + Sync + 'static,
) -> Requests {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    );
    Arc::new(move |n| {
        let body = body(n);
        format!("{head}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    })
}

/// Runs `connections` clients against `addr` for `warmup` (not counted)
/// and then `measure`.
pub fn run(
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    measure: Duration,
    requests: Requests,
) -> Outcome {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("load runtime");
    runtime.block_on(async move {
        let counter = Arc::new(AtomicU64::new(0));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let counting = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_at = Instant::now() + warmup + measure;
        let mut clients = Vec::new();
        for _ in 0..connections {
            let (counter, ok, failed, counting, requests) = (
                counter.clone(),
                ok.clone(),
                failed.clone(),
                counting.clone(),
                requests.clone(),
            );
            clients.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let mut buffer = Vec::with_capacity(16 * 1024);
                while Instant::now() < stop_at {
                    let request = requests(counter.fetch_add(1, Ordering::Relaxed));
                    if stream.write_all(&request).await.is_err() {
                        break;
                    }
                    let Some(status) = read_response(&mut stream, &mut buffer).await else {
                        break;
                    };
                    if counting.load(Ordering::Relaxed) {
                        if (200..300).contains(&status) {
                            ok.fetch_add(1, Ordering::Relaxed);
                        } else {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(warmup).await;
        counting.store(true, Ordering::SeqCst);
        let started = Instant::now();
        for client in clients {
            let _ = client.await;
        }
        Outcome {
            ok: ok.load(Ordering::SeqCst),
            failed: failed.load(Ordering::SeqCst),
            elapsed: started.elapsed(),
        }
    })
}

/// Reads one response (headers and a Content-Length body); returns its
/// status, or None when the connection ended.
async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<u16> {
    buffer.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(buffer, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let status = head.get(9..12)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(status)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Mean latency of `rounds` requests sent one after another on one connection.
pub fn latency(addr: SocketAddr, rounds: usize, requests: Requests) -> (Duration, u16) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("latency runtime");
    runtime.block_on(async move {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let mut buffer = Vec::new();
        let mut status = 0;
        // Warm the caches the same way for every database.
        for n in 0..20 {
            stream.write_all(&requests(n)).await.expect("send");
            status = read_response(&mut stream, &mut buffer)
                .await
                .expect("response");
        }
        let started = Instant::now();
        for n in 0..rounds as u64 {
            stream.write_all(&requests(n)).await.expect("send");
            status = read_response(&mut stream, &mut buffer)
                .await
                .expect("response");
        }
        (started.elapsed() / rounds as u32, status)
    })
}
