//! A reply laid out once, for every frontend: its sections (an answer with its cited rules and source, or a decline)
//! and their suggestions, with the interface texts of the reply's language.
//!
//! A [`Layout`] holds a list of [`Section`]s, each with an optional heading, so that a message asking several
//! things gets one section per part. Two renderings share it: [`Layout::message`], what the bot says (Telegram,
//! `faqbot chat`, a web page; suggestions become buttons there), and [`Layout::report`], what `faqbot ask`
//! prints for an operator (ids, confidence, numbered suggestions).

use super::doc::Doc;
use super::sink::{Sink, Style};
use super::text::{Texts, texts};
use crate::answer::{Reply, ReplyEntry, ReplyKind, Social};
use crate::lang::Language;
use crate::search::Correction;

/// A whole reply.
#[derive(Debug, Clone)]
pub struct Layout {
    pub language: Language,
    /// Words read as other words, shown before the sections.
    pub corrections: Vec<Correction>,
    pub sections: Vec<Section>,
}

/// One answered (or declined) part of a reply.
#[derive(Debug, Clone)]
pub struct Section {
    /// What this part asked, when a reply has several parts.
    pub heading: Option<String>,
    pub part: Part,
    /// The runners-up after an answer, the nearest entries after a decline.
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone)]
pub enum Part {
    Answered(Answered),
    Declined,
    /// A neighbouring topic faqbot does not cover, with where to look instead.
    OutOfScope {
        topic: String,
        pointer: String,
    },
    /// Small talk other than a greeting or "help" (which get the /start text from the frontend).
    Social(Social),
}

/// An entry shown as the answer.
#[derive(Debug, Clone)]
pub struct Answered {
    pub id: String,
    /// The entry's canonical question, in the reply's language.
    pub question: String,
    /// Markdown.
    pub answer: String,
    pub rules: Vec<CitedRule>,
    pub source: String,
    pub confidence: f32,
    pub language: Language,
}

/// A rule an answer rests on.
#[derive(Debug, Clone)]
pub struct CitedRule {
    pub id: String,
    pub statement: String,
    /// When the rule took effect, as written in rules.toml (`2014-04-15`).
    pub since: Option<String>,
}

/// An entry offered instead of, or besides, the answer.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub id: String,
    pub question: String,
}

impl Layout {
    /// A reply: one section without a heading for a single question, one section under each part's question
    /// for a message that asks several things.
    pub fn of(reply: &Reply) -> Self {
        let sections = if reply.parts.is_empty() {
            vec![Section::of(reply, None)]
        } else {
            reply
                .parts
                .iter()
                .map(|part| Section::of(part, Some(part.question.clone())))
                .collect()
        };
        let mut corrections: Vec<Correction> = Vec::new();
        for correction in reply.each_part().iter().flat_map(|part| &part.corrections) {
            if !corrections.contains(correction) {
                corrections.push(correction.clone());
            }
        }
        Self {
            language: reply.language,
            corrections,
            sections,
        }
    }

