//! The catalogue of account rules (faq/rules.toml) that every answer cites.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::front_matter::line_of;
use super::problem::{Problem, Problems, from_toml_error};
use super::{KEBAB_CASE, is_kebab_case, toml_date};
use crate::lang::Language;

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

impl AccountKind {
    pub const ALL: [Self; 7] = [
        Self::Subscription,
        Self::Service,
        Self::Individual,
        Self::Organization,
        Self::International,
        Self::Chinese,
        Self::Verified,
    ];

    /// Every kind as rules.toml spells it, for prompts, flag values and generated catalogues.
    pub const NAMES: [&'static str; 7] = {
        let mut names = [""; 7];
        let mut i = 0;
        while i < names.len() {
            names[i] = Self::ALL[i].name();
            i += 1;
        }
        names
    };

    /// As rules.toml spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Subscription => "subscription",
            Self::Service => "service",
            Self::Individual => "individual",
            Self::Organization => "organization",
            Self::International => "international",
            Self::Chinese => "chinese",
            Self::Verified => "verified",
        }
    }
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
    pub fn statement_in(&self, language: Language) -> &str {
        match (&self.statement_zh, language) {
            (Some(zh), Language::Zh) => zh,
            _ => &self.statement,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<Spanned<String>>,
    statement: Option<Spanned<String>>,
    statement_zh: Option<Spanned<String>>,
    applies_to: Option<Spanned<Vec<AccountKind>>>,
    source: Option<Spanned<String>>,
    since: Option<Spanned<toml::value::Datetime>>,
}

/// The rules of rules.toml that passed their checks, and every id the file declares (valid or not), so that
/// an entry citing a rule with a problem is not also told that the rule does not exist.
#[derive(Debug)]
pub struct ParsedRules {
    pub rules: Vec<Rule>,
    pub declared: HashSet<String>,
}

/// Parses rules.toml; `None` when it is not valid TOML. Rules with problems are reported and left out.
pub fn parse(path: &Path, text: &str, problems: &mut Problems) -> Option<ParsedRules> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(from_toml_error(path, text, 1, &error));
            return None;
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
    for table in raw.rule {
        let table_line = line_of(text, table.span().start);
        let raw = table.into_inner();
        let at = |spanned_start: usize| Some(line_of(text, spanned_start));
        let Some(raw_id) = &raw.id else {
            problems.push(Problem::error(
                path,
                Some(table_line),
                "a [[rule]] has no `id`: give it a kebab-case id",
            ));
            continue;
        };
        let line = line_of(text, raw_id.span().start);
        let id = raw_id.get_ref().trim().to_string();
        let mut ok = true;
        for (name, present) in [
            ("statement", raw.statement.is_some()),
            ("applies_to", raw.applies_to.is_some()),
            ("source", raw.source.is_some()),
        ] {
            if !present {
                problems.push(Problem::error(
                    path,
                    Some(line),
                    format!("rule `{id}` has no `{name}`: add it"),
                ));
                ok = false;
            }
        }
        if !is_kebab_case(&id) {
            problems.push(Problem::error(path, Some(line), format!("rule id `{id}` {KEBAB_CASE}")));
            ok = false;
        } else if seen.contains(&id) {
            problems.push(Problem::error(
                path,
                Some(line),
                format!("rule id `{id}` is used twice: give each [[rule]] its own id"),
            ));
            ok = false;
        }
        for (name, value) in [("statement", &raw.statement), ("source", &raw.source)] {
            if let Some(value) = value
                && value.get_ref().trim().is_empty()
            {
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
        if let Some(applies_to) = &raw.applies_to
            && applies_to.get_ref().is_empty()
        {
            problems.push(Problem::error(
                path,
                at(applies_to.span().start),
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
        let duplicate = !seen.insert(id.clone());
        if let (false, true, Some(statement), Some(applies_to), Some(source)) =
            (duplicate, ok, raw.statement, raw.applies_to, raw.source)
        {
            rules.push(Rule {
                id,
                statement: statement.into_inner().trim().to_string(),
                statement_zh: raw.statement_zh.map(|s| s.into_inner().trim().to_string()),
                applies_to: applies_to.into_inner(),
                source: source.into_inner().trim().to_string(),
                since,
                line,
            });
        }
    }
    Some(ParsedRules { rules, declared: seen })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (Vec<Rule>, Problems) {
        let mut problems = Problems::default();
        let rules = parse(Path::new("faq/rules.toml"), text, &mut problems).map_or_else(Vec::new, |p| p.rules);
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
    fn a_missing_field_is_reported_on_its_rule_and_the_id_stays_declared() {
        let mut problems = Problems::default();
        let text =
            "[[rule]]\nid = \"a\"\nstatement = \"x\"\napplies_to = [\"service\"]\n\n[[rule]]\nstatement = \"y\"\n";
        let parsed = parse(Path::new("faq/rules.toml"), text, &mut problems).expect("valid TOML");
        assert!(parsed.rules.is_empty());
        assert!(parsed.declared.contains("a"));
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "faq/rules.toml:2: error: rule `a` has no `source`: add it".to_string(),
                "faq/rules.toml:6: error: a [[rule]] has no `id`: give it a kebab-case id".to_string(),
            ]
        );
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

    #[test]
    fn account_kind_names_are_how_rules_toml_spells_them() {
        for kind in AccountKind::ALL {
            assert_eq!(
                serde_json::to_string(&kind).expect("json"),
                format!("\"{}\"", kind.name())
            );
        }
        assert_eq!(AccountKind::NAMES[1], "service");
    }
}
