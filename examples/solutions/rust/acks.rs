//! `acks`: answer the client's acknowledgement with twice its number.

use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns(
        "/",
        super::connected.with(async |socket: SocketRef| {
            socket.on("double", async |Data(n): Data<i64>, ack: AckSender| {
                let _ = ack.send(&(n * 2));
            });
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