    fn texts(&self) -> &'static Texts {
        texts(self.language)
    }

    /// What the bot says: the corrections, then each section's answer, rules and source, or its decline. The
    /// suggestions are left to the frontend (buttons in Telegram); a decline without any points to /topics.
    pub fn message(&self) -> Doc {
        let texts = self.texts();
        let mut doc = Doc::new();
        if !self.corrections.is_empty() {
            doc.start(Style::Note)
                .markdown(texts.corrected)
                .text(format!(": {}", corrections(&self.corrections)))
                .end(Style::Note)
                .text("\n\n");
        }
        for (number, section) in self.sections.iter().enumerate() {
            if number > 0 {
                doc.text("\n\n");
            }
            if let Some(heading) = &section.heading {
                doc.styled(Style::Title, heading.as_str()).text("\n\n");
            }
            match &section.part {
                Part::Answered(answered) => {
                    doc.append(answered.message());
                }
                Part::Declined if section.heading.is_some() => {
                    doc.markdown(texts.part_not_answered);
                }
                Part::Declined => {
                    doc.markdown(texts.declined).text("\n\n");
                    if section.suggestions.is_empty() {
                        doc.markdown(texts.try_topics);
                    } else {
                        doc.styled_markdown(Style::Strong, texts.did_you_mean);
                    }
                }
                Part::OutOfScope { topic, pointer } => {
                    doc.markdown(&texts.out_of_scope.replace("{topic}", topic))
                        .text(" ")
                        .text(pointer.as_str());
                }
                Part::Social(social) => {
                    doc.markdown(social_text(texts, *social));
                }
            }
        }
        doc
    }

    /// What `faqbot ask` prints: the corrections, each section with its rules, source, id and confidence, and its
    /// suggestions numbered. Ends with a newline.
    pub fn report(&self, sink: &mut (impl Sink + ?Sized)) {
        let texts = self.texts();
        if !self.corrections.is_empty() {
            sink.start(Style::Note);
            sink.text(&format!("{}: {}", texts.corrected, corrections(&self.corrections)));
            sink.end(Style::Note);
            sink.text("\n\n");
        }
        for (number, section) in self.sections.iter().enumerate() {
            if number > 0 {
                sink.text("\n");
            }
            if let Some(heading) = &section.heading {
                sink.start(Style::Title);
                sink.text(heading);
                sink.end(Style::Title);
                sink.text("\n\n");
            }
            let suggestions_heading = match &section.part {
                Part::Answered(answered) => {
                    answered.report(sink);
                    texts.related
                }
                Part::Declined if section.heading.is_some() => {
                    Doc::from_markdown(texts.part_not_answered).render(sink);
                    sink.text("\n");
                    texts.did_you_mean_list
                }
                Part::Declined => {
                    Doc::from_markdown(texts.declined).render(sink);
                    sink.text("\n");
                    texts.did_you_mean_list
                }
                Part::OutOfScope { topic, pointer } => {
                    Doc::from_markdown(&texts.out_of_scope.replace("{topic}", topic)).render(sink);
                    sink.text(" ");
                    sink.text(pointer);
                    sink.text("\n");
                    texts.did_you_mean_list
                }
                Part::Social(social) => {
                    Doc::from_markdown(social_text(texts, *social)).render(sink);
                    sink.text("\n");
                    texts.did_you_mean_list
                }
            };
            if !section.suggestions.is_empty() {
                sink.text("\n");
                label(sink, suggestions_heading);
                sink.text("\n");
                for (number, suggestion) in section.suggestions.iter().enumerate() {
                    sink.text(&format!("  {}. {}  ", number + 1, suggestion.question));
                    sink.start(Style::Note);
                    sink.text(&format!("({})", suggestion.id));
                    sink.end(Style::Note);
                    sink.text("\n");
                }
            }
        }
    }
}

impl Section {
    /// The section for an engine reply, under `heading` when it is one part of several.
    pub fn of(reply: &Reply, heading: Option<String>) -> Self {
        let part = match (reply.answer(), reply.kind, &reply.out_of_scope, reply.social) {
            (Some(entry), ..) => Part::Answered(Answered {
                confidence: reply.confidence,
                ..Answered::of(entry, reply.language)
            }),
            (None, ReplyKind::OutOfScope, Some(topic), _) => Part::OutOfScope {
                topic: topic.name.clone(),
                pointer: topic.pointer.clone(),
            },
            (None, ReplyKind::Social, _, Some(social)) => Part::Social(social),
            _ => Part::Declined,
        };
        Self {
            heading,
            part,
            suggestions: reply
                .suggestions()
                .iter()
                .map(|entry| Suggestion {
                    id: entry.id.clone(),
                    question: entry.question.clone(),
                })
                .collect(),
        }
    }
}

impl Answered {
    /// An entry of a reply (or shown on its own, from a button), in `language`.
    pub fn of(entry: &ReplyEntry, language: Language) -> Self {
        Self {
            id: entry.id.clone(),
            question: entry.question.clone(),
            answer: entry.answer.clone(),
            rules: entry
                .rules
                .iter()
                .map(|rule| CitedRule {
                    id: rule.id.clone(),
                    statement: rule.statement_in(language).to_string(),
                    since: rule.since.clone(),
                })
                .collect(),
            source: entry.source.clone(),
            confidence: entry.confidence,
            language,
        }
    }

