//! `socketio-lab list`: lessons and measuring labs, with the best quiz scores.

use std::io::Write;

use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::progress;
use socketio_lab::registry::Registry;

use crate::error::Error;

pub fn run(registry: &Registry, paint: Paint) -> Result<Verdict, Error> {
    let progress = progress::state_dir()
        .map(|dir| progress::load(&dir).0)
        .unwrap_or_default();
    let mut out = std::io::stdout();
    write!(out, "{}", registry.list_text(&progress, paint))?;
    out.flush()?;
    Ok(Verdict::Passed)
}
