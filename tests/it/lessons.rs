//! Every embedded lesson, run for real on the embedded server: its transcript and its
//! `--json` are snapshotted, and the lesson must pass.

use crate::common;

use common::{run, settings, stderr, stdout};
use socketio_lab::lesson::{Action, EMBEDDED};

fn transcript(id: &str) -> String {
    let out = run(&["run", id, "--color", "never"]);
    assert!(
        out.status.success(),
        "`run {id}` failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn json(id: &str) -> serde_json::Value {
    let out = run(&["run", id, "--json"]);
    assert!(
        out.status.success(),
        "`run {id} --json` failed:\n{}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints one JSON document")
}

#[test]
fn every_lesson_file_is_embedded() {
    let mut on_disk: Vec<String> = std::fs::read_dir(common::repo().join("lessons"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "toml")
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = EMBEDDED.iter().map(|(id, _)| id.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "lessons/ and lesson::EMBEDDED disagree");
}

/// One test per lesson, so that one failing lesson does not hide the others.
macro_rules! lesson_snapshots {
    ($($id:ident),* $(,)?) => {
        const SNAPSHOTTED: &[&str] = &[$(stringify!($id)),*];
        $(
            mod $id {
                use super::*;

                #[test]
                fn transcript() {
                    let id = stringify!($id);
                    settings().bind(|| insta::assert_snapshot!(format!("run_{id}"), super::transcript(id)));
                }

                #[test]
                fn json() {
                    let id = stringify!($id);
                    let doc = serde_json::to_string_pretty(&super::json(id)).unwrap();
                    settings().bind(|| insta::assert_snapshot!(format!("json_{id}"), doc));
                }
            }
        )*
    };
}

lesson_snapshots!(
    chat, emit, rooms, namespaces, cheatsheet, lobby, handlers, early, drops, scaling, nodes
);

#[test]
fn every_embedded_lesson_is_snapshotted() {
    let embedded: Vec<&str> = EMBEDDED.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        embedded, SNAPSHOTTED,
        "add the lesson to `lesson_snapshots!`"
    );
}

#[test]
fn bob_in_two_rooms_receives_once() {
    let doc = json("rooms");
    let step = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Two rooms at once")
        .expect("the rooms lesson has its two-rooms step");
    let delivered: Vec<&str> = step["delivered_to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(delivered.iter().filter(|n| **n == "bob").count(), 1);
    assert_eq!(delivered, ["bob", "carol", "dave"]);
    assert_eq!(
        step["rooms"]["/"]["r1"],
        serde_json::json!(["alice", "bob", "carol"])
    );
}

#[test]
fn transcripts_are_stable() {
    // Three runs in a row, in parallel with the other tests: byte-identical.
    let first = transcript("rooms");
    for _ in 0..2 {
        assert_eq!(transcript("rooms"), first);
    }
}

use std::time::Duration;

const MARGIN: Duration = Duration::from_millis(30);
/// Runs of a lesson at most: a step fails only when it is over in every one.
const RUNS: usize = 3;

/// Each step's time in one run of `lesson`.
async fn step_times(lesson: &socketio_lab::lesson::Lesson) -> Vec<Duration> {
    use socketio_lab::engine::{Lab, LabOptions};
    let mut lab = Lab::for_lesson(lesson, &LabOptions::default())
        .await
        .expect("the lab starts");
    let mut times = Vec::new();
    for step in &lesson.steps {
        let started = std::time::Instant::now();
        lab.run_step(step).await.expect("the step runs");
        times.push(started.elapsed());
    }
    lab.finish().await;
    times
}

/// What a step may take: what the lesson declares it waits, plus `MARGIN` for the
/// step and for each actor past the first of a `connect` or `disconnect` (each
/// actor's connection is a handshake of its own). `None` for a step that sends a
/// generated megabyte (`payload_bytes`): writing and reading it costs CPU, most of
/// all in a debug build, and is no wait. `None` too for a `redeploy` (it starts
/// servers and a balancer) and for a step whose actor uses long-polling, where each
/// packet waits for the next poll (40 to 200 ms a step, by design).
fn allowed(lesson: &socketio_lab::lesson::Lesson, i: usize) -> Option<Duration> {
    let step = &lesson.steps[i];
    let polling = |name: &String| {
        lesson
            .client(name)
            .is_some_and(|c| c.transport == socketio_lab::lesson::Transport::Polling)
    };
    if matches!(step.action, Action::Redeploy { .. }) || step.action.actors().iter().any(polling) {
        return None;
    }
    if matches!(
        step.action,
        Action::Send {
            payload_bytes: Some(_),
            ..
        }
    ) {
        return None;
    }
    let actors = step.action.actors().len().max(1) as u32;
    Some(lesson.declared_wait(step) + MARGIN * actors)
}

/// A step ends when its traffic has been observed: on loopback that is a few
/// milliseconds beyond what the lesson declares it waits (a slow handler, a late
/// answer, a timeout). A constant ~40 ms is Nagle's algorithm meeting a delayed ACK
/// on a connection without TCP_NODELAY, and it comes back in every run. The bound
/// is generous, and a step fails only when it is over in each of `RUNS` runs (its
/// fastest time counts), so that a loaded machine does not fail the test; `cargo
/// bench --bench lab` has the figures.
#[test]
fn no_step_waits_beyond_its_declared_waits() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut over = Vec::new();
    for lesson in socketio_lab::lesson::embedded().unwrap() {
        let mut fastest: Vec<Duration> = vec![Duration::MAX; lesson.steps.len()];
        let late = |fastest: &[Duration]| -> Vec<usize> {
            (0..fastest.len())
                .filter(|&i| allowed(&lesson, i).is_some_and(|a| fastest[i] > a))
                .collect()
        };
        for _ in 0..RUNS {
            let times = rt.block_on(step_times(&lesson));
            for (f, t) in fastest.iter_mut().zip(times) {
                *f = (*f).min(t);
            }
            if late(&fastest).is_empty() {
                break;
            }
        }
        for i in late(&fastest) {
            over.push(format!(
                "{}: step {} took at least {:?} in {RUNS} runs (allowed {:?})",
                lesson.id,
                i + 1,
                fastest[i],
                allowed(&lesson, i).unwrap_or_default()
            ));
        }
    }
    assert!(
        over.is_empty(),
        "steps over their declared waits plus {MARGIN:?}:\n{}",
        over.join("\n")
    );
}

/// The JavaScript blocks of a rendered step or quiz choice, as displayed: a client's
/// lines (under `NAME (client)`) and the server's (after the `JS` label, up to the
/// `Rust` label), each with its indentation and continuation lines as printed, and
/// whether it is a client's (a page's module, where `await` may stand alone).
fn displayed_js(text: &str) -> Vec<(bool, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, bool, Vec<String>)> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        // A label line ends the block before it; a `JS` label starts one.
        let label = |name: &str| body == name || body.starts_with(&format!("{name}  "));
        let ends = !line.is_empty()
            && current
                .as_ref()
                .is_some_and(|(start, _, _)| indent <= *start);
        if ends || label("Rust") || label("JS") {
            if let Some((_, client, lines)) = current.take() {
                blocks.push((client, lines.join("\n")));
            }
        }
        if label("JS") {
            let first = body.strip_prefix("JS").unwrap().trim_start();
            // `JS  index.js` names the file the numbered lines below come from.
            let lines = if first.is_empty() || first == "index.js" {
                vec![]
            } else {
                vec![first.to_string()]
            };
            current = Some((indent, false, lines));
        } else if body.ends_with("(client)") {
            current = Some((indent, true, vec![]));
        } else if let Some((_, _, lines)) = current.as_mut() {
            lines.push(common::without_line_number(line));
        }
    }
    if let Some((_, client, lines)) = current {
        blocks.push((client, lines.join("\n")));
    }
    blocks.retain(|(_, b)| !b.trim().is_empty());
    blocks
}

