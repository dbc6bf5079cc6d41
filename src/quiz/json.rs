//! A question's answer as data (`quiz --json`): what each choice claims and what
//! its run observed.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{holding, ChoiceRun};
use crate::lesson::{Action, Choice, Lesson, Question};
use crate::trace::StepRecord;

/// The expectations of a choice, as data.
pub fn target_json(choice: &Choice) -> Value {
    let steps: Vec<Value> = choice
        .steps
        .iter()
        .filter(|s| {
            let e = &s.expect;
            e.delivered_to.is_some()
                || e.refused
                || e.unhandled
                || e.unheard
                || e.log.is_some()
                || e.disconnect.is_some()
        })
        .map(|s| {
            let e = &s.expect;
            let mut t = serde_json::Map::new();
            t.insert("step".into(), json!(s.title));
            if let Some(names) = &e.delivered_to {
                let mut names = names.clone();
                names.sort();
                t.insert("delivered_to".into(), json!(names));
            }
            if let Action::Connect { .. } = s.action {
                t.insert("refused".into(), json!(e.refused));
            }
            if e.unhandled {
                t.insert("unhandled".into(), json!(true));
            }
            if e.unheard {
                t.insert("unheard".into(), json!(true));
            }
            if let Some(log) = &e.log {
                t.insert("log".into(), json!(log));
            }
            if let Some(answer) = &e.answer {
                t.insert("answer".into(), answer.clone());
            }
            if e.timeout {
                t.insert("timeout".into(), json!(true));
            }
            if e.rejected {
                t.insert("rejected".into(), json!(true));
            }
            if let Some(reason) = &e.disconnect {
                t.insert("disconnect".into(), json!(reason));
            }
            Value::Object(t)
        })
        .collect();
    json!(steps)
}

/// What a run observed, as data: the last step's deliveries and the run's notable facts.
pub fn observed_json(choice: &Choice, run: &ChoiceRun) -> Value {
    let last = run.records.last();
    let refused: Vec<&String> = choice
        .steps
        .iter()
        .zip(&run.records)
        .flat_map(|(s, r)| {
            s.action
                .actors()
                .iter()
                .filter(|a| r.refusal_of(a).is_some())
        })
        .collect();
    let log: Vec<String> = run.records.iter().flat_map(|r| r.log_lines()).collect();
    let mut observed = json!({
        "delivered_to": last.map(|r| r.delivered_to()).unwrap_or_default(),
        "not_delivered_to": last.map(|r| r.not_delivered_to()).unwrap_or_default(),
        "refused": refused,
        "unhandled": last.is_some_and(|r| r.unhandled()),
        "log": log,
        "holds": run.holds(choice),
        "faults": run.faults(choice),
        "mismatches": run.mismatches(choice),
    });
    // Only where it happened, as in `--json` of a lesson.
    if run.records.iter().any(StepRecord::unheard) {
        observed["unheard"] = json!(true);
    }
    observed
}

pub fn question_json(
    lesson: &Lesson,
    q: &Question,
    given: &[usize],
    runs: &BTreeMap<usize, ChoiceRun>,
    passed: bool,
) -> Value {
    let given_numbers: Vec<usize> = given.iter().map(|g| g + 1).collect();
    let (target, observed) = if q.multiple {
        let per_choice: Vec<Value> = runs
            .iter()
            .map(|(i, run)| {
                json!({ "choice": i + 1, "target": target_json(&q.choices[*i]), "observed": observed_json(&q.choices[*i], run) })
            })
            .collect();
        let confirmed: Vec<usize> = holding(q, runs).into_iter().map(|i| i + 1).collect();
        (
            json!({ "holding_choices": confirmed }),
            json!({ "choices": per_choice }),
        )
    } else {
        let i = given[0];
        let observed = runs
            .get(&i)
            .map(|r| observed_json(&q.choices[i], r))
            .unwrap_or(Value::Null);
        (target_json(&q.choices[i]), observed)
    };
    json!({
        "lesson": lesson.id,
        "id": q.id,
        "prompt": q.prompt,
        "multiple": q.multiple,
        "choices": q.choices.iter().map(|c| c.text.clone()).collect::<Vec<_>>(),
        "choice_code": q.choices.iter().map(|c| super::choice_code::json(super::choice_code::of(lesson, c).as_ref())).collect::<Vec<_>>(),
        "given": given_numbers,
        "passed": passed,
        "holding_choices": holding(q, runs).into_iter().map(|i| i + 1).collect::<Vec<_>>(),
        "target": target,
        "observed": observed,
    })
}
