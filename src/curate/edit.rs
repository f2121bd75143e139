//! Edits that keep a file's own formatting and comments: a new phrasing in an entry's `questions` (through toml_edit) and a new `[[rule]]` at the end of rules.toml.

use std::fmt::Write;
use std::path::Path;

use toml_edit::{DocumentMut, Value};

use super::CurateError;
use super::entry_file::{inline_array, toml_string};
use crate::faq::front_matter;

/// `text` (an entry file) with `questions` appended to its `questions` array, touching nothing else. A
/// multi-line array gets each new question on its own line, indented like the last one.
pub fn add_questions(path: &Path, text: &str, questions: &[String]) -> Result<String, CurateError> {
    let malformed = |message: String| CurateError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    let split = front_matter::split(text).map_err(|error| malformed(error.to_string()))?;
    let start = split.front_matter.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.front_matter.len();
    let mut document: DocumentMut = split.front_matter.parse().map_err(|error: toml_edit::TomlError| {
        malformed(format!(
            "invalid TOML front matter ({}): fix it (see `faqbot check`)",
            error.message().trim_end()
        ))
    })?;
    let array = document
        .get_mut("questions")
        .and_then(|item| item.as_array_mut())
        .ok_or_else(|| malformed("the front matter has no `questions = [...]` array".to_string()))?;
    let last_prefix = array
        .iter()
        .last()
        .and_then(|value| value.decor().prefix())
        .and_then(|prefix| prefix.as_str())
        .map(str::to_string);
    let multi_line = last_prefix.as_deref().is_some_and(|prefix| prefix.contains('\n'));
    // The prefix may hold a comment that belongs to the line before; only the indentation is copied.
    let indent = last_prefix
        .as_deref()
        .and_then(|prefix| prefix.rsplit('\n').next())
        .unwrap_or_default();
    for question in questions {
        let mut value: Value = toml_string(question)
            .parse()
            .map_err(|_| malformed(format!("cannot write the question {question:?} as TOML")))?;
        if multi_line {
            value.decor_mut().set_prefix(format!("\n{indent}"));
            value.decor_mut().set_suffix("");
            array.push_formatted(value);
        } else {
            array.push(value);
        }
    }
    if !multi_line {
        array.fmt();
    }
    let mut edited = document.to_string();
    // toml_edit writes `\n`; a CRLF file stays CRLF throughout.
    if split.front_matter.contains("\r\n") {
        edited = edited.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    Ok(format!("{}{edited}{}", &text[..start], &text[end..]))
}

/// A new rule for rules.toml, as `--new-rule` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRule {
    pub id: String,
    pub statement: String,
    pub statement_zh: Option<String>,
    pub applies_to: Vec<String>,
    pub source: String,
}

/// `text` (rules.toml) with `rules` appended as `[[rule]]` tables after a blank line, the rest untouched.
pub fn append_rules(text: &str, rules: &[NewRule]) -> String {
    let mut out = text.to_string();
    for rule in rules {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        let _ = writeln!(out, "[[rule]]");
        let _ = writeln!(out, "id = {}", toml_string(&rule.id));
        let _ = writeln!(out, "statement = {}", toml_string(&rule.statement));
        if let Some(zh) = &rule.statement_zh {
            let _ = writeln!(out, "statement_zh = {}", toml_string(zh));
        }
        let _ = writeln!(out, "applies_to = {}", inline_array(&rule.applies_to));
        let _ = writeln!(out, "source = {}", toml_string(&rule.source));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "+++\nid = \"fees\" # the id\nquestions = [\n  \"What does it cost?\", # canonical\n  \"费用是多少？\",\n]\nrules = [\"registration-free\"]\nsource = \"Article\"\nreviewed = 2026-11-23\n+++\n\nFree.\n";

    #[test]
    fn appends_to_a_multi_line_array_keeping_comments() {
        let edited = add_questions(
            Path::new("fees.md"),
            ENTRY,
            &["Is it \"free\"?".into(), "免费吗".into()],
        )
        .expect("edited");
        assert_eq!(
            edited,
            ENTRY.replace(
                "  \"费用是多少？\",\n]",
                "  \"费用是多少？\",\n  \"Is it \\\"free\\\"?\",\n  \"免费吗\",\n]"
            )
        );
    }

    #[test]
    fn appends_to_an_inline_array() {
        let text = "+++\nid = \"a\"\nquestions = [\"One?\"]\nrules = [\"r\"]\n+++\nA.\n";
        let edited = add_questions(Path::new("a.md"), text, &["Two?".into()]).expect("edited");
        assert_eq!(edited, text.replace("[\"One?\"]", "[\"One?\", \"Two?\"]"));
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let text = ENTRY.replace('\n', "\r\n");
        let edited = add_questions(Path::new("fees.md"), &text, &["New?".into()]).expect("edited");
        assert_eq!(
            edited,
            text.replace("  \"费用是多少？\",\r\n]", "  \"费用是多少？\",\r\n  \"New?\",\r\n]")
        );
    }

    #[test]
    fn refuses_a_file_without_front_matter() {
        let error = add_questions(Path::new("a.md"), "no front matter", &["q".into()]);
        assert!(matches!(error, Err(CurateError::Malformed { .. })), "{error:?}");
    }

    #[test]
    fn appends_rules_after_a_blank_line() {
        let rule = NewRule {
            id: "new-rule".into(),
            statement: "A statement.".into(),
            statement_zh: None,
            applies_to: vec!["service".into()],
            source: "Comment 3".into(),
        };
        let text = "# catalogue\n[[rule]]\nid = \"a\"\n";
        assert_eq!(
            append_rules(text, std::slice::from_ref(&rule)),
            "# catalogue\n[[rule]]\nid = \"a\"\n\n[[rule]]\nid = \"new-rule\"\nstatement = \"A statement.\"\napplies_to = [\"service\"]\nsource = \"Comment 3\"\n"
        );
    }
}
