//! `socketio-lab check PATH...`: validate lesson files and run their questions.

use std::path::{Path, PathBuf};

use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::registry::Registry;

use crate::error::Error;

pub async fn run(paths: &[PathBuf], registry: &Registry, paint: Paint) -> Result<Verdict, Error> {
    let report = socketio_lab::check::check(paths, &mut std::io::stdout(), paint).await?;
    let valid: Vec<&Path> = report.passed.iter().map(PathBuf::as_path).collect();
    let after = After::Check {
        valid: &valid,
        failed: report.invalid > 0,
    };
    // With nothing valid, the errors on stderr are what to read next.
    if !valid.is_empty() {
        super::next::show(&after, registry, false, paint)?;
    }
    if report.invalid > 0 {
        return Err(Error::Invalid(report));
    }
    Ok(Verdict::Passed)
}
