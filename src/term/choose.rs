//! The quiz's prompt: one key at a time, so that `h` shows the hint in every kind of
//! question. dialoguer's `Select` and `MultiSelect` take no key of our own, so this
//! reads keys with `console` (dialoguer's own terminal crate, already built in) and
//! keeps the decisions in [`Chooser`], a plain state machine tested without a
//! terminal.

use std::collections::BTreeSet;

use dialoguer::console::{Key, Term};
use unicode_width::UnicodeWidthChar;

/// What a key led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Keep asking (redraw).
    Continue,
    /// The answer: 0-based choice numbers (empty: none holds, confirmed).
    Answer(Vec<usize>),
    /// Esc: the person stops the quiz.
    Quit,
    /// Ctrl-C.
    Interrupt,
}

/// The state of one question's prompt.
#[derive(Debug, Clone)]
pub struct Chooser {
    len: usize,
    multiple: bool,
    cursor: usize,
    picked: BTreeSet<usize>,
    /// The hint was asked for, and is shown under the choices.
    pub hint_shown: bool,
    /// Enter with nothing picked: waiting for `y` or `n`.
    pub confirming_empty: bool,
}

impl Chooser {
    pub fn new(len: usize, multiple: bool) -> Chooser {
        Chooser {
            len,
            multiple,
            cursor: 0,
            picked: BTreeSet::new(),
            hint_shown: false,
            confirming_empty: false,
        }
    }

    pub fn key(&mut self, key: Key) -> Outcome {
        if self.confirming_empty {
            self.confirming_empty = false;
            return match key {
                Key::Char('y' | 'Y') => Outcome::Answer(Vec::new()),
                Key::CtrlC => Outcome::Interrupt,
                // Anything else goes back to the choices, answers kept.
                _ => Outcome::Continue,
            };
        }
        match key {
            Key::ArrowUp | Key::Char('k') => self.cursor = (self.cursor + self.len - 1) % self.len,
            Key::ArrowDown | Key::Char('j') | Key::Tab => {
                self.cursor = (self.cursor + 1) % self.len
            }
            Key::Char(c @ '1'..='9') => {
                let n = c as usize - '1' as usize;
                if n < self.len {
                    self.cursor = n;
                    if self.multiple {
                        self.toggle();
                    }
                }
            }
            Key::Char(' ') if self.multiple => self.toggle(),
            Key::Char('h' | 'H' | '?') => self.hint_shown = true,
            Key::Enter if !self.multiple => return Outcome::Answer(vec![self.cursor]),
            Key::Enter if self.picked.is_empty() => self.confirming_empty = true,
            Key::Enter => return Outcome::Answer(self.picked.iter().copied().collect()),
            Key::Escape | Key::Char('q') => return Outcome::Quit,
            Key::CtrlC => return Outcome::Interrupt,
            _ => {}
        }
        Outcome::Continue
    }

    fn toggle(&mut self) {
        if !self.picked.remove(&self.cursor) {
            self.picked.insert(self.cursor);
        }
    }

    /// The lines to draw: the keys, the choices (cursor and marks), then the hint
    /// or the question about an empty answer.
    pub fn lines(&self, items: &[String], hint: Option<&str>) -> Vec<String> {
        let keys = if self.multiple {
            "↑/↓ move, space picks, Enter confirms, h hint, Esc stops"
        } else {
            "↑/↓ move, Enter answers, h hint, Esc stops"
        };
        let mut lines = vec![format!("  ({keys})")];
        for (i, item) in items.iter().enumerate() {
            let cursor = if i == self.cursor { '>' } else { ' ' };
            let mark = match (self.multiple, self.picked.contains(&i)) {
                (false, _) => "",
                (true, true) => "[x] ",
                (true, false) => "[ ] ",
            };
            lines.push(format!("  {cursor} {mark}{}) {item}", i + 1));
        }
        if self.hint_shown {
            lines.push(match hint {
                Some(hint) => format!("  hint: {hint}"),
                None => "  (this question has no hint)".to_string(),
            });
        }
        if self.confirming_empty {
            lines.push("  Nothing is picked: answer that none of them holds? (y/n)".to_string());
        }
        lines
    }
}

