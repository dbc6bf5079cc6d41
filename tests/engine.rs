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
