// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
#[allow(unused_imports)]
mod app {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).unwrap_or_else(|e| eprintln!("{e}"));
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.unwrap_or_else(|e| eprintln!("{e}"));
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        // shim: Node also leaves out the rest of the sender's own-id room
        socket.broadcast().except(socket.id).emit("typing", &msg).await.unwrap_or_else(|e| eprintln!("{e}"));
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").unwrap_or_else(|e| eprintln!("{e}"));
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
    }
}
pub use app::*;
