//! The one list of what `socketio-lab run NAME` can run: the lessons (built in, then
//! `--lessons DIR`) and the labs that measure. `list`, the menu, `run` and `quiz` all
//! look names up here, so a name means one thing everywhere.

use std::path::{Path, PathBuf};

use crate::lesson::{self, Lesson, LessonError};

/// Labs written in code rather than as lesson files, because they measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasuringLab {
    Fanout,
}

impl MeasuringLab {
    pub const ALL: [MeasuringLab; 1] = [MeasuringLab::Fanout];

    pub fn name(self) -> &'static str {
        match self {
            MeasuringLab::Fanout => "fanout",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            MeasuringLab::Fanout => {
                "what one broadcast costs as clients grow (`--clients N`, default 1000)"
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

/// What a built-in name stands for (`lesson` or `measuring lab`), if `id` is one.
/// A lesson file of that name would hide it, so `--lessons`, `check` and `new`
/// refuse the name.
pub fn builtin_name(id: &str) -> Option<&'static str> {
    if MeasuringLab::ALL.iter().any(|m| m.name() == id) {
        Some("measuring lab")
    } else if lesson::EMBEDDED.iter().any(|(name, _)| *name == id) {
        Some("lesson")
    } else {
        None
    }
}

#[derive(Debug, Clone)]
pub struct Registry {
    lessons: Vec<Lesson>,
    /// How many of `lessons` are built in (they come first).
    builtin: usize,
    /// The `--lessons` folder the others come from.
    extra_dir: Option<PathBuf>,
}

impl Registry {
    /// The embedded lessons, then every `*.toml` of `extra_dir` sorted by file name.
    /// An extra file may not take the name of a built-in lesson or lab: it would
    /// silently replace it (and inherit its quiz score).
    pub fn load(extra_dir: Option<&Path>) -> Result<Registry, RegistryError> {
        let mut lessons = lesson::embedded()?;
        let builtin = lessons.len();
        for extra in lesson::load_dir(extra_dir)? {
            if let Some(what) = builtin_name(&extra.id) {
                return Err(RegistryError::Clash {
                    file: extra.source.clone(),
                    name: extra.id.clone(),
                    what,
                });
            }
            lessons.push(extra);
        }
        Ok(Registry {
            lessons,
            builtin,
            extra_dir: extra_dir.map(Path::to_path_buf),
        })
    }

    /// The `--lessons` folder of lesson `id`, when it is not a built-in one: a command
    /// naming it must name the folder too.
    pub fn extra_dir_of(&self, id: &str) -> Option<&Path> {
        let extra = self.lessons[self.builtin..].iter().any(|l| l.id == id);
        self.extra_dir.as_deref().filter(|_| extra)
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

    /// Why `name` names nothing here, with the closest lesson or lab if one is near.
    pub fn unknown(&self, name: &str) -> String {
        let names = self
            .lessons
            .iter()
            .map(|l| l.id.as_str())
            .chain(MeasuringLab::ALL.iter().map(|m| m.name()));
        format!(
            "unknown lesson `{}`{} (see `socketio-lab list`)",
            crate::safe::text(name),
            crate::suggest::did_you_mean(name, names)
        )
    }
}
