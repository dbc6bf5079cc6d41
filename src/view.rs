//! Renders a lesson's trace: the live transcript and the `--json` document. Every
//! "who received it" line is read from the step's record (see `trace.rs`).

use std::fmt::Write as _;

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::judge::name_list;
use crate::lesson::{Action, Client, Lesson, Step};
use crate::paint::Paint;
use crate::protocol::AckOutcome;
use crate::safe;
use crate::snippet;
use crate::trace::{Observation, StepRecord};

mod fate;
mod header;
mod links;

use fate::unhandled;
pub use fate::unheard;

pub use header::{header, header_of, opening, startup};

pub const WIDTH: usize = Paint::WIDTH;

pub use crate::layout::wrap;

/// A heading line: `── title ─────`, as wide as the transcript.
/// A line led by a mark (`✗ …`, `→ …`), wrapped to `width`: two columns in, its
/// continuation lines four, past the mark. Plain text only: paint the mark after.
pub fn led(text: &str, width: usize) -> String {
    let wrapped = wrap(text, 4, width);
    match wrapped.strip_prefix("  ") {
        Some(rest) => rest.to_string(),
        None => wrapped,
    }
}

/// `text` wrapped to `width`, its first line indented `first` columns and the others
/// `rest` (a hanging indent: `rest` more than `first`). Plain text only: colour's
/// codes would count as columns, so paint after.
pub fn hang(text: &str, first: usize, rest: usize, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut indent = first;
    for word in text.split_whitespace() {
        if !line.is_empty() && indent + line.width() + 1 + word.width() > width {
            let _ = writeln!(out, "{}{line}", " ".repeat(indent));
            line.clear();
            indent = rest;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{}{line}", " ".repeat(indent));
    }
    out
}

pub fn rule(title: &str, paint: Paint) -> String {
    // A title too long for one line wraps under itself; the rule ends its last line.
    let room = paint.width.saturating_sub(7).max(20);
    let pieces: Vec<String> = if title.width() <= room {
        vec![title.to_string()]
    } else {
        wrap(title, 0, room).lines().map(str::to_string).collect()
    };
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        let lead = if i == 0 {
            paint.dim("──")
        } else {
            "  ".to_string()
        };
        if i + 1 < pieces.len() {
            out.push_str(&format!("{lead} {}\n", paint.bold(piece)));
        } else {
            let tail = "─".repeat(paint.width.saturating_sub(piece.width() + 4).max(3));
            out.push_str(&format!(
                "{lead} {} {}",
                paint.bold(piece),
                paint.dim(&tail)
            ));
        }
    }
    out
}

pub(crate) fn compact(value: &Value) -> String {
    safe::value(value)
}

pub fn server_note(o: &Observation, paint: Paint) -> Option<String> {
    let line = match o {
        Observation::ServerConnect { client, namespace } => format!(
            "{}  {}",
            paint.code("a user connected"),
            paint.dim(&safe::text(&format!("({client} on {namespace})")))
        ),
        Observation::ServerDisconnect {
            client,
            namespace,
            reason,
        } => format!(
            "{}  {}",
            paint.code("user disconnected"),
            paint.dim(&safe::text(&format!("({client} on {namespace}: {reason})")))
        ),
        Observation::ServerRefuse {
            client,
            namespace,
            reason,
        } => format!(
            "{}  {}",
            paint.warn(&safe::text(&format!("refused {client} on {namespace}"))),
            paint.dim(&safe::text(&format!("({reason})")))
        ),
        Observation::ServerLog { text, .. } => paint.code(&safe::line(text)),
        _ => return None,
    };
    Some(line)
}

pub fn name_cell(name: &str, width: usize, paint: Paint) -> String {
    let pad = width.saturating_sub(name.width());
    format!("{}{}", paint.name(name), " ".repeat(pad))
}

/// Column width that fits every client name of the lesson.
pub fn name_width(lesson: &Lesson) -> usize {
    name_width_of(&lesson.clients)
}

/// Column width that fits every name of `clients`.
pub fn name_width_of(clients: &[Client]) -> usize {
    clients.iter().map(|c| c.name.width()).max().unwrap_or(4) + 2
}