    /// The question, the answer, then the citation.
    pub fn message(&self) -> Doc {
        let mut doc = self.body();
        doc.text("\n\n").append(self.citation());
        doc
    }

    /// The question and its answer.
    pub fn body(&self) -> Doc {
        let mut doc = Doc::new();
        doc.styled(Style::Strong, self.question.as_str())
            .text("\n\n")
            .markdown(&self.answer);
        doc
    }

    /// The rules the answer cites, each with its date where it has one, and the source.
    pub fn citation(&self) -> Doc {
        let texts = texts(self.language);
        let mut doc = Doc::new();
        if !self.rules.is_empty() {
            doc.styled_markdown(Style::Strong, texts.rules);
            for rule in &self.rules {
                doc.text("\n• ")
                    .styled(Style::Strong, rule.id.as_str())
                    .text(format!(" – {}", rule.statement));
                if let Some(since) = rule.dated(texts) {
                    doc.text(format!(" {since}"));
                }
            }
            doc.text("\n\n");
        }
        doc.start(Style::Strong)
            .markdown(texts.source)
            .text(":")
            .end(Style::Strong)
            .text(format!(" {}", self.source));
        doc
    }

    fn report(&self, sink: &mut (impl Sink + ?Sized)) {
        let texts = texts(self.language);
        sink.start(Style::Title);
        sink.text(&self.question);
        sink.end(Style::Title);
        sink.text("\n\n");
        Doc::from_markdown(&self.answer).render(sink);
        sink.text("\n\n");
        label(sink, texts.rules);
        sink.text("\n");
        for rule in &self.rules {
            sink.text("  ");
            sink.start(Style::Strong);
            sink.text(&rule.id);
            sink.end(Style::Strong);
            sink.text(&format!("  {}", rule.statement));
            if let Some(since) = rule.dated(texts) {
                sink.text(&format!(" {since}"));
            }
            sink.text("\n");
        }
        sink.text("\n");
        label(sink, texts.source);
        sink.text(&format!("  {}\n", self.source));
        sink.start(Style::Note);
        sink.text(&format!("{} · {} {:.2}", self.id, texts.confidence, self.confidence));
        sink.end(Style::Note);
        sink.text("\n");
    }
}

impl CitedRule {
    /// "(since April 2014)", for a rule with a date: answers speak of "the change on April 15th" without a year.
    pub fn dated(&self, texts: &Texts) -> Option<String> {
        let since = self.since.as_deref()?;
        Some(texts.rule_since.replace("{date}", &texts.month_and_year(since)))
    }
}

/// "swich → switch, verfy → verify".
fn corrections(corrections: &[Correction]) -> String {
    corrections
        .iter()
        .map(|c| format!("{} → {}", c.from, c.to))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An interface text as a bold label.
/// What the bot says to small talk. A greeting and "help" get the /start text, which has buttons, from the frontend;
/// where there is none (`faqbot ask`), the greeting text.
pub fn social_text(texts: &Texts, social: Social) -> &'static str {
    match social {
        Social::Greeting | Social::Help => texts.greeting,
        Social::Thanks => texts.social_thanks,
        Social::Farewell => texts.social_farewell,
        Social::Acknowledgement => texts.social_acknowledgement,
    }
}

