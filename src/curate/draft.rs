//! The rules of adding an entry, apart from any command line: a [`Draft`] (what the curator gave) becomes a
//! [`NewEntry`] whose [`Changes`] are validated as `faqbot check` validates faq/, or an error saying what to fix.
//!
//! The rules: questions are single lines and at least one is given; the answer is not empty; every cited rule is
//! in rules.toml or created by the draft; a new rule has a kebab-case id that is not taken and a statement; the
//! id is kebab-case and free, or made from the questions; questions that an existing entry already answers
//! confidently make it a likely duplicate ([`duplicates`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::edit::{NewRule, append_rules};
use super::entry_file::{id_from_questions, render};
use super::{Changes, CurateError, read_utf8};
use crate::faq::{Entry, KnowledgeBase, RULES_FILE, is_kebab_case};
use crate::search::IndexError;
use crate::{Ask, Engine};

/// A new entry as the curator described it, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// The id; `None` makes one from the questions.
    pub id: Option<String>,
    /// The canonical question first, then alternate phrasings.
    pub questions: Vec<String>,
    pub answer: String,
    pub answer_zh: Option<String>,
    /// Ids of rules in rules.toml.
    pub rules: Vec<String>,
    /// Rules to create in rules.toml and cite.
    pub new_rules: Vec<DraftRule>,
    /// The account kinds the new rules apply to.
    pub applies_to: Vec<String>,
    pub tags: Vec<String>,
    pub source: String,
}

/// A rule the draft creates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftRule {
    pub id: String,
    pub statement: String,
    pub statement_zh: Option<String>,
}

/// A draft that passed every rule: the entry, the rules it creates, and the writes that add them to faq/.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub entry: Entry,
    pub new_rules: Vec<NewRule>,
    pub changes: Changes,
}

/// Why a draft cannot become an entry. The messages say what to pass instead; the flags named are `faqbot add`'s.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DraftError {
    #[error("the question is empty: pass --question \"…\" with the question users ask")]
    NoQuestion,
    #[error("the question {question:?} has a line break: a question is one line; give each phrasing separately")]
    MultiLineQuestion { question: String },
    #[error("the answer is empty: pass --answer \"…\" or --answer-file PATH with the English answer")]
    EmptyAnswer,
    #[error("id `{id}` must be kebab-case (lowercase letters, digits and single dashes)")]
    BadId { id: String },
    #[error("no question has Latin letters or digits to make an id from: pass --id")]
    NoIdWords,
    #[error("new rule id `{id}` must be kebab-case (lowercase letters, digits and single dashes)")]
    BadRuleId { id: String },
    #[error("rule `{id}` already exists in {RULES_FILE}: cite it with --rule {id} instead of --new-rule")]
    RuleExists { id: String },
    #[error("the statement of new rule `{id}` is empty: say the rule in one sentence")]
    EmptyStatement { id: String },
    #[error(
        "rule `{rule}` is not in {}: cite an existing rule id, or create it with --new-rule {rule} \"statement\" --applies-to KIND",
        .rules_file.display()
    )]
    UnknownRule { rule: String, rules_file: PathBuf },
    #[error(
        "likely a duplicate of `{id}`: add the phrasing there with `faqbot add-question {id} \"…\"`, or pass --force to add a new entry anyway; nothing was written"
    )]
    LikelyDuplicate { id: String },
}

/// A question of the draft that an existing entry already answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub question: String,
    pub entry: String,
    pub confidence: f32,
}

/// The questions trimmed, blank ones left out; refused if none is left or one spans lines.
pub fn clean_questions(questions: &[String]) -> Result<Vec<String>, DraftError> {
    let mut cleaned = Vec::new();
    for question in questions {
        let question = question.trim();
        if question.contains(['\n', '\r']) {
            return Err(DraftError::MultiLineQuestion {
                question: question.to_string(),
            });
        }
        if !question.is_empty() {
            cleaned.push(question.to_string());
        }
    }
    if cleaned.is_empty() {
        return Err(DraftError::NoQuestion);
    }
    Ok(cleaned)
}

/// The questions that the engine answers (an existing entry answers them confidently), with entry and confidence.
pub fn duplicates(engine: &Engine, questions: &[String]) -> Result<Vec<Duplicate>, IndexError> {
    let mut found = Vec::new();
    for question in questions {
        let reply = engine.ask(question, Ask::default())?;
        if let Some(answer) = reply.answer() {
            found.push(Duplicate {
                question: question.clone(),
                entry: answer.id.clone(),
                confidence: reply.confidence,
            });
        }
    }
    Ok(found)
}

