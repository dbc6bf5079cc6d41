//! Quiz scores per lesson, kept in the user's state directory and written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const FILE: &str = "progress.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub correct: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Best score per lesson.
    pub best: BTreeMap<String, Score>,
    /// Most recent score per lesson.
    pub last: BTreeMap<String, Score>,
}

/// `$SOCKETIO_LAB_STATE_DIR`, else `$XDG_STATE_HOME/socketio-lab`, else
/// `~/.local/state/socketio-lab`.
pub fn state_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("SOCKETIO_LAB_STATE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty("XDG_STATE_HOME") {
        return Some(PathBuf::from(dir).join("socketio-lab"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".local/state/socketio-lab"))
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
/// Ctrl-C leaves either the old file or the new one, never half of one.
pub fn save(dir: &Path, progress: &Progress) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{FILE}.tmp-{}", std::process::id()));
    let text = serde_json::to_string_pretty(progress).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text + "\n")?;
    std::fs::rename(&tmp, dir.join(FILE))
}

pub fn reset(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl Progress {
    pub fn record(&mut self, lesson: &str, score: Score) {
        self.last.insert(lesson.to_string(), score);
        let best = self.best.entry(lesson.to_string()).or_insert(score);
        if score.correct * best.total.max(1) > best.correct * score.total.max(1) {
            *best = score;
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
