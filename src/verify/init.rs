//! `verify NAME --init js|rust`: the exercise's starter server, written into a folder
//! without overwriting anything, and what to run next.

use std::path::Path;

use crate::exercise::Exercise;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Js,
    Rust,
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("`{0}` already exists here: remove it or run `--init` in an empty folder")]
    Exists(String),
    #[error("cannot write `{0}`: {1}")]
    Write(String, std::io::Error),
}

/// The Cargo.toml of a Rust starter: the crates the reading's Rust code uses.
fn cargo_toml(id: &str) -> String {
    format!(
        r#"[package]
name = "{id}-server"
version = "0.1.0"
edition = "2021"

[dependencies]
axum = "0.8"
serde_json = "1"
socketioxide = {{ version = "0.18", features = ["extensions", "state"] }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros", "net"] }}
"#
    )
}

/// Writes the starter into `dir`; returns the words that say what was written and
/// what to run next.
pub fn write(exercise: &Exercise, lang: Lang, dir: &Path) -> Result<String, InitError> {
    let id = &exercise.id;
    let files: Vec<(&str, String)> = match lang {
        Lang::Js => vec![("server.js", exercise.starter_js.clone())],
        Lang::Rust => vec![
            ("Cargo.toml", cargo_toml(id)),
            ("src/main.rs", exercise.starter_rust.clone()),
        ],
    };
    if let Some((name, _)) = files.iter().find(|(name, _)| dir.join(name).exists()) {
        return Err(InitError::Exists(name.to_string()));
    }
    for (name, text) in &files {
        let path = dir.join(name);
        let fail = |e| InitError::Write(name.to_string(), e);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::write(&path, text).map_err(fail)?;
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let next = match lang {
        Lang::Js => {
            format!("  npm install socket.io@4\n  socketio-lab verify {id} -- node server.js")
        }
        Lang::Rust => format!("  cargo build\n  socketio-lab verify {id} -- cargo run -q"),
    };
    Ok(format!(
        "wrote {}: the starter for `{id}` ({})\nnext:\n{next}\n",
        names.join(" and "),
        exercise.title
    ))
}
