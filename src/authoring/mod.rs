//! `new NAME`: a commented starter lesson that `check` accepts, for an instructor to
//! edit. The format itself is described in `docs/lesson-format.md`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::judge::Verdict;
use crate::lesson;
use crate::paint::Paint;

/// The starter's text; `TITLE` is replaced by the lesson's name.
pub const STARTER: &str = include_str!("starter.toml");

/// The longest lesson name `new` accepts (it becomes a file name and a command word).
const MAX_NAME: usize = 40;

#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The lesson's name: its file is `NAME.toml`, and `run NAME` runs it.
    pub name: String,
    /// The folder to write it in (created when missing).
    pub dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum NewError {
    #[error("lesson name `{0}` must be 1 to 40 lowercase letters, digits, `-` or `_`")]
    BadName(String),
    #[error("the name `{name}` is taken by the built-in {what}: choose another")]
    Taken { name: String, what: &'static str },
    #[error("`{0}` already exists: choose another name or remove it")]
    Exists(String),
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Checks `name` as a lesson name, then writes the starter to `DIR/NAME.toml`
/// (never over an existing file); returns the file written.
pub fn new_lesson(
    options: &NewOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<(Verdict, PathBuf), NewError> {
    let name = &options.name;
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(NewError::BadName(crate::safe::capped(name).into_owned()));
    }
    if let Some(what) = crate::registry::builtin_name(name) {
        return Err(NewError::Taken {
            name: name.clone(),
            what,
        });
    }
    let file = format!("{name}.toml");
    let path = match options.dir.as_path() {
        d if d == Path::new(".") => PathBuf::from(file),
        d => d.join(file),
    };
    let shown = path.display().to_string();
    let text = STARTER.replacen("TITLE", &title_of(name), 1);
    write_new(&path, &text).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => NewError::Exists(shown.clone()),
        _ => NewError::Write {
            path: shown.clone(),
            source,
        },
    })?;
    // What was written is read back as `check` will read it, so that the count
    // below describes the file, not the template.
    let summary = lesson::parse(name, &shown, &text)
        .map(|l| {
            format!(
                "{} clients, {} steps, {} question(s)",
                l.clients.len(),
                l.steps.len(),
                l.questions.len()
            )
        })
        .unwrap_or_default();
    writeln!(out, "{} {shown} ({summary})", paint.good("wrote"))
        .and_then(|()| {
            writeln!(
                out,
                "Edit it (every field is described in docs/lesson-format.md), then check it."
            )
        })
        .map_err(|source| NewError::Write {
            path: "the output".into(),
            source,
        })?;
    Ok((Verdict::Passed, path))
}

/// "my-first_lesson" becomes "My first lesson".
fn title_of(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Creates `path` and its folder; an existing file is an `AlreadyExists` error.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_is_a_valid_lesson() {
        let text = STARTER.replacen("TITLE", "Mine", 1);
        let lesson = lesson::parse("mine", "mine.toml", &text).unwrap();
        assert_eq!(lesson.title, "Mine");
        assert!(!lesson.questions.is_empty());
        // Issue 23: a new lesson declares its server (format 2), as every built-in does.
        assert!(text.contains("\nformat_version = 2\n"));
        assert!(lesson.app.is_some(), "the starter declares no server");
    }

    #[test]
    fn names_are_checked_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let new = |name: &str| NewOptions {
            name: name.into(),
            dir: dir.path().to_path_buf(),
        };
        let mut out = Vec::new();
        let err = new_lesson(&new("rooms"), &mut out, Paint::PLAIN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the name `rooms` is taken by the built-in lesson: choose another"
        );
        let err = new_lesson(&new("My Lesson"), &mut out, Paint::PLAIN).unwrap_err();
        assert!(matches!(err, NewError::BadName(_)), "{err}");
        new_lesson(&new("mine"), &mut out, Paint::PLAIN).unwrap();
        let err = new_lesson(&new("mine"), &mut out, Paint::PLAIN).unwrap_err();
        assert!(matches!(err, NewError::Exists(_)), "{err}");
        assert_eq!(title_of("my-first_one"), "My first one");
    }
}
