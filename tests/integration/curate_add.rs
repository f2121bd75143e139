//! `faqbot add` and `faqbot add-question`: new entries and phrasings that the next `ask` finds, and every refusal leaving faq/ untouched.

use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains, tree};

const TEA: &[&str] = &[
    "add",
    "--question",
    "Can I sell tea in my official account shop?",
    "--question",
    "能在公众号商店里卖茶吗？",
    "--answer",
    "Yes. A **service account** can run a shop.",
    "--answer-zh",
    "可以。**服务号**可以开店。",
    "--rule",
    "registration-free",
    "--tag",
    "shop",
    "--source",
    "Comment 30",
];

fn today() -> String {
    jiff::ZonedDateTime::now().date().to_string()
}

#[test]
fn adds_a_well_formatted_entry_that_the_next_ask_finds() {
    let workspace = Workspace::fixture();
    let output = workspace.run(TEA);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "Added faq/can-i-sell-tea-in-my-official-account.md");
    assert_contains(&output.stdout, "Rebuilt index: 3 entries");
    let expected = format!(
        "+++\nid = \"can-i-sell-tea-in-my-official-account\"\nquestions = [\n  \"Can I sell tea in my official account shop?\",\n  \"能在公众号商店里卖茶吗？\",\n]\nrules = [\"registration-free\"]\ntags = [\"shop\"]\nsource = \"Comment 30\"\nreviewed = {}\n+++\n\nYes. A **service account** can run a shop.\n\n<!-- zh -->\n\n可以。**服务号**可以开店。\n",
        today()
    );
    assert_eq!(workspace.read("faq/can-i-sell-tea-in-my-official-account.md"), expected);
    let reply = workspace.ask_json("Can I sell tea in my official account shop?");
    assert_eq!(reply["answered"], true);
    assert_eq!(reply["results"][0]["id"], "can-i-sell-tea-in-my-official-account");
    let reply = workspace.ask_json("能在公众号商店里卖茶吗？");
    assert_eq!(reply["results"][0]["answer"], "可以。**服务号**可以开店。");
    assert_eq!(workspace.run(&["check"]).code, 0);
}

#[test]
fn without_a_terminal_missing_flags_are_a_usage_error() {
    let workspace = Workspace::fixture();
    let before = tree(&workspace.faq());
    let output = workspace.run(&["add", "--question", "Can I sell tea?"]);
    assert_eq!(output.code, 2);
    assert_contains(
        &output.stderr,
        "missing --answer (or --answer-file), --rule (or --new-rule), --source: pass them as flags, or run `faqbot add` in a terminal",
    );
    assert_eq!(tree(&workspace.faq()), before);
}

/// Runs `args` and asserts that they are refused with `message`, changing nothing in faq/.
fn assert_refused(workspace: &Workspace, args: &[&str], message: &str) {
    let before = tree(&workspace.faq());
    let output = workspace.run(args);
    assert_eq!(output.code, 2, "{}\n{}", output.stdout, output.stderr);
    assert_contains(&output.stderr, message);
    assert_eq!(tree(&workspace.faq()), before, "faq/ changed after: {}", output.stderr);
}