/// The delivery table of a step: every present socket, and what it received.
pub fn who_received(record: &StepRecord, width: usize, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}", paint.bold("who received it"));
    let mut last_node = None;
    let mut shown = shown_sockets(record);
    // Stable: lesson order within each node, nodes in order, sockets on none last.
    shown.sort_by_key(|name| record.nodes.get(name).copied().unwrap_or(usize::MAX));
    for name in &shown {
        // With `[nodes]`, the sockets of each node under its name.
        let node = record.nodes.get(name);
        if node.is_some() && node != last_node {
            let _ = writeln!(
                out,
                "    {}",
                paint.dim(&format!("node {}", node.unwrap_or(&0)))
            );
        }
        last_node = node;
        let indent = if node.is_some() { "  " } else { "" };
        let got: Vec<String> = record
            .received_args(name)
            .map(|(event, args)| received_words(event, &args))
            .collect();
        let cell = name_cell(name, width, paint);
        let (mark, what) = if got.is_empty() {
            (paint.dim("·"), paint.dim("nothing"))
        } else {
            (paint.good("✓"), got.join("; "))
        };
        let _ = writeln!(out, "    {indent}{cell}{mark}  {what}");
    }
    out
}

/// The heading of a step: its number out of the lesson's and its title.
pub fn step_rule(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    heading(lesson, step, record.index, paint)
}

fn heading(lesson: &Lesson, step: &Step, index: usize, paint: Paint) -> String {
    let total = lesson.steps.len();
    rule(&format!("{index}/{total}  {}", step.title), paint)
}

/// One step of the live transcript: the code that ran, the server's log, what each
/// client observed, the rooms after it, and the judge's verdict.
pub fn step(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = step_question(lesson, step, record.index, paint);
    out.push_str(&step_answer(lesson, step, record, paint));
    out
}

/// What a step shows before it runs (and before a prediction is asked): its
/// heading, who acts, and the code. `index` is the step's number, 1-based.
pub fn step_question(lesson: &Lesson, step: &Step, index: usize, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(lesson, step, index, paint));
    if let Some(actor) = lesson.client(step.action.actor()) {
        out.push_str(&code(lesson, step, actor, paint));
    }
    out
}

/// The rest of a step, once its traffic is in: the narration, then what was observed.
pub fn step_answer(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    if let Action::Redeploy { .. } = step.action {
        out.push_str(&narration(step, paint));
        if let Some(nodes) = lesson.nodes_at(record.index) {
            out.push_str(&header::topology(nodes, paint));
        }
        out.push_str(&verdict(step, record, paint));
        return out;
    }
    if lesson.client(step.action.actor()).is_none() {
        return out;
    }
    let width = name_width(lesson);
    out.push_str(&narration(step, paint));
    out.push_str(&server_log(record, paint));
    out.push_str(&connections(&lesson.clients, record, width, paint));
    let one = single_answer(lesson, step);
    out.push_str(&outcome(step, record, one, width, paint));
    out.push_str(&room_table(lesson, step, record, paint));
    out.push_str(&verdict(step, record, paint));
    out
}

/// Who acts, and the client and server code of the step.
fn code(lesson: &Lesson, step: &Step, actor: &Client, paint: Paint) -> String {
    let mut out = String::new();
    let code = snippet::code(lesson, step, actor);
    let actors = paint.name(&step.action.actors().join(", "));
    match &code.client {
        Some(client_line) => {
            let _ = writeln!(out, "  {actors} {}", paint.dim("(client)"));
            out.push_str(&code_lines(None, client_line, paint));
            let _ = writeln!(out, "  {}", paint.dim("server"));
        }
        None => {
            let _ = writeln!(out, "  {actors} {}", paint.dim("asks the server to run"));
        }
    }
    match crate::listing::step_numbers(lesson, actor, &code) {
        // Each line numbered by where it stands in the file `export` writes, which
        // the header showed whole.
        Some(numbered) => {
            out.push_str(&code_block(
                Some("JS  index.js"),
                &code.js,
                Some(&numbered.js),
                paint,
            ));
            out.push_str(&code_block(
                Some("Rust  src/main.rs"),
                &code.rust,
                Some(&numbered.rust),
                paint,
            ));
        }
        None => {
            out.push_str(&code_lines(Some("JS  "), &code.js, paint));
            out.push_str(&code_lines(Some("Rust"), &code.rust, paint));
        }
    }
    out
}

