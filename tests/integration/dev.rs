//! `faqbot dev`: the synthetic knowledge base passes `faqbot check`; `dev latency` measures it and names bad input.

use crate::util::{Workspace, assert_contains};

#[test]
fn generates_a_valid_knowledge_base_and_measures_latency_on_it() {
    let workspace = Workspace::fixture();
    let generated = workspace.run(&[
        "dev",
        "generate",
        "--entries",
        "30",
        "--out",
        "synthetic",
        "--questions",
        "questions.jsonl",
        "--question-count",
        "40",
    ]);
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    assert_contains(&generated.stdout, "Wrote 30 entries");
    assert_contains(&generated.stdout, "Wrote 40 questions");

    let check = workspace.run(&["--faq", "synthetic", "check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_contains(&check.stderr, "synthetic is valid: 30 entries");

    let latency = workspace.run(&[
        "--faq",
        "synthetic",
        "--index",
        "synthetic-index",
        "dev",
        "latency",
        "--questions",
        "questions.jsonl",
        "--warmup",
        "5",
    ]);
    assert_eq!(latency.code, 0, "{}", latency.stderr);
    let report: serde_json::Value = serde_json::from_str(&latency.stdout).expect("dev latency prints JSON");
    assert_eq!(report["entries"], 30);
    assert_eq!(report["questions"], 40);
    let number = |key: &str| report[key].as_f64().unwrap_or_else(|| panic!("{key} in {report}"));
    assert!(number("p50_us") > 0.0);
    assert!(number("p50_us") <= number("p90_us") && number("p90_us") <= number("p99_us"));
    assert!(number("p99_us") <= number("max_us"));
    // Paraphrases of 30 distinct entries: most are found, and the questions from other domains are declined.
    assert!(number("accuracy") >= 0.5, "{report}");
    assert!(number("decline_rate") >= 0.5, "{report}");
    assert!(number("peak_rss_kib") >= number("rss_after_open_kib"), "{report}");
}

#[test]
fn the_same_seed_generates_the_same_files() {
    let workspace = Workspace::fixture();
    for out in ["a", "b"] {
        let run = workspace.run(&["dev", "generate", "--entries", "12", "--out", out, "--seed", "9"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let mut names: Vec<String> = std::fs::read_dir(workspace.path().join("a"))
        .expect("list a")
        .map(|item| item.expect("item").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 14);
    for name in names {
        assert_eq!(
            workspace.read(&format!("a/{name}")),
            workspace.read(&format!("b/{name}")),
            "{name}"
        );
    }
}

#[test]
fn refuses_to_generate_over_existing_files() {
    let workspace = Workspace::fixture();
    let run = workspace.run(&["dev", "generate", "--entries", "5", "--out", "faq"]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "faq: the folder is not empty");
    assert!(
        workspace.faq().join("rules.toml").exists(),
        "the existing faq/ is untouched"
    );
}

#[test]
fn refuses_more_entries_than_the_generator_can_make_distinct() {
    let workspace = Workspace::fixture();
    let run = workspace.run(&["dev", "generate", "--entries", "500001", "--out", "huge"]);
    assert_eq!(run.code, 2);
    assert_contains(&run.stderr, "500001 is not in 1..=500000");
    assert!(!workspace.path().join("huge").exists());
}

#[test]
fn latency_names_a_missing_or_bad_question_file() {
    let workspace = Workspace::fixture();
    let missing = workspace.run(&["dev", "latency", "--questions", "nope.jsonl"]);
    assert_eq!(missing.code, 2);
    assert_contains(&missing.stderr, "nope.jsonl: cannot read the evaluation file");
    workspace.write("bad.jsonl", "{\"q\": \"fine\", \"expect\": []}\nnot json\n");
    let bad = workspace.run(&["dev", "latency", "--questions", "bad.jsonl"]);
    assert_eq!(bad.code, 2);
    assert_contains(&bad.stderr, "bad.jsonl:2: not an evaluation line");
}

#[test]
fn dev_is_hidden_from_help() {
    let help = Workspace::fixture().run(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(!help.stdout.contains("dev"), "{}", help.stdout);
}