/// The tea flags with the value of one flag replaced.
fn tea_with(flag: &str, value: &'static str) -> Vec<&'static str> {
    let mut args = TEA.to_vec();
    let position = args.iter().position(|a| *a == flag).expect("flag to replace");
    args[position + 1] = value;
    args
}

#[test]
fn refuses_an_existing_id_an_unknown_rule_and_empty_text() {
    let workspace = Workspace::fixture();
    let mut with_id = tea_with("--tag", "shop");
    with_id.extend(["--id", "account-type"]);
    assert_refused(
        &workspace,
        &with_id,
        "an entry with id `account-type` already exists (faq/account-type.md)",
    );
    assert_refused(
        &workspace,
        &tea_with("--rule", "no-such-rule"),
        "rule `no-such-rule` is not in faq/rules.toml: cite an existing rule id, or create it with --new-rule no-such-rule",
    );
    assert_refused(&workspace, &tea_with("--answer", "  "), "the answer is empty");
    let mut blank_questions = tea_with("--question", " ");
    blank_questions.retain(|a| *a != "能在公众号商店里卖茶吗？" && *a != "--question");
    blank_questions.extend(["--question", "  "]);
    assert_refused(&workspace, &blank_questions, "");
    let mut bad_id = tea_with("--tag", "shop");
    bad_id.extend(["--id", "Tea Shop"]);
    assert_refused(&workspace, &bad_id, "id `Tea Shop` must be kebab-case");
}

#[test]
fn warns_and_refuses_a_likely_duplicate_unless_forced() {
    let workspace = Workspace::fixture();
    let args = tea_with("--question", "Can I switch my account type later?");
    assert_refused(&workspace, &args, "likely a duplicate of `account-type`");
    let output = workspace.run(&args);
    assert_contains(
        &output.stderr,
        "warning: \"Can I switch my account type later?\" is already answered by `account-type`",
    );
    let mut forced = args.clone();
    forced.push("--force");
    let output = workspace.run(&forced);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(workspace.faq().join("can-i-switch-my-account-type-later.md").is_file());
}

#[test]
fn a_new_rule_is_written_with_the_entry_or_not_at_all() {
    let workspace = Workspace::fixture();
    let rules_before = workspace.read("faq/rules.toml");
    let mut args = tea_with("--rule", "registration-free");
    args.extend([
        "--new-rule",
        "shops-need-service",
        "Only a service account can run a shop.",
        "--applies-to",
        "service",
    ]);
    // The entry repeats another entry's question: faq/ would be invalid, so neither file is written.
    let mut invalid = args.clone();
    invalid.extend(["--question", "Is registration free?", "--force"]);
    let before = tree(&workspace.faq());
    let output = workspace.run(&invalid);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "faq/registration-cost.md:5: error: question \"Is registration free?\" is also asked in can-i-sell-tea-in-my-official-account.md line 6",
    );
    assert_contains(&output.stderr, "nothing was written");
    assert_eq!(tree(&workspace.faq()), before);

    let output = workspace.run(&args);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "Added rule `shops-need-service` to faq/rules.toml");
    assert_eq!(
        workspace.read("faq/rules.toml"),
        format!(
            "{rules_before}\n[[rule]]\nid = \"shops-need-service\"\nstatement = \"Only a service account can run a shop.\"\napplies_to = [\"service\"]\nsource = \"Comment 30\"\n"
        )
    );
    assert_contains(
        &workspace.read("faq/can-i-sell-tea-in-my-official-account.md"),
        "rules = [\"registration-free\", \"shops-need-service\"]",
    );
    let reply = workspace.ask_json("Can I sell tea in my official account shop?");
    assert_eq!(reply["results"][0]["rules"][1]["id"], "shops-need-service");
}

#[test]
fn an_answer_file_that_is_not_utf8_is_refused() {
    let workspace = Workspace::fixture();
    std::fs::write(workspace.path().join("answer.md"), b"caf\xe9").expect("write");
    let mut args: Vec<&str> = TEA.iter().copied().filter(|a| !a.starts_with("Yes.")).collect();
    args.retain(|a| *a != "--answer");
    args.extend(["--answer-file", "answer.md"]);
    assert_refused(
        &workspace,
        &args,
        "answer.md:1: not valid UTF-8: save the file as UTF-8",
    );
}

const COMMENTED: &str = "+++\nid = \"account-type\" # never rename\nquestions = [\n  \"Can I switch my account type?\", # canonical\n  \"Is the account type permanent?\",\n]\n# rules come from comment 17\nrules = [\"no-type-switch\"]\ntags = [\"switch\"]\nsource = \"Fixture, comment 17\"\nreviewed = 2026-11-23\n+++\n\nNo: the type is fixed. Register a new account instead.\n";

#[test]
fn add_question_keeps_the_file_as_written_and_the_next_ask_finds_it() {
    let workspace = Workspace::fixture();
    workspace.write("faq/account-type.md", COMMENTED);
    let output = workspace.run(&[
        "add-question",
        "account-type",
        "Can I go from subscription to service?",
        "订阅号能变服务号吗？",
    ]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "Added 2 question(s) to faq/account-type.md");
    assert_eq!(
        workspace.read("faq/account-type.md"),
        COMMENTED.replace(
            "  \"Is the account type permanent?\",\n]",
            "  \"Is the account type permanent?\",\n  \"Can I go from subscription to service?\",\n  \"订阅号能变服务号吗？\",\n]"
        )
    );
    let reply = workspace.ask_json("Can I go from subscription to service?");
    assert_eq!(reply["answered"], true);
    assert_eq!(reply["results"][0]["id"], "account-type");
}

