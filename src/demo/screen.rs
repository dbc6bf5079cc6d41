//! The demo on a terminal: one beat in view at a time, under the three people's chat
//! windows. Each window is what that person's page shows so far, built only from the
//! beats' `StepRecord`s (who is online, which rooms the server lists them in, what
//! they received), never from what the story planned.

use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::words::{display_name, message_text, room_name};
use crate::lesson::Lesson;
use crate::paint::Paint;
use crate::trace::StepRecord;

/// Home the cursor and clear the screen: the next frame replaces the last one.
pub(super) const CLEAR: &str = "\x1b[H\x1b[2J";

/// Messages a window keeps in view; older ones scroll out, as on a chat page.
const KEPT: usize = 3;

/// What one person's page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Page {
    /// The page has been opened at least once.
    opened: bool,
    online: bool,
    rooms: Vec<String>,
    /// The text of each message received, and whether it came in the latest beat.
    messages: Vec<(String, bool)>,
}

/// The three (or however many) chat windows, updated beat by beat from the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Windows {
    names: Vec<String>,
    pages: Vec<Page>,
}

impl Windows {
    pub(super) fn new(story: &Lesson) -> Windows {
        Windows {
            names: story.clients.iter().map(|c| c.name.clone()).collect(),
            pages: vec![Page::default(); story.clients.len()],
        }
    }

    /// Takes in one beat's record: who is online after it, the rooms the server
    /// reported, and what each page received (sent by `from`, as a chat line says).
    pub(super) fn update(&mut self, story: &Lesson, record: &StepRecord, from: &str) {
        for (name, page) in self.names.iter().zip(&mut self.pages) {
            page.online = record.present.contains(name);
            page.opened |= page.online;
            let ns = story
                .client(name)
                .map(|c| c.namespace.as_str())
                .unwrap_or("/");
            page.rooms = record
                .rooms
                .get(ns)
                .map(|rooms| {
                    rooms
                        .iter()
                        .filter(|(_, members)| members.contains(name))
                        .map(|(room, _)| room_name(room))
                        .collect()
                })
                .unwrap_or_default();
            for (_, seen) in &mut page.messages {
                *seen = false;
            }
            for (_, payload) in record.received_by(name) {
                page.messages
                    .push((format!("{from}: {}", message_text(payload)), true));
            }
            let extra = page.messages.len().saturating_sub(KEPT);
            page.messages.drain(..extra);
        }
    }

    /// The windows side by side, `width` columns in all.
    pub(super) fn render(&self, width: usize, paint: Paint) -> String {
        let count = self.pages.len().max(1);
        // One column between windows; each window at least 16 wide.
        let each = (width.saturating_sub(count - 1) / count).max(16);
        let inner = each - 4;
        let columns: Vec<Vec<String>> = self
            .names
            .iter()
            .zip(&self.pages)
            .map(|(name, page)| window(name, page, inner, paint))
            .collect();
        let mut out = String::new();
        for row in 0..columns[0].len() {
            let cells: Vec<&str> = columns.iter().map(|c| c[row].as_str()).collect();
            let _ = writeln!(out, "{}", cells.join(" "));
        }
        out
    }
}

/// One window as lines of `inner + 4` columns: a frame named after its person, the
/// page's state, then its last messages, the newest marked.
fn window(name: &str, page: &Page, inner: usize, paint: Paint) -> Vec<String> {
    let title = fit(&format!("{}'s page", display_name(name)), inner);
    let top_fill = "─".repeat(inner.saturating_sub(title.width()));
    let mut lines = vec![format!(
        "┌ {}{}┐",
        paint.name(&title),
        paint.dim(&format!(" {top_fill}"))
    )];
    let status = match (page.online, page.opened) {
        (true, _) if page.rooms.is_empty() => "online".to_string(),
        (true, _) => fit(&format!("online · {}", page.rooms.join(", ")), inner),
        (false, true) => "closed".to_string(),
        (false, false) => "not open yet".to_string(),
    };
    let painted = if page.online {
        paint.good(&status)
    } else {
        paint.dim(&status)
    };
    lines.push(row(&painted, status.width(), inner));
    for i in 0..KEPT {
        let cell = match page.messages.get(i) {
            Some((text, true)) => {
                let shown = fit(&format!("▸ {text}"), inner);
                (paint.good(&shown), shown.width())
            }
            Some((text, false)) => {
                let shown = fit(&format!("  {text}"), inner);
                (shown.clone(), shown.width())
            }
            None => (String::new(), 0),
        };
        lines.push(row(&cell.0, cell.1, inner));
    }
    lines.push(format!("└{}┘", "─".repeat(inner + 2)));
    lines
}

