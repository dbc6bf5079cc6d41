//! `run LESSON --predict`, scripted, on the real embedded server without a terminal:
//! each prediction is judged by the run's own trace and kept in the progress file.

use crate::common;

use common::{one_line_error, stderr, stdout, Test};
use serde_json::Value;

/// Who each of `rooms`'s eight emits reaches, as its steps say.
/// What a passed `run rooms` ends with, after its predictions (`path::next`).
const QUIZ_NEXT: &str = "\nnext: socketio-lab quiz rooms   # questions on what you just watched\n";

const ROOMS_RIGHT: &str =
    "bob,carol;alice,bob,carol;alice,bob,carol;bob,carol,dave;alice,carol;bob;alice,carol;alice";

/// The same with step 10 (`r1 except r2`) mispredicted: bob is in r2, carol is not.
const ROOMS_ONE_WRONG: &str =
    "bob,carol;alice,bob,carol;alice,bob,carol;bob,carol,dave;alice,bob;bob;alice,carol;alice";

fn progress(test: &Test) -> Value {
    let text = std::fs::read_to_string(test.path("state/progress.json")).expect("progress kept");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn json_carries_each_prediction_and_the_score_is_kept() {
    let test = Test::new().args(&["run", "rooms", "--json", "--predictions", ROOMS_ONE_WRONG]);
    let out = test.output();
    // A missed prediction is the learner's, not the lab's: the run still passes.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        doc["predictions"],
        serde_json::json!({ "held": 7, "total": 8 })
    );
    let steps = doc["steps"].as_array().unwrap();
    let predicted: Vec<usize> = steps
        .iter()
        .filter(|s| s.get("prediction").is_some())
        .map(|s| s["index"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(predicted, [6, 7, 8, 9, 10, 11, 13, 15]);
    let ten = &steps[9];
    assert_eq!(
        ten["prediction"]["predicted"],
        serde_json::json!(["alice", "bob"])
    );
    assert_eq!(ten["prediction"]["held"], false);
    // Judged against what the trace says was delivered, which the JSON also shows.
    assert_eq!(ten["delivered_to"], serde_json::json!(["alice", "carol"]));
    assert_eq!(steps[5]["prediction"]["held"], true);
    assert_eq!(
        progress(&test)["predictions"]["rooms"],
        serde_json::json!({ "best": { "correct": 7, "total": 8 }, "last": { "correct": 7, "total": 8 } })
    );
    // The quiz's scores are its own.
    assert_eq!(progress(&test)["best"], serde_json::json!({}));
}

#[test]
fn the_transcript_asks_before_it_shows_and_says_whether_it_held() {
    let test = Test::new()
        .write("rooms.txt", "# one line per emit\nbob carol\nalice,bob,carol\nalice,bob,carol\nbob,carol,dave\nalice,bob  # wrong\nbob\nalice,carol\nalice\n")
        .args(&["--color", "never", "run", "rooms", "--predictions-file", "rooms.txt"]);
    let out = test.output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let ten = text
        .split("── ")
        .find(|s| s.starts_with("10/15"))
        .expect("step 10");
    let asked = ten.find("you predict: alice, bob").expect("the prediction");
    let shown = ten.find("who received it").expect("the traffic");
    let narration = ten.find("`except(room)`").expect("the narration");
    assert!(asked < narration && narration < shown, "{ten}");
    assert!(
        ten.contains("✗ your prediction missed: you said alice, bob, it reached alice, carol"),
        "{ten}"
    );
    assert!(
        text.contains("✓ your prediction held: bob, carol\n"),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "  predictions: 7 of 8 held (missed at step 10)\n{}",
            QUIZ_NEXT
        )),
        "{text}"
    );
    // Steps that send nothing ask nothing.
    assert_eq!(text.matches("you predict:").count(), 8, "{text}");
    assert_eq!(
        progress(&test)["predictions"]["rooms"]["last"]["correct"],
        7
    );
}

#[test]
fn all_right_scores_full_marks() {
    let test = Test::new().args(&["run", "rooms", "--predictions", ROOMS_RIGHT]);
    let out = test.output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let want = format!("  predictions: 8 of 8 held\n{QUIZ_NEXT}");
    assert!(text.ends_with(&want), "{text}");
    assert_eq!(
        progress(&test)["predictions"]["rooms"]["best"],
        serde_json::json!({ "correct": 8, "total": 8 })
    );
}

#[test]
fn without_a_terminal_or_a_script_it_is_refused() {
    let err = one_line_error(
        &["run", "rooms", "--predict"],
        2,
        "error: `--predict` asks on a terminal",
    );
    assert!(err.contains("`--predictions"), "{err}");
}

#[test]
fn scripts_that_do_not_fit_are_refused_before_anything_runs() {
    let err = one_line_error(
        &["run", "rooms", "--predictions", "bob;alice"],
        2,
        "error: ",
    );
    assert!(
        err.contains("has 2 entries but `rooms` has 8 emits"),
        "{err}"
    );
    let wrong_name = ROOMS_RIGHT.replacen("bob", "mallory", 1);
    let err = one_line_error(
        &["run", "rooms", "--predictions", &wrong_name],
        2,
        "error: ",
    );
    assert!(
        err.contains("`mallory`, which is not a socket of `rooms`"),
        "{err}"
    );
    one_line_error(
        &[
            "run",
            "rooms",
            "--predictions-file",
            "/nonexistent/predictions",
        ],
        2,
        "error: cannot read `/nonexistent/predictions`",
    );
    one_line_error(
        &["run", "fanout", "--predict"],
        2,
        "error: `--predict` is for lessons, not `run fanout`",
    );
}
