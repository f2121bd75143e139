//! What the bot says, as a WeChat text message: plain text (WeChat shows no HTML), buttons as numbered lines, and
//! no more than WeChat's 2048 bytes for a passive text reply.
//!
//! The buttons are numbered as `faqbot chat` numbers them ([`crate::telegram::picks`]): message by message, row by
//! row, one line per row. A reply too long is cut in its text, at a line break or else between characters, never
//! in its numbered lines, and says where the whole answer is (the chat page of `faqbot serve`).

use crate::lang::Language;
use crate::present::{Doc, texts};
use crate::telegram::Outgoing;
use crate::telegram::picks::number_rows;

/// WeChat's limit for the `Content` of a passive text reply, in bytes of UTF-8.
pub const MAX_REPLY_BYTES: usize = 2048;

/// `messages` as one WeChat text, cut to [`MAX_REPLY_BYTES`] with a pointer to `page_url` when they are longer.
pub fn render(messages: &[Outgoing], language: Language, page_url: &str) -> String {
    let mut bodies = Vec::new();
    let mut choices = Vec::new();
    let mut number = 0;
    for message in messages {
        let text = message.doc.plain();
        let text = text.trim();
        if !text.is_empty() {
            bodies.push(text.to_string());
        }
        choices.extend(number_rows(message, &mut number, |n, label| format!("{n}. {label}")));
    }
    let body = bodies.join("\n\n");
    let choices = choices.join("\n");
    let pointer = {
        let mut doc = Doc::new();
        doc.filled(texts(language).wechat_more, &[("url", page_url)]);
        doc.plain()
    };
    fit(&body, &choices, &pointer)
}

/// `body` and then `choices`, in at most [`MAX_REPLY_BYTES`]; when they do not fit, the body is cut and `pointer`
/// follows it.
pub fn fit(body: &str, choices: &str, pointer: &str) -> String {
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let whole = join(&[body, choices]);
    if whole.len() <= MAX_REPLY_BYTES {
        return whole;
    }
    const ELLIPSIS: &str = "…";
    // The separators: body…, pointer and choices are joined by blank lines.
    let room = MAX_REPLY_BYTES.saturating_sub(pointer.len() + choices.len() + ELLIPSIS.len() + 4);
    let shortened = format!("{}{ELLIPSIS}", cut(body, room).trim_end());
    let reply = join(&[&shortened, pointer, choices]);
    if reply.len() <= MAX_REPLY_BYTES {
        reply
    } else {
        // Choices longer than the limit themselves: what fits, cut between characters.
        cut(&reply, MAX_REPLY_BYTES).to_string()
    }
}

/// The longest start of `text` in `room` bytes that ends at a line break, unless that loses more than half the
/// room; then the longest that ends between characters.
pub fn cut(text: &str, room: usize) -> &str {
    if text.len() <= room {
        return text;
    }
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    match head.rfind('\n') {
        Some(line_end) if line_end >= room / 2 => &text[..line_end],
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::Button;

    #[test]
    fn short_replies_are_whole_with_numbered_buttons() {
        let mut doc = Doc::new();
        doc.text("An answer.");
        let button = |label: &str| Button {
            label: label.to_string(),
            data: String::new(),
        };
        let messages = [Outgoing {
            doc,
            keyboard: vec![vec![button("👍"), button("👎")], vec![button("Related?")]],
        }];
        assert_eq!(
            render(&messages, Language::En, "https://x.example/"),
            "An answer.\n\n1. 👍   2. 👎\n3. Related?"
        );
    }

    #[test]
    fn the_cut_falls_on_a_line_or_a_character() {
        assert_eq!(cut("abc\ndef\nghi", 9), "abc\ndef");
        assert_eq!(cut("abc", 9), "abc");
        // No line break in the second half of the room: between characters, never inside one.
        assert_eq!(cut("a\n订阅号服务号", 9), "a\n订阅");
        let chinese = "订".repeat(1000);
        for room in 0..10 {
            let head = cut(&chinese, room);
            assert!(head.len() <= room && head.len().is_multiple_of(3));
        }
    }

    #[test]
    fn long_replies_keep_their_choices_and_point_to_the_page() {
        let body: String = (0..200)
            .map(|n| format!("Line {n} of a long answer 长答案\n"))
            .collect();
        let choices = "1. 👍   2. 👎\n3. What does verification cost?";
        let pointer = "The answer is too long for WeChat. Ask on the web page for all of it: https://x.example/";
        let reply = fit(&body, choices, pointer);
        assert!(reply.len() <= MAX_REPLY_BYTES, "{}", reply.len());
        assert!(reply.len() > MAX_REPLY_BYTES - 100, "{}", reply.len());
        assert!(reply.starts_with("Line 0 of"));
        assert!(reply.ends_with(&format!("…\n\n{pointer}\n\n{choices}")), "{reply}");
        // Cut at a line end: the last line before the ellipsis is whole.
        let before = reply.split('…').next().expect("text");
        assert!(before.ends_with("长答案"), "{before}");
        // Exactly the limit fits.
        let exact = "x".repeat(MAX_REPLY_BYTES);
        assert_eq!(fit(&exact, "", pointer), exact);
        assert!(fit(&format!("{exact}y"), "", pointer).len() <= MAX_REPLY_BYTES);
        // Choices too long themselves still give a reply within the limit.
        assert!(fit("a", &"9. 答".repeat(1000), pointer).len() <= MAX_REPLY_BYTES);
    }
}
