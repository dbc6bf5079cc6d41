//! `leave`: leave one room on request; on the way out, tell every room it was in.

use serde_json::Value;
use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns(
        "/",
        super::connected.with(async |socket: SocketRef, TryData(auth): TryData<Value>| {
            let name = auth
                .ok()
                .and_then(|a| a["name"].as_str().map(str::to_string));
            super::rooms::handlers(&socket);
            socket.on(
                "leave",
                async |socket: SocketRef, Data(room): Data<String>, ack: AckSender| {
                    socket.leave(room);
                    let _ = ack.send(&true);
                },
            );
            // socketioxide removes the socket from its rooms after this handler, so
            // `rooms()` still lists them here (Node's `disconnecting`).
            socket.on_disconnect(async move |socket: SocketRef| {
                let rooms = socket.rooms();
                let _ = socket.to(rooms).emit("left", &name).await;
            });
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
