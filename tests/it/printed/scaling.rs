// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
#[allow(unused_imports)]
mod app {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use std::time::Duration;

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
}
pub use app::*;
