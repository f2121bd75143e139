//! The evaluation set: its shape, and the answer quality it measures, which must stay above the minimums.

use std::collections::HashMap;

use faqbot::eval::read_cases;
use faqbot::faq::KnowledgeBase;
use faqbot::faq::entry::normalize_question;

use crate::util::{
    CANONICAL_IDS, DEV_SET, EVAL_SET, HOLDOUT_SET, SHIPPED_FAQ, TEST_SET, Workspace, assert_contains,
    assert_starts_with, has_han,
};

#[test]
fn the_set_is_large_varied_and_not_copied_from_faq() {
    let cases = read_cases(std::path::Path::new(EVAL_SET)).expect("evaluation set");
    assert!(cases.len() >= 120, "{} questions", cases.len());
    let out_of_domain = cases.iter().filter(|c| c.expect.is_empty()).count();
    assert!(out_of_domain >= 25, "{out_of_domain} out-of-domain questions");
    let mut per_entry: HashMap<&str, usize> = HashMap::new();
    for case in &cases {
        for id in &case.expect {
            *per_entry.entry(id.as_str()).or_default() += 1;
        }
    }
    for id in CANONICAL_IDS {
        assert!(
            per_entry.get(id).copied().unwrap_or(0) >= 6,
            "{id}: {:?}",
            per_entry.get(id)
        );
    }
    assert!(
        cases.iter().filter(|c| has_han(&c.q)).count() >= 28,
        "Chinese questions"
    );

    let knowledge_base = KnowledgeBase::load(std::path::Path::new(SHIPPED_FAQ))
        .expect("faq")
        .knowledge_base;
    let known: HashMap<String, &str> = knowledge_base
        .entries
        .iter()
        .flat_map(|e| e.questions.iter().map(move |q| (normalize_question(q), e.id.as_str())))
        .collect();
    for case in &cases {
        assert!(
            !known.contains_key(&normalize_question(&case.q)),
            "line {} is a question of {}: {}",
            case.line,
            known[&normalize_question(&case.q)],
            case.q
        );
        for id in &case.expect {
            assert!(
                knowledge_base.entries.iter().any(|e| &e.id == id),
                "line {}: no entry {id}",
                case.line
            );
        }
    }
}

/// The regression set (the first, hand-written one) and the development set the calibration is fitted on: the
/// figures measured when the shipped calibration was fitted, a little below, so that a change that makes answers
/// worse fails here, and a one-message slip does not. The sealed test and holdout sets are never scored by the
/// tests: they are run by hand, to report.
#[test]
fn answer_quality_stays_above_the_minimums() {
    let workspace = Workspace::shipped();
    // The regression set has no multi-part lines: its completeness is 1 by definition.
    for (set, accuracy, decline, precision, multipart) in [
        (EVAL_SET, "0.95", "0.99", "0.97", "1.0"),
        (DEV_SET, "0.92", "0.97", "0.93", "0.79"),
    ] {
        let output = workspace.run(&[
            "eval",
            set,
            "--min-accuracy",
            accuracy,
            "--min-decline",
            decline,
            "--min-precision",
            precision,
            "--min-multipart",
            multipart,
        ]);
        assert_eq!(output.code, 0, "{set}\n{}\n{}", output.stdout, output.stderr);
        assert_contains(&output.stdout, "top-1 accuracy");
    }
}

/// The blind sets: large enough, a quarter or more to decline, every class present, no question in two of them.
#[test]
fn the_dev_and_sealed_sets_are_large_classed_and_disjoint() {
    let dev = read_cases(std::path::Path::new(DEV_SET)).expect("dev set");
    let test = read_cases(std::path::Path::new(TEST_SET)).expect("test set");
    let holdout = read_cases(std::path::Path::new(HOLDOUT_SET)).expect("holdout set");
    for (cases, least) in [(&dev, 300), (&test, 300), (&holdout, 180)] {
        assert!(cases.len() >= least, "{} questions", cases.len());
        let declines = cases.iter().filter(|c| c.expect.is_empty()).count();
        assert!(
            declines * 4 >= cases.len(),
            "{declines} of {} must be declined",
            cases.len()
        );
        for class in [
            "long",
            "terse",
            "typo",
            "zh-hans",
            "zh-hant",
            "mixed",
            "smalltalk",
            "multipart",
            "decline",
        ] {
            assert!(cases.iter().filter(|c| c.class() == class).count() >= 10, "{class}");
        }
        // A message asking several things none of which the knowledge base answers is a decline, its parts each [].
        assert!(cases.iter().filter(|c| c.parts.is_some()).all(
            |c| c.class() == "multipart" || (c.class() == "decline" && c.parts.iter().flatten().all(Vec::is_empty))
        ),);
    }
    // "hi", "ok" and "subscription vs service" are what everyone types; a message with a story is not.
    let stories = |cases: &[faqbot::eval::Case]| -> std::collections::HashSet<String> {
        cases
            .iter()
            .filter(|c| c.q.chars().count() > 40)
            .map(|c| normalize_question(&c.q))
            .collect()
    };
    for (one, other) in [(&dev, &test), (&dev, &holdout), (&test, &holdout)] {
        let (one, other) = (stories(one), stories(other));
        let shared: Vec<&String> = one.intersection(&other).collect();
        assert!(shared.is_empty(), "{shared:?}");
    }
}

#[test]
fn a_set_that_expects_an_unknown_entry_is_refused_with_its_line() {
    let workspace = Workspace::fixture();
    workspace.write(
        "cases.jsonl",
        "{\"q\": \"a\", \"expect\": []}\n{\"q\": \"b\", \"expect\": [\"no-such-entry\"]}\n",
    );
    let output = workspace.run(&["eval", "cases.jsonl"]);
    assert_eq!(output.code, 2, "{}", output.stdout);
    assert_contains(
        &output.stderr,
        "cases.jsonl:2: expects entry `no-such-entry`, which is not in the knowledge base",
    );
}

#[test]
fn misses_are_listed_and_minimums_fail_the_run() {
    let workspace = Workspace::fixture();
    workspace.write(
        "cases.jsonl",
        "{\"q\": \"Is registering free of charge?\", \"expect\": [\"registration-cost\"]}\n{\"q\": \"Can the type be changed?\", \"expect\": [\"registration-cost\"]}\n{\"q\": \"What is the weather?\", \"expect\": []}\n",
    );
    // At a threshold that answers the first question of the tiny fixture and declines the second.
    let output = workspace.run(&["eval", "cases.jsonl", "--min-accuracy", "0.9", "--threshold", "0.2"]);
    assert_eq!(output.code, 1, "{}", output.stdout);
    assert_starts_with(
        &output.stdout,
        "miss  line 2    unclassed  expected registration-cost, got ",
    );
    assert_contains(&output.stdout, "top-1 accuracy  0.500  (1/2 answerable)");
    assert_contains(&output.stdout, "decline rate    1.000  (1/1 must decline)");
    assert_contains(&output.stderr, "accuracy 0.500 is below the minimum 0.900");

    let output = workspace.run(&["eval", "cases.jsonl", "--sweep", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    assert_eq!(report["sweep"].as_array().expect("sweep").len(), 101);
    assert!(report["best_threshold"].is_number());

    workspace.write("bad.jsonl", "{\"q\": \"a\", \"expect\": []}\nnot json\n");
    let output = workspace.run(&["eval", "bad.jsonl"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "bad.jsonl:2: not an evaluation line");
}
