//! Every Rust handler the lessons print, compiled against socketioxide 0.18: a
//! printed line that would not compile fails this test crate's build.
//!
//! `tests/it/printed/*.rs` hold what `app::rust::module` prints for the tutorial chat
//! (what `serve` runs) and for every lesson that declares its server. The first test
//! fails when a file is not what the lessons print today; run it with
//! `SOCKETIO_LAB_PRINT=1` to write them again, then review the diff.

use std::path::PathBuf;

use socketio_lab::app::{self, App};
use socketio_lab::lesson;

// Skipped by rustfmt: each file is exactly what the lab prints. Each is a whole
// program (`export --lang rust` writes it as `src/main.rs`), compiled here as a
// module, where its `main` goes unused.
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/cheatsheet.rs"]
mod cheatsheet;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/drops.rs"]
mod drops;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/early.rs"]
mod early;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/emit.rs"]
mod emit;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/cheatsheet_quiz.rs"]
mod cheatsheet_quiz;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/emit_quiz.rs"]
mod emit_quiz;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/handlers.rs"]
mod handlers;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/handlers_quiz.rs"]
mod handlers_quiz;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/lobby.rs"]
mod lobby;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/lobby_quiz.rs"]
mod lobby_quiz;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/namespaces.rs"]
mod namespaces;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/namespaces_quiz.rs"]
mod namespaces_quiz;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/nodes.rs"]
mod nodes;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/rooms.rs"]
mod rooms;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/scaling.rs"]
mod scaling;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/rooms_quiz.rs"]
mod rooms_quiz;
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "printed/tutorial_chat.rs"]
mod tutorial_chat;

/// A quiz choice's module: its name, its `install`, the namespaces it names.
type PrintedChoice = (
    &'static str,
    fn(&socketioxide::SocketIo),
    &'static [&'static str],
);

/// A lesson's `(pingInterval, pingTimeout)`, when it shortens them.
type Heartbeat = Option<(u64, u64)>;

/// Every application the lab prints Rust for, by file name, with its lesson's
/// heartbeat.
fn printed_apps() -> Vec<(String, App, Heartbeat)> {
    let mut apps = vec![("tutorial_chat".to_string(), app::tutorial_chat(), None)];
    for (id, text) in lesson::EMBEDDED {
        let lesson = lesson::parse(id, id, text).unwrap();
        let heartbeat = lesson.heartbeat();
        // A lesson that runs the tutorial chat prints what `tutorial_chat.rs` holds.
        if let Some(app) = lesson
            .app
            .filter(|app| apps.iter().all(|(_, a, _)| a != app))
        {
            apps.push((id.replace('-', "_"), app, heartbeat));
        }
    }
    apps
}

/// The quiz choices that are handler code, one file per lesson that has any: each
/// choice's application as a module of its own (`QUESTION_N`, N its number), so the
/// Rust the quiz shows for every choice is compiled as the lessons' own is.
fn printed_choices() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (id, text) in lesson::EMBEDDED {
        let lesson = lesson::parse(id, id, text).unwrap();
        let (mut modules, mut installs) = (String::new(), String::new());
        for q in &lesson.questions {
            for (n, choice) in q.choices.iter().enumerate() {
                let Some(app) = &choice.app else { continue };
                let name = format!("{}_{}", q.id.replace('-', "_"), n + 1);
                let code = app::rust::module(app, lesson.heartbeat());
                let body: String = code
                    .lines()
                    .map(|l| match l {
                        "" => "\n".to_string(),
                        l => format!("    {l}\n"),
                    })
                    .collect();
                modules.push_str(&format!(
                    "\n/// Question `{}`, choice {}.\npub mod {name} {{\n{body}}}\n",
                    q.id,
                    n + 1
                ));
                let statics: Vec<String> = app
                    .namespaces
                    .iter()
                    .filter(|ns| ns.dynamic_param().is_none())
                    .map(|ns| format!("{:?}", ns.name))
                    .collect();
                installs.push_str(&format!(
                    "    ({name:?}, {name}::install, &[{}]),\n",
                    statics.join(", ")
                ));
            }
        }
        if !modules.is_empty() {
            modules.push_str(&format!(
                "\n/// Each choice's `install`, with the namespaces it names (not the dynamic ones).\n\
                 pub const CHOICES: &[super::PrintedChoice] = &[\n{installs}];\n"
            ));
            files.push((format!("{}_quiz", id.replace('-', "_")), modules));
        }
    }
    files
}

/// Every file this test compiles, by name, with what it must hold.
fn printed_files() -> Vec<(String, String)> {
    let header =
        "// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.\n";
    let apps = printed_apps().into_iter().map(|(name, app, heartbeat)| {
        (
            name,
            format!("{header}{}", app::rust::module(&app, heartbeat)),
        )
    });
    let choices = printed_choices().into_iter().map(|(name, modules)| {
        (
            name,
            format!("{header}// The quiz's choices that are handler code.\n{modules}"),
        )
    });
    apps.chain(choices).collect()
}

fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/printed")
        .join(format!("{name}.rs"))
}

