//! A lesson's server as whole files, `index.js` and `src/main.rs`, exactly as
//! `export` writes them, and where in them a step's lines are: the transcript shows
//! each file once, numbered, and then each step's code with those numbers.

use crate::lesson::Lesson;

/// The two files of a lesson that declares its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// `index.js`, as `export --lang js` writes it.
    pub js: String,
    /// `src/main.rs`, as `export --lang rust` writes it.
    pub rust: String,
}

impl Listing {
    /// `None` for a lesson that runs the lab's fixed server (format 1).
    pub fn of(lesson: &Lesson) -> Option<Listing> {
        let file = |files: Vec<crate::export::File>, name: &str| {
            files.into_iter().find(|f| f.name == name).map(|f| f.text)
        };
        Some(Listing {
            js: file(crate::export::js_project(lesson, None).ok()?, "index.js")?,
            rust: file(
                crate::export::rust_project(lesson, None).ok()?,
                "src/main.rs",
            )?,
        })
    }
}

/// The line numbers of a step's code, one per line of its JavaScript and its Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepNumbers {
    pub js: Vec<Option<usize>>,
    pub rust: Vec<Option<usize>>,
}

/// Where each line of a step's code (`snippet::code` for `actor`) stands in the
/// files `export` writes; `None` for a lesson that runs the lab's fixed server.
/// The transcript and the web page both number a step's code by it.
pub fn step_numbers(
    lesson: &Lesson,
    actor: &crate::lesson::Client,
    code: &crate::snippet::Snippet,
) -> Option<StepNumbers> {
    let listing = Listing::of(lesson)?;
    let scope = scope_of(lesson, actor);
    Some(StepNumbers {
        js: numbers(&listing.js, &code.js, scope.as_deref()),
        rust: numbers(&listing.rust, &code.rust, None),
    })
}

/// What [`numbers`] takes as `scope` for a step of `client`: the first line of its
/// namespace's JavaScript connection handler, inside which its handlers stand.
fn scope_of(lesson: &Lesson, client: &crate::lesson::Client) -> Option<String> {
    let ns = lesson.app.as_ref()?.namespace(&client.namespace)?;
    crate::app::js::connection(ns)
        .lines()
        .next()
        .map(str::to_string)
}

