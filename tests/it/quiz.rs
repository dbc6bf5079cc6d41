//! The quiz, end to end on the real server, and its judge under mutated traffic.

use crate::common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{bin, settings, stderr, stdout};
use serde_json::Value;
use socketio_lab::engine::LabOptions;
use socketio_lab::lesson::{embedded, Action, Choice, Expectations};
use socketio_lab::protocol::{AckOutcome, Reply};
use socketio_lab::quiz::{self, ChoiceRun};
use socketio_lab::quiz_session;
use socketio_lab::trace::{Connection, Observation, StepRecord};

/// Answers for the scripted snapshot runs. They are not a key: the runs judge them,
/// and the snapshot test checks the exit code the runs produce.
const RIGHT: &[(&str, &str)] = &[
    ("chat", "2,1+2+5,3"),
    ("emit", "3,2"),
    ("rooms", "1,1,1+2"),
    ("namespaces", "1,1+2+3,1+2,1"),
    ("cheatsheet", "2,1,1,1,1,1+2,1,1,1,1,1"),
    ("lobby", "2,1"),
    ("handlers", "1+3+4,1,1,1"),
    ("early", "1,1"),
];
const WRONG: &[(&str, &str)] = &[
    ("chat", "3,1+3,2"),
    ("emit", "5,1"),
    ("rooms", "3,2,1+3"),
    ("namespaces", "2,1+4,2,2"),
    ("cheatsheet", "1,2,3,3,2,1+3,2,2,2,2,2"),
    ("lobby", "1,2"),
    ("handlers", "2,2,2,3"),
    ("early", "3,2"),
];

fn quiz(state: &std::path::Path, args: &[&str]) -> std::process::Output {
    bin()
        .arg("quiz")
        .args(args)
        .env("SOCKETIO_LAB_STATE_DIR", state)
        .output()
        .expect("the binary runs")
}

/// What `list` shows with the progress of `state`.
fn list(state: &std::path::Path) -> String {
    let out = bin()
        .arg("list")
        .env("SOCKETIO_LAB_STATE_DIR", state)
        .output()
        .expect("the binary runs");
    stdout(&out)
}

fn state_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("socketio-lab-quiz-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn scripted_quizzes_are_snapshotted() {
    let state = state_dir("snap");
    for (set, name, code) in [(RIGHT, "right", 0), (WRONG, "wrong", 1)] {
        for (lesson, answers) in set {
            let out = quiz(
                &state,
                &[
                    lesson,
                    "--answers",
                    answers,
                    "--explain",
                    "--color",
                    "never",
                ],
            );
            assert_eq!(
                out.status.code(),
                Some(code),
                "{lesson} {name}:\n{}{}",
                stdout(&out),
                stderr(&out)
            );
            settings()
                .bind(|| insta::assert_snapshot!(format!("quiz_{lesson}_{name}"), stdout(&out)));
        }
    }
    std::fs::remove_dir_all(&state).ok();
}

