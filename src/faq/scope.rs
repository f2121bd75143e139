//! What faqbot does not cover (faq/out-of-scope.toml): neighbouring topics people ask about, each with the words
//! that name it and a one-line pointer, so that such a question gets "that is outside what I cover" and a pointer
//! instead of a confident guess from the nearest entry.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::front_matter::line_of;
use super::problem::{Problem, Problems, from_toml_error};

/// A neighbouring topic, or a fact the thread leaves open: when a question names one of its terms (and, if the
/// topic has `with` words, one of those too), the question is about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfScopeTopic {
    pub id: String,
    /// What the topic is called, for the reply ("WeChat Pay").
    pub name: String,
    pub name_zh: String,
    /// Words and short phrases that name the topic, English and Chinese, lower case.
    pub terms: Vec<String>,
    /// Words that, when the question also has one, mean it is not about this topic after all: "personal WeChat"
    /// is out of scope, "a personal official account" is a question faqbot answers.
    pub unless: Vec<String>,
    /// Words of which the question must also name one, for a topic that two ideas name together: "how much an
    /// agency charges" is neither every question about agencies nor every question about prices. Empty: the
    /// terms alone name the topic.
    pub with: Vec<String>,
    /// Where to look instead, one sentence.
    pub pointer: String,
    pub pointer_zh: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    topic: Vec<Spanned<RawTopic>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: String,
    name: String,
    name_zh: String,
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    with: Vec<String>,
    pointer: String,
    pointer_zh: String,
}

/// Parses out-of-scope.toml. A topic with a problem is reported and left out.
pub fn parse(path: &Path, text: &str, problems: &mut Problems) -> Vec<OutOfScopeTopic> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(from_toml_error(path, text, 1, &error));
            return Vec::new();
        }
    };
    let mut owner: HashMap<String, String> = HashMap::new();
    let mut topics: Vec<OutOfScopeTopic> = Vec::new();
    for spanned in raw.topic {
        let line = Some(line_of(text, spanned.span().start));
        let raw = spanned.into_inner();
        let mut valid = true;
        let mut complain = |line: Option<usize>, message: String| {
            problems.push(Problem::error(path, line, message));
            valid = false;
        };
        if !super::is_kebab_case(&raw.id) {
            complain(
                line,
                format!("topic id `{}` must be kebab-case (lowercase words joined by -)", raw.id),
            );
        } else if topics.iter().any(|t| t.id == raw.id) {
            complain(
                line,
                format!("topic id `{}` is used twice: give each topic its own id", raw.id),
            );
        }
        for (field, value) in [
            ("name", &raw.name),
            ("name_zh", &raw.name_zh),
            ("pointer", &raw.pointer),
            ("pointer_zh", &raw.pointer_zh),
        ] {
            if value.trim().is_empty() {
                complain(
                    line,
                    format!("topic `{}`: `{field}` is empty: write one short sentence", raw.id),
                );
            }
        }
        // Only a term that names a topic on its own belongs to one topic: a `with` topic's terms ("agency") name
        // it only together with another word, and may name other such topics with other words.
        let with = lower_case_words(&raw.with);
        let names_alone = with.is_empty();
        let mut terms = Vec::new();
        for term in &raw.terms {
            let term_line = Some(line_of(text, term.span().start));
            let normalized = term.get_ref().trim().to_lowercase();
            if normalized.is_empty() {
                complain(term_line, "an out-of-scope term is empty: remove it".to_string());
            } else if let Some(other) = owner.get(&normalized).filter(|other| names_alone && **other != raw.id) {
                complain(
                    term_line,
                    format!("term `{normalized}` already names topic `{other}`: a term belongs to one topic"),
                );
            } else if !terms.contains(&normalized) {
                terms.push(normalized);
            }
        }
        if terms.is_empty() {
            complain(
                line,
                format!("topic `{}` has no terms: list the words that name it", raw.id),
            );
        }
        if !valid {
            continue;
        }
        if names_alone {
            for term in &terms {
                owner.insert(term.clone(), raw.id.clone());
            }
        }
        topics.push(OutOfScopeTopic {
            id: raw.id,
            name: raw.name,
            name_zh: raw.name_zh,
            terms,
            unless: lower_case_words(&raw.unless),
            with,
            pointer: raw.pointer,
            pointer_zh: raw.pointer_zh,
        });
    }
    topics
}

