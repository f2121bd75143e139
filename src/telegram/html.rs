//! Telegram's HTML dialect: escaping, Markdown answers turned into it, and long texts split into messages Telegram accepts.
//!
//! Telegram rejects a whole message over a stray `<` or `&`, so everything from faq/ passes through
//! [`escape`], and raw HTML in an answer is shown as text rather than trusted as markup.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Telegram's limit on one message's text.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Escapes text (and attribute values) for Telegram HTML.
pub fn escape(text: &str) -> String {
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

/// Markdown to Telegram HTML: bold, italics, code, links, and lists and headings as text (Telegram has no tags for them).
pub fn markdown(source: &str) -> String {
    let mut out = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut quotes = 0usize;
    for event in Parser::new(source) {
        match event {
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) if lists.is_empty() => out.push_str("\n\n"),
            Event::End(TagEnd::Paragraph) => {}
            Event::Start(Tag::Heading { .. }) => out.push_str("<b>"),
            Event::End(TagEnd::Heading(_)) => out.push_str("</b>\n\n"),
            Event::Start(Tag::List(start)) => {
                if !lists.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        out.push_str(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => out.push_str("• "),
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Start(Tag::Strong) => out.push_str("<b>"),
            Event::End(TagEnd::Strong) => out.push_str("</b>"),
            Event::Start(Tag::Emphasis) => out.push_str("<i>"),
            Event::End(TagEnd::Emphasis) => out.push_str("</i>"),
            Event::Start(Tag::Strikethrough) => out.push_str("<s>"),
            Event::End(TagEnd::Strikethrough) => out.push_str("</s>"),
            // Telegram does not nest quotes: only the outermost becomes one.
            Event::Start(Tag::BlockQuote(_)) => {
                quotes += 1;
                if quotes == 1 {
                    out.push_str("<blockquote>");
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quotes -= 1;
                if quotes == 0 {
                    let trimmed = out.trim_end().len();
                    out.truncate(trimmed);
                    out.push_str("</blockquote>\n\n");
                }
            }
            Event::Start(Tag::CodeBlock(_)) => out.push_str("<pre>"),
            Event::End(TagEnd::CodeBlock) => out.push_str("</pre>\n\n"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                out.push_str(&format!("<a href=\"{}\">", escape(&dest_url)));
            }
            Event::End(TagEnd::Link) => out.push_str("</a>"),
            Event::Code(text) => {
                out.push_str("<code>");
                out.push_str(&escape(&text));
                out.push_str("</code>");
            }
            // Raw HTML in an answer ("<none>") is text to show, not markup to trust.
            Event::Text(text) | Event::InlineHtml(text) | Event::Html(text) => out.push_str(&escape(&text)),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("―――\n\n"),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// The text Telegram shows for this HTML: tags dropped, entities decoded. For previews and the terminal.
pub fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for atom in atoms(html) {
        match (atom.kind, atom.text) {
            (AtomKind::Open | AtomKind::Close, _) => {}
            (AtomKind::Text, "&amp;") => out.push('&'),
            (AtomKind::Text, "&lt;") => out.push('<'),
            (AtomKind::Text, "&gt;") => out.push('>'),
            (AtomKind::Text, "&quot;") => out.push('"'),
            (AtomKind::Text, text) => out.push_str(text),
        }
    }
    out
}

/// Telegram counts a message's length in UTF-16 code units; the HTML is never shorter than the text it shows.
fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits HTML into messages of at most `limit` (normally [`MAX_MESSAGE_LEN`]): between paragraphs where it can,
/// else between lines, else between words, else anywhere, but never inside a tag or an entity. A tag open at a
/// cut is closed at the end of one message and opened again at the start of the next. The limit must leave room
/// for the tags that can be open at once (a few dozen bytes for what [`markdown`] writes).
pub fn split(html: &str, limit: usize) -> Vec<String> {
    let html = html.trim();
    if telegram_len(html) <= limit {
        return if html.is_empty() {
            Vec::new()
        } else {
            vec![html.to_string()]
        };
    }
    let atoms = atoms(html);
    let mut messages = Vec::new();
    let mut start = 0;
    let mut open: Vec<OpenTag<'_>> = Vec::new();
    while start < atoms.len() {
        let prefix: String = open.iter().map(|tag| tag.open).collect();
        let (end, open_at_end) = cut(&atoms, start, &open, limit.saturating_sub(telegram_len(&prefix)));
        let mut message = prefix;
        for atom in &atoms[start..end] {
            message.push_str(atom.text);
        }
        for tag in open_at_end.iter().rev() {
            message.push_str(&tag.close());
        }
        let message = message.trim().to_string();
        if !message.is_empty() {
            messages.push(message);
        }
        open = open_at_end;
        start = end;
        // Leading whitespace of the next message is dropped with the cut.
        while start < atoms.len() && atoms[start].text.trim().is_empty() && atoms[start].kind == AtomKind::Text {
            start += 1;
        }
    }
    messages
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtomKind {
    Text,
    Open,
    Close,
}

/// A piece that is never split: a tag, an entity, or one character.
#[derive(Debug, Clone, Copy)]
struct Atom<'a> {
    text: &'a str,
    kind: AtomKind,
}

#[derive(Debug, Clone, Copy)]
struct OpenTag<'a> {
    /// The opening tag as written, with its attributes.
    open: &'a str,
}

impl OpenTag<'_> {
    fn name(&self) -> &str {
        let inner = self.open.trim_start_matches('<').trim_end_matches('>');
        inner.split_whitespace().next().unwrap_or_default()
    }

    fn close(&self) -> String {
        format!("</{}>", self.name())
    }
}

fn atoms(html: &str) -> Vec<Atom<'_>> {
    let mut atoms = Vec::new();
    let mut rest = html;
    while let Some(first) = rest.chars().next() {
        let length = match first {
            '<' => rest.find('>').map_or(first.len_utf8(), |end| end + 1),
            '&' => rest
                .find(';')
                .filter(|&end| end <= 10)
                .map_or(first.len_utf8(), |end| end + 1),
            _ => first.len_utf8(),
        };
        let (text, after) = rest.split_at(length);
        let kind = if text.starts_with("</") {
            AtomKind::Close
        } else if text.starts_with('<') && text.ends_with('>') {
            AtomKind::Open
        } else {
            AtomKind::Text
        };
        atoms.push(Atom { text, kind });
        rest = after;
    }
    atoms
}

/// Where to end the message starting at `start`, and the tags open there. Room is what is left after the reopened tags.
fn cut<'a>(atoms: &[Atom<'a>], start: usize, open: &[OpenTag<'a>], room: usize) -> (usize, Vec<OpenTag<'a>>) {
    let mut stack: Vec<OpenTag<'a>> = open.to_vec();
    let mut used = 0;
    // The best place to cut so far for each kind of boundary: (index after the cut, tags open there).
    let mut paragraph = None;
    let mut line = None;
    let mut word = None;
    let mut index = start;
    while index < atoms.len() {
        let atom = atoms[index];
        let mut after = stack.clone();
        match atom.kind {
            AtomKind::Open => after.push(OpenTag { open: atom.text }),
            AtomKind::Close => {
                after.pop();
            }
            AtomKind::Text => {}
        }
        let closing: usize = after.iter().map(|tag| tag.close().len()).sum();
        if used + telegram_len(atom.text) + closing > room && index > start {
            break;
        }
        used += telegram_len(atom.text);
        stack = after;
        index += 1;
        if atom.kind == AtomKind::Text && atom.text == "\n" {
            let boundary = Some((index, stack.clone()));
            if index >= 2 && atoms[index - 2].text == "\n" {
                paragraph = boundary.clone();
            }
            line = boundary;
        } else if atom.kind == AtomKind::Text && atom.text.trim().is_empty() {
            word = Some((index, stack.clone()));
        }
    }
    if index >= atoms.len() {
        return (index, stack);
    }
    paragraph.or(line).or(word).unwrap_or((index, stack))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_from_faq() {
        assert_eq!(
            markdown("Fees & charges: <b>none</b> > 0 <none>"),
            "Fees &amp; charges: &lt;b&gt;none&lt;/b&gt; &gt; 0 &lt;none&gt;"
        );
        assert_eq!(
            markdown("**Free.** See [the *site*](https://x.example/?a=1&b=\"2\") and `a<b`"),
            "<b>Free.</b> See <a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">the <i>site</i></a> and <code>a&lt;b</code>"
        );
    }

    #[test]
    fn lists_and_paragraphs_become_text() {
        assert_eq!(
            markdown("One.\n\n- a\n- b\n\n1. x\n2. y\n\nEnd."),
            "One.\n\n• a\n• b\n\n1. x\n2. y\n\nEnd."
        );
    }

    #[test]
    fn plain_text_drops_tags_and_decodes_entities() {
        assert_eq!(plain(&markdown("**Fees** & <none>")), "Fees & <none>");
    }

    #[test]
    fn short_texts_are_one_message() {
        assert_eq!(split("<b>hi</b>", 4096), vec!["<b>hi</b>"]);
        assert!(split("  ", 4096).is_empty());
    }

    #[test]
    fn splits_between_paragraphs_first() {
        let paragraph = "word ".repeat(10).trim().to_string();
        let html = format!("{paragraph}\n\n{paragraph}\n\n{paragraph}");
        let messages = split(&html, 120);
        assert_eq!(messages, vec![format!("{paragraph}\n\n{paragraph}"), paragraph.clone()]);
    }

    #[test]
    fn a_cut_inside_a_tag_closes_and_reopens_it() {
        let html = format!("<b>{}</b> &amp; more", "bold ".repeat(30));
        let messages = split(&html, 50);
        assert!(messages.len() > 1);
        for message in &messages {
            assert!(telegram_len(message) <= 50, "{message}");
            assert_eq!(
                message.matches("<b>").count(),
                message.matches("</b>").count(),
                "{message}"
            );
            assert!(!message.contains("&amp") || message.contains("&amp;"), "{message}");
        }
        let rejoined: String = messages.join(" ").replace("</b> <b>", " ");
        assert_eq!(rejoined.split_whitespace().count(), html.split_whitespace().count());
    }

    #[test]
    fn an_unbroken_run_is_cut_anywhere_but_inside_entities() {
        let html = "&lt;".repeat(100);
        for message in split(&html, 30) {
            assert!(telegram_len(&message) <= 30);
            assert_eq!(message.len() % 4, 0, "{message}");
        }
    }

    proptest::proptest! {
        #[test]
        fn every_piece_fits_and_no_text_is_lost(text in "[a-z &<>\n*_]{0,600}", limit in 100usize..300) {
            let html = markdown(&text);
            let messages = split(&html, limit);
            for message in &messages {
                proptest::prop_assert!(telegram_len(message) <= limit, "{message}");
            }
            let shown = |s: &str| plain(s).chars().filter(|c| c.is_alphanumeric() || "&<>".contains(*c)).count();
            let total: usize = messages.iter().map(|m| shown(m)).sum();
            proptest::prop_assert_eq!(total, shown(&html), "{:?}", messages);
        }
    }
}
