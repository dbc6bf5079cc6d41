// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{Data, Event, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;
use std::time::Duration;

// shim: Node reads no event until on_connect ends; socketioxide may
#[derive(Clone, Default)]
struct Connected(tokio::sync::watch::Sender<bool>);

async fn hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
    socket.extensions.insert(Connected::default());
    socket.on("hello", on_hello);
    Ok(())
}

async fn until_connected(socket: &SocketRef) {
    if let Some(Connected(connected)) = socket.extensions.get::<Connected>() {
        connected.subscribe().wait_for(|done| *done).await.ok();
    }
}

async fn on_connect(socket: SocketRef) {
    println!("a user connected");
    if let Some(Connected(connected)) = socket.extensions.get::<Connected>() {
        connected.send_replace(true);
    }
}

async fn on_hello(socket: SocketRef, Data(name): Data<String>) {
    until_connected(&socket).await;
    println!("hello from {name}");
    socket.emit("hi", &name).ok();
}

async fn slow_on_connect(socket: SocketRef) {
    println!("loading the profile");
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("profile loaded");
    socket.on("hello", slow_on_hello);
    socket.on_fallback(slow_on_unhandled);
}

async fn slow_on_hello(socket: SocketRef, Data(name): Data<String>) {
    println!("hello from {name}");
    socket.emit("hi", &name).ok();
}

async fn slow_on_unhandled(Event(event): Event) {
    println!("nobody handles {event}");
}

pub fn install(io: &SocketIo) {
    io.ns("/", on_connect.with(hold_early));
    io.ns("/slow", slow_on_connect);
}

/// The server on a bound listener (`main` runs it; so can a test).
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let (layer, io) = SocketIo::new_layer();
    install(&io);
    let port = listener.local_addr()?.port();
    println!("listening on *:{port}");
    axum::serve(listener, axum::Router::new().layer(layer)).await
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
}