/// Refuses a draft whose questions an existing entry already answers (`duplicates` found some).
pub fn refuse_duplicates(found: &[Duplicate]) -> Result<(), DraftError> {
    match found.first() {
        Some(first) => Err(DraftError::LikelyDuplicate {
            id: first.entry.clone(),
        }),
        None => Ok(()),
    }
}

/// The id an entry with these questions gets in `faq`: made from the questions, numbered if taken.
pub fn suggest_id(faq: &Path, knowledge_base: &KnowledgeBase, questions: &[String]) -> Option<String> {
    let base = id_from_questions(questions)?;
    (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !id_taken(faq, knowledge_base, id))
}

fn id_taken(faq: &Path, knowledge_base: &KnowledgeBase, id: &str) -> bool {
    faq.join(format!("{id}.md")).exists() || knowledge_base.entries.iter().any(|e| e.id == id)
}

impl Draft {
    /// Checks the draft against faq/ (`knowledge_base` is faq/ as loaded now) and turns it into the entry and
    /// the writes that add it, validated as a whole: an error in faq/ after the change is a
    /// [`CurateError::Invalid`]. `reviewed` is the date the entry records.
    pub fn prepare(
        self,
        faq: &Path,
        knowledge_base: &KnowledgeBase,
        reviewed: jiff::civil::Date,
    ) -> Result<NewEntry, CurateError> {
        let questions = clean_questions(&self.questions)?;
        let answer = self.answer.trim().to_string();
        if answer.is_empty() {
            return Err(DraftError::EmptyAnswer.into());
        }
        let known: HashSet<&str> = knowledge_base.rules.iter().map(|r| r.id.as_str()).collect();
        let source = self.source.trim().to_string();
        let mut new_rules = Vec::new();
        for rule in &self.new_rules {
            let id = rule.id.trim();
            if !is_kebab_case(id) {
                return Err(DraftError::BadRuleId { id: id.to_string() }.into());
            }
            if known.contains(id) {
                return Err(DraftError::RuleExists { id: id.to_string() }.into());
            }
            if rule.statement.trim().is_empty() {
                return Err(DraftError::EmptyStatement { id: id.to_string() }.into());
            }
            new_rules.push(NewRule {
                id: id.to_string(),
                statement: rule.statement.trim().to_string(),
                statement_zh: non_empty(rule.statement_zh.as_deref()),
                applies_to: self.applies_to.clone(),
                source: source.clone(),
            });
        }
        let mut rules: Vec<String> = self.rules.iter().map(|r| r.trim().to_string()).collect();
        for rule in &new_rules {
            if !rules.contains(&rule.id) {
                rules.push(rule.id.clone());
            }
        }
        if let Some(rule) = rules
            .iter()
            .find(|rule| !known.contains(rule.as_str()) && !new_rules.iter().any(|n| &n.id == *rule))
        {
            return Err(DraftError::UnknownRule {
                rule: rule.clone(),
                rules_file: faq.join(RULES_FILE),
            }
            .into());
        }
        let id = match self.id.as_deref().map(str::trim) {
            Some(id) => {
                if !is_kebab_case(id) {
                    return Err(DraftError::BadId { id: id.to_string() }.into());
                }
                if id_taken(faq, knowledge_base, id) {
                    return Err(CurateError::IdExists {
                        id: id.to_string(),
                        path: faq.join(format!("{id}.md")),
                    });
                }
                id.to_string()
            }
            None => suggest_id(faq, knowledge_base, &questions).ok_or(DraftError::NoIdWords)?,
        };
        let entry = Entry {
            id: id.clone(),
            questions,
            rules,
            tags: self
                .tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            source,
            reviewed: reviewed.to_string(),
            answer,
            answer_zh: non_empty(self.answer_zh.as_deref()),
            lines: Default::default(),
        };
        let mut changes = Changes::new(faq);
        changes.write(&format!("{id}.md"), render(&entry));
        if !new_rules.is_empty() {
            let rules_text = read_utf8(&faq.join(RULES_FILE))?;
            changes.write(RULES_FILE, append_rules(&rules_text, &new_rules));
        }
        let preview = changes.preview()?;
        if preview.problems.has_errors() {
            return Err(CurateError::Invalid {
                faq: faq.to_path_buf(),
                problems: preview.problems,
            });
        }
        Ok(NewEntry {
            entry,
            new_rules,
            changes,
        })
    }
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/faq");

    fn fixture() -> KnowledgeBase {
        KnowledgeBase::load(Path::new(FIXTURE))
            .expect("fixture loads")
            .knowledge_base
    }

    fn date() -> jiff::civil::Date {
        jiff::civil::date(2026, 11, 23)
    }

