//! The learner's path: every lesson, its quiz, the measuring labs and the demo, in
//! teaching order, with what the stored progress says of each; and the one answer to
//! "what next?" that every command ends with ([`next`]).

use std::fmt::Write as _;
use std::path::Path;

use crate::paint::Paint;
use crate::progress::Progress;
use crate::registry::{MeasuringLab, Registry};

/// One stop on the path, named as the command that takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `run LESSON`.
    Run(String),
    /// `quiz LESSON`.
    Quiz(String),
    /// `run fanout`.
    Measuring(MeasuringLab),
    /// `demo`.
    Demo,
}

/// The progress key of the demo (lesson and lab ids are their own keys).
pub const DEMO: &str = "demo";

impl Item {
    /// The arguments after `socketio-lab` (and after `--lessons DIR`, when needed).
    fn args(&self) -> String {
        match self {
            Item::Run(id) => format!("run {id}"),
            Item::Quiz(id) => format!("quiz {id}"),
            Item::Measuring(lab) => format!("run {}", lab.name()),
            Item::Demo => "demo".to_string(),
        }
    }

    /// The whole command, `--lessons DIR` included for a lesson that is not built in.
    pub fn command(&self, registry: &Registry) -> String {
        let lesson = match self {
            Item::Run(id) | Item::Quiz(id) => Some(id.as_str()),
            _ => None,
        };
        match (lesson.and_then(|id| registry.extra_dir_of(id)), lesson) {
            (Some(dir), _) => format!("socketio-lab --lessons {} {}", shell_word(dir), self.args()),
            _ => format!("socketio-lab {}", self.args()),
        }
    }

    /// Whether the progress counts this stop as done: a run that passed, a quiz with
    /// every question right, a demo watched to its end.
    pub fn done(&self, progress: &Progress) -> bool {
        match self {
            Item::Run(id) => progress.passed(id),
            Item::Quiz(id) => progress.quiz_perfect(id),
            Item::Measuring(lab) => progress.passed(lab.name()),
            Item::Demo => progress.passed(DEMO),
        }
    }

    /// What the progress says of it, in a few words (`passed`, `best 2/3`,
    /// `not run yet`).
    pub fn status(&self, progress: &Progress) -> String {
        let ran = |id: &str| match progress.ran.get(id) {
            Some(r) if r.passed => "passed".to_string(),
            Some(_) => "ran, did not pass".to_string(),
            None => "not run yet".to_string(),
        };
        match self {
            Item::Run(id) => ran(id),
            Item::Measuring(lab) => ran(lab.name()),
            Item::Demo => match progress.ran.get(DEMO) {
                Some(_) => "watched".to_string(),
                None => "not watched yet".to_string(),
            },
            Item::Quiz(id) => match (progress.best.get(id), progress.partial.get(id)) {
                (Some(s), _) => format!("best {}/{}", s.correct, s.total),
                (None, Some(p)) => format!("stopped after {} of {} questions", p.answered, p.total),
                (None, None) => "not taken yet".to_string(),
            },
        }
    }
}

