//! Headless Chromium through Debian's chromedriver, driven with `fantoccini` (a W3C
//! WebDriver client): the few steps the browser tests take (start, navigate, find, click,
//! type, read, resize, run a script, screenshot), each waiting the way a person would.
//!
//! Without `chromium` and `chromedriver` the browser tests print a notice and pass, except
//! under CI (`CI` set), where `.ci/run` installs them and a missing browser fails the test.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a step waits for what it needs (an element, a new page).
const PATIENCE: Duration = Duration::from_secs(10);

pub struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Where the run's screenshots go (kept by CI with the build output).
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("screenshots")
}

/// The build's `target/` (CARGO_TARGET_DIR if set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

impl Browser {
    /// A fresh headless Chromium with its own profile, or None (with a notice) where the
    /// browser is not installed and this is not CI.
    pub async fn start() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            if std::env::var_os("CI").is_some() {
                panic!("{CHROMIUM} and {CHROMEDRIVER} must be installed in CI (.ci/run does)");
            }
            static NOTICE: std::sync::Once = std::sync::Once::new();
            NOTICE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "notice: chromium/chromedriver not installed; the browser tests are skipped \
                     (apt-get install chromium chromium-driver)"
                );
            });
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1280,1100",
                "--lang=en-US", "--no-first-run", "--disable-extensions",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("pageLoadStrategy".into(), json!("normal"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen.
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(connector.clone())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() > Duration::from_secs(20) => {
                    panic!("chromedriver did not start a session: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Runs a script in the page; its `return` value.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs a script that answers by calling its last argument; that answer.
    pub async fn script_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Clicks something that loads a new page (a submit button, a link) and waits until
    /// the new page has loaded, so nothing is read from the old one.
    pub async fn submit(&self, css: &str) {
        self.script("window.__before_submit = true;", vec![]).await;
        self.click(css).await;
        let started = Instant::now();
        loop {
            let loaded = self
                .client
                .execute(
                    "return window.__before_submit === undefined \
                     && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "clicking {css} loaded no new page"
            );
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    pub async fn source(&self) -> String {
        self.client.source().await.unwrap_or_default()
    }

    /// The page's width and height in CSS pixels (the window is resized to fit them).
    pub async fn resize(&self, width: u32, height: u32) {
        // The window includes the browser's frame; size it so the page gets `width`.
        self.client
            .set_window_size(width, height)
            .await
            .expect("window resized");
        let inner = self.script("return window.innerWidth;", vec![]).await;
        let inner = inner.as_u64().unwrap_or(u64::from(width)) as u32;
        if inner != width {
            self.client
                .set_window_size(width + (width - inner.min(width)), height)
                .await
                .expect("window resized");
        }
    }

    async fn element(&self, css: &str) -> Option<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .ok()
            .and_then(|all| all.into_iter().next())
    }

    /// Waits up to 10 s for an element to appear.
    pub async fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(element) = self.element(css).await {
                return element;
            }
            if started.elapsed() > PATIENCE {
                let url = self.url().await;
                let source = self.source().await;
                panic!("no element {css} on {url}:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.element(css).await.is_some()
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Replaces an input's value by typing.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("cleared");
        element
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Sets a value directly (date inputs take typed digits in the browser's locale order).
    pub async fn set_value(&self, css: &str, value: &str) {
        let element = self.find(css).await;
        let element = serde_json::to_value(&element).expect("element reference");
        self.script(
            "arguments[0].value = arguments[1];",
            vec![element, json!(value)],
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    pub async fn attribute(&self, css: &str, name: &str) -> String {
        let element = self.find(css).await;
        element.attr(name).await.ok().flatten().unwrap_or_default()
    }

    /// The value of one of the page's cookies (to fetch a download as the browser would).
    pub async fn cookie(&self, name: &str) -> String {
        self.client
            .get_named_cookie(name)
            .await
            .map(|c| c.value().to_owned())
            .unwrap_or_default()
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // After a failed assertion: chromedriver goes, and with it its headless browser.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
