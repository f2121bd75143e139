//! Limits where a curator or a line can be huge: answer sizes in `check`, the size of a faq/ file, and the length of a question line on standard input.

use crate::util::{Workspace, assert_contains};

fn with_answer(answer: &str) -> String {
    let entry = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/faq/registration-cost.md"
    ))
    .expect("fixture entry");
    entry.replace(
        "Registering is **free**. Fees & charges: <none> for registering.",
        answer,
    )
}

#[test]
fn an_answer_longer_than_a_telegram_message_is_a_warning() {
    let workspace = Workspace::fixture();
    workspace.write("faq/registration-cost.md", &with_answer(&"Free. ".repeat(1_000)));
    let output = workspace.run(&["check"]);
    assert_contains(
        &output.stdout,
        "faq/registration-cost.md:13: warning: the English answer is 5999 characters, more than one Telegram message holds (4096)",
    );
    assert!(!output.stdout.contains("error"), "{}", output.stdout);
    assert_eq!(workspace.run(&["ask", "Is registration free?"]).code, 0);
}

#[test]
fn an_answer_far_longer_is_an_error_and_never_indexed() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.run(&["index"]).code, 0);
    workspace.write("faq/registration-cost.md", &with_answer(&"Free. ".repeat(5_000)));
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1);
    assert_contains(
        &output.stdout,
        "faq/registration-cost.md:13: error: the English answer is 29999 characters, far more than the 16384 allowed",
    );
}

#[test]
fn a_huge_faq_file_is_refused_unread() {
    let workspace = Workspace::fixture();
    workspace.write("faq/registration-cost.md", &with_answer(&"x".repeat(3_000_000)));
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1);
    assert_contains(&output.stdout, "faq/registration-cost.md: error: ");
    assert_contains(&output.stdout, "more than the 1024 KiB a faq/ file may have");
}

#[test]
fn a_huge_question_line_is_cut_and_the_next_line_still_answered() {
    let workspace = Workspace::fixture();
    let input = format!("{}\nIs registration free?\n", "free ".repeat(400_000));
    let output = workspace.run_with_input(&["ask", "--json"], Some(&input));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "warning: question 1 is longer than 64 KiB; only its start was read",
    );
    let lines: Vec<serde_json::Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["question"].as_str().expect("question").len() <= 64 * 1024);
    assert_eq!(lines[1]["results"][0]["id"], "registration-cost");
}
