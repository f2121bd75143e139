//! `faqbot list`, `faqbot completions`, `faqbot man`: what faq/ holds at a glance, and the generated shell docs.

use crate::util::{Workspace, assert_contains};

#[test]
fn lists_entries_and_rules_as_a_table_or_json_lines() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["list"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "Entries (2)\n  account-type       Can I switch my account type?  (2 question(s), rules: no-type-switch)\n",
    );
    assert_contains(&output.stdout, "\n\nRules (2)\n");
    assert_contains(&output.stdout, "  no-type-switch     ");
    assert_contains(&output.stdout, "(since 2014-04-15)");

    let rules = workspace.run(&["list", "rules"]);
    assert!(!rules.stdout.contains("Entries"), "{}", rules.stdout);

    let lines = workspace.run(&["list", "--json"]).json_lines();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["kind"], "entry");
    assert_eq!(lines[0]["id"], "account-type");
    assert_eq!(lines[0]["question"], "Can I switch my account type?");
    assert_eq!(lines[0]["questions"], 2);
    assert_eq!(lines[2]["kind"], "rule");
    assert!(lines[2]["statement"].is_string(), "{}", lines[2]);
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    let workspace = Workspace::fixture();
    let bash = workspace.run(&["completions", "bash"]);
    assert_eq!(bash.code, 0, "{}", bash.stderr);
    assert_contains(&bash.stdout, "_faqbot()");
    assert_contains(&bash.stdout, "add-question");
    let zsh = workspace.run(&["completions", "zsh"]);
    assert_contains(&zsh.stdout, "#compdef faqbot");
    let man = workspace.run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert_contains(&man.stdout, ".TH faqbot 1");
    assert_contains(&man.stdout, "review");
    assert!(!man.stdout.contains("dev\\-"), "the hidden dev command stays hidden");
    assert_eq!(workspace.run(&["completions", "tcsh"]).code, 2);
}
