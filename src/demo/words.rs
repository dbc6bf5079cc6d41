//! Plain words: the demo's vocabulary rules and the small helpers that say names,
//! rooms and messages the way people write them.

use serde_json::Value;

/// Technical words that must not appear in plain narration (plural and verb forms
/// included, see [`is_jargon`]).
pub const JARGON: &[&str] = &[
    "socket",
    "websocket",
    "emit",
    "broadcast",
    "namespace",
    "event",
    "payload",
    "server-side",
    "client",
    "handler",
    "callback",
    "listener",
    "middleware",
    "adapter",
    "transport",
    "polling",
    "packet",
    "ack",
    "acknowledgement",
    "sid",
    "json",
    "api",
    "protocol",
    "backend",
    "frontend",
    "endpoint",
    "async",
];

/// The one command that shows the technical version of the same story.
pub const TECHNICAL_COMMAND: &str = "socketio-lab run chat";

pub(super) const GLOSSARY_PREFIX: &str = "word:";
pub(super) const DETAIL_PREFIX: &str = "detail:";

/// A step's narration split into plain text and its glossary lines `(term, meaning)`.
pub fn split_narration(narration: &str) -> (String, Vec<(String, String)>) {
    let mut plain = Vec::new();
    let mut glossary = Vec::new();
    for line in narration.lines() {
        match line.trim().strip_prefix(GLOSSARY_PREFIX) {
            Some(entry) => {
                let (term, meaning) = entry.split_once(" - ").unwrap_or((entry, ""));
                glossary.push((term.trim().to_string(), meaning.trim().to_string()));
            }
            None => plain.push(line),
        }
    }
    (plain.join("\n").trim().to_string(), glossary)
}

/// True when `token` (lowercase) is a jargon word or one of its usual forms.
pub fn is_jargon(token: &str) -> bool {
    const ENDINGS: &[&str] = &["", "s", "es", "ed", "ted", "ing", "ting", "ter", "ters"];
    JARGON.iter().any(|word| {
        token
            .strip_prefix(word)
            .is_some_and(|rest| ENDINGS.contains(&rest))
    })
}

/// The jargon words found in plain text (glossary and detail lines are skipped).
pub fn jargon_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(GLOSSARY_PREFIX) || trimmed.starts_with(DETAIL_PREFIX) {
            continue;
        }
        let line = line.replace("Socket.IO", " ");
        let tokens = line
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|t| !t.is_empty());
        for token in tokens {
            let token = token.to_lowercase();
            let parts = std::iter::once(token.as_str()).chain(token.split('-'));
            for part in parts {
                if is_jargon(part) && !found.iter().any(|f| f == part) {
                    found.push(part.to_string());
                }
            }
        }
    }
    found
}

/// `ana` as people write it: `Ana`.
pub fn display_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Who a beat's messages come from, as a chat line names them: the person who
/// sent one (`Ana`), or the chat server for a note it posts itself.
pub fn sender(step: &crate::lesson::Step) -> String {
    match &step.action {
        crate::lesson::Action::Send { actor, .. } => display_name(actor),
        _ => "Chat server".to_string(),
    }
}

/// `side-room` as people say it: `side room`.
pub(super) fn room_name(room: &str) -> String {
    room.replace(['-', '_'], " ")
}

/// "Ana", "Ana and Ben", "Ana, Ben and Caro".
pub(super) fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A message as it shows on a screen, shortened to keep the picture in 80 columns.
pub(super) fn message_text(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let short: String = if text.chars().count() > 36 {
        let cut: String = text.chars().take(33).collect();
        format!("{cut}...")
    } else {
        text
    };
    format!("\"{short}\"")
}