/// `line` cut to `width` display columns, so that a redraw knows its line count.
fn fit(line: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w >= width {
            out.push('…');
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

/// Asks on `term` (stderr) until an answer, Esc or Ctrl-C. The lines drawn are
/// cleared and redrawn on each key; the hint, once asked for, stays.
pub fn ask(
    term: &Term,
    items: &[String],
    multiple: bool,
    hint: Option<&str>,
) -> std::io::Result<Outcome> {
    let mut chooser = Chooser::new(items.len(), multiple);
    let width = usize::from(term.size().1).max(20);
    let mut drawn = 0;
    term.hide_cursor()?;
    let outcome = loop {
        term.clear_last_lines(drawn)?;
        let lines = chooser.lines(items, hint);
        for line in &lines {
            term.write_line(&fit(line, width))?;
        }
        drawn = lines.len();
        match chooser.key(term.read_key_raw()?) {
            Outcome::Continue => {}
            done => break done,
        }
    };
    // The keys line and the menu go; the hint, if shown, is printed again to stay.
    term.clear_last_lines(drawn)?;
    if let (true, Some(hint)) = (chooser.hint_shown, hint) {
        term.write_line(&format!("  hint: {hint}"))?;
    }
    term.show_cursor()?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(chooser: &mut Chooser, keys: &[Key]) -> Outcome {
        let mut last = Outcome::Continue;
        for key in keys {
            last = chooser.key(key.clone());
        }
        last
    }

    #[test]
    fn h_shows_the_hint_in_both_kinds_of_question() {
        for multiple in [false, true] {
            let mut c = Chooser::new(3, multiple);
            assert_eq!(c.key(Key::Char('h')), Outcome::Continue);
            let lines = c.lines(&["a".into(), "b".into(), "c".into()], Some("look closer"));
            assert_eq!(lines.last().unwrap(), "  hint: look closer");
        }
    }

    #[test]
    fn single_answers_with_enter_on_the_cursor() {
        let mut c = Chooser::new(3, false);
        let keys = [
            Key::ArrowDown,
            Key::ArrowDown,
            Key::ArrowDown,
            Key::ArrowUp,
            Key::Enter,
        ];
        assert_eq!(press(&mut c, &keys), Outcome::Answer(vec![2]));
        let mut c = Chooser::new(3, false);
        assert_eq!(
            press(&mut c, &[Key::Char('3'), Key::Enter]),
            Outcome::Answer(vec![2])
        );
    }

    #[test]
    fn an_empty_multiple_answer_asks_first() {
        let mut c = Chooser::new(3, true);
        assert_eq!(c.key(Key::Enter), Outcome::Continue);
        assert!(c.confirming_empty);
        // `n` goes back to the choices; space and Enter then answer.
        assert_eq!(
            press(&mut c, &[Key::Char('n'), Key::Char(' '), Key::Enter]),
            Outcome::Answer(vec![0])
        );
        let mut c = Chooser::new(3, true);
        assert_eq!(
            press(&mut c, &[Key::Enter, Key::Char('y')]),
            Outcome::Answer(vec![])
        );
        let mut c = Chooser::new(4, true);
        let keys = [
            Key::Char('2'),
            Key::Char('4'),
            Key::Char('2'),
            Key::Char('1'),
            Key::Enter,
        ];
        assert_eq!(press(&mut c, &keys), Outcome::Answer(vec![0, 3]));
    }

    #[test]
    fn esc_stops_and_ctrl_c_interrupts() {
        assert_eq!(Chooser::new(2, true).key(Key::Escape), Outcome::Quit);
        assert_eq!(Chooser::new(2, false).key(Key::CtrlC), Outcome::Interrupt);
    }

    #[test]
    fn lines_are_cut_by_display_width() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語です", 5), "日本…");
        assert_eq!(fit("ab", 10), "ab");
    }
}
