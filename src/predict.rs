//! Predict, then see (`run LESSON --predict`): before an emit's traffic is shown,
//! the learner says which sockets will receive it. Whether the prediction held is
//! read from the step's trace by the one judge (`judge::prediction_held`), never
//! worked out a second time; the scores are kept beside the quiz's (`progress`).

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{json, Value};

use crate::judge::{name_list, prediction_held};
use crate::lesson::{Action, Lesson, Step};
use crate::paint::Paint;
use crate::progress::{self, Score};
use crate::safe;
use crate::trace::StepRecord;

/// Why no prediction could be had.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// The prompt failed.
    #[error("{0}")]
    Terminal(String),
    /// Ctrl-C at a prompt.
    #[error("interrupted")]
    Interrupted,
}

/// Where predictions come from: a script, or a prompt on a terminal.
pub trait Predictor {
    /// Who the learner expects `step`'s event to reach, picked from `present` (the
    /// sockets connected before it, in lesson order); `number` counts predictions
    /// from 0. `None` when the learner stops.
    /// `event` is the event asked about: the one the server emits ([`asked_event`]).
    fn predict(
        &mut self,
        number: usize,
        event: &str,
        present: &[String],
    ) -> Result<Option<Vec<String>>, PredictError>;

    /// Shows what happened and whether the prediction held, and holds it until the
    /// learner moves on: false when they stop instead. `last`: no prediction
    /// follows. A script does not wait.
    fn reveal(
        &mut self,
        text: &str,
        out: &mut dyn std::io::Write,
        last: bool,
    ) -> Result<bool, PredictError> {
        let _ = last;
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| PredictError::Terminal(format!("cannot write the step: {e}")))?;
        Ok(true)
    }
}

