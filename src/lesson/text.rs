//! Every string a lesson file holds (titles, narration, names, events, payloads, and
//! table keys) ends up on a learner's terminal. One that carries a control character
//! could move the cursor, recolour the screen or retitle the window, so such a file is
//! refused at the string's line and column. Newlines and tabs stay allowed: narration
//! may span lines.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::validate::Locator;
use super::LessonError;
use crate::safe;

fn refused(c: char) -> bool {
    c != '\n' && c != '\t' && safe::acts(c)
}

/// Refuses the string (or key) of `text` nearest its start that holds a character
/// acting on a terminal. `text` has already parsed as TOML.
pub(super) fn refuse_controls(loc: &Locator, text: &str) -> Result<(), LessonError> {
    let Ok(table) = DeTable::parse(text) else {
        return Ok(()); // serde's parse of the same text reports the syntax error
    };
    let mut found = None;
    table_strings(table.get_ref(), &mut found);
    match found {
        None => Ok(()),
        Some((at, c)) => Err(loc.at(
            at,
            format!(
                "this string holds the control character U+{:04X}; lesson text may hold \
                 printable characters, newlines and tabs only",
                c as u32
            ),
        )),
    }
}

/// The earliest offending string so far: its offset and its first refused character.
/// (A table's keys are not kept in file order, so the earliest is sought, not the first.)
type Found = Option<(usize, char)>;

fn table_strings(table: &DeTable, found: &mut Found) {
    for (key, value) in table {
        check(key.get_ref(), key.span().start, found);
        value_strings(value, found);
    }
}

fn value_strings(value: &Spanned<DeValue>, found: &mut Found) {
    match value.get_ref() {
        DeValue::String(s) => check(s, value.span().start, found),
        DeValue::Array(items) => items.iter().for_each(|v| value_strings(v, found)),
        DeValue::Table(table) => table_strings(table, found),
        _ => {}
    }
}

fn check(s: &str, at: usize, found: &mut Found) {
    if let Some(c) = s.chars().find(|&c| refused(c)) {
        if found.is_none_or(|(earliest, _)| at < earliest) {
            *found = Some((at, c));
        }
    }
}