fn label(sink: &mut (impl Sink + ?Sized), text: &str) {
    sink.start(Style::Strong);
    Doc::from_markdown(text).render(sink);
    sink.end(Style::Strong);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::faq::{AccountKind, Rule};
    use crate::present::sink::{Plain, check_telegram_html};
    use crate::present::text;

    fn entry(id: &str, since: Option<&str>) -> ReplyEntry {
        ReplyEntry {
            id: id.to_string(),
            score: 1.0,
            confidence: 0.9,
            question: format!("What about {id} & <co>?"),
            answer: "It is **free** & <easy>.\n\n- one\n- two".to_string(),
            rules: vec![Arc::new(Rule {
                id: "quota".to_string(),
                statement: "Four broadcasts a month.".to_string(),
                statement_zh: Some("每月四次群发。".to_string()),
                applies_to: vec![AccountKind::Service],
                source: "Article".to_string(),
                since: since.map(str::to_string),
                line: 1,
            })],
            source: "Comment 3 <Ann>".to_string(),
            tags: Vec::new(),
            reviewed: "2024-01-01".to_string(),
        }
    }

    fn reply(answered: bool, language: Language) -> Reply {
        Reply {
            question: "q".to_string(),
            language,
            answered,
            confidence: 0.75,
            threshold: 0.5,
            corrections: vec![Correction {
                from: "fre".to_string(),
                to: "free".to_string(),
            }],
            results: vec![entry("fees", Some("2014-04-15")), entry("verification", None)],
            kind: if answered {
                ReplyKind::Answered
            } else {
                ReplyKind::Declined
            },
            out_of_scope: None,
            social: None,
            parts: Vec::new(),
            explanation: None,
        }
    }

    #[test]
    fn an_answer_shows_its_rules_with_their_dates_and_its_source() {
        let html = Layout::of(&reply(true, Language::En)).message().html();
        assert_eq!(
            html,
            "<i>Read as: fre → free</i>\n\n<b>What about fees &amp; &lt;co&gt;?</b>\n\nIt is <b>free</b> &amp; &lt;easy&gt;.\n\n• one\n• two\n\n<b>Rules</b>\n• <b>quota</b> – Four broadcasts a month. (since April 2014)\n\n<b>Source:</b> Comment 3 &lt;Ann&gt;"
        );
        let zh = Layout::of(&reply(true, Language::Zh)).message().html();
        assert!(zh.contains("• <b>quota</b> – 每月四次群发。 （2014年4月起）"), "{zh}");
    }

    #[test]
    fn a_decline_points_to_the_suggestions_or_to_topics() {
        let mut declined = reply(false, Language::En);
        declined.corrections.clear();
        let layout = Layout::of(&declined);
        assert_eq!(
            layout.message().html(),
            format!("{}\n\n<b>Did you mean…</b>", text::EN.declined)
        );
        assert_eq!(layout.sections[0].suggestions.len(), 2);
        declined.results.clear();
        assert_eq!(
            Layout::of(&declined).message().html(),
            format!("{}\n\n{}", text::EN.declined, text::EN.try_topics)
        );
    }

    #[test]
    fn the_report_numbers_the_suggestions_and_ends_its_line() {
        let mut sink = Plain::new();
        Layout::of(&reply(true, Language::En)).report(&mut sink);
        assert_eq!(
            sink.finish(),
            "Read as: fre → free\n\nWhat about fees & <co>?\n\nIt is free & <easy>.\n\n• one\n• two\n\nRules\n  quota  Four broadcasts a month. (since April 2014)\n\nSource  Comment 3 <Ann>\nfees · confidence 0.75\n\nRelated:\n  1. What about verification & <co>?  (verification)\n"
        );
    }

    /// A reply to a message that asks two things: one section each, under the part's question.
    #[test]
    fn several_parts_are_sections_under_their_questions() {
        let layout = Layout {
            language: Language::En,
            corrections: Vec::new(),
            sections: vec![
                Section::of(&reply(true, Language::En), Some("Is it free?".to_string())),
                Section::of(&reply(false, Language::En), Some("Can I <switch>?".to_string())),
            ],
        };
        let html = layout.message().html();
        check_telegram_html(&html).expect("valid Telegram HTML");
        assert!(html.starts_with("<b>Is it free?</b>\n\n<b>What about fees"), "{html}");
        assert!(
            html.ends_with(&format!(
                "<b>Can I &lt;switch&gt;?</b>\n\n{}",
                text::EN.part_not_answered
            )),
            "{html}"
        );
        let mut sink = Plain::new();
        layout.report(&mut sink);
        let report = sink.finish();
        assert!(
            report.contains(&format!("\nCan I <switch>?\n\n{}", text::EN.part_not_answered)),
            "{report}"
        );
        assert!(report.contains("Did you mean:\n  1. What about fees"), "{report}");
    }
}