#[test]
fn add_question_refusals_change_nothing() {
    let workspace = Workspace::fixture();
    let before = tree(&workspace.faq());
    let output = workspace.run(&["add-question", "no-such-entry", "Question?"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "no entry `no-such-entry` in faq");
    let output = workspace.run(&["add-question", "account-type", "is the account type PERMANENT"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "is already a question of `account-type`");
    let output = workspace.run(&["add-question", "account-type", "Is registration free?"]);
    assert_eq!(output.code, 2);
    assert_contains(
        &output.stderr,
        "faq/registration-cost.md:5: error: question \"Is registration free?\" is also asked in account-type.md line 6",
    );
    assert_eq!(tree(&workspace.faq()), before);

    std::fs::write(
        workspace.faq().join("account-type.md"),
        b"+++\nid = \"account-type\"\n+++\ncaf\xe9\n",
    )
    .expect("write");
    let before = tree(&workspace.faq());
    let output = workspace.run(&["add-question", "account-type", "Question?"]);
    assert_eq!(output.code, 2);
    assert_contains(
        &output.stderr,
        "faq/account-type.md:4: not valid UTF-8: save the file as UTF-8",
    );
    assert_eq!(tree(&workspace.faq()), before);
}

#[test]
fn in_a_terminal_add_asks_for_what_the_flags_left_out() {
    let workspace = Workspace::fixture();
    let output = workspace.run_in_terminal(
        &["add", "--question", "Can I sell tea in my shop?"],
        &[
            (&["Id (file name)"], "\r"),
            (&["Answer in English"], "Yes, with a service account.\r"),
            (&["Next paragraph"], "\r"),
            (&["Chinese answer"], "\r"),
            (&["Rules the answer rests on"], " \r"),
            (&["Create a new rule too?"], "\r"),
            (&["Tags"], "shop, tea\r"),
            (&["Source"], "Comment 30\r"),
        ],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert_contains(&output.stdout, "Added faq/can-i-sell-tea-in-my-shop.md");
    assert_eq!(
        workspace.read("faq/can-i-sell-tea-in-my-shop.md"),
        format!(
            "+++\nid = \"can-i-sell-tea-in-my-shop\"\nquestions = [\n  \"Can I sell tea in my shop?\",\n]\nrules = [\"registration-free\"]\ntags = [\"shop\", \"tea\"]\nsource = \"Comment 30\"\nreviewed = {}\n+++\n\nYes, with a service account.\n",
            today()
        )
    );
}

/// Keys for the prompts.
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

#[test]
fn in_a_terminal_a_duplicate_is_caught_right_after_the_questions_and_can_become_phrasings() {
    let workspace = Workspace::fixture();
    let before = workspace.read("faq/account-type.md");
    let output = workspace.run_in_terminal(
        &["add"],
        &[
            (
                &["Question (the canonical one)"],
                "Can I switch my account type later?\r",
            ),
            (&["Another phrasing"], "Can I change the type of my account?\r"),
            (&["Another phrasing"], ENTER),
            (&["A Chinese phrasing"], ENTER),
            (&["look like `account-type`", "enter to select"], ENTER),
        ],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(
        !output.stdout.contains("Answer in English"),
        "no prompt after the questions"
    );
    assert_contains(&output.stdout, "Added 2 question(s) to faq/account-type.md");
    assert_eq!(
        workspace.read("faq/account-type.md").len(),
        before.len()
            + "  \"Can I switch my account type later?\",\n  \"Can I change the type of my account?\",\n".len()
    );
    assert!(
        workspace
            .read("faq/account-type.md")
            .contains("\"Can I change the type of my account?\"")
    );
}

#[test]
fn in_a_terminal_a_duplicate_question_can_be_changed_or_added_anyway() {
    let workspace = Workspace::fixture();
    // Change the question: asked again, and the new one is no duplicate, so the other prompts follow.
    let output = workspace.run_in_terminal(
        &["add", "--id", "tea-shop"],
        &[
            (
                &["Question (the canonical one)"],
                "Can I switch my account type later?\r",
            ),
            (&["Another phrasing"], ENTER),
            (&["A Chinese phrasing"], ENTER),
            (
                &["look like `account-type`", "enter to select"],
                &format!("{DOWN}{DOWN}{ENTER}"),
            ),
            (&["Question (the canonical one)"], "Can I sell tea in my shop?\r"),
            (&["Another phrasing"], ENTER),
            (&["A Chinese phrasing"], "能在店里卖茶吗？\r"),
            (&["A Chinese phrasing"], ENTER),
            (&["Answer in English"], "Yes.\r"),
            (&["Next paragraph"], ENTER),
            (&["Chinese answer"], "可以。\r"),
            (&["Next paragraph"], ENTER),
            (&["Rules the answer rests on"], " \r"),
            (&["Create a new rule too?"], ENTER),
            (&["Tags"], ENTER),
            (&["Source"], "Comment 30\r"),
        ],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    let written = workspace.read("faq/tea-shop.md");
    assert_contains(
        &written,
        "questions = [\n  \"Can I sell tea in my shop?\",\n  \"能在店里卖茶吗？\",\n]",
    );
    assert_contains(&written, "<!-- zh -->\n\n可以。");

    // Add anyway: the duplicate goes on to the other prompts and is written as a new entry.
    let output = workspace.run_in_terminal(
        &[
            "add",
            "--id",
            "switch-later",
            "--question",
            "Can I switch my account type later?",
        ],
        &[
            (
                &["look like `account-type`", "enter to select"],
                &format!("{DOWN}{ENTER}"),
            ),
            (&["Answer in English"], "No.\r"),
            (&["Next paragraph"], ENTER),
            (&["Chinese answer"], ENTER),
            (&["Rules the answer rests on"], " \r"),
            (&["Create a new rule too?"], ENTER),
            (&["Tags"], ENTER),
            (&["Source"], "Comment 31\r"),
        ],
    );
    assert_eq!(output.code, 0, "{}{}", output.stdout, output.stderr);
    assert!(workspace.faq().join("switch-later.md").is_file());
}

#[test]
fn a_new_rule_can_carry_its_chinese_statement() {
    let workspace = Workspace::fixture();
    let rules_before = workspace.read("faq/rules.toml");
    let mut args = TEA.to_vec();
    args.extend([
        "--new-rule",
        "shops-need-service",
        "Only a service account can run a shop.",
        "--new-rule-zh",
        "只有服务号可以开店。",
        "--applies-to",
        "service",
    ]);
    let output = workspace.run(&args);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        workspace.read("faq/rules.toml"),
        format!(
            "{rules_before}\n[[rule]]\nid = \"shops-need-service\"\nstatement = \"Only a service account can run a shop.\"\nstatement_zh = \"只有服务号可以开店。\"\napplies_to = [\"service\"]\nsource = \"Comment 30\"\n"
        )
    );
    let reply = workspace.ask_json("能在公众号商店里卖茶吗？");
    assert_eq!(reply["results"][0]["rules"][1]["statement_zh"], "只有服务号可以开店。");

    let mut too_many = TEA.to_vec();
    too_many.extend(["--new-rule-zh", "多余"]);
    assert_refused(&workspace, &too_many, "more --new-rule-zh than --new-rule");
}

#[test]
fn a_question_with_a_line_break_is_refused_and_ids_end_on_a_whole_phrase() {
    let workspace = Workspace::fixture();
    assert_refused(
        &workspace,
        &tea_with("--question", "Can I sell tea\nin my shop?"),
        "has a line break: a question is one line",
    );
    let output = workspace.run(&tea_with(
        "--question",
        "Can I link a mini program to my official account?",
    ));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "Added faq/can-i-link-a-mini-program.md");
}

#[test]
fn after_adding_the_new_entrys_coverage_gaps_are_noticed_and_no_others() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&tea_with("--question", "Can I sell tea in my shop?"));
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "faq/can-i-sell-tea-in-my-shop.md:4: notice: 1 English phrasing(s); faq/README.md asks for at least 8",
    );
    assert!(!output.stderr.contains("account-type.md"), "{}", output.stderr);
}
