//! `socketio-lab export LESSON [--lang js|rust] [--dir DIR]`: the lesson's server as a
//! project, then how to run it and point the lesson at it.

use std::io::Write;
use std::path::PathBuf;

use socketio_lab::export;
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::registry::Registry;

use crate::cli::{ExportArgs, ExportLang};
use crate::error::Error;

pub fn run(registry: &Registry, args: &ExportArgs, paint: Paint) -> Result<Verdict, Error> {
    let lesson = registry
        .lesson(&args.lesson)
        .ok_or_else(|| Error::Usage(registry.unknown(&args.lesson)))?;
    let files = match args.lang {
        ExportLang::Js => export::js_project(lesson, args.choice.as_deref())?,
        ExportLang::Rust => export::rust_project(lesson, args.choice.as_deref())?,
    };
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-server", lesson.id)));
    let written = export::write(&dir, &files)?;
    // A locked handle and `?`: a closed stdout ends quietly (see `error.rs`), where
    // `println!` would panic.
    let mut out = std::io::stdout().lock();
    for path in &written {
        let shown = socketio_lab::safe::text(&path.display().to_string()).into_owned();
        writeln!(out, "wrote {shown}")?;
    }
    let dir = socketio_lab::safe::text(&dir.display().to_string()).into_owned();
    writeln!(out)?;
    if args.lang == ExportLang::Rust {
        writeln!(out, "{}", paint.dim("run it (Rust 1.80 or later):"))?;
        writeln!(out, "  cd {dir} && cargo run")?;
        writeln!(
            out,
            "{}",
            paint.dim(
                "then connect your own clients to http://localhost:3000\n\
                 (`run --server` needs the lab's probe, which only `--lang js` writes)"
            )
        )?;
        return Ok(Verdict::Passed);
    }
    writeln!(out, "{}", paint.dim("run it (Node 18 or later):"))?;
    writeln!(out, "  cd {dir} && npm install && node index.js")?;
    let (next, command) = match args.choice {
        Some(_) => (
            "then connect your own clients to http://localhost:3000; the quiz runs this choice too:",
            format!("socketio-lab quiz {} --explain", lesson.id),
        ),
        None => (
            "then, in another terminal, the lesson against it:",
            format!("socketio-lab run {} --server http://localhost:3000", lesson.id),
        ),
    };
    writeln!(out, "{}", paint.dim(next))?;
    writeln!(out, "  {command}")?;
    Ok(Verdict::Passed)
}
