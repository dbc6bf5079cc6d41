//! Text laid out to a width, measured in terminal columns (`unicode-width`, so a CJK
//! character counts two and a combining accent none): prose wrapped at spaces, code
//! wrapped between tokens. Neither ever breaks a word, a name or a code token: one
//! that is wider than the line is given a line of its own.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

/// Greedy word wrap with an indent on every line; paragraphs are separated by a
/// blank line in `text` and in the result.
pub fn wrap(text: &str, indent: usize, width: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for paragraph in text.split("\n\n") {
        if !out.is_empty() {
            out.push('\n');
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && indent + line.width() + 1 + word.width() > width {
                let _ = writeln!(out, "{pad}{line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(out, "{pad}{line}");
        }
    }
    out
}

/// The language of a piece of code: where a line may break depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// JavaScript: a line break can end a statement (`return`), is refused between an
    /// arrow's parameters and its `=>`, and `'...'`, template literals and regular
    /// expressions are single tokens.
    Js,
    /// Rust: a line break is a space everywhere outside a literal.
    Rust,
}

/// Code cut into pieces that each fit their line: the first `first` columns wide, the
/// others `rest` wide (the caller indents them further, as a continuation). A line
/// breaks only where the language reads a break as the code joined on one line: after
/// `,` or an opening bracket, before a method's `.` (never inside `...`, `..` or
/// `?.`), and after a space in Rust but in JavaScript only after an operator that
/// needs its right side (`=`, `=>`, `&&`, `||`, `??`, `?`, `:`, `+`); never inside a
/// literal (string, template, regular expression), a `::<..>` type list or a trailing
/// `//` comment. A piece with no break that fits runs past the width.
/// Joined back, the pieces give `code` again, less the spaces at the breaks.
pub fn wrap_code(code: &str, first: usize, rest: usize, lang: Lang) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for segment in segments(code, lang) {
        let room = if lines.is_empty() { first } else { rest };
        if !line.trim().is_empty() && line.width() + segment.trim_end().width() > room {
            lines.push(line.trim_end().to_string());
            line = segment.trim_start().to_string();
        } else {
            line.push_str(segment);
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// What `segments` is inside of, where no line may break.
#[derive(Clone, Copy, PartialEq)]
enum Inside {
    Code,
    /// A string or template literal closed by this quote.
    Quote(char),
    /// A JavaScript regular expression; `true` inside a `[...]` class.
    Regex(bool),
}

/// `code` split where a line may break; the segments concatenate to `code`.
fn segments(code: &str, lang: Lang) -> Vec<&str> {
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let mut cuts = vec![0];
    let mut inside = Inside::Code;
    let mut escaped = false;
    let mut generics = 0usize;
    // Open `${` substitutions of JavaScript template literals, each with the braces
    // opened inside it: their code may break as any code may.
    let mut substitutions: Vec<usize> = Vec::new();
    // The last character of code (outside a literal) that is not a space.
    let mut last: Option<char> = None;
    for (i, &(at, c)) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(i + 1).map(|&(_, c)| c);
        if inside != Inside::Code {
            match (inside, c) {
                _ if escaped => escaped = false,
                (_, '\\') => escaped = true,
                (Inside::Quote('`'), '$') if next == Some('{') && lang == Lang::Js => {
                    substitutions.push(0);
                    inside = Inside::Code;
                    // The `{` is read as code next, and counted there.
                    last = Some(c);
                    continue;
                }
                (Inside::Quote(q), _) if c == q => inside = Inside::Code,
                (Inside::Regex(false), '[') => inside = Inside::Regex(true),
                (Inside::Regex(true), ']') => inside = Inside::Regex(false),
                (Inside::Regex(false), '/') => inside = Inside::Code,
                _ => {}
            }
            last = Some(c);
            continue;
        }
        match c {
            // A trailing comment moves as one piece.
            '/' if next == Some('/') => {
                cuts.push(at);
                break;
            }
            // A regular expression where an operand starts (not a division).
            '/' if lang == Lang::Js && last.is_none_or(|l| "(,=:[!&|?{};".contains(l)) => {
                inside = Inside::Regex(false)
            }
            // The brace that closes a substitution returns to its template literal.
            '}' if substitutions.last() == Some(&1) => {
                substitutions.pop();
                inside = Inside::Quote('`');
                last = Some(c);
                continue;
            }
            '{' | '}' if !substitutions.is_empty() => {
                let depth = substitutions.last_mut().expect("not empty");
                if c == '{' {
                    *depth += 1;
                    // Never a break between `${` and the code inside.
                    if *depth == 1 {
                        last = Some(c);
                        continue;
                    }
                    cuts.push(at + 1);
                } else {
                    *depth -= 1;
                }
            }
            '"' => inside = Inside::Quote('"'),
            '\'' | '`' if lang == Lang::Js => inside = Inside::Quote(c),
            '<' if prev == Some(':') => generics += 1,
            '>' if generics > 0 => generics -= 1,
            _ if generics > 0 => {}
            // Before a method call's dot, not inside a number such as `1.5`, a spread
            // or range (`...`, `..`) or JavaScript's optional chaining (`?.`).
            '.' if next.is_some_and(|n| n.is_alphabetic() || n == '_')
                && !prev.is_some_and(|p| p.is_ascii_digit() || p == '.' || p == '?') =>
            {
                cuts.push(at)
            }
            // Never between empty brackets: `ok(\n)` reads as a broken call.
            '(' if next == Some(')') => {}
            '[' if next == Some(']') => {}
            '{' if next == Some('}') => {}
            ',' | '(' | '[' | '{' => cuts.push(at + c.len_utf8()),
            ' ' if lang == Lang::Rust || js_continues(&code[..at]) => cuts.push(at + 1),
            _ => {}
        }
        if !c.is_whitespace() {
            last = Some(c);
        }
    }
    cuts.push(code.len());
    cuts.dedup();
    cuts.windows(2).map(|w| &code[w[0]..w[1]]).collect()
}

/// Whether JavaScript `before` ends in an operator that needs its right side, so a
/// line break after it cannot end the statement.
fn js_continues(before: &str) -> bool {
    let before = before.trim_end();
    ["=", "=>", "&&", "||", "??", "?", ":"]
        .iter()
        .any(|op| before.ends_with(op))
        || (before.ends_with('+') && !before.ends_with("++"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROSE: &str = "Targeting several rooms sends to the union of their members, and each \
        socket receives the event once: `socket.to([\"r1\", \"r2\"])` keeps bob to one copy. \
        The server, not the client, decides who is in a room.";

    /// Every line within `width` unless it holds one word too long for any line.
    fn fits(text: &str, width: usize) {
        for line in text.lines() {
            let single = line.split_whitespace().count() == 1;
            assert!(line.width() <= width || single, "{width}: {line:?}");
        }
    }

    #[test]
    fn prose_wraps_at_40_80_and_120_without_breaking_words() {
        for width in [40, 80, 120] {
            let text = wrap(PROSE, 2, width);
            fits(&text, width);
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(words, PROSE.split_whitespace().collect::<Vec<_>>());
            assert!(text.lines().all(|l| l.starts_with("  ")), "{text}");
        }
        let lines = |width| wrap(PROSE, 2, width).lines().count();
        assert_eq!(lines(40), 6);
        assert_eq!(lines(80), 3);
        assert_eq!(lines(120), 2);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        // 12 characters, 24 columns: one per line at width 30, never two.
        let text = wrap(
            "日本語の部屋にようこそ。 日本語の部屋にようこそ。 ok",
            0,
            30,
        );
        assert_eq!(
            text,
            "日本語の部屋にようこそ。\n日本語の部屋にようこそ。 ok\n"
        );
        fits(&text, 30);
        // Combining accents take no column: "café" written with one is 4 wide.
        assert_eq!(
            wrap("cafe\u{301} cafe\u{301}", 0, 9),
            "cafe\u{301} cafe\u{301}\n"
        );
        let code = "io.to(\"部屋\").emit(\"ニュース\", &\"こんにちは、みなさん\").await";
        let lines = wrap_code(code, 40, 36, Lang::Rust);
        assert!(lines.iter().all(|l| l.width() <= 40), "{lines:?}");
        assert!(
            lines.iter().any(|l| l.contains("\"こんにちは、みなさん\"")),
            "{lines:?}"
        );
    }

    const RUST: &str =
        "socket.to([\"r1\", \"r2\"]).emit_with_ack::<_, Value>(\"news\", &\"to r1 and r2\").await";

    #[test]
    fn code_breaks_between_tokens_at_40_80_and_120() {
        for width in [40, 80, 120] {
            let lines = wrap_code(RUST, width, width - 4, Lang::Rust);
            for (i, line) in lines.iter().enumerate() {
                let room = if i == 0 { width } else { width - 4 };
                assert!(line.width() <= room, "{width}: {line:?}");
            }
            // Nothing lost or reordered: only the spaces at the breaks are gone.
            let joined: String = lines.concat();
            assert_eq!(joined.replace(' ', ""), RUST.replace(' ', ""), "{lines:?}");
            // Never inside a string or the type list.
            for token in ["\"to r1 and r2\"", "emit_with_ack::<_, Value>", "\"r1\""] {
                assert!(
                    lines.iter().any(|l| l.contains(token)),
                    "{token}: {lines:?}"
                );
            }
        }
        assert_eq!(
            wrap_code(RUST, 120, 116, Lang::Rust),
            vec![RUST.to_string()]
        );
        assert_eq!(
            wrap_code(RUST, 40, 36, Lang::Rust),
            vec![
                "socket.to([\"r1\", \"r2\"])",
                ".emit_with_ack::<_, Value>(\"news\",",
                "&\"to r1 and r2\").await",
            ]
        );
    }

    #[test]
    fn a_token_wider_than_the_line_gets_a_line_of_its_own() {
        let code = "io.emit(\"news\", \"a string literal far longer than the line\")";
        let lines = wrap_code(code, 30, 26, Lang::Rust);
        assert_eq!(
            lines,
            vec![
                "io.emit(\"news\",",
                "\"a string literal far longer than the line\")",
            ]
        );
        assert_eq!(wrap_code("x", 30, 26, Lang::Rust), vec!["x"]);
        assert_eq!(
            wrap_code(
                "io.emit(\"a\", &msg).await  // in the handler",
                30,
                26,
                Lang::Rust
            ),
            vec!["io.emit(\"a\", &msg).await", "// in the handler"]
        );
        assert_eq!(
            wrap_code("json!({\"a\":1.5})", 8, 8, Lang::Rust),
            vec!["json!({", "\"a\":1.5})"]
        );
    }

    #[test]
    fn empty_brackets_stay_together() {
        for width in 10..40 {
            for line in wrap_code(
                "socket.emit(\"a\", &msg).ok(); let v = vec![]; {}",
                width,
                width,
                Lang::Rust,
            ) {
                assert!(
                    !line.ends_with("ok(") && !line.ends_with("vec![") && !line.ends_with('{'),
                    "{width}: {line}"
                );
            }
        }
    }

    /// Every break of `code` at every width from 10 to 60, as JavaScript.
    fn js_lines(code: &str) -> Vec<Vec<String>> {
        (10..60).map(|w| wrap_code(code, w, w, Lang::Js)).collect()
    }

    #[test]
    fn javascript_breaks_only_where_a_line_break_keeps_its_meaning() {
        let code = "socket.timeout(500).emit(\"ask\", (err, answer) => { console.log(`got ${answer} of ${err}`); });";
        for lines in js_lines(code) {
            // An arrow's `=>` stays on its parameters' line; a template is one token.
            assert!(!lines.iter().any(|l| l.starts_with("=>")), "{lines:?}");
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("`got ${answer} of ${err}`")),
                "{lines:?}"
            );
            assert_eq!(lines.concat().replace(' ', ""), code.replace(' ', ""));
        }
        let spread = "const rooms = [...socket.rooms].filter((r) => r !== socket.id);";
        for lines in js_lines(spread) {
            assert!(lines.iter().any(|l| l.contains("...socket")), "{lines:?}");
            assert!(!lines.iter().any(|l| l.ends_with('.')), "{lines:?}");
        }
        let regex = "const tenants = io.of(/^\\/tenants\\/[^/]+$/);";
        for lines in js_lines(regex) {
            assert!(
                lines.iter().any(|l| l.contains("/^\\/tenants\\/[^/]+$/")),
                "{lines:?}"
            );
        }
        // Rust's `..` stays whole too.
        for w in 4..30 {
            let lines = wrap_code("Config { ..Config::default() }", w, w, Lang::Rust);
            assert!(lines.iter().any(|l| l.contains("..Config")), "{lines:?}");
        }
        let chained = "console.log(err?.message ?? 'no error, it said');";
        for lines in js_lines(chained) {
            assert!(
                lines.iter().any(|l| l.contains("err?.message")),
                "{lines:?}"
            );
            assert!(
                lines.iter().any(|l| l.contains("'no error, it said'")),
                "{lines:?}"
            );
        }
        // No break after a word: `async` and `return` keep what follows.
        assert_eq!(
            wrap_code("return next(new Error(\"no\"));", 8, 8, Lang::Js),
            vec!["return next(", "new Error(", "\"no\"));"]
        );
        assert_eq!(
            wrap_code(
                "io.on(\"connection\", async (socket) => {",
                30,
                30,
                Lang::Js
            ),
            vec!["io.on(\"connection\", async (", "socket) => {"]
        );
    }
}
