//! The page in a real browser (headless Chromium through WebDriver): the lesson view
//! shows exactly the deliveries of the trace, a visitor who joins the demo reaches
//! Ana, Ben and Caro, and nothing is loaded from anywhere but the lab server.
//!
//! Needs `chromium` and `chromedriver` on PATH. Without them the tests say why and
//! pass, unless `SOCKETIO_LAB_REQUIRE_BROWSER=1` (CI) makes that a failure.

mod browser;
use crate::common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{bin, run, stdout, ChildServer, Ready};
use serde_json::Value;

/// `socketio-lab ARGS`, serving a page: its address is its first line.
fn page_server(args: &[&str]) -> ChildServer {
    let mut cmd = bin();
    cmd.args(args).args(["--no-open", "--color", "never"]);
    ChildServer::start(cmd, Ready::UrlLine, Duration::from_secs(20)).unwrap()
}

/// The response headers of `GET path`, as text.
fn headers(port: u16, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text.split("\r\n\r\n").next().unwrap().to_lowercase()
}

/// The lab server's header forbids anything from elsewhere, and the page loaded
/// nothing from elsewhere.
async fn only_from(browser: &browser::Browser, server: &ChildServer) {
    for path in ["/", "/assets/app.js", "/assets/socket.io.min.js"] {
        let head = headers(server.port, path);
        assert!(
            head.contains("content-security-policy: default-src 'self'"),
            "{path}: {head}"
        );
    }
    let base = format!("{}/", server.url());
    let loaded = browser.loaded().await;
    assert!(loaded.len() > 3, "{loaded:?}");
    for address in &loaded {
        assert!(
            address.starts_with(&base),
            "loaded from elsewhere: {address}"
        );
    }
}

/// Loads `url` in a 1280x720 viewport and waits until `ready` holds.
async fn open(browser: &browser::Browser, url: &str, ready: &str) {
    browser.client.goto(url).await.unwrap();
    browser.viewport(1280, 720).await;
    browser.until(url, ready).await;
}

/// The cards as the page shows them: (socket, mark, how many events it lists).
async fn cards(browser: &browser::Browser) -> Vec<(String, String, u64)> {
    let script = "return [...document.querySelectorAll('.stage [data-socket]')].map((c) => [c.dataset.socket, c.dataset.mark, Number(c.dataset.received)])";
    let list = browser.js(script).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c[0].as_str().unwrap().to_string(),
                c[1].as_str().unwrap().to_string(),
                c[2].as_u64().unwrap(),
            )
        })
        .collect()
}