/// `│ text   │`: `shown` is `text` painted, `used` its width in columns.
fn row(shown: &str, used: usize, inner: usize) -> String {
    format!("│ {shown}{} │", " ".repeat(inner.saturating_sub(used)))
}

/// `text` cut to at most `width` columns, ending in `…` when cut.
pub(super) fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// The words a person reads in `text`: runs of letters or digits, so that arrows,
/// frames and dots do not count.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::*;
    use crate::trace::{Observation, RoomTable};

    fn record(present: &[&str], received: &[(&str, &str)], room: &[&str]) -> StepRecord {
        let mut rooms = RoomTable::new();
        if !room.is_empty() {
            let members = room.iter().map(|s| s.to_string()).collect();
            rooms.insert("/".into(), BTreeMap::from([("side-room".into(), members)]));
        }
        StepRecord {
            declared: false,
            index: 1,
            observations: received
                .iter()
                .map(|(c, text)| Observation::Received {
                    client: c.to_string(),
                    event: "chat message".into(),
                    payload: Value::from(*text),
                    arguments: 1,
                })
                .collect(),
            present: present.iter().map(|s| s.to_string()).collect(),
            rooms,
            own_id_rooms: BTreeMap::new(),
            connections: Vec::new(),
            nodes: Default::default(),
        }
    }

    #[test]
    fn windows_show_only_what_the_trace_holds() {
        let story = super::super::story().unwrap();
        let mut w = Windows::new(&story);
        let text = w.render(78, Paint::PLAIN);
        assert_eq!(text.matches("not open yet").count(), 3, "{text}");
        w.update(
            &story,
            &record(&["ana", "ben"], &[("ben", "hi")], &["ben"]),
            "Ana",
        );
        let text = w.render(78, Paint::PLAIN);
        assert!(text.contains("▸ Ana: \"hi\""), "{text}");
        assert!(text.contains("online · side room"), "{text}");
        assert_eq!(text.matches("not open yet").count(), 1, "{text}");
        // The next beat: the message is no longer new, and Ben has left.
        w.update(&story, &record(&["ana"], &[], &[]), "Ana");
        let text = w.render(78, Paint::PLAIN);
        assert!(text.contains("  Ana: \"hi\""), "{text}");
        assert!(!text.contains('▸'), "{text}");
        assert!(text.contains("closed"), "{text}");
    }

    #[test]
    fn windows_fit_the_width_and_keep_the_last_messages() {
        let story = super::super::story().unwrap();
        let mut w = Windows::new(&story);
        for n in 0..5 {
            let text = format!("m{n}, a message with a long tail of words");
            w.update(
                &story,
                &record(&["ana"], &[("ana", text.as_str())], &[]),
                "Ana",
            );
        }
        for width in [60, 78, 118] {
            let text = w.render(width, Paint::PLAIN);
            for line in text.lines() {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
            assert!(!text.contains("\"m1"), "{text}");
            assert!(text.contains("▸ Ana: \"m4"), "{text}");
        }
    }

    #[test]
    fn words_are_counted_without_drawing_characters() {
        assert_eq!(word_count("Ana ──▶ chat server: \"Hi everyone!\""), 5);
        assert_eq!(word_count("├──▶ · ✓"), 0);
        assert_eq!(fit("Welcome to the side room", 10), "Welcome t…");
        assert_eq!(fit("日本語の部屋", 7), "日本語…");
    }
}
