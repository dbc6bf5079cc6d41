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
    if let Some(nodes) = lesson.nodes {
        out.push_str(&topology(nodes, paint));
    }
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
    out.push_str(&whole_server(lesson, paint));
    out
}

/// The lesson's server, whole, once: the two files `export` writes, every line
/// numbered; each step then shows the lines that ran, with the same numbers.
pub fn whole_server(lesson: &Lesson, paint: Paint) -> String {
    let Some(listing) = crate::listing::Listing::of(lesson) else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n  {} {}",
        paint.dim("code   "),
        paint.dim(&format!(
            "the whole server, as `socketio-lab export {}` writes it",
            lesson.id
        ))
    );
    out.push_str(&super::numbered_file("JS  index.js", &listing.js, paint));
    out.push_str(&super::numbered_file(
        "Rust  src/main.rs",
        &listing.rust,
        paint,
    ));
    out
}

/// A lesson's nodes as deployed: their adapter and the balancer in front, then the
/// balancer's configuration file (its ports as stand-ins), which a learner who deploys
/// writes too.
pub fn topology(nodes: crate::lesson::Nodes, paint: Paint) -> String {
    use crate::lesson::{AdapterKind, Balancer};
    let mut out = String::new();
    let adapter = match nodes.adapter {
        AdapterKind::None => "none: each node knows only its own sockets",
        AdapterKind::Redis => "Redis: every node hears what the others emit",
    };
    let _ = writeln!(
        out,
        "  {} {} nodes, adapter {adapter}",
        paint.dim("nodes  "),
        nodes.count
    );
    let balancer = match nodes.balancer {
        Balancer::None => "none: every client names its node",
        Balancer::RoundRobin => "HAProxy, round robin: each request to the next node",
        Balancer::Sticky => "HAProxy, sticky: a cookie keeps a session on its node",
    };
    let _ = writeln!(out, "  {} {balancer}", paint.dim("balancer"));
    if nodes.balancer != Balancer::None {
        let nodes_ports: Vec<String> = (1..=nodes.count).map(|n| format!("PORT_{n}")).collect();
        let config = crate::topology::haproxy::config(
            nodes.balancer,
            &crate::topology::haproxy::Ports {
                frontend: "PORT",
                nodes: &nodes_ports,
            },
        );
        let _ = writeln!(out, "  {}", paint.dim("haproxy.cfg"));
        for line in config.lines() {
            let _ = writeln!(out, "    {}", paint.code(line));
        }
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
        let place = match c.node {
            Some(node) => format!(", node {node}"),
            None if c.connection.is_none() && clients.iter().any(|c| c.node.is_some()) => {
                ", balancer".to_string()
            }
            None => String::new(),
        };
        let polling = match c.transport {
            crate::lesson::Transport::Polling => ", polling",
            crate::lesson::Transport::Websocket => "",
        };
        let rest = format!(" ({}{shared}{place}{polling}){more}", c.namespace);
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