fn lower_case_words(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|word| word.trim().to_lowercase())
        .filter(|word| !word.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "[[topic]]\nid = \"wechat-pay\"\nname = \"WeChat Pay\"\nname_zh = \"微信支付\"\nterms = [\"WeChat Pay\", \"微信支付\"]\npointer = \"See the WeChat Pay merchant platform.\"\npointer_zh = \"请参阅微信支付商户平台。\"\n";

    #[test]
    fn parses_topics_with_lower_case_terms() {
        let mut problems = Problems::default();
        let topics = parse(Path::new("faq/out-of-scope.toml"), TOPIC, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(topics.len(), 1);
        assert_eq!(topics[0].terms, vec!["wechat pay", "微信支付"]);
    }

    #[test]
    fn a_term_naming_two_topics_and_empty_fields_are_errors_with_lines() {
        let mut problems = Problems::default();
        let second = TOPIC
            .replace("wechat-pay", "pay-again")
            .replace("pointer_zh = \"请参阅微信支付商户平台。\"", "pointer_zh = \" \"");
        let text = format!("{TOPIC}\n{second}");
        let topics = parse(Path::new("faq/out-of-scope.toml"), &text, &mut problems);
        assert_eq!(topics.len(), 1, "the broken topic is left out");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            messages.iter().any(|m| m
                .starts_with("faq/out-of-scope.toml:13: error: term `wechat pay` already names topic `wechat-pay`")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("`pointer_zh` is empty")),
            "{messages:?}"
        );
    }

    #[test]
    fn with_words_are_read_and_with_topics_may_share_terms() {
        let mut problems = Problems::default();
        let text = "[[topic]]\nid = \"agency-prices\"\nname = \"what agencies charge\"\nname_zh = \"代理收费\"\nterms = [\"Agency\"]\nwith = [\"Charge\", \" \"]\npointer = \"No amount is given.\"\npointer_zh = \"没有给出金额。\"\n\n[[topic]]\nid = \"agency-waits\"\nname = \"how long agencies take\"\nname_zh = \"代理要多久\"\nterms = [\"agency\"]\nwith = [\"long\"]\npointer = \"No time is given.\"\npointer_zh = \"没有给出时间。\"\n";
        let topics = parse(Path::new("faq/out-of-scope.toml"), text, &mut problems);
        assert!(
            problems.is_empty(),
            "a term shared by two `with` topics is no conflict: {problems:?}"
        );
        assert_eq!(topics.len(), 2);
        assert_eq!(topics[0].with, vec!["charge"], "lower case, blanks dropped");
        assert_eq!(topics[1].terms, vec!["agency"]);
        let plain = TOPIC.replace("terms = [\"WeChat Pay\", \"微信支付\"]", "terms = [\"agency\"]");
        let mut problems = Problems::default();
        parse(
            Path::new("faq/out-of-scope.toml"),
            &format!("{plain}\n{text}"),
            &mut problems,
        );
        assert!(
            problems.is_empty(),
            "a plain topic's term may also be a `with` topic's: {problems:?}"
        );
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let mut problems = Problems::default();
        assert!(parse(Path::new("faq/out-of-scope.toml"), "[[topic]]\nid = \n", &mut problems).is_empty());
        assert!(
            problems
                .iter()
                .any(|p| p.to_string().starts_with("faq/out-of-scope.toml:2")),
            "{problems:?}"
        );
    }
}
