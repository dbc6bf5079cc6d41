//! Colour and width as a value: every renderer gets a `Paint` and never asks the
//! environment. The binary decides both once, from the terminal (`term::paint`).

use colored::Colorize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub enabled: bool,
    /// The columns text is laid out in: the terminal's (within bounds), or
    /// [`Paint::WIDTH`] when the output is not a terminal.
    pub width: usize,
}

impl Paint {
    /// The width of output that is not a terminal: files, pipes, snapshots.
    pub const WIDTH: usize = 78;
    pub const PLAIN: Paint = Paint {
        enabled: false,
        width: Paint::WIDTH,
    };

    fn apply(self, text: &str, style: fn(&str) -> colored::ColoredString) -> String {
        if self.enabled {
            style(text).to_string()
        } else {
            text.to_string()
        }
    }
}

/// One method per style, each a thin name over `colored`.
macro_rules! styles {
    ($($(#[$doc:meta])* $name:ident => |$t:ident| $style:expr;)*) => {
        impl Paint {
            $(
                $(#[$doc])*
                pub fn $name(self, text: &str) -> String {
                    self.apply(text, |$t| $style)
                }
            )*
        }
    };
}

styles! {
    bold => |t| t.bold();
    dim => |t| t.dimmed();
    good => |t| t.green();
    bad => |t| t.red().bold();
    warn => |t| t.yellow();
    code => |t| t.cyan();
    name => |t| t.magenta().bold();
}

/// `text` with its colour codes left out: each CSI sequence (`ESC [ ... letter`)
/// draws nothing.
pub fn without_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}
