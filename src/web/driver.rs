//! One lab behind the pages: a task that owns the `Lab`, runs the next step when a
//! page asks, and publishes each step's record to every page. In the demo it also
//! turns a visitor's own traffic (their tab is a real Socket.IO client of the same
//! server) into records, read from the server's monitor and the lab's trace.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};

use super::record;
use crate::engine::{Lab, LabError, LabOptions};
use crate::lesson::Lesson;
use crate::paint::Paint;
use crate::protocol::{Note, MAIN_NS};
use crate::server::{Activity, MonitorFeed};
use crate::trace::{Observation, StepRecord};
use crate::view;

/// What a page asks of the lab.
pub(crate) enum Command {
    /// Run the next step, unless more than `after` records are out already (another
    /// page asked first: the page then shows that one).
    Next {
        after: Option<usize>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// A visitor's turn: the answer (their name, or why not) comes once no step is
    /// running; the lab then waits for their tab's traffic before anything else.
    Turn {
        name: String,
        joining: bool,
        reply: oneshot::Sender<Result<String, String>>,
    },
    /// Start the story again from its first step, on a fresh lab: the pages get a
    /// `restart` record and draw from there.
    Restart {
        reply: oneshot::Sender<Result<(), String>>,
    },
    Stop(oneshot::Sender<()>),
}

/// The pages' side of a running lab.
#[derive(Clone)]
pub(crate) struct Handle {
    commands: mpsc::Sender<Command>,
    /// The records a new page is drawn from, in order.
    pub(crate) records: watch::Receiver<Vec<Published>>,
}

/// Visitor records kept for new pages: a visitor's arrivals, departures and
/// messages are kept only this far back, since each carries who is online then (the
/// page draws the chat from the latest); the story's own steps are all kept.
pub const VISITOR_RECORDS: usize = 50;

/// One record as the pages get it.
#[derive(Debug, Clone)]
pub(crate) struct Published {
    /// Its place among every record published so far (`seq` in its JSON).
    pub(crate) seq: usize,
    pub(crate) text: Arc<str>,
    pub(crate) visitor: bool,
}

impl Handle {
    pub(crate) async fn ask(&self, command: Command) -> bool {
        self.commands.send(command).await.is_ok()
    }
}

/// What woke the driver: a page, or the server's report of a visitor.
enum Wake {
    Command(Option<Command>),
    Activity(Activity),
}

struct Driver {
    lesson: Lesson,
    lab: Lab,
    /// The story's own steps, for the closing summary.
    records: Vec<StepRecord>,
    published: watch::Sender<Vec<Published>>,
    /// The `seq` of the next record.
    next_seq: usize,
    /// The server's monitor, in the demo: how a visitor's traffic is noticed.
    feed: Option<MonitorFeed>,
    visitors: BTreeSet<String>,
    timeout: Duration,
    broken: bool,
    /// How the lab was started, to start it again.
    options: LabOptions,
}

/// Adds `record`, dropping the oldest visitor record past `VISITOR_RECORDS`.
pub(crate) fn push_bounded(all: &mut Vec<Published>, record: Published) {
    all.push(record);
    if all.iter().filter(|r| r.visitor).count() > VISITOR_RECORDS {
        if let Some(oldest) = all.iter().position(|r| r.visitor) {
            all.remove(oldest);
        }
    }
}

/// Starts the lesson's lab and the task that drives it.
pub(crate) async fn start(
    lesson: Lesson,
    options: &LabOptions,
    feed: Option<MonitorFeed>,
) -> Result<Handle, LabError> {
    let mut lab = Lab::for_lesson(&lesson, options).await?;
    if feed.is_some() {
        // The demo shows what the server sent to a visitor's tab, and leaves it out
        // of what it judges itself (`without_visitors`).
        lab.count_foreign();
    }
    let (commands, inbox) = mpsc::channel(16);
    let (published, records) = watch::channel(Vec::new());
    let driver = Driver {
        lesson,
        lab,
        records: Vec::new(),
        published,
        next_seq: 0,
        feed,
        visitors: BTreeSet::new(),
        timeout: options.timeout,
        broken: false,
        options: options.clone(),
    };
    tokio::spawn(driver.run(inbox));
    Ok(Handle { commands, records })
}

impl Driver {
    async fn run(mut self, mut inbox: mpsc::Receiver<Command>) {
        loop {
            let wake = match self.feed.as_mut() {
                Some(feed) => tokio::select! {
                    command = inbox.recv() => Wake::Command(command),
                    Some(activity) = feed.next() => Wake::Activity(activity),
                },
                None => Wake::Command(inbox.recv().await),
            };
            let command = match wake {
                Wake::Command(command) => command,
                Wake::Activity(activity) => {
                    if let Some((name, said)) = self.about_visitor(activity) {
                        self.publish_visitor(&name, said).await;
                    }
                    continue;
                }
            };
            match command {
                Some(Command::Next { after, reply }) => {
                    let out = self.next_seq;
                    let fresh = after.is_none_or(|after| after >= out);
                    let _ = reply.send(if fresh { self.next().await } else { Ok(()) });
                }
                Some(Command::Turn {
                    name,
                    joining,
                    reply,
                }) => match self.visitor_name(&name, joining) {
                    Ok(name) => {
                        let _ = reply.send(Ok(name.clone()));
                        self.await_visitor(&name).await;
                    }
                    Err(why) => {
                        let _ = reply.send(Err(why));
                    }
                },
                Some(Command::Restart { reply }) => {
                    let _ = reply.send(self.restart().await);
                }
                Some(Command::Stop(done)) => {
                    self.lab.finish().await;
                    let _ = done.send(());
                    return;
                }
                None => break,
            }
        }
        self.lab.finish().await;
    }

