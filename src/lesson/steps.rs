//! The steps of a lesson or a question, one small function per operation: each
//! reads the fields its operation takes and refuses the others, so a validated
//! [`Action`] holds only what makes sense for it.

use std::collections::{BTreeSet, HashMap};

use toml::Spanned;

use super::raw::{to_json, RawStep};
use super::validate::{namespace, Locator, Result};
use super::{Action, Expectations, Fault, Op, Step, RESERVED_EVENTS};
use crate::protocol::{Emit, EmitFrom, MAX_MESSAGE_BYTES, MESSAGE_HEADROOM};
use crate::safe;

/// How long an `ask` waits for its answer when the lesson gives no `timeout`.
const DEFAULT_ASK_TIMEOUT_MS: u64 = 1000;

/// Checks steps against the lesson's clients.
pub(super) struct Checker<'a> {
    pub loc: &'a Locator<'a>,
    /// Client name to namespace.
    pub known: &'a HashMap<String, String>,
    /// Format 2: the server's application. Its handlers are declared, so no step
    /// asks the lab's fixed server to join, leave or emit for a client.
    pub app: Option<&'a crate::app::App>,
    /// The lesson has `[network]`: its clients' connections can fail.
    pub network: bool,
    /// The lesson has `[nodes]`: its servers can be redeployed.
    pub nodes: bool,
}

/// Who is connected after `action` (a refused `connect` leaves it as it was): a
/// later step cannot act through a closed socket. Exercises keep track the same way.
pub(crate) fn track_connections(action: &Action, refused: bool, connected: &mut BTreeSet<String>) {
    match action {
        Action::Connect { actors } if !refused => connected.extend(actors.iter().cloned()),
        Action::Send {
            actor,
            before_connect: true,
            ..
        } => {
            connected.insert(actor.clone());
        }
        Action::Disconnect { actors, .. } => connected.retain(|c| !actors.contains(c)),
        _ => {}
    }
}

