//! `socketio-lab list`: every lesson, quiz and lab, with the learner's progress.

use std::io::Write;

use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::{self, After};
use socketio_lab::progress;
use socketio_lab::registry::Registry;

use crate::error::Error;

pub fn run(registry: &Registry, paint: Paint) -> Result<Verdict, Error> {
    write_list(registry, paint)?;
    super::next::show(&After::Start, registry, false, paint)?;
    Ok(Verdict::Passed)
}

/// The list alone, without its `next:` line.
pub fn write_list(registry: &Registry, paint: Paint) -> Result<(), Error> {
    let mut out = std::io::stdout();
    write!(
        out,
        "{}",
        path::list_text(registry, &progress::current(), paint)
    )?;
    out.flush()?;
    Ok(())
}