#[test]
fn the_compiled_files_are_what_the_lessons_print() {
    let rewrite = std::env::var_os("SOCKETIO_LAB_PRINT").is_some();
    let mut stale = Vec::new();
    for (name, printed) in printed_files() {
        let path = file(&name);
        if rewrite {
            std::fs::write(&path, &printed).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(printed.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "not what the lessons print (rerun with SOCKETIO_LAB_PRINT=1 and add the file to this test's modules): {stale:?}"
    );
}

#[test]
fn every_printed_file_is_compiled_here() {
    let source = include_str!("printed_rust.rs");
    for (name, _) in printed_files() {
        assert!(
            source.contains(&format!("#[path = \"printed/{name}.rs\"]")),
            "tests/it/printed/{name}.rs is not compiled: add a `mod` for it"
        );
    }
}

/// The printed code is not only well-typed: it registers its namespaces on a
/// real socketioxide server.
#[tokio::test]
async fn the_printed_apps_install_on_a_server() {
    type Install = fn(&socketioxide::SocketIo);
    let apps: [(Install, &[&str]); 11] = [
        (tutorial_chat::install, &["/"]),
        (drops::install, &["/"]),
        (lobby::install, &["/"]),
        (handlers::install, &["/"]),
        (early::install, &["/", "/slow"]),
        (emit::install, &["/"]),
        (rooms::install, &["/"]),
        (namespaces::install, &["/", "/admin"]),
        (cheatsheet::install, &["/", "/admin"]),
        (nodes::install, &["/"]),
        (scaling::install, &["/"]),
    ];
    let choices = [
        cheatsheet_quiz::CHOICES,
        emit_quiz::CHOICES,
        handlers_quiz::CHOICES,
        lobby_quiz::CHOICES,
        namespaces_quiz::CHOICES,
        rooms_quiz::CHOICES,
    ];
    let choices = choices
        .iter()
        .flat_map(|file| file.iter().map(|(_, install, ns)| (*install, *ns)));
    for (install, namespaces) in apps.into_iter().chain(choices) {
        let (_layer, io) = socketioxide::SocketIo::new_layer();
        install(&io);
        for ns in namespaces {
            assert!(io.of(*ns).is_some(), "`{ns}` is not registered");
        }
    }
}

/// The printed startup serves for real: an engine.io handshake on a loopback port,
/// for each lesson that prints one.
#[tokio::test]
async fn the_printed_startup_serves_the_app() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    handshakes(addr, tokio::spawn(tutorial_chat::serve(listener))).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    handshakes(addr, tokio::spawn(nodes::serve(listener))).await;
}

async fn handshakes(
    addr: std::net::SocketAddr,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let read = stream.read_to_string(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("the server answers within 10 s")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("\"sid\""),
        "an engine.io handshake: {answer}"
    );
    server.abort();
}

/// The early-event shim as printed, run for real: a client emits `hello` before it
/// connects (its library keeps the event until the namespace accepts it). On `/`,
/// whose connection handler does not wait, the held handler answers `hi`, as Node
/// would; on `/slow`, whose connection handler waits 500 ms before attaching
/// anything, the event is lost, as in Node: no `hi` within three times that wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_early_event_shim_hears_what_node_hears() {
    use futures_util::FutureExt;
    use rust_socketio::asynchronous::ClientBuilder;
    use std::time::Duration;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (layer, io) = socketioxide::SocketIo::new_layer();
    early::install(&io);
    let server =
        tokio::spawn(async move { axum::serve(listener, axum::Router::new().layer(layer)).await });
    for (namespace, heard, within) in [("/", true, 5000), ("/slow", false, 1500)] {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let client = ClientBuilder::new(url.as_str())
            .namespace(namespace)
            .transport_type(rust_socketio::TransportType::Websocket)
            .reconnect(false)
            .on("hi", move |_, _| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(());
                }
                .boxed()
            })
            .build()
            .await
            .unwrap();
        client
            .emit("hello", serde_json::json!("ada"))
            .await
            .unwrap();
        client.open().await.unwrap();
        let answered = tokio::time::timeout(Duration::from_millis(within), rx.recv()).await;
        assert_eq!(answered.is_ok(), heard, "`{namespace}`");
        let _ = client.disconnect().await;
    }
    server.abort();
}

/// The printed Rust leaves out the own-id shims wherever it can, so it must carry
/// them wherever the embedded server saw plain socketioxide select other sockets
/// than Node's rule does: a lesson whose module makes no own-id room may never show
/// a step where plain socketioxide would have sent elsewhere.
#[test]
fn every_emit_whose_printed_rust_has_no_shim_reaches_whom_plain_socketioxide_would() {
    let mut wrong = Vec::new();
    let mut shown = 0;
    for (id, text) in lesson::EMBEDDED {
        let lesson = lesson::parse(id, id, text).unwrap();
        let Some(app) = &lesson.app else { continue };
        if lesson.nodes.is_some() {
            continue; // its own tests: several servers, started beside the lab
        }
        let out = crate::common::run(&["run", id, "--json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("`run {id} --json`: {e}"));
        let shimmed = app::rust::module(app, None).contains("socket.join(socket.id);");
        for step in doc["steps"].as_array().unwrap() {
            if step.get("plain_socketioxide").is_some() {
                shown += 1;
                if !shimmed {
                    wrong.push(format!("{id}: {}", step["title"]));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "steps where the unshimmed Rust would deliver otherwise: {wrong:?}"
    );
    // The lobby's game room, the rooms lesson's private message, ...: the check saw some.
    assert!(shown >= 3, "{shown}");
}
