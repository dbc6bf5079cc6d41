// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::SocketIo;

async fn on_connect(socket: SocketRef) {
    socket.on("echo", on_echo);
    socket.on("news", on_news);
    socket.on("typing", on_typing);
    socket.on("join", on_join);
}

async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
    socket.emit("echo", &msg).ok();
}

async fn on_news(io: SocketIo, Data(msg): Data<String>) {
    io.emit("news", &msg).await.ok();
}

async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
    socket.broadcast().emit("typing", &msg).await.ok();
}

async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
    socket.join(room.clone());
    ack.send(&"joined").ok();
}

pub fn install(io: &SocketIo) {
    io.ns("/", on_connect);
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
