//! `socketio-lab demo`: the chat example in plain words.

use std::io::IsTerminal;

use socketio_lab::demo::{self, DemoOptions, Pace};
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;

use crate::cli::{self, DemoArgs};
use crate::error::Error;

pub async fn run(args: &DemoArgs, paint: Paint) -> Result<Verdict, Error> {
    let terminal = std::io::stdout().is_terminal();
    if args.page.port.is_some() || args.page.no_open {
        return Err(Error::Usage(
            "`--port` and `--no-open` are for `socketio-lab demo --web`".into(),
        ));
    }
    let pace = match args.pace {
        Some(pace) => pace_of(pace),
        None if terminal => Pace::Normal,
        None => Pace::Instant,
    };
    let step = args.step && crate::term::interactive();
    if args.step && !step {
        // Said, not silently ignored: the person asked to go beat by beat.
        eprintln!(
            "{} no terminal to wait on, so `--step` goes by the pace instead",
            paint.warn("note:")
        );
    }
    let options = DemoOptions { pace, step };
    let mut next_beat = || crate::term::wait_for_enter("Enter to go on");
    Ok(demo::run(&options, &mut std::io::stdout(), paint, &mut next_beat).await?)
}

/// `--pace` as the library's `Pace`.
pub fn pace_of(pace: cli::Pace) -> Pace {
    match pace {
        cli::Pace::Slow => Pace::Slow,
        cli::Pace::Normal => Pace::Normal,
        cli::Pace::Fast => Pace::Fast,
        cli::Pace::Instant => Pace::Instant,
    }
}
