//! What a declared handler's emits came to (lesson format 2), from the server's own
//! notes: an emit it refused or could not deliver, and what a callback got.

use std::fmt::Write;

use serde_json::Value;

use super::compact;
use crate::paint::Paint;
use crate::safe;
use crate::trace::StepRecord;

/// `one`: the callback gets one answer (`socket.emit`'s `(err, answer)`), not a list.
pub(super) fn emit_outcomes(record: &StepRecord, one: bool, paint: Paint) -> String {
    let mut out = String::new();
    let server = paint.dim("server");
    for error in record.emit_errors() {
        let error = paint.warn(&format!("error: {}", safe::text(error)));
        let _ = writeln!(out, "  {server} {error}");
    }
    if let Some((err, answers)) = record.callback() {
        let err = match err {
            Some(e) => format!("error {}", compact(&Value::from(e))),
            None => "no error".to_string(),
        };
        let got = match (one, answers.first()) {
            (true, Some(answer)) => format!("answer {}", compact(answer)),
            (true, None) => "no answer".to_string(),
            (false, _) => format!("answers {}", compact(&Value::from(answers.to_vec()))),
        };
        let _ = writeln!(out, "  {server} its callback ran: {err}, {got}");
    }
    out
}
