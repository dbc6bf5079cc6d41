//! `socketio-lab` with no command: a menu of lessons and labs on a terminal, the list
//! otherwise.

use std::io::Write;

use socketio_lab::engine::LabOptions;
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::registry::{Entry, Registry};

use crate::cli::RunArgs;
use crate::error::Error;

pub async fn run(registry: &Registry, paint: Paint) -> Result<Verdict, Error> {
    if !crate::term::interactive() {
        super::list::run(registry, paint)?;
        let mut out = std::io::stdout();
        writeln!(
            out,
            "Other commands: `socketio-lab check PATH`, `socketio-lab --help`."
        )?;
        return Ok(Verdict::Passed);
    }
    let entries = registry.menu_items();
    let items: Vec<String> = entries
        .iter()
        .map(|(id, summary)| format!("{id:<12} {summary}"))
        .collect();
    let Some(index) = crate::term::select("Pick a lesson (Esc to quit)", &items)? else {
        return Ok(Verdict::Passed);
    };
    match registry.find(&entries[index].0) {
        Some(Entry::Lesson(lesson)) => {
            let how = super::run::How {
                step: true,
                ..Default::default()
            };
            super::run::lesson_run(lesson, &LabOptions::default(), &how, paint).await
        }
        Some(Entry::Measuring(_)) => {
            // A measuring lab with its defaults, as `socketio-lab run NAME` would.
            let args = RunArgs {
                lesson: entries[index].0.clone(),
                step: false,
                json: false,
                predict: false,
                predictions: None,
                predictions_file: None,
                timeout: LabOptions::default().timeout.as_millis() as u64,
                server: None,
                clients: None,
                redis: None,
            };
            super::run::run(registry, &args, &crate::cli::Given::default(), paint).await
        }
        None => Ok(Verdict::Passed),
    }
}
