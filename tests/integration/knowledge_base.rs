//! The shipped faq/: the canonical entries exist, each well covered in English and Chinese, every rule cited.

use faqbot::faq::KnowledgeBase;

use crate::util::{CANONICAL_IDS, SHIPPED_FAQ, has_han};

#[test]
fn canonical_entries_have_enough_questions_in_both_languages_and_a_chinese_answer() {
    let loaded = KnowledgeBase::load(std::path::Path::new(SHIPPED_FAQ)).expect("faq");
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    for id in CANONICAL_IDS {
        let entry = loaded
            .knowledge_base
            .entries
            .iter()
            .find(|e| e.id == *id)
            .unwrap_or_else(|| panic!("missing canonical entry {id}"));
        let chinese = entry.questions.iter().filter(|q| has_han(q)).count();
        let english = entry.questions.len() - chinese;
        assert!(
            english >= 6 && chinese >= 3,
            "{id}: {english} English and {chinese} Chinese questions"
        );
        assert!(
            entry.answer_zh.as_deref().is_some_and(has_han),
            "{id} has no Chinese answer"
        );
        assert!(!entry.rules.is_empty(), "{id} cites no rule");
    }
}

#[test]
fn the_broadcast_quota_rule_is_dated() {
    let loaded = KnowledgeBase::load(std::path::Path::new(SHIPPED_FAQ)).expect("faq");
    let dated: Vec<_> = loaded
        .knowledge_base
        .rules
        .iter()
        .filter(|r| r.since.is_some())
        .collect();
    assert!(
        dated
            .iter()
            .any(|r| r.since.as_deref().is_some_and(|d| d.ends_with("-04-15")) && r.statement.contains("four")),
        "{dated:?}"
    );
}

/// An out-of-scope term must name only its topic (`faqbot check` warns otherwise): one whose analysis drops words
/// ("what to post" is just "post") or that an entry's own phrasing spells would send in-scope questions to the
/// pointer.
#[test]
fn out_of_scope_terms_keep_their_words_and_match_no_entry_phrasing() {
    let faq = std::path::Path::new(SHIPPED_FAQ);
    let loaded = KnowledgeBase::load(faq).expect("faq");
    assert!(
        loaded.knowledge_base.out_of_scope.len() >= 10,
        "the neighbouring topics are listed"
    );
    let problems: Vec<String> = faqbot::search::scope::check(&loaded.knowledge_base, faq)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}
