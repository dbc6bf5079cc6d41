// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{Data, SocketRef};
use socketioxide::SocketIo;

async fn on_connect(socket: SocketRef) {
    socket.on("chat message", on_chat_message);
    socket.on("node news", on_node_news);
    socket.on("join", on_join);
    socket.on("team news", on_team_news);
}

async fn on_chat_message(socket: SocketRef, Data(msg): Data<String>) {
    socket.broadcast().emit("chat message", &msg).await.ok();
}

async fn on_node_news(io: SocketIo, Data(msg): Data<String>) {
    io.local().emit("news", &msg).await.ok();
}

async fn on_join(socket: SocketRef, Data(room): Data<String>) {
    socket.join(room.clone());
}

async fn on_team_news(io: SocketIo, Data(msg): Data<String>) {
    io.to("team").emit("news", &msg).await.ok();
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
