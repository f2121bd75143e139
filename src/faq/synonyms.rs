//! Synonym groups (faq/synonyms.toml): interchangeable terms across English and Chinese, expanded at query time.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::front_matter::line_of;
use super::problem::{Problem, Problems, from_toml_error};

/// One group of interchangeable terms, each a word or a short phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymGroup {
    pub terms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    terms: Spanned<Vec<Spanned<String>>>,
}

/// Parses synonyms.toml. A group with a problem is reported and left out.
pub fn parse(path: &Path, text: &str, problems: &mut Problems) -> Vec<SynonymGroup> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(from_toml_error(path, text, 1, &error));
            return Vec::new();
        }
    };
    let mut owner: HashMap<String, usize> = HashMap::new();
    let mut groups = Vec::new();
    for raw in raw.group {
        let group_line = line_of(text, raw.terms.span().start);
        let mut terms: Vec<String> = Vec::new();
        let mut repeated: Vec<String> = Vec::new();
        for term in raw.terms.get_ref() {
            let line = Some(line_of(text, term.span().start));
            let normalized = term.get_ref().trim().to_lowercase();
            if normalized.is_empty() {
                problems.push(Problem::error(path, line, "a synonym term is empty: remove it"));
            } else if let Some(other) = owner.get(&normalized) {
                problems.push(Problem::error(
                    path,
                    line,
                    format!("term `{normalized}` is already in the group on line {other}: a term belongs to one group; merge the groups"),
                ));
            } else if !terms.contains(&normalized) {
                terms.push(normalized);
            } else if !repeated.contains(&normalized) {
                repeated.push(normalized);
            }
        }
        if terms.len() < 2 {
            let message = if repeated.is_empty() {
                "a synonym group needs at least two terms".to_string()
            } else {
                let listed: Vec<String> = repeated.iter().map(|term| format!("`{term}`")).collect();
                format!(
                    "a synonym group needs at least two different terms, and this one repeats {} (terms are compared ignoring case): add a synonym or remove the group",
                    listed.join(", ")
                )
            };
            problems.push(Problem::error(path, Some(group_line), message));
            continue;
        }
        // Only accepted groups own their terms, so later messages never point at a group that was left out.
        for term in &terms {
            owner.insert(term.clone(), group_line);
        }
        groups.push(SynonymGroup { terms });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_and_rejects_shared_terms() {
        let mut problems = Problems::default();
        let text = "[[group]]\nterms = [\"Switch\", \"convert\"]\n\n[[group]]\nterms = [\"switch\", \"change\", \"upgrade\"]\n\n[[group]]\nterms = [\"alone\"]\n";
        let groups = parse(Path::new("faq/synonyms.toml"), text, &mut problems);
        assert_eq!(
            groups,
            vec![
                SynonymGroup {
                    terms: vec!["switch".into(), "convert".into()]
                },
                SynonymGroup {
                    terms: vec!["change".into(), "upgrade".into()]
                }
            ]
        );
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("faq/synonyms.toml:5: error: term `switch` is already in the group on line 2"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("faq/synonyms.toml:8: error: a synonym group needs at least two terms"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_group_of_one_term_repeated_names_the_repeated_term() {
        let mut problems = Problems::default();
        let text = "[[group]]\nterms = [\"Fee\", \"fee\", \"FEE\"]\n";
        assert!(parse(Path::new("faq/synonyms.toml"), text, &mut problems).is_empty());
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "faq/synonyms.toml:2: error: a synonym group needs at least two different terms, and this one repeats `fee` (terms are compared ignoring case): add a synonym or remove the group"
            ]
        );
    }
}