    /// Sends a record to every page; `seq` is its place among all records, so that a
    /// page that reconnects can skip what it has.
    /// Past `VISITOR_RECORDS` visitor records, the oldest one goes: however many
    /// tabs come and go, a new page is sent the story and the latest visitors.
    fn publish(&mut self, mut doc: Value) {
        let seq = self.next_seq;
        self.next_seq += 1;
        doc["seq"] = json!(seq);
        let visitor = doc["kind"] == "visitor";
        let record = Published {
            seq,
            text: Arc::from(doc.to_string()),
            visitor,
        };
        self.published.send_modify(|all| push_bounded(all, record));
    }

    /// Runs the next step of the lesson and publishes its record.
    async fn next(&mut self) -> Result<(), String> {
        let i = self.records.len();
        let Some(step) = self.lesson.steps.get(i).cloned() else {
            return Err("every step has run".into());
        };
        if self.broken {
            return Err("the lab stopped after an error".into());
        }
        let record = match self.lab.run_step(&step).await {
            Ok(record) => record,
            Err(e) => {
                self.broken = true;
                let message = format!("step {}: {e}", i + 1);
                self.publish(json!({ "kind": "error", "message": message }));
                return Err(message);
            }
        };
        let mut doc = if self.feed.is_some() {
            let claim = record.server_delivered_to();
            let record = self.without_visitors(record);
            let mut doc = record::beat(&self.lesson, &step, &record);
            doc["server_sent_to"] = json!(claim);
            self.records.push(record);
            doc
        } else {
            let doc = record::step(&self.lesson, &step, &record);
            self.records.push(record);
            doc
        };
        if self.records.len() == self.lesson.steps.len() {
            let summary = view::summary(&self.lesson, &self.records, Paint::PLAIN);
            let lines: Vec<&str> = summary
                .lines()
                .map(|l| l.trim_matches(|c: char| c == '─' || c == ' '))
                .collect();
            doc["summary"] = json!(lines);
            doc["story_summary"] = json!(self.lesson.summary);
        }
        self.publish(doc);
        Ok(())
    }

