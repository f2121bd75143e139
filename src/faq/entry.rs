//! One Q&A entry (`faq/<id>.md`): parsing its front matter and answers, and the checks that need only that file.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::front_matter::{self, line_of};
use super::problem::{Problem, Problems, from_toml_error};
use super::{KEBAB_CASE, is_kebab_case, toml_date};
use crate::lang::Language;

/// What one Telegram message holds; a longer answer is sent in parts, and `check` warns.
pub const MESSAGE_CHARS: usize = 4096;
/// The longest answer `check` accepts: a few messages' worth.
pub const MAX_ANSWER_CHARS: usize = 4 * MESSAGE_CHARS;

/// A validated entry, as indexed and as answers show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    /// The canonical question first, then alternate phrasings, in any language.
    pub questions: Vec<String>,
    pub rules: Vec<String>,
    pub tags: Vec<String>,
    pub source: String,
    /// YYYY-MM-DD.
    pub reviewed: String,
    /// The English answer, Markdown.
    pub answer: String,
    /// The Chinese answer, Markdown, where the entry has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_zh: Option<String>,
    #[serde(skip)]
    pub lines: EntryLines,
}

/// Where the entry's file is and where things are in it, for problems found across files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryLines {
    pub file: std::path::PathBuf,
    pub questions: Vec<usize>,
    pub rules: Vec<usize>,
}

impl Entry {
    /// The canonical question in the wanted language: the first Chinese question for Chinese, else the first.
    pub fn canonical_question(&self, language: Language) -> &str {
        let first = self.questions.first().map_or("", String::as_str);
        if language.is_chinese() {
            self.questions
                .iter()
                .find(|q| crate::lang::is_chinese(q))
                .map_or(first, String::as_str)
        } else {
            self.questions
                .iter()
                .find(|q| !crate::lang::is_chinese(q))
                .map_or(first, String::as_str)
        }
    }

    /// The answer in the wanted language, falling back to English.
    pub fn answer_in(&self, language: Language) -> &str {
        match (&self.answer_zh, language) {
            (Some(zh), Language::Zh) => zh,
            _ => &self.answer,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    id: Spanned<String>,
    questions: Spanned<Vec<Spanned<String>>>,
    rules: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    source: Spanned<String>,
    reviewed: Spanned<toml::value::Datetime>,
}

/// An entry as parsed, and whether the checks on its own file passed.
#[derive(Debug)]
pub struct Parsed {
    pub entry: Entry,
    /// False when this file has errors: the entry still takes part in the checks across files, so that every
    /// problem is reported at once, but it is never indexed.
    pub is_valid: bool,
}

/// Parses and checks one entry file. `None` when its front matter cannot be read; every reason is in `problems`.
pub fn parse(path: &Path, text: &str, problems: &mut Problems) -> Option<Parsed> {
    let split = match front_matter::split(text) {
        Ok(split) => split,
        Err(error) => {
            problems.push(Problem::error(path, Some(1), error.to_string()));
            return None;
        }
    };
    let raw: RawFrontMatter = match toml::from_str(split.front_matter) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(from_toml_error(
                path,
                split.front_matter,
                split.front_matter_line,
                &error,
            ));
            return None;
        }
    };
    let line = |start: usize| Some(line_of(split.front_matter, start) + split.front_matter_line - 1);
    let before = problems.errors().count();

    let id = raw.id.get_ref().trim().to_string();
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if !is_kebab_case(&id) {
        problems.push(Problem::error(
            path,
            line(raw.id.span().start),
            format!("id `{id}` {KEBAB_CASE}"),
        ));
    } else if id != stem {
        problems.push(Problem::error(
            path,
            line(raw.id.span().start),
            format!("id `{id}` must equal the file name: rename the file to `{id}.md` or set id = \"{stem}\""),
        ));
    }