/// The event a prediction is about: what the server's declared handler for the
/// step's event emits (`tell` makes it emit `news`), else the step's own event.
pub fn asked_event(lesson: &Lesson, step: &Step) -> String {
    let sent = step.action.event().unwrap_or_default();
    let namespace = lesson
        .client(step.action.actor())
        .map_or("/", |c| c.namespace.as_str());
    let handler = lesson
        .app
        .as_ref()
        .and_then(|app| app.namespace(namespace))
        .and_then(|ns| ns.handler(sent));
    let mut emitted: Vec<&str> = handler
        .map(|h| {
            h.ops
                .iter()
                .filter_map(|op| match op {
                    // A name read from a parameter is known only once it ran.
                    crate::app::Op::Emit(emit) if emit.event_param().is_none() => {
                        Some(emit.event.as_str())
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    emitted.dedup();
    match emitted.as_slice() {
        [one] => one.to_string(),
        _ => sent.to_string(),
    }
}

/// Predictions given up front (`--predictions "bob,carol;alice"`), one per emit.
pub struct Scripted(pub Vec<Vec<String>>);

impl Predictor for Scripted {
    fn predict(
        &mut self,
        number: usize,
        _: &str,
        _: &[String],
    ) -> Result<Option<Vec<String>>, PredictError> {
        Ok(self.0.get(number).cloned())
    }
}

/// A predictor and the predictions made with it during one run.
pub struct Predicting<'a> {
    pub from: &'a mut dyn Predictor,
    pub made: Vec<Prediction>,
}

impl<'a> Predicting<'a> {
    pub fn new(from: &'a mut dyn Predictor) -> Predicting<'a> {
        Predicting {
            from,
            made: Vec::new(),
        }
    }
}

/// One prediction, and what the trace says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// The step's number, 1-based.
    pub step: usize,
    /// Sorted.
    pub predicted: Vec<String>,
    /// Who received the step's event, sorted (`StepRecord::delivered_to`).
    pub received: Vec<String>,
    pub held: bool,
}

impl Prediction {
    pub fn judged(step: usize, mut predicted: Vec<String>, record: &StepRecord) -> Prediction {
        predicted.sort();
        predicted.dedup();
        Prediction {
            step,
            held: prediction_held(record, &predicted),
            received: record.delivered_to(),
            predicted,
        }
    }
}

/// Whether `step` asks for a prediction: it sends an event that sockets may receive.
pub fn asks(step: &Step) -> bool {
    matches!(step.action, Action::Emit { .. } | Action::Send { .. })
}

/// How many predictions a run of `lesson` asks for.
pub fn count(lesson: &Lesson) -> usize {
    lesson.steps.iter().filter(|s| asks(s)).count()
}

/// Parses scripted predictions: one entry per emit, separated by `;` or new lines;
/// names within an entry by `,` or spaces; `-` (or `nobody`) predicts that nobody
/// receives it; `#` starts a comment.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        for entry in line.split(';').filter(|e| !e.trim().is_empty()) {
            let names: Vec<String> = entry
                .split([',', ' ', '\t'])
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect();
            match names.as_slice() {
                [only] if only == "-" || only == "nobody" => out.push(Vec::new()),
                _ => {
                    if let Some(bad) = names.iter().find(|n| *n == "-" || *n == "nobody") {
                        return Err(format!(
                            "`{}`: `{bad}` stands alone, for an emit nobody receives",
                            safe::text(entry.trim())
                        ));
                    }
                    out.push(names);
                }
            }
        }
    }
    Ok(out)
}

/// Checks scripted predictions against the lesson they predict.
pub fn check(lesson: &Lesson, predictions: &[Vec<String>]) -> Result<(), String> {
    let wanted = count(lesson);
    if predictions.len() != wanted {
        return Err(format!(
            "`--predictions` has {} entries but `{}` has {wanted} emits to predict",
            predictions.len(),
            lesson.id
        ));
    }
    for name in predictions.iter().flatten() {
        if lesson.client(name).is_none() {
            let names: Vec<&str> = lesson.clients.iter().map(|c| c.name.as_str()).collect();
            return Err(format!(
                "`--predictions` names `{}`, which is not a socket of `{}` ({})",
                safe::text(name),
                lesson.id,
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// The transcript's line for a prediction, before the traffic is shown.
pub fn asked_line(predicted: &[String], paint: Paint) -> String {
    let mut sorted = predicted.to_vec();
    sorted.sort();
    format!("  {} {}\n", paint.dim("you predict:"), name_list(&sorted))
}

/// The transcript's line once the traffic is in: whether the prediction held.
pub fn verdict_line(p: &Prediction, paint: Paint) -> String {
    if p.held {
        let text = format!("✓ your prediction held: {}", name_list(&p.received));
        format!("  {}\n", paint.good(&text))
    } else {
        let text = format!(
            "✗ your prediction missed: you said {}, it reached {}",
            name_list(&p.predicted),
            name_list(&p.received)
        );
        format!("  {}\n", paint.bad(&text))
    }
}

/// This run's score.
pub fn score(made: &[Prediction]) -> Score {
    Score {
        correct: made.iter().filter(|p| p.held).count(),
        total: made.len(),
    }
}

/// The closing line: how many predictions held, and which missed.
pub fn summary(made: &[Prediction], paint: Paint) -> String {
    let s = score(made);
    let mut out = String::new();
    let line = format!("predictions: {} of {} held", s.correct, s.total);
    let shown = if s.correct == s.total {
        paint.good(&line)
    } else {
        paint.bad(&line)
    };
    let missed: Vec<String> = made
        .iter()
        .filter(|p| !p.held)
        .map(|p| p.step.to_string())
        .collect();
    let _ = write!(out, "  {shown}");
    if !missed.is_empty() {
        let steps = missed.join(", ");
        let _ = write!(out, " {}", paint.dim(&format!("(missed at step {steps})")));
    }
    out.push('\n');
    out
}

/// `--json`: each predicted step gains a `prediction`, the document a `predictions`
/// score.
pub fn add_to_json(doc: &mut Value, made: &[Prediction]) {
    if let Some(steps) = doc.get_mut("steps").and_then(Value::as_array_mut) {
        for p in made {
            if let Some(step) = steps.get_mut(p.step - 1).and_then(Value::as_object_mut) {
                step.insert(
                    "prediction".into(),
                    json!({ "predicted": p.predicted, "held": p.held }),
                );
            }
        }
    }
    let s = score(made);
    if let Some(doc) = doc.as_object_mut() {
        doc.insert(
            "predictions".into(),
            json!({ "held": s.correct, "total": s.total }),
        );
    }
}

/// Keeps a whole run's predictions in the progress file; says what could not be kept.
pub fn save(lesson: &str, made: &[Prediction]) -> Vec<String> {
    progress::update("the prediction score", |saved| {
        saved.record_predictions(lesson, score(made))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::lesson::{parse as parse_lesson, tests::GOOD};
    use crate::trace::{Observation, RoomTable};

    #[test]
    fn the_question_names_the_event_the_server_emits() {
        let registry = crate::registry::Registry::load(None).unwrap();
        let rooms = registry.lesson("rooms").unwrap();
        let step = rooms
            .steps
            .iter()
            .find(|s| s.title == "Two rooms at once")
            .unwrap();
        assert_eq!(step.action.event(), Some("tell two"));
        assert_eq!(asked_event(rooms, step), "news");
    }

    fn received_by(names: &[&str]) -> StepRecord {
        StepRecord {
            declared: false,
            index: 2,
            observations: names
                .iter()
                .map(|n| Observation::Received {
                    client: n.to_string(),
                    event: "news".into(),
                    payload: Value::from("hi"),
                    arguments: 1,
                })
                .collect(),
            present: vec!["alice".into(), "bob".into(), "carol".into()],
            rooms: RoomTable::new(),
            own_id_rooms: BTreeMap::new(),
            connections: Vec::new(),
            nodes: Default::default(),
        }
    }

    #[test]
    fn scripts_parse_entries_names_and_nobody() {
        let got = parse("bob,carol; alice\n-   # nobody at all\n\ncarol bob;nobody").unwrap();
        let want: Vec<Vec<&str>> = vec![
            vec!["bob", "carol"],
            vec!["alice"],
            vec![],
            vec!["carol", "bob"],
            vec![],
        ];
        assert_eq!(got, want);
        let err = parse("bob,-").unwrap_err();
        assert!(err.contains("`-` stands alone"), "{err}");
    }

    #[test]
    fn scripts_must_fit_the_lesson() {
        let lesson = parse_lesson("t", "t.toml", GOOD).unwrap();
        let n = count(&lesson);
        assert!(n > 0);
        let too_few = check(&lesson, &[]).unwrap_err();
        assert!(
            too_few.contains(&format!("has 0 entries but `t` has {n} emits")),
            "{too_few}"
        );
        let mut stranger = vec![Vec::new(); n];
        stranger[0] = vec!["mallory".to_string()];
        let err = check(&lesson, &stranger).unwrap_err();
        assert!(
            err.contains("`mallory`, which is not a socket of `t`"),
            "{err}"
        );
        assert!(check(&lesson, &vec![vec!["bob".to_string()]; n]).is_ok());
    }

    #[test]
    fn a_prediction_holds_only_for_exactly_the_receivers() {
        let record = received_by(&["carol", "bob"]);
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(Prediction::judged(2, names(&["carol", "bob", "bob"]), &record).held);
        assert!(!Prediction::judged(2, names(&["bob"]), &record).held);
        assert!(!Prediction::judged(2, names(&["alice", "bob", "carol"]), &record).held);
        assert!(!Prediction::judged(2, Vec::new(), &record).held);
        assert!(Prediction::judged(2, Vec::new(), &received_by(&[])).held);
        let missed = Prediction::judged(2, names(&["bob"]), &record);
        let line = verdict_line(&missed, Paint::PLAIN);
        assert_eq!(
            line,
            "  ✗ your prediction missed: you said bob, it reached bob, carol\n"
        );
    }

    #[test]
    fn json_carries_each_prediction_and_the_score() {
        let record = received_by(&["bob"]);
        let made = vec![
            Prediction::judged(1, vec!["bob".into()], &record),
            Prediction::judged(2, vec!["alice".into()], &record),
        ];
        let mut doc = json!({ "lesson": "t", "steps": [{ "index": 1 }, { "index": 2 }] });
        add_to_json(&mut doc, &made);
        assert_eq!(
            doc["steps"][0]["prediction"],
            json!({ "predicted": ["bob"], "held": true })
        );
        assert_eq!(doc["steps"][1]["prediction"]["held"], false);
        assert_eq!(doc["predictions"], json!({ "held": 1, "total": 2 }));
        assert_eq!(
            summary(&made, Paint::PLAIN),
            "  predictions: 1 of 2 held (missed at step 2)\n"
        );
    }
}
