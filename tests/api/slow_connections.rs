//! Trickling clients and descriptor exhaustion: a body below the minimum
//! rate is cut off after the grace (not after the whole body deadline), and
//! a server near its descriptor limit answers 503 itself instead of letting
//! accepting fail.

use crate::helpers::{spawn_app, TestApp};
use crate::process::seed_tenant;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

async fn connect_from(last: u8, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, last], 0)))?;
    socket.connect(server).await
}

/// The whole answer, up to `limit` of waiting.
async fn read_answer(stream: &mut TcpStream, limit: Duration) -> String {
    let mut got = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut got)).await;
    String::from_utf8_lossy(&got).into_owned()
}

fn address(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().expect("address")
}

#[tokio::test]
async fn a_body_below_the_minimum_rate_is_cut_off_after_the_grace() {
    let app: TestApp = spawn_app().await;
    let mut stream = connect_from(21, address(&app.url)).await.unwrap();
    stream
        .write_all(
            b"POST /identity/connect/token HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 10000\r\n\r\ngrant_type=",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    // Ten bytes a second: well below 240, though it never pauses long.
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if writer.write_all(b"x").await.is_err() {
                break;
            }
        }
    });
    let mut got = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), reader.read_to_end(&mut got)).await;
    trickle.abort();
    let answer = String::from_utf8_lossy(&got);
    let took = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "after {took:?}: {answer:?}"
    );
    assert!(answer.contains("bytes per second"), "{answer}");
    assert!(
        took < Duration::from_secs(10),
        "cut off after {took:?}, not soon after the 5 s grace"
    );
}

/// `communityd serve` with its open-file limit (soft and hard) at `limit`.
fn serve_with_open_files(dir: &std::path::Path, limit: u64) -> (std::process::Child, String) {
    let mut command = crate::helpers::communityd(dir);
    command
        .arg("serve")
        .env("COMMUNITYD_DATA_DIR", dir)
        .env("COMMUNITYD_BIND", "127.0.0.1:0")
        .env("COMMUNITYD_CONNECTIONS_PER_PEER", "100000")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("server.log")).expect("log"));
    // SAFETY: setrlimit is async-signal-safe; nothing else runs here.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("communityd starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    std::thread::spawn(move || for _ in stdout.lines() {});
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    (child, url)
}

#[tokio::test]
async fn near_its_descriptor_limit_the_server_answers_503_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed_tenant(dir.path(), "Contoso");
    let (mut child, url) = serve_with_open_files(dir.path(), 512);
    let server = address(&url);
    // Each holder sends a head promising a body that never comes: held
    // until the body's grace runs out.
    let head = b"POST /identity/connect/token HTTP/1.1\r\nHost: x\r\n\
                 Content-Length: 1000\r\n\r\n";
    let mut held = Vec::new();
    let mut refused = 0;
    for i in 0..600usize {
        let Ok(Ok(mut stream)) = tokio::time::timeout(
            Duration::from_secs(2),
            connect_from(30 + (i % 200) as u8, server),
        )
        .await
        else {
            break;
        };
        if stream.write_all(head).await.is_err() {
            refused += 1;
            continue;
        }
        held.push(stream);
    }
    // The last ones in were refused with a 503, at once, not left hanging.
    let mut overloaded = 0;
    for stream in held.iter_mut().rev().take(50) {
        let answer = read_answer(stream, Duration::from_millis(300)).await;
        overloaded += usize::from(answer.starts_with("HTTP/1.1 503"));
    }
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    assert!(
        overloaded > 0,
        "no 503 among the last connections ({refused} refused on write); log: {}",
        log.lines().take(5).collect::<Vec<_>>().join("\n")
    );
    assert!(
        !log.contains("Too many open files"),
        "accepting failed: {log}"
    );
    drop(held);
    // Once the holders are gone the server serves again.
    let http = reqwest::Client::new();
    let mut status = 0;
    for _ in 0..50 {
        let r = http
            .post(format!("{url}/identity/connect/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", seeded.client_id.as_str()),
                ("client_secret", seeded.client_secret.as_str()),
            ])
            .send()
            .await;
        status = r.map(|r| r.status().as_u16()).unwrap_or(0);
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
}
