//! Output formats: a [`Sink`] receives text and styles and writes them as Telegram HTML, terminal ANSI or plain text.
//!
//! Everything faqbot shows goes through one of these: the Markdown walker ([`super::markdown`]), the reply
//! layout ([`super::layout`]) and the conversation's messages ([`super::doc`]) only say *what* is styled, and a
//! new output format (the web page) is one more sink.

use anstyle::{AnsiColor, Color};

/// What a piece of text is, for the sinks to style it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Markdown `**strong**`, labels such as "Rules".
    Strong,
    /// Markdown `*emphasis*`.
    Emphasis,
    /// Markdown `~~strike~~`.
    Strike,
    /// Markdown `` `code` ``.
    Code,
    /// A Markdown code block.
    Pre,
    /// A Markdown block quote.
    Quote,
    /// A Markdown heading inside an answer.
    Heading,
    /// The question a section of a reply answers.
    Title,
    /// An aside: a typo correction, an entry's id and confidence.
    Note,
}

/// An output format. Text passed to [`Sink::text`] is shown as it is (sinks escape what they must); [`Sink::out`]
/// is what has been written so far, for layout bookkeeping (does it end a line, trimming trailing blanks).
pub trait Sink {
    /// Text to show verbatim.
    fn text(&mut self, text: &str);
    fn start(&mut self, style: Style);
    fn end(&mut self, style: Style);
    fn start_link(&mut self, url: &str);
    fn end_link(&mut self, url: &str);
    /// `text` as this sink writes it, for placeholders filled in after rendering.
    fn escape(&self, text: &str) -> String;
    fn out(&mut self) -> &mut String;
}

/// Trims trailing whitespace of what a sink has written.
pub fn trim_end(sink: &mut (impl Sink + ?Sized)) {
    let out = sink.out();
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
}

/// Escapes text (and attribute values) for Telegram HTML: Telegram rejects a whole message over a stray `<` or `&`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(character),
        }
    }
    out
}

/// Telegram's HTML dialect: `<b>`, `<i>`, `<s>`, `<code>`, `<pre>`, `<blockquote>`, `<a href>`. Headings and titles are
/// bold (Telegram has no tag for them), asides italic.
#[derive(Debug, Default)]
pub struct Html {
    out: String,
}

impl Html {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn tag(style: Style) -> &'static str {
        match style {
            Style::Strong | Style::Heading | Style::Title => "b",
            Style::Emphasis | Style::Note => "i",
            Style::Strike => "s",
            Style::Code => "code",
            Style::Pre => "pre",
            Style::Quote => "blockquote",
        }
    }
}

impl Sink for Html {
    fn text(&mut self, text: &str) {
        self.out.push_str(&escape_html(text));
    }

    fn start(&mut self, style: Style) {
        self.out.push('<');
        self.out.push_str(Self::tag(style));
        self.out.push('>');
    }

    fn end(&mut self, style: Style) {
        self.out.push_str("</");
        self.out.push_str(Self::tag(style));
        self.out.push('>');
    }

    fn start_link(&mut self, url: &str) {
        self.out.push_str("<a href=\"");
        self.out.push_str(&escape_html(url));
        self.out.push_str("\">");
    }

    fn end_link(&mut self, _url: &str) {
        self.out.push_str("</a>");
    }

    fn escape(&self, text: &str) -> String {
        escape_html(text)
    }

    fn out(&mut self) -> &mut String {
        &mut self.out
    }
}

pub const BOLD: anstyle::Style = anstyle::Style::new().bold();
pub const DIM: anstyle::Style = anstyle::Style::new().dimmed();
pub const HEADING: anstyle::Style = anstyle::Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Cyan)));
pub const HIGHLIGHT: anstyle::Style = anstyle::Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Yellow)));

/// A terminal: styles as ANSI escape codes (which `anstream` drops when the output is not a terminal), links
/// followed by their address.
#[derive(Debug, Default)]
pub struct Ansi {
    out: String,
}

impl Ansi {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn style(style: Style) -> Option<anstyle::Style> {
        match style {
            Style::Strong | Style::Emphasis | Style::Heading => Some(BOLD),
            Style::Title => Some(HEADING),
            Style::Note => Some(DIM),
            Style::Strike | Style::Code | Style::Pre | Style::Quote => None,
        }
    }
}

