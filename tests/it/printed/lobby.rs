// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::SocketIo;

async fn on_connect(socket: SocketRef) {
    // shim (Node does this itself): a room named by the socket's id
    socket.join(socket.id);
    println!("a player connected");
    socket.on("private message", on_private_message);
    socket.on("join game", on_join_game);
    socket.on("announce", on_announce);
    socket.on("start game", on_start_game);
    socket.on_disconnect(on_disconnect);
}

async fn on_private_message(socket: SocketRef, Data((to, text)): Data<(String, String)>) {
    // shim: Node also leaves out the rest of the sender's own-id room
    socket.broadcast().to(to.clone()).except(socket.id).emit("private message", &text).await.ok();
}

async fn on_join_game(socket: SocketRef, Data(game): Data<String>, ack: AckSender) {
    socket.join(game.clone());
    println!("someone joined game room {game}");
    ack.send(&"joined").ok();
}

async fn on_announce(socket: SocketRef, Data(text): Data<String>) {
    // shim: Node also leaves out the rest of the sender's own-id room
    socket.broadcast().to(socket.id).except(socket.id).emit("announcement", &text).await.ok();
}

async fn on_start_game(socket: SocketRef, io: SocketIo) {
    io.to(socket.id).emit("game started", &[(); 0] /* no argument: `&()` would send one null */).await.ok();
}

async fn on_disconnect() {
    println!("a player left");
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
