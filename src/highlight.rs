//! Syntax highlighting of the code the lab shows, with `syntect` (as `bat` does):
//! its bundled Sublime syntaxes for JavaScript and Rust, and one of its bundled
//! themes. A function of a language and already laid-out text, so that how code is
//! wrapped and numbered stays the layout's business: the terminal paints each laid
//! out piece, the page gets each block as HTML with classes (no inline styles, which
//! its Content-Security-Policy refuses) and the matching stylesheet.

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme, ThemeSet};
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::{as_24_bit_terminal_escaped, LinesWithEndings};

/// The language of a piece of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    JavaScript,
    Rust,
}

/// The bundled theme: light text on the dark background code has on the page.
const THEME: &str = "base16-ocean.dark";

/// The page's classes: `hl-` before each scope name, so that they meet no other class.
const CLASSES: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

struct Kit {
    syntaxes: SyntaxSet,
    theme: Theme,
}

/// Loaded once (a few milliseconds), on the first code shown in colour.
fn kit() -> &'static Kit {
    static KIT: OnceLock<Kit> = OnceLock::new();
    KIT.get_or_init(|| {
        let mut themes = ThemeSet::load_defaults();
        Kit {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            theme: themes.themes.remove(THEME).unwrap_or_default(),
        }
    })
}

impl Lang {
    fn syntax(self, syntaxes: &SyntaxSet) -> &SyntaxReference {
        let extension = match self {
            Lang::JavaScript => "js",
            Lang::Rust => "rs",
        };
        syntaxes
            .find_syntax_by_extension(extension)
            .unwrap_or_else(|| syntaxes.find_syntax_plain_text())
    }
}

/// One laid-out line (or piece of a line) painted for a 24-bit colour terminal,
/// the colours reset at its end. Text that cannot be parsed is given back plain.
pub fn terminal(lang: Lang, line: &str) -> String {
    let kit = kit();
    let mut lines = HighlightLines::new(lang.syntax(&kit.syntaxes), &kit.theme);
    // The syntaxes expect each line with its newline.
    let with_newline = format!("{line}\n");
    match lines.highlight_line(&with_newline, &kit.syntaxes) {
        Ok(ranges) => {
            let painted = as_24_bit_terminal_escaped(&ranges, false);
            format!("{}\x1b[0m", painted.trim_end_matches('\n'))
        }
        Err(_) => line.to_string(),
    }
}

/// A block of code as HTML: each token in a `<span>` whose classes name its scope,
/// the text escaped. `None` when it cannot be parsed (the page then shows it plain).
pub fn html(lang: Lang, code: &str) -> Option<String> {
    let kit = kit();
    let mut html = ClassedHTMLGenerator::new_with_class_style(
        lang.syntax(&kit.syntaxes),
        &kit.syntaxes,
        CLASSES,
    );
    let code = if code.ends_with('\n') {
        code.to_string()
    } else {
        format!("{code}\n")
    };
    for line in LinesWithEndings::from(&code) {
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize().trim_end_matches('\n').to_string())
}

/// The stylesheet for [`html`]'s classes, from the same theme as the terminal's.
pub fn css() -> String {
    css_for_theme_with_class_style(&kit().theme, CLASSES).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_and_javascript_are_told_apart_and_painted() {
        let js = terminal(Lang::JavaScript, r#"socket.to("r1").emit("news", msg);"#);
        assert!(js.contains("\x1b[38;2;"), "{js:?}");
        assert!(js.ends_with("\x1b[0m"), "{js:?}");
        // The text itself is unchanged once the colours are taken out.
        let plain: String = crate::paint::without_colour(&js);
        assert_eq!(plain, r#"socket.to("r1").emit("news", msg);"#);
        let rust = html(Lang::Rust, "async fn on_chat(socket: SocketRef) {}").unwrap();
        assert!(
            rust.contains("hl-rust") && rust.contains(">fn</span>"),
            "{rust}"
        );
        assert!(css().contains(".hl-"), "no classes in the stylesheet");
    }

    #[test]
    fn html_escapes_the_code() {
        let page = html(Lang::JavaScript, r#"emit("<b>&")"#).unwrap();
        assert!(page.contains("&lt;b&gt;&amp;"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
    }
}