/// `word`, quoted for a POSIX shell when it needs to be.
fn shell_word(path: &Path) -> String {
    let text = crate::safe::text(&path.display().to_string()).into_owned();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Every stop in teaching order: each lesson then its quiz, the measuring labs, and
/// the demo last (it retells the chat for people who do not write code).
pub fn items(registry: &Registry) -> Vec<Item> {
    let mut items = Vec::new();
    for lesson in registry.lessons() {
        items.push(Item::Run(lesson.id.clone()));
        if !lesson.questions.is_empty() {
            items.push(Item::Quiz(lesson.id.clone()));
        }
    }
    items.extend(MeasuringLab::ALL.into_iter().map(Item::Measuring));
    items.push(Item::Demo);
    items
}

impl Item {
    /// One line about the stop, for `list` and the menu.
    pub fn summary(&self, registry: &Registry) -> String {
        match self {
            Item::Run(id) => registry
                .lesson(id)
                .map(|l| l.summary.clone())
                .unwrap_or_default(),
            Item::Quiz(id) => {
                let n = registry.lesson(id).map_or(0, |l| l.questions.len());
                format!("{n} question(s), each answer run on a fresh server")
            }
            Item::Measuring(lab) => lab.summary().to_string(),
            Item::Demo => "the chat example in plain words, live".to_string(),
        }
    }

    /// The menu's label: the command, the progress, the summary, cut to `width`
    /// columns so that a line never wraps.
    pub fn menu_label(&self, registry: &Registry, progress: &Progress, width: usize) -> String {
        let line = format!(
            "{:<17} {:<20} {}",
            self.args(),
            self.status(progress),
            self.summary(registry)
        );
        fit(&line, width)
    }
}

/// `line` cut to `width` columns, ending in `…` where it was cut.
pub fn fit(line: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// The text of `list`: each lesson with its run and its quiz, the labs, the demo,
/// each with its progress, then what is next.
pub fn list_text(registry: &Registry, progress: &Progress, paint: Paint) -> String {
    let width = registry
        .lessons()
        .iter()
        .map(|l| l.id.len())
        .chain(MeasuringLab::ALL.iter().map(|m| m.name().len()))
        .max()
        .unwrap_or(4)
        + 2;
    let row = |id: &str, summary: &str, marks: &[String]| {
        let pad = " ".repeat(width.saturating_sub(id.len()));
        let marks: Vec<String> = marks.iter().map(|m| paint.dim(&format!("[{m}]"))).collect();
        // The summary wraps at spaces under itself, never inside a word.
        let summary = crate::layout::wrap(summary, 2 + width, paint.width);
        let summary = summary.trim_start();
        let mut text = format!("  {}{pad}{summary}", paint.bold(id));
        if !marks.is_empty() {
            text.push_str(&format!("  {}{}\n", " ".repeat(width), marks.join(" ")));
        }
        text
    };
    let mut out = String::from("Lessons, each with its quiz:\n");
    for l in registry.lessons() {
        let mut marks = vec![Item::Run(l.id.clone()).status(progress)];
        if !l.questions.is_empty() {
            marks.push(format!(
                "quiz {}",
                Item::Quiz(l.id.clone()).status(progress)
            ));
        }
        out.push_str(&row(&l.id, &l.summary, &marks));
    }
    out.push_str("\nLabs that measure as they run:\n");
    for lab in MeasuringLab::ALL {
        let status = Item::Measuring(lab).status(progress);
        out.push_str(&row(lab.name(), lab.summary(), &[status]));
    }
    out.push_str("\nFor people who do not write code:\n");
    out.push_str(&row(
        "demo",
        &Item::Demo.summary(registry),
        &[Item::Demo.status(progress)],
    ));
    out.push_str("\nIn your browser:\n");
    out.push_str(&row(
        "web",
        "every lesson as a page: `socketio-lab web NAME` (`demo --web` for the demo)",
        &[],
    ));
    out.push_str("\nYour own server, judged by its traffic:\n");
    let passed = progress
        .exercises
        .values()
        .filter(|r| r.ever_passed)
        .count();
    let exercises = crate::exercise::EMBEDDED.len();
    out.push_str(&row(
        "verify",
        "write a server; the lab's clients check it: `socketio-lab verify --list`",
        &[format!("{passed} of {exercises} passed")],
    ));
    let ending = "Run one with `socketio-lab run NAME` (add `--step` to go at your own pace); \
                  test yourself with `socketio-lab quiz NAME`.";
    out.push('\n');
    out.push_str(&crate::layout::wrap(ending, 0, paint.width));
    out
}

/// The first stop not done, looking after `after` first and then from the start.
pub fn next_unfinished(
    registry: &Registry,
    progress: &Progress,
    after: Option<&Item>,
) -> Option<Item> {
    let items = items(registry);
    let start = after
        .and_then(|a| items.iter().position(|i| i == a))
        .map_or(0, |p| p + 1);
    items[start..]
        .iter()
        .chain(&items[..start])
        .find(|i| Some(*i) != after && !i.done(progress))
        .cloned()
}

/// What a command just did, as far as the next step depends on it.
#[derive(Debug, Clone)]
pub enum After<'a> {
    /// `list`, or the menu without a terminal: where the learner stands.
    Start,
    /// `run LESSON` (also from the menu).
    Lesson {
        id: &'a str,
        passed: bool,
    },
    /// A quiz: the lessons behind the questions missed, in order, and whether the
    /// learner stopped before the end (and which lesson was asked for, if one was).
    Quiz {
        lesson: Option<&'a str>,
        missed: &'a [String],
        stopped: bool,
    },
    /// `quiz [LESSON] --reset`.
    QuizReset {
        lesson: Option<&'a str>,
    },
    /// `run fanout`.
    Measuring {
        lab: MeasuringLab,
        passed: bool,
    },
    Demo,
    /// `check`: the lesson files that passed, and whether any failed.
    Check {
        valid: &'a [&'a Path],
        failed: bool,
    },
    /// `serve`, once stopped.
    Serve,
    /// `new NAME` wrote this file.
    New {
        file: &'a Path,
    },
    /// `completions SHELL`.
    Completions,
    /// `verify EXERCISE -- COMMAND`: whether the learner's server passed.
    Verify {
        exercise: &'a str,
        passed: bool,
        /// The learner's server: `-- COMMAND...` or `--url URL`, as given.
        target: &'a [String],
    },
}

