// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
#[allow(unused_imports)]
mod app {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use std::time::Duration;

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct Connected(tokio::sync::watch::Sender<bool>);

    async fn hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(Connected::default());
        socket.on("hello", on_hello);
        Ok(())
    }

    async fn until_connected(socket: &SocketRef) {
        if let Some(Connected(connected)) = socket.extensions.get::<Connected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn on_connect(socket: SocketRef) {
        println!("a user connected");
        if let Some(Connected(connected)) = socket.extensions.get::<Connected>() {
            connected.send_replace(true);
        }
    }

    async fn on_hello(socket: SocketRef, Data(name): Data<String>) {
        until_connected(&socket).await;
        println!("hello from {name}");
        socket.emit("hi", &name).ok();
    }

    async fn slow_on_connect(socket: SocketRef) {
        println!("loading the profile");
        tokio::time::sleep(Duration::from_millis(500)).await;
        println!("profile loaded");
        socket.on("hello", slow_on_hello);
        socket.on_fallback(slow_on_unhandled);
    }

    async fn slow_on_hello(socket: SocketRef, Data(name): Data<String>) {
        println!("hello from {name}");
        socket.emit("hi", &name).ok();
    }

    async fn slow_on_unhandled(Event(event): Event) {
        println!("nobody handles {event}");
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect.with(hold_early));
        io.ns("/slow", slow_on_connect);
    }
}
pub use app::*;
