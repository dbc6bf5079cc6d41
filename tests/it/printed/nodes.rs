// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{Data, SocketRef};
use socketioxide::SocketIo;

async fn on_connect(socket: SocketRef) {
    socket.on("chat message", on_chat_message);
    socket.on("join", on_join);
    socket.on("to team", on_to_team);
    socket.on("who is here", on_who_is_here);
    socket.on("this node only", on_this_node_only);
}

async fn on_chat_message(io: SocketIo, Data(msg): Data<String>) {
    io.emit("chat message", &msg).await.ok();
}

async fn on_join(socket: SocketRef, Data(room): Data<String>) {
    socket.join(room.clone());
}

async fn on_to_team(io: SocketIo, Data(msg): Data<String>) {
    io.to("team").emit("news", &msg).await.ok();
}

async fn on_who_is_here(io: SocketIo) {
    let count = io.fetch_sockets().await.map(|s| s.len()).unwrap_or(0);
    println!("sockets connected: {count}");
}

async fn on_this_node_only(io: SocketIo, Data(msg): Data<String>) {
    io.local().emit("news", &msg).await.ok();
}

pub fn install(io: &SocketIo) {
    io.ns("/", on_connect);
}

/// The server on a bound listener (`main` runs it; so can a test).
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let (layer, io) = SocketIo::new_layer();
    install(&io);
    let port = listener.local_addr()?.port();
    println!("server running at http://localhost:{port}");
    axum::serve(listener, axum::Router::new().layer(layer)).await
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
}