/// For each line of `shown`, its line number (from 1) in `file`.
///
/// `shown` is one or more blocks, each starting at a line of code at the left
/// margin (a handler, a middleware). Each block is placed where the file holds its
/// lines, in order, the most of them; between equals, inside `scope` (the lines of
/// the step's namespace, from its connection handler's first line to its closing
/// one: two namespaces may hold the same handler), then after the block before.
/// Within a block:
/// - a line that closes a block (`}`, `});`) is the file's line that closes what
///   the last line shown at its indentation opened: the next line of the file at
///   that opener's indentation reading the same, so a handler shown with its body
///   elided still ends on its own closing line;
/// - any other line is the next line of the file that reads the same once
///   indentation is set aside.
///
/// A line the file does not hold (a comment that stands for code, say) gets no
/// number rather than a wrong one.
pub fn numbers(file: &str, shown: &str, scope: Option<&str>) -> Vec<Option<usize>> {
    let lines: Vec<&str> = file.lines().collect();
    let span = scope.and_then(|first| {
        let start = lines.iter().position(|l| l.trim() == first.trim())?;
        let end = closing(&lines, start, "});").unwrap_or(lines.len());
        Some(start..=end)
    });
    let shown: Vec<&str> = shown.lines().collect();
    let starts_block = |line: &str| {
        let text = line.trim();
        indent(line) == 0 && !text.is_empty() && !text.starts_with("//") && !text.starts_with('}')
    };
    let mut out = Vec::new();
    let mut after: Option<usize> = None;
    let mut i = 0;
    while i < shown.len() {
        let end = (i + 1..shown.len())
            .find(|&j| starts_block(shown[j]))
            .unwrap_or(shown.len());
        let block = &shown[i..end];
        let first = block[0].trim();
        let candidates: Vec<usize> = (0..lines.len())
            .filter(|&c| lines[c].trim() == first)
            .collect();
        let placed = candidates
            .iter()
            .map(|&c| (c, place(&lines, block, Some(c))))
            .max_by_key(|&(c, ref numbers)| {
                let matched = numbers.iter().flatten().count();
                let inside = span.as_ref().is_some_and(|s| s.contains(&c));
                let later = after.is_none_or(|a| c > a);
                // Most lines found, then inside the scope, then after the last
                // block, then the earliest (`Reverse`).
                (matched, inside, later, std::cmp::Reverse(c))
            })
            .map(|(_, numbers)| numbers)
            .unwrap_or_else(|| place(&lines, block, None));
        after = placed.iter().flatten().max().copied().or(after);
        out.extend(placed.into_iter().map(|n| n.map(|n| n + 1)));
        i = end;
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The line after `opener` that closes it: at its indentation, reading `text`.
fn closing(lines: &[&str], opener: usize, text: &str) -> Option<usize> {
    let depth = indent(lines[opener]);
    (opener + 1..lines.len()).find(|&i| indent(lines[i]) == depth && lines[i].trim() == text)
}

/// The file indexes of a block's lines when its first line is the file's `first`
/// (`None`: its first line is not in the file, a comment say).
fn place(lines: &[&str], block: &[&str], first: Option<usize>) -> Vec<Option<usize>> {
    // Each line found so far: its indentation as shown, and its index in the file.
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut last = first;
    let mut out = Vec::new();
    for (k, line) in block.iter().enumerate() {
        let text = line.trim();
        let index = if k == 0 {
            first
        } else if text.is_empty() {
            None
        } else if text.starts_with('}') {
            found
                .iter()
                .rev()
                .find(|(i, _)| *i == indent(line))
                .and_then(|&(_, opener)| closing(lines, opener, text))
        } else {
            let from = last.map_or(0, |l| l + 1);
            (from..lines.len()).find(|&i| lines[i].trim() == text)
        };
        if let Some(index) = index {
            last = Some(index);
            found.push((indent(line), index));
        }
        out.push(index);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "io.on(\"connection\", (socket) => {\n  socket.on(\"a\", () => {\n    go();\n  });\n  socket.on(\"b\", () => {\n    go();\n  });\n});\n";

    #[test]
    fn each_shown_line_gets_the_number_of_its_own_line() {
        let shown = "socket.on(\"b\", () => {\n  go();\n});\n";
        assert_eq!(numbers(FILE, shown, None), vec![Some(5), Some(6), Some(7)]);
        // A later block shown first, then an earlier one: each finds its own.
        let shown =
            "socket.on(\"b\", () => {\n  go();\n});\nsocket.on(\"a\", () => {\n  go();\n});\n";
        assert_eq!(
            numbers(FILE, shown, None),
            vec![Some(5), Some(6), Some(7), Some(2), Some(3), Some(4)]
        );
    }

    #[test]
    fn a_block_shown_with_its_body_elided_ends_on_its_own_closing_line() {
        let shown = "io.on(\"connection\", (socket) => {\n  // its handlers\n});\n";
        assert_eq!(numbers(FILE, shown, None), vec![Some(1), None, Some(8)]);
    }

    #[test]
    fn a_line_the_file_lacks_or_holds_ambiguously_gets_no_number() {
        let shown = "// then it attaches handlers\n  go();\n";
        assert_eq!(numbers(FILE, shown, None), vec![None, Some(3)]);
        // `go();` again after line 7: the file has it twice, both earlier.
        let shown = "socket.on(\"b\", () => {\n  go();\n});\n  go();\n";
        assert_eq!(
            numbers(FILE, shown, None),
            vec![Some(5), Some(6), Some(7), None]
        );
    }

    /// Every line of code a step shows (a comment aside) has its number: none is
    /// missing from the file or found twice with nothing to choose between them.
    #[test]
    fn every_line_of_code_a_step_shows_is_numbered() {
        for lesson in crate::lesson::embedded().unwrap() {
            let Some(listing) = Listing::of(&lesson) else {
                continue;
            };
            for (i, step) in lesson.steps.iter().enumerate() {
                let Some(actor) = lesson.client(step.action.actor()) else {
                    continue;
                };
                let code = crate::snippet::code(&lesson, step, actor);
                let numbered = step_numbers(&lesson, actor, &code).unwrap();
                let files = [
                    (&listing.js, &code.js, &numbered.js),
                    (&listing.rust, &code.rust, &numbered.rust),
                ];
                for (file, shown, numbers) in files {
                    for (line, number) in shown.lines().zip(numbers.iter().copied()) {
                        let text = line.trim();
                        if text.is_empty() || text.starts_with("//") {
                            continue;
                        }
                        let number = number.unwrap_or_else(|| {
                            panic!("{} step {}: no number for {line:?}", lesson.id, i + 1)
                        });
                        assert_eq!(file.lines().nth(number - 1).unwrap().trim(), text);
                    }
                }
            }
        }
    }

    #[test]
    fn every_lesson_with_a_server_has_both_files() {
        for lesson in crate::lesson::embedded().unwrap() {
            let listing = Listing::of(&lesson);
            assert_eq!(listing.is_some(), lesson.app.is_some(), "{}", lesson.id);
            if let Some(listing) = listing {
                assert!(listing.js.contains("instrument(io);"), "{}", lesson.id);
                assert!(listing.rust.contains("async fn main()"), "{}", lesson.id);
            }
        }
    }
}
