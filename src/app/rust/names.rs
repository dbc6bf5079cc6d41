//! The names the printed Rust gives a namespace's functions and types.

use std::collections::BTreeMap;

use super::super::{Handler, Namespace};

/// Function names for one namespace's handlers: `on_connect`, `on_chat_message`,
/// prefixed by the namespace (`admin_on_connect`) unless it is `/`.
pub struct Names {
    prefix: String,
    taken: BTreeMap<String, usize>,
}

impl Names {
    pub fn new(ns: &Namespace) -> Names {
        let words = snake(&ns.name.replace(['{', '}'], ""));
        let prefix = if words.is_empty() {
            String::new()
        } else if words.starts_with(|c: char| c.is_ascii_digit()) {
            // A Rust name cannot start with a digit (namespace `/1`).
            format!("ns_{words}_")
        } else {
            format!("{words}_")
        };
        Names {
            prefix,
            taken: BTreeMap::new(),
        }
    }

    pub fn of(&mut self, what: &str) -> String {
        let base = format!("{}{}", self.prefix, snake(what));
        let count = self.taken.entry(base.clone()).or_default();
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base}_{count}")
        }
    }

    /// The type holding what the namespace's middlewares keep on a socket.
    pub fn data_type(&self) -> String {
        format!("{}SocketData", self.camel())
    }

    /// The type of the early-event shim's gate (`hold_early`).
    pub fn connected_type(&self) -> String {
        format!("{}Connected", self.camel())
    }

    /// The namespace's prefix in CamelCase (empty for `/`).
    fn camel(&self) -> String {
        let camel: String = self
            .prefix
            .split('_')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut chars = w.chars();
                chars.next().map_or(String::new(), |c| {
                    c.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        camel
    }

    pub(super) fn event(&mut self, handler: &Handler) -> String {
        self.of(&format!("on {}", handler.event))
    }
}

/// Lowercase letters and digits, anything else an underscore, none at either end.
fn snake(text: &str) -> String {
    let words: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    words.trim_matches('_').to_string()
}
