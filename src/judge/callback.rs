//! Format 2: what a `send` step claims about the acknowledgement callback of its
//! handler's emit, judged from the server's `callback` note, the recipients its
//! `emit` note named and what each client says its handler answered.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::trace::{Observation, StepRecord};

/// `expect_answer`, `expect_timeout` and `expect_acks` on a `send`.
pub(super) fn mismatches(
    record: &StepRecord,
    answer: Option<&Value>,
    timeout: bool,
    acks: Option<&BTreeMap<String, Value>>,
) -> Vec<String> {
    if answer.is_none() && !timeout && acks.is_none() {
        return Vec::new();
    }
    let Some((err, answers)) = record.callback() else {
        return vec!["expected an acknowledgement callback to run, but none did".to_string()];
    };
    let got = Value::from(answers.to_vec());
    let error = match err {
        Some(e) => format!("the error {}", Value::from(e)),
        None => "no error".to_string(),
    };
    let mut problems = Vec::new();
    if let Some(want) = answer {
        if err.is_some() || answers.is_empty() || answers.iter().any(|a| a != want) {
            problems.push(format!(
                "expected every answer to be {want}, but the callback got {error} and answers {got}"
            ));
        }
    }
    if timeout && (err.is_none() || !answers.is_empty()) {
        problems.push(format!(
            "expected the wait to time out with no answer, but the callback got {error} and answers {got}"
        ));
    }
    if let Some(want) = acks {
        problems.extend(acks_mismatches(record, err, answers, want));
    }
    problems
}

/// The listed recipients answered these values (each says so, and the callback got
/// exactly these answers); every other recipient did not, so the wait timed out.
fn acks_mismatches(
    record: &StepRecord,
    err: Option<&str>,
    answers: &[Value],
    want: &BTreeMap<String, Value>,
) -> Vec<String> {
    let asked = record.asked_to_acknowledge();
    let mut problems = Vec::new();
    for (name, value) in want {
        if !asked.contains(name) {
            problems.push(format!(
                "expected `{name}` to be asked for an acknowledgement, but it was not"
            ));
        } else if !record.saw(
            name,
            |o| matches!(o, Observation::ClientAcked { value: v, .. } if v == value),
        ) {
            problems.push(format!("expected `{name}` to acknowledge with {value}"));
        }
    }
    let mut expected: Vec<String> = want.values().map(Value::to_string).collect();
    let mut received: Vec<String> = answers.iter().map(Value::to_string).collect();
    expected.sort();
    received.sort();
    if expected != received {
        problems.push(format!(
            "expected the callback to get {}, but it got {}",
            expected.join(", "),
            Value::from(answers.to_vec())
        ));
    }
    let silent = asked.iter().any(|name| !want.contains_key(name));
    if silent != err.is_some() {
        let what = if silent {
            "time out"
        } else {
            "end with every answer"
        };
        problems.push(format!("expected the wait to {what}, but it did not"));
    }
    problems
}
