//! `socketio-lab demo`: the chat example in plain words.

use std::io::IsTerminal;

use socketio_lab::demo::{self, DemoOptions, Pace};
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::{After, DEMO};
use socketio_lab::registry::Registry;

use crate::cli::{self, DemoArgs};
use crate::error::Error;

pub async fn run(registry: &Registry, args: &DemoArgs, paint: Paint) -> Result<Verdict, Error> {
    let terminal = std::io::stdout().is_terminal();
    let pace = match args.pace {
        Some(cli::Pace::Slow) => Pace::Slow,
        Some(cli::Pace::Normal) => Pace::Normal,
        Some(cli::Pace::Fast) => Pace::Fast,
        Some(cli::Pace::Instant) => Pace::Instant,
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
    let verdict = demo::run(&options, &mut std::io::stdout(), paint, &mut next_beat).await?;
    super::next::mark_ran(DEMO, verdict == Verdict::Passed, paint);
    super::next::show(&After::Demo, registry, false, paint)?;
    Ok(verdict)
}
