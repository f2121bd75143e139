//! `faqbot-synth`: the synthetic knowledge base loads without problems, `latency` measures it, and bad input is named.

use std::path::Path;
use std::process::Command;

use faqbot::faq::KnowledgeBase;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_faqbot-synth"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("faqbot-synth runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "expected {part:?} in:\n{text}");
}

#[test]
fn generates_a_valid_knowledge_base_and_measures_latency_on_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let generated = run(
        dir.path(),
        &[
            "generate",
            "--entries",
            "30",
            "--out",
            "synthetic",
            "--questions",
            "questions.jsonl",
            "--question-count",
            "40",
        ],
    );
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    assert_contains(&generated.stdout, "Wrote 30 entries");
    assert_contains(&generated.stdout, "Wrote 40 questions");

    let loaded = KnowledgeBase::load(&dir.path().join("synthetic")).expect("the generated faq/ loads");
    let problems = faqbot_synth::unexpected_problems(&loaded.problems);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(loaded.knowledge_base.entries.len(), 30);

    let latency = run(
        dir.path(),
        &[
            "latency",
            "--faq",
            "synthetic",
            "--index",
            "synthetic-index",
            "--questions",
            "questions.jsonl",
            "--warmup",
            "5",
        ],
    );
    assert_eq!(latency.code, 0, "{}", latency.stderr);
    let report: serde_json::Value = serde_json::from_str(&latency.stdout).expect("latency prints JSON");
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
    let dir = tempfile::tempdir().expect("temp dir");
    for out in ["a", "b"] {
        let generated = run(
            dir.path(),
            &["generate", "--entries", "12", "--out", out, "--seed", "9"],
        );
        assert_eq!(generated.code, 0, "{}", generated.stderr);
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("a"))
        .expect("list a")
        .map(|item| item.expect("item").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 14);
    for name in names {
        let read = |folder: &str| std::fs::read(dir.path().join(folder).join(&name)).expect("read");
        assert_eq!(read("a"), read("b"), "{name}");
    }
}

#[test]
fn refuses_to_generate_over_existing_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("faq")).expect("faq/");
    std::fs::write(dir.path().join("faq/rules.toml"), "# mine\n").expect("rules.toml");
    let generated = run(dir.path(), &["generate", "--entries", "5", "--out", "faq"]);
    assert_eq!(generated.code, 2);
    assert_contains(&generated.stderr, "faq: the folder is not empty");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("faq/rules.toml")).expect("read"),
        "# mine\n"
    );
}

#[test]
fn refuses_more_entries_than_the_generator_can_make_distinct() {
    let dir = tempfile::tempdir().expect("temp dir");
    let generated = run(dir.path(), &["generate", "--entries", "500001", "--out", "huge"]);
    assert_eq!(generated.code, 2);
    assert_contains(&generated.stderr, "500001 is not in 1..=500000");
    assert!(!dir.path().join("huge").exists());
}

#[test]
fn latency_names_a_missing_or_bad_question_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = run(dir.path(), &["latency", "--questions", "nope.jsonl"]);
    assert_eq!(missing.code, 2);
    assert_contains(&missing.stderr, "nope.jsonl: cannot read the evaluation file");
    std::fs::write(
        dir.path().join("bad.jsonl"),
        "{\"q\": \"fine\", \"expect\": []}\nnot json\n",
    )
    .expect("write");
    let bad = run(dir.path(), &["latency", "--questions", "bad.jsonl"]);
    assert_eq!(bad.code, 2);
    assert_contains(&bad.stderr, "bad.jsonl:2: not an evaluation line");
}

#[test]
fn the_default_seed_is_printed_for_scripts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = run(dir.path(), &["seed"]);
    assert_eq!(seed.code, 0);
    assert_eq!(seed.stdout.trim(), faqbot_synth::DEFAULT_SEED.to_string());
}
