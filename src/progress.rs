//! What the learner has done, kept in the user's state directory and written
//! atomically: quiz scores per lesson, and which lessons and labs were run.
//!
//! The file only ever gains fields, each with a default, so that a file written by
//! an older version still loads (and unknown fields from a newer one are ignored).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const FILE: &str = "progress.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub correct: usize,
    pub total: usize,
}

/// A run of a lesson, a measuring lab or the demo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ran {
    /// Whether some run went through and did what it claims (kept once true).
    pub passed: bool,
}

/// A quiz left before its end (Esc): the questions answered, out of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partial {
    pub correct: usize,
    pub answered: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Best score per lesson, over complete attempts.
    #[serde(default)]
    pub best: BTreeMap<String, Score>,
    /// Most recent complete score per lesson.
    #[serde(default)]
    pub last: BTreeMap<String, Score>,
    /// Runs per lesson or lab id (`demo` for the demo). Absent from older files.
    #[serde(default)]
    pub ran: BTreeMap<String, Ran>,
    /// The most recent partial quiz attempt per lesson, until a complete one.
    #[serde(default)]
    pub partial: BTreeMap<String, Partial>,
    /// Predict-then-see scores per lesson (`run LESSON --predict`); absent from
    /// files written before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub predictions: BTreeMap<String, Scores>,
    /// `verify`: per exercise, its last verdict and whether it ever passed.
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseResult>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseResult {
    pub last_passed: bool,
    pub ever_passed: bool,
}

/// The best and the most recent score of one lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub best: Score,
    pub last: Score,
}

/// Whether `a` is a better score than `b`, as fractions.
fn better(a: Score, b: Score) -> bool {
    a.correct * b.total.max(1) > b.correct * a.total.max(1)
}

/// `$SOCKETIO_LAB_STATE_DIR` when set, else the platform's own place for
/// application state (etcetera's native strategy: `$XDG_STATE_HOME/socketio-lab`,
/// falling back to `~/.local/state/socketio-lab`, on Linux; the Application Support
/// and AppData folders on macOS and Windows).
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SOCKETIO_LAB_STATE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    use etcetera::AppStrategy;
    let args = etcetera::AppStrategyArgs {
        top_level_domain: "org".to_string(),
        author: "socketio-lab".to_string(),
        app_name: "socketio-lab".to_string(),
    };
    let strategy = etcetera::app_strategy::choose_native_strategy(args).ok()?;
    // Only the XDG strategy separates state from data; elsewhere data is the place.
    Some(strategy.state_dir().unwrap_or_else(|| strategy.data_dir()))
}

/// What loading found, besides the progress itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadNote {
    Fine,
    /// The file could not be read as progress; it was moved to this path.
    SetAside(PathBuf),
}

pub fn load(dir: &Path) -> (Progress, LoadNote) {
    let path = dir.join(FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return (Progress::default(), LoadNote::Fine);
    };
    match serde_json::from_str::<Progress>(&text) {
        Ok(p) => (p, LoadNote::Fine),
        Err(_) => {
            let aside = (1..)
                .map(|n| dir.join(format!("{FILE}.corrupt-{n}")))
                .find(|p| !p.exists())
                .unwrap_or_else(|| dir.join(format!("{FILE}.corrupt")));
            match std::fs::rename(&path, &aside) {
                Ok(()) => (Progress::default(), LoadNote::SetAside(aside)),
                Err(_) => (Progress::default(), LoadNote::Fine),
            }
        }
    }
}

/// Writes to a temporary file beside the real one, then renames it over: a crash or
/// Ctrl-C leaves either the old file or the new one, never half of one. `tempfile`
/// removes the temporary file when the write fails or the process unwinds.
pub fn save(dir: &Path, progress: &Progress) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    sweep_stale_temporaries(dir);
    let text = serde_json::to_string_pretty(progress).map_err(std::io::Error::other)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{FILE}."))
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.write_all(b"\n")?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(FILE)).map_err(|e| e.error)?;
    Ok(())
}

/// Loads the stored progress, applies `change` and saves it, in the state directory
/// (none: nothing kept). Gives what went wrong, as warnings: a file set aside as
/// unreadable, a save that failed (`what` names what was being kept).
pub fn update(what: &str, change: impl FnOnce(&mut Progress)) -> Vec<String> {
    match state_dir() {
        Some(dir) => update_in(&dir, what, change),
        None => Vec::new(),
    }
}

