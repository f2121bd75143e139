//! The catalogue of account rules (faq/rules.toml) that every answer cites.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::front_matter::line_of;
use super::problem::{Problem, Problems, from_toml_error};
use super::{is_kebab_case, toml_date};

/// The kinds of account (and account holder) a rule can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountKind {
    Subscription,
    Service,
    Individual,
    Organization,
    International,
    Chinese,
    Verified,
}

/// One account rule, as the answers cite it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub statement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_zh: Option<String>,
    pub applies_to: Vec<AccountKind>,
    pub source: String,
    /// The date the thread gives for the rule, as YYYY-MM-DD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Line of the `id` in rules.toml, for pointing at the rule in problems.
    #[serde(skip)]
    pub line: usize,
}

impl Rule {
    /// The statement in the reply's language, falling back to English.
    pub fn statement_in(&self, chinese: bool) -> &str {
        match (&self.statement_zh, chinese) {
            (Some(zh), true) => zh,
            _ => &self.statement,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    statement: Spanned<String>,
    statement_zh: Option<Spanned<String>>,
    applies_to: Spanned<Vec<AccountKind>>,
    source: Spanned<String>,
    since: Option<Spanned<toml::value::Datetime>>,
}

/// Parses rules.toml. Rules with problems are reported and left out.
pub fn parse(path: &Path, text: &str, problems: &mut Problems) -> Vec<Rule> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(from_toml_error(path, text, 1, &error));
            return Vec::new();
        }
    };
    if raw.rule.is_empty() {
        problems.push(Problem::error(
            path,
            None,
            "no rules: add at least one [[rule]] table with id, statement, applies_to and source",
        ));
    }
    let mut seen = HashSet::new();
    let mut rules = Vec::new();
    for raw in raw.rule {
        let line = line_of(text, raw.id.span().start);
        let at = |spanned_start: usize| Some(line_of(text, spanned_start));
        let mut ok = true;
        let id = raw.id.get_ref().trim().to_string();
        if !is_kebab_case(&id) {
            problems.push(Problem::error(
                path,
                Some(line),
                format!("rule id `{id}` must be kebab-case (lowercase letters, digits and single dashes)"),
            ));
            ok = false;
        } else if !seen.insert(id.clone()) {
            problems.push(Problem::error(
                path,
                Some(line),
                format!("rule id `{id}` is used twice: give each [[rule]] its own id"),
            ));
            ok = false;
        }
        for (name, value) in [("statement", &raw.statement), ("source", &raw.source)] {
            if value.get_ref().trim().is_empty() {
                problems.push(Problem::error(
                    path,
                    at(value.span().start),
                    format!("rule `{id}` has an empty `{name}`"),
                ));
                ok = false;
            }
        }
        if let Some(zh) = &raw.statement_zh
            && zh.get_ref().trim().is_empty()
        {
            problems.push(Problem::error(
                path,
                at(zh.span().start),
                format!("rule `{id}` has an empty `statement_zh`: fill it in or remove the line"),
            ));
            ok = false;
        }
        if raw.applies_to.get_ref().is_empty() {
            problems.push(Problem::error(
                path,
                at(raw.applies_to.span().start),
                format!("rule `{id}` has an empty `applies_to`: name the account kinds it applies to"),
            ));
            ok = false;
        }
        let since = match raw.since.as_ref().map(|s| (toml_date(s.get_ref()), s.span().start)) {
            Some((Some(date), _)) => Some(date),
            Some((None, start)) => {
                problems.push(Problem::error(
                    path,
                    at(start),
                    format!("rule `{id}`: `since` must be a date like 2014-04-15 (no quotes, no time)"),
                ));
                ok = false;
                None
            }
            None => None,
        };
        if ok {
            rules.push(Rule {
                id,
                statement: raw.statement.into_inner().trim().to_string(),
                statement_zh: raw.statement_zh.map(|s| s.into_inner().trim().to_string()),
                applies_to: raw.applies_to.into_inner(),
                source: raw.source.into_inner().trim().to_string(),
                since,
                line,
            });
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (Vec<Rule>, Problems) {
        let mut problems = Problems::default();
        let rules = parse(Path::new("faq/rules.toml"), text, &mut problems);
        (rules, problems)
    }

    #[test]
    fn parses_a_rule_with_since() {
        let (rules, problems) = parse_str(
            "[[rule]]\nid = \"four-a-month\"\nstatement = \"Four.\"\napplies_to = [\"service\"]\nsource = \"Article\"\nsince = 2014-04-15\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rules[0].since.as_deref(), Some("2014-04-15"));
        assert_eq!(rules[0].applies_to, vec![AccountKind::Service]);
    }

    #[test]
    fn reports_duplicates_with_their_line() {
        let text = "[[rule]]\nid = \"a\"\nstatement = \"x\"\napplies_to = [\"service\"]\nsource = \"s\"\n\n[[rule]]\nid = \"a\"\nstatement = \"y\"\napplies_to = [\"service\"]\nsource = \"s\"\n";
        let (rules, problems) = parse_str(text);
        assert_eq!(rules.len(), 1);
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec!["faq/rules.toml:8: error: rule id `a` is used twice: give each [[rule]] its own id".to_string()]
        );
    }

    #[test]
    fn unknown_kinds_and_dates_that_are_not_dates_are_reported_on_their_line() {
        let rule = |extra: &str| {
            format!("[[rule]]\nid = \"a\"\nstatement = \"x\"\napplies_to = [\"service\"]\nsource = \"s\"\n{extra}")
        };
        let (_, problems) = parse_str(&rule("").replace("service", "martian"));
        let message = problems.iter().next().map(ToString::to_string).unwrap_or_default();
        assert!(
            message.starts_with("faq/rules.toml:4: error: invalid TOML"),
            "{message}"
        );
        assert!(message.contains("martian"), "{message}");

        let (_, problems) = parse_str(&rule("since = \"April 15th\"\n"));
        let message = problems.iter().next().map(ToString::to_string).unwrap_or_default();
        assert!(
            message.starts_with("faq/rules.toml:6: error: invalid TOML"),
            "{message}"
        );

        let (_, problems) = parse_str(&rule("since = 2014-04-15T10:00:00\n"));
        let message = problems.iter().next().map(ToString::to_string).unwrap_or_default();
        assert_eq!(
            message,
            "faq/rules.toml:6: error: rule `a`: `since` must be a date like 2014-04-15 (no quotes, no time)"
        );
    }
}
