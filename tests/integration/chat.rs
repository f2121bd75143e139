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
    assert!(
        !workspace.path().join("data").exists(),
        "trying the bot out writes nothing to the curation logs"
    );
}

#[test]
fn a_number_picks_a_did_you_mean_choice() {
    let workspace = Workspace::shipped();
    let output = workspace.run_with_input(&["chat"], Some("Can I sell tea on WeChat?\n1\n9\n"));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, EN.declined);
    assert_contains(&output.stdout, "Did you mean…\n\n  [1] ");
    assert_contains(
        &output.stdout,
        "› 1\nCan Chinese WeChat users see an international official account?\n\n",
    );
    assert_contains(&output.stdout, "international-not-visible-in-china");
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
