// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
#[allow(unused_imports)]
mod app {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        println!("a user connected");
        socket.on("chat message", on_chat_message);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_chat_message(io: SocketIo, Data(msg): Data<String>) {
        println!("message: {msg}");
        io.emit("chat message", &msg).await.ok();
    }

    async fn on_disconnect() {
        println!("user disconnected");
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