/// A whole file, every line numbered, under its label.
pub(crate) fn numbered_file(label: &str, text: &str, paint: Paint) -> String {
    let numbers: Vec<Option<usize>> = (1..=text.lines().count()).map(Some).collect();
    code_block(Some(label), text, Some(&numbers), paint)
}

/// `code`, indented and after its `label`, wrapped between tokens to the width; a
/// continuation is indented two columns past the code's start.
pub(crate) fn code_lines(label: Option<&str>, code: &str, paint: Paint) -> String {
    if code.trim_end().contains('\n') {
        return code_block(label, code, None, paint);
    }
    let (prefix, start) = match label {
        Some(label) => (format!("    {} ", paint.dim(label)), 5 + label.width()),
        None => ("    ".to_string(), 4),
    };
    let room = paint.width.saturating_sub(start);
    let mut out = String::new();
    for (i, piece) in crate::layout::wrap_code(code, room, room.saturating_sub(2), lang(label))
        .iter()
        .enumerate()
    {
        let lead = if i == 0 {
            prefix.to_string()
        } else {
            " ".repeat(start + 2)
        };
        let _ = writeln!(out, "{lead}{}", highlighted(label, piece, paint));
    }
    out
}

/// The language of code shown after `label`: Rust after `Rust`, JavaScript otherwise
/// (a client's line has no label).
fn lang(label: Option<&str>) -> crate::layout::Lang {
    match label.map(str::trim) {
        Some(l) if l.starts_with("Rust") => crate::layout::Lang::Rust,
        _ => crate::layout::Lang::Js,
    }
}

/// A laid-out piece of code, highlighted in its language when colour is on: the
/// label names it (`Rust`; `JS` and a client's line are JavaScript).
fn highlighted(label: Option<&str>, piece: &str, paint: Paint) -> String {
    use crate::highlight::{terminal, Lang};
    if !paint.enabled {
        return piece.to_string();
    }
    match label.map(str::trim) {
        Some(l) if l.starts_with("Rust") => terminal(Lang::Rust, piece),
        _ => terminal(Lang::JavaScript, piece),
    }
}

/// Code of several lines (a declared handler, printed whole): the label on a line
/// of its own, then each line as printed, indented; with `numbers`, each line after
/// its number in the file it comes from (none for a line the file does not hold).
fn code_block(
    label: Option<&str>,
    code: &str,
    numbers: Option<&[Option<usize>]>,
    paint: Paint,
) -> String {
    let mut out = String::new();
    if let Some(label) = label {
        let _ = writeln!(out, "    {}", paint.dim(label.trim_end()));
    }
    // The numbers' column: as wide as the largest, at least 3, then two spaces.
    let digits = numbers
        .into_iter()
        .flatten()
        .flatten()
        .max()
        .map_or(0, |n| n.to_string().len().max(3));
    for (i, line) in code.trim_end().lines().enumerate() {
        // Under a label, two columns past it; a client's lines where its one line goes.
        let base = if label.is_some() { 6 } else { 4 };
        let gutter = match numbers {
            None => " ".repeat(base),
            Some(numbers) => match numbers.get(i).copied().flatten() {
                Some(n) => format!(
                    "{}{}  ",
                    " ".repeat(base - 2),
                    paint.dim(&format!("{n:>digits$}"))
                ),
                None => " ".repeat(base + digits),
            },
        };
        let blank = " ".repeat(if numbers.is_some() {
            base + digits
        } else {
            base
        });
        if line.is_empty() {
            let _ = writeln!(out, "{}", gutter.trim_end());
            continue;
        }
        // A long line wraps between tokens, its continuation four columns further in.
        let body = line.trim_start();
        let indent = line.len() - body.len();
        let lead = blank.len() + indent;
        let room = paint.width.saturating_sub(lead).max(20);
        // A comment is prose: too long, it goes on as more comment lines.
        if let Some(marker) = ["/// ", "// "].into_iter().find(|m| body.starts_with(m)) {
            let text = &body[marker.len()..];
            for (j, piece) in wrap(text, 0, room.saturating_sub(marker.len()))
                .lines()
                .enumerate()
            {
                let piece = format!("{marker}{piece}");
                let first = if j == 0 { &gutter } else { &blank };
                let _ = writeln!(
                    out,
                    "{first}{}{}",
                    " ".repeat(indent),
                    highlighted(label, &piece, paint)
                );
            }
            continue;
        }
        for (j, piece) in crate::layout::wrap_code(body, room, room.saturating_sub(4), lang(label))
            .iter()
            .enumerate()
        {
            let (first, pad) = if j == 0 {
                (&gutter, indent)
            } else {
                (&blank, indent + 4)
            };
            let _ = writeln!(
                out,
                "{first}{}{}",
                " ".repeat(pad),
                highlighted(label, piece, paint)
            );
        }
    }
    out
}

