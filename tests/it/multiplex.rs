//! The vendored client's multiplexing (vendor/rust_socketio/PATCHED.md, change 7) and
//! its buffer for emits before the namespace is accepted (change 8), on the real
//! embedded server: one engine.io connection carries a socket per namespace. Then the
//! namespaces lesson, counted in TCP connections, on both servers.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{established_becomes, established_to, port_of};
use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::{json, Value};
use socketio_lab::engine::{Lab, LabOptions};
use socketio_lab::protocol::{ADMIN_TOKEN, SYNC, WELCOME};
use socketio_lab::server::EmbeddedServer;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

const LIMIT: Duration = Duration::from_secs(5);

/// What one namespace socket's own handlers heard, tagged by kind.
type Heard = UnboundedReceiver<(String, Value)>;

/// A builder for `namespace` whose welcome, errors and closes go to the returned
/// receiver, so that each namespace's handlers can be told apart.
fn builder(url: &str, namespace: &str, auth: Value) -> (ClientBuilder, Heard) {
    let (tx, rx) = unbounded_channel();
    let tell = |kind: &'static str, tx: UnboundedSender<(String, Value)>| {
        move |payload: Payload, _: Client| {
            let value = socketio_lab::client::payload_value(payload);
            let _ = tx.send((kind.to_string(), value));
            async {}.boxed()
        }
    };
    let b = ClientBuilder::new(url)
        .namespace(namespace)
        .auth(auth)
        .transport_type(TransportType::Websocket)
        .reconnect(false)
        .on(WELCOME, tell("welcome", tx.clone()))
        .on(Event::Error, tell("error", tx.clone()))
        .on(Event::Close, tell("close", tx));
    (b, rx)
}

/// How long a receiver must stay empty to count as having heard nothing: far more
/// than a loopback packet takes, even on a loaded machine.
const QUIET: Duration = Duration::from_millis(300);

/// Whether `rx` hears nothing within `QUIET`. Checked at once with `try_recv`, a
/// packet that was on its way would pass unnoticed.
async fn stays_silent<T>(rx: &mut UnboundedReceiver<T>) -> bool {
    tokio::time::timeout(QUIET, rx.recv()).await.is_err()
}

async fn next(heard: &mut Heard) -> (String, Value) {
    tokio::time::timeout(LIMIT, heard.recv())
        .await
        .expect("an event within the limit")
        .expect("the client is still there")
}

/// Emits `lab:sync`: whether the emit was taken, and where its answer will come.
async fn ask_sync(client: &Client) -> (bool, UnboundedReceiver<()>) {
    let (tx, rx) = unbounded_channel();
    let sent = client
        .emit_with_ack(SYNC, json!(null), LIMIT, move |_, _| {
            let _ = tx.send(());
            async {}.boxed()
        })
        .await;
    (sent.is_ok(), rx)
}

/// `lab:sync` answered: the namespace socket works end to end.
async fn synced(client: &Client) -> bool {
    let (sent, mut answer) = ask_sync(client).await;
    sent && tokio::time::timeout(LIMIT, answer.recv()).await.is_ok()
}

