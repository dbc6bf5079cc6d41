//! `socketio-lab run fanout`: the shape of its report, never its timings.

use crate::common;

use common::{run, stderr, stdout};

#[test]
fn fanout_measures_every_size_up_to_the_client_count() {
    let out = run(&["run", "fanout", "--clients", "150", "--color", "never"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}\n{text}", stderr(&out));
    assert!(text.contains("Connected 150 clients in"), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" ms ") && l.contains('|') && !l.contains("io.emit"))
        .collect();
    let sizes: Vec<&str> = rows
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(sizes, ["10", "100", "150"], "{text}");
    for row in rows {
        assert_eq!(row.matches(" ms").count(), 7, "{row}");
    }
    // Two bars per size: `io.emit` and the fixed room.
    assert_eq!(text.matches("io.emit    |#").count(), 3, "{text}");
    assert_eq!(text.matches("room of 10 |=").count(), 3, "{text}");
    assert!(
        text.contains("no delivery reached a socket outside"),
        "{text}"
    );
    assert!(
        text.contains("From 10 to 150 clients, `io.emit` took"),
        "{text}"
    );
    // No terminal: no progress bar on stderr.
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn too_many_clients_for_the_file_limit_is_one_clear_line() {
    let args = ["run", "fanout", "--clients", "100000000"];
    let starts = "error: `--clients 100000000` needs about";
    let err = common::one_line_error(&args, 2, starts);
    assert!(err.contains("`RLIMIT_NOFILE`"), "{err}");
}

#[test]
fn clients_is_only_for_fanout() {
    let out = run(&["run", "rooms", "--clients", "5", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`--clients`"), "{}", stderr(&out));
}
