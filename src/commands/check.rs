//! `socketio-lab check PATH...`: validate lesson files and run their questions.

use std::path::PathBuf;

use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;

use crate::error::Error;

pub async fn run(paths: &[PathBuf], paint: Paint) -> Result<Verdict, Error> {
    let report = socketio_lab::check::check(paths, &mut std::io::stdout(), paint).await?;
    if report.invalid > 0 {
        return Err(Error::Invalid(report));
    }
    Ok(Verdict::Passed)
}