    if raw.questions.get_ref().is_empty() {
        problems.push(Problem::error(
            path,
            line(raw.questions.span().start),
            "`questions` is empty: add the canonical question first, then alternate phrasings",
        ));
    }
    let mut seen = HashSet::new();
    for question in raw.questions.get_ref() {
        let text = question.get_ref().trim();
        if text.is_empty() {
            problems.push(Problem::error(
                path,
                line(question.span().start),
                "a question is empty: remove it or write the question",
            ));
        } else if !seen.insert(normalize_question(text)) {
            problems.push(Problem::error(
                path,
                line(question.span().start),
                format!("question \"{text}\" appears twice in this entry"),
            ));
        }
    }

    if raw.rules.get_ref().is_empty() {
        problems.push(Problem::error(
            path,
            line(raw.rules.span().start),
            "`rules` is empty: cite at least one rule id from rules.toml that the answer rests on",
        ));
    }
    for rule in raw.rules.get_ref() {
        if rule.get_ref().trim().is_empty() {
            problems.push(Problem::error(path, line(rule.span().start), "a rule id is empty"));
        }
    }
    for tag in &raw.tags {
        if tag.get_ref().trim().is_empty() {
            problems.push(Problem::error(
                path,
                line(tag.span().start),
                "a tag is empty: remove it",
            ));
        }
    }
    if raw.source.get_ref().trim().is_empty() {
        problems.push(Problem::error(
            path,
            line(raw.source.span().start),
            "`source` is empty: say where in the thread the answer comes from",
        ));
    }
    let reviewed = toml_date(raw.reviewed.get_ref());
    if reviewed.is_none() {
        problems.push(Problem::error(
            path,
            line(raw.reviewed.span().start),
            "`reviewed` must be a date like 2026-11-23 (no quotes, no time)",
        ));
    }

    let answers = front_matter::split_answers(split.body);
    if answers.en.is_empty() {
        problems.push(Problem::error(
            path,
            Some(split.body_line),
            "the English answer is empty: write it in Markdown after the closing `+++`",
        ));
    }
    for (answer, line, language) in [
        (Some(answers.en), Some(split.body_line), "English"),
        (
            answers.zh,
            answers.zh_marker_line.map(|marker| split.body_line + marker - 1),
            "Chinese",
        ),
    ] {
        let Some(answer) = answer else { continue };
        let length = answer.chars().count();
        if length > MAX_ANSWER_CHARS {
            problems.push(Problem::error(
                path,
                line,
                format!(
                    "the {language} answer is {length} characters, far more than the {MAX_ANSWER_CHARS} allowed (a Telegram message holds {MESSAGE_CHARS}): shorten it or split it into entries"
                ),
            ));
        } else if length > MESSAGE_CHARS {
            problems.push(Problem::warning(
                path,
                line,
                format!(
                    "the {language} answer is {length} characters, more than one Telegram message holds ({MESSAGE_CHARS}): the bot sends it in parts"
                ),
            ));
        }
    }
    if let Some(marker) = answers.zh_marker_line {
        let marker_line = Some(split.body_line + marker - 1);
        if answers.zh_markers > 1 {
            problems.push(Problem::error(
                path,
                marker_line,
                format!(
                    "`{}` appears {} times: keep one line between the English and Chinese answers",
                    front_matter::ZH_MARKER,
                    answers.zh_markers
                ),
            ));
        }
        if answers.zh.is_some_and(str::is_empty) {
            problems.push(Problem::error(
                path,
                marker_line,
                format!(
                    "the Chinese answer after `{}` is empty: write it or remove the marker",
                    front_matter::ZH_MARKER
                ),
            ));
        }
    }

    let is_valid = problems.errors().count() == before;
    let entry = Entry {
        lines: EntryLines {
            file: path.to_path_buf(),
            questions: raw
                .questions
                .get_ref()
                .iter()
                .filter_map(|q| line(q.span().start))
                .collect(),
            rules: raw
                .rules
                .get_ref()
                .iter()
                .filter_map(|r| line(r.span().start))
                .collect(),
        },
        id,
        questions: raw
            .questions
            .into_inner()
            .into_iter()
            .map(|q| q.into_inner().trim().to_string())
            .collect(),
        rules: raw
            .rules
            .into_inner()
            .into_iter()
            .map(|r| r.into_inner().trim().to_string())
            .collect(),
        tags: raw
            .tags
            .into_iter()
            .map(|t| t.into_inner().trim().to_string())
            .collect(),
        source: raw.source.into_inner().trim().to_string(),
        reviewed: reviewed.unwrap_or_default(),
        answer: answers.en.to_string(),
        answer_zh: answers.zh.map(str::to_string),
    };
    Some(Parsed { entry, is_valid })
}

