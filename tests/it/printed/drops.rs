// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{Data, SocketRef};
use socketioxide::SocketIo;
use std::time::Duration;

async fn on_connect(socket: SocketRef) {
    println!("a user connected");
    socket.on("join", on_join);
    socket.on("to team", on_to_team);
    socket.on("leave me", on_leave_me);
    socket.on_disconnect(on_disconnect);
}

async fn on_join(socket: SocketRef, Data(room): Data<String>) {
    socket.join(room.clone());
    let mut rooms: Vec<String> = socket.rooms().into_iter().map(String::from)
        .filter(|r| *r != socket.id.as_str()).collect();
    rooms.sort();
    println!("joined {}", rooms.join(", "));
}

async fn on_to_team(socket: SocketRef, Data(msg): Data<String>) {
    socket.to("team").emit("news", &msg).await.ok();
}

async fn on_leave_me(socket: SocketRef) {
    socket.clone().disconnect().ok();
}

async fn on_disconnect() {
    println!("user disconnected");
}

pub fn install(io: &SocketIo) {
    io.ns("/", on_connect);
}

/// The server on a bound listener (`main` runs it; so can a test).
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let (layer, io) = SocketIo::builder()
        .ping_interval(Duration::from_millis(300))
        .ping_timeout(Duration::from_millis(200))
        .build_layer();
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
