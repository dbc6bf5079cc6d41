//! `private-message`: reach one socket by its id. socketioxide keeps no room per
//! socket id (Node does), so the socket is looked up instead.

use serde_json::{json, Value};
use socketioxide::extract::{Data, SocketRef};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

pub fn setup(io: &SocketIo) {
    io.ns(
        "/",
        super::connected.with(async |socket: SocketRef| {
            socket.on(
                "private message",
                async |socket: SocketRef, io: SocketIo, Data(msg): Data<Value>| {
                    let to = msg["to"].as_str().and_then(|id| id.parse().ok());
                    if let Some(target) = to.and_then(|sid| io.get_socket(sid)) {
                        let from = socket.id.to_string();
                        let _ = target.emit(
                            "private message",
                            &json!({ "from": from, "text": msg["text"] }),
                        );
                    }
                },
            );
            Ok::<(), std::convert::Infallible>(())
        }),
    );
}
