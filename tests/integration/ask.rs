//! `faqbot ask`: answers with rules and source, declines, languages, JSON, batches from stdin, settings.

use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains, assert_starts_with, has_han};

#[test]
fn answers_the_readme_question_with_its_rules_and_source() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["ask", "Can I switch my subscription account to a service account?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let text = &output.stdout;
    assert!(
        text.starts_with("Can I switch my subscription account to a service account?\n"),
        "{text}"
    );
    assert!(text.contains("\nRules\n  no-type-switch  "), "{text}");
    assert!(text.contains("\nSource  "), "{text}");
    assert!(text.contains("switch-account-type · confidence"), "{text}");
    assert!(!text.contains("**"), "Markdown is rendered, not printed raw: {text}");
}

#[test]
fn json_has_the_documented_shape() {
    let workspace = Workspace::shipped();
    let reply = workspace.ask_json("How much does verification cost?");
    assert_eq!(reply["question"], "How much does verification cost?");
    assert_eq!(reply["language"], "en");
    assert_eq!(reply["answered"], true);
    assert_eq!(
        reply["threshold"].as_f64().map(|t| (t * 100.0).round() as i64),
        Some((f64::from(faqbot::answer::DEFAULT_THRESHOLD) * 100.0).round() as i64),
        "the shipped calibration's threshold"
    );
    assert_eq!(
        reply["corrections"],
        serde_json::json!([]),
        "always present, empty without typos"
    );
    assert!(reply.get("explanation").is_none(), "only with --explain");
    let confidence = reply["confidence"].as_f64().expect("confidence");
    assert!((0.0..=1.0).contains(&confidence));
    let best = &reply["results"][0];
    assert_eq!(best["id"], "fees");
    assert!(best["score"].as_f64().expect("score") > 0.0);
    assert!(best["answer"].as_str().expect("answer").contains("300"));
    assert!(!best["source"].as_str().expect("source").is_empty());
    assert!(best["tags"].is_array());
    assert_eq!(best["reviewed"].as_str().map(str::len), Some(10), "YYYY-MM-DD");
    let rule = &best["rules"][0];
    assert!(
        rule["id"].is_string() && rule["statement"].is_string() && rule["applies_to"].is_array(),
        "{rule}"
    );
    assert_eq!(
        reply["results"].as_array().expect("results").len(),
        4,
        "the answer and three runners-up"
    );
}

#[test]
fn declines_out_of_domain_questions_with_suggestions() {
    let workspace = Workspace::shipped();
    for question in [
        "What's the weather like in Paris today?",
        "How do I send a red packet to a friend?",
    ] {
        let reply = workspace.ask_json(question);
        assert_eq!(reply["answered"], false, "{question}: {reply}");
    }
    let output = workspace.run(&["ask", "Do I need a fax machine?"]);
    assert_eq!(output.code, 0, "a decline is not an error");
    assert_starts_with(&output.stdout, "Sorry, I don't know the answer to that.");
    assert_contains(&output.stdout, "Did you mean:\n  1. ");
    let output = workspace.run(&["ask", "How do I bind my bank card to WeChat Pay?"]);
    assert_eq!(output.code, 0, "an out-of-scope reply is not an error");
    assert_starts_with(
        &output.stdout,
        "That is outside what I cover: WeChat Pay. Payments and merchant accounts are run by WeChat Pay",
    );
    let reply = workspace.ask_json("How do I bind my bank card to WeChat Pay?");
    assert_eq!(
        (&reply["kind"], &reply["answered"]),
        (&serde_json::json!("out_of_scope"), &serde_json::json!(false))
    );
    assert_eq!(reply["out_of_scope"]["id"], "wechat-pay");
    // A fee of WeChat Pay's is WeChat Pay's; paying the verification fee is this knowledge base's.
    let reply = workspace.ask_json("What's the WeChat Pay transaction fee for merchants in Malaysia?");
    assert_eq!(reply["out_of_scope"]["id"], "wechat-pay", "{reply}");
    let reply = workspace.ask_json("Can we pay the verification fee with WeChat Pay?");
    assert_ne!(reply["kind"], "out_of_scope", "{reply}");
}

