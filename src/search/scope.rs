//! Out-of-scope topics as retrieval reads them: their terms analysed the way questions are, whether a question
//! names a topic, and the check that a term names only its topic, for `faqbot check`. It is here rather than in
//! `faq` because naming is decided on analysed words, and the analysis is the search layer's.

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use super::tokenizer;
use crate::faq::{KnowledgeBase, OUT_OF_SCOPE_FILE, OutOfScopeTopic, Problem};
use crate::lang::is_han;

/// A topic the knowledge base does not cover, with its terms analyzed the way questions are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyzedTopic {
    pub topic: OutOfScopeTopic,
    /// The topic's terms, analyzed.
    pub analyzed: Vec<Vec<String>>,
    /// Its `unless` words, analyzed.
    pub unless: Vec<Vec<String>>,
    /// Its `with` words, analyzed: when there are any, the question must spell one of them too.
    pub with: Vec<Vec<String>>,
}

impl AnalyzedTopic {
    /// The topic with its terms and `unless` words analyzed by `analyzer` (the questions' analyzer); a term that
    /// analyses to nothing names nothing and is left out.
    pub fn new(topic: &OutOfScopeTopic, analyzer: &mut TextAnalyzer) -> Self {
        let mut analyze_all = |terms: &[String]| -> Vec<Vec<String>> {
            terms
                .iter()
                .map(|term| tokenizer::analyze(analyzer, term))
                .filter(|tokens| !tokens.is_empty())
                .collect()
        };
        Self {
            analyzed: analyze_all(&topic.terms),
            unless: analyze_all(&topic.unless),
            with: analyze_all(&topic.with),
            topic: topic.clone(),
        }
    }

    /// Whether a question (its analysed tokens) is about this topic: it spells one of the terms, one of the `with`
    /// words if the topic has any ("agency" and "charge"), and none of the `unless` words ("personal WeChat" is out
    /// of scope, "a personal official account" is not).
    pub fn is_named_by(&self, tokens: &[String]) -> bool {
        self.analyzed.iter().any(|term| spells(tokens, term))
            && self.is_completed_by(tokens)
            && !self.is_excluded_by(tokens)
    }

    /// Whether the tokens spell one of the `with` words, or the topic needs none.
    fn is_completed_by(&self, tokens: &[String]) -> bool {
        self.topic.with.is_empty() || self.with.iter().any(|word| spells(tokens, word))
    }

    /// Whether the tokens spell one of the `unless` words, which keep a question out of this topic.
    fn is_excluded_by(&self, tokens: &[String]) -> bool {
        self.unless.iter().any(|word| spells(tokens, word))
    }
}

/// The topics under the first token of each of their terms: every question is checked, and most name no topic,
/// which a lookup per token then tells without comparing the question with every term.
#[derive(Debug, Default)]
pub struct TopicIndex {
    by_first_token: FxHashMap<String, Vec<usize>>,
}

impl TopicIndex {
    pub fn new(topics: &[AnalyzedTopic]) -> Self {
        let mut by_first_token: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, topic) in topics.iter().enumerate() {
            for first in topic.analyzed.iter().filter_map(|term| term.first()) {
                let indexes = by_first_token.entry(first.clone()).or_default();
                if !indexes.contains(&i) {
                    indexes.push(i);
                }
            }
        }
        Self { by_first_token }
    }

    /// The first topic of `topics` (the ones this index was made from) that the question's tokens name.
    pub fn named_by(&self, topics: &[AnalyzedTopic], tokens: &[String]) -> Option<usize> {
        tokens
            .iter()
            .filter_map(|token| self.by_first_token.get(token))
            .flatten()
            .copied()
            .filter(|&i| topics.get(i).is_some_and(|topic| topic.is_named_by(tokens)))
            .min()
    }
}

/// Whether `tokens` contain `term`'s tokens in a row.
fn spells(tokens: &[String], term: &[String]) -> bool {
    !term.is_empty() && tokens.windows(term.len()).any(|window| window == term)
}

