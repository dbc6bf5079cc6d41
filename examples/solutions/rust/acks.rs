//! `acks`: answer the client's acknowledgement with twice its number.

use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns("/", async |socket: SocketRef| {
        socket.on("double", async |Data(n): Data<i64>, ack: AckSender| {
            let _ = ack.send(&(n * 2));
        });
    });
}