#[test]
fn facts_the_thread_leaves_open_are_said_plainly_not_guessed() {
    let workspace = Workspace::shipped();
    // What an agency charges is named by an agency and a price together; no amount is given anywhere.
    let reply = workspace.ask_json("How much does an agency charge to set up an account for us?");
    assert_eq!(
        (&reply["kind"], &reply["out_of_scope"]["id"]),
        (&serde_json::json!("out_of_scope"), &serde_json::json!("agency-prices")),
        "{reply}"
    );
    let output = workspace.run(&["ask", "How much does an agency charge to set up an account for us?"]);
    assert_starts_with(
        &output.stdout,
        "That is outside what I cover: what agencies and service providers charge. The thread says only that",
    );
    for (question, topic) in [
        (
            "How many times a day can a subscription account broadcast?",
            "subscription-broadcast-quota",
        ),
        ("How long does it take to hear back after applying?", "application-wait"),
        (
            "Do we need to send the documents again when verification renews?",
            "verification-renewal",
        ),
        ("代理公司注册公众号收多少钱？", "agency-prices"),
    ] {
        let reply = workspace.ask_json(question);
        assert_eq!(reply["out_of_scope"]["id"], topic, "{question}: {reply}");
    }
    // Each idea alone, or a fact the thread does give, is still answered.
    for (question, entry) in [
        ("Can a local agency register an account for us?", "reach-chinese-users"),
        ("Is there a charge to renew verification each year?", "fees"),
        ("How often can a service account broadcast?", "broadcast-quota"),
        (
            "It has been a long time and no reply from bd@wechat.com, what should I do?",
            "application-pending",
        ),
    ] {
        let reply = workspace.ask_json(question);
        assert_eq!(
            (&reply["answered"], &reply["results"][0]["id"]),
            (&serde_json::json!(true), &serde_json::json!(entry)),
            "{question}: {reply}"
        );
    }
}

#[test]
fn chinese_function_words_and_elliptical_questions_are_read_as_meant() {
    let workspace = Workspace::shipped();
    // 本身 ("itself") and 不要 (of 要不要, "is it needed") say nothing of the topic; 钱 is money.
    let reply = workspace.ask_json("注册公众号本身要不要钱？");
    assert_eq!(reply["answered"], true, "{reply}");
    assert_eq!(reply["results"][0]["id"], "fees");
    // "订阅号呢？" asks the question before about subscription accounts: the quota entry answers both.
    let reply = workspace.ask_json("服务号一个月能群发几次？订阅号呢？");
    let parts = reply["parts"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| vec![reply.clone()]);
    let answered: Vec<&str> = parts
        .iter()
        .filter(|part| part["answered"] == true)
        .filter_map(|part| part["results"][0]["id"].as_str())
        .collect();
    assert_eq!(answered, vec!["broadcast-quota"], "{reply}");
}

#[test]
fn an_announced_numbered_list_is_answered_item_by_item() {
    let workspace = Workspace::shipped();
    // "Three quick questions:" announces the list and "1)", "2)" number it: none of them is a word of a question.
    let reply = workspace.ask_json(
        "Three quick questions: 1) can I switch my subscription account to a service account later? 2) is registering free?",
    );
    let answered: Vec<&str> = reply["parts"]
        .as_array()
        .expect("a reply per question")
        .iter()
        .filter(|part| part["answered"] == true)
        .filter_map(|part| part["results"][0]["id"].as_str())
        .collect();
    assert_eq!(answered, vec!["switch-account-type", "fees"], "{reply}");
    // The context before an announcement stays context: "有幾個問題" is cut off it, the list items are asked.
    let reply = workspace.ask_json("我哋喺澳門做手信生意，有幾個問題：1）國際版公眾號大陸啲客睇唔睇到？");
    assert_eq!(reply["answered"], true, "{reply}");
    assert_eq!(reply["results"][0]["id"], "international-accounts");
}

#[test]
fn a_chinese_question_gets_the_chinese_answer_and_interface() {
    let workspace = Workspace::shipped();
    let reply = workspace.ask_json("订阅号可以改成服务号吗？");
    assert_eq!(reply["language"], "zh");
    assert_eq!(reply["results"][0]["id"], "switch-account-type");
    assert!(
        has_han(reply["results"][0]["answer"].as_str().expect("answer")),
        "{reply}"
    );
    let output = workspace.run(&["ask", "个人可以注册服务号吗？"]);
    assert_contains(&output.stdout, "\n规则\n");
    assert_contains(&output.stdout, "\n来源  ");
}

