//! The pages' routes, served by the lab server beside its Socket.IO layer: the
//! embedded assets, the lesson list, each lab's records as server-sent events, and
//! the requests a page makes (next step, a visitor's turn). The server's guard
//! (`server::guard`) refuses other origins and hosts and sets the CSP on every
//! response; a request that changes anything must also carry the token the page
//! was served with (`x-lab-token`), which no other page can read.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{oneshot, Mutex};

use super::driver::{self, Command, Handle};
use super::{Site, DEMO};
use crate::engine::LabOptions;
use crate::lesson::Lesson;

/// The files of `web/`, embedded: (name, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css",
        include_bytes!("../../web/style.css"),
    ),
    (
        "app.js",
        "text/javascript",
        include_bytes!("../../web/app.js"),
    ),
    (
        "common.js",
        "text/javascript",
        include_bytes!("../../web/common.js"),
    ),
    (
        "lesson.js",
        "text/javascript",
        include_bytes!("../../web/lesson.js"),
    ),
    (
        "demo.js",
        "text/javascript",
        include_bytes!("../../web/demo.js"),
    ),
    (
        "socket.io.min.js",
        "text/javascript",
        include_bytes!("../../web/vendor/socket.io.min.js"),
    ),
    (
        "socket.io.LICENSE",
        "text/plain; charset=utf-8",
        include_bytes!("../../web/vendor/socket.io.LICENSE"),
    ),
];

const INDEX: &str = include_str!("../../web/index.html");

/// The drivers started so far, by lab name: each page of a lab shares its one run.
pub(crate) type Drivers = Mutex<BTreeMap<String, Handle>>;

pub(crate) fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/demo", get(page))
        .route("/lesson/{name}", get(page))
        .route("/assets/{file}", get(asset))
        .route("/api/lessons", get(lessons))
        .route("/api/lab/{name}", get(meta))
        .route("/api/lab/{name}/events", get(events))
        .route("/api/lab/{name}/next", post(next))
        .route("/api/lab/{name}/restart", post(restart))
        .route("/api/demo/turn", post(turn))
        .fallback(|| async { missing("no such page") })
        .layer(axum::middleware::from_fn_with_state(site.clone(), tokened))
        .with_state(site)
}

/// The header a page's requests carry its token in.
pub const TOKEN_HEADER: &str = "x-lab-token";

/// Anything but a read needs the page's token: an origin check alone lets through a
/// client that sends no `Origin`, and a plain POST needs no preflight.
async fn tokened(State(site): State<Arc<Site>>, request: Request, next: Next) -> Response {
    let reads = [Method::GET, Method::HEAD].contains(request.method());
    let token = request.headers().get(TOKEN_HEADER).map(|v| v.as_bytes());
    if reads || token == Some(site.token.as_bytes()) {
        return next.run(request).await;
    }
    let why = "this request changes the lab and needs the token of a page this server sent (`x-lab-token`): reload the page";
    (StatusCode::FORBIDDEN, Json(json!({ "error": why }))).into_response()
}

fn missing(why: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": why }))).into_response()
}

fn refused(why: String) -> Response {
    (StatusCode::CONFLICT, Json(json!({ "error": why }))).into_response()
}

/// The page, with the token its requests must carry.
async fn page(State(site): State<Arc<Site>>) -> Response {
    let html = header::HeaderValue::from_static("text/html; charset=utf-8");
    let page = INDEX.replace("{{token}}", &site.token);
    ([(header::CONTENT_TYPE, html)], page).into_response()
}

async fn asset(Path(file): Path<String>) -> Response {
    if file == "highlight.css" {
        // The code's colours, from the highlighter's own theme (`highlight`).
        let kind = HeaderValue::from_static("text/css");
        return ([(header::CONTENT_TYPE, kind)], crate::highlight::css()).into_response();
    }
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, kind, bytes)) => {
            let kind = HeaderValue::from_static(kind);
            ([(header::CONTENT_TYPE, kind)], *bytes).into_response()
        }
        None => missing("no such file"),
    }
}

async fn lessons(State(site): State<Arc<Site>>) -> Json<Value> {
    let list: Vec<Value> = site
        .lessons
        .iter()
        .map(|l| json!({ "id": l.id, "title": l.title, "steps": l.steps.len() }))
        .collect();
    Json(json!({ "lessons": list, "demo": site.story.title }))
}

fn lesson_named<'a>(site: &'a Site, name: &str) -> Option<&'a Lesson> {
    match name {
        DEMO => Some(&site.story),
        _ => site.lessons.iter().find(|l| l.id == name),
    }
}

async fn meta(State(site): State<Arc<Site>>, Path(name): Path<String>) -> Response {
    let Some(lesson) = lesson_named(&site, &name) else {
        return missing("no such lesson");
    };
    let clients: Vec<Value> = lesson
        .clients
        .iter()
        .map(|c| json!({ "name": c.name, "namespace": c.namespace }))
        .collect();
    let titles: Vec<&str> = lesson.steps.iter().map(|s| s.title.as_str()).collect();
    Json(json!({
        "id": name,
        "title": lesson.title,
        "intro": lesson.intro,
        "clients": clients,
        "steps": titles,
        "words_per_minute": site.pace.words_per_minute(),
    }))
    .into_response()
}

