//! `rooms`: join on request (acknowledged), then talk to one room (`io.to(room)`).

use serde_json::Value;
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

/// `join` and `room message`, shared with `leave`.
pub fn handlers(socket: &SocketRef) {
    socket.on(
        "join",
        async |socket: SocketRef, Data(room): Data<String>, ack: AckSender| {
            socket.join(room);
            let _ = ack.send(&true);
        },
    );
    socket.on(
        "room message",
        async |io: SocketIo, Data(msg): Data<Value>| {
            let room = msg["room"].as_str().unwrap_or_default().to_string();
            let _ = io.to(room).emit("room message", &msg["text"]).await;
        },
    );
}

pub fn setup(io: &SocketIo) {
    io.ns(
        "/",
        super::connected.with(async |socket: SocketRef| {
            handlers(&socket);
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
