//! The early-event shim (`Namespace::hold_early`), as the embedded server runs it
//! (`server::attach`). Node runs a connection handler that does not wait before it
//! reads the socket's next packet, so every event finds its handler. socketioxide
//! sends the CONNECT answer, then runs the connection handler on a task of its own:
//! an event the client sent at once could come before `socket.on(..)`. The shim
//! attaches the handlers in a middleware, before the answer, and has each wait for
//! the connection handler to end.

use std::fmt::Write;

use super::{indent, Names, INDENT};

/// The comment above the shim: how plain socketioxide differs.
pub const HOLD_EARLY: &str = "// shim: Node reads no event until on_connect ends; socketioxide may";

/// The names of one namespace's shim.
pub(super) struct Hold {
    /// The middleware that attaches the handlers.
    pub attach: String,
    /// The function every handler awaits first.
    pub until: String,
    /// The gate's type, kept on the socket.
    pub ty: String,
}

impl Hold {
    pub fn new(names: &mut Names) -> Hold {
        Hold {
            attach: names.of("hold early"),
            until: names.of("until connected"),
            ty: names.connected_type(),
        }
    }

    /// The gate's type, the middleware that attaches `attached` (lines of
    /// `socket.on(..)`), and the function the handlers await.
    pub fn code(&self, attached: &[String]) -> String {
        let Hold { attach, until, ty } = self;
        let mut out = format!("{HOLD_EARLY}\n#[derive(Clone, Default)]\nstruct {ty}(tokio::sync::watch::Sender<bool>);\n\n");
        let _ = writeln!(
            out,
            "async fn {attach}(socket: SocketRef) -> Result<(), std::convert::Infallible> {{"
        );
        let mut body = format!("socket.extensions.insert({ty}::default());\n");
        for line in attached {
            let _ = writeln!(body, "{line}");
        }
        body.push_str("Ok(())\n");
        out.push_str(&indent(&body, 1));
        out.push_str("}\n\n");
        let _ = writeln!(out, "async fn {until}(socket: &SocketRef) {{");
        let _ = writeln!(
            out,
            "{INDENT}if let Some({ty}(connected)) = socket.extensions.get::<{ty}>() {{"
        );
        let _ = writeln!(
            out,
            "{INDENT}{INDENT}connected.subscribe().wait_for(|done| *done).await.ok();"
        );
        let _ = writeln!(out, "{INDENT}}}\n}}\n");
        out
    }

    /// The connection handler's last lines: the held handlers may run.
    pub fn open(&self) -> String {
        let ty = &self.ty;
        format!(
            "if let Some({ty}(connected)) = socket.extensions.get::<{ty}>() {{\n{INDENT}connected.send_replace(true);\n}}\n"
        )
    }

    /// A held handler's first line.
    pub fn wait(&self) -> String {
        format!("{}(&socket).await;\n", self.until)
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed;
    use super::*;
    use crate::app::tutorial_chat;

    #[test]
    fn the_early_event_shim_attaches_in_a_middleware_and_waits() {
        let mut ns = tutorial_chat().namespaces.remove(0);
        ns.hold_early = true;
        let printed = printed(&ns);
        assert_eq!(
            printed.register,
            "io.ns(\"/\", on_connect.with(hold_early));"
        );
        assert!(printed.connect.contains(HOLD_EARLY), "{}", printed.connect);
        assert!(
            printed
                .connect
                .contains("socket.on(\"chat message\", on_chat_message);\n    Ok(())"),
            "{}",
            printed.connect
        );
        let handler = printed.event("chat message").unwrap();
        assert!(
            handler.starts_with("async fn on_chat_message(socket: SocketRef, io: SocketIo,"),
            "{handler}"
        );
        assert!(handler.contains("    until_connected(&socket).await;\n"));
    }
}
