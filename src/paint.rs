//! Colour as a value: every renderer gets a `Paint` and never asks the environment.

use colored::Colorize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    pub const PLAIN: Paint = Paint { enabled: false };

    fn apply(self, text: &str, style: fn(&str) -> colored::ColoredString) -> String {
        if self.enabled {
            style(text).to_string()
        } else {
            text.to_string()
        }
    }

    pub fn bold(self, text: &str) -> String {
        self.apply(text, |t| t.bold())
    }
    pub fn dim(self, text: &str) -> String {
        self.apply(text, |t| t.dimmed())
    }
    pub fn good(self, text: &str) -> String {
        self.apply(text, |t| t.green())
    }
    pub fn bad(self, text: &str) -> String {
        self.apply(text, |t| t.red().bold())
    }
    pub fn warn(self, text: &str) -> String {
        self.apply(text, |t| t.yellow())
    }
    pub fn code(self, text: &str) -> String {
        self.apply(text, |t| t.cyan())
    }
    pub fn name(self, text: &str) -> String {
        self.apply(text, |t| t.magenta().bold())
    }
}