/// The lab of `name`, started on first use: a lesson on a server of its own (as
/// `run` does), the demo on this very server so that a visitor's tab can join it.
async fn driver_of(site: &Site, name: &str) -> Result<Handle, Response> {
    let Some(lesson) = lesson_named(site, name) else {
        return Err(missing("no such lesson"));
    };
    let mut drivers = site.drivers.lock().await;
    if let Some(handle) = drivers.get(name) {
        return Ok(handle.clone());
    }
    let (options, feed) = if name == DEMO {
        let options = LabOptions {
            timeout: site.timeout,
            server_url: Some(site.url.clone()),
            ..LabOptions::default()
        };
        (options, site.feed.lock().ok().and_then(|mut f| f.take()))
    } else {
        let options = LabOptions {
            timeout: site.timeout,
            server_url: None,
            ..LabOptions::default()
        };
        (options, None)
    };
    match driver::start(lesson.clone(), &options, feed).await {
        Ok(handle) => {
            drivers.insert(name.to_string(), handle.clone());
            Ok(handle)
        }
        Err(e) => Err((
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": e.to_string() })),
        )
            .into_response()),
    }
}

/// Every record so far, then each new one as it is published.
async fn events(State(site): State<Arc<Site>>, Path(name): Path<String>) -> Response {
    let handle = match driver_of(&site, &name).await {
        Ok(handle) => handle,
        Err(response) => return response,
    };
    let mut closing = site.closing.clone();
    let until_closed = async move {
        let _ = closing.wait_for(|closed| *closed).await;
    };
    Sse::new(records(handle).take_until(until_closed))
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn records(handle: Handle) -> impl Stream<Item = Result<Event, Infallible>> {
    let start = (handle.records, 0usize);
    stream::unfold(start, |(mut rx, sent)| async move {
        loop {
            let fresh: Vec<(usize, Arc<str>)> = rx
                .borrow_and_update()
                .iter()
                .filter(|r| r.seq >= sent)
                .map(|r| (r.seq, r.text.clone()))
                .collect();
            if let Some((last, _)) = fresh.last() {
                let sent = last + 1;
                return Some((fresh, (rx, sent)));
            }
            rx.changed().await.ok()?;
        }
    })
    .flat_map(|fresh| {
        stream::iter(
            fresh
                .into_iter()
                .map(|(_, text)| Ok(Event::default().event("record").data(&*text))),
        )
    })
}

#[derive(Deserialize)]
struct NextQuery {
    /// How many records the page has.
    after: Option<usize>,
}

async fn next(
    State(site): State<Arc<Site>>,
    Path(name): Path<String>,
    Query(query): Query<NextQuery>,
) -> Response {
    let handle = match driver_of(&site, &name).await {
        Ok(handle) => handle,
        Err(response) => return response,
    };
    let (reply, answer) = oneshot::channel();
    if !handle
        .ask(Command::Next {
            after: query.after,
            reply,
        })
        .await
    {
        return refused("the lab has stopped".into());
    }
    match answer.await {
        Ok(Ok(())) => Json(json!({ "ok": true })).into_response(),
        Ok(Err(why)) => refused(why),
        Err(_) => refused("the lab has stopped".into()),
    }
}

/// Starts the lab again from its first step, for every page.
async fn restart(State(site): State<Arc<Site>>, Path(name): Path<String>) -> Response {
    let handle = match driver_of(&site, &name).await {
        Ok(handle) => handle,
        Err(response) => return response,
    };
    let (reply, answer) = oneshot::channel();
    if !handle.ask(Command::Restart { reply }).await {
        return refused("the lab has stopped".into());
    }
    match answer.await {
        Ok(Ok(())) => Json(json!({ "ok": true })).into_response(),
        Ok(Err(why)) => refused(why),
        Err(_) => refused("the lab has stopped".into()),
    }
}

#[derive(Deserialize)]
struct TurnRequest {
    name: String,
    joining: bool,
}

async fn turn(State(site): State<Arc<Site>>, Json(request): Json<TurnRequest>) -> Response {
    let handle = match driver_of(&site, DEMO).await {
        Ok(handle) => handle,
        Err(response) => return response,
    };
    let (reply, answer) = oneshot::channel();
    let command = Command::Turn {
        name: request.name,
        joining: request.joining,
        reply,
    };
    if !handle.ask(command).await {
        return refused("the lab has stopped".into());
    }
    match answer.await {
        Ok(Ok(name)) => Json(json!({ "ok": true, "name": name })).into_response(),
        Ok(Err(why)) => refused(why),
        Err(_) => refused("the lab has stopped".into()),
    }
}
