//! The web page's HTML (`faqbot serve`): a [`Sink`] that writes a message as HTML safe to put inside a page.
//!
//! Everything is escaped as in Telegram's HTML; the tags are a page's own (`<strong>`, `<em>`, `<code>`, …) with a
//! class for what has none (a reply's title, an aside), and a link keeps its address only when it is `http`,
//! `https` or `mailto`, so that no entry can put a `javascript:` address in front of a reader. Line breaks stay
//! `\n`: the page shows messages with `white-space: pre-wrap`, as Telegram and a terminal show them.

use super::doc::Doc;
use super::sink::{Sink, Style, escape_html};

/// Schemes a link on the page may point at.
const SAFE_SCHEMES: &[&str] = &["http://", "https://", "mailto:"];

#[derive(Debug, Default)]
pub struct PageHtml {
    out: String,
}

impl PageHtml {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn open_tag(style: Style) -> &'static str {
        match style {
            Style::Strong => "<strong>",
            Style::Emphasis => "<em>",
            Style::Strike => "<s>",
            Style::Code => "<code>",
            Style::Pre => "<pre>",
            Style::Quote => "<blockquote>",
            Style::Heading => "<strong class=\"faqbot-heading\">",
            Style::Title => "<strong class=\"faqbot-title\">",
            Style::Note => "<em class=\"faqbot-note\">",
        }
    }

    fn close_tag(style: Style) -> &'static str {
        match style {
            Style::Strong | Style::Heading | Style::Title => "</strong>",
            Style::Emphasis | Style::Note => "</em>",
            Style::Strike => "</s>",
            Style::Code => "</code>",
            Style::Pre => "</pre>",
            Style::Quote => "</blockquote>",
        }
    }
}

fn is_safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    SAFE_SCHEMES.iter().any(|scheme| lower.starts_with(scheme))
}

impl Sink for PageHtml {
    fn text(&mut self, text: &str) {
        self.out.push_str(&escape_html(text));
    }

    fn start(&mut self, style: Style) {
        self.out.push_str(Self::open_tag(style));
    }

    fn end(&mut self, style: Style) {
        self.out.push_str(Self::close_tag(style));
    }

    fn start_link(&mut self, url: &str) {
        if is_safe_link(url) {
            self.out.push_str("<a href=\"");
            self.out.push_str(&escape_html(url));
            self.out
                .push_str("\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">");
        } else {
            self.out.push_str("<span>");
        }
    }

    fn end_link(&mut self, url: &str) {
        self.out.push_str(if is_safe_link(url) { "</a>" } else { "</span>" });
    }

    fn escape(&self, text: &str) -> String {
        escape_html(text)
    }

    fn out(&mut self) -> &mut String {
        &mut self.out
    }
}

/// A message as page HTML.
pub fn render(doc: &Doc) -> String {
    let mut sink = PageHtml::new();
    doc.render(&mut sink);
    sink.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_styles_are_page_tags() {
        let mut doc = Doc::from_markdown("It is **free** & <script>alert(1)</script>.");
        doc.text("\n").styled(Style::Note, "fees · 0.9 \"q\"");
        assert_eq!(
            render(&doc),
            "It is <strong>free</strong> &amp; &lt;script&gt;alert(1)&lt;/script&gt;.\n<em class=\"faqbot-note\">fees · 0.9 &quot;q&quot;</em>"
        );
    }

    #[test]
    fn only_web_and_mail_links_keep_their_address() {
        let doc = Doc::from_markdown("[site](https://mp.weixin.qq.com/?a=1&b=2) and [bad](javascript:alert(1))");
        let html = render(&doc);
        assert!(
            html.contains(
                "<a href=\"https://mp.weixin.qq.com/?a=1&amp;b=2\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">site</a>"
            ),
            "{html}"
        );
        assert!(html.contains("<span>bad</span>"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
    }
}
