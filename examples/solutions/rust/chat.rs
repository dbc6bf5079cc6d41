//! `chat`: every message to every socket, the sender included (`io.emit`).

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
                async |io: SocketIo, Data(msg): Data<Value>| {
                    let _ = io.emit("chat message", &msg).await;
                },
            );
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
