//! `faqbot review` and `faqbot stale`: what users asked, grouped and remembered; and entries due for another look.

use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains};

fn declined(time: &str, question: &str) -> String {
    format!("{{\"time\":\"{time}\",\"question\":\"{question}\",\"nearest\":null,\"confidence\":0.2,\"chat\":\"c\"}}\n")
}

fn write_logs(workspace: &Workspace) {
    std::fs::create_dir_all(workspace.path().join("data")).expect("data dir");
    let mut log = String::new();
    log += &declined("2026-11-20T10:00:00Z", "How do I back up my WeChat chat history?");
    log += &declined("2026-11-21T10:00:00Z", "how do i backup my wechat chat history");
    log += &declined("2026-11-22T10:00:00Z", "How do I back up my WeChat chat history");
    log += &declined("2026-11-22T11:00:00Z", "Can I post videos to Moments?");
    log += &declined("2026-11-22T12:00:00Z", "Is the account type permanent?");
    log += "{\"time\": \"cut off\n";
    workspace.write("data/declined.jsonl", &log);
    workspace.write(
        "data/votes.jsonl",
        "{\"time\":\"2026-11-23T10:00:00Z\",\"question\":\"Does registration cost anything?\",\"entry\":\"registration-cost\",\"confidence\":0.9,\"vote\":\"down\",\"chat\":\"c\"}\n{\"time\":\"2026-11-23T10:00:00Z\",\"question\":\"Can I switch my account type?\",\"entry\":\"account-type\",\"confidence\":0.9,\"vote\":\"up\",\"chat\":\"c\"}\n",
    );
}

#[test]
fn groups_similar_questions_with_counts_and_the_nearest_entry() {
    let workspace = Workspace::fixture();
    write_logs(&workspace);
    let output = workspace.run(&["review", "--json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stderr, "data/declined.jsonl:6:");
    let groups = output.json_lines();
    let summary: Vec<(u64, Vec<&str>)> = groups
        .iter()
        .map(|group| {
            let questions = group["questions"]
                .as_array()
                .expect("questions")
                .iter()
                .map(|q| q["question"].as_str().expect("question"))
                .collect();
            (group["count"].as_u64().expect("count"), questions)
        })
        .collect();
    // The answered question is left out; the down-voted one stays; spellings merge, similar questions group.
    assert_eq!(
        summary,
        vec![
            (
                3,
                vec![
                    "How do I back up my WeChat chat history",
                    "how do i backup my wechat chat history"
                ]
            ),
            (1, vec!["Does registration cost anything?"]),
            (1, vec!["Can I post videos to Moments?"]),
        ]
    );
    assert_eq!(groups[1]["nearest"], "registration-cost");
    assert_eq!(groups[1]["questions"][0]["down_votes"], 1);
    assert_eq!(groups[0]["questions"][0]["declined"], 2);
}

#[test]
fn without_a_terminal_prints_the_groups_and_dismissed_questions_stay_hidden() {
    let workspace = Workspace::fixture();
    write_logs(&workspace);
    let output = workspace.run(&["review"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "3 group(s) of questions to review (5 ask(s)), biggest first.\n1 declined question(s) are answered by faq/ now and are left out.\n1. 3 ask(s), no entry is near\n",
    );
    assert_contains(
        &output.stdout,
        "   How do I back up my WeChat chat history  (declined 2×, last 2026-11-22)\n",
    );
    assert_contains(
        &output.stdout,
        "   Does registration cost anything?  (👎 1×, last 2026-11-23)\n",
    );

    let output = workspace.run(&[
        "review",
        "--dismiss",
        "Can I post videos to Moments?",
        "--dismiss",
        "does registration cost anything",
    ]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "Dismissed 2 question(s); saved in data/review-state.json",
    );
    let state: serde_json::Value = serde_json::from_str(&workspace.read("data/review-state.json")).expect("state");
    assert_eq!(state["handled"]["can i post videos to moments"]["action"], "dismissed");
    let groups = workspace.run(&["review", "--json"]).json_lines();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["count"], 3);
}

/// Keys for the review prompts.
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

#[test]
fn in_a_terminal_each_group_is_added_dismissed_or_left_and_decisions_are_kept() {
    let workspace = Workspace::fixture();
    write_logs(&workspace);
    // Group 1 (no nearest entry): dismiss, the second option. Group 2 (nearest registration-cost): add as
    // alternates, keeping the preselected questions. Group 3 (no nearest entry): stop, the fourth option.
    // Each prompt is answered once it is drawn: its heading, then its help line.
    let select = "enter to select";
    let output = workspace.run_in_terminal(
        &["review"],
        &[
            (&["1. 3 ask(s)", select], &format!("{DOWN}{ENTER}")),
            (&["2. 1 ask(s)", select], ENTER),
            (&["Questions to add to `registration-cost`", "space to select"], ENTER),
            (&["3. 1 ask(s)", select], &format!("{DOWN}{DOWN}{DOWN}{ENTER}")),
        ],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert_contains(&output.stdout, "Added 1 question(s) to faq/registration-cost.md");
    assert_contains(
        &workspace.read("faq/registration-cost.md"),
        "  \"注册要花钱吗？\",\n  \"Does registration cost anything?\",\n]",
    );
    let state: serde_json::Value = serde_json::from_str(&workspace.read("data/review-state.json")).expect("state");
    let handled = state["handled"].as_object().expect("handled");
    let actions: Vec<(&str, &str)> = handled
        .iter()
        .map(|(question, decision)| (question.as_str(), decision["action"].as_str().expect("action")))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("does registration cost anything", "alternate"),
            ("how do i back up my wechat chat history", "dismissed"),
            ("how do i backup my wechat chat history", "dismissed"),
        ]
    );
    assert_eq!(handled["does registration cost anything"]["entry"], "registration-cost");
    // What is left: the group the curator stopped at.
    let groups = workspace.run(&["review", "--json"]).json_lines();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["questions"][0]["question"], "Can I post videos to Moments?");
}

