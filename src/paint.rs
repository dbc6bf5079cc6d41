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

/// `--color` as the user gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `auto` colours a terminal unless `NO_COLOR` is set (to anything but empty).
    pub fn resolve(self, is_terminal: bool, no_color: Option<&str>) -> Paint {
        let enabled = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
        };
        Paint { enabled }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_only_in_auto() {
        assert!(!ColorChoice::Auto.resolve(true, Some("1")).enabled);
        assert!(ColorChoice::Auto.resolve(true, Some("")).enabled);
        assert!(ColorChoice::Auto.resolve(true, None).enabled);
        assert!(!ColorChoice::Auto.resolve(false, None).enabled);
        assert!(ColorChoice::Always.resolve(false, Some("1")).enabled);
        assert!(!ColorChoice::Never.resolve(true, None).enabled);
    }
}
