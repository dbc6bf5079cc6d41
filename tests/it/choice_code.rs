//! The JavaScript a quiz choice shows is the chain its text names: a choice written
//! `socket.broadcast.emit("news", msg)` prints a handler calling
//! `socket.broadcast.emit(`, link for link. The texts are written by hand in the
//! lessons, the code is printed from the declared handler, so a printer that drops
//! or reorders a link of the chain fails here, whatever the snapshots say.

use socketio_lab::lesson::{self, EMBEDDED};
use socketio_lab::quiz::choice_code;

/// The chain of an emit as a choice's text writes it, up to and including `.emit(`:
/// `io.except("lobby").emit(` of `io.except("lobby").emit("news", msg)`.
fn chain(text: &str) -> Option<&str> {
    let end = text.find(".emit(")? + ".emit(".len();
    let start = text[..end]
        .rfind(|c: char| c.is_whitespace() || c == '`')
        .map_or(0, |at| at + 1);
    Some(&text[start..end])
}

#[test]
fn every_choice_prints_the_chain_its_text_names() {
    let mut checked = Vec::new();
    let mut wrong = Vec::new();
    for (id, text) in EMBEDDED {
        let lesson = lesson::parse(id, &format!("{id}.toml"), text).unwrap();
        for question in &lesson.questions {
            for choice in &question.choices {
                let (Some(code), Some(chain)) =
                    (choice_code::of(&lesson, choice), chain(&choice.text))
                else {
                    continue;
                };
                if code.js.contains(chain) {
                    checked.push(chain.to_string());
                } else {
                    wrong.push(format!(
                        "{id} `{}`: `{}` prints\n{}",
                        question.id, choice.text, code.js
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The chains the lessons teach, each link among them.
    for link in [
        "socket.emit(",
        "io.emit(",
        "socket.broadcast.emit(",
        ".except(",
        ".to(",
    ] {
        assert!(
            checked.iter().any(|c| c.contains(link)),
            "no choice checks `{link}`: {checked:?}"
        );
    }
}

#[test]
fn a_chain_is_read_from_a_choice_text() {
    assert_eq!(
        chain("socket.broadcast.emit(\"news\", msg)"),
        Some("socket.broadcast.emit(")
    );
    assert_eq!(
        chain("`io.to(\"r1\").emit(\"x\")` then more"),
        Some("io.to(\"r1\").emit(")
    );
    assert_eq!(chain("nobody receives it"), None);
}
