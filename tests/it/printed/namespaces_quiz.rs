// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
// The quiz's choices that are handler code.

/// Question `own-what`, choice 5.
pub mod own_what_5 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("team news", on_team_news);
        socket.on("leave own room", on_leave_own_room);
        socket.on("tell team", on_tell_team);
        socket.on("news", on_news);
        socket.on("report", on_report);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_team_news(io: SocketIo, Data(msg): Data<String>) {
        io.to("team").emit("news", &msg).await.ok();
    }

    async fn on_leave_own_room(socket: SocketRef, ack: AckSender) {
        socket.leave(socket.id);
        ack.send(&"left").ok();
    }

    async fn on_tell_team(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        // shim: Node leaves out the sender's own-id room, not the sender: after socket.leave(socket.id) it is reached; socket.to(..) would skip it
        io.of(socket.ns()).unwrap().to("team").except(socket.id).emit("news", &msg).await.ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_report(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("staff only: a valid token is required".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        socket.on("join", admin_on_join);
        socket.on("announce", admin_on_announce);
        socket.on("sign out everywhere", admin_on_sign_out_everywhere);
        socket.on("news", admin_on_news);
    }

    async fn admin_on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn admin_on_announce(io: SocketIo, Data(text): Data<String>) {
        io.of("/").unwrap().emit("announcement", &text).await.ok();
    }

    async fn admin_on_sign_out_everywhere(socket: SocketRef, io: SocketIo) {
        // shim: Node's disconnect(true) closes the whole connection, every namespace's socket on it; socketioxide's disconnect() closes this one
        for ns in io.nsps() {
            if let Some(socket) = ns.get_socket(socket.id) {
                socket.disconnect().ok();
            }
        }
    }

    async fn admin_on_news(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("news", &msg).await.ok();
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `keep-eve-out`, choice 2.
pub mod keep_eve_out_2 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("team news", on_team_news);
        socket.on("leave own room", on_leave_own_room);
        socket.on("tell team", on_tell_team);
        socket.on("news", on_news);
        socket.on("report", on_report);
        socket.on("post secret", on_post_secret);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_team_news(io: SocketIo, Data(msg): Data<String>) {
        io.to("team").emit("news", &msg).await.ok();
    }

    async fn on_leave_own_room(socket: SocketRef, ack: AckSender) {
        socket.leave(socket.id);
        ack.send(&"left").ok();
    }

    async fn on_tell_team(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        // shim: Node leaves out the sender's own-id room, not the sender: after socket.leave(socket.id) it is reached; socket.to(..) would skip it
        io.of(socket.ns()).unwrap().to("team").except(socket.id).emit("news", &msg).await.ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_report(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_post_secret(io: SocketIo, Data(msg): Data<String>) {
        io.to("admin").emit("secret", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("staff only: a valid token is required".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        socket.on("join", admin_on_join);
        socket.on("announce", admin_on_announce);
        socket.on("sign out everywhere", admin_on_sign_out_everywhere);
    }

    async fn admin_on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn admin_on_announce(io: SocketIo, Data(text): Data<String>) {
        io.of("/").unwrap().emit("announcement", &text).await.ok();
    }

    async fn admin_on_sign_out_everywhere(socket: SocketRef, io: SocketIo) {
        // shim: Node's disconnect(true) closes the whole connection, every namespace's socket on it; socketioxide's disconnect() closes this one
        for ns in io.nsps() {
            if let Some(socket) = ns.get_socket(socket.id) {
                socket.disconnect().ok();
            }
        }
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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

/// Question `keep-eve-out`, choice 3.
pub mod keep_eve_out_3 {
    use serde_json::{json, Value};
    use socketioxide::extract::{AckSender, Data, SocketRef, TryData};
    use socketioxide::handler::ConnectHandler;
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("join", on_join);
        socket.on("team news", on_team_news);
        socket.on("leave own room", on_leave_own_room);
        socket.on("tell team", on_tell_team);
        socket.on("news", on_news);
        socket.on("report", on_report);
        socket.on("post secret", on_post_secret);
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_team_news(io: SocketIo, Data(msg): Data<String>) {
        io.to("team").emit("news", &msg).await.ok();
    }

    async fn on_leave_own_room(socket: SocketRef, ack: AckSender) {
        socket.leave(socket.id);
        ack.send(&"left").ok();
    }

    async fn on_tell_team(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        // shim: Node leaves out the sender's own-id room, not the sender: after socket.leave(socket.id) it is reached; socket.to(..) would skip it
        io.of(socket.ns()).unwrap().to("team").except(socket.id).emit("news", &msg).await.ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_report(io: SocketIo, Data(msg): Data<String>) {
        io.of("/admin").unwrap().emit("audit", &msg).await.ok();
    }

    async fn on_post_secret(io: SocketIo, Data(msg): Data<String>) {
        io.emit("admin-secret", &msg).await.ok();
    }

    async fn admin_guard(TryData(auth): TryData<Value>) -> Result<(), String> {
        let auth = auth.unwrap_or_default();
        if auth["token"] != json!("let-me-in") {
            return Err("staff only: a valid token is required".into());
        }
        Ok(())
    }

    async fn admin_on_connect(socket: SocketRef) {
        socket.on("join", admin_on_join);
        socket.on("announce", admin_on_announce);
        socket.on("sign out everywhere", admin_on_sign_out_everywhere);
    }

    async fn admin_on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn admin_on_announce(io: SocketIo, Data(text): Data<String>) {
        io.of("/").unwrap().emit("announcement", &text).await.ok();
    }

    async fn admin_on_sign_out_everywhere(socket: SocketRef, io: SocketIo) {
        // shim: Node's disconnect(true) closes the whole connection, every namespace's socket on it; socketioxide's disconnect() closes this one
        for ns in io.nsps() {
            if let Some(socket) = ns.get_socket(socket.id) {
                socket.disconnect().ok();
            }
        }
    }

    pub fn install(io: &SocketIo) {
        io.ns("/", on_connect);
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
    ("own_what_5", own_what_5::install, &["/", "/admin"]),
    ("keep_eve_out_2", keep_eve_out_2::install, &["/", "/admin"]),
    ("keep_eve_out_3", keep_eve_out_3::install, &["/", "/admin"]),
];
