//! What `verify` shows: the transcript (as `run`'s: the step's code, the server log,
//! "who received it", expected against observed, ✓ or ✗) and the `--json` document.

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::advice;
use crate::exercise::{Action, Exercise, Step};
use crate::judge::{exercise as judge, name_list};
use crate::paint::Paint;
use crate::safe;
use crate::trace::StepRecord;
use crate::view::{self, rule, wrap, WIDTH};

/// The heading, the goal and where the server is.
pub fn header(exercise: &Exercise, server: &str, paint: Paint) -> String {
    let title = format!("socketio-lab verify · {}", exercise.title);
    let server = safe::text(server);
    view::header_of(&title, &exercise.goal, &server, &exercise.clients, paint)
}

/// The JavaScript a browser client would run for the step.
fn client_code(action: &Action, exercise: &Exercise) -> String {
    let args = |payload: &Option<Value>| {
        payload
            .as_ref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default()
    };
    match action {
        Action::Connect { actors } => {
            let spec = exercise.clients.iter().find(|c| c.name == actors[0]);
            let ns = spec.map(|c| c.namespace.as_str()).unwrap_or("/");
            let auth = spec
                .filter(|c| !c.auth.is_empty())
                .map(|c| format!(", {{ auth: {} }}", Value::Object(c.auth.clone())))
                .unwrap_or_default();
            format!("io(\"{ns}\"{auth})")
        }
        Action::Disconnect { .. } => "socket.disconnect()".to_string(),
        Action::Send { event, payload, .. } => {
            format!("socket.emit({}{})", json!(event), args(payload))
        }
        Action::Ask { event, payload, .. } => format!(
            "socket.emit({}{}, (answer) => …)",
            json!(event),
            args(payload)
        ),
        // Server-side operations: an exercise's validation refuses them.
        Action::Join { .. } | Action::Leave { .. } | Action::Emit { .. } => String::new(),
        Action::Fault { .. } | Action::Redeploy { .. } => String::new(),
    }
}

/// What the step expects, in words.
fn expected(step: &Step) -> Vec<String> {
    let mut lines = Vec::new();
    if let Action::Connect { actors } = &step.action {
        let how = ["accepted", "refused (connect_error)"][usize::from(step.expect.refused)];
        lines.push(format!("{} {how}", name_list(actors)));
    }
    if let Some(r) = &step.expect.receive {
        let with = judge::with_payload(r);
        lines.push(format!(
            "`{}` reaches {}{with}, and no one else",
            r.event,
            name_list(&r.to)
        ));
    }
    if let Action::Ask { .. } = step.action {
        let answer = step
            .expect
            .answer
            .as_ref()
            .map(|a| format!("the answer {a}"))
            .unwrap_or_else(|| "an answer".to_string());
        lines.push(format!("{answer} to the acknowledgement"));
    }
    for line in &step.expect.log {
        lines.push(format!("the server logs `{line}`"));
    }
    lines
}

/// One step: the client's code, the server log, what each client saw, and the verdict.
pub fn step(
    exercise: &Exercise,
    step: &Step,
    record: &StepRecord,
    quiet_ms: u64,
    paint: Paint,
) -> String {
    let total = exercise.steps.len();
    let mut out = String::new();
    let heading = format!("{}/{total}  {}", record.index, step.title);
    let _ = writeln!(out, "{}", rule(&heading, paint));
    let actors = paint.name(&step.action.actors().join(", "));
    let _ = writeln!(out, "  {actors} {}", paint.dim("(client)"));
    let code = client_code(&step.action, exercise);
    let _ = writeln!(out, "    {}", paint.code(&code));
    out.push_str(&view::server_log(record, paint));
    let width = view::name_width_of(&exercise.clients);
    out.push_str(&view::connections(&exercise.clients, record, width, paint));
    if let Action::Ask { actor, .. } = &step.action {
        if let Some(answer) = record.ack_answer() {
            let cell = view::name_cell(actor, width, paint);
            let _ = writeln!(out, "  {cell}{} {answer}", paint.good("got the answer"));
        }
    }
    if matches!(step.action, Action::Send { .. }) || step.expect.receive.is_some() {
        out.push_str(&view::who_received(record, width, paint));
    }
    for line in expected(step) {
        let _ = writeln!(out, "  {} {line}", paint.dim("expected"));
    }
    let problems = judge::problems(record, step);
    for p in &problems {
        let _ = writeln!(out, "  {} {}", paint.bad("✗"), paint.bad(&safe::text(p)));
    }
    if problems.is_empty() {
        for line in judge::confirmations(record, step, quiet_ms) {
            let _ = writeln!(out, "  {} {}", paint.good("✓"), paint.good(&line));
        }
    }
    let _ = writeln!(out);
    out
}

