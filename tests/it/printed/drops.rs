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
}
pub use app::*;
