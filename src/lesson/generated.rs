//! `payload_bytes`: a `send` whose one argument is a generated text of a given size,
//! to show what the server does with a message over its limit. Read apart from the
//! other step fields because only this field may go past that limit.

use super::raw::RawStep;
use super::steps::Checker;
use super::validate::Result;
use super::Op;
use crate::protocol::MAX_MESSAGE_BYTES;
use crate::safe;

/// The longest text a step's `payload_bytes` may ask for: twice the lab server's
/// message limit, enough to go past it while the lab's memory stays small.
pub const MAX_PAYLOAD_BYTES: usize = 2 * MAX_MESSAGE_BYTES;

/// The text a step's `payload_bytes` sends: that many `x`, which the client's code
/// prints as `"x".repeat(n)` (the same in JavaScript and Rust).
pub fn generated_text(bytes: usize) -> String {
    "x".repeat(bytes)
}

/// The size of the message a `send` of a generated text of `text_bytes` puts on the
/// wire, which is what the server's limit counts: `42` (an engine.io message holding
/// a Socket.IO event), the namespace and a comma unless it is `/`, and the JSON array
/// of the event's name and the text (whose `x`s need no escaping).
pub fn message_bytes(namespace: &str, event: &str, text_bytes: usize) -> usize {
    let namespace = if namespace == crate::protocol::MAIN_NS {
        0
    } else {
        namespace.len() + 1
    };
    let array = serde_json::to_string(&(event, "")).map_or(0, |j| j.len());
    2 + namespace + array + text_bytes
}

impl Checker<'_> {
    /// Refuses `payload_bytes` where it does not apply: anywhere but a format-2
    /// `send`, or beside the arguments it stands for.
    pub(super) fn payload_bytes_fits(&self, s: &RawStep) -> Result<()> {
        let Some(n) = &s.payload_bytes else {
            return Ok(());
        };
        let fits =
            self.app.is_some() && s.op == Op::Send && s.payload.is_none() && s.args.is_none();
        if fits {
            return Ok(());
        }
        Err(self.loc.at(
            n.span().start,
            "`payload_bytes` (a generated text) is for `send` in format 2, instead of \
             `payload` or `args`",
        ))
    }

    /// `payload_bytes`: how long the generated text is, within a bound that goes past
    /// the server's limit and keeps the lab's memory small.
    pub(super) fn payload_bytes(&self, s: &RawStep) -> Result<Option<usize>> {
        let Some(n) = &s.payload_bytes else {
            return Ok(None);
        };
        match usize::try_from(*n.get_ref()) {
            Ok(bytes @ 1..=MAX_PAYLOAD_BYTES) => Ok(Some(bytes)),
            _ => Err(self.loc.at(
                n.span().start,
                format!(
                    "`payload_bytes` is from 1 to {} (twice the {} bytes a message may hold \
                     on the lab server)",
                    safe::thousands(MAX_PAYLOAD_BYTES as u64),
                    safe::thousands(MAX_MESSAGE_BYTES as u64),
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Action, EMBEDDED};
    use super::*;

    /// The chat lesson (format 2), its three clients connected, then `step`.
    fn chat_with(step: &str) -> String {
        let chat = EMBEDDED.iter().find(|(id, _)| *id == "chat").unwrap().1;
        let steps = chat.split("\n[[steps]]").next().unwrap();
        format!(
            "{steps}\n[[steps]]\ntitle = \"all\"\nop = \"connect\"\nactors = [\"alice\", \"bob\", \"carol\"]\n\
             \n[[steps]]\ntitle = \"big\"\n{step}\n"
        )
    }

    #[test]
    fn a_generated_text_is_read_and_its_misuse_refused() {
        let text = chat_with(
            "op = \"send\"\nactor = \"alice\"\nevent = \"chat message\"\npayload_bytes = 1000001",
        );
        let lesson = parse("x", "x.toml", &text).unwrap();
        let action = &lesson.steps[1].action;
        assert!(matches!(
            action,
            Action::Send {
                payload_bytes: Some(1_000_001),
                payload: None,
                ..
            }
        ));
        assert_eq!(
            action.arguments(),
            vec![serde_json::Value::from("x".repeat(1_000_001))]
        );
        let misplaced = "`payload_bytes` (a generated text) is for `send` in format 2";
        let bounds = "`payload_bytes` is from 1 to 2,000,000 (twice the 1,000,000 bytes";
        let refused = [
            ("op = \"send\"\nactor = \"alice\"\nevent = \"e\"\npayload_bytes = 0", bounds),
            ("op = \"send\"\nactor = \"alice\"\nevent = \"e\"\npayload_bytes = 2000001", bounds),
            ("op = \"send\"\nactor = \"alice\"\nevent = \"e\"\npayload = \"hi\"\npayload_bytes = 5", misplaced),
            ("op = \"send\"\nactor = \"alice\"\nevent = \"e\"\nargs = [1]\npayload_bytes = 5", misplaced),
            ("op = \"ask\"\nactor = \"alice\"\nevent = \"e\"\npayload_bytes = 5", misplaced),
            ("op = \"disconnect\"\nactor = \"alice\"\npayload_bytes = 5", misplaced),
        ];
        for (step, message) in refused {
            let e = parse("x", "x.toml", &chat_with(step)).expect_err(step);
            assert!(e.message.starts_with(message), "{step}: {e}");
        }
        // Format 1 has no declared handler to send it to.
        let fixed = format!(
            "{}\n[[steps]]\ntitle = \"big\"\nop = \"send\"\nactor = \"alice\"\nevent = \"e\"\npayload_bytes = 5\n",
            super::super::tests::GOOD
        );
        let e = parse("x", "x.toml", &fixed).unwrap_err();
        assert!(e.message.starts_with(misplaced), "{e}");
    }

    /// The size counted is the whole message the client writes: what `tests/it/hostile.rs`
    /// sends by hand, and what the chat lesson's steps at the limit prove on both servers.
    #[test]
    fn the_message_size_counts_the_framing() {
        let wire = format!("42[\"chat message\",\"{}\"]", generated_text(999_979));
        assert_eq!(message_bytes("/", "chat message", 999_979), wire.len());
        assert_eq!(wire.len(), MAX_MESSAGE_BYTES);
        let wire = format!("42/admin,[\"e\",\"{}\"]", generated_text(10));
        assert_eq!(message_bytes("/admin", "e", 10), wire.len());
    }
}
