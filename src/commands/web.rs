//! `socketio-lab web [LESSON]` and `socketio-lab demo --web`: the page, served by
//! the lab server on 127.0.0.1, opened in the browser unless `--no-open`.

use std::io::Write;
use std::time::Duration;

use socketio_lab::demo::Pace;
use socketio_lab::engine::DEFAULT_TIMEOUT;
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::registry::{Entry, Registry};
use socketio_lab::web::{self, Page, WebOptions};

use crate::cli::{DemoArgs, PageArgs, WebArgs};
use crate::error::Error;

pub async fn run(registry: &Registry, args: &WebArgs, paint: Paint) -> Result<Verdict, Error> {
    let page = match args.lesson.as_deref() {
        None => Page::Home,
        Some(name) => match registry.find(name) {
            Some(Entry::Lesson(lesson)) => Page::Lesson(lesson.id.clone()),
            Some(Entry::Measuring(_)) => {
                return Err(Error::Usage(format!(
                    "`{name}` measures and has no page: run it with `socketio-lab run {name}`"
                )))
            }
            None => return Err(Error::Usage(registry.unknown(name))),
        },
    };
    let timeout = Duration::from_millis(args.timeout);
    let verdict = serve(registry, page, &args.page, (timeout, Pace::Normal), paint).await?;
    // The page may have been left anywhere: point at where the learner stands.
    super::next::show(&After::Start, registry, false, paint)?;
    Ok(verdict)
}

pub async fn demo(registry: &Registry, args: &DemoArgs, paint: Paint) -> Result<Verdict, Error> {
    if args.step {
        return Err(Error::Usage(
            "`--step` is for the terminal demo: the page goes on a click or by itself".into(),
        ));
    }
    let pace = args.pace.map(super::demo::pace_of).unwrap_or(Pace::Normal);
    let page = Page::Demo;
    let verdict = serve(registry, page, &args.page, (DEFAULT_TIMEOUT, pace), paint).await?;
    super::next::show(&After::Demo, registry, false, paint)?;
    Ok(verdict)
}

/// Not under `term::interruptible`: Ctrl-C is how a server is meant to stop (exit 0).
async fn serve(
    registry: &Registry,
    page: Page,
    args: &PageArgs,
    (timeout, pace): (Duration, Pace),
    paint: Paint,
) -> Result<Verdict, Error> {
    let options = WebOptions {
        lessons: registry.lessons().to_vec(),
        page,
        port: args.port.unwrap_or(0),
        timeout,
        pace,
    };
    let no_open = args.no_open;
    let mut opened = |address: &str| {
        if no_open {
            return;
        }
        if let Err(e) = open::that_detached(address) {
            // Like every other line of the binary, a closed stderr is no reason to stop.
            let _ = writeln!(
                std::io::stderr(),
                "{} cannot open a browser ({e}): open the address above yourself",
                paint.warn("note:")
            );
        }
    };
    let stop = crate::term::stop_requested();
    let verdict = web::run(&options, &mut std::io::stdout(), paint, &mut opened, stop).await?;
    Ok(verdict)
}
