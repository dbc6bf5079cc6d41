//! Holding a reveal on screen: after a quiz answer or a prediction, the step's code,
//! who received it and the verdict stay in view until a key is pressed. A reveal
//! taller than the terminal is shown a page at a time instead of scrolling its top
//! away. Only on a terminal: a script, a pipe or a file never waits.

use std::io::Write;

use dialoguer::console::{Key, Term};

/// What the person did at the end of a reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Enter (or Space, or ↓): go on.
    Next,
    /// Esc or `q`: stop here.
    Stop,
    /// Ctrl-C.
    Interrupt,
}

/// What a key does at the foot of a page.
pub fn key(key: &Key) -> Option<Held> {
    match key {
        Key::Enter | Key::Char(' ') | Key::ArrowDown | Key::Char('j') => Some(Held::Next),
        Key::Escape | Key::Char('q' | 'Q') => Some(Held::Stop),
        Key::CtrlC => Some(Held::Interrupt),
        _ => None,
    }
}

/// `text` cut into pages that each leave one row for the prompt under them on a
/// terminal `cols` wide and `rows` tall (a line wider than the terminal takes the
/// rows it wraps to); every page but the last is full.
pub fn pages(text: &str, cols: usize, rows: usize) -> Vec<Vec<&str>> {
    let room = rows.saturating_sub(1).max(1);
    let mut pages = vec![Vec::new()];
    let mut used = 0;
    for line in text.lines() {
        let tall = shown_width(line).div_ceil(cols.max(1)).max(1);
        if used + tall > room && used > 0 {
            pages.push(Vec::new());
            used = 0;
        }
        used += tall;
        if let Some(page) = pages.last_mut() {
            page.push(line);
        }
    }
    pages
}

/// The columns `line` takes on screen, colour codes left out.
fn shown_width(line: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    socketio_lab::paint::without_colour(line)
        .chars()
        .map(|c| c.width().unwrap_or(0))
        .sum()
}

/// The prompt under page `page` (0-based) of `count`: `done` names what the last
/// page's key leads to ("next question").
pub fn prompt(page: usize, count: usize, done: &str) -> String {
    if page + 1 < count {
        format!("(Enter: more, page {} of {count}; q stops)", page + 1)
    } else {
        format!("(Enter: {done}; q stops)")
    }
}

/// Writes `text` to `out` a page at a time on a terminal `rows` tall, waiting for a
/// key under each page (the prompt on stderr, erased once answered).
pub fn show(
    text: &str,
    out: &mut dyn Write,
    (cols, rows): (usize, usize),
    done: &str,
) -> std::io::Result<Held> {
    let term = Term::stderr();
    let pages = pages(text, cols, rows);
    for (n, page) in pages.iter().enumerate() {
        for line in page {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        eprint!("  {}", prompt(n, pages.len(), done));
        std::io::stderr().flush()?;
        let held = loop {
            if let Some(held) = key(&term.read_key()?) {
                break held;
            }
        };
        // The prompt goes; the page stays.
        eprint!("\r\x1b[2K");
        std::io::stderr().flush()?;
        if held != Held::Next {
            return Ok(held);
        }
    }
    Ok(Held::Next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tall_reveal_is_cut_into_full_pages_with_room_for_the_prompt() {
        let text: String = (1..=50).map(|n| format!("line {n}\n")).collect();
        let pages = pages(&text, 80, 24);
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].len(), 23);
        assert_eq!(pages[1].first(), Some(&"line 24"));
        assert_eq!(pages[2], vec!["line 47", "line 48", "line 49", "line 50"]);
        assert_eq!(super::pages("a\nb\n", 80, 24), vec![vec!["a", "b"]]);
    }

    #[test]
    fn a_line_wider_than_the_terminal_counts_the_rows_it_wraps_to() {
        let wide = "x".repeat(100);
        let text = format!("{wide}\n{}", "y\n".repeat(22));
        // 2 rows + 22 rows: the last `y` goes to the next page.
        let pages = pages(&text, 80, 24);
        assert_eq!(pages[0].len(), 22);
        assert_eq!(pages[1], vec!["y"]);
        // Colour codes take no room.
        assert_eq!(shown_width("\x1b[1;32m✓ ok\x1b[0m"), 4);
    }

    #[test]
    fn the_prompt_says_where_a_key_leads() {
        assert_eq!(
            prompt(0, 2, "next question"),
            "(Enter: more, page 1 of 2; q stops)"
        );
        assert_eq!(
            prompt(1, 2, "next question"),
            "(Enter: next question; q stops)"
        );
        assert_eq!(key(&Key::Enter), Some(Held::Next));
        assert_eq!(key(&Key::Escape), Some(Held::Stop));
        assert_eq!(key(&Key::Char('x')), None);
    }
}
