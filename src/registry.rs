//! The one list of what `socketio-lab run NAME` can run: the lessons (built in, then
//! `--lessons DIR`) and the labs that measure. `list`, the menu, `run` and `quiz` all
//! look names up here, so a name means one thing everywhere.

use std::path::Path;

use crate::lesson::{self, Lesson, LessonError};
use crate::paint::Paint;
use crate::progress::Progress;

/// Labs written in code rather than as lesson files, because they measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasuringLab {
    Fanout,
    Scaling,
}

impl MeasuringLab {
    pub const ALL: [MeasuringLab; 2] = [MeasuringLab::Fanout, MeasuringLab::Scaling];

    pub fn name(self) -> &'static str {
        match self {
            MeasuringLab::Fanout => "fanout",
            MeasuringLab::Scaling => "scaling",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            MeasuringLab::Fanout => {
                "what one broadcast costs as clients grow (`--clients N`, default 1000)"
            }
            MeasuringLab::Scaling => {
                "the chat on two server nodes, without and with a Redis adapter (`--redis URL`)"
            }
        }
    }
}

/// What a name stands for.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    Lesson(&'a Lesson),
    Measuring(MeasuringLab),
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Lesson(#[from] LessonError),
    /// A `--lessons` file would hide a built-in lesson or lab of the same name.
    #[error("{file}: the name `{name}` is taken by the built-in {what}: rename the file")]
    Clash {
        file: String,
        name: String,
        what: &'static str,
    },
}

#[derive(Debug, Clone)]
pub struct Registry {
    lessons: Vec<Lesson>,
}

impl Registry {
    /// The embedded lessons, then every `*.toml` of `extra_dir` sorted by file name.
    /// An extra file may not take the name of a built-in lesson or lab: it would
    /// silently replace it (and inherit its quiz score).
    pub fn load(extra_dir: Option<&Path>) -> Result<Registry, RegistryError> {
        let mut lessons = lesson::embedded()?;
        let builtin = lessons.len();
        for extra in lesson::load_dir(extra_dir)? {
            let what = if MeasuringLab::ALL.iter().any(|m| m.name() == extra.id) {
                Some("measuring lab")
            } else if lessons[..builtin].iter().any(|l| l.id == extra.id) {
                Some("lesson")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(RegistryError::Clash {
                    file: extra.source.clone(),
                    name: extra.id.clone(),
                    what,
                });
            }
            lessons.push(extra);
        }
        Ok(Registry { lessons })
    }

    pub fn lessons(&self) -> &[Lesson] {
        &self.lessons
    }

    pub fn lesson(&self, name: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == name)
    }

    pub fn find(&self, name: &str) -> Option<Entry<'_>> {
        if let Some(lesson) = self.lesson(name) {
            return Some(Entry::Lesson(lesson));
        }
        MeasuringLab::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .map(Entry::Measuring)
    }

    /// The text of `list` (and of the menu without a terminal), scores included.
    pub fn list_text(&self, progress: &Progress, paint: Paint) -> String {
        let width = self.lessons.iter().map(|l| l.id.len()).max().unwrap_or(4) + 2;
        let mut out = String::from("Lessons:\n");
        for l in &self.lessons {
            let pad = " ".repeat(width - l.id.len());
            let score = match progress.best.get(&l.id) {
                Some(s) => format!(
                    "  {}",
                    paint.dim(&format!("[quiz best {}/{}]", s.correct, s.total))
                ),
                None => String::new(),
            };
            out.push_str(&format!(
                "  {}{pad}{}{score}\n",
                paint.bold(&l.id),
                l.summary
            ));
        }
        out.push_str("\nLabs that measure as they run:\n");
        for lab in MeasuringLab::ALL {
            let id = lab.name();
            let pad = " ".repeat(width.saturating_sub(id.len()).max(2));
            out.push_str(&format!("  {}{pad}{}\n", paint.bold(id), lab.summary()));
        }
        out.push_str(
            "\nRun one with `socketio-lab run NAME` (add `--step` to go at your own pace);\n",
        );
        out.push_str("test yourself with `socketio-lab quiz NAME`.\n");
        out
    }

    /// Menu entries: every lesson, then the measuring labs, each with its summary.
    pub fn menu_items(&self) -> Vec<(String, String)> {
        let mut items: Vec<(String, String)> = self
            .lessons
            .iter()
            .map(|l| (l.id.clone(), l.summary.clone()))
            .collect();
        items.extend(
            MeasuringLab::ALL
                .iter()
                .map(|m| (m.name().to_string(), m.summary().to_string())),
        );
        items
    }
}