fn names(v: &Value) -> Vec<String> {
    let mut names: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn marked(cards: &[(String, String, u64)], mark: &str) -> Vec<String> {
    let mut names: Vec<String> = cards
        .iter()
        .filter(|c| c.1 == mark)
        .map(|c| c.0.clone())
        .collect();
    names.sort();
    names
}

/// The step on screen shows exactly the deliveries `run --json` recorded for it.
fn same_deliveries(step: &Value, cards: &[(String, String, u64)]) {
    let title = step["title"].as_str().unwrap();
    assert_eq!(marked(cards, "✓"), names(&step["delivered_to"]), "{title}");
    if step["operation"] == "emit" || step["operation"] == "send" {
        let not = names(&step["not_delivered_to"]);
        assert_eq!(marked(cards, "·"), not, "{title}");
    }
}

/// A lesson on several nodes in the page: the same deliveries as `--json`, and each
/// card names the node that holds its socket, as the step's `nodes` says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lesson_page_names_each_sockets_node() {
    let Some(browser) = browser::start("the_lesson_page_names_each_sockets_node").await else {
        return;
    };
    let out = run(&["run", "nodes", "--json", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let expected: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = expected["steps"].as_array().unwrap();
    let server = page_server(&["web", "nodes", "--port", "0"]);
    let url = format!("{}/lesson/nodes", server.url());
    open(
        &browser,
        &url,
        "return document.querySelector('main').dataset.shown === '0'",
    )
    .await;
    let mut checked = 0;
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        browser.click("button.primary").await;
        let shown = format!("return document.querySelector('main').dataset.shown === '{n}'");
        browser.until(&format!("step {n}"), &shown).await;
        same_deliveries(step, &cards(&browser).await);
        let script = "return Object.fromEntries([...document.querySelectorAll('.stage [data-socket]')].map((c) => [c.dataset.socket, c.querySelector('.node') ? c.querySelector('.node').textContent : null]))";
        let labels = browser.js(script).await;
        let Some(nodes) = step["nodes"].as_object() else {
            continue;
        };
        for (name, node) in nodes {
            assert_eq!(
                labels[name].as_str(),
                Some(format!("node {node}").as_str()),
                "step {n}: {labels}"
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} node labels checked");
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lesson_page_shows_the_deliveries_of_the_trace() {
    let Some(browser) = browser::start("the_lesson_page_shows_the_deliveries_of_the_trace").await
    else {
        return;
    };
    let out = run(&["run", "rooms", "--json", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let expected: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = expected["steps"].as_array().unwrap();
    let server = page_server(&["web", "rooms", "--port", "0"]);
    // The list of lessons leads to the lesson.
    let home = format!("{}/", server.url());
    open(
        &browser,
        &home,
        "return !!document.querySelector('a[href=\"/lesson/rooms\"]')",
    )
    .await;
    browser.click("a[href='/lesson/rooms']").await;
    let ready = "return location.pathname === '/lesson/rooms' && document.querySelector('main').dataset.shown === '0'";
    browser.until("the lesson", ready).await;
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        if n == 1 {
            // The keyboard works as the buttons do.
            browser.click("body").await;
            let body = browser
                .client
                .find(fantoccini::Locator::Css("body"))
                .await
                .unwrap();
            let right: char = fantoccini::key::Key::Right.into();
            body.send_keys(&right.to_string()).await.unwrap();
        } else {
            browser.click("button.primary").await;
        }
        let shown = format!("return document.querySelector('main').dataset.shown === '{n}'");
        browser.until(&format!("step {n}"), &shown).await;
        let heading = browser
            .js("return document.querySelector('.story h2').textContent")
            .await;
        let title = step["title"].as_str().unwrap();
        // Backticked names are drawn as code, without their backticks.
        assert!(
            heading.as_str().unwrap().ends_with(&title.replace('`', "")),
            "{heading} / {title}"
        );
        if title.contains('`') {
            let code = browser
                .js("return document.querySelectorAll('.story h2 code').length")
                .await;
            assert_eq!(code, title.matches('`').count() / 2, "{title}");
        }
        let cards = cards(&browser).await;
        same_deliveries(step, &cards);
        if title == "Two rooms at once" {
            let bob = cards.iter().find(|c| c.0 == "bob").unwrap();
            assert_eq!(
                (bob.1.as_str(), bob.2),
                ("✓", 1),
                "bob receives exactly once"
            );
            // The server's account names the event it emitted, not the one it was sent.
            let sent = browser
                .js("return document.querySelector('.story .sent').textContent")
                .await;
            assert_eq!(sent, "server sent news to bob, carol, dave");
            let png = browser.screenshot("web-lesson.png").await;
            assert_eq!(browser::png_size(&png), (1280, 720));
        }
    }
    // Back shows the recorded result of the step before, without running it again.
    browser.click("button[aria-keyshortcuts='ArrowLeft']").await;
    let before = steps.len() - 1;
    let shown = format!("return document.querySelector('main').dataset.shown === '{before}'");
    browser.until("the step before", &shown).await;
    same_deliveries(&steps[before - 1], &cards(&browser).await);
    only_from(&browser, &server).await;
    // At phone width nothing runs off the side.
    browser.viewport(390, 844).await;
    browser
        .until(
            "a page as narrow as a phone",
            "return document.documentElement.scrollWidth <= window.innerWidth",
        )
        .await;
    let png = browser.screenshot("web-lesson-phone.png").await;
    assert_eq!(browser::png_size(&png), (390, 844));
    browser.finish().await;
}

/// Clicks Next for each of `beats`, waiting for each to be shown.
async fn beats(browser: &browser::Browser, beats: std::ops::RangeInclusive<u32>) {
    for beat in beats {
        browser.click("button.primary").await;
        let shown = format!("return document.querySelector('main').dataset.beats === '{beat}'");
        browser.until(&format!("beat {beat}"), &shown).await;
    }
}

/// The visitor's message, as a window shows it.
fn window_has(person: &str, text: &str) -> String {
    format!(
        "return [...document.querySelectorAll('[data-person=\"{person}\"] .messages li')].some((li) => li.textContent.includes('{text}'))"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_joins_the_demo_and_ana_ben_and_caro_receive_their_message() {
    let test = "a_visitor_joins_the_demo_and_ana_ben_and_caro_receive_their_message";
    let Some(browser) = browser::start(test).await else {
        return;
    };
    let server = page_server(&["demo", "--web", "--port", "0"]);
    // `auto=0`: the story goes on a click only, so that Caro is still there.
    let url = format!("{}/demo?auto=0", server.url());
    open(
        &browser,
        &url,
        "return document.querySelector('main').dataset.beats === '0'",
    )
    .await;
    beats(&browser, 1..=3).await;
    browser.type_into("#visitor-name", "Dana").await;
    browser.click("form.join button").await;
    for person in ["ana", "ben", "caro"] {
        let joined = window_has(person, "Dana joined the chat");
        browser
            .until(&format!("Dana in {person}'s window"), &joined)
            .await;
    }
    browser
        .type_into("#visitor-text", "hello from the browser")
        .await;
    browser.click("form.say button").await;
    for person in ["ana", "ben", "caro", "you"] {
        let got = window_has(person, "hello from the browser");
        browser
            .until(&format!("the message in {person}'s window"), &got)
            .await;
    }
    // The delivery view: the trace's receipts, and the server's own account.
    let rows = "return [...document.querySelectorAll('.delivery [data-mark=\"✓\"]')].map((r) => r.dataset.socket).join(',')";
    browser
        .until("three receipts", &format!("{rows} === 'ana,ben,caro'"))
        .await;
    let said = browser
        .js("return document.querySelector('.delivery').textContent")
        .await;
    let said = said.as_str().unwrap();
    let sent = said.split("says it sent it to:").nth(1).unwrap_or_default();
    for name in ["Ana", "Ben", "Caro", "Dana"] {
        assert!(sent.contains(name), "{said}");
    }
    let png = browser.screenshot("web-demo.png").await;
    assert_eq!(browser::png_size(&png), (1280, 720));
    only_from(&browser, &server).await;
    // A second tab is a fifth person.
    let tab = browser.client.new_window(true).await.unwrap();
    browser.client.switch_to_window(tab.handle).await.unwrap();
    open(
        &browser,
        &url,
        "return document.querySelector('main').dataset.beats === '3'",
    )
    .await;
    browser.type_into("#visitor-name", "Eli").await;
    browser.click("form.join button").await;
    let five = "return ['Ana', 'Ben', 'Caro', 'Dana', 'Eli'].every((n) => document.querySelector('.online').textContent.includes(n))";
    browser.until("five people online", five).await;
    // The story goes on with its visitors: the server's account names them, and the
    // judge finds nothing wrong (their tabs are not the lab's to observe).
    beats(&browser, 4..=7).await;
    let bad = browser
        .js("return document.querySelectorAll('.bad').length")
        .await;
    assert_eq!(
        bad,
        0,
        "{}",
        browser.js("return document.body.innerText").await
    );
    let said = browser
        .js("return document.querySelector('.delivery').textContent")
        .await;
    assert!(said.as_str().unwrap().contains("Eli"), "{said}");
    // At the end Next starts the story again, from beat 1, on a fresh lab.
    let label = browser
        .js("return document.querySelector('button.primary').textContent")
        .await;
    assert_eq!(label, "↺ Start again");
    browser.click("button.primary").await;
    let again = "return document.querySelector('main').dataset.beats === '0' && !document.querySelector('[data-person=\"ana\"] .messages li')";
    browser.until("the story from the start", again).await;
    beats(&browser, 1..=1).await;
    let ana = window_has("ana", "Ana joined the chat");
    browser.until("Ana back in her window", &ana).await;
    browser.finish().await;
}

#[test]
fn what_has_no_page_is_refused_in_one_line() {
    use common::Test;
    Test::new().args(&["web", "fanout", "--no-open"]).fails(
        2,
        "error: `fanout` measures and has no page: run it with `socketio-lab run fanout`\n",
    );
    Test::new().args(&["web", "xyzzy", "--no-open"]).fails(
        2,
        "error: unknown lesson `xyzzy` (see `socketio-lab list`)\n",
    );
    Test::new().args(&["demo", "--port", "3000"]).fails(
        2,
        "error: `--port` and `--no-open` are for `socketio-lab demo --web`\n",
    );
    Test::new().args(&["demo", "--web", "--step"]).fails(
        2,
        "error: `--step` is for the terminal demo: the page goes on a click or by itself\n",
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    Test::new()
        .args(&["web", "--no-open", "--port", &port])
        .fails(
            2,
            &format!(
                "error: port {port} is already in use on 127.0.0.1: choose another with `--port`\n"
            ),
        );
}

/// Ctrl-C stops the page's server at once, even with a page still listening to its
/// records (a server waits for its open connections), and exits 0 as `serve` does.
#[test]
fn ctrl_c_stops_the_page_server_with_a_page_open() {
    let mut server = page_server(&["web", "--port", "0"]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let request = "GET /api/lab/demo/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let status = server.wait_exit(Duration::from_secs(10));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{}",
        server.stderr_text()
    );
}

/// One request on a connection of its own (`Connection: close`): the response.
fn exchange(port: u16, request: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

/// Issue 28, item 1: a request that changes a lab (Next) needs the token the page
/// was served with; a plain cross-origin POST, which needs no preflight, is refused,
/// and so is a foreign `Host` (DNS rebinding) on any route.
#[test]
fn a_request_that_changes_the_lab_needs_the_pages_token() {
    let server = page_server(&["web", "rooms", "--port", "0"]);
    let own = format!("127.0.0.1:{}", server.port);
    let page = exchange(
        server.port,
        &format!("GET /lesson/rooms HTTP/1.1\r\nHost: {own}\r\nConnection: close\r\n\r\n"),
    );
    let token = page
        .split("<meta name=\"lab-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no token in the page: {page}"));
    assert_eq!(token.len(), 32, "{token}");
    let next = |extra: &str| {
        exchange(
            server.port,
            &format!(
                "POST /api/lab/rooms/next?after=0 HTTP/1.1\r\nHost: {own}\r\n{extra}\
                 Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let status = |response: &str| response.split(' ').nth(1).unwrap_or("none").to_string();
    let untokened = next("");
    assert_eq!(status(&untokened), "403", "{untokened}");
    assert!(untokened.contains("x-lab-token"), "{untokened}");
    let elsewhere = next(&format!(
        "Origin: https://attacker.example\r\nx-lab-token: {token}\r\n"
    ));
    assert_eq!(status(&elsewhere), "403", "{elsewhere}");
    let tokened = next(&format!("x-lab-token: {token}\r\n"));
    assert_eq!(status(&tokened), "200", "{tokened}");
    let rebound = exchange(
        server.port,
        "GET /api/lessons HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&rebound), "403", "{rebound}");
    assert!(
        rebound
            .to_lowercase()
            .contains("content-security-policy: default-src 'self'"),
        "{rebound}"
    );
}