/// [`update`] in `dir`. The load, the change and the save happen under an exclusive
/// lock on `progress.lock` beside the file, so that two commands finishing at once
/// (two quizzes, a quiz and a `verify`) each merge their change into what the other
/// saved instead of one overwriting the other's score. The lock is released when the
/// file is closed, also when the process is killed.
pub fn update_in(dir: &Path, what: &str, change: impl FnOnce(&mut Progress)) -> Vec<String> {
    let mut warnings = Vec::new();
    let lock = lock(dir);
    if let Err(e) = &lock {
        // Without the lock the update still happens, as it did before locks existed.
        warnings.push(format!("cannot lock the progress file: {e}"));
    }
    let (mut saved, note) = load(dir);
    if let LoadNote::SetAside(aside) = note {
        warnings.push(format!(
            "the progress file was unreadable; it was moved to `{}`",
            aside.display()
        ));
    }
    change(&mut saved);
    if let Err(e) = save(dir, &saved) {
        warnings.push(format!("cannot save {what}: {e}"));
    }
    drop(lock);
    warnings
}

const LOCK_FILE: &str = "progress.lock";

/// An exclusive lock on `dir/progress.lock` (created if missing), held until the file
/// is dropped. The lock file is never removed: removing it while another process
/// waits on it would let a third lock a new file at the same path.
fn lock(dir: &Path) -> std::io::Result<std::fs::File> {
    std::fs::create_dir_all(dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))?;
    file.lock()?;
    Ok(file)
}

