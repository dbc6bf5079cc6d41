//! Reference solutions of the `socketio-lab verify` exercises on socketioxide 0.18:
//! one program (one cargo example, so CI links it once), the exercise named by its
//! first argument, listening on 127.0.0.1 at `PORT` (3000 by hand).
//!
//!     cargo build --example solutions
//!     socketio-lab verify rooms -- target/debug/examples/solutions rooms

mod acks;
mod admin_namespace;
mod broadcast;
mod chat;
mod leave;
mod private_message;
mod proof_of_life;
mod rooms;
mod typing;

use socketioxide::SocketIo;

/// The connect handler of every solution: empty, since each attaches its event
/// handlers in a middleware (`connected.with(attach)`). socketioxide 0.18 answers a
/// namespace's CONNECT first and runs the connect handler after, on a task of its
/// own: an event a client sends as soon as it is accepted can arrive before that
/// task has attached `socket.on(..)`, and is dropped (Node runs the handler before it
/// reads the next packet). A middleware runs before the answer, so nothing is missed.
pub async fn connected() {}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let exercise = std::env::args().nth(1).unwrap_or_default();
    let (layer, io) = SocketIo::new_layer();
    let setup: fn(&SocketIo) = match exercise.as_str() {
        "proof-of-life" => proof_of_life::setup,
        "chat" => chat::setup,
        "broadcast" => broadcast::setup,
        "rooms" => rooms::setup,
        "leave" => leave::setup,
        "private-message" => private_message::setup,
        "admin-namespace" => admin_namespace::setup,
        "acks" => acks::setup,
        "typing" => typing::setup,
        other => {
            eprintln!("unknown exercise `{other}` (see `socketio-lab verify --list`)");
            std::process::exit(2);
        }
    };
    setup(&io);
    let app = axum::Router::new().layer(layer);
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_string());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
