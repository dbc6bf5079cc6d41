//! One file per subcommand; each turns its arguments into one library operation.

mod check;
mod completions;
mod demo;
mod export;
mod list;
mod menu;
mod new;
mod next;
mod quiz;
mod run;
mod serve;
mod verify;
mod web;

use std::process::ExitCode;

use socketio_lab::paint::Paint;
use socketio_lab::registry::Registry;

use crate::cli::{Cli, Command, Given};
use crate::error::{verdict_code, Error};

pub async fn dispatch(cli: Cli, given: Given, paint: Paint) -> Result<ExitCode, Error> {
    // `check` reads only the files it is given, so a broken `--lessons` folder
    // cannot stop it from reporting on them.
    if let Some(Command::Check { paths }) = &cli.command {
        return crate::term::interruptible(check::run(paths, &Registry::load(None)?, paint))
            .await
            .map(verdict_code);
    }
    if let Some(Command::Verify(args)) = &cli.command {
        // Exercises are not lessons: a broken `--lessons` folder does not stop it.
        // Its own signal handling: SIGINT and SIGTERM stop the learner's server too.
        return verify::run(&Registry::load(None)?, args, paint)
            .await
            .map(verdict_code);
    }
    // Neither needs the `--lessons` folder, so a broken one cannot stop them.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            return completions::run(*shell, &Registry::load(None)?, paint).map(verdict_code)
        }
        Some(Command::New(args)) => {
            return new::run(args, &Registry::load(None)?, paint).map(verdict_code)
        }
        _ => {}
    }
    let registry = Registry::load(cli.lessons.as_deref())?;
    if let Some(Command::Export(args)) = &cli.command {
        return export::run(&registry, args, paint).map(verdict_code);
    }
    if let Some(Command::Serve(args)) = &cli.command {
        return serve::run(&registry, args, paint).await.map(verdict_code);
    }
    if let Some(Command::Web(args)) = &cli.command {
        return web::run(&registry, args, paint).await.map(verdict_code);
    }
    let work = async {
        match cli.command {
            None => menu::run(&registry, paint).await,
            Some(Command::List) => list::run(&registry, paint),
            Some(Command::Run(args)) => run::run(&registry, &args, &given, paint).await,
            Some(Command::Quiz(args)) => quiz::run(&registry, &args, paint).await,
            Some(Command::Demo(args)) if args.web => web::demo(&registry, &args, paint).await,
            Some(Command::Demo(args)) => demo::run(&registry, &args, paint).await,
            Some(
                Command::Serve(_)
                | Command::Web(_)
                | Command::Check { .. }
                | Command::Verify(_)
                | Command::New(_)
                | Command::Export(_)
                | Command::Completions { .. },
            ) => unreachable!("handled above"),
        }
    };
    crate::term::interruptible(work).await.map(verdict_code)
}