/// The step's narration, set off by blank lines.
fn narration(step: &Step, paint: Paint) -> String {
    let mut out = String::new();
    if !step.narration.is_empty() {
        let _ = writeln!(out);
        out.push_str(&wrap(&step.narration, 2, paint.width));
    }
    let _ = writeln!(out);
    out
}

pub(crate) fn server_log(record: &StepRecord, paint: Paint) -> String {
    if record.declared {
        return declared_server_log(record, paint);
    }
    let mut out = String::new();
    for note in record
        .observations
        .iter()
        .filter_map(|o| server_note(o, paint))
    {
        let _ = writeln!(out, "  {} {note}", paint.dim("server log"));
    }
    out
}

/// The log of a server that runs a declared application: only what its code
/// printed, and the reason it saw for each socket that left.
fn declared_server_log(record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    for o in &record.observations {
        match o {
            Observation::ServerLog { text, node } => {
                let line = paint.code(&safe::line(text));
                // "node 2 log" is as wide as "server log": the lines stay aligned.
                let who = match node {
                    Some(n) if *n < 10 => format!("node {n} log"),
                    _ => "server log".to_string(),
                };
                let _ = writeln!(out, "  {} {line}", paint.dim(&who));
            }
            Observation::ServerDisconnect {
                client,
                namespace,
                reason,
            } => {
                let words = format!("{client} left {namespace}: reason `{reason}`");
                let _ = writeln!(
                    out,
                    "  {} {}",
                    paint.dim("server    "),
                    paint.dim(&safe::text(&words))
                );
            }
            _ => {}
        }
    }
    out
}

/// What each client saw of its own connection.
pub(crate) fn connections(
    clients: &[Client],
    record: &StepRecord,
    width: usize,
    paint: Paint,
) -> String {
    let mut out = String::new();
    for o in &record.observations {
        let (client, what) = match o {
            Observation::Connected { client } => {
                let ns = clients
                    .iter()
                    .find(|c| &c.name == client)
                    .map(|c| c.namespace.as_str())
                    .unwrap_or("/");
                (client, paint.good(&format!("connected to {ns}")))
            }
            Observation::Refused { client, reason } => (
                client,
                format!(
                    "{} {}",
                    paint.warn("connect_error:"),
                    compact(&Value::from(reason.as_str()))
                ),
            ),
            Observation::Closed { client } => (client, "closed its connection".to_string()),
            Observation::DroppedByServer { client } => {
                (client, paint.warn(dropped(record, client)))
            }
            _ => continue,
        };
        let _ = writeln!(out, "  {}{what}", name_cell(client, width, paint));
    }
    out
}

/// How a client's connection ended when the client did not end it, read from the
/// server's reason in the same step: a network that failed (`ping timeout`,
/// `transport close`) is not the server's doing, a kick or an error is.
pub(crate) fn dropped(record: &StepRecord, client: &str) -> &'static str {
    let reason = record.observations.iter().find_map(|o| match o {
        Observation::ServerDisconnect {
            client: c, reason, ..
        } if c == client => Some(reason.as_str()),
        _ => None,
    });
    match reason {
        Some("ping timeout" | "transport close") => "lost its connection",
        _ => "was disconnected by the server",
    }
}

/// What the operation came to, per operation.
/// Whether the callback of the step's declared emit gets one answer, as
/// `socket.emit`'s `(err, answer)` does, rather than a list of them.
fn single_answer(lesson: &Lesson, step: &Step) -> bool {
    let handler = || {
        let app = lesson.app.as_ref()?;
        let client = lesson.client(step.action.actor())?;
        app.namespace(&client.namespace)?
            .handler(step.action.event()?)
    };
    handler().is_some_and(|h| {
        h.ops.iter().any(|op| {
            matches!(op, crate::app::Op::Emit(e)
                if e.callback.is_some() && e.callback_names()[1] == "answer")
        })
    })
}

