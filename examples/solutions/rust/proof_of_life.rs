//! `proof-of-life`: log each connection and each disconnection.

use socketioxide::extract::SocketRef;
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns("/", async |socket: SocketRef| {
        println!("a user connected");
        socket.on_disconnect(async || println!("user disconnected"));
    });
}
