//! `proof-of-life`: log each connection and each disconnection.

use socketioxide::extract::SocketRef;
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns(
        "/",
        super::connected.with(async |socket: SocketRef| {
            println!("a user connected");
            socket.on_disconnect(async || println!("user disconnected"));
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
