//! A transcript's opening: the heading, the intro, the server and the clients.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::{code_lines, rule, wrap};
use crate::app::{self, App};
use crate::lesson::{Client, Lesson};
use crate::paint::Paint;

/// A transcript's first lines: its heading, the wrapped intro and a blank line.
pub fn opening(title: &str, intro: &str, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", rule(title, paint));
    out.push_str(&wrap(intro, 2, paint.width));
    let _ = writeln!(out);
    out
}

pub fn header(lesson: &Lesson, server: &str, paint: Paint) -> String {
    let title = format!("socketio-lab · {}", lesson.title);
    let mut out = header_of(&title, &lesson.intro, server, &lesson.clients, paint);
    if let Some(n) = lesson.network {
        // The timers the lesson runs, from its `[network]` table, in the options'
        // own names (the server's, then the client's).
        let _ = writeln!(
            out,
            "  {} pingInterval {} ms, pingTimeout {} ms, reconnectionDelay {} ms\n          \
             each client's connection goes through a proxy on 127.0.0.1",
            paint.dim("network"),
            n.ping_interval_ms,
            n.ping_timeout_ms,
            n.reconnection_delay_ms
        );
    }
    out
}

/// A heading, its paragraph, the server and the clients (lessons and exercises).
pub fn header_of(
    title: &str,
    intro: &str,
    server: &str,
    clients: &[Client],
    paint: Paint,
) -> String {
    let mut out = opening(title, intro, paint);
    let _ = writeln!(out, "  {} {server}", paint.dim("server "));
    // Laid out by hand: `wrap` would count the colour codes of the names as columns.
    let label = "  clients ";
    let mut line = 0;
    for (i, c) in clients.iter().enumerate() {
        let shared = match &c.connection {
            Some(first) => format!(", on {first}'s connection"),
            None => String::new(),
        };
        let more = if i + 1 < clients.len() { "," } else { "" };
        let rest = format!(" ({}{shared}){more}", c.namespace);
        let width = c.name.width() + rest.width();
        if i == 0 {
            let _ = write!(out, "  {} ", paint.dim("clients"));
            line = label.len();
        } else if line + 1 + width > paint.width {
            let _ = write!(out, "\n{}", " ".repeat(label.len()));
            line = label.len();
        } else {
            out.push(' ');
            line += 1;
        }
        let _ = write!(out, "{}{rest}", paint.name(&c.name));
        line += width;
    }
    out.push('\n');
    out
}

/// The declared application starting: the code that logs its startup line, then the
/// line as the server logged it (`logged`, its port masked unless asked).
pub fn startup(app: &App, logged: &str, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{}", rule("the server starts", paint));
    let _ = writeln!(out, "  {}", paint.dim("server"));
    if let (Some(js), Some(rust)) = (app::js::listening(app), app::rust::listening(app)) {
        out.push_str(&code_lines(Some("JS  "), &js, paint));
        out.push_str(&code_lines(Some("Rust"), &rust, paint));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {} {}",
        paint.dim("server log"),
        crate::safe::capped(logged)
    );
    out
}
