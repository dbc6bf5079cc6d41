// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
// The quiz's choices that are handler code.

/// Question `everyone-but-me`, choice 1.
pub mod everyone_but_me_1 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
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

/// Question `everyone-but-me`, choice 2.
pub mod everyone_but_me_2 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("news", &msg).ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
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

/// Question `everyone-but-me`, choice 3.
pub mod everyone_but_me_3 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
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

/// Question `everyone-but-me`, choice 4.
pub mod everyone_but_me_4 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        // shim (Node does this itself): a room named by the socket's id
        socket.join(socket.id);
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(socket: SocketRef, io: SocketIo, Data(msg): Data<String>) {
        io.except(socket.id).emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
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

/// Question `everyone-but-me`, choice 5.
pub mod everyone_but_me_5 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.except("lobby").emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
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

/// Question `answer-the-asker`, choice 1.
pub mod answer_the_asker_1 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
        socket.on("question", on_question);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_question(io: SocketIo, Data(_text): Data<String>) {
        io.emit("reply", &42).await.ok();
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

/// Question `answer-the-asker`, choice 2.
pub mod answer_the_asker_2 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
        socket.on("question", on_question);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_question(socket: SocketRef, Data(_text): Data<String>) {
        socket.emit("reply", &42).ok();
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

/// Question `answer-the-asker`, choice 3.
pub mod answer_the_asker_3 {
    use socketioxide::extract::{AckSender, Data, SocketRef};
    use socketioxide::SocketIo;

    async fn on_connect(socket: SocketRef) {
        socket.on("echo", on_echo);
        socket.on("news", on_news);
        socket.on("typing", on_typing);
        socket.on("join", on_join);
        socket.on("question", on_question);
    }

    async fn on_echo(socket: SocketRef, Data(msg): Data<String>) {
        socket.emit("echo", &msg).ok();
    }

    async fn on_news(io: SocketIo, Data(msg): Data<String>) {
        io.emit("news", &msg).await.ok();
    }

    async fn on_typing(socket: SocketRef, Data(msg): Data<String>) {
        socket.broadcast().emit("typing", &msg).await.ok();
    }

    async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
        socket.join(room.clone());
        ack.send(&"joined").ok();
    }

    async fn on_question(socket: SocketRef, Data(_text): Data<String>) {
        socket.broadcast().emit("reply", &42).await.ok();
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
    ("everyone_but_me_1", everyone_but_me_1::install, &["/"]),
    ("everyone_but_me_2", everyone_but_me_2::install, &["/"]),
    ("everyone_but_me_3", everyone_but_me_3::install, &["/"]),
    ("everyone_but_me_4", everyone_but_me_4::install, &["/"]),
    ("everyone_but_me_5", everyone_but_me_5::install, &["/"]),
    ("answer_the_asker_1", answer_the_asker_1::install, &["/"]),
    ("answer_the_asker_2", answer_the_asker_2::install, &["/"]),
    ("answer_the_asker_3", answer_the_asker_3::install, &["/"]),
];
