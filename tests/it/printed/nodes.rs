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

    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("server running at http://localhost:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }
}
pub use app::*;