    fn tea() -> Draft {
        Draft {
            questions: vec!["  Can I sell tea in my shop?  ".into(), String::new()],
            answer: "Yes.".into(),
            rules: vec!["registration-free".into()],
            source: "Comment 30".into(),
            ..Draft::default()
        }
    }

    fn refusal(draft: Draft) -> CurateError {
        draft
            .prepare(Path::new(FIXTURE), &fixture(), date())
            .expect_err("refused")
    }

    #[test]
    fn a_valid_draft_becomes_one_new_file_with_a_made_up_id() {
        let new = tea().prepare(Path::new(FIXTURE), &fixture(), date()).expect("valid");
        assert_eq!(new.entry.id, "can-i-sell-tea-in-my-shop");
        assert_eq!(new.entry.questions, ["Can I sell tea in my shop?"]);
        assert_eq!(new.entry.reviewed, "2026-11-23");
        let paths: Vec<_> = new.changes.paths().map(Path::to_path_buf).collect();
        assert_eq!(paths, [Path::new(FIXTURE).join("can-i-sell-tea-in-my-shop.md")]);
        assert!(new.new_rules.is_empty());
    }

    #[test]
    fn a_new_rule_is_written_to_rules_toml_with_its_chinese_statement_and_cited() {
        let draft = Draft {
            rules: Vec::new(),
            new_rules: vec![DraftRule {
                id: "tea-allowed".into(),
                statement: "Tea may be sold.".into(),
                statement_zh: Some("可以卖茶。".into()),
            }],
            applies_to: vec!["service".into()],
            ..tea()
        };
        let new = draft.prepare(Path::new(FIXTURE), &fixture(), date()).expect("valid");
        assert_eq!(new.entry.rules, ["tea-allowed"]);
        let rules = new.changes.pending(RULES_FILE).expect("rules.toml is written");
        assert!(rules.ends_with(
            "[[rule]]\nid = \"tea-allowed\"\nstatement = \"Tea may be sold.\"\nstatement_zh = \"可以卖茶。\"\napplies_to = [\"service\"]\nsource = \"Comment 30\"\n"
        ), "{rules}");
    }

    #[test]
    fn each_rule_of_adding_refuses_with_what_to_fix() {
        let cases = [
            (
                Draft {
                    questions: vec!["  ".into()],
                    ..tea()
                },
                "the question is empty",
            ),
            (
                Draft {
                    questions: vec!["Can I\nsell tea?".into()],
                    ..tea()
                },
                "has a line break",
            ),
            (
                Draft {
                    answer: " ".into(),
                    ..tea()
                },
                "the answer is empty",
            ),
            (
                Draft {
                    id: Some("Tea".into()),
                    ..tea()
                },
                "id `Tea` must be kebab-case",
            ),
            (
                Draft {
                    id: Some("account-type".into()),
                    ..tea()
                },
                "an entry with id `account-type` already exists",
            ),
            (
                Draft {
                    questions: vec!["能卖茶吗？".into()],
                    ..tea()
                },
                "pass --id",
            ),
            (
                Draft {
                    rules: vec!["no-such-rule".into()],
                    ..tea()
                },
                "rule `no-such-rule` is not in",
            ),
            (
                Draft {
                    new_rules: vec![DraftRule {
                        id: "registration-free".into(),
                        statement: "x".into(),
                        statement_zh: None,
                    }],
                    ..tea()
                },
                "already exists in rules.toml",
            ),
            (
                Draft {
                    new_rules: vec![DraftRule {
                        id: "tea".into(),
                        statement: " ".into(),
                        statement_zh: None,
                    }],
                    ..tea()
                },
                "statement of new rule `tea` is empty",
            ),
        ];
        for (draft, message) in cases {
            let error = refusal(draft).to_string();
            assert!(error.contains(message), "{error:?} should contain {message:?}");
        }
    }

    #[test]
    fn a_draft_that_breaks_faq_is_invalid_and_lists_the_problems() {
        let error = refusal(Draft {
            source: " ".into(),
            ..tea()
        });
        let CurateError::Invalid { problems, .. } = error else {
            panic!("{error:?}");
        };
        assert!(problems.has_errors());
    }

    #[test]
    fn a_duplicate_is_refused_naming_the_first_entry() {
        assert_eq!(refuse_duplicates(&[]), Ok(()));
        let found = [Duplicate {
            question: "q".into(),
            entry: "fees".into(),
            confidence: 0.9,
        }];
        assert_eq!(
            refuse_duplicates(&found),
            Err(DraftError::LikelyDuplicate { id: "fees".into() })
        );
    }
}
