//! How faqbot says things, for every frontend: the interface texts, Markdown, and replies laid out once and
//! rendered through one sink per output format.
//!
//! - [`text`]: every interface sentence, English and Chinese, in one table.
//! - [`markdown`]: the one Markdown walker, writing into a [`Sink`].
//! - [`sink`]: the output formats: Telegram HTML, terminal ANSI, plain text; [`page`]: HTML for a web page.
//! - [`doc`]: a message before it has a format, as the conversation core builds it.
//! - [`layout`]: a reply's sections (answer, cited rules, source, suggestions) built once from the engine's reply.
//! - [`listing`]: an entry as a catalogue line, for `faqbot list --json` and the web API.
//!
//! The Telegram bot, `faqbot chat`, `faqbot ask` and the web channel only choose a sink.

pub mod doc;
pub mod layout;
pub mod listing;
pub mod markdown;
pub mod page;
pub mod sink;
pub mod text;

pub use doc::Doc;
pub use layout::{Answered, Layout, Section};
pub use sink::{Ansi, Html, Plain, Sink, Style};
pub use text::{Texts, texts};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    /// Every interface text, through every sink: Telegram must accept the HTML, and no sink may lose a character.
    #[test]
    fn every_text_renders_through_every_sink() {
        for texts in text::ALL {
            for (name, source) in texts.entries() {
                let doc = Doc::from_markdown(source);
                let html = doc.html();
                if let Err(problem) = sink::check_telegram_html(&html) {
                    panic!("{name}: {problem}");
                }
                let plain = doc.plain();
                let ansi = anstream::adapter::strip_str(&doc.ansi()).to_string();
                assert_eq!(plain, ansi, "{name}");
                let letters = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
                assert_eq!(letters(&plain), letters(&source.replace("**", "")), "{name}");
                assert!(!plain.contains('*'), "{name}: Markdown left in {plain:?}");
            }
        }
    }

    #[test]
    fn button_labels_and_notices_are_plain_text() {
        for texts in text::ALL {
            for text in [
                texts.vote_up,
                texts.vote_down,
                texts.thanks_up,
                texts.thanks_down,
                texts.stale_button,
            ] {
                assert_eq!(Doc::from_markdown(text).plain(), text);
                assert_eq!(Doc::from_markdown(text).html(), text);
            }
        }
    }

    #[test]
    fn the_greeting_is_bold_where_the_sink_can_be() {
        let doc = Doc::from_markdown(texts(Language::En).greeting);
        assert!(
            doc.html()
                .starts_with("Hello! I answer questions about <b>WeChat Official Accounts</b>: ")
        );
        assert!(doc.html().contains(".\n\nAsk in your own words"));
        let zh = Doc::from_markdown(texts(Language::Zh).greeting).html();
        assert!(zh.contains("有关<b>微信公众号</b>的问题"), "{zh}");
    }
}
