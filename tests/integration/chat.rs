//! `faqbot chat`: the bot's conversation in a terminal, with buttons as numbered choices.

use faqbot::present::text::EN;

use crate::util::{Workspace, assert_contains};

const FEES: &str = "How much does a WeChat official account cost?";

#[test]
fn the_transcript_shows_answers_with_rules_and_numbered_buttons() {
    let workspace = Workspace::shipped();
    let output = workspace.run_with_input(&["chat"], Some(&format!("/start\n{FEES}\n1\n")));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "Hello! I answer questions about WeChat Official Accounts",
    );
    assert_contains(&output.stdout, &format!("› {FEES}\n{FEES}\n\nRegistering is free."));
    assert_contains(&output.stdout, "Rules\n• registration-free – ");
    assert_contains(&output.stdout, "Source: Reply by Grata to Alessandra");
    assert_contains(&output.stdout, &format!("[1] {}   [2] {}", EN.vote_up, EN.vote_down));
    assert_contains(&output.stdout, "[3] ");
    assert_contains(&output.stdout, &format!("› 1\n({})", EN.thanks_up));
    assert!(!output.stdout.contains('\u{1b}'), "no escape codes when not a terminal");
    assert!(!output.stdout.contains("<b>"), "HTML is rendered, not shown");
    let votes = faqbot::feedback::read_votes(&workspace.path().join("data")).expect("votes log");
    assert_eq!(votes.records.len(), 1, "the vote is logged as the bot logs it");
    assert_eq!(votes.records[0].entry, "fees");
}

#[test]
fn declines_are_logged_for_review_unless_no_log_is_given() {
    let workspace = Workspace::shipped();
    let output = workspace.run_with_input(&["chat", "--no-log"], Some("Do I need a fax machine?\n"));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(!workspace.path().join("data").exists(), "--no-log writes nothing");

    let output = workspace.run_with_input(&["chat"], Some("Do I need a fax machine?\n"));
    assert_eq!(output.code, 0, "{}", output.stderr);
    let declined = faqbot::feedback::read_declined(&workspace.path().join("data")).expect("declined log");
    assert_eq!(declined.records.len(), 1);
    assert_eq!(declined.records[0].question, "Do I need a fax machine?");
    let review = workspace.run(&["review", "--json"]).json_lines();
    assert_eq!(review.len(), 1, "review sees what chat logged");
    assert_eq!(review[0]["questions"][0]["question"], "Do I need a fax machine?");
}

#[test]
fn quit_and_exit_leave_instead_of_being_asked() {
    let workspace = Workspace::shipped();
    for word in ["quit", "exit", "/quit", "EXIT"] {
        let output = workspace.run_with_input(&["chat", "--no-log"], Some(&format!("{word}\n{FEES}\n")));
        assert_eq!(output.code, 0, "{}", output.stderr);
        assert!(
            !output.stdout.contains(FEES),
            "{word}: nothing after it is asked:\n{}",
            output.stdout
        );
        assert!(!output.stdout.contains(EN.declined), "{word} is not a question");
    }
}

#[test]
fn in_a_terminal_it_says_how_to_leave_and_leaves_quietly() {
    let workspace = Workspace::shipped();
    let output = workspace.run_in_terminal(&["chat", "--no-log"], &[(&["Ctrl-D to leave", "›"], "quit\r")]);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert_contains(&output.stdout, "quit, exit or Ctrl-D to leave");
    assert!(
        !output.stdout.contains(EN.declined),
        "quit was not asked:\n{}",
        output.stdout
    );

    // Ctrl-D on an empty line.
    let output = workspace.run_in_terminal(&["chat", "--no-log"], &[(&["Ctrl-D to leave", "›"], "\u{4}")]);
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(!output.stdout.contains("<canceled>"), "{}", output.stdout);
}

#[test]
fn a_number_picks_a_did_you_mean_choice() {
    let workspace = Workspace::shipped();
    let output = workspace.run_with_input(&["chat"], Some("Do I need a fax machine?\n1\n9\n"));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, EN.declined);
    assert_contains(&output.stdout, "Did you mean…\n\n  [1] ");
    assert_contains(
        &output.stdout,
        "  [1] Can I switch my subscription account to a service account?\n",
    );
    assert_contains(
        &output.stdout,
        "› 1\nCan I switch my subscription account to a service account?\n\n",
    );
    assert_contains(&output.stdout, "no-type-switch");
    // After the pick, the buttons are that answer's two votes.
    assert_contains(&output.stdout, "› 9\nPick a number from 1 to 2.");
}

#[test]
fn commands_work_as_in_the_bot_including_the_operators_admin_commands() {
    let workspace = Workspace::shipped();
    let output = workspace.run_with_input(
        &["chat"],
        Some("/rule Registration-Free\n/rule nope\n/frobnicate\n/stats\n订阅号可以改成服务号吗？\n"),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "registration-free\nWeChat does not charge any fee");
    assert_contains(&output.stdout, EN.no_such_rule);
    assert_contains(&output.stdout, EN.unknown_command);
    assert_contains(&output.stdout, "Since start\nanswered 0, declined 0");
    assert_contains(&output.stdout, "不可以");
    assert_contains(&output.stdout, "[1] 👍 有帮助");
}

#[test]
fn a_cited_rule_shows_when_it_took_effect() {
    let workspace = Workspace::shipped();
    let output = workspace.run_with_input(&["chat"], Some("How often can a service account broadcast messages?\n"));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "• service-broadcast-four-per-month – ");
    assert_contains(&output.stdout, "the April 15th change. (since April 2014)\n");
}