/// The form in which two questions count as the same: case, spacing and closing punctuation ignored.
pub fn normalize_question(question: &str) -> String {
    let lowered = question.to_lowercase();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches(['?', '？', '.', '。', '!', '！'])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"fees\"\nquestions = [\"What does it cost?\", \"费用是多少？\"]\nrules = [\"registration-free\"]\ntags = [\"fees\"]\nsource = \"Article\"\nreviewed = 2026-11-23\n+++\n\nRegistering is free.\n\n<!-- zh -->\n\n注册免费。\n";

    fn parse_str(name: &str, text: &str) -> (Option<Entry>, Vec<String>) {
        let mut problems = Problems::default();
        let entry = parse(Path::new(name), text, &mut problems)
            .filter(|p| p.is_valid)
            .map(|p| p.entry);
        (entry, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn parses_a_good_entry() {
        let (entry, problems) = parse_str("faq/fees.md", GOOD);
        assert!(problems.is_empty(), "{problems:?}");
        let entry = entry.expect("entry");
        assert_eq!(entry.id, "fees");
        assert_eq!(entry.reviewed, "2026-11-23");
        assert_eq!(entry.answer, "Registering is free.");
        assert_eq!(entry.answer_zh.as_deref(), Some("注册免费。"));
        assert_eq!(entry.lines.questions, vec![3, 3]);
        assert_eq!(entry.canonical_question(Language::Zh), "费用是多少？");
        assert_eq!(entry.canonical_question(Language::En), "What does it cost?");
    }

    #[test]
    fn id_must_match_the_file_name() {
        let (entry, problems) = parse_str("faq/cost.md", GOOD);
        assert!(entry.is_none());
        assert_eq!(problems, vec!["faq/cost.md:2: error: id `fees` must equal the file name: rename the file to `fees.md` or set id = \"cost\"".to_string()]);
    }

    #[test]
    fn reports_bad_toml_on_the_file_line() {
        let (_, problems) = parse_str("faq/fees.md", "+++\nid = \"fees\"\nquestions = [\n+++\nx\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("faq/fees.md:"), "{problems:?}");
        assert!(problems[0].contains("invalid TOML"), "{problems:?}");
    }

    #[test]
    fn reports_empty_fields_and_duplicates() {
        let text = GOOD
            .replace(
                "[\"What does it cost?\", \"费用是多少？\"]",
                "[\"Cost?\", \"cost\", \" \"]",
            )
            .replace("rules = [\"registration-free\"]", "rules = []")
            .replace("source = \"Article\"", "source = \"\"");
        let (entry, problems) = parse_str("faq/fees.md", &text);
        assert!(entry.is_none());
        let joined = problems.join("\n");
        assert!(
            joined.contains(":3: error: question \"cost\" appears twice"),
            "{joined}"
        );
        assert!(joined.contains(":3: error: a question is empty"), "{joined}");
        assert!(joined.contains(":4: error: `rules` is empty"), "{joined}");
        assert!(joined.contains(":6: error: `source` is empty"), "{joined}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let (_, problems) = parse_str("faq/fees.md", &GOOD.replace("tags =", "tagz ="));
        assert!(problems[0].contains("tagz"), "{problems:?}");
    }

    #[test]
    fn empty_answers_are_refused() {
        let (_, problems) = parse_str("faq/fees.md", &GOOD.replace("注册免费。", ""));
        assert!(
            problems
                .join("\n")
                .contains(":12: error: the Chinese answer after `<!-- zh -->` is empty"),
            "{problems:?}"
        );
    }

    #[test]
    fn normalizes_questions() {
        assert_eq!(normalize_question("  Can I   Switch? "), "can i switch");
        assert_eq!(normalize_question("可以吗？"), "可以吗");
    }
}