impl Checker<'_> {
    /// Validates a run of steps, starting from the connections in `connected` and
    /// leaving it as the steps leave it.
    pub fn steps(
        &self,
        raw: &[Spanned<RawStep>],
        connected: &mut BTreeSet<String>,
    ) -> Result<Vec<Step>> {
        raw.iter().map(|s| self.step(s, connected)).collect()
    }

    fn step(&self, spanned: &Spanned<RawStep>, connected: &mut BTreeSet<String>) -> Result<Step> {
        let (s, at) = (spanned.get_ref(), spanned.span().start);
        if s.before_connect && s.op != Op::Send {
            return Err(self.loc.at(at, "`before_connect` applies to `send` only"));
        }
        if self.app.is_some() && matches!(s.op, Op::Join | Op::Leave | Op::Emit) {
            return Err(self.loc.at(
                at,
                format!(
                    "`op = \"{}\"` asks the lab's fixed server to act for a client (format 1); \
                     in format 2 the server's own handler does it: declare one in `[server]` \
                     and `send` its event",
                    s.op
                ),
            ));
        }
        if s.args.is_some() && (self.app.is_none() || s.op != Op::Send || s.payload.is_some()) {
            return Err(self.loc.at(
                at,
                "`args` (several arguments) is for `send` in format 2, instead of `payload`",
            ));
        }
        self.payload_bytes_fits(s)?;
        if s.close_transport && s.op != Op::Disconnect {
            return Err(self
                .loc
                .at(at, "`close_transport` is for `disconnect` only"));
        }
        if (s.adapter.is_some() || s.balancer.is_some()) && s.op != Op::Redeploy {
            return Err(self
                .loc
                .at(at, "`adapter` and `balancer` are for `redeploy` only"));
        }
        let action = match s.op {
            Op::Connect => Action::Connect {
                actors: self.connection(s, at, connected)?,
            },
            Op::Disconnect => Action::Disconnect {
                actors: self.connection(s, at, connected)?,
                close_transport: s.close_transport,
            },
            Op::Join => {
                let (actor, rooms) = self.membership(s, at, connected)?;
                Action::Join { actor, rooms }
            }
            Op::Leave => {
                let (actor, rooms) = self.membership(s, at, connected)?;
                Action::Leave { actor, rooms }
            }
            Op::Emit => self.emit(s, at, connected)?,
            Op::Send | Op::Ask => self.client_event(s, at, connected)?,
            Op::Cut | Op::Pause | Op::Resume => self.fault(s, at, connected)?,
            Op::Redeploy => self.redeploy(s, at, connected)?,
        };
        let expect = self.expectations(s, at, &action)?;
        track_connections(&action, expect.refused, connected);
        let (line, column) = super::validate::line_column(self.loc.text, at);
        Ok(Step {
            line,
            column,
            title: if s.title.is_empty() {
                s.op.to_string()
            } else {
                s.title.clone()
            },
            narration: s.narration.trim().to_string(),
            action,
            expect,
        })
    }

    /// `connect` and `disconnect`: one or several actors, nothing else.
    fn connection(
        &self,
        s: &RawStep,
        at: usize,
        connected: &BTreeSet<String>,
    ) -> Result<Vec<String>> {
        let actors = self.actors(s, at, connected)?;
        self.no_event(s, at)?;
        self.no_rooms(s)?;
        self.no_selection(s, at)?;
        self.timeout(s, false)?;
        Ok(actors)
    }

    /// `cut`, `pause`, `resume`: one connected actor, in a lesson with `[network]`.
    fn fault(&self, s: &RawStep, at: usize, connected: &BTreeSet<String>) -> Result<Action> {
        if !self.network {
            return Err(self.loc.at(
                at,
                format!(
                    "`op = \"{}\"` acts on a client's network: the lesson needs a `[network]` table",
                    s.op
                ),
            ));
        }
        let actor = self.actor(s, at, connected)?;
        self.no_event(s, at)?;
        self.no_rooms(s)?;
        self.no_selection(s, at)?;
        self.timeout(s, false)?;
        let fault = match s.op {
            Op::Cut => Fault::Cut,
            Op::Pause => Fault::Pause,
            _ => Fault::Resume,
        };
        Ok(Action::Fault { actor, fault })
    }

    /// `redeploy`: a new adapter or balancer, in a lesson with `[nodes]`, while no
    /// client is connected (a deploy restarts every server, and a lesson shows the
    /// clients leaving and coming back as steps of their own).
    fn redeploy(&self, s: &RawStep, at: usize, connected: &BTreeSet<String>) -> Result<Action> {
        if !self.nodes {
            return Err(self.loc.at(
                at,
                "`op = \"redeploy\"` restarts the lesson's nodes: the lesson needs a `[nodes]` table",
            ));
        }
        if s.actor.is_some() || s.actors.is_some() {
            return Err(self
                .loc
                .at(at, "`redeploy` acts on the servers: it takes no `actor`"));
        }
        if let Some(first) = connected.iter().next() {
            return Err(self.loc.at(
                at,
                format!(
                    "`redeploy` restarts every server: disconnect `{first}` (and every other \
                     client) in a step before it"
                ),
            ));
        }
        if s.adapter.is_none() && s.balancer.is_none() {
            return Err(self.loc.at(
                at,
                "`redeploy` needs a new `adapter`, a new `balancer`, or both",
            ));
        }
        self.no_event(s, at)?;
        self.no_rooms(s)?;
        self.no_selection(s, at)?;
        self.timeout(s, false)?;
        Ok(Action::Redeploy {
            adapter: s.adapter,
            balancer: s.balancer,
        })
    }

    /// `join` and `leave`: one actor and its rooms.
    fn membership(
        &self,
        s: &RawStep,
        at: usize,
        connected: &BTreeSet<String>,
    ) -> Result<(String, Vec<String>)> {
        let actor = self.actor(s, at, connected)?;
        self.no_event(s, at)?;
        let rooms = match &s.rooms {
            None => return Err(self.loc.at(at, format!("`{}` needs `rooms`", s.op))),
            Some(list) if list.get_ref().is_empty() => {
                return Err(self.loc.at(list.span().start, "`rooms` is empty"))
            }
            Some(list) => self.rooms(list, "rooms")?,
        };
        self.no_selection(s, at)?;
        self.timeout(s, false)?;
        Ok((actor, rooms))
    }

    /// `emit`: the server emits with a selection and flags.
    fn emit(&self, s: &RawStep, at: usize, connected: &BTreeSet<String>) -> Result<Action> {
        let actor = self.actor(s, at, connected)?;
        let (event, payload) = self.event(s, at)?;
        self.no_rooms(s)?;
        let timeout_ms = self.timeout(s, s.ack)?;
        if s.ack && timeout_ms.is_none() {
            return Err(self
                .loc
                .at(at, "`ack = true` needs a `timeout` (milliseconds)"));
        }
        if s.ack && s.volatile {
            return Err(self.loc.at(
                at,
                "`volatile` and `ack` do not go together: a volatile packet may never arrive",
            ));
        }
        // Also checked in `expectations`; here first so that, of several mistakes in
        // one step, the one reported stays the same as before the split by operation.
        self.ack_claims(s, at, s.ack)?;
        let emit = self.selection(s, at, timeout_ms)?;
        Ok(Action::Emit {
            actor,
            event,
            payload,
            emit,
        })
    }

    /// `send` and `ask`: the actor emits an application event and the server's own
    /// handler decides what happens; an `ask` also waits for the handler's answer.
    fn client_event(&self, s: &RawStep, at: usize, connected: &BTreeSet<String>) -> Result<Action> {
        let actor = self.actor(s, at, connected)?;
        let (event, payload) = self.event(s, at)?;
        self.no_rooms(s)?;
        self.no_selection(s, at)?;
        let asks = s.op == Op::Ask;
        let timeout = self.timeout(s, asks)?;
        Ok(if asks {
            let timeout_ms = timeout.unwrap_or(DEFAULT_ASK_TIMEOUT_MS);
            Action::Ask {
                actor,
                event,
                payload,
                timeout_ms,
            }
        } else {
            Action::Send {
                actor,
                event,
                payload,
                args: s
                    .args
                    .as_ref()
                    .map(|args| args.iter().map(to_json).collect()),
                payload_bytes: self.payload_bytes(s)?,
                before_connect: s.before_connect,
            }
        })
    }

    /// The emit's selection: where it starts, which rooms, which flags.
    fn selection(&self, s: &RawStep, at: usize, ack_timeout_ms: Option<u64>) -> Result<Emit> {
        let mut emit = Emit {
            from: s.from.unwrap_or_default(),
            broadcast: s.broadcast,
            volatile: s.volatile,
            ack_timeout_ms,
            ..Emit::default()
        };
        if let Some(list) = &s.to {
            emit.to = self.rooms(list, "to")?;
        }
        if let Some(list) = &s.within {
            emit.within = self.rooms(list, "in")?;
        }
        if let Some(list) = &s.except {
            emit.except = self.rooms(list, "except")?;
        }
        if s.to.is_some() && s.within.is_some() {
            return Err(self.loc.at(
                at,
                "`to` and `in` are two spellings of one selection: use one",
            ));
        }
        if let Some(of) = &s.of {
            let ns = namespace(self.loc, of)?;
            if emit.from != EmitFrom::Io {
                return Err(self.loc.at(
                    of.span().start,
                    "`of` needs `from = \"io\"` (`io.of(..)` is a server-wide call)",
                ));
            }
            emit.of = Some(ns);
        }
        if emit.from == EmitFrom::Io && emit.broadcast {
            return Err(self.loc.at(
                at,
                "`broadcast` is a flag of a socket; `io` already reaches everyone",
            ));
        }
        Ok(emit)
    }

    /// What the step claims its run will show. Some claims fit some operations only.
    fn expectations(&self, s: &RawStep, at: usize, action: &Action) -> Result<Expectations> {
        let op = s.op;
        // Format 2: on `send`, they judge the callback of the handler's emit.
        let acked = matches!(action, Action::Ask { .. })
            || matches!(action, Action::Emit { emit, .. } if emit.ack_timeout_ms.is_some())
            || (self.app.is_some() && matches!(action, Action::Send { .. }));
        self.ack_claims(s, at, acked)?;
        let refuse = |message: &str| Err(self.loc.at(at, message));
        let sends = self.app.is_some() && op == Op::Send;
        if s.expect_rejected && op != Op::Emit && !sends {
            return refuse("`expect_rejected` applies to `emit`, or to `send` in format 2");
        }
        let delivered_to = match &s.expect {
            Some(expect) if action.event().is_none() => {
                return Err(self.loc.at(
                    expect.span().start,
                    format!("`expect` lists who receives an event; `{op}` sends none"),
                ))
            }
            Some(expect) => Some(self.names(expect, "expect")?),
            None => None,
        };
        if s.expect_refused && !matches!(op, Op::Connect | Op::Send | Op::Ask) {
            return refuse("`expect_refused` applies to `connect`, `send` and `ask` only");
        }
        if let Some(message) = &s.expect_connect_error {
            if op != Op::Connect {
                return Err(self.loc.at(
                    message.span().start,
                    "`expect_connect_error` applies to `connect` only",
                ));
            }
        }
        if s.expect_unhandled && !matches!(op, Op::Send | Op::Ask) {
            return refuse("`expect_unhandled` applies to `send` and `ask` only");
        }
        let leaves = matches!(
            op,
            Op::Send | Op::Ask | Op::Disconnect | Op::Cut | Op::Pause
        );
        if s.expect_disconnect.is_some() && !leaves {
            return refuse(
                "`expect_disconnect` applies to `send`, `ask`, `disconnect`, `cut` and `pause`",
            );
        }
        if s.expect_unheard && !(s.before_connect && self.app.is_some()) {
            // Only an event sent before the socket is accepted can find no handler.
            return refuse(
                "`expect_unheard` applies to `send` with `before_connect` in format 2 only",
            );
        }
        let connections = match &s.expect_connections {
            Some(n) if *n.get_ref() == 0 => {
                return Err(self
                    .loc
                    .at(n.span().start, "`expect_connections` is at least 1"))
            }
            Some(n) => Some(*n.get_ref() as usize),
            None => None,
        };
        Ok(Expectations {
            connections,
            acks: self.expect_acks(s, at, action)?,
            delivered_to,
            refused: s.expect_refused || s.expect_connect_error.is_some(),
            connect_error: s.expect_connect_error.as_ref().map(|m| m.get_ref().clone()),
            unhandled: s.expect_unhandled,
            unheard: s.expect_unheard,
            log: s.expect_log.clone(),
            answer: s.expect_answer.as_ref().map(to_json),
            timeout: s.expect_timeout,
            rejected: s.expect_rejected,
            disconnect: s.expect_disconnect.clone(),
            copies: self.expect_copies(s, action)?,
        })
    }

    /// `expect_copies`: a table of client names and how many copies of the step's
    /// event each receives, from 1 up (a client that receives none is left out of
    /// `expect`, not given 0).
    fn expect_copies(
        &self,
        s: &RawStep,
        action: &Action,
    ) -> Result<Option<std::collections::BTreeMap<String, usize>>> {
        let Some(table) = &s.expect_copies else {
            return Ok(None);
        };
        let at = table.span().start;
        if action.event().is_none() {
            return Err(self.loc.at(
                at,
                format!("`expect_copies` counts an event; `{}` sends none", s.op),
            ));
        }
        let mut copies = std::collections::BTreeMap::new();
        for (name, value) in table.get_ref() {
            if !self.known.contains_key(name) {
                return Err(self
                    .loc
                    .at(at, format!("unknown client `{name}` in `expect_copies`")));
            }
            match value.as_integer() {
                Some(n) if n >= 1 => copies.insert(name.clone(), n as usize),
                _ => {
                    return Err(self.loc.at(
                        at,
                        format!("`expect_copies` gives `{name}` a count from 1 up"),
                    ))
                }
            };
        }
        Ok(Some(copies))
    }

    /// `expect_acks`: a table of recipients and their answers, on an `emit` that asks
    /// for acknowledgements.
    fn expect_acks(
        &self,
        s: &RawStep,
        at: usize,
        action: &Action,
    ) -> Result<Option<std::collections::BTreeMap<String, serde_json::Value>>> {
        let Some(table) = &s.expect_acks else {
            return Ok(None);
        };
        let callback = self.app.is_some() && matches!(action, Action::Send { .. });
        if !callback
            && !matches!(action, Action::Emit { emit, .. } if emit.ack_timeout_ms.is_some())
        {
            return Err(self.loc.at(
                at,
                "`expect_acks` applies to `emit` with `ack = true`, or to `send` in format 2",
            ));
        }
        if s.expect_answer.is_some() || s.expect_timeout {
            return Err(self.loc.at(
                at,
                "give `expect_acks`, or `expect_answer` or `expect_timeout`, not both",
            ));
        }
        let mut acks = std::collections::BTreeMap::new();
        for (name, value) in table.get_ref() {
            if !self.known.contains_key(name) {
                return Err(self.loc.at(
                    table.span().start,
                    format!("unknown client `{name}` in `expect_acks`"),
                ));
            }
            acks.insert(name.clone(), to_json(value));
        }
        Ok(Some(acks))
    }

    /// `expect_answer` and `expect_timeout` judge an acknowledgement, so the step
    /// must ask for one.
    fn ack_claims(&self, s: &RawStep, at: usize, acked: bool) -> Result<()> {
        let claim = match (s.expect_answer.is_some(), s.expect_timeout) {
            _ if acked => return Ok(()),
            (true, _) => "expect_answer",
            (false, true) => "expect_timeout",
            (false, false) => return Ok(()),
        };
        Err(self.loc.at(
            at,
            format!(
                "`{claim}` applies to `ask`, to `emit` with `ack = true`, or to `send` in format 2"
            ),
        ))
    }

    /// The step's actors: `actor`, or (for `connect` and `disconnect`) an `actors`
    /// list. A `connect` needs them offline, every other operation online.
    fn actors(&self, s: &RawStep, at: usize, connected: &BTreeSet<String>) -> Result<Vec<String>> {
        let actors = match (&s.actor, &s.actors) {
            (Some(_), Some(list)) => {
                return Err(self.loc.at(
                    list.span().start,
                    "give either `actor` or `actors`, not both",
                ))
            }
            (Some(actor), None) => {
                if !self.known.contains_key(actor.get_ref()) {
                    return Err(self.loc.at(
                        actor.span().start,
                        format!("unknown client `{}` in `actor`", actor.get_ref()),
                    ));
                }
                vec![actor.get_ref().clone()]
            }
            (None, Some(list)) if !matches!(s.op, Op::Connect | Op::Disconnect) => {
                return Err(self.loc.at(
                    list.span().start,
                    format!(
                        "`actors` is only for `connect` and `disconnect`; `{}` takes one `actor`",
                        s.op
                    ),
                ))
            }
            (None, Some(list)) if list.get_ref().is_empty() => {
                return Err(self.loc.at(list.span().start, "`actors` is empty"))
            }
            (None, Some(list)) => self.names(list, "actors")?,
            (None, None) => {
                return Err(self
                    .loc
                    .at(at, format!("step `{}` has no `actor`", s.title)))
            }
        };
        // A `send` before connecting, like a `connect`, needs its actor offline.
        let offline = s.op == Op::Connect || s.before_connect;
        for actor in &actors {
            let message = match (offline, connected.contains(actor)) {
                (true, true) => {
                    format!("`{actor}` is already connected at step `{}`", s.title)
                }
                (true, false) | (false, true) => continue,
                (false, false) => format!(
                    "`{actor}` is not connected at step `{}` (add a `connect` step before it)",
                    s.title
                ),
            };
            return Err(self.loc.at(at, message));
        }
        Ok(actors)
    }

    /// The one actor of every operation but `connect` and `disconnect`.
    fn actor(&self, s: &RawStep, at: usize, connected: &BTreeSet<String>) -> Result<String> {
        let mut actors = self.actors(s, at, connected)?;
        Ok(actors.remove(0))
    }

    /// The event and payload of `emit`, `send` and `ask`.
    fn event(&self, s: &RawStep, at: usize) -> Result<(String, Option<serde_json::Value>)> {
        let Some(e) = &s.event else {
            return Err(self.loc.at(at, format!("`{}` needs an `event`", s.op)));
        };
        let (name, at) = (e.get_ref(), e.span().start);
        if name.is_empty() {
            return Err(self.loc.at(at, "`event` is empty"));
        }
        if RESERVED_EVENTS.contains(&name.as_str()) && !s.expect_rejected {
            return Err(self.loc.at(
                at,
                format!("`{name}` is reserved by Socket.IO and cannot be an application event"),
            ));
        }
        if name.starts_with("lab:") {
            return Err(self.loc.at(
                at,
                format!("`{name}`: event names starting with `lab:` belong to the lab protocol"),
            ));
        }
        let payload = s.payload.as_ref().map(to_json);
        if let Some(p) = &payload {
            // What the client sends is `42["event",payload]` (plus, for `emit`, the
            // lab's wrapper): refused here rather than by the server during a run.
            let size = serde_json::to_string(&(name, p)).map_or(0, |j| j.len());
            if size + MESSAGE_HEADROOM > MAX_MESSAGE_BYTES {
                return Err(self.loc.at(
                    at,
                    format!(
                        "this event and its `payload` are {} bytes as JSON, over the {} bytes a \
                         Socket.IO message may hold on the lab server (Node's default \
                         `maxHttpBufferSize`, less {MESSAGE_HEADROOM} bytes for framing)",
                        safe::thousands(size as u64),
                        safe::thousands(MAX_MESSAGE_BYTES as u64),
                    ),
                ));
            }
        }
        Ok((name.clone(), payload))
    }

    /// Operations that send no event take neither `event` nor `payload`.
    fn no_event(&self, s: &RawStep, at: usize) -> Result<()> {
        if let Some(e) = &s.event {
            return Err(self.loc.at(
                e.span().start,
                format!("`event` does not apply to `{}`", s.op),
            ));
        }
        if s.payload.is_some() {
            return Err(self
                .loc
                .at(at, format!("`payload` does not apply to `{}`", s.op)));
        }
        Ok(())
    }

    /// Only `join` and `leave` take `rooms`.
    fn no_rooms(&self, s: &RawStep) -> Result<()> {
        match &s.rooms {
            Some(list) => Err(self.loc.at(
                list.span().start,
                format!(
                    "`rooms` does not apply to `{}` (use `to`, `in` or `except` to select rooms)",
                    s.op
                ),
            )),
            None => Ok(()),
        }
    }

    /// Only `emit` takes a selection and flags.
    fn no_selection(&self, s: &RawStep, at: usize) -> Result<()> {
        if s.selects() {
            return Err(self.loc.at(
                at,
                format!("`from`, `broadcast`, `to`, `in`, `except`, `of`, `ack` and `volatile` apply to `emit` only, not `{}`", s.op),
            ));
        }
        Ok(())
    }

    /// The acknowledgement timeout, where `applies`; refused elsewhere.
    fn timeout(&self, s: &RawStep, applies: bool) -> Result<Option<u64>> {
        let Some(timeout) = &s.timeout else {
            return Ok(None);
        };
        let (ms, at) = (*timeout.get_ref(), timeout.span().start);
        if !applies {
            return Err(self.loc.at(
                at,
                "`timeout` applies to `ask`, or to `emit` with `ack = true`",
            ));
        }
        if !(1..=10_000).contains(&ms) {
            return Err(self
                .loc
                .at(at, "`timeout` is in milliseconds, from 1 to 10000"));
        }
        Ok(Some(ms))
    }

    /// A list of the lesson's client names.
    pub fn names(&self, list: &Spanned<Vec<String>>, what: &str) -> Result<Vec<String>> {
        let names = list.get_ref();
        if let Some(name) = names.iter().find(|n| !self.known.contains_key(*n)) {
            let why = format!("unknown client `{name}` in `{what}`");
            return Err(self.loc.at(list.span().start, why));
        }
        // Twice in one list means nothing more than once, and `expect` could never
        // hold (a socket receives an event once): refuse rather than guess.
        let mut seen = BTreeSet::new();
        if let Some(name) = names.iter().find(|n| !seen.insert(n.as_str())) {
            let why = format!("`{name}` appears twice in `{what}`");
            return Err(self.loc.at(list.span().start, why));
        }
        Ok(names.clone())
    }

    /// A list of rooms; `id:NAME` is the own-id room of the lesson's client NAME.
    fn rooms(&self, list: &Spanned<Vec<String>>, field: &str) -> Result<Vec<String>> {
        let at = list.span().start;
        for room in list.get_ref() {
            if room.is_empty() {
                return Err(self.loc.at(at, format!("empty room name in `{field}`")));
            }
            if let Some(name) = room.strip_prefix("id:") {
                if !self.known.contains_key(name) {
                    return Err(self.loc.at(
                        at,
                        format!("`{room}` names the own-id room of an unknown client `{name}`"),
                    ));
                }
            }
        }
        Ok(list.get_ref().clone())
    }
}
