//! A message before it has a format: text, Markdown and styles in order, rendered through any [`Sink`].
//!
//! The conversation core says what it says as a [`Doc`]; Telegram renders it as HTML, `faqbot chat` as ANSI, a
//! web page as its HTML, and none of them parses another's output.

use super::markdown;
use super::sink::{self, Ansi, Html, Plain, Sink, Style};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Shown verbatim (escaped by the sink): user input, entries' fields, numbers.
    Text(String),
    /// Markdown (an answer, an interface text), with `{name}` placeholders filled in with verbatim text.
    Markdown {
        source: String,
        fill: Vec<(String, String)>,
    },
    Start(Style),
    End(Style),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    pieces: Vec<Piece>,
}

impl Doc {
    pub fn new() -> Self {
        Self::default()
    }

    /// A document of one Markdown text.
    pub fn from_markdown(source: &str) -> Self {
        let mut doc = Self::new();
        doc.markdown(source);
        doc
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Verbatim text.
    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.pieces.push(Piece::Text(text.into()));
        self
    }

    /// Markdown, laid out by the walker; inline use (a label, a sentence) keeps no trailing blank line.
    pub fn markdown(&mut self, source: &str) -> &mut Self {
        self.filled(source, &[])
    }

    /// Markdown whose `{name}` placeholders are replaced by verbatim text (escaped, never read as Markdown).
    pub fn filled(&mut self, source: &str, fill: &[(&str, &str)]) -> &mut Self {
        self.pieces.push(Piece::Markdown {
            source: source.to_string(),
            fill: fill.iter().map(|(k, v)| (format!("{{{k}}}"), v.to_string())).collect(),
        });
        self
    }

    /// Verbatim text in a style.
    pub fn styled(&mut self, style: Style, text: impl Into<String>) -> &mut Self {
        self.pieces.push(Piece::Start(style));
        self.pieces.push(Piece::Text(text.into()));
        self.pieces.push(Piece::End(style));
        self
    }

    /// Markdown in a style (a label from the text table, in bold).
    pub fn styled_markdown(&mut self, style: Style, source: &str) -> &mut Self {
        self.pieces.push(Piece::Start(style));
        self.markdown(source);
        self.pieces.push(Piece::End(style));
        self
    }

    pub fn start(&mut self, style: Style) -> &mut Self {
        self.pieces.push(Piece::Start(style));
        self
    }

    pub fn end(&mut self, style: Style) -> &mut Self {
        self.pieces.push(Piece::End(style));
        self
    }

    /// Another document after this one.
    pub fn append(&mut self, other: Doc) -> &mut Self {
        self.pieces.extend(other.pieces);
        self
    }

    pub fn render(&self, sink: &mut (impl Sink + ?Sized)) {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => sink.text(text),
                Piece::Markdown { source, fill } => {
                    let start = sink.out().len();
                    markdown::render(source, sink);
                    // The walker trims trailing blanks, which may reach before `start` when the text was empty.
                    let start = start.min(sink.out().len());
                    if !fill.is_empty() {
                        let rendered = sink.out().split_off(start);
                        let filled = fill_in(&rendered, fill, |value| sink.escape(value));
                        sink.out().push_str(&filled);
                    }
                }
                Piece::Start(style) => sink.start(*style),
                Piece::End(style) => sink.end(*style),
            }
        }
        sink::trim_end(sink);
    }

    /// Telegram HTML.
    pub fn html(&self) -> String {
        let mut sink = Html::new();
        self.render(&mut sink);
        sink.finish()
    }

    /// Terminal text with ANSI styles.
    pub fn ansi(&self) -> String {
        let mut sink = Ansi::new();
        self.render(&mut sink);
        sink.finish()
    }

    /// Plain text, links as their text.
    pub fn plain(&self) -> String {
        let mut sink = Plain::new();
        self.render(&mut sink);
        sink.finish()
    }
}

/// Replaces each placeholder in `rendered` in one pass, so that a value is never searched for placeholders.
fn fill_in(rendered: &str, fill: &[(String, String)], escape: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut rest = rendered;
    'scan: while let Some(at) = rest.find('{') {
        for (placeholder, value) in fill {
            if rest[at..].starts_with(placeholder.as_str()) {
                out.push_str(&rest[..at]);
                out.push_str(&escape(value));
                rest = &rest[at + placeholder.len()..];
                continue 'scan;
            }
        }
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_with_escaped_verbatim_text() {
        let mut doc = Doc::new();
        doc.filled(
            "**Failed**: {why}. {n} left, {unknown}",
            &[("why", "a <b> & *c* {n}"), ("n", "2")],
        );
        assert_eq!(
            doc.html(),
            "<b>Failed</b>: a &lt;b&gt; &amp; *c* {n}. 2 left, {unknown}"
        );
        assert_eq!(doc.plain(), "Failed: a <b> & *c* {n}. 2 left, {unknown}");
    }

    #[test]
    fn pieces_join_without_the_walkers_blank_lines() {
        let mut doc = Doc::new();
        doc.styled_markdown(Style::Strong, "Rules")
            .text("\n• ")
            .styled(Style::Strong, "a_b")
            .text(" – x");
        assert_eq!(doc.html(), "<b>Rules</b>\n• <b>a_b</b> – x");
    }
}