#[test]
fn a_wrong_broadcast_answer_shows_who_really_received_it() {
    let state = state_dir("wrong");
    let out = quiz(&state, &["emit", "--answers", "1,2", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    // The verdict wraps at the width, between words.
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("expected `news` to reach bob, carol but it reached alice, bob, carol"),
        "{text}"
    );
    assert!(
        text.lines()
            .all(|l| l.chars().count() <= 78 || l.starts_with("    ")),
        "{text}"
    );
    assert!(text.contains("alice  ✓  news \"hi\""), "{text}");
    std::fs::remove_dir_all(&state).ok();
}

#[test]
fn no_terminal_and_no_answers_exits_2_at_once() {
    let state = state_dir("noterm");
    let started = Instant::now();
    let out = quiz(&state, &["emit"]);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`--answers"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn answers_that_do_not_fit_are_usage_errors() {
    let state = state_dir("badanswers");
    for (answers, needle) in [
        ("3", "has 1 entries but the quiz asks 2 questions"),
        ("3,9", "there is no choice 9"),
        ("3+4,2", "takes exactly one choice"),
        ("x,2", "`x` is not a choice number"),
    ] {
        let out = quiz(&state, &["emit", "--answers", answers]);
        assert_eq!(out.status.code(), Some(2), "{answers}");
        assert!(stderr(&out).contains(needle), "{answers}: {}", stderr(&out));
    }
}

#[test]
fn json_reports_given_answers_and_observed_traffic() {
    let state = state_dir("json");
    let out = quiz(&state, &["emit", "--answers", "4,2", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["lesson"], "emit");
    assert_eq!(doc["score"]["correct"], 2);
    let q = &doc["questions"][0];
    assert_eq!(q["given"], serde_json::json!([4]));
    assert_eq!(q["passed"], true);
    assert_eq!(
        q["observed"]["delivered_to"],
        serde_json::json!(["bob", "carol"])
    );
    assert_eq!(
        q["target"][0]["delivered_to"],
        serde_json::json!(["bob", "carol"])
    );
    std::fs::remove_dir_all(&state).ok();
}

#[test]
fn scores_are_kept_listed_reset_and_survive_a_corrupt_file() {
    let state = state_dir("progress");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("progress.json"), "{ half a file").unwrap();
    let out = quiz(&state, &["emit", "--answers", "3,1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("warning: the progress file was unreadable"),
        "{}",
        stderr(&out)
    );
    assert!(state.join("progress.json.corrupt-1").exists());

    let text = list(&state);
    assert!(text.contains("[quiz best 1/2]"), "{text}");

    // `quiz LESSON --reset` forgets that lesson only, and says so.
    let out = quiz(&state, &["rooms", "--answers", "1,1,1+2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = quiz(&state, &["emit", "--reset"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("quiz scores of `emit` cleared; other lessons kept"));
    let text = list(&state);
    assert!(
        !text.contains("[quiz best 1/2]") && text.contains("[quiz best 3/3]"),
        "{text}"
    );

    let out = quiz(&state, &["--reset"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("quiz scores of every lesson cleared"));
    let text = list(&state);
    assert!(!text.contains("quiz best"), "{text}");
    std::fs::remove_dir_all(&state).ok();
}

/// Answers that stop (as Esc does) before question `stop` (0-based).
struct StopAt {
    stop: usize,
    answers: Vec<Vec<usize>>,
}

impl quiz_session::Answers for StopAt {
    fn answer(
        &mut self,
        number: usize,
        _: &socketio_lab::lesson::Question,
    ) -> Result<quiz_session::Asked, quiz_session::QuizError> {
        Ok(if number < self.stop {
            quiz_session::Asked::Answer(self.answers[number].clone())
        } else {
            quiz_session::Asked::Quit
        })
    }
}

/// Stopping keeps what was answered: a lesson answered in full gets its score, the
/// lesson stopped in gets a partial attempt (never a best score), and it is said.
#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_quiz_keeps_its_answers_as_a_partial_attempt() {
    let state = state_dir("partial");
    // The library reads its state folder from the environment; no other in-process
    // test of the one test binary reads or writes progress.
    std::env::set_var("SOCKETIO_LAB_STATE_DIR", &state);
    let registry = socketio_lab::registry::Registry::load(None).unwrap();
    let questions = quiz_session::questions(&registry, None).unwrap();
    // chat has 3 questions, emit 2: stop at emit's second.
    let mut answers = StopAt {
        stop: 4,
        answers: quiz::parse_answers("2,1+2+5,3,3").unwrap(),
    };
    let mut out = Vec::new();
    let options = quiz_session::QuizOptions::default();
    let paint = socketio_lab::paint::Paint::PLAIN;
    let finished = quiz_session::run(&questions, &mut answers, &options, &mut out, paint)
        .await
        .unwrap();
    assert_eq!(finished.stopped, Some((4, questions.len())));
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("stopped: 4 right of the 4 answered"),
        "{text}"
    );
    let (progress, _) = socketio_lab::progress::load(&state);
    assert_eq!(progress.best["chat"].correct, 3);
    assert!(!progress.best.contains_key("emit"));
    let partial = progress.partial["emit"];
    assert_eq!(
        (partial.correct, partial.answered, partial.total),
        (1, 1, 2)
    );
    std::fs::remove_dir_all(&state).ok();
}

// ---- the judge follows the traffic ----

/// Traffic shaped exactly as the choice predicts.
fn as_predicted(choice: &Choice, run: &ChoiceRun) -> ChoiceRun {
    let mut run = run.clone();
    for (step, record) in choice.steps.iter().zip(run.records.iter_mut()) {
        let (expect, action) = (&step.expect, &step.action);
        let actor = action.actor().to_string();
        let event = action.event().unwrap_or_default().to_string();
        record.observations.retain(|o| {
            !matches!(
                o,
                Observation::Unanswered { .. } | Observation::ClientError { .. }
            )
        });
        if let Some(names) = &expect.delivered_to {
            record
                .observations
                .retain(|o| !matches!(o, Observation::Received { .. }));
            for name in names {
                record.observations.push(Observation::Received {
                    client: name.clone(),
                    event: event.clone(),
                    payload: Value::Null,
                    arguments: 1,
                });
            }
            for o in record.observations.iter_mut() {
                if let Observation::Answered { reply, .. } = o {
                    reply.delivered_to = Some(names.clone());
                    reply.emitted = None;
                }
                // A declared handler's emits (format 2) are the server's claim too.
                if let Observation::ServerEmitted {
                    delivered_to,
                    error,
                    ..
                } = o
                {
                    *delivered_to = names.clone();
                    if expect.rejected {
                        *error = Some("refused".into());
                    }
                }
            }
        }
        if let Action::Connect { actors } = action {
            record
                .observations
                .retain(|o| !matches!(o, Observation::Refused { .. }));
            for a in actors {
                let client = a.clone();
                if expect.refused {
                    let reason = "no".into();
                    record
                        .observations
                        .push(Observation::Refused { client, reason });
                } else {
                    let namespace = "/".into();
                    record.observations.extend([
                        Observation::Connected { client: a.clone() },
                        Observation::ServerConnect { client, namespace },
                    ]);
                }
            }
        }
        if expect.unhandled {
            record
                .observations
                .retain(|o| !matches!(o, Observation::Answered { .. }));
            record.observations.push(Observation::Answered {
                client: actor.clone(),
                event: event.clone(),
                reply: Reply {
                    ok: false,
                    unhandled: true,
                    ..Reply::default()
                },
            });
        }
        if expect.unheard {
            record.observations.push(Observation::ServerUnheard {
                client: actor.clone(),
                namespace: "/".into(),
                event: event.clone(),
            });
        }
        for line in expect.log.iter().flatten() {
            record.observations.push(Observation::ServerLog {
                text: line.clone(),
                node: None,
            });
        }
        if matches!(action, Action::Ask { .. }) && (expect.answer.is_some() || expect.timeout) {
            record.observations.retain(|o| {
                !matches!(
                    o,
                    Observation::AckAnswered { .. } | Observation::AckTimedOut { .. }
                )
            });
            let client = actor.clone();
            record.observations.push(match &expect.answer {
                Some(value) => Observation::AckAnswered {
                    client,
                    event,
                    value: value.clone(),
                },
                None => Observation::AckTimedOut {
                    client,
                    event,
                    timeout_ms: 1,
                },
            });
        }
        let claims_callback = expect.answer.is_some() || expect.timeout || expect.acks.is_some();
        if matches!(action, Action::Send { .. }) && claims_callback {
            predict_callback(record, &actor, expect);
        }
        if let Some(n) = expect.connections {
            record.connections = spread(action.actors(), n);
        }
        for o in record.observations.iter_mut() {
            if let Observation::Answered { reply, .. } = o {
                for (name, outcome) in reply.acks.iter_mut().flat_map(|a| a.iter_mut()) {
                    match expect.acks.as_ref().map(|acks| acks.get(name)) {
                        Some(Some(v)) => {
                            *outcome = AckOutcome {
                                answered: true,
                                value: Some(v.clone()),
                                error: None,
                            }
                        }
                        Some(None) => {
                            *outcome = AckOutcome {
                                answered: false,
                                value: None,
                                error: Some("timeout".into()),
                            }
                        }
                        None => {}
                    }
                }
                if expect.rejected {
                    reply.ok = false;
                    reply.error = Some("refused".into());
                }
                for outcome in reply.acks.iter_mut().flat_map(|a| a.values_mut()) {
                    if let Some(v) = &expect.answer {
                        *outcome = AckOutcome {
                            answered: true,
                            value: Some(v.clone()),
                            error: None,
                        };
                    } else if expect.timeout {
                        *outcome = AckOutcome {
                            answered: false,
                            value: None,
                            error: Some("timeout".into()),
                        };
                    }
                }
            }
        }
    }
    run
}

/// Format 2: the callback of the handler's emit got what the step claims, and each
/// recipient the claim names says it answered so.
fn predict_callback(record: &mut StepRecord, actor: &str, expect: &Expectations) {
    let asked = record.asked_to_acknowledge();
    record.observations.retain(|o| {
        !matches!(
            o,
            Observation::ServerCallback { .. } | Observation::ClientAcked { .. }
        )
    });
    let timed_out = Some("operation has timed out".to_string());
    let (err, answers) = match (&expect.answer, &expect.acks) {
        (Some(v), _) => (None, vec![v.clone()]),
        (None, Some(acks)) => {
            for (name, value) in acks {
                record.observations.push(Observation::ClientAcked {
                    client: name.clone(),
                    event: "confirm".into(),
                    value: value.clone(),
                    after_ms: 0,
                });
            }
            let silent = asked.iter().any(|n| !acks.contains_key(n));
            let err = if silent { timed_out } else { None };
            (err, acks.values().cloned().collect())
        }
        (None, None) => (timed_out, Vec::new()),
    };
    record.observations.push(Observation::ServerCallback {
        client: actor.to_string(),
        namespace: "/".into(),
        event: "confirm".into(),
        err,
        answers,
    });
}

/// `names` spread over `n` connections as the server would report them (the first
/// `n - 1` alone, the rest together), or over one each when there are fewer.
fn spread(names: &[String], n: usize) -> Vec<Connection> {
    let mut connections: Vec<Connection> = names
        .iter()
        .map(|name| Connection {
            sockets: vec![name.clone()],
            socket_ids: None,
        })
        .collect();
    while connections.len() > n.max(1) {
        let last = connections.pop().unwrap();
        connections.last_mut().unwrap().sockets.extend(last.sockets);
    }
    connections
}

/// Ways to disturb the traffic a choice's run observed.
fn disturbances(run: &ChoiceRun) -> Vec<ChoiceRun> {
    let mut out = Vec::new();
    // Every socket the server holds on a connection of its own, or all on one.
    for apart in [true, false] {
        let mut moved = run.clone();
        for r in &mut moved.records {
            let sockets: Vec<String> = r
                .connections
                .iter()
                .flat_map(|c| c.sockets.clone())
                .collect();
            r.connections = spread(&sockets, if apart { sockets.len() } else { 1 });
        }
        out.push(moved);
    }
    let mut silent = run.clone();
    for r in &mut silent.records {
        r.observations
            .retain(|o| !matches!(o, Observation::Received { .. }));
        for o in r.observations.iter_mut() {
            if let Observation::Answered { reply, .. } = o {
                reply.delivered_to = reply.delivered_to.as_ref().map(|_| Vec::new());
            }
        }
    }
    out.push(silent);
    // A server that logged nothing: a claim about its log lines must notice.
    let mut quiet = run.clone();
    for r in &mut quiet.records {
        r.observations
            .retain(|o| !matches!(o, Observation::ServerLog { .. }));
    }
    out.push(quiet);
    let mut flooded = run.clone();
    for r in &mut flooded.records {
        // A step that sent something: a lab request's answer, or a declared
        // handler's end (including a refusal by `socket.use`).
        let sent = r.answer().is_some()
            || r.observations
                .iter()
                .any(|o| matches!(o, Observation::ServerHandled { .. }));
        if sent {
            let everyone = r.present.clone();
            r.observations
                .retain(|o| !matches!(o, Observation::Received { .. }));
            for name in &everyone {
                r.observations.push(Observation::Received {
                    client: name.clone(),
                    event: "x".into(),
                    payload: Value::Null,
                    arguments: 1,
                });
            }
            for o in r.observations.iter_mut() {
                if let Observation::Answered { reply, .. } = o {
                    reply.delivered_to = Some(everyone.clone());
                }
            }
        }
    }
    out.push(flooded);
    let mut flipped = run.clone();
    for r in &mut flipped.records {
        let refused = r
            .observations
            .iter()
            .any(|o| matches!(o, Observation::Refused { .. }));
        r.observations.retain(|o| {
            !matches!(
                o,
                Observation::Refused { .. }
                    | Observation::ServerUnheard { .. }
                    | Observation::ServerConnect { .. }
                    | Observation::ServerDisconnect { .. }
                    | Observation::ServerRefuse { .. }
            )
        });
        if !refused {
            for o in r.observations.clone() {
                if let Observation::Connected { client } = o {
                    r.observations.push(Observation::Refused {
                        client,
                        reason: "no".into(),
                    });
                }
            }
        }
        for o in r.observations.iter_mut() {
            match o {
                Observation::Answered { reply, .. } => {
                    reply.unhandled = !reply.unhandled;
                    reply.ok = !reply.unhandled;
                    for outcome in reply.acks.iter_mut().flat_map(|a| a.values_mut()) {
                        outcome.answered = !outcome.answered;
                        outcome.value = Some(Value::Null);
                    }
                }
                Observation::AckAnswered { client, event, .. } => {
                    *o = Observation::AckTimedOut {
                        client: client.clone(),
                        event: event.clone(),
                        timeout_ms: 1,
                    };
                }
                Observation::AckTimedOut { client, event, .. } => {
                    *o = Observation::AckAnswered {
                        client: client.clone(),
                        event: event.clone(),
                        value: Value::Null,
                    };
                }
                Observation::ServerEmitted { error, .. } => {
                    *error = match error {
                        Some(_) => None,
                        None => Some("refused".into()),
                    };
                }
                Observation::ServerCallback { err, answers, .. } => {
                    *answers = if err.is_some() {
                        vec![Value::Null]
                    } else {
                        Vec::new()
                    };
                    *err = match err {
                        Some(_) => None,
                        None => Some("operation has timed out".into()),
                    };
                }
                _ => {}
            }
        }
    }
    out.push(flipped);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_verdict_follows_the_traffic() {
    let lessons = embedded().unwrap();
    let options = LabOptions::default();
    {
        for lesson in &lessons {
            for q in &lesson.questions {
                let mut runs = BTreeMap::new();
                for (i, choice) in q.choices.iter().enumerate() {
                    let run = quiz::run_choice(lesson, q, i, &options).await.unwrap();
                    let at = format!("{}/{} choice {}", lesson.id, q.id, i + 1);
                    let faults = run.faults(choice);
                    assert!(faults.is_empty(), "{at}: {faults:?}");
                    if run.holds(choice) {
                        let disturbed = disturbances(&run);
                        assert!(
                            disturbed.iter().any(|d| !d.holds(choice)),
                            "{at} holds whatever the traffic"
                        );
                    } else {
                        let predicted = as_predicted(choice, &run);
                        assert!(predicted.holds(choice), "{at} fails whatever the traffic");
                    }
                    runs.insert(i, run);
                }
                // A question must be answerable: some choice holds.
                assert!(
                    !quiz::holding(q, &runs).is_empty(),
                    "{}/{}: no choice holds",
                    lesson.id,
                    q.id
                );
            }
        }
    }
}
