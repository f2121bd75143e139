//! How replies look in a terminal: Markdown answers turned into plain text with a little styling, rules, source, suggestions.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use faqbot::Reply;
use faqbot::answer::Language;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const HEADING: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
pub const HIGHLIGHT: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

/// Interface text in the reply's language.
struct Texts {
    rules: &'static str,
    source: &'static str,
    declined: &'static str,
    did_you_mean: &'static str,
    related: &'static str,
    corrected: &'static str,
}

const EN: Texts = Texts {
    rules: "Rules",
    source: "Source",
    declined: "Sorry, I don't know the answer to that. I answer questions about WeChat Official Accounts: subscription and service accounts, verification, fees, international accounts and registration.",
    did_you_mean: "Did you mean:",
    related: "Related:",
    corrected: "Read as",
};

const ZH: Texts = Texts {
    rules: "规则",
    source: "来源",
    declined: "抱歉，这个问题我无法回答。我可以回答有关微信公众号的问题：订阅号与服务号、认证、费用、国际账号和注册。",
    did_you_mean: "您是不是想问：",
    related: "相关问题：",
    corrected: "已理解为",
};

fn texts(language: Language) -> &'static Texts {
    if language.is_chinese() { &ZH } else { &EN }
}

/// A whole reply, ready to print.
pub fn reply(reply: &Reply) -> String {
    let texts = texts(reply.language);
    let mut out = String::new();
    if !reply.corrections.is_empty() {
        let fixes: Vec<String> = reply
            .corrections
            .iter()
            .map(|c| format!("{} → {}", c.from, c.to))
            .collect();
        let _ = writeln!(out, "{DIM}{}: {}{DIM:#}\n", texts.corrected, fixes.join(", "));
    }
    match reply.answer() {
        Some(entry) => {
            let _ = writeln!(out, "{HEADING}{}{HEADING:#}\n", entry.question);
            let _ = writeln!(out, "{}", markdown(&entry.answer));
            let _ = writeln!(out, "{BOLD}{}{BOLD:#}", texts.rules);
            for rule in &entry.rules {
                let _ = writeln!(
                    out,
                    "  {BOLD}{}{BOLD:#}  {}",
                    rule.id,
                    rule.statement_in(reply.language.is_chinese())
                );
            }
            let _ = writeln!(out, "\n{BOLD}{}{BOLD:#}  {}", texts.source, entry.source);
            let _ = writeln!(out, "{DIM}{} · confidence {:.2}{DIM:#}", entry.id, reply.confidence);
            suggestions(&mut out, texts.related, reply);
        }
        None => {
            let _ = writeln!(out, "{}", texts.declined);
            suggestions(&mut out, texts.did_you_mean, reply);
        }
    }
    if let Some(explanation) = &reply.explanation {
        let _ = writeln!(
            out,
            "\n{BOLD}Why{BOLD:#}  confidence {:.3} (threshold {:.2}), gap to the runner-up {:.3}",
            reply.confidence, reply.threshold, explanation.gap
        );
        let concepts: Vec<String> = explanation
            .concepts
            .iter()
            .map(|c| format!("{} (weight {:.2}{})", c.concept, c.weight, synonyms(&c.alternatives)))
            .collect();
        let _ = writeln!(
            out,
            "  terms: {}",
            if concepts.is_empty() {
                "none".to_string()
            } else {
                concepts.join(", ")
            }
        );
        for candidate in &explanation.candidates {
            let _ = writeln!(
                out,
                "  {BOLD}{}{BOLD:#}  score {:.3} = question {:.3} + {} × answer {:.3}; coverage {:.3}, closest phrasing covered {:.3}",
                candidate.id,
                candidate.score,
                candidate.question_score,
                faqbot::search::query::ANSWER_WEIGHT,
                candidate.answer_score,
                candidate.coverage,
                candidate.phrasing_coverage
            );
            if let Some(question) = &candidate.matched_question {
                let _ = writeln!(out, "      best-matching question: {question}");
            }
            for field in [
                faqbot::search::MatchField::Question,
                faqbot::search::MatchField::Answer,
                faqbot::search::MatchField::Tags,
            ] {
                let matched: Vec<String> = candidate
                    .matches
                    .iter()
                    .filter(|m| m.field == field)
                    .map(|m| format!("{} {:.2}", m.concept, m.score))
                    .collect();
                if !matched.is_empty() {
                    let _ = writeln!(
                        out,
                        "      {:<9} {}",
                        format!("{field:?}").to_lowercase(),
                        matched.join(", ")
                    );
                }
            }
        }
    }
    out
}

fn synonyms(alternatives: &[String]) -> String {
    match alternatives.get(1..) {
        Some(rest) if !rest.is_empty() => format!("; also {}", rest.join(" / ")),
        _ => String::new(),
    }
}

fn suggestions(out: &mut String, heading: &str, reply: &Reply) {
    let suggestions = reply.suggestions();
    if suggestions.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{BOLD}{heading}{BOLD:#}");
    for (number, entry) in suggestions.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}  {DIM}({}){DIM:#}", number + 1, entry.question, entry.id);
    }
}

/// Markdown to terminal text: paragraphs, bullets and numbers, bold for emphasis, links with their address.
pub fn markdown(source: &str) -> String {
    let mut out = String::new();
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut link: Option<String> = None;
    for event in Parser::new(source) {
        match event {
            Event::Start(Tag::Paragraph) if lists.is_empty() => {}
            Event::End(TagEnd::Paragraph) if lists.is_empty() => out.push_str("\n\n"),
            Event::End(TagEnd::Paragraph) => {}
            Event::Start(Tag::Heading { .. }) => {
                let _ = write!(out, "{BOLD}");
            }
            Event::End(TagEnd::Heading(_)) => {
                let _ = write!(out, "{BOLD:#}\n\n");
            }
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
                let indent = "  ".repeat(lists.len().saturating_sub(1));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        let _ = write!(out, "{indent}{number}. ");
                        *number += 1;
                    }
                    _ => {
                        let _ = write!(out, "{indent}• ");
                    }
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Start(Tag::Strong | Tag::Emphasis) => {
                let _ = write!(out, "{BOLD}");
            }
            Event::End(TagEnd::Strong | TagEnd::Emphasis) => {
                let _ = write!(out, "{BOLD:#}");
            }
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.take() {
                    let _ = write!(out, " ({url})");
                }
            }
            // Raw HTML in an answer ("<none>") is text to a terminal, not markup to drop.
            Event::Text(text) | Event::Code(text) | Event::InlineHtml(text) | Event::Html(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("―――\n\n"),
            _ => {}
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    #[test]
    fn renders_paragraphs_lists_and_links() {
        let text = plain(&markdown(
            "No, it is **not** possible.\n\n- one\n- two\n\n1. first\n2. second\n\nSee [the site](https://example.com).",
        ));
        assert_eq!(
            text,
            "No, it is not possible.\n\n• one\n• two\n\n1. first\n2. second\n\nSee the site (https://example.com).\n"
        );
        assert_eq!(
            plain(&markdown("Fees & charges: <none> for a <b>start</b>.")),
            "Fees & charges: <none> for a <b>start</b>.\n"
        );
    }
}
