//! `export`: a lesson's server as a project a learner runs, with Node (`--lang js`)
//! or Cargo (`--lang rust`), the same text the lesson prints. `index.js` is the declared application as `app::js` prints it,
//! inside a complete server (`node:http`, `new Server`, `server.listen` on `PORT`),
//! with one visible line, `instrument(io)`, that lets the lab watch it through
//! `lab-probe.js`, written beside it. `socketio-lab run LESSON --server URL` then runs
//! the lesson's steps against the learner's own copy.

use std::path::{Path, PathBuf};

use crate::app::{js, App};
use crate::lesson::Lesson;

/// The probe: names sockets, answers the sync barrier, and reports what the server
/// did to the lab, by wrapping socket.io's own methods.
pub const PROBE_JS: &str = include_str!("export/lab-probe.js");

/// The version of socket.io the project asks for: the one the Node reference locks.
pub const SOCKET_IO: &str = "^4.8.1";

/// One file of an exported project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: &'static str,
    pub text: String,
}

/// Why a lesson cannot be exported, or its files written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("lesson `{0}` runs the lab's fixed server (format 1): only a lesson that declares its server (format 2) can be exported")]
    NoServer(String),
    #[error("`--choice {0}`: {1}")]
    Choice(String, String),
    #[error("`{}` already exists: export into an empty or new folder (`--dir`)", .0.display())]
    Exists(PathBuf),
    #[error("cannot write `{}`: {}", .0.display(), .1)]
    Write(PathBuf, #[source] std::io::Error),
}

/// The files of the JavaScript project for `lesson`, or for one of its quiz choices
/// that is handler code (`QUESTION:N`, N from 1): the server that choice runs.
pub fn js_project(lesson: &Lesson, choice: Option<&str>) -> Result<Vec<File>, ExportError> {
    let app = app_of(lesson, choice)?;
    let package = serde_json::json!({
        "name": package_name(&lesson.id),
        "private": true,
        "description": format!("The server of the socketio-lab lesson `{}`", lesson.id),
        "main": "index.js",
        "scripts": { "start": "node index.js" },
        "dependencies": { "socket.io": SOCKET_IO },
    });
    Ok(vec![
        File {
            name: "package.json",
            text: format!("{package:#}\n"),
        },
        File {
            name: "index.js",
            text: index_js(lesson, app, choice),
        },
        File {
            name: "lab-probe.js",
            text: PROBE_JS.to_string(),
        },
    ])
}

/// The files of the Rust project for `lesson` (or one of its quiz choices, as
/// [`js_project`] takes it): `Cargo.toml` and `src/main.rs`, the application as the
/// lesson prints it in Rust, the same text `tests/it/printed_rust.rs` compiles.
/// socketioxide offers no way to watch a server from outside its handlers, so this
/// project has no probe: it runs as any socketioxide server does, for your own
/// clients, but `run --server` needs the lab protocol (docs/lab-protocol.md).
pub fn rust_project(lesson: &Lesson, choice: Option<&str>) -> Result<Vec<File>, ExportError> {
    let app = app_of(lesson, choice)?;
    let code = crate::app::rust::module(app, lesson.heartbeat());
    let main = format!(
        "{}// Run it: cargo run (PORT=3000 unless set)\n\n{code}",
        header(lesson, choice, "rust")
    );
    let mut socketioxide = String::from("\"0.18\"");
    if code.contains("socket.extensions") {
        socketioxide = "{ version = \"0.18\", features = [\"extensions\"] }".into();
    }
    let mut dependencies = vec![
        "axum = \"0.8\"".to_string(),
        "serde_json = \"1\"".to_string(),
        format!("socketioxide = {socketioxide}"),
        "tokio = { version = \"1\", features = [\"macros\", \"net\", \"rt-multi-thread\", \"time\"] }"
            .to_string(),
    ];
    if code.contains("use futures_util::") {
        dependencies.insert(0, "futures-util = \"0.3\"".into());
    }
    let manifest = format!(
        "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{}\n",
        package_name(&lesson.id),
        dependencies.join("\n")
    );
    Ok(vec![
        File {
            name: "Cargo.toml",
            text: manifest,
        },
        File {
            name: "src/main.rs",
            text: main,
        },
    ])
}

/// The project's name, for npm and for Cargo alike: `socketio-lab-` and the lesson's
/// id in lowercase letters, digits and `-` (a lesson from `--lessons` is named by its
/// file, which may hold spaces or capitals that neither accepts).
fn package_name(id: &str) -> String {
    let mut name = String::from("socketio-lab");
    for word in id
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        name.push('-');
        name.push_str(&word.to_ascii_lowercase());
    }
    name
}

