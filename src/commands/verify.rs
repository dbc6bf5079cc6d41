//! `socketio-lab verify`: the learner's own server against an exercise.

use std::io::Write;
use std::time::Duration;

use socketio_lab::exercise::{self, Exercise};
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::progress;
use socketio_lab::registry::Registry;
use socketio_lab::verify::{self, init, Target, VerifyOptions, START_TIMEOUT};

use crate::cli::{Lang, VerifyArgs};
use crate::error::Error;

pub async fn run(registry: &Registry, args: &VerifyArgs, paint: Paint) -> Result<Verdict, Error> {
    let exercises = exercise::embedded().map_err(|e| Error::Usage(e.to_string()))?;
    if args.list {
        return list(&exercises, paint);
    }
    let id = args.exercise.as_deref().unwrap_or_default();
    let Some(exercise) = exercises.iter().find(|e| e.id == id) else {
        let names = exercises.iter().map(|e| e.id.as_str());
        return Err(Error::Usage(format!(
            "unknown exercise `{}`{} (see `socketio-lab verify --list`)",
            socketio_lab::safe::text(id),
            socketio_lab::suggest::did_you_mean(id, names)
        )));
    };
    if let Some(lang) = args.init {
        let lang = match lang {
            Lang::Js => init::Lang::Js,
            Lang::Rust => init::Lang::Rust,
        };
        let text = init::write(exercise, lang, std::path::Path::new("."))
            .map_err(|e| Error::Usage(e.to_string()))?;
        // Through the handle: a closed pipe is an error `report` ends quietly, not a panic.
        let mut out = std::io::stdout();
        write!(out, "{text}")?;
        out.flush()?;
        return Ok(Verdict::Passed);
    }
    let target = match (&args.url, args.command.is_empty()) {
        (Some(url), _) => Target::Url(url.clone()),
        (None, false) => Target::Command(args.command.clone()),
        (None, true) => {
            return Err(Error::Usage(format!(
                "give the command that starts your server after `--` (`socketio-lab verify {id} -- node server.js`), or `--url`"
            )))
        }
    };
    let options = VerifyOptions {
        target,
        quiet: Duration::from_millis(args.quiet_ms),
        timeout: Duration::from_millis(args.timeout),
        start_timeout: START_TIMEOUT,
        json: args.json,
    };
    let work = async {
        if args.watch {
            let out = &mut std::io::stdout();
            return Err(verify::watch::run((exercise, &options), out, paint)
                .await
                .into());
        }
        let verdict = verify::run(exercise, &options, &mut std::io::stdout(), paint).await?;
        let target: Vec<String> = match &args.url {
            Some(url) => vec!["--url".into(), url.clone()],
            None => std::iter::once("--".to_string())
                .chain(args.command.iter().cloned())
                .collect(),
        };
        let after = After::Verify {
            exercise: &exercise.id,
            passed: verdict == Verdict::Passed,
            target: &target,
        };
        super::next::show(&after, registry, args.json, paint)?;
        Ok(verdict)
    };
    // Dropping the work stops the learner's whole process group (its guard's Drop).
    tokio::select! {
        result = work => result,
        _ = crate::term::stop_requested() => Err(Error::Interrupted),
    }
}

/// `verify --list` (also from the menu).
pub fn list_exercises(paint: Paint) -> Result<Verdict, Error> {
    let exercises = exercise::embedded().map_err(|e| Error::Usage(e.to_string()))?;
    list(&exercises, paint)
}

fn list(exercises: &[Exercise], paint: Paint) -> Result<Verdict, Error> {
    let saved = progress::state_dir()
        .map(|dir| progress::load(&dir).0)
        .unwrap_or_default();
    let width = exercises.iter().map(|e| e.id.len()).max().unwrap_or(0) + 2;
    let mut out = std::io::stdout();
    writeln!(
        out,
        "{}",
        paint.bold("exercises: socketio-lab verify NAME -- COMMAND (or --init js|rust)")
    )?;
    for e in exercises {
        let mark = match saved.exercises.get(&e.id) {
            Some(r) if r.ever_passed => paint.good("✓"),
            Some(_) => paint.warn("…"),
            None => " ".to_string(),
        };
        writeln!(out, "  {mark} {:<width$}{}", e.id, e.title)?;
    }
    out.flush()?;
    Ok(Verdict::Passed)
}
