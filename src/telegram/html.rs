//! Long Telegram HTML split into messages Telegram accepts, never inside a tag or an entity.
//!
//! The HTML itself is written by [`crate::present::sink::Html`]; this is what Telegram's length limit adds.

/// Telegram's limit on one message's text.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// Telegram counts a message's length in UTF-16 code units; the HTML is never shorter than the text it shows.
fn telegram_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits HTML into messages of at most `limit` (normally [`MAX_MESSAGE_LEN`]): between paragraphs where it can,
/// else between lines, else between words, else anywhere, but never inside a tag or an entity. A tag open at a
/// cut is closed at the end of one message and opened again at the start of the next. The limit must leave room
/// for the tags that can be open at once (a few dozen bytes for what [`crate::present::sink::Html`] writes).
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
    use crate::present::markdown::html as markdown;

    /// The text Telegram shows for this HTML: tags dropped, entities decoded.
    fn plain(html: &str) -> String {
        atoms(html)
            .iter()
            .filter(|atom| atom.kind == AtomKind::Text)
            .map(|atom| match atom.text {
                "&amp;" => "&",
                "&lt;" => "<",
                "&gt;" => ">",
                "&quot;" => "\"",
                text => text,
            })
            .collect()
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
