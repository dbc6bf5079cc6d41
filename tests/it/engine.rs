//! The engine's plumbing on the real embedded server.

use std::time::Duration;

use serde_json::{Map, Value};
use socketio_lab::client::{self, Answer, ConnectOutcome};
use socketio_lab::protocol::SYNC;
use socketio_lab::server::EmbeddedServer;
use socketio_lab::trace::Collector;

/// rust_socketio draws acknowledgement ids at random from 0..999 and never forgets one
/// that timed out; unpatched, a later request drawing the same id panicked the client
/// (see vendor/rust_socketio/PATCHED.md). 3000 requests after a stale acknowledgement
/// draw its id with a probability of about 95%.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_after_a_timed_out_acknowledgement_keep_working() {
    {
        let server = EmbeddedServer::start().await.unwrap();
        let (collector, _inbox) = Collector::new();
        let timeout = Duration::from_secs(2);
        let auth = Map::new();
        let outcome = client::connect(&server.url, "bob", "/", &auth, collector, timeout);
        let Ok(ConnectOutcome::Accepted(bob)) = outcome.await else {
            panic!("bob could not connect");
        };
        let silent = bob
            .request("sleepy", Value::Null, Duration::from_millis(50))
            .await;
        assert_eq!(silent, Answer::Silent);
        for i in 0..3000 {
            let answer = bob.request(SYNC, Value::Null, timeout).await;
            assert!(
                matches!(answer, Answer::Reply(_)),
                "request {i} after a stale acknowledgement: {answer:?}"
            );
        }
        let _ = bob.disconnect().await;
        server.stop().await;
    }
}

/// `lab:join` with several rooms puts the socket in every one of them, and
/// `lab:leave` takes it out of the one named: read back from the server's own rooms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_of_several_rooms_joins_each() {
    use socketio_lab::protocol::{Reply, JOIN, LEAVE};
    let server = EmbeddedServer::start().await.unwrap();
    let (collector, _inbox) = Collector::new();
    let timeout = Duration::from_secs(10);
    let auth = Map::new();
    let outcome = client::connect(&server.url, "bob", "/", &auth, collector, timeout);
    let Ok(ConnectOutcome::Accepted(bob)) = outcome.await else {
        panic!("bob could not connect");
    };
    let rooms_after = async |event: &str, rooms: &[&str]| {
        let Answer::Reply(reply) = bob
            .request(event, serde_json::json!({ "rooms": rooms }), timeout)
            .await
        else {
            panic!("no answer to `{event}`");
        };
        let reply: Reply = serde_json::from_value(reply).unwrap();
        let mut rooms = reply.rooms.expect("a join or leave answers with the rooms");
        rooms.sort();
        rooms
    };
    let joined = rooms_after(JOIN, &["kitchen", "garden", "attic"]).await;
    assert_eq!(joined, ["attic", "garden", "kitchen"]);
    let left = rooms_after(LEAVE, &["garden"]).await;
    assert_eq!(left, ["attic", "kitchen"]);
    let _ = bob.disconnect().await;
    server.stop().await;
}
