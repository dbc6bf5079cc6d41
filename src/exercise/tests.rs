use super::*;

#[test]
fn every_embedded_exercise_is_valid() {
    let exercises = embedded().unwrap();
    assert_eq!(exercises.len(), EMBEDDED.len());
    for e in &exercises {
        assert!(!e.hints.is_empty(), "{} has no hint", e.id);
        assert!(e.starter_js.contains("process.env.PORT"), "{}", e.id);
        assert!(e.starter_rust.contains("\"PORT\""), "{}", e.id);
    }
}

const SMALL: &str = r#"
format_version = 1
title = "t"
goal = "g"
events = ["chat message"]
[starter]
js = ""
rust = ""
[[clients]]
name = "alice"
[[steps]]
title = "connect"
op = "connect"
actors = ["alice"]
"#;

fn error_of(extra: &str) -> String {
    parse("t", "t.toml", &format!("{SMALL}{extra}"))
        .unwrap_err()
        .to_string()
}

#[test]
fn mistakes_are_located() {
    assert_eq!(
        error_of("surprise = 1\n"),
        "t.toml:15:1: unknown field `surprise`, expected one of `title`, `op`, `actor`, `actors`, `event`, `payload`, `timeout`, `expect`, `receive`, `expect_payload`, `expect_refused`, `expect_answer`, `expect_log`"
    );
    let e =
        error_of("[[steps]]\ntitle = \"x\"\nop = \"send\"\nactor = \"alice\"\nevent = \"nope\"\n");
    assert!(e.starts_with("t.toml:19:9: event `nope` is not in"), "{e}");
    let e = error_of("[[steps]]\ntitle = \"x\"\nop = \"join\"\nactor = \"alice\"\n");
    assert!(e.contains("is a server-side operation"), "{e}");
    let e = error_of("[[steps]]\ntitle = \"x\"\nop = \"send\"\nactor = \"alice\"\nevent = \"chat message\"\npayload = { to = \"{id:zed}\" }\nexpect = [\"alice\"]\n");
    assert!(e.contains("`{id:zed}` names no client"), "{e}");
    let e = parse(
        "t",
        "t.toml",
        &SMALL.replace("format_version = 1", "format_version = 2"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("t.toml:2:18: unsupported `format_version` 2"),
        "{e}"
    );
}

/// `verify` judges a learner's server one connection per client: a lesson's
/// `connection` has no place in an exercise.
#[test]
fn an_exercise_client_cannot_share_a_connection() {
    let text = SMALL.replace(
        "name = \"alice\"\n",
        "name = \"alice\"\n[[clients]]\nname = \"alice-admin\"\nnamespace = \"/admin\"\nconnection = \"alice\"\n",
    );
    let e = parse("t", "t.toml", &text).unwrap_err().to_string();
    assert!(e.contains(":14:14: `connection` is for lessons"), "{e}");
}

#[test]
fn an_exercise_that_expects_nothing_is_refused() {
    let e = parse("t", "t.toml", SMALL).unwrap_err().to_string();
    assert!(e.contains("no step expects anything"), "{e}");
}