/// The closing lines: the verdict, each failure, a diagnosis of the server, and the
/// hints after a failure.
pub fn summary(
    exercise: &Exercise,
    records: &[StepRecord],
    diagnosis: &[String],
    lang: Option<Lang>,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let failed: Vec<(usize, Vec<String>)> = exercise
        .steps
        .iter()
        .zip(records)
        .map(|(s, r)| (r.index, judge::problems(r, s)))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    let passed = failed.is_empty() && diagnosis.is_empty() && records.len() == exercise.steps.len();
    let title = if passed {
        format!(
            "passed: `{}`, {} steps as expected",
            exercise.id,
            records.len()
        )
    } else {
        format!("not yet: `{}`", exercise.id)
    };
    let _ = writeln!(out, "{}", rule(&title, paint));
    for (index, problems) in failed {
        for p in problems {
            let text = view::led(&format!("✗ step {index}: {}", safe::text(&p)), WIDTH);
            out.push_str(&text.replacen('✗', &paint.bad("✗"), 1));
        }
        let (step, record) = (&exercise.steps[index - 1], &records[index - 1]);
        for line in advice::for_step(exercise, step, record, lang) {
            out.push_str(&view::led(&format!("→ {}", safe::text(&line)), WIDTH));
        }
    }
    for line in diagnosis {
        let _ = writeln!(out, "  {}", safe::text(line));
    }
    if !passed {
        for hint in hints_for(&exercise.hints, lang) {
            let text = wrap(&format!("hint: {hint}"), 2, WIDTH);
            out.push_str(&text);
        }
    }
    out
}

/// The language a learner's server is written in, as far as its command tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    JavaScript,
    Rust,
}

/// `node server.js` is JavaScript, `cargo run` or a `target/` binary Rust; a URL
/// or another command says nothing.
pub fn lang_of(command: &[String]) -> Option<Lang> {
    let program = command.first()?;
    let name = std::path::Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let js_file = |w: &String| {
        [".js", ".mjs", ".cjs", ".ts"]
            .iter()
            .any(|e| w.ends_with(e))
    };
    if ["node", "nodejs", "npm", "npx", "bun", "deno", "nodemon"].contains(&name.as_str())
        || command.iter().any(js_file)
    {
        Some(Lang::JavaScript)
    } else if name == "cargo" || program.contains("target/") {
        Some(Lang::Rust)
    } else {
        None
    }
}

/// The hints in the learner's language: an exercise's Rust hints start with
/// `In Rust:`, the others are about the JavaScript; with no language known, all.
pub fn hints_for(hints: &[String], lang: Option<Lang>) -> Vec<String> {
    const RUST: &str = "In Rust: ";
    let rust: Vec<String> = hints
        .iter()
        .filter_map(|h| h.strip_prefix(RUST).map(str::to_string))
        .collect();
    match lang {
        Some(Lang::JavaScript) => hints
            .iter()
            .filter(|h| !h.starts_with(RUST))
            .cloned()
            .collect(),
        Some(Lang::Rust) if !rust.is_empty() => rust,
        _ => hints.to_vec(),
    }
}

/// Whether the run passed: every step ran and held, and nothing was diagnosed.
pub fn passed(exercise: &Exercise, records: &[StepRecord], diagnosis: &[String]) -> bool {
    diagnosis.is_empty()
        && records.len() == exercise.steps.len()
        && exercise
            .steps
            .iter()
            .zip(records)
            .all(|(s, r)| judge::problems(r, s).is_empty())
}

/// The `--json` document.
pub fn json(
    exercise: &Exercise,
    records: &[StepRecord],
    diagnosis: &[String],
    quiet_ms: u64,
    lang: Option<Lang>,
) -> Value {
    let steps: Vec<Value> = exercise
        .steps
        .iter()
        .zip(records)
        .map(|(s, r)| {
            let problems = judge::problems(r, s);
            let received: serde_json::Map<String, Value> = r
                .present
                .iter()
                .chain(r.delivered_to().iter())
                .map(|n| {
                    let got: Vec<Value> = r.received_by(n).map(|(e, p)| json!([e, p])).collect();
                    (n.clone(), Value::Array(got))
                })
                .collect();
            json!({
                "index": r.index,
                "title": s.title,
                "actors": s.action.actors(),
                "event": s.action.event(),
                "expected": expected(s),
                "received": received,
                "answer": r.ack_answer(),
                "log": r.log_lines(),
                "passed": problems.is_empty(),
                "advice": if problems.is_empty() { Vec::new() } else { advice::for_step(exercise, s, r, lang) },
                "problems": problems,
            })
        })
        .collect();
    json!({
        "exercise": exercise.id,
        "passed": passed(exercise, records, diagnosis),
        "quiet_ms": quiet_ms,
        "diagnosis": diagnosis,
        "steps": steps,
    })
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn hints_follow_the_language_of_the_command() {
        let hints = words(&[
            "use `socket.broadcast.emit`",
            "In Rust: `socket.broadcast()`",
        ]);
        let js = lang_of(&words(&["node", "server.js"]));
        assert_eq!(js, Some(Lang::JavaScript));
        assert_eq!(
            hints_for(&hints, js),
            words(&["use `socket.broadcast.emit`"])
        );
        let rust = lang_of(&words(&["./target/debug/chat"]));
        assert_eq!(rust, Some(Lang::Rust));
        assert_eq!(lang_of(&words(&["cargo", "run"])), Some(Lang::Rust));
        assert_eq!(hints_for(&hints, rust), words(&["`socket.broadcast()`"]));
        assert_eq!(
            hints_for(&hints, lang_of(&words(&["python3", "s.py"]))),
            hints
        );
    }
}