#[test]
fn typos_are_corrected_and_reported() {
    let workspace = Workspace::shipped();
    let reply = workspace.ask_json("can i swich my subscripton offical acount?");
    assert_eq!(reply["results"][0]["id"], "switch-account-type");
    assert_eq!(reply["answered"], true);
    let corrections: Vec<(String, String)> = reply["corrections"]
        .as_array()
        .expect("corrections")
        .iter()
        .map(|c| {
            (
                c["from"].as_str().unwrap_or_default().to_string(),
                c["to"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        corrections.contains(&("swich".to_string(), "switch".to_string())),
        "{corrections:?}"
    );
    assert!(
        corrections.contains(&("subscripton".to_string(), "subscription".to_string())),
        "{corrections:?}"
    );
    assert!(
        corrections.contains(&("offical".to_string(), "official".to_string())),
        "a non-word is corrected though its stem is a knowledge-base word's (office): {corrections:?}"
    );
    let reply = workspace.ask_json("can our wechats be verified?");
    assert_eq!(
        reply["corrections"],
        serde_json::json!([]),
        "an inflection of a knowledge-base word is not a typo"
    );
}

#[test]
fn reads_questions_from_stdin_in_order_in_one_process() {
    let workspace = Workspace::shipped();
    let input = "How much does verification cost?\nWhat's the capital of France?\n订阅号和服务号有什么区别？\n";
    let output = workspace.run_with_input(&["ask", "--json"], Some(input));
    assert_eq!(output.code, 0, "{}", output.stderr);
    let replies = output.json_lines();
    let questions: Vec<&str> = replies
        .iter()
        .map(|r| r["question"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        questions,
        vec![
            "How much does verification cost?",
            "What's the capital of France?",
            "订阅号和服务号有什么区别？"
        ]
    );
    assert_eq!(replies[0]["answered"], true);
    assert_eq!(replies[1]["answered"], false);
    assert_eq!(replies[2]["results"][0]["id"], "account-types");
}

#[test]
fn top_limits_the_results_and_explain_says_why() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["ask", "--json", "--top", "1", "verification cost"]);
    let reply: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    assert_eq!(reply["results"].as_array().expect("results").len(), 1);

    let output = workspace.run(&["ask", "--explain", "verification cost"]);
    assert_contains(&output.stdout, "\nWhy  confidence ");
    assert_contains(&output.stdout, "gap to the runner-up");
    assert!(
        output.stdout.contains("      question  "),
        "matched terms per field: {}",
        output.stdout
    );

    let output = workspace.run(&["ask", "--top", "0", "x"]);
    assert_eq!(output.code, 2, "--top 0 is a usage error");
}

#[test]
fn the_threshold_comes_from_the_flag_then_the_environment_then_faqbot_toml() {
    let workspace = Workspace::shipped();
    let question = "How much does verification cost?";
    let threshold_of = |output: crate::util::Output| {
        assert_eq!(output.code, 0, "{}", output.stderr);
        let reply: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
        let confidence = reply["confidence"].as_f64().expect("confidence");
        let threshold = reply["threshold"].as_f64().expect("threshold");
        assert_eq!(reply["answered"].as_bool(), Some(confidence >= threshold), "{reply}");
        (threshold * 100.0).round() as i64
    };
    assert_eq!(
        threshold_of(workspace.run(&["ask", "--json", question])),
        (f64::from(faqbot::answer::DEFAULT_THRESHOLD) * 100.0).round() as i64,
        "the default"
    );
    workspace.write("faqbot.toml", "threshold = 0.99\n");
    assert_eq!(
        threshold_of(workspace.run(&["ask", "--json", question])),
        99,
        "faqbot.toml"
    );
    assert_eq!(
        threshold_of(workspace.run_with_env(&["ask", "--json", question], &[("FAQBOT_THRESHOLD", "0.7")])),
        70,
        "the environment"
    );
    assert_eq!(
        threshold_of(workspace.run_with_env(
            &["ask", "--json", "--threshold", "0.1", question],
            &[("FAQBOT_THRESHOLD", "0.7")]
        )),
        10,
        "the flag"
    );
    let declined = workspace.run(&[
        "ask",
        "--json",
        "--threshold",
        "1",
        "Which account do I need if I am from Malaysia?",
    ]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&declined.stdout).expect("json")["answered"],
        false
    );

    workspace.write("faqbot.toml", "threshold = 7\n");
    let output = workspace.run(&["ask", question]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "faqbot.toml: threshold must be between 0 and 1");
}

#[test]
fn entries_with_markup_characters_are_shown_as_written() {
    let workspace = Workspace::fixture();
    let reply = workspace.ask_json("Is registration free?");
    assert_eq!(reply["results"][0]["id"], "registration-cost");
    assert_eq!(
        reply["results"][0]["answer"],
        "Registering is **free**. Fees & charges: <none> for registering."
    );
    let output = workspace.run(&["ask", "Is registration free?"]);
    assert_contains(
        &output.stdout,
        "Registering is free. Fees & charges: <none> for registering.",
    );
}

#[test]
fn a_badly_encoded_line_does_not_end_the_batch() {
    let workspace = Workspace::fixture();
    let mut input = b"Is registration free?\n".to_vec();
    input.extend_from_slice(b"\xff\xfe bad bytes\r\n\nCan I switch my account type?\n");
    let output = workspace.run_with_bytes(&["ask", "--json"], &input);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let replies = output.json_lines();
    assert_eq!(
        replies.len(),
        4,
        "one reply per line, blank ones included: {}",
        output.stdout
    );
    assert_eq!(replies[0]["results"][0]["id"], "registration-cost");
    assert_eq!(replies[1]["question"], "\u{fffd}\u{fffd} bad bytes");
    assert_eq!(replies[2]["answered"], false);
    assert_eq!(replies[3]["results"][0]["id"], "account-type");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let workspace = Workspace::shipped();
    let questions = "How much does verification cost?\n".repeat(2_000);
    let output = workspace.run_closing_stdout(&["ask"], &questions);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(output.stderr, "");
}

#[test]
fn crlf_entries_answer_with_plain_newlines() {
    let workspace = Workspace::fixture();
    let entry = workspace.read("faq/account-type.md").replace('\n', "\r\n");
    workspace.write("faq/account-type.md", &format!("{entry}\r\nSecond paragraph.\r\n"));
    let reply = workspace.ask_json("Can I switch my account type?");
    let answer = reply["results"][0]["answer"].as_str().expect("answer");
    assert!(!answer.contains('\r'), "{answer:?}");
    assert!(answer.ends_with("instead.\n\nSecond paragraph."), "{answer:?}");
}

/// Answers speak of "the change on April 15th" without a year: a cited rule with a date shows it, in each language.
#[test]
fn a_cited_rule_shows_when_it_took_effect() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["ask", "How often can a service account broadcast messages?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "the April 15th change. (since April 2014)\n");
    let undated = output
        .stdout
        .lines()
        .find(|line| line.contains("rules-change-often"))
        .expect("the second rule");
    assert!(!undated.contains("since"), "{undated}");
    let output = workspace.run(&["ask", "服务号每月可以群发几次？"]);
    assert_contains(&output.stdout, "（2014年4月起）");
}

#[test]
fn with_log_a_declined_question_is_logged_for_review_and_an_answer_is_not() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["ask", "Do I need a fax machine?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        !workspace.path().join("data").exists(),
        "without --log nothing is written"
    );
    let output = workspace.run_with_input(
        &["ask", "--log"],
        Some("Do I need a fax machine?\nHow much does a WeChat official account cost?\n"),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let declined = faqbot::feedback::read_declined(&workspace.path().join("data")).expect("declined log");
    assert_eq!(declined.records.len(), 1);
    assert_eq!(declined.records[0].question, "Do I need a fax machine?");
    assert_eq!(declined.records[0].nearest.as_deref(), Some("switch-account-type"));
    assert_eq!(declined.records[0].chat.len(), 16);
}

#[test]
fn redirected_stderr_gets_no_escape_codes_unless_asked() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.run(&["index"]).code, 0);
    // A broken faq/ with an index to fall back on: warnings and log lines on stderr.
    workspace.write("faq/account-type.md", "+++\nid = \"account-type\"\nnot toml\n+++\n");
    let output = workspace.run(&["ask", "Is registration free?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stderr, "answering from the last good index");
    assert_eq!(
        output.stderr.matches("last good index").count(),
        1,
        "said once, not also as a log line: {}",
        output.stderr
    );
    assert_eq!(
        output.stderr.matches("invalid TOML").count(),
        1,
        "each problem once: {}",
        output.stderr
    );
    assert!(!output.stderr.contains('\u{1b}'), "{:?}", output.stderr);
    let fresh = Workspace::fixture();
    let output = fresh.run(&["-v", "ask", "Is registration free?"]);
    assert_contains(&output.stderr, "INFO");
    assert!(!output.stderr.contains('\u{1b}'), "{:?}", output.stderr);
    // A first ask rebuilds the index, which is logged at info.
    let output = Workspace::fixture().run(&["-v", "--color", "always", "ask", "Is registration free?"]);
    assert!(
        output.stderr.contains("\u{1b}["),
        "--color always styles the log lines: {:?}",
        output.stderr
    );
    assert!(output.stdout.contains("\u{1b}["), "and the answer");
    let output = fresh.run(&["--color", "never", "ask", "Is registration free?"]);
    assert!(!output.stdout.contains('\u{1b}'));
}