/// Every JavaScript block a lesson displays at 60, 78 and 120 columns (each step's
/// client and server code, and each quiz choice that is handler code) parses, all in
/// one Node process: the server's as `node --check` parses a file, as the body of a
/// CommonJS module (`vm.compileFunction` with the module's parameters, Node's own
/// wrapper); a client's as the body of an async function, as in a page's module,
/// where `await socket.emitWithAck(..)` stands alone.
#[test]
fn every_displayed_javascript_block_parses_at_60_78_and_120_columns() {
    use socketio_lab::lesson;
    use socketio_lab::paint::Paint;
    use socketio_lab::quiz::choice_code;
    use socketio_lab::view;

    if !common::node_ready("every_displayed_javascript_block_parses", "socket.io") {
        return;
    }
    let mut blocks: Vec<(String, bool, String)> = Vec::new();
    for (id, text) in EMBEDDED {
        let lesson = lesson::parse(id, id, text).unwrap();
        for width in [60, 78, 120] {
            let paint = Paint {
                width,
                ..Paint::PLAIN
            };
            let mut shown: Vec<(String, String)> = Vec::new();
            if let Some(app) = &lesson.app {
                let text = view::startup(app, "listening on *:PORT", paint);
                shown.push((format!("{id} startup at {width}"), text));
            }
            for (i, step) in lesson.steps.iter().enumerate() {
                let text = view::step_question(&lesson, step, i + 1, paint);
                shown.push((format!("{id} step {} at {width}", i + 1), text));
            }
            for question in &lesson.questions {
                for choice in &question.choices {
                    if let Some(code) = choice_code::of(&lesson, choice) {
                        let text = choice_code::shown(&code, paint);
                        let name = format!("{id} quiz {} choice at {width}", question.id);
                        shown.push((name, text));
                    }
                }
            }
            for (name, text) in shown {
                let js = displayed_js(&text);
                assert!(
                    !js.is_empty() || !text.contains("JS"),
                    "{name}: no block in\n{text}"
                );
                blocks.extend(js.into_iter().map(|(client, b)| (name.clone(), client, b)));
            }
        }
    }
    assert!(blocks.len() > 100, "only {} blocks", blocks.len());
    let check = r#"
        const vm = require("node:vm");
        const blocks = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
        const params = ["exports", "require", "module", "__filename", "__dirname"];
        for (const [name, client, code] of blocks) {
            try {
                if (client) new vm.Script(`(async () => {\n${code}\n});`, { filename: name });
                else vm.compileFunction(code, params, { filename: name });
            }
            catch (e) { console.log(`${name}: ${e.message}\n${code}\n`); }
        }
    "#;
    let mut node = std::process::Command::new("node")
        .args(["-e", check])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node runs");
    let input = serde_json::to_vec(&blocks).unwrap();
    std::io::Write::write_all(&mut node.stdin.take().unwrap(), &input).unwrap();
    let out = node.wait_with_output().unwrap();
    assert!(out.status.success());
    let failures = String::from_utf8_lossy(&out.stdout);
    assert!(
        failures.is_empty(),
        "node rejects displayed JavaScript:\n{failures}"
    );
}