/// `name`'s socket on `/`, on a connection of its own.
async fn main_socket(url: &str, name: &str) -> (Client, Heard) {
    let (main, heard) = builder(url, "/", json!({ "name": name }));
    (main.connect().await.unwrap(), heard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_namespaces_share_one_connection_and_hear_only_their_own_packets() {
    let server = EmbeddedServer::start().await.unwrap();
    let port = port_of(&server.url);
    let (main, mut main_heard) = main_socket(&server.url, "alice").await;
    let auth = json!({ "name": "alice-admin", "token": ADMIN_TOKEN });
    let (admin, mut admin_heard) = builder(&server.url, "/admin", auth);
    let admin = admin.connect_shared(&main).await.unwrap();

    // Each namespace's welcome reaches its own handlers, and names its namespace.
    let (kind, welcome) = next(&mut main_heard).await;
    assert_eq!(
        (kind.as_str(), welcome["namespace"].as_str()),
        ("welcome", Some("/"))
    );
    let (kind, welcome) = next(&mut admin_heard).await;
    assert_eq!(
        (kind.as_str(), welcome["namespace"].as_str()),
        ("welcome", Some("/admin"))
    );
    assert!(synced(&main).await && synced(&admin).await);
    assert_eq!(
        established_to(port),
        1,
        "two namespaces, one TCP connection"
    );

    // A refusal in a third socket of the connection is that socket's alone.
    let (eve, mut eve_heard) = builder(&server.url, "/admin", json!({ "name": "eve" }));
    assert!(
        eve.connect_shared(&admin).await.is_err(),
        "one socket per namespace and connection"
    );
    let (lab, mut lab_heard) = builder(&server.url, "/lab", json!({ "name": "lab" }));
    let lab = lab.connect_shared(&main).await.unwrap();
    assert_eq!(next(&mut lab_heard).await.0, "welcome");
    drop(eve_heard.try_recv());

    // One namespace leaves: the connection stays for the others.
    admin.disconnect().await.unwrap();
    assert!(synced(&main).await && synced(&lab).await);
    assert!(
        !synced(&admin).await,
        "a disconnected namespace cannot emit"
    );
    assert!(
        stays_silent(&mut admin_heard).await,
        "leaving is not a close to hear"
    );
    assert_eq!(established_to(port), 1);

    // The last one leaves: the connection closes.
    main.disconnect().await.unwrap();
    assert!(synced(&lab).await, "/lab is still on the connection");
    lab.disconnect().await.unwrap();
    assert_eq!(established_becomes(port, 0, LIMIT), 0);
    assert!(stays_silent(&mut main_heard).await);
    let (late, _) = builder(&server.url, "/", json!({ "name": "late" }));
    assert!(
        late.connect_shared(&lab).await.is_err(),
        "a closed connection takes no new socket"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_namespace_leaves_the_shared_connection_to_the_others() {
    let server = EmbeddedServer::start().await.unwrap();
    let port = port_of(&server.url);
    let (main, mut main_heard) = main_socket(&server.url, "eve").await;
    assert_eq!(next(&mut main_heard).await.0, "welcome");
    let (admin, mut admin_heard) = builder(&server.url, "/admin", json!({ "name": "eve-admin" }));
    let admin = admin.connect_shared(&main).await.unwrap();

    let (kind, error) = next(&mut admin_heard).await;
    assert_eq!(kind, "error");
    assert!(error.to_string().contains("not authorized"), "{error}");
    assert!(
        stays_silent(&mut main_heard).await,
        "/ heard nothing of /admin's refusal"
    );
    assert!(
        synced(&main).await,
        "/ still works after /admin was refused"
    );
    assert!(!synced(&admin).await, "a refused namespace cannot emit");
    // Leaving a refused namespace sends nothing and keeps the connection for `/`.
    admin.disconnect().await.unwrap();
    assert!(synced(&main).await);
    assert_eq!(established_to(port), 1);
    main.disconnect().await.unwrap();
    assert_eq!(established_becomes(port, 0, LIMIT), 0);
    server.stop().await;
}

/// An emit made before the namespace is even asked for waits in the client and goes
/// out once the server accepts the namespace (upstream #230).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emit_before_open_is_sent_once_the_namespace_is_accepted() {
    let server = EmbeddedServer::start().await.unwrap();
    let (main, mut heard) = builder(&server.url, "/", json!({ "name": "carol" }));
    let main = main.build().await.unwrap();
    let (emitted, mut answered) = ask_sync(&main).await;
    assert!(emitted, "buffered, not refused");
    assert!(
        stays_silent(&mut answered).await,
        "nothing is sent before `open`"
    );
    main.open().await.unwrap();
    assert_eq!(next(&mut heard).await.0, "welcome");
    let answer = tokio::time::timeout(LIMIT, answered.recv()).await;
    assert!(answer.is_ok(), "the buffered request was answered");
    main.disconnect().await.unwrap();
    server.stop().await;
}

/// The namespaces lesson, step by step, on the server at `url` (the embedded one when
/// `None`): after every step the server's port holds one established TCP connection
/// per lesson person who is connected, plus the lab's control connection; never one
/// per namespace socket. Read from `/proc/net/tcp`, as `ss -tn` counts them.
async fn one_connection_per_person(url: Option<String>) {
    let lessons = socketio_lab::lesson::embedded().unwrap();
    let lesson = lessons.iter().find(|l| l.id == "namespaces").unwrap();
    let options = LabOptions {
        server_url: url,
        ..LabOptions::default()
    };
    let mut lab = Lab::for_lesson(lesson, &options).await.unwrap();
    let port = port_of(lab.url());
    let mut multiplexed = 0;
    for step in &lesson.steps {
        let record = lab.run_step(step).await.unwrap();
        let people: BTreeSet<&str> = record
            .present
            .iter()
            .map(|name| lesson.client(name).unwrap().connection_name())
            .collect();
        let want = people.len() + 1;
        let seen = established_becomes(port, want, LIMIT);
        assert_eq!(
            seen,
            want,
            "after `{}`: {} sockets of {} people are connected",
            step.title,
            record.present.len(),
            people.len()
        );
        if record.present.len() > people.len() {
            multiplexed += 1;
            assert!(
                record.connections.iter().any(|c| c.sockets.len() > 1),
                "the server reports the shared connection after `{}`",
                step.title
            );
        }
    }
    assert!(
        multiplexed >= 1,
        "the lesson shows a person with two sockets"
    );
    lab.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_namespaces_lesson_holds_one_connection_per_person() {
    one_connection_per_person(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_namespaces_lesson_holds_one_connection_per_person_on_node() {
    let test = "the_namespaces_lesson_holds_one_connection_per_person_on_node";
    if !common::node_ready(test, "socket.io") {
        return;
    }
    let node = common::node_reference().unwrap_or_else(|e| panic!("{e}"));
    one_connection_per_person(Some(node.url())).await;
}
