// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
// The quiz's choices that are handler code.

/// Question `room-subset`, choice 1.
pub mod room_subset_1 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("join r1 and r2", on_join_r1_and_r2);
        socket.on("leave", on_leave);
        socket.on("tell", on_tell);
        socket.on("announce", on_announce);
        socket.on("announce in", on_announce_in);
        socket.on("tell two", on_tell_two);
        socket.on("announce except", on_announce_except);
        socket.on("move", on_move);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
        socket.join(vec!["r1".to_string(), "r2".to_string()]);
        ack.send(&"joined").ok();
    }

    async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.leave(room.clone());
        ack.send(&"left").ok();
    }

    async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
    }

    async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
    }

    async fn on_move(io: SocketIo, Data(square): Data<String>) {
        io.to("game-1").emit("move", &square).await.ok();
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `room-subset`, choice 2.
pub mod room_subset_2 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("join r1 and r2", on_join_r1_and_r2);
        socket.on("leave", on_leave);
        socket.on("tell", on_tell);
        socket.on("announce", on_announce);
        socket.on("announce in", on_announce_in);
        socket.on("tell two", on_tell_two);
        socket.on("announce except", on_announce_except);
        socket.on("move", on_move);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
        socket.join(vec!["r1".to_string(), "r2".to_string()]);
        ack.send(&"joined").ok();
    }

    async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.leave(room.clone());
        ack.send(&"left").ok();
    }

    async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
    }

    async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
    }

    async fn on_move(io: SocketIo, Data(square): Data<String>) {
        io.emit("move", &square).await.ok();
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `room-subset`, choice 3.
pub mod room_subset_3 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("join r1 and r2", on_join_r1_and_r2);
        socket.on("leave", on_leave);
        socket.on("tell", on_tell);
        socket.on("announce", on_announce);
        socket.on("announce in", on_announce_in);
        socket.on("tell two", on_tell_two);
        socket.on("announce except", on_announce_except);
        socket.on("move", on_move);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
        socket.join(vec!["r1".to_string(), "r2".to_string()]);
        ack.send(&"joined").ok();
    }

    async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.leave(room.clone());
        ack.send(&"left").ok();
    }

    async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
    }

    async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
    }

    async fn on_move(socket: SocketRef, Data(square): Data<String>) {
        socket.broadcast().emit("move", &square).await.ok();
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `joining`, choice 1.
pub mod joining_1 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("join r1 and r2", on_join_r1_and_r2);
        socket.on("leave", on_leave);
        socket.on("tell", on_tell);
        socket.on("announce", on_announce);
        socket.on("announce in", on_announce_in);
        socket.on("tell two", on_tell_two);
        socket.on("announce except", on_announce_except);
        socket.on("follow", on_follow);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
        socket.join(vec!["r1".to_string(), "r2".to_string()]);
        ack.send(&"joined").ok();
    }

    async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.leave(room.clone());
        ack.send(&"left").ok();
    }

    async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
    }

    async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
    }

    async fn on_follow(socket: SocketRef, Data(room): Data<String>) {
        socket.join(room.clone());
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `joining`, choice 2.
pub mod joining_2 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("join r1 and r2", on_join_r1_and_r2);
        socket.on("leave", on_leave);
        socket.on("tell", on_tell);
        socket.on("announce", on_announce);
        socket.on("announce in", on_announce_in);
        socket.on("tell two", on_tell_two);
        socket.on("announce except", on_announce_except);
        socket.on("follow", on_follow);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
        socket.join(vec!["r1".to_string(), "r2".to_string()]);
        ack.send(&"joined").ok();
    }

    async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.leave(room.clone());
        ack.send(&"left").ok();
    }

    async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
    }

    async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
    }

    async fn on_follow(Data(room): Data<String>) {
        println!("follows {room}");
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `joining`, choice 3.
pub mod joining_3 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("join r1 and r2", on_join_r1_and_r2);
        socket.on("leave", on_leave);
        socket.on("tell", on_tell);
        socket.on("announce", on_announce);
        socket.on("announce in", on_announce_in);
        socket.on("tell two", on_tell_two);
        socket.on("announce except", on_announce_except);
        socket.on("follow", on_follow);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_join_r1_and_r2(socket: SocketRef, ack: AckSender) {
        socket.join(vec!["r1".to_string(), "r2".to_string()]);
        ack.send(&"joined").ok();
    }

    async fn on_leave(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.leave(room.clone());
        ack.send(&"left").ok();
    }

    async fn on_tell(socket: SocketRef, Data((room, msg)): Data<(String, String)>) {
        socket.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.to(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_announce_in(io: SocketIo, Data((room, msg)): Data<(String, String)>) {
        io.within(room.clone()).emit("news", &msg).await.ok();
    }

    async fn on_tell_two(socket: SocketRef, Data((first, second, msg)): Data<(String, String, String)>) {
        socket.to(vec![first.to_string(), second.to_string()]).emit("news", &msg).await.ok();
    }

    async fn on_announce_except(io: SocketIo, Data((room, skip, msg)): Data<(String, String, String)>) {
        io.to(room.clone()).except(skip.clone()).emit("news", &msg).await.ok();
    }

    async fn on_follow(socket: SocketRef, Data(room): Data<String>) {
        socket.to(room.clone()).emit("following", &room).await.ok();
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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
    ("room_subset_1", room_subset_1::install, &["/"]),
    ("room_subset_2", room_subset_2::install, &["/"]),
    ("room_subset_3", room_subset_3::install, &["/"]),
    ("joining_1", joining_1::install, &["/"]),
    ("joining_2", joining_2::install, &["/"]),
    ("joining_3", joining_3::install, &["/"]),
];