/// A namespace other than `/` and `/admin` has its rooms reported too: a join in
/// `/chat` shows in that step's room table, and one in a dynamic namespace's child.
#[test]
fn a_join_in_any_namespace_shows_in_the_room_table() {
    let lesson = r#"
format_version = 2
title = "Rooms of every namespace"
summary = "joins in /chat and in a tenant's namespace"
intro = "kim joins a room in /chat, tom one in his tenant's namespace."

[[clients]]
name = "kim"
namespace = "/chat"

[[clients]]
name = "tom"
namespace = "/teams/red"

[[server.namespaces]]
name = "/chat"

[[server.namespaces.events]]
event = "join"
args = ["room"]
do = [{ join = ["$room"] }, { ack = "joined" }]

[[server.namespaces]]
name = "/teams/{team}"

[[server.namespaces.events]]
event = "join"
args = ["room"]
do = [{ join = ["$room"] }, { ack = "joined" }]

[[steps]]
title = "kim and tom connect"
op = "connect"
actors = ["kim", "tom"]

[[steps]]
title = "kim joins lounge"
op = "ask"
actor = "kim"
event = "join"
payload = "lounge"
expect_answer = "joined"

[[steps]]
title = "tom joins desk"
op = "ask"
actor = "tom"
event = "join"
payload = "desk"
expect_answer = "joined"
"#;
    let test = common::Test::new().write("mine/every-ns.toml", lesson);
    let dir = test.path("mine");
    let out = test
        .args(&["--lessons", &dir, "run", "every-ns", "--color", "never"])
        .output();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("rooms  /chat  lounge: kim"), "{text}");
    assert!(text.contains("rooms  /teams/red desk: tom"), "{text}");
    // Each client's own call, where the clients of one step open different namespaces.
    assert!(text.contains("io(\"/chat\"); // kim"), "{text}");
    assert!(text.contains("io(\"/teams/red\"); // tom"), "{text}");
}