/// The application an export writes: the lesson's, or a quiz choice's.
fn app_of<'a>(lesson: &'a Lesson, choice: Option<&str>) -> Result<&'a App, ExportError> {
    match choice {
        None => lesson
            .app
            .as_ref()
            .ok_or_else(|| ExportError::NoServer(lesson.id.clone())),
        Some(id) => choice_app(lesson, id),
    }
}

/// The comment lines that open both languages' server file: whose server it is,
/// and the command that wrote it.
fn header(lesson: &Lesson, choice: Option<&str>, lang: &str) -> String {
    let (what, flag) = match choice {
        Some(c) => (format!("quiz choice `{c}` of "), format!(" --choice {c}")),
        None => (String::new(), String::new()),
    };
    format!(
        "// The server of {what}the socketio-lab lesson `{id}`:\n\
         // {title}.\n\
         // Written by `socketio-lab export {id} --lang {lang}{flag}`;\n\
         // the lab prints the same code.\n",
        id = lesson.id,
        title = lesson.title,
    )
}

/// The application a quiz choice runs, by `QUESTION:N`.
fn choice_app<'a>(lesson: &'a Lesson, id: &str) -> Result<&'a App, ExportError> {
    let bad = |why: String| ExportError::Choice(crate::safe::text(id).into_owned(), why);
    let (question, number) = id
        .rsplit_once(':')
        .ok_or_else(|| bad("expected `QUESTION:N`, as in `room-subset:2`".into()))?;
    let q = lesson
        .questions
        .iter()
        .find(|q| q.id == question)
        .ok_or_else(|| {
            let names = lesson.questions.iter().map(|q| q.id.as_str());
            bad(format!(
                "lesson `{}` has no question `{}`{}",
                lesson.id,
                crate::safe::text(question),
                crate::suggest::did_you_mean(question, names)
            ))
        })?;
    let n: usize = number
        .parse()
        .ok()
        .filter(|n| (1..=q.choices.len()).contains(n))
        .ok_or_else(|| {
            bad(format!(
                "question `{question}` has choices 1 to {}",
                q.choices.len()
            ))
        })?;
    q.choices[n - 1]
        .app
        .as_ref()
        .filter(|_| q.choices[n - 1].app.as_ref() != lesson.app.as_ref())
        .ok_or_else(|| {
            bad(format!(
                "choice {n} of `{question}` is not handler code: it runs the lesson's own server"
            ))
        })
}

fn index_js(lesson: &Lesson, app: &App, choice: Option<&str>) -> String {
    let options = match &lesson.network {
        // The lesson's shortened heartbeat: part of its server, as the lesson says.
        Some(n) => format!(
            ", {{ pingInterval: {}, pingTimeout: {} }}",
            n.ping_interval_ms, n.ping_timeout_ms
        ),
        None => String::new(),
    };
    let listen = js::listening(app).unwrap_or_else(|| {
        "server.listen(port, () => {\n  console.log(`listening on *:${server.address().port}`);\n});\n"
            .to_string()
    });
    format!(
        "{header}\
         // Run it: npm install && node index.js (PORT=3000 unless set), then\n\
         // socketio-lab run {id} --server http://localhost:3000\n\
         \n\
         const {{ createServer }} = require(\"node:http\");\n\
         const {{ Server }} = require(\"socket.io\");\n\
         const {{ instrument }} = require(\"./lab-probe\");\n\
         \n\
         const server = createServer();\n\
         const io = new Server(server{options});\n\
         // The lab watches this server through this one call\n\
         // (lab-probe.js): it names each socket, answers the lab's\n\
         // sync barrier and tells the lab what ran.\n\
         instrument(io);\n\
         \n\
         {code}\n\
         const port = Number(process.env.PORT ?? 3000);\n\
         {listen}",
        header = header(lesson, choice, "js"),
        id = lesson.id,
        code = js::app(app),
    )
}

/// Writes `files` into `dir` (made if missing), never over an existing file.
pub fn write(dir: &Path, files: &[File]) -> Result<Vec<PathBuf>, ExportError> {
    for file in files {
        let path = dir.join(file.name);
        if path.exists() {
            return Err(ExportError::Exists(path));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| ExportError::Write(dir.to_path_buf(), e))?;
    let mut written = Vec::new();
    for file in files {
        let path = dir.join(file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ExportError::Write(parent.into(), e))?;
        }
        std::fs::write(&path, &file.text).map_err(|e| ExportError::Write(path.clone(), e))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_project_name_npm_and_cargo_accept() {
        assert_eq!(super::package_name("rooms"), "socketio-lab-rooms");
        assert_eq!(super::package_name("Mon Lab_2"), "socketio-lab-mon-lab-2");
        assert_eq!(super::package_name("é\"]x"), "socketio-lab-x");
    }
}