#[test]
fn in_a_terminal_a_group_becomes_a_new_entry() {
    let workspace = Workspace::fixture();
    std::fs::create_dir_all(workspace.path().join("data")).expect("data dir");
    workspace.write(
        "data/declined.jsonl",
        &declined("2026-11-22T11:00:00Z", "Can I post videos to Moments?"),
    );
    let output = workspace.run_in_terminal(
        &["review"],
        &[
            (&["1. 1 ask(s)", "enter to select"], ENTER),
            (&["Id (file name)"], ENTER),
            (&["Answer in English"], "The thread does not say.\r"),
            (&["Next paragraph"], ENTER),
            (&["Chinese answer"], ENTER),
            (&["Rules the answer rests on"], " \r"),
            (&["Create a new rule too?"], ENTER),
            (&["Tags"], ENTER),
            (&["Source"], "Comment 40\r"),
        ],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert_contains(
        &output.stdout,
        "Added faq/can-i-post-videos-to-moments.md (1 question(s)",
    );
    let reply = workspace.ask_json("Can I post videos to Moments?");
    assert_eq!(reply["results"][0]["id"], "can-i-post-videos-to-moments");
    let state: serde_json::Value = serde_json::from_str(&workspace.read("data/review-state.json")).expect("state");
    assert_eq!(
        state["handled"]["can i post videos to moments"]["entry"],
        "can-i-post-videos-to-moments"
    );
    assert_eq!(state["handled"]["can i post videos to moments"]["action"], "new-entry");
    assert!(workspace.run(&["review", "--json"]).json_lines().is_empty());
}

#[test]
fn no_logs_means_nothing_to_review() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["review"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        output.stdout,
        "Nothing to review: no declined or down-voted questions left.\n"
    );
}

#[test]
fn stale_lists_old_entries_and_entries_older_than_their_rules() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["stale"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(output.stdout, "");
    assert_contains(&output.stderr, "No stale entries among 2");

    // no-type-switch dates from 2014-04-15: an entry reviewed before that predates the rule.
    let text = workspace
        .read("faq/account-type.md")
        .replace("reviewed = 2026-11-23", "reviewed = 2014-01-01");
    workspace.write("faq/account-type.md", &text);
    let output = workspace.run(&["stale"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let days = jiff::ZonedDateTime::now()
        .date()
        .duration_since(jiff::civil::date(2014, 1, 1))
        .as_secs()
        / 86_400;
    assert_eq!(
        output.stdout,
        format!(
            "account-type  reviewed 2014-01-01\n  reviewed {days} days ago (more than 365)\n  cites rule `no-type-switch`, which changed on 2014-04-15, after the review\n"
        )
    );
    assert_contains(&output.stderr, "1 of 2 entries need a review");
    let output = workspace.run(&["stale", "--days", "100000", "--json"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.json_lines(),
        vec![
            serde_json::json!({"id": "account-type", "reviewed": "2014-01-01", "reasons": [{"reason": "rule-changed", "rule": "no-type-switch", "since": "2014-04-15"}]})
        ]
    );
}

#[test]
fn dismissing_a_question_that_is_not_in_the_logs_says_so_and_exits_1() {
    let workspace = Workspace::fixture();
    write_logs(&workspace);
    let output = workspace.run(&[
        "review",
        "--dismiss",
        "never asked",
        "--dismiss",
        "Can I post videos to Moments?",
    ]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert_contains(&output.stdout, "Dismissed 1 question(s)");
    assert_contains(
        &output.stderr,
        "error: no declined or down-voted question in data matches \"never asked\"",
    );
    let state: serde_json::Value = serde_json::from_str(&workspace.read("data/review-state.json")).expect("state");
    assert_eq!(state["handled"].as_object().map(|h| h.len()), Some(1));
}

#[test]
fn the_readme_review_example_comes_from_the_example_logs() {
    let workspace = Workspace::shipped();
    let logs = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data");
    let output = workspace.run(&["--data-dir", logs, "review"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let example = readme
        .split("$ faqbot --data-dir tests/fixtures/data review\n")
        .nth(1)
        .and_then(|rest| rest.split("Run `faqbot review` in a terminal").next())
        .expect("the review example in the README");
    assert_eq!(output.stdout, example, "update the README's review example");
}

#[test]
fn stale_counts_from_the_date_given() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["stale", "--today", "2027-12-01"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "account-type  reviewed 2026-11-23\n  reviewed 373 days ago (more than 365)\n",
    );
    let output = workspace.run(&["stale", "--today", "2027-11-01"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let output = workspace.run(&["stale", "--today", "yesterday"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "is not a date: write it as YYYY-MM-DD");
}