fn outcome(step: &Step, record: &StepRecord, one: bool, width: usize, paint: Paint) -> String {
    let mut out = String::new();
    match &step.action {
        Action::Join { actor, .. } | Action::Leave { actor, .. } => {
            if let Some(rooms) = record.answer().and_then(|r| r.rooms.as_ref()) {
                let now = if rooms.is_empty() {
                    "no rooms".to_string()
                } else {
                    rooms.join(", ")
                };
                let cell = name_cell(actor, width, paint);
                let _ = writeln!(out, "  {cell}{} {now}", paint.dim("is now in:"));
            }
        }
        Action::Ask { actor, .. } => {
            let cell = name_cell(actor, width, paint);
            if let Some(value) = record.ack_answer() {
                let answer = paint.good("got the answer");
                let _ = writeln!(out, "  {cell}{answer} {}", compact(value));
            } else if let Some(ms) = record.ack_timed_out() {
                let timed_out = format!("no answer within {ms} ms: the acknowledgement timed out");
                let _ = writeln!(out, "  {cell}{}", paint.warn(&timed_out));
            } else {
                out.push_str(&unhandled(record, paint));
            }
        }
        Action::Emit { .. } | Action::Send { .. } => {
            out.push_str(&unhandled(record, paint));
            out.push_str(&who_received(record, width, paint));
            out.push_str(&client_answers(record, width, paint));
            out.push_str(&server_side(step, record, one, width, paint));
        }
        Action::Connect { .. }
        | Action::Disconnect { .. }
        | Action::Fault { .. }
        | Action::Redeploy { .. } => {}
    }
    out
}

mod declared;

pub use crate::view_json::json;

/// What each client's handler answered to the server's acknowledgement request.
fn client_answers(record: &StepRecord, width: usize, paint: Paint) -> String {
    let mut out = String::new();
    for o in &record.observations {
        if let Observation::ClientAcked {
            client,
            value,
            after_ms,
            ..
        } = o
        {
            let when = match after_ms {
                0 => String::new(),
                ms => format!(" after {ms} ms"),
            };
            let what = format!("its handler answered {}{when}", compact(value));
            let _ = writeln!(
                out,
                "  {}{}",
                name_cell(client, width, paint),
                paint.good(&what)
            );
        }
    }
    out
}

/// An event as a client received it: its name, then each argument (`moved
/// "knight" "f3"` is two arguments, `["knight","f3"]` one list), or that it had none.
pub fn received_words(event: &str, args: &[&serde_json::Value]) -> String {
    if args.is_empty() {
        return format!("{} (no arguments)", safe::text(event));
    }
    let shown: Vec<String> = args.iter().map(|a| compact(a)).collect();
    format!("{} {}", safe::text(event), shown.join(" "))
}

/// The server's account of an event: where it sent it, the acknowledgements, a refusal.
fn server_side(step: &Step, record: &StepRecord, one: bool, width: usize, paint: Paint) -> String {
    let mut out = String::new();
    let server = paint.dim("server");
    // An emit the server refused sent nothing: its error line says why.
    let claim = record
        .server_delivered_to()
        .filter(|claim| !(claim.is_empty() && record.emit_refused()));
    if let Some(claim) = claim {
        let event = record.event_name(step);
        // With `[nodes]`, the node whose handler emitted says what it sent its own
        // sockets; the others' come through the adapter.
        let sender = record.observations.iter().find_map(|o| match o {
            Observation::ServerEmitted { client, .. } => record.nodes.get(client),
            _ => None,
        });
        let who = match sender {
            Some(node) => paint.dim(&format!("node {node}")),
            None => server.clone(),
        };
        let _ = writeln!(out, "  {who} sent `{event}` to {}", name_list(&claim));
        if let Some(plain) = record.plain_socketioxide() {
            // The printed Rust's own-id shims make this step Node's; this is what
            // socketioxide without them would have done, on the same rooms.
            let words = format!(
                "plain socketioxide (no own-id rooms) would have sent it to {}",
                name_list(&plain)
            );
            let _ = writeln!(out, "  {} {}", paint.dim("rust  "), paint.dim(&words));
        }
    }
    for (name, outcome) in record.server_acks() {
        let cell = name_cell(&name, width, paint);
        let line = match ack_words(&outcome) {
            (true, words) => paint.good(&words),
            (false, words) => paint.warn(&words),
        };
        let _ = writeln!(out, "  {} {cell}{line}", paint.dim("ack   "));
    }
    out.push_str(&declared::emit_outcomes(record, one, paint));
    if let Some(reply) = record.answer().filter(|r| !r.ok && !r.unhandled) {
        let why = safe::text(reply.error.as_deref().unwrap_or("no reason given"));
        let _ = writeln!(out, "  {server} {}", paint.warn(&format!("refused: {why}")));
    }
    out
}

