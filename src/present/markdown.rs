//! The one Markdown walker: answers from faq/ and the interface texts become calls on a [`Sink`], whatever the output.
//!
//! Paragraphs, lists (bullets and numbers, nested by indenting), headings, quotes and rules are laid out as text
//! here, once; the sinks only style. Raw HTML in an answer (`<none>`) is text to show, never markup to trust.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::sink::{self, Ansi, Html, Plain, Sink, Style};

/// Writes `source` into `sink`, without trailing blank lines.
pub fn render(source: &str, sink: &mut (impl Sink + ?Sized)) {
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut quotes = 0usize;
    // A link's address is needed at its end, where pulldown-cmark no longer gives it.
    let mut links: Vec<String> = Vec::new();
    for event in Parser::new(source) {
        match event {
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) if lists.is_empty() => sink.text("\n\n"),
            Event::End(TagEnd::Paragraph) => {}
            Event::Start(Tag::Heading { .. }) => sink.start(Style::Heading),
            Event::End(TagEnd::Heading(_)) => {
                sink.end(Style::Heading);
                sink.text("\n\n");
            }
            Event::Start(Tag::List(start)) => {
                if !lists.is_empty() && !sink.out().ends_with('\n') {
                    sink.text("\n");
                }
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    sink.text("\n");
                }
            }
            Event::Start(Tag::Item) => {
                sink.text(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        sink.text(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => sink.text("• "),
                }
            }
            Event::End(TagEnd::Item) if !sink.out().ends_with('\n') => sink.text("\n"),
            Event::Start(Tag::Strong) => sink.start(Style::Strong),
            Event::End(TagEnd::Strong) => sink.end(Style::Strong),
            Event::Start(Tag::Emphasis) => sink.start(Style::Emphasis),
            Event::End(TagEnd::Emphasis) => sink.end(Style::Emphasis),
            Event::Start(Tag::Strikethrough) => sink.start(Style::Strike),
            Event::End(TagEnd::Strikethrough) => sink.end(Style::Strike),
            // Telegram does not nest quotes: only the outermost becomes one.
            Event::Start(Tag::BlockQuote(_)) => {
                quotes += 1;
                if quotes == 1 {
                    sink.start(Style::Quote);
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quotes = quotes.saturating_sub(1);
                if quotes == 0 {
                    sink::trim_end(sink);
                    sink.end(Style::Quote);
                    sink.text("\n\n");
                }
            }
            Event::Start(Tag::CodeBlock(_)) => sink.start(Style::Pre),
            Event::End(TagEnd::CodeBlock) => {
                sink.end(Style::Pre);
                sink.text("\n\n");
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                sink.start_link(&dest_url);
                links.push(dest_url.to_string());
            }
            Event::End(TagEnd::Link) => {
                let url = links.pop().unwrap_or_default();
                sink.end_link(&url);
            }
            Event::Code(text) => {
                sink.start(Style::Code);
                sink.text(&text);
                sink.end(Style::Code);
            }
            Event::Text(text) | Event::InlineHtml(text) | Event::Html(text) => sink.text(&text),
            Event::SoftBreak => sink.text(" "),
            Event::HardBreak => sink.text("\n"),
            Event::Rule => sink.text("―――\n\n"),
            _ => {}
        }
    }
    sink::trim_end(sink);
}

/// Markdown as Telegram HTML.
pub fn html(source: &str) -> String {
    let mut sink = Html::new();
    render(source, &mut sink);
    sink.finish()
}

/// Markdown as terminal text with ANSI styles, ending in one newline.
pub fn ansi(source: &str) -> String {
    let mut sink = Ansi::new();
    render(source, &mut sink);
    let mut out = sink.finish();
    out.push('\n');
    out
}

/// Markdown as the text Telegram shows: no styles, links as their text.
pub fn plain(source: &str) -> String {
    let mut sink = Plain::new();
    render(source, &mut sink);
    sink.finish()
}

/// Markdown as a terminal shows it without styles: links followed by their address.
pub fn plain_with_link_addresses(source: &str) -> String {
    let mut sink = Plain::with_link_addresses();
    render(source, &mut sink);
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    #[test]
    fn escapes_everything_from_faq() {
        assert_eq!(
            html("Fees & charges: <b>none</b> > 0 <none>"),
            "Fees &amp; charges: &lt;b&gt;none&lt;/b&gt; &gt; 0 &lt;none&gt;"
        );
        assert_eq!(
            html("**Free.** See [the *site*](https://x.example/?a=1&b=\"2\") and `a<b`"),
            "<b>Free.</b> See <a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">the <i>site</i></a> and <code>a&lt;b</code>"
        );
    }

    #[test]
    fn lists_and_paragraphs_become_text() {
        assert_eq!(
            html("One.\n\n- a\n- b\n\n1. x\n2. y\n\nEnd."),
            "One.\n\n• a\n• b\n\n1. x\n2. y\n\nEnd."
        );
    }

    #[test]
    fn plain_text_drops_styles_and_keeps_characters() {
        assert_eq!(plain("**Fees** & <none>"), "Fees & <none>");
        assert_eq!(plain("See [the site](https://example.com)."), "See the site.");
    }

    #[test]
    fn renders_paragraphs_lists_and_links_for_a_terminal() {
        let text = stripped(&ansi(
            "No, it is **not** possible.\n\n- one\n- two\n\n1. first\n2. second\n\nSee [the site](https://example.com).",
        ));
        assert_eq!(
            text,
            "No, it is not possible.\n\n• one\n• two\n\n1. first\n2. second\n\nSee the site (https://example.com).\n"
        );
        assert_eq!(
            stripped(&ansi("Fees & charges: <none> for a <b>start</b>.")),
            "Fees & charges: <none> for a <b>start</b>.\n"
        );
        assert_eq!(
            plain_with_link_addresses("See [the site](https://example.com)."),
            "See the site (https://example.com)."
        );
    }

    #[test]
    fn quotes_nest_once_and_code_blocks_are_preformatted() {
        assert_eq!(html("> a\n>\n> > b\n\nc"), "<blockquote>a\n\nb</blockquote>\n\nc");
        assert_eq!(html("```\nx < y\n```\nafter"), "<pre>x &lt; y\n</pre>\n\nafter");
    }

    proptest::proptest! {
        #[test]
        fn every_sink_shows_the_same_characters(text in "[a-z &<>\n*_`>#-]{0,300}") {
            let html = html(&text);
            proptest::prop_assert!(sink::check_telegram_html(&html).is_ok(), "{html}");
            let shown = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).count();
            proptest::prop_assert_eq!(shown(&plain(&text)), shown(&stripped(&ansi(&text))));
        }
    }
}
