//! `socketio-lab demo`: the chat example told in plain words, for people who do not
//! write code. The story is a lesson file (`src/demo/story.toml`, read with
//! `lesson::parse`) run on the embedded server through the same `Lab` engine and
//! trace as `run`, and judged by the same judge (`crate::judge`). Every "sees" line is
//! read from the step's `StepRecord`; when an observation is missing the demo says so
//! instead of printing the planned line.
//!
//! Plain words: narration avoids the terms in [`JARGON`]. Each step may end with one
//! `word: TERM - meaning` line, the only place a technical term appears. "room" is
//! treated as an everyday word (a smaller group inside the chat, explained where it
//! is first used), so it may appear in plain text; "Socket.IO" is the product's name
//! and may appear too. `detail:` lines, printed only when something went wrong, carry
//! the technical account for a developer and are exempt as well.

mod picture;
mod screen;
#[cfg(test)]
mod tests;
mod words;

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use crate::engine::{Lab, LabError, LabOptions};
use crate::judge::Verdict;
use crate::lesson::{self, Lesson, LessonError, Step};
use crate::paint::Paint;
use crate::trace::StepRecord;
use crate::view::{self, rule, step_rule, wrap};

pub use screen::word_count;
use words::{and_list, DETAIL_PREFIX, GLOSSARY_PREFIX};
pub use words::{
    display_name, is_jargon, jargon_in, sender, split_narration, JARGON, TECHNICAL_COMMAND,
};

/// The story, in the lesson format.
pub const STORY: &str = include_str!("story.toml");

/// How long the demo rests on each beat: the time a person takes to read it.
/// Presentation only: a beat's traffic has been observed in full before any rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Slow,
    Normal,
    Fast,
    Instant,
}

impl Pace {
    /// Reading speed in words a minute (`normal` is an unhurried adult reader's, in
    /// the 200 to 250 that reading studies give); `None` for no rest at all.
    pub fn words_per_minute(self) -> Option<u64> {
        match self {
            Pace::Slow => Some(150),
            Pace::Normal => Some(220),
            Pace::Fast => Some(400),
            Pace::Instant => None,
        }
    }

    /// How long reading `words` words takes at this pace.
    pub fn reading_time(self, words: usize) -> Duration {
        self.words_per_minute()
            .map(|wpm| Duration::from_millis(words as u64 * 60_000 / wpm))
            .unwrap_or_default()
    }
}

/// How the demo is told. The command line decides all three from the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Rest on each beat for as long as it takes to read.
    pub pace: Pace,
    /// Wait for the person after each beat instead (see [`run`]'s `next_beat`).
    pub step: bool,
    /// On a terminal: redraw one beat at a time under the chat windows, as wide as
    /// `Paint::width`, instead of writing a transcript that scrolls.
    pub redraw: bool,
}

/// Why the demo could not be told to its end.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Start(LabError),
    #[error("beat {beat}: {source}")]
    Beat { beat: usize, source: LabError },
    #[error("the demo story is broken: {0}")]
    Story(#[from] LessonError),
    #[error("cannot write the demo: {0}")]
    Output(#[from] std::io::Error),
}

/// The demo's story, parsed and validated like any lesson.
pub fn story() -> Result<Lesson, LessonError> {
    lesson::parse("demo", "src/demo/story.toml", STORY)
}

/// The opening: title and what the viewer is about to see.
pub fn header(story: &Lesson, paint: Paint) -> String {
    let title = format!("socketio-lab demo · {}", story.title);
    let mut out = view::opening(&title, &story.intro, paint);
    let people: Vec<String> = story
        .clients
        .iter()
        .map(|c| display_name(&c.name))
        .collect();
    let _ = writeln!(
        out,
        "  {}  {}, each on their own chat page",
        paint.dim("people"),
        and_list(&people)
    );
    let _ = writeln!(
        out,
        "  {}  a real chat server, running inside this program",
        paint.dim("server")
    );
    out
}

/// One beat: the plain sentences, the glossary line, a picture of what the trace
/// shows happened, and the judge's problems if there are any.
pub fn beat(story: &Lesson, step: &Step, record: &StepRecord, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", step_rule(story, step, record, paint));
    let (plain, glossary) = split_narration(&step.narration);
    out.push_str(&wrap(&plain, 2, paint.width));
    for (term, meaning) in &glossary {
        let line = format!("{GLOSSARY_PREFIX} {term} - {meaning}");
        let _ = writeln!(out, "  {}", paint.dim(&line));
    }
    let _ = writeln!(out);
    out.push_str(&picture::picture(story, step, record, paint));
    out.push_str(&picture::online_line(record, paint));

    let problems = record.problems(step);
    if !problems.is_empty() {
        let said = "✗ This did not go as it should have. For a developer:";
        let _ = writeln!(out, "  {}", paint.bad(said));
        // Every wrapped line keeps the prefix: these are the technical lines.
        let width = paint.width - 2 - DETAIL_PREFIX.len() - 1;
        for p in &problems {
            for line in wrap(p, 0, width).lines() {
                let _ = writeln!(out, "  {}", paint.dim(&format!("{DETAIL_PREFIX} {line}")));
            }
        }
    }
    out
}

/// The closing: the three sentences to repeat, and where the technical version is.
pub fn ending(story: &Lesson, failed_beats: usize, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", rule("In short", paint));
    if failed_beats > 0 {
        let failed = format!(
            "✗ {failed_beats} of {} beats did not go as planned (see the ✗ lines).",
            story.steps.len()
        );
        let _ = writeln!(out, "  {}", paint.bad(&failed));
    }
    out.push_str(&wrap(&story.summary, 2, paint.width));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  Developers: `{}` shows the same chat with its code.",
        paint.code(TECHNICAL_COMMAND)
    );
    out
}

