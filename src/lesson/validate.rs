//! From the raw file to a typed lesson: the file, its clients and its questions
//! (the steps are checked in `steps.rs`). Every mistake is reported at its file, line
//! and column.

use std::collections::{BTreeSet, HashMap};

use toml::Spanned;

use super::raw::{to_json, RawAnswer, RawChoice, RawClient, RawLesson, RawQuestion};
use super::steps::Checker;
use super::{
    Action, Choice, Client, Lesson, LessonError, Question, ScriptedAnswer, FIXED_SERVER_FORMAT,
    FORMAT_VERSION, LESSON_NAMESPACES,
};
use super::{Balancer, Network, Nodes};
use crate::app::App;
use crate::protocol::{CONTROL_NS, MAIN_NS};

pub(super) type Result<T> = std::result::Result<T, LessonError>;

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Turns byte offsets of one file into located errors.
pub(crate) struct Locator<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Locator<'_> {
    pub fn at(&self, offset: usize, message: impl Into<String>) -> LessonError {
        let (line, column) = line_column(self.text, offset);
        LessonError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// A file's `format_version` must be the one this build reads (lessons and
/// exercises each have theirs).
pub(crate) fn format_version(loc: &Locator, version: &Spanned<u32>, reads: u32) -> Result<()> {
    if *version.get_ref() == reads {
        return Ok(());
    }
    Err(loc.at(
        version.span().start,
        format!(
            "unsupported `format_version` {} (this socketio-lab reads version {reads})",
            version.get_ref()
        ),
    ))
}

/// Validates a whole lesson file.
pub(super) fn lesson(id: &str, loc: &Locator, raw: RawLesson) -> Result<Lesson> {
    let version = *raw.format_version.get_ref();
    if version != FIXED_SERVER_FORMAT && version != FORMAT_VERSION {
        return Err(loc.at(
            raw.format_version.span().start,
            format!(
                "unsupported `format_version` {version} (this socketio-lab reads version \
                 {FORMAT_VERSION}, whose lessons declare their server's code, and version \
                 {FIXED_SERVER_FORMAT}, whose lessons run the lab's fixed chat server)"
            ),
        ));
    }
    let app = server(loc, &raw)?;
    let network = network(loc, &raw)?;
    let nodes = nodes(loc, &raw)?;
    let (clients, known) = clients_of(loc, &raw.clients, app.as_ref())?;
    placement(loc, &raw.clients, nodes)?;
    if raw.steps.is_empty() {
        return Err(loc.at(0, "a lesson needs at least one `[[steps]]` entry"));
    }
    let checker = Checker {
        loc,
        known: &known,
        app: app.as_ref(),
        network: network.is_some(),
        nodes: nodes.is_some(),
    };
    // Simulate who is connected so a step cannot act through a closed socket.
    let steps = checker.steps(&raw.steps, &mut BTreeSet::new())?;
    if let Some(untitled) = raw.steps.iter().find(|s| s.get_ref().title.is_empty()) {
        return Err(loc.at(untitled.span().start, "a lesson step needs a `title`"));
    }
    let mut questions = Vec::new();
    let mut ids = BTreeSet::new();
    for q in &raw.questions {
        if !ids.insert(q.id.get_ref().clone()) {
            return Err(loc.at(
                q.id.span().start,
                format!("duplicate question id `{}`", q.id.get_ref()),
            ));
        }
        questions.push(checker.question(q)?);
    }
    undeclared_connects(loc, &raw, app.as_ref(), &clients, &steps, &questions)?;
    let mut app = app;
    mark_apps(&clients, &steps, &mut questions, app.as_mut());
    Ok(Lesson {
        id: id.to_string(),
        source: loc.file.to_string(),
        title: raw.title,
        summary: raw.summary,
        intro: raw.intro.trim().to_string(),
        clients,
        steps,
        questions,
        app,
        network,
        nodes,
    })
}

/// `[nodes]`: a count the lesson can show, on a declared application (the fixed
/// server's format 1 has no nodes).
fn nodes(loc: &Locator, raw: &RawLesson) -> Result<Option<Nodes>> {
    let Some(spanned) = &raw.nodes else {
        return Ok(None);
    };
    let (nodes, at) = (*spanned.get_ref(), spanned.span().start);
    if !Nodes::COUNT.contains(&nodes.count) {
        return Err(loc.at(
            at,
            format!(
                "`count` = {} nodes: a lesson shows {} to {}",
                nodes.count,
                Nodes::COUNT.start(),
                Nodes::COUNT.end()
            ),
        ));
    }
    if raw.server.is_none() {
        return Err(loc.at(
            at,
            "`[nodes]` runs the lesson's application on each node: declare it in `[server]`",
        ));
    }
    if raw.network.is_some() {
        return Err(loc.at(
            at,
            "`[nodes]` and `[network]` do not go together yet: a lesson shows one of them",
        ));
    }
    Ok(Some(nodes))
}

/// Each client's `node` names one of `[nodes]`; without a balancer every client
/// names one.
fn placement(loc: &Locator, raw: &[RawClient], nodes: Option<Nodes>) -> Result<()> {
    for client in raw {
        let name = client.name.get_ref();
        match (&client.node, nodes) {
            (Some(node), None) => {
                return Err(loc.at(
                    node.span().start,
                    format!("`node` places `{name}` on one of several servers: the lesson needs a `[nodes]` table"),
                ))
            }
            (Some(node), Some(nodes)) if !(1..=nodes.count).contains(node.get_ref()) => {
                return Err(loc.at(
                    node.span().start,
                    format!(
                        "`node` = {} for `{name}`: the lesson's nodes are 1 to {}",
                        node.get_ref(),
                        nodes.count
                    ),
                ))
            }
            (None, Some(nodes)) if nodes.balancer == Balancer::None => {
                return Err(loc.at(
                    client.name.span().start,
                    format!("`{name}` needs a `node`: without a `balancer` every client connects to a node of its own choosing"),
                ))
            }
            (Some(node), Some(_)) if client.connection.is_some() => {
                return Err(loc.at(
                    node.span().start,
                    format!("`{name}` shares another client's connection, so it goes where that one goes: leave out `node`"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// `[network]`: each timer within [`Network::RANGE_MS`], and a ping timeout a
/// client can meet.
fn network(loc: &Locator, raw: &RawLesson) -> Result<Option<Network>> {
    let Some(spanned) = &raw.network else {
        return Ok(None);
    };
    let (network, at) = (*spanned.get_ref(), spanned.span().start);
    let timers = [
        ("ping_interval_ms", network.ping_interval_ms),
        ("ping_timeout_ms", network.ping_timeout_ms),
        ("reconnection_delay_ms", network.reconnection_delay_ms),
    ];
    for (name, value) in timers {
        if !Network::RANGE_MS.contains(&value) {
            return Err(loc.at(
                at,
                format!(
                    "`{name}` is {value}: it must be from {} to {} ms",
                    Network::RANGE_MS.start(),
                    Network::RANGE_MS.end()
                ),
            ));
        }
    }
    Ok(Some(network))
}

/// Marks, on every namespace of every application of the lesson (its own and each
/// quiz choice's), what its printed Rust needs to know about the whole lesson:
/// - `hold_early`, socketioxide's early-event shim, where a `before_connect` send
///   reaches the namespace and its connection handler does not wait: there Node
///   hears the event, and socketioxide would race for it;
/// - `id_events`, the events a step anywhere sends with a socket's id (`"id:NAME"`):
///   their handlers may use it as a room, where socketioxide, with no own-id rooms,
///   differs from Node;
/// - `shared_connections`, when a client shares another's connection.
fn mark_apps(
    clients: &[Client],
    steps: &[super::Step],
    questions: &mut [Question],
    app: Option<&mut App>,
) {
    let is_id = |v: &serde_json::Value| v.as_str().is_some_and(|s| s.starts_with("id:"));
    let (mut early, mut id_events) = (BTreeSet::new(), BTreeSet::new());
    let every_step = questions
        .iter()
        .flat_map(|q| {
            q.setup
                .iter()
                .chain(q.choices.iter().flat_map(|c| &c.steps))
        })
        .chain(steps);
    for step in every_step {
        if let Action::Send {
            actor,
            before_connect: true,
            ..
        } = &step.action
        {
            let client = clients.iter().find(|c| &c.name == actor);
            early.extend(client.map(|c| c.namespace.clone()));
        }
        match &step.action {
            Action::Send {
                event,
                payload,
                args,
                ..
            } if payload.iter().chain(args.iter().flatten()).any(is_id) => {
                id_events.insert(event.clone());
            }
            Action::Ask { event, payload, .. } if payload.iter().any(is_id) => {
                id_events.insert(event.clone());
            }
            _ => {}
        }
    }
    let shared = clients.iter().any(|c| c.connection.is_some());
    let choices = questions.iter_mut().flat_map(|q| q.choices.iter_mut());
    for app in choices.filter_map(|c| c.app.as_mut()).chain(app) {
        for ns in app.namespaces.iter_mut() {
            if !ns.waits() && early.iter().any(|path| ns.matches(path)) {
                ns.hold_early = true;
            }
            ns.id_events = id_events.clone();
            ns.shared_connections = shared;
        }
    }
}

/// The `[server]` a format-2 lesson must declare and a format-1 lesson must not.
fn server(loc: &Locator, raw: &RawLesson) -> Result<Option<App>> {
    let version = *raw.format_version.get_ref();
    match (&raw.server, version == FIXED_SERVER_FORMAT) {
        (None, true) => Ok(None),
        (Some(server), true) => Err(loc.at(
            server.span().start,
            format!(
                "`[server]` declares the server's code, which needs `format_version = \
                 {FORMAT_VERSION}`; a format-{FIXED_SERVER_FORMAT} lesson runs the lab's fixed \
                 chat server (docs/lesson-format.md)"
            ),
        )),
        (None, false) => Err(loc.at(
            raw.format_version.span().start,
            format!(
                "a format-{FORMAT_VERSION} lesson declares its server's code in `[server]` \
                 (docs/lesson-format.md); without one, say `format_version = \
                 {FIXED_SERVER_FORMAT}`"
            ),
        )),
        (Some(server), false) => {
            let app = server.get_ref();
            crate::app::validate(app).map_err(|e| loc.at(server.span().start, e.to_string()))?;
            Ok(Some(app.clone()))
        }
    }
}

/// The lesson's clients, and each name's namespace.
pub(crate) fn clients(
    loc: &Locator,
    raw: &[RawClient],
) -> Result<(Vec<Client>, HashMap<String, String>)> {
    clients_of(loc, raw, None)
}

/// `clients`, each namespace checked against the declared application when there
/// is one, else against the fixed server's.
fn clients_of(
    loc: &Locator,
    raw: &[RawClient],
    app: Option<&App>,
) -> Result<(Vec<Client>, HashMap<String, String>)> {
    let mut known: HashMap<String, String> = HashMap::new();
    let mut clients: Vec<Client> = Vec::new();
    for raw_client in raw {
        let mut client = client(loc, raw_client, &known, app)?;
        client.connection = connection(loc, raw_client, &client, &clients)?;
        known.insert(client.name.clone(), client.namespace.clone());
        clients.push(client);
    }
    if clients.is_empty() {
        return Err(loc.at(0, "a lesson needs at least one `[[clients]]` entry"));
    }
    Ok((clients, known))
}

fn client(
    loc: &Locator,
    raw: &RawClient,
    known: &HashMap<String, String>,
    app: Option<&App>,
) -> Result<Client> {
    let name = raw.name.get_ref();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(loc.at(
            raw.name.span().start,
            format!("client name `{name}` must be lowercase letters, digits, `-` or `_`"),
        ));
    }
    if known.contains_key(name) {
        return Err(loc.at(
            raw.name.span().start,
            format!("duplicate client name `{name}`"),
        ));
    }
    let namespace = match (&raw.namespace, app) {
        (None, _) => MAIN_NS.to_string(),
        (Some(ns), None) => namespace(loc, ns)?,
        (Some(ns), Some(app))
            if app.namespace(ns.get_ref()).is_some() && !ns.get_ref().contains('{') =>
        {
            ns.get_ref().clone()
        }
        // A namespace the server never declared: its clients are refused with
        // `Invalid namespace`, which their connect steps must claim (checked with
        // the steps, `undeclared_connects`).
        (Some(ns), Some(_)) if undeclarable(ns.get_ref()) => ns.get_ref().clone(),
        (Some(ns), Some(_)) => {
            return Err(loc.at(
                ns.span().start,
                format!(
                    "namespace `{}` is not one `[server]` declares",
                    ns.get_ref()
                ),
            ))
        }
    };
    let auth = raw
        .auth
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), to_json(v)))
        .collect();
    Ok(Client {
        name: name.clone(),
        namespace,
        auth,
        answers: answers(loc, &raw.answers)?,
        connection: None,
        node: raw.node.as_ref().map(|n| *n.get_ref()),
        transport: raw.transport.unwrap_or_default(),
    })
}

/// `connection = "NAME"`: the socket shares the connection of an earlier client, one
/// socket per namespace on it.
fn connection(
    loc: &Locator,
    raw: &RawClient,
    client: &Client,
    earlier: &[Client],
) -> Result<Option<String>> {
    let Some(named) = &raw.connection else {
        return Ok(None);
    };
    let at = named.span().start;
    let Some(first) = earlier.iter().find(|c| c.name == *named.get_ref()) else {
        return Err(loc.at(
            at,
            format!(
                "`connection` names `{}`, which is not a client declared before `{}`",
                named.get_ref(),
                client.name
            ),
        ));
    };
    let shared = first.connection_name().to_string();
    let same_namespace = earlier
        .iter()
        .find(|c| c.connection_name() == shared && c.namespace == client.namespace);
    if let Some(other) = same_namespace {
        return Err(loc.at(
            at,
            format!(
                "`{}` is already on that connection in `{}`: one socket per namespace and connection",
                other.name, client.namespace
            ),
        ));
    }
    Ok(Some(shared))
}

/// The longest a scripted answer may wait: a step never waits longer than this.
const MAX_ANSWER_DELAY_MS: u64 = 60_000;

fn answers(loc: &Locator, raw: &[Spanned<RawAnswer>]) -> Result<Vec<ScriptedAnswer>> {
    let mut answers: Vec<ScriptedAnswer> = Vec::new();
    for a in raw {
        let at = a.span().start;
        let a = a.get_ref();
        if answers.iter().any(|known| known.event == a.event) {
            return Err(loc.at(at, format!("`{}` is answered twice", a.event)));
        }
        if a.after_ms > MAX_ANSWER_DELAY_MS {
            return Err(loc.at(
                at,
                format!("`after_ms` is at most {MAX_ANSWER_DELAY_MS} (a minute)"),
            ));
        }
        answers.push(ScriptedAnswer {
            event: a.event.clone(),
            value: to_json(&a.value),
            after_ms: a.after_ms,
        });
    }
    Ok(answers)
}

/// A namespace the lab server serves to lesson clients.
/// Whether a client may name `name` though `[server]` does not declare it: a plain
/// namespace path (no `{param}`), never the lab's own.
fn undeclarable(name: &str) -> bool {
    name.len() > 1
        && name.starts_with('/')
        && name != CONTROL_NS
        && !name.starts_with("/lab/")
        && name[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
}

/// Each connect step (of the lesson and of its questions) with a client on a
/// namespace `[server]` does not declare claims the refusal: such a client is never
/// accepted, on either server.
fn undeclared_connects(
    loc: &Locator,
    raw: &RawLesson,
    app: Option<&App>,
    clients: &[Client],
    steps: &[super::Step],
    questions: &[Question],
) -> Result<()> {
    let Some(app) = app else { return Ok(()) };
    let outside = |name: &str| {
        clients
            .iter()
            .find(|c| c.name == name)
            .filter(|c| app.namespace(&c.namespace).is_none())
            .map(|c| c.namespace.clone())
    };
    let unclaimed = |step: &super::Step| match &step.action {
        Action::Connect { actors } if !step.expect.refused => actors
            .iter()
            .find_map(|a| outside(a).map(|ns| (a.clone(), ns))),
        _ => None,
    };
    let why = |(actor, ns): (String, String)| {
        format!(
            "`{actor}` connects to `{ns}`, which `[server]` does not declare: the server \
             refuses it, so the step needs `expect_connect_error = \"Invalid namespace\"`"
        )
    };
    for (raw_step, step) in raw.steps.iter().zip(steps) {
        if let Some(found) = unclaimed(step) {
            return Err(loc.at(raw_step.span().start, why(found)));
        }
    }
    for (raw_q, q) in raw.questions.iter().zip(questions) {
        let all = q
            .setup
            .iter()
            .chain(q.choices.iter().flat_map(|c| &c.steps));
        if let Some(found) = all.filter_map(unclaimed).next() {
            return Err(loc.at(raw_q.id.span().start, why(found)));
        }
    }
    Ok(())
}

pub(super) fn namespace(loc: &Locator, ns: &Spanned<String>) -> Result<String> {
    let name = ns.get_ref();
    if LESSON_NAMESPACES.contains(&name.as_str()) {
        return Ok(name.clone());
    }
    let message = if name == CONTROL_NS {
        format!("namespace `{CONTROL_NS}` is reserved for the lab's own control connection")
    } else {
        let served: Vec<String> = LESSON_NAMESPACES.iter().map(|n| format!("`{n}`")).collect();
        format!(
            "unknown namespace `{name}` (the lab server has {})",
            served.join(" and ")
        )
    };
    Err(loc.at(ns.span().start, message))
}

impl Checker<'_> {
    fn question(&self, q: &RawQuestion) -> Result<Question> {
        let id = q.id.get_ref();
        if q.choices.get_ref().len() < 2 {
            return Err(self.loc.at(
                q.choices.span().start,
                format!("question `{id}` needs at least two choices"),
            ));
        }
        let mut connected = BTreeSet::new();
        let setup = self.steps(&q.setup, &mut connected)?;
        if let Some(target) = &q.target {
            self.names(target, "target")?;
        }
        let choices = q
            .choices
            .get_ref()
            .iter()
            .enumerate()
            .map(|(n, c)| self.choice(q, n + 1, c, &connected))
            .collect::<Result<Vec<Choice>>>()?;
        let (line, column) = line_column(self.loc.text, q.id.span().start);
        Ok(Question {
            id: id.clone(),
            line,
            column,
            prompt: q.prompt.trim().to_string(),
            multiple: q.multiple,
            hint: q.hint.as_ref().map(|h| h.trim().to_string()),
            setup,
            choices,
        })
    }

    /// Choice `n` (1-based) of `q`, run after the setup left `connected`.
    fn choice(
        &self,
        q: &RawQuestion,
        n: usize,
        c: &RawChoice,
        connected: &BTreeSet<String>,
    ) -> Result<Choice> {
        let (id, at) = (q.id.get_ref(), q.id.span().start);
        let raw_steps = match (q.steps.is_empty(), c.steps.is_empty()) {
            (false, true) => &q.steps,
            (true, false) => &c.steps,
            (false, false) => return Err(self.loc.at(
                c.steps[0].span().start,
                format!("choice {n} of `{id}` has its own `steps` but the question already gives shared `steps`"),
            )),
            (true, true) => return Err(self.loc.at(
                q.choices.span().start,
                format!("choice {n} of `{id}` has nothing to run: give the question `steps` or the choice `steps`"),
            )),
        };
        let mut steps = self.steps(raw_steps, &mut connected.clone())?;
        let prediction = match (&c.expect, &q.target) {
            (Some(expect), _) => Some(self.names(expect, "expect")?),
            (None, Some(target)) => Some(target.get_ref().clone()),
            (None, None) => None,
        };
        let last = steps.last_mut().expect("a choice runs at least one step");
        if let Some(prediction) = prediction {
            if !matches!(last.action, Action::Emit { .. } | Action::Send { .. }) {
                return Err(self.loc.at(
                    at,
                    format!("question `{id}`: a `target` or `expect` needs the last step to emit or send, not `{}`", last.action.op()),
                ));
            }
            last.expect.delivered_to = Some(prediction);
        }
        // A `connect` claims that its actors get in (unless it claims a refusal),
        // which the judge checks like any other claim.
        let claims =
            |s: &super::Step| !s.expect.is_empty() || matches!(s.action, Action::Connect { .. });
        if !steps.iter().any(claims) {
            return Err(self.loc.at(
                at,
                format!(
                    "choice {n} of `{id}` expects nothing, so no run could prove it right or wrong"
                ),
            ));
        }
        Ok(Choice {
            text: c.text.trim().to_string(),
            steps,
            note: c.note.clone(),
            app: self.choice_app(c)?,
        })
    }

    /// A choice that is handler code: the lesson's application with that handler in
    /// place of the one for its event (or added), run on the choice's own server.
    fn choice_app(&self, c: &RawChoice) -> Result<Option<App>> {
        let Some(raw) = &c.handler else {
            return Ok(None);
        };
        let at = raw.span().start;
        let Some(app) = self.app else {
            return Err(self.loc.at(
                at,
                format!("a choice's `handler` replaces server code, which needs `format_version = {FORMAT_VERSION}` and `[server]`"),
            ));
        };
        let raw = raw.get_ref();
        let name = raw.namespace.clone().unwrap_or_else(|| MAIN_NS.to_string());
        let mut app = app.clone();
        let Some(ns) = app.namespaces.iter_mut().find(|ns| ns.name == name) else {
            return Err(self
                .loc
                .at(at, format!("`[server]` declares no namespace `{name}`")));
        };
        let handler = crate::app::Handler {
            event: raw.event.clone(),
            args: raw.args.clone(),
            ops: raw.ops.clone(),
        };
        match ns.events.iter_mut().find(|h| h.event == handler.event) {
            Some(existing) => *existing = handler,
            None => ns.events.push(handler),
        }
        crate::app::validate(&app).map_err(|e| self.loc.at(at, e.to_string()))?;
        Ok(Some(app))
    }
}
