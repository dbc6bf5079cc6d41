// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
// The quiz's choices that are handler code.

/// Question `room-from-socket-or-server`, choice 1.
pub mod room_from_socket_or_server_1 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `room-from-socket-or-server`, choice 2.
pub mod room_from_socket_or_server_2 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `room-from-socket-or-server`, choice 3.
pub mod room_from_socket_or_server_3 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `except`, choice 1.
pub mod except_1 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on("news", on_news);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_news(io: SocketIo) {
        io.to("r1").except("r2").emit("hello", &[(); 0] /* no argument: `&()` would send one null */).await.ok();
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `except`, choice 2.
pub mod except_2 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on("news", on_news);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_news(io: SocketIo) {
        io.to(vec!["r1".to_string(), "r2".to_string()]).emit("hello", &[(); 0] /* no argument: `&()` would send one null */).await.ok();
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `except`, choice 3.
pub mod except_3 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on("news", on_news);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_news(io: SocketIo) {
        io.except("r1").emit("hello", &[(); 0] /* no argument: `&()` would send one null */).await.ok();
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `private-message`, choice 1.
pub mod private_message_1 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((to, msg)): Data<(String, String)>) {
        socket.to(to.clone()).emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `private-message`, choice 2.
pub mod private_message_2 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((_to, msg)): Data<(String, String)>) {
        socket.broadcast().emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Question `private-message`, choice 3.
pub mod private_message_3 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;
    use futures_util::StreamExt;
    use std::time::Duration;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        socket.on("join", on_join);
        socket.on("to me", on_to_me);
        socket.on("to everyone", on_to_everyone);
        socket.on("to the others", on_to_the_others);
        socket.on("to a room", on_to_a_room);
        socket.on("to a room from io", on_to_a_room_from_io);
        socket.on("to two rooms", on_to_two_rooms);
        socket.on("to a room but not another", on_to_a_room_but_not_another);
        socket.on("whisper", on_whisper);
        socket.on("audit", on_audit);
        socket.on("ping", on_ping);
        socket.on("sleepy", on_sleepy);
        socket.on("check in", on_check_in);
        socket.on("roll call", on_roll_call);
        socket.on("move", on_move);
        socket.on("shout", on_shout);
        socket.on_disconnect(on_disconnect);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_to_me(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("hello", &msg).ok();
    }

    async fn on_to_everyone(io: SocketIo, Data(msg): Data<String>) {
        io.emit("hello", &msg).await.ok();
    }

    async fn on_to_the_others(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_from_io(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_to_two_rooms(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("hello", &msg).await.ok();
    }

    async fn on_to_a_room_but_not_another(io: SocketIo, Data((room, other, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(other.clone()).emit("hello", &msg).await.ok();
    }

    async fn on_whisper(socket: SocketRef, Data((_to, msg)): Data<(String, String)>) {
        socket.to("carol").emit("whisper", &msg).await.ok();
    }

    async fn on_audit(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_ping(Data(_msg): Data<String>, ack: AckSender) {
        ack.send(&"pong").ok();
    }

    async fn on_sleepy(Data(_msg): Data<String>) {
    }

    async fn on_check_in(socket: SocketRef) {
        let ack = socket.timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"did you get this?");
        // shim: Node calls back with (err, answer); socketioxide's error is an AckError
        tokio::spawn(async move {
            let answer = match ack {
                Ok(ack) => ack.await.ok(),
                Err(_) => None,
            };
            let err = answer.is_none().then_some("operation has timed out");
            println!("the answer: {}, the error: {}", json!(answer), err.unwrap_or("none"));
        });
    }

    async fn on_roll_call(io: SocketIo, Data((first, second)): Data<(String, String)>) {
        let acks = io.to(vec![first.to_string(), second.to_string()]).timeout(Duration::from_millis(200))
            .emit_with_ack::<_, Value>("confirm", &"everyone there?").await;
        // shim: Node calls back once, (err, answers); socketioxide streams a result per socket
        tokio::spawn(async move {
            let results: Vec<_> = match acks {
                Ok(acks) => acks.collect().await,
                Err(e) => {
                    eprintln!("{e}");
                    Vec::new()
                }
            };
            let err = results.iter().any(|(_, r)| r.is_err()).then_some("operation has timed out");
            let answers: Vec<Value> = results.into_iter().filter_map(|(_, r)| r.ok()).collect();
            println!("the answers: {}, the error: {}", json!(answers), err.unwrap_or("none"));
        });
    }

    async fn on_move(io: SocketIo, Data(pos): Data<Value>) {
        io.volatile().emit("position", &pos).await.ok();
    }

    async fn on_shout(io: SocketIo, Data((name, msg)): Data<(String, String)>) {
        // shim: Node throws on a name Socket.IO keeps; socketioxide would send it
        if ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].contains(&name.as_str()) {
            eprintln!("\"{name}\" is a reserved event name");
            return;
        }
        io.emit(&name, &msg).await.ok();
        println!("shouted {name}");
    }

    async fn on_disconnect() {
        println!("user disconnected");
    }

    // shim: Node reads no event until on_connect ends; socketioxide may
    #[derive(Clone, Default)]
    struct LobbyConnected(tokio::sync::watch::Sender<bool>);

    async fn lobby_hold_early(socket: SocketRef) -> Result<(), std::convert::Infallible> {
        socket.extensions.insert(LobbyConnected::default());
        socket.on("chat message", lobby_on_chat_message);
        Ok(())
    }

    async fn lobby_until_connected(socket: &SocketRef) {
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.subscribe().wait_for(|done| *done).await.ok();
        }
    }

    async fn lobby_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        println!("a user connected");
        if let Some(LobbyConnected(connected)) = socket.extensions.get::<LobbyConnected>() {
            connected.send_replace(true);
        }
    }

    async fn lobby_on_chat_message(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        lobby_until_connected(&socket).await;
        println!("message: {msg}");
        io.of("/lobby").unwrap().emit("chat message", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("not authorized".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
        io.ns("/lobby", lobby_on_connect.with(lobby_hold_early));
        io.ns("/admin", admin_on_connect.with(admin_guard));
    }

    /// The server on a bound listener (`main` runs it; so can a test).
    pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let (layer, io) = SocketIo::new_layer();
        install(&io);
        let port = listener.local_addr()?.port();
        println!("listening on *:{port}");
        axum::serve(listener, axum::Router::new().layer(layer)).await
    }

    #[tokio::main]
    async fn main() -> std::io::Result<()> {
        let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
        serve(tokio::net::TcpListener::bind(("127.0.0.1", port)).await?).await
    }
}

/// Each choice's `install`, with the namespaces it names (not the dynamic ones).
pub const CHOICES: &[super::PrintedChoice] = &[
    ("room_from_socket_or_server_1", room_from_socket_or_server_1::install, &["/", "/lobby", "/admin"]),
    ("room_from_socket_or_server_2", room_from_socket_or_server_2::install, &["/", "/lobby", "/admin"]),
    ("room_from_socket_or_server_3", room_from_socket_or_server_3::install, &["/", "/lobby", "/admin"]),
    ("except_1", except_1::install, &["/", "/lobby", "/admin"]),
    ("except_2", except_2::install, &["/", "/lobby", "/admin"]),
    ("except_3", except_3::install, &["/", "/lobby", "/admin"]),
    ("private_message_1", private_message_1::install, &["/", "/lobby", "/admin"]),
    ("private_message_2", private_message_2::install, &["/", "/lobby", "/admin"]),
    ("private_message_3", private_message_3::install, &["/", "/lobby", "/admin"]),
];