/// A command to run next, and why, in a few words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    pub command: String,
    pub why: String,
}

fn next_item(item: Item, registry: &Registry, why: &str) -> Next {
    Next {
        command: item.command(registry),
        why: why.to_string(),
    }
}

/// Where the path goes on from `after` (or from the start), or to writing a lesson
/// once everything is done.
fn onward(registry: &Registry, progress: &Progress, after: Option<&Item>) -> Next {
    match next_unfinished(registry, progress, after) {
        Some(item) => {
            let why = match &item {
                Item::Run(_) => "the next lesson",
                Item::Quiz(_) => "a quiz not yet answered in full",
                Item::Measuring(_) => "a lab that measures",
                Item::Demo => "the chat, told for people who do not write code",
            };
            next_item(item, registry, why)
        }
        None => Next {
            command: "socketio-lab new my-lesson".to_string(),
            why: "everything is done: write a lesson of your own".to_string(),
        },
    }
}

/// The one decision of what to do next, for every command: usually one command,
/// several after a quiz whose missed questions come from several lessons.
pub fn next(after: &After<'_>, registry: &Registry, progress: &Progress) -> Vec<Next> {
    let has_quiz = |id: &str| registry.lesson(id).is_some_and(|l| !l.questions.is_empty());
    let one = match after {
        After::Start => onward(registry, progress, None),
        After::Lesson { id, passed: true } if has_quiz(id) => next_item(
            Item::Quiz(id.to_string()),
            registry,
            "questions on what you just watched",
        ),
        After::Lesson { id, passed: true } => {
            onward(registry, progress, Some(&Item::Run(id.to_string())))
        }
        After::Lesson { id, passed: false } => Next {
            command: format!("{} --step", Item::Run(id.to_string()).command(registry)),
            why: "again, one step at a time".to_string(),
        },
        After::Quiz {
            lesson: Some(id),
            stopped: true,
            ..
        } => next_item(
            Item::Quiz(id.to_string()),
            registry,
            "all the questions, when you are ready",
        ),
        After::Quiz { stopped: true, .. } => Next {
            command: "socketio-lab quiz".to_string(),
            why: "all the questions, when you are ready".to_string(),
        },
        After::Quiz { missed, .. } if !missed.is_empty() => {
            return missed
                .iter()
                .map(|id| {
                    next_item(
                        Item::Run(id.clone()),
                        registry,
                        "the lesson behind a missed question",
                    )
                })
                .collect();
        }
        After::Quiz { lesson, .. } => {
            let last = lesson
                .map(str::to_string)
                .or_else(|| registry.lessons().last().map(|l| l.id.clone()));
            onward(registry, progress, last.map(Item::Quiz).as_ref())
        }
        After::QuizReset { lesson: Some(id) } => next_item(
            Item::Quiz(id.to_string()),
            registry,
            "the quiz, from a clean slate",
        ),
        After::QuizReset { lesson: None } => onward(registry, progress, None),
        After::Measuring { lab, passed: false } => Next {
            command: Item::Measuring(*lab).command(registry),
            why: "again, once the problem above is fixed".to_string(),
        },
        After::Measuring { lab, .. } => onward(registry, progress, Some(&Item::Measuring(*lab))),
        After::Demo => next_item(
            Item::Run("chat".to_string()),
            registry,
            "the same chat, with its code",
        ),
        After::Check { valid: [], .. } => Next {
            command: "socketio-lab check PATH".to_string(),
            why: "again, once the problems are fixed".to_string(),
        },
        After::Check { valid, failed } => {
            let file = valid[0];
            let id = crate::lesson::id_of_path(file);
            let dir = file.parent().filter(|d| !d.as_os_str().is_empty());
            let lessons = match crate::registry::builtin_name(&id) {
                // A built-in lesson's own file: it runs without `--lessons`.
                Some(_) => String::new(),
                None => format!("--lessons {} ", shell_word(dir.unwrap_or(Path::new(".")))),
            };
            Next {
                command: format!("socketio-lab {lessons}run {id}"),
                why: if *failed {
                    "a lesson that passed, while you fix the others".to_string()
                } else {
                    "your lesson, live".to_string()
                },
            }
        }
        After::Serve => Next {
            command: "socketio-lab run rooms".to_string(),
            why: "the same server, with scripted clients".to_string(),
        },
        After::New { file } => Next {
            command: format!("socketio-lab check {}", shell_word(file)),
            why: "make sure it runs as it claims".to_string(),
        },
        After::Completions => onward(registry, progress, None),
        After::Verify {
            exercise,
            passed: false,
            target,
        } => {
            let target: Vec<String> = target.iter().map(|w| shell_word(Path::new(w))).collect();
            let (watch, why) = match target.first().map(String::as_str) {
                Some("--") => ("--watch ", "again on every save of your server"),
                _ => ("", "again, once the problem above is fixed"),
            };
            Next {
                command: format!("socketio-lab verify {exercise} {watch}{}", target.join(" ")),
                why: why.to_string(),
            }
        }
        After::Verify { exercise, .. } => {
            // The exercises in their order, from the one just passed, wrapping round:
            // the first one not yet passed.
            let ids: Vec<&str> = crate::exercise::EMBEDDED
                .iter()
                .map(|(id, _)| *id)
                .collect();
            let at = ids.iter().position(|id| id == exercise).unwrap_or(0);
            let passed = |id: &str| progress.exercises.get(id).is_some_and(|r| r.ever_passed);
            let following = ids[at + 1..]
                .iter()
                .chain(&ids[..at])
                .find(|id| !passed(id));
            match following {
                Some(id) => Next {
                    command: format!("socketio-lab verify {id} --init js"),
                    why: "the next exercise's starter (`--init rust` for Rust)".to_string(),
                },
                None => onward(registry, progress, None),
            }
        }
    };
    vec![one]
}

