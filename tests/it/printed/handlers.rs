// Printed by `socketio_lab::app::rust::module`; compiled by tests/it/printed_rust.rs.
use serde_json::Value;
use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

/// What the socket keeps for its handlers (Node: `socket.data`).
#[derive(Clone, Default)]
struct SocketData {
    nick: String,
}

async fn on_connect(socket: SocketRef) {
    println!("a user connected");
    let mut data = socket.extensions.get::<SocketData>().unwrap_or_default();
    data.nick = "anonymous".to_string();
    socket.extensions.insert(data);
    socket.on("join", on_join);
    socket.on("move", on_move);
    socket.on("news for both teams", on_news_for_both_teams);
    socket.on("alarm", on_alarm);
    socket.on("nick", on_nick);
    socket.on("say", on_say);
    socket.on("goodbye", on_goodbye);
    socket.on_fallback(on_unhandled);
    socket.on_disconnect(on_disconnect);
}

/// Node's `socket.onAny`: every handler of this namespace calls it first.
async fn on_any(event: &str) {
    println!("in: {event}");
}

async fn on_join(socket: SocketRef, Data(room): Data<String>, ack: AckSender) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("join").await;
    socket.join(room.clone());
    ack.send(&"joined").ok();
}

async fn on_move(socket: SocketRef, Data((piece, square)): Data<(String, String)>) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("move").await;
    socket.broadcast().emit("moved", &(&piece, &square)).await.ok();
}

async fn on_news_for_both_teams(io: SocketIo, Data(msg): Data<String>) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("news for both teams").await;
    io.to("red").to("blue").emit("news", &msg).await.ok();
}

async fn on_alarm(io: SocketIo, Data(msg): Data<String>) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("alarm").await;
    io.to("red").emit("alert", &msg).await.ok();
    io.emit("alert", &msg).await.ok();
}

async fn on_nick(socket: SocketRef, Data(name): Data<String>, ack: AckSender) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("nick").await;
    let mut data = socket.extensions.get::<SocketData>().unwrap_or_default();
    data.nick = name.clone();
    socket.extensions.insert(data);
    ack.send(&"ok").ok();
}

async fn on_say(socket: SocketRef, io: SocketIo, Data(text): Data<String>) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("say").await;
    let data = socket.extensions.get::<SocketData>().unwrap_or_default();
    io.emit("said", &(&data.nick, &text)).await.ok();
}

async fn on_goodbye(socket: SocketRef) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any("goodbye").await;
    println!("showing someone out");
    socket.clone().disconnect().ok();
}

async fn on_unhandled(Event(event): Event) {
    // shim: socketioxide has no `onAny`; each handler calls it first
    on_any(&event).await;
    println!("nobody handles {event}");
}

async fn on_disconnect(socket: SocketRef) {
    // no `disconnecting` in socketioxide: rooms are still readable here
    let mut rooms: Vec<String> = socket.rooms().into_iter().map(String::from)
        .filter(|r| *r != socket.id.as_str()).collect();
    rooms.sort();
    println!("leaving rooms: {}", rooms.join(", "));
    // shim: by "disconnect" Node's socket.rooms is empty; this handler still sees them
    let rooms: Vec<String> = Vec::new();
    println!("user disconnected, in rooms: [{}]", rooms.join(", "));
}

/// What the socket keeps for its handlers (Node: `socket.data`).
#[derive(Clone, Default)]
struct TenantsTenantSocketData {
    team: String,
}

async fn tenants_tenant_guard(socket: SocketRef, TryData(auth): TryData<Value>) -> Result<(), String> {
    let auth = auth.unwrap_or_default();
    let mut data = socket.extensions.get::<TenantsTenantSocketData>().unwrap_or_default();
    data.team = auth["team"].as_str().unwrap_or_default().to_string();
    socket.extensions.insert(data);
    Ok(())
}

async fn tenants_tenant_on_connect(socket: SocketRef) {
    println!("a user connected to {}", socket.ns());
    socket.on("post", tenants_tenant_on_post);
    socket.on("invoice", tenants_tenant_on_invoice);
    socket.on_fallback(tenants_tenant_on_unhandled);
}

/// Node's `socket.use`, which every handler of this namespace calls first.
fn tenants_tenant_packet_middleware(socket: &SocketRef, event: &str) -> Result<(), String> {
    let data = socket.extensions.get::<TenantsTenantSocketData>().unwrap_or_default();
    if ["invoice"].contains(&event) && data.team != "billing" {
        return Err("only billing sends invoices".to_string());
    }
    Ok(())
}

async fn tenants_tenant_on_post(socket: SocketRef, Data(msg): Data<String>) {
    // shim: socketioxide has no `socket.use`; each handler asks first
    if let Err(err) = tenants_tenant_packet_middleware(&socket, "post") {
        println!("{err}");
        return;
    }
    let data = socket.extensions.get::<TenantsTenantSocketData>().unwrap_or_default();
    println!("a post from team {}", data.team);
    socket.broadcast().emit("post", &msg).await.ok();
}

async fn tenants_tenant_on_invoice(socket: SocketRef, Data(number): Data<String>) {
    // shim: socketioxide has no `socket.use`; each handler asks first
    if let Err(err) = tenants_tenant_packet_middleware(&socket, "invoice") {
        println!("{err}");
        return;
    }
    socket.broadcast().emit("invoice", &number).await.ok();
}

async fn tenants_tenant_on_unhandled(socket: SocketRef, Event(event): Event) {
    // shim: socketioxide has no `socket.use`; each handler asks first
    if let Err(err) = tenants_tenant_packet_middleware(&socket, &event) {
        println!("{err}");
    }
}

pub fn install(io: &SocketIo) {
    io.ns("/", on_connect);
    io.dyn_ns("/tenants/{tenant}", tenants_tenant_on_connect.with(tenants_tenant_guard)).expect("a valid pattern");
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
