// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::SocketIo;

async fn on_connect(socket: SocketRef) {
    // shim (Node does this itself): a room named by the socket's id
    socket.join(socket.id);
    socket.on("join", on_join);
    socket.on("join r1 and r2", on_join_r1_and_r2);
    socket.on("leave", on_leave);
    socket.on("tell", on_tell);
    socket.on("announce", on_announce);
    socket.on("announce in", on_announce_in);
    socket.on("tell two", on_tell_two);
    socket.on("announce except", on_announce_except);
}

async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
    socket.join(room.clone());
    ack.send(&"joined").ok();
}

async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
    socket.join(vec!["r1".to_string(), "r2".to_string()]);
    ack.send(&"joined").ok();
}

async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
    socket.leave(room.clone());
    ack.send(&"left").ok();
}

async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
    socket.to(room.clone()).emit("news", &msg).await.ok();
}

async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
    io.to(room.clone()).emit("news", &msg).await.ok();
}

async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
    io.within(room.clone()).emit("news", &msg).await.ok();
}

async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
    socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
}

async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
    io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
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
