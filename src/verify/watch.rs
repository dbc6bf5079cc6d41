//! `verify --watch`: run, then run again whenever a file in the server's folder
//! changes, until Ctrl-C (the caller's). notify-debouncer-full (maintained with
//! notify) turns an editor's burst of events into one; `node_modules`, `target` and
//! `.git` are left out, since installs and builds touch them without the learner,
//! and so are the files verify's own output goes to.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify_debouncer_full::notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};

use super::{Target, VerifyError, VerifyOptions};
use crate::exercise::Exercise;
use crate::paint::Paint;

const IGNORED: [&str; 3] = ["node_modules", "target", ".git"];

/// The server's folder: that of the first argument naming an existing file
/// (`node src/server.js` watches `src/`), or else the current folder.
pub fn folder(options: &VerifyOptions) -> PathBuf {
    let Target::Command(command) = &options.target else {
        return PathBuf::from(".");
    };
    command
        .iter()
        .skip(1)
        .map(Path::new)
        .find(|p| p.is_file())
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Whether an event changes what the folder holds: a file written, created, removed
/// or renamed. inotify also reports opens, reads and closes (`Access`), which the
/// server itself causes as it starts, and attribute changes (`Metadata`: an access
/// time); reacting to those verified again without end.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

fn ignored(path: &Path, outputs: &[(u64, u64)]) -> bool {
    path.components()
        .any(|c| matches!(c, Component::Normal(name) if IGNORED.iter().any(|i| name == *i)))
        || is_one_of(path, outputs)
}

/// The files verify's own stdout and stderr write to, when they are files (as with
/// `verify --watch ... > log.txt`): a log kept in the server's folder changes with
/// every run, and reacting to it would verify again without end.
#[cfg(unix)]
fn own_outputs() -> Vec<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    ["/dev/stdout", "/dev/stderr"]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| (m.dev(), m.ino()))
        .collect()
}

#[cfg(not(unix))]
fn own_outputs() -> Vec<(u64, u64)> {
    Vec::new()
}

#[cfg(unix)]
fn is_one_of(path: &Path, files: &[(u64, u64)]) -> bool {
    use std::os::unix::fs::MetadataExt;
    !files.is_empty() && std::fs::metadata(path).is_ok_and(|m| files.contains(&(m.dev(), m.ino())))
}

#[cfg(not(unix))]
fn is_one_of(_path: &Path, _files: &[(u64, u64)]) -> bool {
    false
}

/// Runs until the caller stops it (Ctrl-C); returns only when watching or
/// verifying fails, with why.
pub async fn run(
    (exercise, options): (&Exercise, &VerifyOptions),
    out: &mut dyn Write,
    paint: Paint,
) -> VerifyError {
    match watch(exercise, options, out, paint).await {
        Err(e) => e,
    }
}

async fn watch(
    exercise: &Exercise,
    options: &VerifyOptions,
    out: &mut dyn Write,
    paint: Paint,
) -> Result<std::convert::Infallible, VerifyError> {
    let dir = folder(options);
    let shown = dir.display().to_string();
    let fail =
        |e: notify_debouncer_full::notify::Error| VerifyError::Watch(shown.clone(), e.to_string());
    let (tx, mut changes) = tokio::sync::mpsc::unbounded_channel::<()>();
    let outputs = own_outputs();
    let mut debouncer = new_debouncer(
        Duration::from_millis(200),
        None,
        move |result: DebounceEventResult| {
            let relevant = result.is_ok_and(|events| {
                events.iter().any(|e| {
                    changes_content(&e.kind) && e.paths.iter().any(|p| !ignored(p, &outputs))
                })
            });
            if relevant {
                let _ = tx.send(());
            }
        },
    )
    .map_err(fail)?;
    debouncer
        .watch(&dir, RecursiveMode::Recursive)
        .map_err(fail)?;
    loop {
        super::run(exercise, options, out, paint).await?;
        let waiting = format!(
            "watching {} for changes (Ctrl-C to stop)",
            crate::safe::text(&shown)
        );
        writeln!(out, "\n{}", paint.dim(&waiting))?;
        out.flush()?;
        if changes.recv().await.is_none() {
            return Err(VerifyError::Watch(shown, "the watcher stopped".into()));
        }
        while changes.try_recv().is_ok() {}
        writeln!(out, "\n{}\n", paint.bold("a file changed: verifying again"))?;
    }
}