    /// Ends the lab (its people leave the chat) and starts a fresh one for the
    /// first step; visitors' tabs stay connected.
    async fn restart(&mut self) -> Result<(), String> {
        if self.records.len() < self.lesson.steps.len() && !self.broken {
            // Another page restarted it already, or it has not ended: nothing to do.
            return Ok(());
        }
        let fresh = Lab::for_lesson(&self.lesson, &self.options)
            .await
            .map_err(|e| format!("cannot start the lab again: {e}"))?;
        let old = std::mem::replace(&mut self.lab, fresh);
        old.finish().await;
        self.records.clear();
        self.broken = false;
        self.publish(json!({ "kind": "restart" }));
        Ok(())
    }

    /// The record as far as the lab can observe it. A visitor's tab is a real
    /// client of the server but not one of the lab's: what it received is not in the
    /// trace, so the server's claim to have sent it there is left out of what the
    /// judge checks (the page still shows the server's whole account).
    fn without_visitors(&self, mut record: StepRecord) -> StepRecord {
        for o in &mut record.observations {
            if let Observation::Answered { reply, .. } = o {
                if let Some(names) = reply.delivered_to.as_mut() {
                    names.retain(|n| !self.visitors.contains(n));
                }
            }
        }
        record
    }

    /// The name a visitor may use: a new one to join, their own one to write.
    fn visitor_name(&self, asked: &str, joining: bool) -> Result<String, String> {
        if self.feed.is_none() {
            return Err("only the demo takes visitors".into());
        }
        let name = asked.trim().to_string();
        if !joining {
            return match self.visitors.contains(&name) {
                true => Ok(name),
                false => Err(format!("`{name}` is not in the chat: join first")),
            };
        }
        let fits = (1..=20).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || c == '-');
        if !fits {
            return Err("a name is 1 to 20 letters, digits, spaces or dashes".into());
        }
        let lower = name.to_lowercase();
        let taken = self.lesson.clients.iter().any(|c| c.name == lower)
            || self.visitors.iter().any(|v| v.to_lowercase() == lower);
        match taken {
            true => Err(format!("`{name}` is taken: choose another name")),
            false => Ok(name),
        }
    }

    /// What a report of the server says about a visitor: their name, and for a
    /// message the sockets the server says it sent it to.
    fn about_visitor(&mut self, activity: Activity) -> Option<(String, Option<Value>)> {
        let (name, arrived, said) = match activity {
            Activity::Note(Note::Connect { name, namespace }) if namespace == MAIN_NS => {
                (name, Some(true), None)
            }
            Activity::Note(Note::Disconnect {
                name, namespace, ..
            }) if namespace == MAIN_NS => (name, Some(false), None),
            Activity::Emitted {
                name, delivered_to, ..
            } => (name, None, Some(json!(delivered_to))),
            _ => return None,
        };
        if self.lesson.clients.iter().any(|c| c.name == name) {
            return None;
        }
        match arrived {
            Some(true) => self.visitors.insert(name.clone()),
            Some(false) => self.visitors.remove(&name),
            None => false,
        };
        Some((name, said))
    }

    /// Waits, within the timeout, for the server to report the visitor's traffic,
    /// publishing whatever visitors did meanwhile.
    async fn await_visitor(&mut self, name: &str) {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let Some(feed) = self.feed.as_mut() else {
                return;
            };
            let Ok(Some(activity)) = tokio::time::timeout_at(deadline, feed.next()).await else {
                return;
            };
            if let Some((who, said)) = self.about_visitor(activity) {
                self.publish_visitor(&who, said).await;
                if who == name {
                    return;
                }
            }
        }
    }

    /// Ends a step around a visitor's traffic, which the server has already sent on:
    /// the lab's sync barrier then proves what each of its people received.
    async fn publish_visitor(&mut self, name: &str, said: Option<Value>) {
        match self.lab.end_step().await {
            Ok(record) => self.publish(record::visitor(&self.lesson, &record, name, said)),
            Err(e) => {
                self.broken = true;
                self.publish(json!({ "kind": "error", "message": e.to_string() }));
            }
        }
    }
}