/// What one recipient did with the server's acknowledgement request, and whether
/// it answered.
pub fn ack_words(outcome: &AckOutcome) -> (bool, String) {
    match (&outcome.value, outcome.error.as_deref()) {
        (Some(v), _) if outcome.answered => (true, format!("acknowledged with {}", compact(v))),
        (_, Some("timeout")) => (
            false,
            "did not acknowledge: the server's wait timed out".into(),
        ),
        (_, Some(e)) => (false, format!("acknowledgement failed: {}", safe::text(e))),
        _ => (false, "did not acknowledge".into()),
    }
}

/// The server's rooms after the step, and its own-id rooms where the step is about them.
fn room_table(lesson: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    // A namespace the declared server never made has no rooms to show: a client
    // asked for it and was refused.
    let declared = |ns: &str| {
        lesson
            .app
            .as_ref()
            .is_none_or(|app| app.namespace(ns).is_some())
    };
    for (ns, rooms) in record.rooms.iter().filter(|(ns, _)| declared(ns)) {
        let listed: Vec<String> = rooms
            .iter()
            .map(|(room, members)| format!("{}: {}", paint.bold(room), members.join(", ")))
            .collect();
        let listed = if listed.is_empty() {
            paint.dim("(no rooms)")
        } else {
            listed.join("  ")
        };
        let _ = writeln!(out, "  {} {:<6} {listed}", paint.dim("rooms "), ns);
    }
    let uses_own_id = step.action.emit().is_some_and(|emit| {
        emit.to
            .iter()
            .chain(&emit.within)
            .chain(&emit.except)
            .any(|r| r.starts_with("id:"))
    });
    out.push_str(&links::connections(record, paint));
    if matches!(step.action, Action::Connect { .. }) || uses_own_id {
        for (ns, names) in &record.own_id_rooms {
            let names = format!("{}  (room name = socket id)", names.join(", "));
            let _ = writeln!(
                out,
                "  {} {:<6} {}",
                paint.dim("own-id"),
                ns,
                paint.dim(&names)
            );
        }
    }
    out
}

/// The judge's word on the step: its problems, or the prediction it confirmed.
fn verdict(step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let problems = record.problems(step);
    for p in &problems {
        let _ = writeln!(out, "  {} {}", paint.bad("✗"), paint.bad(&safe::text(p)));
    }
    if let Some(expect) = step
        .expect
        .delivered_to
        .as_ref()
        .filter(|_| problems.is_empty())
    {
        let mut expect = expect.clone();
        expect.sort();
        let predicted = format!("as the lesson predicted: {}", name_list(&expect));
        let _ = writeln!(out, "  {} {}", paint.good("✓"), paint.good(&predicted));
    }
    out
}

pub fn summary(lesson: &Lesson, records: &[StepRecord], paint: Paint) -> String {
    let failed: Vec<(usize, Vec<String>)> = lesson
        .steps
        .iter()
        .zip(records)
        .map(|(s, r)| (r.index, r.problems(s)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    let mut out = String::new();
    if failed.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            rule(
                &format!(
                    "done: {} steps, all as observed and expected",
                    records.len()
                ),
                paint
            )
        );
    } else {
        let _ = writeln!(
            out,
            "{}",
            rule(
                &format!("done: {} of {} steps failed", failed.len(), records.len()),
                paint
            )
        );
        for (index, problems) in failed {
            for p in problems {
                let _ = writeln!(out, "  {} step {index}: {}", paint.bad("✗"), safe::text(&p));
            }
        }
    }
    out
}

/// The sockets a delivery table lists: the present ones, plus any that received
/// something without being counted as present (a disagreement worth seeing).
pub fn shown_sockets(record: &StepRecord) -> Vec<String> {
    let mut shown: Vec<String> = record.present.clone();
    shown.extend(
        record
            .delivered_to()
            .into_iter()
            .filter(|n| !record.present.contains(n)),
    );
    shown
}

#[cfg(test)]
pub(crate) mod tests;