/// A temporary file older than this was left by a write that was killed (SIGKILL, a
/// power cut): no live write takes so long.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes what killed writes left behind: this version's `.progress.json.XXXXXX` and
/// older versions' `progress.json.tmp-PID`. Nothing else in the folder is touched,
/// and a failure here never stops a save.
fn sweep_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let ours = |name: &str| {
        name.starts_with(&format!(".{FILE}.")) || name.starts_with(&format!("{FILE}.tmp-"))
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if ours(&name.to_string_lossy()) && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub fn reset(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The stored progress, or none when there is no state directory or no file.
pub fn current() -> Progress {
    state_dir().map(|dir| load(&dir).0).unwrap_or_default()
}

/// Notes that `id` (a lesson, a measuring lab, or `demo`) ran, and whether it passed.
/// Without a state directory nothing is kept.
pub fn mark_ran(id: &str, passed: bool) -> Vec<String> {
    update("the run", |p| {
        let ran = p.ran.entry(id.to_string()).or_default();
        ran.passed |= passed;
    })
}

impl Progress {
    /// A `verify` run's verdict on an exercise.
    pub fn record_exercise(&mut self, exercise: &str, passed: bool) {
        let result = self.exercises.entry(exercise.to_string()).or_default();
        result.last_passed = passed;
        result.ever_passed |= passed;
    }

    /// Forgets the quiz scores of `lesson`, or of every lesson; runs are kept.
    pub fn forget_quiz(&mut self, lesson: Option<&str>) {
        match lesson {
            Some(id) => {
                self.best.remove(id);
                self.last.remove(id);
                self.partial.remove(id);
            }
            None => {
                self.best.clear();
                self.last.clear();
                self.partial.clear();
            }
        }
    }

    /// Whether `id` ran and passed at least once.
    pub fn passed(&self, id: &str) -> bool {
        self.ran.get(id).is_some_and(|r| r.passed)
    }

    /// Whether the best complete quiz attempt of `lesson` got every question right.
    pub fn quiz_perfect(&self, lesson: &str) -> bool {
        self.best
            .get(lesson)
            .is_some_and(|s| s.total > 0 && s.correct == s.total)
    }

    pub fn record(&mut self, lesson: &str, score: Score) {
        self.partial.remove(lesson);
        self.last.insert(lesson.to_string(), score);
        let best = self.best.entry(lesson.to_string()).or_insert(score);
        if better(score, *best) {
            *best = score;
        }
    }

    /// A whole run's predictions for `lesson`.
    pub fn record_predictions(&mut self, lesson: &str, score: Score) {
        let kept = self
            .predictions
            .entry(lesson.to_string())
            .or_insert(Scores {
                best: score,
                last: score,
            });
        kept.last = score;
        if better(score, kept.best) {
            kept.best = score;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "socketio-lab-progress-{tag}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip_and_best_score() {
        let dir = temp_dir("rt");
        let mut p = Progress::default();
        p.record(
            "rooms",
            Score {
                correct: 2,
                total: 3,
            },
        );
        p.record(
            "rooms",
            Score {
                correct: 1,
                total: 3,
            },
        );
        save(&dir, &p).unwrap();
        let (loaded, note) = load(&dir);
        assert_eq!(note, LoadNote::Fine);
        assert_eq!(
            loaded.best["rooms"],
            Score {
                correct: 2,
                total: 3
            }
        );
        assert_eq!(
            loaded.last["rooms"],
            Score {
                correct: 1,
                total: 3
            }
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_from_before_runs_were_kept_still_loads() {
        let dir = temp_dir("old");
        std::fs::create_dir_all(&dir).unwrap();
        let old = r#"{ "best": { "emit": { "correct": 1, "total": 2 } }, "last": {} }"#;
        std::fs::write(dir.join(FILE), old).unwrap();
        let (p, note) = load(&dir);
        assert_eq!(note, LoadNote::Fine);
        assert_eq!(p.best["emit"].correct, 1);
        assert!(p.ran.is_empty() && p.partial.is_empty());
        // And a newer file's unknown fields do not make it unreadable.
        std::fs::write(
            dir.join(FILE),
            r#"{ "predictions": {}, "ran": { "rooms": { "passed": true } } }"#,
        )
        .unwrap();
        let (p, note) = load(&dir);
        assert_eq!(note, LoadNote::Fine);
        assert!(p.passed("rooms") && !p.passed("emit"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn forgetting_one_lesson_keeps_the_others_and_the_runs() {
        let mut p = Progress::default();
        let s = Score {
            correct: 1,
            total: 1,
        };
        p.record("rooms", s);
        p.record("emit", s);
        p.ran.insert("rooms".into(), Ran { passed: true });
        p.forget_quiz(Some("rooms"));
        assert!(!p.best.contains_key("rooms") && p.quiz_perfect("emit"));
        p.forget_quiz(None);
        assert!(p.best.is_empty() && p.passed("rooms"));
    }

    #[test]
    fn prediction_scores_are_kept_beside_and_older_files_still_load() {
        let older = r#"{ "best": { "rooms": { "correct": 1, "total": 2 } }, "last": {} }"#;
        let mut p: Progress = serde_json::from_str(older).unwrap();
        assert!(p.predictions.is_empty());
        let score = |correct, total| Score { correct, total };
        p.record_predictions("rooms", score(3, 8));
        p.record_predictions("rooms", score(7, 8));
        p.record_predictions("rooms", score(2, 8));
        assert_eq!(
            p.predictions["rooms"],
            Scores {
                best: score(7, 8),
                last: score(2, 8)
            }
        );
        assert_eq!(p.best["rooms"], score(1, 2), "the quiz's score is its own");
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Progress>(&text).unwrap(), p);
    }

    #[test]
    fn temporaries_left_by_killed_writes_are_swept() {
        let dir = temp_dir("sweep");
        std::fs::create_dir_all(&dir).unwrap();
        let old = std::time::SystemTime::now() - 2 * STALE_AFTER;
        let make = |name: &str, aged: bool| {
            let f = std::fs::File::create(dir.join(name)).unwrap();
            if aged {
                f.set_modified(old).unwrap();
            }
        };
        make(".progress.json.a1B2c3", true);
        make("progress.json.tmp-4242", true);
        make(".progress.json.live01", false); // a write going on right now
        make("notes.txt", true); // not ours
        save(&dir, &Progress::default()).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".progress.json.live01", "notes.txt", "progress.json"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Issue 28, item 10: updates from two writers at once (two quizzes, in threads
    /// here: each opens the lock file itself, as a process would) all survive. Without
    /// the lock, one writer's load-change-save overwrites what the other just saved.
    #[test]
    fn concurrent_updates_lose_nothing() {
        let dir = temp_dir("concurrent");
        let rounds = 40;
        std::thread::scope(|s| {
            for writer in ["a", "b"] {
                let dir = &dir;
                s.spawn(move || {
                    for round in 0..rounds {
                        let warnings = update_in(dir, "the test", |p| {
                            // A little work between load and save, as a quiz does.
                            std::thread::sleep(std::time::Duration::from_millis(1));
                            p.record(
                                &format!("{writer}{round}"),
                                Score {
                                    correct: round,
                                    total: rounds,
                                },
                            );
                        });
                        assert!(warnings.is_empty(), "{warnings:?}");
                    }
                });
            }
        });
        let (p, note) = load(&dir);
        assert_eq!(note, LoadNote::Fine);
        assert_eq!(p.best.len(), 2 * rounds, "{:?}", p.best.keys());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_set_aside() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(FILE), "{ not json").unwrap();
        let (p, note) = load(&dir);
        assert_eq!(p, Progress::default());
        let LoadNote::SetAside(aside) = note else {
            panic!("not set aside")
        };
        assert_eq!(std::fs::read_to_string(aside).unwrap(), "{ not json");
        assert!(!dir.join(FILE).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
