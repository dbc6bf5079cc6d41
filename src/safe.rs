//! Text from outside (the network, a file), made safe to print. A name, a room or an
//! event name that carries control characters could otherwise move the cursor,
//! recolour the terminal, retitle the window or forge a log line: each such character
//! is shown escaped instead (`\e` for ESC, `\n`, `\r`, `\t`, `\u{..}` for the rest).

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that act on the terminal or on the order text is shown in: the C0 and
/// C1 controls and DEL, and Unicode's bidirectional overrides and isolates (which
/// can make a line read differently from what it holds).
pub(crate) fn acts(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that acts on a terminal escaped; borrowed when there
/// is none, which is nearly always.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A JSON document with every character that acts on a terminal written as a `\uXXXX`
/// escape. serde_json escapes only U+0000 to U+001F; DEL, the C1 controls (U+009B is
/// a CSI on some terminals) and the bidi overrides would reach a terminal that shows
/// `--json` raw. Such characters can only stand inside JSON strings, where the escape
/// means the same character, so the document's value is unchanged.
pub fn json(doc: &impl serde::Serialize) -> String {
    let text = serde_json::to_string_pretty(doc).unwrap_or_default();
    if !text.chars().any(acts) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        // serde_json's own escapes leave only newlines, outside strings, as controls.
        if acts(c) && c != '\n' {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// At most this many characters of one piece of outside text are echoed or logged.
pub const SHOWN: usize = 100;

/// `text`, cut to its first `SHOWN` characters when longer, with its full size said:
/// a 10 MB event name is neither echoed back whole nor logged whole.
pub fn capped(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(SHOWN) {
        None => text(s),
        Some((end, _)) => Cow::Owned(format!(
            "{}… ({} bytes in all)",
            text(&s[..end]),
            thousands(s.len() as u64)
        )),
    }
}

/// Past this many bytes, a payload or a log line is too long to read in a transcript
/// (a step's generated text, say): it is shown by its size instead.
pub const LONG: usize = 200;

/// A received value as a transcript shows it: its JSON, or, when too long to read,
/// its size in words and none of its content.
pub fn value(v: &serde_json::Value) -> String {
    let json = v.to_string();
    match v {
        _ if json.len() <= LONG => json,
        serde_json::Value::String(s) => format!("(a text of {} bytes)", thousands(s.len() as u64)),
        _ => format!("({} bytes of JSON)", thousands(json.len() as u64)),
    }
}

/// A server's log line as a transcript shows it: escaped, and when too long to read,
/// its first words and its size.
pub fn line(s: &str) -> Cow<'_, str> {
    if s.len() <= LONG {
        return text(s);
    }
    let end = s.char_indices().nth(16).map_or(s.len(), |(i, _)| i);
    Cow::Owned(format!(
        "{}… (a line of {} bytes)",
        text(&s[..end]),
        thousands(s.len() as u64)
    ))
}

/// "12,345": counts (of bytes, of lines not shown) read at a glance.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        // An OSC title change, a CSI colour, a forged log line and a bidi override.
        let hostile = "\u{1b}]0;owned\u{7}\u{1b}[31mred\nfake line\r\u{202e}txt\u{9b}";
        let shown = text(hostile);
        assert_eq!(
            shown,
            "\\e]0;owned\\u{7}\\e[31mred\\nfake line\\r\\u{202e}txt\\u{9b}"
        );
        assert!(!shown.chars().any(acts));
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw_and_keeps_its_value() {
        let value = serde_json::json!({ "event": "a\u{7f}b\u{9b}31m\u{202e}c\u{1b}", "n": [1] });
        let shown = json(&value);
        assert!(!shown.chars().any(|c| acts(c) && c != '\n'), "{shown}");
        assert!(shown.contains(r"a\u007fb\u009b31m\u202ec\u001b"), "{shown}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&shown).unwrap(),
            value
        );
    }

    #[test]
    fn a_long_text_is_shown_by_its_size() {
        let long = "x".repeat(LONG + 1);
        assert_eq!(value(&serde_json::Value::from("hi")), "\"hi\"");
        assert_eq!(
            value(&serde_json::Value::from(long.clone())),
            "(a text of 201 bytes)"
        );
        assert_eq!(value(&serde_json::json!([long])), "(205 bytes of JSON)");
        let logged = format!("message: {long}");
        assert_eq!(line(&logged), "message: xxxxxxx… (a line of 210 bytes)");
        assert_eq!(line("message: hi"), "message: hi");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["alice", "chat message", "r1", "café ☕ 日本", ""] {
            assert!(matches!(text(s), Cow::Borrowed(b) if b == s));
        }
    }

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12345), "12,345");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn long_text_is_capped_with_its_size() {
        let name = "x".repeat(10 * 1024 * 1024);
        let shown = capped(&name);
        assert_eq!(
            shown,
            format!("{}… (10,485,760 bytes in all)", "x".repeat(SHOWN))
        );
        // Characters, not bytes: a multi-byte character is never cut in half.
        let wide = "é".repeat(SHOWN + 1);
        assert_eq!(
            capped(&wide),
            format!("{}… ({} bytes in all)", "é".repeat(SHOWN), 2 * (SHOWN + 1))
        );
        assert_eq!(capped("short"), "short");
    }
}
