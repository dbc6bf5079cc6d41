//! Issue 27, item 6: every line of every command's output fits 80 columns (the
//! width of output that is not a terminal), read from the snapshots that pin them:
//! transcripts, quizzes, help, the server's log. Prose wraps, code wraps between
//! tokens, comments wrap as comments. Two kinds are left out on purpose: `--json`
//! documents (data, not a screen) and error messages, which stay one line on stderr
//! so that a script can read them whole.

use unicode_width::UnicodeWidthStr;

use crate::common::repo;

#[test]
fn every_snapshotted_screen_fits_80_columns() {
    let mut checked = 0;
    let mut over = Vec::new();
    for entry in std::fs::read_dir(repo().join("snapshots")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".snap") || name.contains("json") || name.starts_with("usage_errors") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // The body follows insta's header, which sits between two `---` lines.
        let body = text.splitn(3, "---\n").nth(2).unwrap_or("");
        checked += 1;
        for (i, line) in body.lines().enumerate() {
            if line.width() > 80 {
                over.push(format!(
                    "{name}:{}: {} columns: {line}",
                    i + 1,
                    line.width()
                ));
            }
        }
    }
    assert!(checked >= 30, "only {checked} snapshots read");
    assert!(
        over.is_empty(),
        "lines wider than 80 columns:\n{}",
        over.join("\n")
    );
}
