//! The service under test: the real `appraisal` binary (built by cargo with the bench
//! profile), started as a child process on a database of the benchmark's, with the notice
//! worker off so that delivery does not compete with what is measured.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{json, Value};

/// The signing key the benchmark shares with its servers, to mint employees' tokens.
pub const JWT_SECRET: &str = "bench-only-secret-0123456789abcdef0123456789abcdef";

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    http: reqwest::Client,
    token: Option<String>,
}

impl Server {
    /// Starts `appraisal serve` on `database_url` and waits until `/ready` answers 200. Its
    /// log goes to [`LOG`] when `keep_log` (servers that take few requests; a log line per
    /// request of the load runs would fill gigabytes), else nowhere.
    pub async fn start(database_url: &str, keep_log: bool) -> anyhow::Result<Server> {
        Server::start_binary(
            Path::new(env!("CARGO_BIN_EXE_appraisal")),
            database_url,
            keep_log,
        )
        .await
    }

    /// [`Server::start`] with another build of the binary (`--compare-binary`).
    pub async fn start_binary(
        binary: &Path,
        database_url: &str,
        keep_log: bool,
    ) -> anyhow::Result<Server> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env("APPRAISAL__DATABASE__URL", database_url)
            .env("APPRAISAL__SERVER__PORT", port.to_string())
            .env("APPRAISAL__AUTH__JWT_SECRET", JWT_SECRET)
            .env("APPRAISAL__NOTICES__WORKER", "false")
            .env("APPRAISAL__MAIL__TRANSPORT", "memory")
            .env_remove("RUST_LOG")
            .stdout(if keep_log { log_file()? } else { Stdio::null() })
            .stderr(Stdio::inherit());
        let child = command
            .spawn()
            .context("cannot start the appraisal binary")?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(1800))
            // A new connection per call: the server may have closed an idle one meanwhile.
            .pool_max_idle_per_host(0)
            .build()?;
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            http,
            token: None,
        };
        let started = Instant::now();
        loop {
            if let Ok(answer) = server.http.get(server.url("/ready")).send().await {
                if answer.status().is_success() {
                    return Ok(server);
                }
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("the server exited at start: {status}");
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(120),
                "the server did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Signs in; later calls carry the token.
    pub async fn login(&mut self, email: &str, password: &str) -> anyhow::Result<()> {
        let answer = self
            .call(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                Some(json!({"email": email, "password": password})),
            )
            .await?;
        self.token = Some(
            answer["access_token"]
                .as_str()
                .context("no token")?
                .to_owned(),
        );
        Ok(())
    }

    /// A JSON call that must succeed; the answer's body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self.http.request(method.clone(), self.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await?;
        let status = answer.status();
        let text = answer.text().await?;
        anyhow::ensure!(status.is_success(), "{method} {path}: {status} {text}");
        Ok(if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        })
    }

    /// Posts a CSV body to an import endpoint; the answer's body.
    pub async fn post_csv(&self, path: &str, csv: String) -> anyhow::Result<Value> {
        self.post_body(path, "text/csv", csv.into_bytes()).await
    }

    /// Posts a body of `content_type` to an import endpoint; the answer's body.
    pub async fn post_body(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await?;
        let status = answer.status();
        let text = answer.text().await?;
        anyhow::ensure!(status.is_success(), "POST {path}: {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }

    /// A GET answered with bytes (a spreadsheet); fails on any status but success.
    pub async fn get_bytes(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await?;
        let status = answer.status();
        let bytes = answer.bytes().await?;
        anyhow::ensure!(status.is_success(), "GET {path}: {status}");
        Ok(bytes.to_vec())
    }

    /// Sends one JSON POST without a token and answers its status and how long it took.
    pub async fn timed_post(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Duration)> {
        let started = Instant::now();
        let answer = self.http.post(self.url(path)).json(body).send().await?;
        let status = answer.status().as_u16();
        answer.bytes().await?;
        Ok((status, started.elapsed()))
    }

    /// Peak and current resident memory of the server process, in MiB.
    pub fn memory_mib(&self) -> anyhow::Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| -> anyhow::Result<f64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("no {name} in /proc status"))?;
            let kib: f64 = line
                .split_whitespace()
                .nth(1)
                .context("no value")?
                .parse()?;
            Ok(kib / 1024.0)
        };
        Ok((field("VmHWM:")?, field("VmRSS:")?))
    }

    /// Stops the server with SIGTERM, as an operator would.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let started = Instant::now();
        while self.child.try_wait()?.is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                self.child.kill()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

/// The log of the servers that compute, publish and import (with compute's phase times),
/// for reading after the run; [`start_log`] empties it at the start of each run.
pub const LOG: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/bench-server.log");

pub fn start_log() -> anyhow::Result<()> {
    std::fs::write(LOG, "")?;
    Ok(())
}

fn log_file() -> anyhow::Result<Stdio> {
    let file = std::fs::OpenOptions::new().append(true).open(LOG)?;
    Ok(Stdio::from(file))
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
