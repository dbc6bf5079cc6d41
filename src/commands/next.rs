//! The lines every command ends with: what to do next, decided by the library
//! (`path::next`) from what the command did and the stored progress.

use std::io::Write;

use socketio_lab::paint::Paint;
use socketio_lab::path::{self, After};
use socketio_lab::progress;
use socketio_lab::registry::Registry;

use crate::error::Error;

/// Writes `next: ...` to stdout, or to stderr when stdout carries a document for a
/// program (`--json`, a completion script).
pub fn show(
    after: &After<'_>,
    registry: &Registry,
    to_stderr: bool,
    paint: Paint,
) -> Result<(), Error> {
    let text = text(after, registry, paint);
    if to_stderr {
        // A closed stderr is no reason to fail a command that did its work.
        let _ = write!(std::io::stderr(), "{text}");
        return Ok(());
    }
    let mut out = std::io::stdout();
    write!(out, "\n{text}")?;
    out.flush()?;
    Ok(())
}

/// The `next:` lines after `after`, as `show` writes them.
pub fn text(after: &After<'_>, registry: &Registry, paint: Paint) -> String {
    let nexts = path::next(after, registry, &progress::current());
    path::text(&nexts, paint)
}

/// Notes a run in the progress; what could not be kept is said on stderr.
pub fn mark_ran(id: &str, passed: bool, paint: Paint) {
    for warning in progress::mark_ran(id, passed) {
        eprintln!("{} {warning}", paint.warn("warning:"));
    }
}
