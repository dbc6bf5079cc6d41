//! A value in a handler: a literal, or a reference written with `$`: a parameter
//! (`$msg`), the socket's id (`$socket.id`) or the namespace's path (`$nsp`). `$$`
//! starts a literal text that begins with `$`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Value", into = "Value")]
pub struct Expr(pub Source);

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Literal(Value),
    Param(String),
    SocketId,
    Nsp,
    /// A `$` reference that names nothing known; validation refuses it.
    Unknown(String),
}

impl Expr {
    pub fn parse(text: &str) -> Expr {
        Expr::from(Value::String(text.to_string()))
    }

    pub fn literal(value: Value) -> Expr {
        Expr(Source::Literal(value))
    }
}

impl From<Value> for Expr {
    fn from(value: Value) -> Expr {
        let Value::String(text) = &value else {
            return Expr(Source::Literal(value));
        };
        if let Some(rest) = text.strip_prefix("$$") {
            return Expr(Source::Literal(Value::String(format!("${rest}"))));
        }
        let Some(reference) = text.strip_prefix('$') else {
            return Expr(Source::Literal(value));
        };
        let source = match reference.split_once('.') {
            None if reference == "nsp" => Source::Nsp,
            None if is_identifier(reference) => Source::Param(reference.to_string()),
            Some(("socket", "id")) => Source::SocketId,
            _ => Source::Unknown(reference.to_string()),
        };
        Expr(source)
    }
}

impl From<Expr> for Value {
    fn from(expr: Expr) -> Value {
        let text = match expr.0 {
            Source::Literal(Value::String(s)) if s.starts_with('$') => format!("${s}"),
            Source::Literal(v) => return v,
            Source::Param(name) => format!("${name}"),
            Source::SocketId => "$socket.id".into(),
            Source::Nsp => "$nsp".into(),
            Source::Unknown(text) => format!("${text}"),
        };
        Value::String(text)
    }
}

/// A name both JavaScript and Rust accept as a variable or field, and no keyword
/// of either that a lesson would plausibly pick.
pub fn is_identifier(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "do", "else", "enum",
        "extern", "false", "fn", "for", "function", "if", "impl", "in", "let", "loop", "match",
        "mod", "move", "mut", "new", "null", "pub", "ref", "return", "self", "Self", "static",
        "struct", "super", "this", "trait", "true", "type", "typeof", "unsafe", "use", "var",
        "where", "while", "yield", "io", "socket", "ack", "reason", "next", "auth", "data",
    ];
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_and_literals_round_trip() {
        for text in ["$msg", "$socket.id", "$nsp", "$$5", "r1"] {
            let expr = Expr::parse(text);
            assert_eq!(Value::from(expr), json!(text), "{text}");
        }
        assert_eq!(Expr::parse("$$5").0, Source::Literal(json!("$5")));
        assert_eq!(
            Expr::parse("$socket.rooms").0,
            Source::Unknown("socket.rooms".into())
        );
        assert_eq!(Expr::from(json!(3)).0, Source::Literal(json!(3)));
    }
}
