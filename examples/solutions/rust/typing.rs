//! `typing`: tell the other sockets who started and who stopped typing.

use serde_json::Value;
use socketioxide::extract::{SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

/// The typist's name comes from the client's `auth.name`, read once per socket.
async fn attach(
    socket: SocketRef,
    TryData(auth): TryData<Value>,
) -> Result<(), std::convert::Infallible> {
    let name: Option<String> = auth.ok().and_then(|a| a["name"].as_str().map(Into::into));
    for event in ["typing", "stop typing"] {
        let name = name.clone();
        socket.on(event, move |s: SocketRef| {
            let name = name.clone();
            async move {
                let _ = s.broadcast().emit(event, &name).await;
            }
        });
    }
    Ok(())
}

pub fn setup(io: &SocketIo) {
    io.ns("/", super::connected.with(attach));
}
