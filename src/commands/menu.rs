//! `socketio-lab` with no command: on a terminal, a menu of every stop of the
//! learner's path (lessons, quizzes, labs, demo) with its progress, the next
//! unfinished one preselected; the list otherwise.

use std::io::Write;

use socketio_lab::engine::LabOptions;
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::{self, After, Item};
use socketio_lab::progress;
use socketio_lab::registry::Registry;

use crate::cli::{DemoArgs, PageArgs, QuizArgs, RunArgs, WebArgs};
use crate::error::Error;

/// The menu's entries after the path's stops: the page, and `verify`'s exercises.
const OTHERS: [(&str, &str); 2] = [
    ("web", "every lesson as a page in your browser"),
    ("verify --list", "your own server, judged by its traffic"),
];

pub async fn run(registry: &Registry, paint: Paint) -> Result<Verdict, Error> {
    if !crate::term::interactive() {
        super::list::write_list(registry, paint)?;
        let mut out = std::io::stdout();
        writeln!(
            out,
            "Other commands: `socketio-lab check PATH`, `socketio-lab --help`."
        )?;
        super::next::show(&After::Start, registry, false, paint)?;
        return Ok(Verdict::Passed);
    }
    let progress = progress::current();
    let items = path::items(registry);
    let width = dialoguer::console::Term::stderr().size().1 as usize;
    let width = width.clamp(40, 120) - 2;
    let mut labels: Vec<String> = items
        .iter()
        .map(|i| i.menu_label(registry, &progress, width))
        .collect();
    // Two ways in that are not stops of the path: the page, and the learner's own server.
    for (command, summary) in OTHERS {
        labels.push(path::fit(&format!("{command:<38} {summary}"), width));
    }
    let preselected = path::next_unfinished(registry, &progress, None)
        .and_then(|next| items.iter().position(|i| *i == next))
        .unwrap_or(0);
    let Some(index) =
        crate::term::select_from("Pick what to do next (Esc to quit)", &labels, preselected)?
    else {
        super::next::show(&After::Start, registry, false, paint)?;
        return Ok(Verdict::Passed);
    };
    let Some(item) = items.get(index) else {
        return match index - items.len() {
            0 => {
                let args = WebArgs {
                    lesson: None,
                    page: PageArgs {
                        port: None,
                        no_open: false,
                    },
                    timeout: LabOptions::default().timeout.as_millis() as u64,
                };
                super::web::run(registry, &args, paint).await
            }
            _ => super::verify::list_exercises(paint),
        };
    };
    match item {
        Item::Run(id) => match registry.lesson(id) {
            Some(lesson) => {
                let how = super::run::How {
                    step: true,
                    ..Default::default()
                };
                super::run::lesson_run(registry, lesson, &LabOptions::default(), &how, paint).await
            }
            None => Ok(Verdict::Passed),
        },
        Item::Measuring(lab) => {
            // A measuring lab with its defaults, as `socketio-lab run NAME` would.
            let args = RunArgs {
                lesson: lab.name().to_string(),
                step: false,
                json: false,
                predict: false,
                predictions: None,
                predictions_file: None,
                timeout: LabOptions::default().timeout.as_millis() as u64,
                server: Vec::new(),
                unmasked: false,
                clients: None,
                redis: None,
            };
            super::run::run(registry, &args, &crate::cli::Given::default(), paint).await
        }
        Item::Quiz(id) => {
            let args = QuizArgs {
                lesson: Some(id.clone()),
                answers: None,
                answers_file: None,
                explain: false,
                json: false,
                reset: false,
                timeout: LabOptions::default().timeout.as_millis() as u64,
                server: None,
            };
            super::quiz::run(registry, &args, paint).await
        }
        Item::Demo => {
            let args = DemoArgs {
                pace: None,
                step: false,
                web: false,
                page: PageArgs {
                    port: None,
                    no_open: false,
                },
            };
            super::demo::run(registry, &args, paint).await
        }
    }
}
