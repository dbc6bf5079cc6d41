//! A real headless Chromium, driven through WebDriver (chromedriver on a free
//! loopback port, started and killed by the test, with a fresh profile).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// How long the page may take to reach any state a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// The browser, or `None` after printing why the test is skipped. With
/// `SOCKETIO_LAB_REQUIRE_BROWSER=1` (as in CI) a missing browser fails the test.
pub async fn start(test: &str) -> Option<Browser> {
    let chromium = find(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        let why = "`chromium` and `chromedriver` are not both on PATH (apt-get install chromium chromium-driver)";
        if std::env::var("SOCKETIO_LAB_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("`{test}` needs a browser (`SOCKETIO_LAB_REQUIRE_BROWSER=1`): {why}");
        }
        println!("skipped `{test}`: {why}");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    // Its own process group, so that the browser it starts goes down with it.
    let mut driver = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + PATIENCE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = driver.try_wait() {
            panic!("chromedriver exited ({status}) before listening");
        }
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let profile = tempfile::tempdir().expect("a profile folder");
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=1280,720",
        &format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium, "args": args }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await;
    let client = match client {
        Ok(client) => client,
        Err(e) => {
            kill_group(&mut driver);
            panic!("no WebDriver session: {e}");
        }
    };
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

fn kill_group(driver: &mut Child) {
    let group = format!("-{}", driver.id());
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = driver.wait();
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

impl Browser {
    /// Ends the session (the browser closes), then chromedriver.
    pub async fn finish(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{e}: {script}"))
    }

    /// Waits until `script` returns true, polling within `PATIENCE`.
    pub async fn until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let text = self.js("return document.body.innerText").await;
                panic!("the page never showed {what} within {PATIENCE:?}; it shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("{e}: {css}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }

    /// Every address the page loaded: the document and each resource.
    pub async fn loaded(&self) -> Vec<String> {
        let script =
            "return [document.URL, ...performance.getEntriesByType('resource').map((e) => e.name)]";
        let list = self.js(script).await;
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// Sizes the window so that the page itself (the viewport) is `width` x `height`.
    pub async fn viewport(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
        let inner = self
            .js("return [window.innerWidth, window.innerHeight]")
            .await;
        let (w, h) = (
            inner[0].as_u64().unwrap() as u32,
            inner[1].as_u64().unwrap() as u32,
        );
        let (w, h) = (2 * width - w.min(width), 2 * height - h.min(height));
        self.client.set_window_size(w, h).await.unwrap();
        let check =
            format!("return window.innerWidth === {width} && window.innerHeight === {height}");
        self.until(&format!("a {width}x{height} viewport"), &check)
            .await;
    }

    /// A PNG of the viewport, checked to be one.
    pub async fn screenshot(&self, file: &str) -> Vec<u8> {
        // Taken once the deliveries have landed, not with dots in mid-flight.
        let landed = "return document.getAnimations().length === 0";
        self.until("the deliveries landed", landed).await;
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        // Where the README's pictures come from: `SOCKETIO_LAB_SCREENSHOTS=docs`.
        let dir = std::env::var_os("SOCKETIO_LAB_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
        std::fs::write(dir.join(file), &png).unwrap();
        if std::env::var_os("SOCKETIO_LAB_SCREENSHOTS").is_none() {
            same_picture(&png, file);
        }
        png
    }
}

/// Decoded to 8-bit RGBA, with its size.
fn rgba(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(
        png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
    );
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

/// The share of pixels that differ clearly (a channel by more than 48 of 255):
/// font smoothing moves a few, a changed layout or text moves many.
fn differing_share(a: &[u8], b: &[u8]) -> f64 {
    let differ = a
        .chunks(4)
        .zip(b.chunks(4))
        .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 48))
        .count();
    differ as f64 / (a.len() / 4).max(1) as f64
}

/// The README's picture `docs/FILE` must still be what the page draws (issue 27:
/// pictures that cannot go stale): at most 2% of its pixels may differ clearly.
/// `SOCKETIO_LAB_SCREENSHOTS=docs cargo test --test it web::` draws them again.
fn same_picture(png: &[u8], file: &str) {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(file);
    let old = std::fs::read(&committed).unwrap_or_else(|e| panic!("{}: {e}", committed.display()));
    let (w, h, now) = rgba(png);
    let (ow, oh, before) = rgba(&old);
    let fix = "draw them again: SOCKETIO_LAB_SCREENSHOTS=docs cargo test --test it web::";
    assert_eq!(
        (w, h),
        (ow, oh),
        "docs/{file} has another size than the page's picture; {fix}"
    );
    let share = differing_share(&now, &before);
    assert!(
        share <= 0.02,
        "docs/{file} is stale: {:.1}% of its pixels differ from what the page draws now; {fix}",
        share * 100.0
    );
}

/// Width and height of a PNG, from its header.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}
