//! `broadcast`: every message to every other socket (`socket.broadcast()`).

use serde_json::Value;
use socketioxide::extract::{Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns(
        "/",
        super::connected.with(async |socket: SocketRef| {
            socket.on(
                "chat message",
                async |s: SocketRef, Data(msg): Data<Value>| {
                    let _ = s.broadcast().emit("chat message", &msg).await;
                },
            );
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