/// The lines every command ends with: `next: COMMAND   # why`. The part before `#`
/// is a command line as it can be pasted into a shell.
pub fn text(nexts: &[Next], paint: Paint) -> String {
    let mut out = String::new();
    for n in nexts {
        let _ = writeln!(
            out,
            "{} {}   {}",
            paint.bold("next:"),
            n.command,
            paint.dim(&format!("# {}", n.why))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{Ran, Score};

    fn registry() -> Registry {
        Registry::load(None).unwrap()
    }

    /// The first command named after `after`.
    fn first(after: &After<'_>, progress: &Progress) -> String {
        next(after, &registry(), progress).remove(0).command
    }

    #[test]
    fn a_fresh_learner_starts_with_the_first_lesson() {
        let r = registry();
        let next = next(&After::Start, &r, &Progress::default());
        assert_eq!(next[0].command, "socketio-lab run chat");
    }

    #[test]
    fn a_passed_lesson_leads_to_its_quiz_and_a_failed_one_to_its_steps() {
        let p = Progress::default();
        let after = After::Lesson {
            id: "rooms",
            passed: true,
        };
        assert_eq!(first(&after, &p), "socketio-lab quiz rooms");
        let after = After::Lesson {
            id: "rooms",
            passed: false,
        };
        assert_eq!(first(&after, &p), "socketio-lab run rooms --step");
    }

    #[test]
    fn missed_questions_lead_to_their_lessons() {
        let r = registry();
        let missed = vec!["emit".to_string(), "rooms".to_string()];
        let after = After::Quiz {
            lesson: None,
            missed: &missed,
            stopped: false,
        };
        let commands: Vec<String> = next(&after, &r, &Progress::default())
            .into_iter()
            .map(|n| n.command)
            .collect();
        assert_eq!(
            commands,
            ["socketio-lab run emit", "socketio-lab run rooms"]
        );
    }

    #[test]
    fn a_perfect_quiz_goes_on_to_the_next_unfinished_stop() {
        let mut p = Progress::default();
        p.record(
            "rooms",
            Score {
                correct: 3,
                total: 3,
            },
        );
        p.ran.insert("namespaces".into(), Ran { passed: true });
        let after = After::Quiz {
            lesson: Some("rooms"),
            missed: &[],
            stopped: false,
        };
        // `run namespaces` passed already, so its quiz is next.
        assert_eq!(first(&after, &p), "socketio-lab quiz namespaces");
    }

    #[test]
    fn when_everything_is_done_it_suggests_writing_a_lesson() {
        let r = registry();
        let mut p = Progress::default();
        for item in items(&r) {
            match item {
                Item::Quiz(id) => p.record(
                    &id,
                    Score {
                        correct: 1,
                        total: 1,
                    },
                ),
                Item::Run(id) => drop(p.ran.insert(id, Ran { passed: true })),
                Item::Measuring(lab) => drop(p.ran.insert(lab.name().into(), Ran { passed: true })),
                Item::Demo => drop(p.ran.insert(DEMO.into(), Ran { passed: true })),
            }
        }
        assert_eq!(next_unfinished(&r, &p, None), None);
        assert_eq!(first(&After::Start, &p), "socketio-lab new my-lesson");
    }

    #[test]
    fn paths_are_quoted_for_the_shell() {
        assert_eq!(shell_word(Path::new("my lessons")), "'my lessons'");
        assert_eq!(shell_word(Path::new("a/b.toml")), "a/b.toml");
        assert_eq!(shell_word(Path::new("it's")), r"'it'\''s'");
    }
}