/// The out-of-scope terms that would catch questions faqbot answers, as warnings on faq/out-of-scope.toml: a term
/// that an entry's own phrasing spells (that question would get the pointer instead of its answer), and an English
/// term whose analysis drops words ("what to post" is read as just "post", which names far more than the topic).
pub fn check(knowledge_base: &KnowledgeBase, faq_dir: &Path) -> Vec<Problem> {
    let path = faq_dir.join(OUT_OF_SCOPE_FILE);
    let mut analyzer = tokenizer::text_analyzer();
    let mut phrasings = Vec::new();
    for entry in &knowledge_base.entries {
        for (i, question) in entry.questions.iter().enumerate() {
            let file = entry.lines.file.display();
            let place = match entry.lines.questions.get(i) {
                Some(line) => format!("{file} line {line}"),
                None => file.to_string(),
            };
            phrasings.push((&entry.id, question, place, tokenizer::analyze(&mut analyzer, question)));
        }
    }
    let mut problems = Vec::new();
    for topic in &knowledge_base.out_of_scope {
        let analyzed = AnalyzedTopic::new(topic, &mut analyzer);
        let id = &topic.id;
        for word in &topic.with {
            if tokenizer::analyze(&mut analyzer, word).is_empty() {
                problems.push(Problem::warning(
                    &path,
                    None,
                    format!("topic `{id}`: `with` word `{word}` is only common words, which are ignored, so it completes nothing: remove it or write a word that says what is asked"),
                ));
            }
        }
        for term in &topic.terms {
            let tokens = tokenizer::analyze(&mut analyzer, term);
            let loses_words = !term.chars().any(is_han)
                && tokens.len() != tokenizer::analyze(&mut tokenizer::vocab_analyzer(), term).len();
            if tokens.is_empty() {
                problems.push(Problem::warning(
                    &path,
                    None,
                    format!("topic `{id}`: term `{term}` is only common words, which are ignored, so it names nothing: remove it or write words that name the topic"),
                ));
            } else if loses_words {
                problems.push(Problem::warning(
                    &path,
                    None,
                    format!(
                        "topic `{id}`: term `{term}` is read as `{}` (common words are ignored), so it names more than the topic: write words that name only it",
                        tokens.join(" ")
                    ),
                ));
            }
            for (entry, question, place, words) in &phrasings {
                if spells(words, &tokens) && analyzed.is_completed_by(words) && !analyzed.is_excluded_by(words) {
                    problems.push(Problem::warning(
                        &path,
                        None,
                        format!(
                            "topic `{id}`: term `{term}` matches \"{question}\" of entry `{entry}` ({place}), which would get the out-of-scope reply: make the term more specific, or add a word of the phrasing to `unless`"
                        ),
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(terms: &[&str], unless: &[&str]) -> OutOfScopeTopic {
        OutOfScopeTopic {
            id: "personal-wechat".to_string(),
            name: "personal WeChat".to_string(),
            name_zh: "个人微信".to_string(),
            terms: terms.iter().map(|t| t.to_string()).collect(),
            unless: unless.iter().map(|u| u.to_string()).collect(),
            with: Vec::new(),
            pointer: "Ask WeChat's help centre.".to_string(),
            pointer_zh: "请查看微信帮助中心。".to_string(),
        }
    }

    fn entry(id: &str, questions: &[&str]) -> crate::faq::Entry {
        crate::faq::Entry {
            id: id.to_string(),
            questions: questions.iter().map(|q| q.to_string()).collect(),
            rules: Vec::new(),
            tags: Vec::new(),
            source: "s".to_string(),
            reviewed: "2026-01-01".to_string(),
            answer: "a".to_string(),
            answer_zh: None,
            lines: crate::faq::entry::EntryLines {
                file: Path::new("faq").join(format!("{id}.md")),
                questions: (0..questions.len()).map(|i| i + 3).collect(),
                rules: Vec::new(),
            },
        }
    }

    /// What `faqbot check` says of `topics` against the phrasings of `entries`, one line per problem.
    fn warnings(entries: Vec<crate::faq::Entry>, topics: Vec<OutOfScopeTopic>) -> Vec<String> {
        let knowledge_base = KnowledgeBase {
            entries,
            out_of_scope: topics,
            ..KnowledgeBase::default()
        };
        check(&knowledge_base, Path::new("faq"))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_question_names_a_topic_by_a_term_unless_it_spells_an_exception() {
        let analyzed = AnalyzedTopic::new(
            &topic(&["personal wechat"], &["official account"]),
            &mut tokenizer::text_analyzer(),
        );
        let tokens = |text: &str| tokenizer::analyze(&mut tokenizer::text_analyzer(), text);
        assert!(analyzed.is_named_by(&tokens("How do I verify my personal WeChat?")));
        assert!(!analyzed.is_named_by(&tokens("Can a personal WeChat user open an official account?")));
        assert!(
            !analyzed.is_named_by(&tokens("WeChat for personal use")),
            "the words in a row"
        );
        assert!(!analyzed.is_named_by(&[]));
    }

    #[test]
    fn a_topic_with_with_words_is_named_only_by_a_term_and_one_of_them() {
        let mut agency_prices = topic(&["agency", "service provider"], &["auditor"]);
        agency_prices.with = vec!["charge".to_string(), "price".to_string()];
        let analyzed = AnalyzedTopic::new(&agency_prices, &mut tokenizer::text_analyzer());
        let tokens = |text: &str| tokenizer::analyze(&mut tokenizer::text_analyzer(), text);
        assert!(analyzed.is_named_by(&tokens("How much does an agency charge?")));
        assert!(analyzed.is_named_by(&tokens("What price do service providers ask?")));
        assert!(
            !analyzed.is_named_by(&tokens("Can an agency register for us?")),
            "the term alone"
        );
        assert!(
            !analyzed.is_named_by(&tokens("What does verification charge?")),
            "the with word alone"
        );
        assert!(
            !analyzed.is_named_by(&tokens("Does the agency charge or the auditor?")),
            "unless still applies"
        );
    }

    #[test]
    fn with_words_are_checked_against_phrasings_and_for_common_words() {
        let mut agency_prices = topic(&["agency"], &[]);
        agency_prices.id = "agency-prices".to_string();
        agency_prices.with = vec!["charge".to_string(), "how".to_string()];
        let problems = warnings(
            vec![entry(
                "fees",
                &["Can an agency register for us?", "Does an agency charge extra?"],
            )],
            vec![agency_prices],
        );
        assert_eq!(
            problems,
            [
                "faq/out-of-scope.toml: warning: topic `agency-prices`: `with` word `how` is only common words, which are ignored, so it completes nothing: remove it or write a word that says what is asked",
                "faq/out-of-scope.toml: warning: topic `agency-prices`: term `agency` matches \"Does an agency charge extra?\" of entry `fees` (faq/fees.md line 4), which would get the out-of-scope reply: make the term more specific, or add a word of the phrasing to `unless`",
            ],
            "the phrasing without a with word is no conflict"
        );
    }

    #[test]
    fn terms_that_catch_entry_phrasings_or_lose_words_are_warned_about() {
        let problems = warnings(
            vec![entry(
                "individual-accounts",
                &[
                    "Can I register with my personal WeChat?",
                    "Can a personal WeChat own an official account?",
                ],
            )],
            vec![topic(
                &["personal wechat", "what to post", "what", "个人微信"],
                &["official account"],
            )],
        );
        assert_eq!(
            problems,
            [
                "faq/out-of-scope.toml: warning: topic `personal-wechat`: term `personal wechat` matches \"Can I register with my personal WeChat?\" of entry `individual-accounts` (faq/individual-accounts.md line 3), which would get the out-of-scope reply: make the term more specific, or add a word of the phrasing to `unless`",
                "faq/out-of-scope.toml: warning: topic `personal-wechat`: term `what to post` is read as `post` (common words are ignored), so it names more than the topic: write words that name only it",
                "faq/out-of-scope.toml: warning: topic `personal-wechat`: term `what` is only common words, which are ignored, so it names nothing: remove it or write words that name the topic",
            ]
        );
    }
}
