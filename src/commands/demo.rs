//! `socketio-lab demo`: the chat example in plain words.

use std::io::IsTerminal;

use socketio_lab::demo::{self, DemoOptions, Pace};
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::{After, DEMO};
use socketio_lab::registry::Registry;

use crate::cli::{self, DemoArgs};
use crate::error::Error;

/// The rows a beat needs under the chat windows (the longest beat fills 19 of them).
const MIN_ROWS: usize = 20;

pub async fn run(registry: &Registry, args: &DemoArgs, paint: Paint) -> Result<Verdict, Error> {
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
    if args.step && !crate::term::interactive() {
        // Refused, not silently ignored: the person asked to go beat by beat.
        return Err(Error::Usage(
            "`--step` waits for Enter, but there is no terminal to wait on: leave out `--step` (`--pace normal` goes at reading speed)".into(),
        ));
    }
    // Redrawn one beat at a time when someone watches it unfold; a terminal too
    // small for a beat under the windows scrolls instead.
    let watched = args.step || pace != Pace::Instant;
    let redraw = watched && crate::term::size().is_some_and(|(_, rows)| rows >= MIN_ROWS);
    let options = DemoOptions {
        pace,
        step: args.step,
        redraw,
    };
    let mut next_beat = || crate::term::wait_for_enter("Enter to go on");
    let verdict = demo::run(&options, &mut std::io::stdout(), paint, &mut next_beat).await?;
    super::next::mark_ran(DEMO, verdict == Verdict::Passed, paint);
    super::next::show(&After::Demo, registry, false, paint)?;
    Ok(verdict)
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
