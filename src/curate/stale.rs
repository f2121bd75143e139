//! Entries that need a second look: reviewed too long ago, or citing a rule that changed after their review.

use serde::Serialize;

use crate::faq::KnowledgeBase;

/// Why an entry is stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum StaleReason {
    /// Its `reviewed` date is more than the allowed number of days ago.
    Old { days: i64 },
    /// It cites a rule whose `since` date is after the entry's `reviewed` date.
    RuleChanged { rule: String, since: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleEntry {
    pub id: String,
    pub reviewed: String,
    pub reasons: Vec<StaleReason>,
}

/// The stale entries of `knowledge_base` as of `today`, in id order. An entry is old when more than
/// `max_days` days have passed since its review.
pub fn find(knowledge_base: &KnowledgeBase, today: jiff::civil::Date, max_days: i64) -> Vec<StaleEntry> {
    let mut stale = Vec::new();
    for entry in &knowledge_base.entries {
        // The loader only keeps entries whose date parsed, so a failure here means nothing to report.
        let Ok(reviewed) = entry.reviewed.parse::<jiff::civil::Date>() else {
            continue;
        };
        let mut reasons = Vec::new();
        let days = today.duration_since(reviewed).as_secs() / 86_400;
        if days > max_days {
            reasons.push(StaleReason::Old { days });
        }
        for rule_id in &entry.rules {
            let Some(rule) = knowledge_base.rules.iter().find(|rule| &rule.id == rule_id) else {
                continue;
            };
            if let Some(since) = &rule.since
                && since.parse::<jiff::civil::Date>().is_ok_and(|since| since > reviewed)
            {
                reasons.push(StaleReason::RuleChanged {
                    rule: rule.id.clone(),
                    since: since.clone(),
                });
            }
        }
        if !reasons.is_empty() {
            stale.push(StaleEntry {
                id: entry.id.clone(),
                reviewed: entry.reviewed.clone(),
                reasons,
            });
        }
    }
    stale.sort_by(|a, b| a.id.cmp(&b.id));
    stale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::{Entry, Rule};

    fn entry(id: &str, reviewed: &str, rules: &[&str]) -> Entry {
        Entry {
            id: id.into(),
            questions: vec!["q".into()],
            rules: rules.iter().map(|r| r.to_string()).collect(),
            tags: vec![],
            source: "s".into(),
            reviewed: reviewed.into(),
            answer: "a".into(),
            answer_zh: None,
            lines: Default::default(),
        }
    }

    fn rule(id: &str, since: Option<&str>) -> Rule {
        Rule {
            id: id.into(),
            statement: "s".into(),
            statement_zh: None,
            applies_to: vec![],
            source: "s".into(),
            since: since.map(str::to_string),
            line: 1,
        }
    }

    #[test]
    fn finds_old_entries_and_entries_older_than_their_rules() {
        let knowledge_base = KnowledgeBase {
            entries: vec![
                entry("fresh", "2026-11-01", &["steady"]),
                entry("old", "2025-01-01", &["steady"]),
                entry("outdated", "2026-06-01", &["changed", "steady"]),
                entry("exactly-a-year", "2025-11-23", &["steady"]),
            ],
            rules: vec![rule("steady", Some("2014-04-15")), rule("changed", Some("2026-07-01"))],
            synonyms: vec![],
            out_of_scope: vec![],
        };
        let today = jiff::civil::date(2026, 11, 23);
        let stale = find(&knowledge_base, today, 365);
        assert_eq!(
            stale,
            vec![
                StaleEntry {
                    id: "old".into(),
                    reviewed: "2025-01-01".into(),
                    reasons: vec![StaleReason::Old { days: 691 }],
                },
                StaleEntry {
                    id: "outdated".into(),
                    reviewed: "2026-06-01".into(),
                    reasons: vec![StaleReason::RuleChanged {
                        rule: "changed".into(),
                        since: "2026-07-01".into(),
                    }],
                },
            ]
        );
        assert_eq!(find(&knowledge_base, today, 30).len(), 3);
    }
}
