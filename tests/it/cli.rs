//! The command line as a user meets it, without a terminal.

use crate::common;

use common::{repo, run, stderr, stdout};

/// `args` succeeds and its output names every one of `words`.
fn mentions(args: &[&str], words: &[&str]) {
    let out = run(args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for word in words {
        assert!(text.contains(word), "{args:?} lacks `{word}`:\n{text}");
    }
}

#[test]
fn help_names_the_commands() {
    mentions(
        &["--help"],
        &["list", "run", "check", "--color", "--lessons"],
    );
}

#[test]
fn list_shows_every_lesson_and_lab() {
    let names = [
        "chat",
        "emit",
        "rooms",
        "namespaces",
        "cheatsheet",
        "fanout",
        "scaling",
    ];
    mentions(&["list"], &names);
}

#[test]
fn no_arguments_without_a_terminal_prints_the_list() {
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("rooms") && text.contains("socketio-lab run"),
        "{text}"
    );
}

#[test]
fn unknown_lesson_is_a_usage_error() {
    let out = run(&["run", "xyzzy"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: unknown lesson `xyzzy` (see `socketio-lab list`)"
    );
}

#[test]
fn a_near_name_is_suggested() {
    for (args, said) in [
        (&["run", "room"][..], "error: unknown lesson `room`; did you mean `rooms`? (see `socketio-lab list`)"),
        (&["quiz", "namespace"][..], "error: unknown lesson `namespace`; did you mean `namespaces`? (see `socketio-lab list`)"),
        (&["run", "fanot"][..], "error: unknown lesson `fanot`; did you mean `fanout`? (see `socketio-lab list`)"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out).trim(), said);
    }
}

#[test]
fn check_accepts_the_shipped_lessons() {
    let out = run(&["check", repo().join("lessons").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("ok "))
            .count(),
        socketio_lab::lesson::EMBEDDED.len()
    );
}

/// `check` on a broken fixture: exit 2 (a broken lesson is bad input, in `check`
/// as in `run`) and its stderr.
fn check_error(fixture: &str) -> (String, String) {
    let path = repo().join("tests/fixtures").join(fixture);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    (path.display().to_string(), stderr(&out))
}

#[test]
fn check_locates_an_unknown_client() {
    let (path, err) = check_error("broken_actor.toml");
    let want = format!("{path}:17:9: unknown client `zoe` in `actor`");
    assert!(err.contains(&want), "{err}");
}

#[test]
fn check_locates_an_unknown_field() {
    let (_, err) = check_error("broken_field.toml");
    let want = "broken_field.toml:8:1: unknown field `namespaec`";
    assert!(err.contains(want), "{err}");
}

#[test]
fn check_runs_questions_and_rejects_an_unanswerable_one() {
    let (_, err) = check_error("unanswerable.toml");
    let want = "unanswerable.toml:18:6: question `impossible`: no choice holds when run";
    assert!(err.contains(want), "{err}");
}

