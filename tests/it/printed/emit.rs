// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
#[allow(unused_imports)]
mod app {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use std::time::Duration;

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
}
pub use app::*;