/// Runs the demo: every beat's traffic is observed in full before it is shown, and
/// only then does the rest after it start. In step mode `next_beat` waits for the
/// person's go-ahead; it returns false once they closed the input, and the pace
/// takes over.
pub async fn run(
    options: &DemoOptions,
    out: &mut dyn Write,
    paint: Paint,
    next_beat: &mut dyn FnMut() -> bool,
) -> Result<Verdict, DemoError> {
    let story = story()?;
    let mut lab = Lab::start(&story.clients, &LabOptions::default())
        .await
        .map_err(DemoError::Start)?;
    let mut rest = Rest {
        pace: options.pace,
        step: options.step,
        next_beat,
    };
    let mut teller = Teller {
        out,
        paint,
        redraw: options.redraw,
        windows: screen::Windows::new(&story),
    };
    let told = tell(&story, &mut lab, &mut rest, &mut teller).await;
    lab.finish().await;
    told
}

/// Rests after a beat: the person's go-ahead in step mode, otherwise its reading time.
struct Rest<'a> {
    pace: Pace,
    step: bool,
    next_beat: &'a mut dyn FnMut() -> bool,
}

impl Rest<'_> {
    async fn rest(&mut self, words: usize) {
        if self.step {
            self.step = (self.next_beat)();
        } else {
            let time = self.pace.reading_time(words);
            if !time.is_zero() {
                tokio::time::sleep(time).await;
            }
        }
    }
}

/// Where the story is told: a transcript that scrolls, or a screen redrawn per beat.
struct Teller<'a> {
    out: &'a mut dyn Write,
    paint: Paint,
    redraw: bool,
    windows: screen::Windows,
}

impl Teller<'_> {
    /// Shows `text` (a beat, the header, the ending) and gives the words to read in it.
    fn show(&mut self, text: &str) -> Result<usize, DemoError> {
        if self.redraw {
            let windows = self.windows.render(self.paint.width, self.paint);
            write!(self.out, "{}{windows}\n{text}", screen::CLEAR)?
        } else {
            write!(self.out, "{text}")?
        }
        self.out.flush()?;
        Ok(word_count(text))
    }
}

/// The header, every beat as soon as its traffic is in, and the ending.
async fn tell(
    story: &Lesson,
    lab: &mut Lab,
    rest: &mut Rest<'_>,
    teller: &mut Teller<'_>,
) -> Result<Verdict, DemoError> {
    let paint = teller.paint;
    // The transcript separates blocks with a blank line; a redrawn screen starts clean.
    let gap = if teller.redraw { "" } else { "\n" };
    let read = teller.show(&header(story, paint))?;
    rest.rest(read).await;
    let mut failed = 0;
    for (i, step) in story.steps.iter().enumerate() {
        let record = lab.run_step(step).await.map_err(|source| DemoError::Beat {
            beat: i + 1,
            source,
        })?;
        // The one judge, as in `run`: a beat passes when its step has no problem.
        if !record.problems(step).is_empty() {
            failed += 1;
        }
        teller.windows.update(story, &record, &sender(step));
        let read = teller.show(&format!("{gap}{}", beat(story, step, &record, paint)))?;
        rest.rest(read).await;
    }
    teller.show(&format!("{gap}{}", ending(story, failed, paint)))?;
    Ok(Verdict::from_ok(failed == 0))
}