impl Sink for Ansi {
    fn text(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn start(&mut self, style: Style) {
        if let Some(style) = Self::style(style) {
            self.out.push_str(&style.render().to_string());
        }
    }

    fn end(&mut self, style: Style) {
        if let Some(style) = Self::style(style) {
            self.out.push_str(&style.render_reset().to_string());
        }
    }

    fn start_link(&mut self, _url: &str) {}

    fn end_link(&mut self, url: &str) {
        push_address(&mut self.out, url);
    }

    fn escape(&self, text: &str) -> String {
        text.to_string()
    }

    fn out(&mut self) -> &mut String {
        &mut self.out
    }
}

/// Plain text, as Telegram shows a message in previews (`Plain::new()`), or as a terminal shows it without
/// styles (`Plain::with_link_addresses()`).
#[derive(Debug, Default)]
pub struct Plain {
    out: String,
    link_addresses: bool,
}

impl Plain {
    /// Links are their text only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Links are followed by their address, as in a terminal.
    pub fn with_link_addresses() -> Self {
        Self {
            out: String::new(),
            link_addresses: true,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

impl Sink for Plain {
    fn text(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn start(&mut self, _style: Style) {}

    fn end(&mut self, _style: Style) {}

    fn start_link(&mut self, _url: &str) {}

    fn end_link(&mut self, url: &str) {
        if self.link_addresses {
            push_address(&mut self.out, url);
        }
    }

    fn escape(&self, text: &str) -> String {
        text.to_string()
    }

    fn out(&mut self) -> &mut String {
        &mut self.out
    }
}

/// A link's address after its text, where the output cannot link: "the site (https://example.com)".
fn push_address(out: &mut String, url: &str) {
    out.push_str(" (");
    out.push_str(url);
    out.push(')');
}

/// Whether Telegram accepts `html` with `parse_mode = HTML`: only its tags, balanced, and only its four named
/// entities. Tests check every text the bot sends with it.
pub fn check_telegram_html(html: &str) -> Result<(), String> {
    const TAGS: &[&str] = &["b", "i", "u", "s", "code", "pre", "a", "blockquote"];
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(['<', '>', '&']) {
        let after = &rest[at..];
        if after.starts_with('>') {
            return Err(format!("bare `>` in {html:?}"));
        } else if after.starts_with('&') {
            let Some(entity) = ["&amp;", "&lt;", "&gt;", "&quot;"]
                .iter()
                .find(|entity| after.starts_with(**entity))
            else {
                return Err(format!("bare `&` in {html:?}"));
            };
            rest = &after[entity.len()..];
        } else {
            let Some(end) = after.find('>') else {
                return Err(format!("unclosed tag in {html:?}"));
            };
            let tag = &after[1..end];
            match tag.strip_prefix('/') {
                Some(name) => {
                    if open.pop() != Some(name) {
                        return Err(format!("unbalanced </{name}> in {html:?}"));
                    }
                }
                None => {
                    let name = tag.split_whitespace().next().unwrap_or_default();
                    if !TAGS.contains(&name) {
                        return Err(format!("unsupported tag <{tag}> in {html:?}"));
                    }
                    if name == "a" && !tag.starts_with("a href=\"") {
                        return Err(format!("a link without href in {html:?}"));
                    }
                    open.push(name);
                }
            }
            rest = &after[end + 1..];
        }
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed {open:?} in {html:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_text_and_addresses() {
        let mut sink = Html::new();
        sink.start_link("https://x.example/?a=1&b=\"2\"");
        sink.text("a<b & c>d");
        sink.end_link("");
        assert_eq!(
            sink.finish(),
            "<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">a&lt;b &amp; c&gt;d</a>"
        );
    }

    #[test]
    fn the_checker_refuses_what_telegram_refuses() {
        assert!(check_telegram_html("<b>ok</b> &amp; <a href=\"x\">y</a>").is_ok());
        assert!(check_telegram_html("a < b").is_err());
        assert!(check_telegram_html("a & b").is_err());
        assert!(check_telegram_html("<b>open").is_err());
        assert!(check_telegram_html("<b><i>x</b></i>").is_err());
        assert!(check_telegram_html("<p>x</p>").is_err());
    }
}
