//! `admin-namespace`: `/` lets everyone in; `/admin` only a socket with the token.

use serde_json::Value;
use socketioxide::extract::TryData;
use socketioxide::handler::ConnectHandler;
use socketioxide::SocketIo;

async fn on_connect() {}

/// Runs before `/admin`'s connection handler; an `Err` is the client's `connect_error`.
async fn token_required(TryData(auth): TryData<Value>) -> Result<(), &'static str> {
    let token = auth
        .ok()
        .and_then(|a| a["token"].as_str().map(str::to_string));
    match token.as_deref() {
        Some("let-me-in") => Ok(()),
        _ => Err("not authorized"),
    }
}

pub fn setup(io: &SocketIo) {
    io.ns("/", on_connect);
    io.ns("/admin", on_connect.with(token_required));
}
