//! A small HTTP/1.1 load generator over loopback: keep-alive connections, closed loop for
//! throughput, open loop at a fixed rate for latency. In the open loop each request has an
//! intended start time and its latency counts from then, so a stalled server cannot hide
//! its queueing (no coordinated omission).

use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Makes the bytes of request number `i`.
pub type MakeRequest = Rc<dyn Fn(usize) -> Vec<u8>>;

pub fn get(path: &str, token: Option<&str>) -> Vec<u8> {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n").into_bytes()
}

pub fn post_json(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

struct Connection {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    fn new(addr: SocketAddr) -> Connection {
        Connection { addr, stream: None }
    }

    /// Sends one request and reads the whole answer; returns the status (0 on an I/O error,
    /// after which the next request opens a new connection).
    async fn send(&mut self, request: &[u8]) -> u16 {
        match self.try_send(request).await {
            Ok(status) => status,
            Err(_) => {
                self.stream = None;
                0
            }
        }
    }

    async fn try_send(&mut self, request: &[u8]) -> std::io::Result<u16> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let stream = self.stream.as_mut().expect("connected above");
        stream.get_mut().write_all(request).await?;
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        let mut close = false;
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("connection") && value.trim() == "close" {
                close = true;
            }
        }
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).await?;
        if close {
            self.stream = None;
        }
        Ok(status)
    }
}

/// Answers by status, and latencies where measured.
#[derive(Default)]
pub struct Outcome {
    pub statuses: std::collections::BTreeMap<u16, usize>,
    pub latencies: Vec<Duration>,
    /// Latencies of each status, for the login storm.
    pub by_status: std::collections::BTreeMap<u16, Vec<Duration>>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn count(&self) -> usize {
        self.statuses.values().sum()
    }
    pub fn ok(&self) -> usize {
        self.statuses.get(&200).copied().unwrap_or(0)
    }
    pub fn per_second(&self) -> f64 {
        self.ok() as f64 / self.elapsed.as_secs_f64()
    }
    fn record(&mut self, status: u16, latency: Option<Duration>) {
        *self.statuses.entry(status).or_default() += 1;
        if let Some(latency) = latency {
            self.latencies.push(latency);
            self.by_status.entry(status).or_default().push(latency);
        }
    }
    fn merge(&mut self, other: Outcome) {
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        self.latencies.extend(other.latencies);
        for (status, v) in other.by_status {
            self.by_status.entry(status).or_default().extend(v);
        }
    }
    pub fn statuses_text(&self) -> String {
        self.statuses
            .iter()
            .map(|(s, n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The `q` quantile (0..=1) of latencies, in milliseconds.
pub fn quantile_ms(latencies: &[Duration], q: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

/// As many requests as `connections` keep-alive connections can get answered in `duration`.
pub async fn closed_loop(
    addr: SocketAddr,
    make: MakeRequest,
    connections: usize,
    duration: Duration,
) -> Outcome {
    let start = Instant::now();
    let end = start + duration;
    on_connections(addr, connections, start, move |k, mut conn| {
        let make = make.clone();
        async move {
            let mut outcome = Outcome::default();
            let mut i = k;
            while Instant::now() < end {
                let status = conn.send(&make(i)).await;
                outcome.record(status, None);
                i += connections;
            }
            outcome
        }
    })
    .await
}

/// `rate` requests per second for `duration`, spread over `connections` connections; each
/// connection takes every `connections`-th request at its intended time (or as soon as its
/// previous answer is in, if that is later, and then the wait counts as latency).
pub async fn open_loop(
    addr: SocketAddr,
    make: MakeRequest,
    rate: f64,
    connections: usize,
    duration: Duration,
) -> Outcome {
    let total_requests = (rate * duration.as_secs_f64()) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now() + Duration::from_millis(20);
    on_connections(addr, connections, start, move |k, mut conn| {
        let make = make.clone();
        async move {
            let mut outcome = Outcome::default();
            let mut i = k;
            while i < total_requests {
                let intended = start + interval * i as u32;
                tokio::time::sleep_until(intended.into()).await;
                let status = conn.send(&make(i)).await;
                outcome.record(status, Some(intended.elapsed()));
                i += connections;
            }
            outcome
        }
    })
    .await
}

/// Runs `each` once per connection, as local tasks, and adds up what they counted.
async fn on_connections<F, Work>(
    addr: SocketAddr,
    connections: usize,
    start: Instant,
    each: F,
) -> Outcome
where
    F: Fn(usize, Connection) -> Work,
    Work: std::future::Future<Output = Outcome> + 'static,
{
    let tasks: Vec<_> = (0..connections)
        .map(|k| tokio::task::spawn_local(each(k, Connection::new(addr))))
        .collect();
    let mut total = Outcome::default();
    for task in tasks {
        total.merge(task.await.expect("load task"));
    }
    total.elapsed = start.elapsed();
    total
}