#[test]
fn a_broken_extra_lesson_stops_run_with_its_location() {
    let out = run(&[
        "--lessons",
        repo().join("tests/fixtures").to_str().unwrap(),
        "run",
        "emit",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broken_actor.toml:17:9"), "{err}");
}

#[test]
fn extra_lessons_folder_adds_lessons() {
    let emit = std::fs::read_to_string(repo().join("lessons/emit.toml")).unwrap();
    let test = common::Test::new().write("mine/my-emit.toml", &emit);
    let dir = test.path("mine");
    let out = test
        .args(&["--lessons", &dir, "run", "my-emit", "--json"])
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["lesson"], "my-emit");
}

#[test]
fn color_always_colours_and_never_does_not() {
    let plain = run(&["run", "emit", "--color", "never"]);
    assert!(!stdout(&plain).contains('\u{1b}'));
    let coloured = common::bin()
        .args(["run", "emit", "--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        stdout(&coloured).contains('\u{1b}'),
        "--color always must beat NO_COLOR"
    );
    let auto = common::bin().args(["run", "emit"]).output().unwrap();
    assert!(
        !stdout(&auto).contains('\u{1b}'),
        "auto must not colour a pipe"
    );
}

#[test]
fn unreachable_server_fails_fast_naming_the_url() {
    let url = "http://127.0.0.1:9";
    let args = ["run", "rooms", "--server", url, "--timeout", "1000"];
    let err = common::one_line_error(&args, 1, "error: ");
    assert!(err.contains(&format!("`{url}`")), "{err}");
}

#[test]
fn a_lessons_file_may_not_take_a_builtin_name() {
    let chat = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    for (name, what) in [("fanout", "measuring lab"), ("rooms", "lesson")] {
        let test = common::Test::new().write(&format!("mine/{name}.toml"), &chat);
        let dir = test.path("mine");
        test.args(&["--lessons", &dir, "list"]).fails(
            2,
            &format!(
                "error: {dir}/{name}.toml: the name `{name}` is taken by the built-in {what}: rename the file\n"
            ),
        );
    }
}

#[test]
fn a_lessons_file_with_a_new_name_is_listed() {
    let chat = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    let test = common::Test::new().write("mine/private-chat.toml", &chat);
    let dir = test.path("mine");
    let out = test.args(&["--lessons", &dir, "list"]).output();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("  private-chat  the classic chat"), "{text}");
}

#[test]
fn a_flag_a_measuring_lab_does_not_use_is_refused() {
    common::Test::new()
        .args(&["run", "fanout", "--timeout", "1"])
        .fails(
            2,
            "error: `--timeout` is not for `run fanout`: it allows each connection and emit 20 s\n",
        );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // The reader is gone before anything is written (`socketio-lab list | true`):
    // no panic, nothing on stderr, exit 0. `serve` stops by itself: nobody can read
    // its log.
    let test = common::Test::new();
    for args in [
        &["list"][..],
        &["check", "lessons/chat.toml"][..],
        &["quiz", "--reset"][..],
        &["serve", "--port", "0"][..],
        &["run", "rooms"][..],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = common::bin()
            .args(args)
            .current_dir(repo())
            .env("SOCKETIO_LAB_STATE_DIR", test.path("state"))
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// Issue 13, item 6: what `check` refuses before reading, each in one located line.
#[cfg(unix)]
#[test]
fn check_refuses_files_that_are_not_lesson_text() {
    let test = common::Test::new();
    // A FIFO would block a reader forever; /dev/zero never ends.
    let fifo = test.path("fifo.toml");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let zero = test.path("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let big = test.path("big.toml");
    std::fs::write(&big, "#".repeat(2 * 1024 * 1024)).unwrap();
    // Latin-1 bytes: the third character of line 2's value is not UTF-8.
    let latin1 = test.path("latin1.toml");
    std::fs::write(&latin1, b"format_version = 1\ntitle = \"caf\xe9\"\n").unwrap();
    for (path, why) in [
        (
            &fifo,
            "fifo.toml:0:0: not a regular file (a lesson is a `.toml` file)",
        ),
        (
            &zero,
            "zero.toml:0:0: not a regular file (a lesson is a `.toml` file)",
        ),
        (
            &big,
            "big.toml:0:0: the file is over 1048576 bytes, the most a lesson may be",
        ),
        (&latin1, "latin1.toml:2:13: the file is not UTF-8 text"),
    ] {
        let out = run(&["check", path]);
        assert_eq!(out.status.code(), Some(2), "{path}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(why), "{path}: {err}");
    }
}

/// Issue 13, item 6: a client named twice in one list is refused at its location.
#[test]
fn check_refuses_a_client_named_twice() {
    let lesson = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    let twice = lesson.replacen("actors = [\"bob\"", "actors = [\"bob\", \"bob\"", 1);
    assert_ne!(twice, lesson, "chat.toml has an `actors` list to double");
    check_refuses("twice.toml", &twice, "`bob` appears twice in `actors`");
}

/// `check` of a lesson file `name` holding `text` fails with exit 2 and `needle`
/// on stderr.
fn check_refuses(name: &str, text: &str, needle: &str) {
    let test = common::Test::new().write(name, text);
    let out = run(&["check", &test.path(name)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains(needle), "{}", stderr(&out));
}

/// The four shells' completion scripts: each is generated from the clap types, so
/// each must offer every subcommand; bash's is also loaded into a real bash.
#[test]
fn completions_for_four_shells() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in [
            "socketio-lab",
            "run",
            "quiz",
            "demo",
            "serve",
            "check",
            "new",
            "completions",
        ] {
            assert!(script.contains(word), "{shell} script lacks `{word}`");
        }
        assert!(
            !script.contains("next:"),
            "{shell}: the script must stay a script"
        );
        assert!(stderr(&out).starts_with("next: "), "{}", stderr(&out));
    }
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped loading the bash script: no `bash`");
        return;
    }
    let script = stdout(&run(&["completions", "bash"]));
    let loaded = std::process::Command::new("bash")
        .args([
            "--norc",
            "-c",
            "eval \"$SCRIPT\" && complete -p socketio-lab",
        ])
        .env("SCRIPT", script)
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    let registered = stdout(&loaded);
    assert!(registered.contains("socketio-lab"), "{registered}");
}

#[test]
fn new_writes_a_starter_lesson_that_check_accepts_and_runs() {
    let test = common::Test::new().args(&["new", "my-first", "--dir", "drafts"]);
    let out = test.output();
    assert!(out.status.success(), "{}", stderr(&out));
    let file = test.path("drafts/my-first.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("title = \"My first\""), "{text}");
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() > 5,
        "not commented"
    );
    let check = run(&["check", &file]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(stdout(&check).starts_with("ok "), "{}", stdout(&check));
    // Never over an existing file.
    let again = test.output();
    assert_eq!(again.status.code(), Some(2));
    let err = stderr(&again);
    assert!(err.contains("already exists"), "{err}");
}

/// `check` runs the steps: a wrong `expect` fails it, located at its step.
#[test]
fn check_fails_a_lesson_whose_expect_does_not_hold() {
    let emit = std::fs::read_to_string(repo().join("lessons/emit.toml")).unwrap();
    let wrong = emit.replacen("expect = [\"alice\"]", "expect = [\"bob\"]", 1);
    assert_ne!(wrong, emit);
    let at = "wrong-expect.toml:50:1: step 2 `Back to the sender only`: when run, ";
    let needle = format!("{at}expected `echo` to reach bob but it reached alice");
    check_refuses("wrong-expect.toml", &wrong, &needle);
}

/// A lesson file named like a built-in one is refused by `check` (unless it is the
/// built-in file itself) as by `--lessons`, with the name and what holds it.
#[test]
fn check_refuses_a_user_lesson_with_a_built_in_name() {
    let emit = std::fs::read_to_string(repo().join("lessons/emit.toml")).unwrap();
    let taken = "the name `rooms` is taken by the built-in lesson: rename the file";
    check_refuses("rooms.toml", &emit, taken);
    let test = common::Test::new().write("mine/rooms.toml", &emit);
    let out = run(&["--lessons", &test.path("mine"), "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("taken by the built-in lesson"),
        "{}",
        stderr(&out)
    );
}

/// The format reference's complete example, as a file: the one ```toml block after
/// the `<!-- example: NAME -->` marker of docs/lesson-format.md.
fn format_example() -> (String, String) {
    let doc = std::fs::read_to_string(repo().join("docs/lesson-format.md")).unwrap();
    let (_, rest) = doc.split_once("<!-- example: ").expect("an example marker");
    let (name, rest) = rest.split_once(" -->").unwrap();
    let (_, rest) = rest
        .split_once("```toml\n")
        .expect("a toml block after the marker");
    let (body, _) = rest.split_once("```\n").unwrap();
    (name.to_string(), body.to_string())
}

#[test]
fn the_format_reference_example_passes_check() {
    let (name, body) = format_example();
    let test = common::Test::new().write(&name, &body);
    let out = run(&["check", &test.path(&name)]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // It runs, and every choice of its questions was run by `check`.
    assert!(
        stdout(&out).contains("3 questions checked by running them"),
        "{}",
        stdout(&out)
    );
}

/// Every field the lesson reader accepts (read from `src/lesson/raw.rs`) and every
/// operation is named in the format reference.
#[test]
fn the_format_reference_names_every_field_and_operation() {
    let doc = std::fs::read_to_string(repo().join("docs/lesson-format.md")).unwrap();
    let raw = std::fs::read_to_string(repo().join("src/lesson/raw.rs")).unwrap();
    let mut names: Vec<String> = Vec::new();
    let mut renamed = None;
    for line in raw.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[serde(rename = \"") {
            renamed = rest.split('"').next().map(str::to_string);
        }
        if let Some(rest) = line.strip_prefix("pub ") {
            if let Some((field, _)) = rest.split_once(':') {
                if !field.contains(' ') && !field.contains('(') {
                    names.push(renamed.take().unwrap_or_else(|| field.to_string()));
                }
            }
        }
    }
    // The declared server's fields (`[server]`, format 2), read from `src/app/mod.rs`:
    // every field of its deny_unknown_fields structs, `do` and `in` as renamed.
    let app = std::fs::read_to_string(repo().join("src/app/mod.rs")).unwrap();
    let mut strict = false;
    let mut renamed = None;
    let mut skipped = false;
    for line in app.lines().map(str::trim) {
        if line.starts_with("#[serde(") && line.contains("deny_unknown_fields") {
            strict = true;
        } else if line.starts_with("pub struct") || line.starts_with("pub enum") {
            strict = strict && line.starts_with("pub struct");
        } else if line == "}" {
            strict = false;
        }
        if let Some(rest) = line.split("rename = \"").nth(1) {
            renamed = rest.split('"').next().map(str::to_string);
        }
        // A field serde never reads (`#[serde(skip)]`) is no part of the format.
        if line == "#[serde(skip)]" {
            skipped = true;
            continue;
        }
        if let Some((field, _)) = line.strip_prefix("pub ").and_then(|r| r.split_once(':')) {
            if std::mem::take(&mut skipped) {
                continue;
            }
            if strict && !field.contains(' ') && !field.contains('(') {
                names.push(renamed.take().unwrap_or_else(|| field.to_string()));
            }
        }
    }
    names.extend(
        socketio_lab::lesson::Op::ALL
            .iter()
            .map(|op| op.to_string()),
    );
    assert!(names.len() > 30, "too few names read: {names:?}");
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| {
            !doc.contains(&format!("`{n}`"))
                && !doc.contains(&format!("`[[{n}]]`"))
                && !doc.contains(&format!("`[[questions.{n}]]`"))
                && !doc.contains(&format!("`[[clients.{n}]]`"))
                && !doc.contains(&format!("`[[server.{n}]]`"))
                && !doc.contains(&format!("`[[server.namespaces.{n}]]`"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/lesson-format.md does not name {missing:?}"
    );
}

/// Issue 13, item 5: lesson text reaches the terminal, so a string holding a control
/// character (here an OSC title change and a CSI colour, written as TOML escapes) is
/// refused at its line and column, and nothing of it is echoed raw.
#[test]
fn check_refuses_lesson_text_with_control_characters() {
    let lesson = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    let first_title = lesson.find("\ntitle = \"").expect("a step title") + 1;
    let line = lesson[..first_title].matches('\n').count() + 1;
    for (escape, code) in [
        (r"\u001b]0;owned\u0007", "U+001B"),
        (r"\u009b31m", "U+009B"),
    ] {
        let hostile = format!(
            "{}title = \"{escape}x\"{}",
            &lesson[..first_title],
            &lesson[first_title + lesson[first_title..].find('\n').unwrap()..]
        );
        let test = common::Test::new().write("hostile.toml", &hostile);
        let (path, dir) = (test.path("hostile.toml"), test.path(""));
        for args in [
            vec!["check", &path],
            vec!["run", "hostile", "--lessons", &dir],
        ] {
            let out = run(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains(&format!(
                    "hostile.toml:{line}:9: this string holds the control character {code}"
                )),
                "{args:?}: {err}"
            );
            assert!(
                !err.contains('\u{1b}') && !err.contains('\u{9b}'),
                "{err:?}"
            );
            assert!(!stdout(&out).contains('\u{1b}'), "{args:?}");
        }
    }
}

/// Issue 13, item 6: a payload the server would refuse is refused by `check`, with
/// the limit named, instead of failing during `run`.
#[test]
fn check_refuses_a_payload_over_the_servers_limit() {
    let lesson = std::fs::read_to_string(repo().join("lessons/chat.toml")).unwrap();
    let at = lesson.find("\npayload = ").expect("a payload") + 1;
    let end = at + lesson[at..].find('\n').unwrap();
    let fits = format!(
        "{}payload = \"{}\"{}",
        &lesson[..at],
        "x".repeat(990_000),
        &lesson[end..]
    );
    let over = format!(
        "{}payload = \"{}\"{}",
        &lesson[..at],
        "x".repeat(1_000_000),
        &lesson[end..]
    );
    let test = common::Test::new()
        .write("fits.toml", &fits)
        .write("over.toml", &over);
    let out = run(&["check", &test.path("fits.toml")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["check", &test.path("over.toml")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("bytes as JSON, over the 1,000,000 bytes a Socket.IO message may hold"),
        "{}",
        stderr(&out)
    );
}

/// Issue 13, item 5: an error message that quotes the file (here serde's "unknown
/// field" naming a key made of escapes) is printed escaped.
#[test]
fn errors_quoting_a_lesson_are_printed_escaped() {
    let test = common::Test::new().write(
        "keys.toml",
        "format_version = 1\n\"\\u001b]0;owned\\u0007\" = 1\n",
    );
    let out = run(&["check", &test.path("keys.toml")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("keys.toml:2:1:"), "{err}");
    assert!(err.contains("\\e]0;owned\\u{7}"), "{err}");
    assert!(!err.contains(['\u{1b}', '\u{7}']), "{err:?}");
}

#[test]
fn unmasked_shows_the_real_port_masked_a_stand_in() {
    let startup = |args: &[&str]| {
        let out = common::run(args);
        assert!(out.status.success(), "{}", common::stderr(&out));
        let text = common::stdout(&out);
        let line = text
            .lines()
            .find(|l| l.contains("server log server running at"))
            .unwrap_or_else(|| panic!("no startup line in:\n{text}"))
            .to_string();
        (line, text)
    };
    let (masked, text) = startup(&["run", "chat", "--color", "never"]);
    assert!(masked.ends_with("http://localhost:PORT"), "{masked}");
    assert!(text.contains("── the server starts"), "{text}");
    let (real, _) = startup(&["run", "chat", "--color", "never", "--unmasked"]);
    let port = real.rsplit(':').next().unwrap();
    assert!(
        port.parse::<u16>().is_ok_and(|p| p > 0),
        "the real port, not a stand-in: {real}"
    );
    common::one_line_error(&["run", "fanout", "--unmasked"], 2, "error: `--unmasked`");
}

/// Issue 26: a client on a namespace the server never declared, refused with
/// `Invalid namespace`, claimed per step; a wrong message is a failure that says
/// what came. Run on the embedded server, and on the Node reference when it is here.
#[test]
fn a_namespace_nobody_declared_answers_invalid_namespace() {
    let lesson = |message: &str| {
        format!(
            r#"format_version = 2
title = "Games"
summary = "a namespace nobody declared"
intro = "gus asks for /games."

[[clients]]
name = "ann"

[[clients]]
name = "gus"
namespace = "/games"

[[server.namespaces]]
name = "/"

[[steps]]
title = "ann connects"
op = "connect"
actor = "ann"

[[steps]]
title = "gus asks for /games"
op = "connect"
actor = "gus"
expect_connect_error = "{message}"
"#
        )
    };
    let good = common::Test::new().write("mine/games.toml", &lesson("Invalid namespace"));
    let dir = good.path("mine");
    let out = good
        .args(&["--lessons", &dir, "run", "games", "--json"])
        .output();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["steps"][1]["passed"], true, "{doc:#}");
    let wrong = common::Test::new().write("mine/games.toml", &lesson("Nope"));
    let dir = wrong.path("mine");
    let out = wrong
        .args(&["--lessons", &dir, "run", "games", "--color", "never"])
        .output();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            r#"expected `gus`'s connect_error to be "Nope", but it was "Invalid namespace""#
        ),
        "{}",
        stdout(&out)
    );
    if !common::node_ready("a_namespace_nobody_declared", "socket.io") {
        return;
    }
    let node = common::node_reference().unwrap_or_else(|e| panic!("{e}"));
    let on_node = common::Test::new().write("mine/games.toml", &lesson("Invalid namespace"));
    let dir = on_node.path("mine");
    let url = node.url();
    let out = on_node
        .args(&[
            "--lessons",
            &dir,
            "run",
            "games",
            "--server",
            &url,
            "--json",
        ])
        .output();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}
