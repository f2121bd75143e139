//! The bot's handler tree, driven with real updates against a stand-in Bot API server: commands, answers with their rules, declines, buttons, groups, admins, languages, HTML.

use std::ops::ControlFlow;
use std::sync::Arc;

use faqbot::Engine;
use faqbot::answer::DEFAULT_THRESHOLD;
use faqbot::feedback::{self, FeedbackLog, Vote};
use faqbot::live::LiveEngine;
use faqbot::present::Doc;
use faqbot::present::text::{EN, ZH};
use faqbot::search::open_or_build;
use faqbot::telegram::Conversation;
use faqbot::telegram::handlers;
use faqbot::telegram::html::MAX_MESSAGE_LEN;
use teloxide::dptree;
use teloxide::prelude::*;
use teloxide::types::{InlineQueryResult, InputMessageContent, Me, ParseMode, ReplyMarkup, Update};

use crate::bot_api::{self, BOT_USERNAME, Received, SentMessage};
use crate::util::{Workspace, assert_contains, assert_starts_with};

const ADMIN: u64 = 4242;
const FEES: &str = "How much does a WeChat official account cost?";

/// A conversation over the workspace's faq/, logging to its data/, with one admin.
fn conversation(workspace: &Workspace) -> Arc<Conversation> {
    let opened = open_or_build(&workspace.faq(), &workspace.index(), false).expect("index builds");
    let live = LiveEngine::new(
        Engine::new(opened.index, DEFAULT_THRESHOLD),
        &workspace.faq(),
        &workspace.index(),
    );
    let feedback = FeedbackLog::open(&workspace.path().join("data")).expect("data dir");
    Arc::new(Conversation::new(Arc::new(live), Some(feedback), [ADMIN].into()))
}

/// Runs the handler tree on `updates` in order, with a real `Bot` talking to a stand-in Bot API server, and
/// returns every request the bot made.
async fn dispatch(updates: Vec<Update>, conversation: &Arc<Conversation>) -> Received {
    let (url, received) = bot_api::start();
    let bot = Bot::new("7012345678:AAHandlerTestsToken").set_api_url(url.parse().expect("the server's url"));
    let me: Me = serde_json::from_value(bot_api::me_json()).expect("Me");
    let handler = handlers::schema::<Bot>();
    for update in updates {
        let outcome = handler
            .dispatch(dptree::deps![bot.clone(), update, Arc::clone(conversation), me.clone()])
            .await;
        match outcome {
            ControlFlow::Break(Ok(())) => {}
            ControlFlow::Break(Err(error)) => panic!("the handler failed: {error}"),
            ControlFlow::Continue(_) => {}
        }
    }
    received
}

/// Every message the bot sent in reply to one message.
async fn sent(message: serde_json::Value, conversation: &Arc<Conversation>) -> Vec<SentMessage> {
    let received = dispatch(vec![bot_api::update("message", message)], conversation).await;
    bot_api::sent_messages(&received)
}

/// What the bot answered to a button press (the callback query's notice), and the messages it sent.
async fn pressed(data: &str, conversation: &Arc<Conversation>) -> (Vec<Option<String>>, Vec<SentMessage>) {
    let received = dispatch(
        vec![bot_api::update("callback_query", bot_api::press(data))],
        conversation,
    )
    .await;
    let notices = bot_api::requests(&received, "answerCallbackQuery")
        .iter()
        .map(|body| body["text"].as_str().map(str::to_string))
        .collect();
    (notices, bot_api::sent_messages(&received))
}

fn text(message: &str) -> serde_json::Value {
    bot_api::text(message)
}

fn from_admin(message: serde_json::Value) -> serde_json::Value {
    bot_api::from(message, bot_api::user(ADMIN))
}

fn buttons(request: &SentMessage) -> Vec<Vec<(String, String)>> {
    match &request.reply_markup {
        Some(ReplyMarkup::InlineKeyboard(markup)) => markup
            .inline_keyboard
            .iter()
            .map(|row| {
                row.iter()
                    .map(|button| {
                        let data = match &button.kind {
                            teloxide::types::InlineKeyboardButtonKind::CallbackData(data) => data.clone(),
                            other => panic!("not a callback button: {other:?}"),
                        };
                        (button.text.clone(), data)
                    })
                    .collect()
            })
            .collect(),
        None => Vec::new(),
        Some(other) => panic!("not an inline keyboard: {other:?}"),
    }
}

/// What Telegram's HTML parser accepts: only its tags, balanced, and no bare `<`, `>` or `&` in the text.
#[track_caller]
fn assert_valid_telegram_html(html: &str) {
    if let Err(problem) = faqbot::present::sink::check_telegram_html(html) {
        panic!("{problem}");
    }
}

#[tokio::test]
async fn start_greets_and_offers_three_example_questions() {
    let workspace = Workspace::shipped();
    let sent = sent(text("/start"), &conversation(&workspace)).await;
    assert_eq!(sent.len(), 1);
    assert_starts_with(&sent[0].text, &Doc::from_markdown(EN.greeting).html());
    assert_eq!(sent[0].parse_mode, Some(ParseMode::Html));
    let examples = buttons(&sent[0]);
    assert_eq!(examples.len(), 3, "{examples:?}");
    assert!(
        examples
            .iter()
            .all(|row| row.len() == 1 && row[0].1.starts_with("a:e:"))
    );
}

#[tokio::test]
async fn help_explains_the_commands() {
    let workspace = Workspace::shipped();
    let sent = sent(text("/help"), &conversation(&workspace)).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text, EN.help().html());
}

#[tokio::test]
async fn an_answer_cites_its_rules_and_source_with_feedback_and_related_buttons() {
    let workspace = Workspace::shipped();
    let sent = sent(text(FEES), &conversation(&workspace)).await;
    assert_eq!(sent.len(), 1);
    let answer = &sent[0];
    assert_starts_with(&answer.text, &format!("<b>{FEES}</b>\n\n<b>Registering is free.</b>"));
    assert_contains(&answer.text, "\n\n<b>Rules</b>\n• <b>registration-free</b> – ");
    assert_contains(&answer.text, "<b>verification-fee-300-rmb</b>");
    assert_contains(
        &answer.text,
        "\n\n<b>Source:</b> Reply by Grata to Alessandra (comment 7)",
    );
    assert_valid_telegram_html(&answer.text);
    assert!(answer.reply_parameters.is_some(), "answers reply to the question");
    let rows = buttons(answer);
    assert_eq!(
        rows[0].iter().map(|(label, _)| label.as_str()).collect::<Vec<_>>(),
        [EN.vote_up, EN.vote_down]
    );
    let vote = &rows[0][0].1;
    assert!(
        vote.starts_with("v:e:u:") && vote.ends_with(":fees"),
        "a 👍 on fees with its confidence: {vote}"
    );
    assert!((2..=4).contains(&rows.len()), "up to 3 related questions: {rows:?}");
    assert!(
        rows[1..]
            .iter()
            .all(|row| row.len() == 1 && row[0].1.starts_with("a:e:"))
    );
}

#[tokio::test]
async fn a_decline_is_polite_offers_did_you_mean_and_is_logged_without_the_chat_id() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    let sent = sent(text("Do I need a fax machine?"), &conversation).await;
    assert_eq!(sent.len(), 1);
    assert_starts_with(&sent[0].text, EN.declined);
    assert_contains(&sent[0].text, EN.did_you_mean);
    let choices = buttons(&sent[0]);
    assert_eq!(choices.len(), 4, "{choices:?}");
    assert_eq!(choices[0][0].1, "a:e:switch-account-type");

    let logged = feedback::read_declined(&workspace.path().join("data")).expect("declined log");
    assert_eq!(logged.records.len(), 1);
    let record = &logged.records[0];
    assert_eq!(record.question, "Do I need a fax machine?");
    assert_eq!(
        record.nearest.as_deref(),
        Some("switch-account-type"),
        "the first choice"
    );
    assert_eq!(record.chat.len(), 16);
    assert!(!record.chat.contains(&bot_api::USER.to_string()));
}

#[tokio::test]
async fn a_log_that_cannot_be_written_never_stops_an_answer() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    // A folder where the log file should be makes every append fail.
    std::fs::create_dir_all(workspace.path().join("data").join(feedback::DECLINED_FILE)).expect("blocker");
    std::fs::create_dir_all(workspace.path().join("data").join(feedback::VOTES_FILE)).expect("blocker");
    let sent = sent(text("Do I need a fax machine?"), &conversation).await;
    assert_starts_with(&sent[0].text, EN.declined);
    let (notices, _) = pressed("v:e:u:90:fees", &conversation).await;
    assert_eq!(notices, [Some(EN.thanks_up.to_string())]);
}

#[tokio::test]
async fn a_question_with_nothing_near_points_to_topics() {
    let workspace = Workspace::shipped();
    let sent = sent(text("What is the weather in Paris?"), &conversation(&workspace)).await;
    assert_eq!(sent[0].text, format!("{}\n\n{}", EN.declined, EN.try_topics));
    assert!(buttons(&sent[0]).is_empty());
}

#[tokio::test]
async fn pressing_a_suggestion_answers_with_that_entry() {
    let workspace = Workspace::shipped();
    let (notices, sent) = pressed("a:e:verification", &conversation(&workspace)).await;
    assert_eq!(notices.len(), 1);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].chat_id, bot_api::USER as i64);
    assert_contains(&sent[0].text, "<b>Rules</b>");
    assert_contains(&sent[0].text, "<b>verification-optional-for-organizations</b>");
    assert_eq!(buttons(&sent[0])[0][0].1, "v:e:u:100:verification");
}

#[tokio::test]
async fn a_vote_is_thanked_and_logged() {
    let workspace = Workspace::shipped();
    let (notices, sent) = pressed("v:e:d:87:fees", &conversation(&workspace)).await;
    assert_eq!(notices, [Some(EN.thanks_down.to_string())]);
    assert!(sent.is_empty());
    let votes = feedback::read_votes(&workspace.path().join("data")).expect("votes log");
    assert_eq!(votes.records.len(), 1);
    assert_eq!(votes.records[0].entry, "fees");
    assert_eq!(votes.records[0].vote, Vote::Down);
    assert!((votes.records[0].confidence - 0.87).abs() < 1e-6);
}

#[tokio::test]
async fn unknown_or_stale_button_data_is_answered_politely() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    for data in ["not ours", "a:e:an-entry-that-was-removed", "v:e:u:500:fees"] {
        let (notices, sent) = pressed(data, &conversation).await;
        assert_eq!(notices, [Some(EN.stale_button.to_string())], "{data}");
        assert!(sent.is_empty(), "{data}");
    }
}

#[tokio::test]
async fn inline_queries_return_up_to_ten_articles() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    let answers = conversation.inline("verification fee");
    assert!(!answers.is_empty() && answers.len() <= 10);
    assert_eq!(answers[0].id, "fees");
    let results = handlers::inline_results(&answers);
    let InlineQueryResult::Article(article) = &results[0] else {
        panic!("an article");
    };
    assert_eq!(article.title, FEES);
    let InputMessageContent::Text(content) = &article.input_message_content else {
        panic!("a text message");
    };
    assert_eq!(content.parse_mode, Some(ParseMode::Html));
    assert_contains(&content.message_text, "<b>Rules</b>");
    assert_valid_telegram_html(&content.message_text);
    assert_eq!(conversation.inline("").len(), 10, "an empty query lists topics");

    // Through the handler tree: the query is answered with the same articles, and no message is sent.
    let received = dispatch(
        vec![bot_api::update(
            "inline_query",
            bot_api::inline_query("verification fee"),
        )],
        &conversation,
    )
    .await;
    let answered = bot_api::requests(&received, "answerInlineQuery");
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0]["inline_query_id"], "inline-1");
    assert_eq!(answered[0]["results"][0]["id"], "fees");
    assert_eq!(answered[0]["results"].as_array().map(Vec::len), Some(answers.len()));
    assert!(bot_api::sent_messages(&received).is_empty());
}

fn group_message(message: &str) -> serde_json::Value {
    bot_api::in_group(text(message))
}

#[tokio::test]
async fn in_groups_it_answers_mentions_replies_and_commands_and_ignores_chatter() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    let mention = format!("@{BOT_USERNAME} {FEES}");
    let answered = sent(group_message(&mention), &conversation).await;
    assert_starts_with(&answered[0].text, &format!("<b>{FEES}</b>"));

    assert!(sent(group_message(FEES), &conversation).await.is_empty(), "chatter");
    assert!(
        sent(group_message("/weather"), &conversation).await.is_empty(),
        "another bot's command"
    );

    let ask = sent(group_message(&format!("/ask {FEES}")), &conversation).await;
    assert_starts_with(&ask[0].text, &format!("<b>{FEES}</b>"));

    let own_message = bot_api::from(bot_api::in_group(text("an earlier answer")), bot_api::me_json());
    let reply = bot_api::replying_to(group_message(FEES), own_message);
    let answered = sent(reply, &conversation).await;
    assert_starts_with(&answered[0].text, &format!("<b>{FEES}</b>"));

    let someone_else = bot_api::from(bot_api::in_group(text("hi")), bot_api::user(77));
    let reply = bot_api::replying_to(group_message(FEES), someone_else);
    assert!(sent(reply, &conversation).await.is_empty(), "a reply to someone else");
}

#[tokio::test]
async fn non_text_messages_get_a_note_and_edited_messages_are_answered_again() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    for sent in [
        sent(bot_api::sticker(), &conversation).await,
        sent(bot_api::photo(), &conversation).await,
    ] {
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].text, EN.not_text);
    }
    let mut edited = text(FEES);
    edited["edit_date"] = serde_json::json!(1_700_000_060);
    let updates = vec![
        bot_api::update("message", text("What is the weather in Paris?")),
        bot_api::update("edited_message", edited),
    ];
    let answered = bot_api::sent_messages(&dispatch(updates, &conversation).await);
    assert_eq!(answered.len(), 2);
    assert_starts_with(&answered[0].text, EN.declined);
    assert_starts_with(&answered[1].text, &format!("<b>{FEES}</b>"));
}

#[tokio::test]
async fn admin_commands_answer_admins_only() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    for command in ["/stats", "/unanswered", "/reload"] {
        let stranger = sent(text(command), &conversation).await;
        assert_eq!(stranger.len(), 1);
        assert_eq!(stranger[0].text, EN.unknown_command, "{command}");
        let unknown = sent(text("/nonsense"), &conversation).await;
        assert_eq!(stranger[0].text, unknown[0].text, "no hint that {command} exists");
    }
    sent(text("Do I need a fax machine?"), &conversation).await;
    let stats = sent(from_admin(text("/stats")), &conversation).await;
    assert_contains(&stats[0].text, "declined 1");
    assert_contains(&stats[0].text, "1 × Do I need a fax machine?");
    let unanswered = sent(from_admin(text("/unanswered")), &conversation).await;
    assert_contains(&unanswered[0].text, "Do I need a fax machine?");
    let reload = sent(from_admin(text("/reload")), &conversation).await;
    assert_contains(&reload[0].text, "up to date");
}

#[tokio::test]
async fn reload_tells_the_admin_which_file_is_broken_and_keeps_answering() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    workspace.write("faq/fees.md", "+++\nid = \"fees\"\nnot toml at all\n+++\n");
    let reload = sent(from_admin(text("/reload")), &conversation).await;
    assert_contains(&reload[0].text, "<b>faq/ could not be loaded</b>");
    assert_contains(&reload[0].text, "fees.md");
    assert_contains(&reload[0].text, "The last good index keeps serving.");
    assert_valid_telegram_html(&reload[0].text);
    let answer = sent(text(FEES), &conversation).await;
    assert_starts_with(&answer[0].text, &format!("<b>{FEES}</b>"));
}

#[tokio::test]
async fn a_chinese_question_gets_the_chinese_answer_and_interface() {
    let workspace = Workspace::shipped();
    let sent = sent(text("订阅号可以改成服务号吗？"), &conversation(&workspace)).await;
    let answer = &sent[0];
    assert_contains(&answer.text, "不可以");
    assert_contains(&answer.text, &format!("<b>{}</b>", ZH.rules));
    assert_contains(&answer.text, &format!("<b>{}:</b>", ZH.source));
    let rows = buttons(answer);
    assert_eq!(rows[0][0].0, ZH.vote_up);
    assert!(rows[0][0].1.starts_with("v:z:"));
}

/// The fixture faq/ plus one entry whose answer, question and source are full of HTML's special characters.
fn workspace_with_entry(id: &str, answer: &str) -> Workspace {
    let workspace = Workspace::fixture();
    workspace.write(
        &format!("faq/{id}.md"),
        &format!(
            "+++\nid = \"{id}\"\nquestions = [\"Is <b>bold</b> & more > less?\"]\nrules = [\"registration-free\"]\nsource = \"Thread <3 & co\"\nreviewed = 2026-11-23\n+++\n\n{answer}\n"
        ),
    );
    workspace
}

#[tokio::test]
async fn html_from_faq_is_escaped() {
    let workspace = workspace_with_entry("escaping", "Use <b>tags</b> & entities > plain text, **really**.");
    let sent = sent(text("Is <b>bold</b> & more > less?"), &conversation(&workspace)).await;
    let html = &sent[0].text;
    assert_starts_with(html, "<b>Is &lt;b&gt;bold&lt;/b&gt; &amp; more &gt; less?</b>");
    assert_contains(
        html,
        "Use &lt;b&gt;tags&lt;/b&gt; &amp; entities &gt; plain text, <b>really</b>.",
    );
    assert_contains(html, "<b>Source:</b> Thread &lt;3 &amp; co");
    assert_valid_telegram_html(html);
}

#[tokio::test]
async fn long_answers_are_split_into_messages_telegram_accepts() {
    let paragraph = "Verification takes **several days** & needs <documents>. ".repeat(12);
    let answer = [paragraph.trim(); 12].join("\n\n");
    let workspace = workspace_with_entry("long-answer", &answer);
    let conversation = conversation(&workspace);
    let sent = sent(text("Is <b>bold</b> & more > less?"), &conversation).await;
    assert!(sent.len() >= 2, "{} message(s)", sent.len());
    for (number, message) in sent.iter().enumerate() {
        assert!(
            message.text.encode_utf16().count() <= MAX_MESSAGE_LEN,
            "message {number} is {} long",
            message.text.len()
        );
        assert_valid_telegram_html(&message.text);
        let last = number == sent.len() - 1;
        assert_eq!(
            !buttons(message).is_empty(),
            last,
            "buttons only under the last message"
        );
    }
    assert_contains(&sent[sent.len() - 1].text, "<b>Source:</b>");
    let shown: usize = sent.iter().map(|m| m.text.matches("several days").count()).sum();
    assert_eq!(shown, 12 * 12, "no text lost between messages");

    // An inline result is one message: the answer is cut, its rules and source are not.
    let inline = conversation.inline("Is bold more less?");
    let long = inline
        .iter()
        .find(|answer| answer.id == "long-answer")
        .expect("the long entry");
    assert!(long.html.encode_utf16().count() <= MAX_MESSAGE_LEN);
    assert_contains(&long.html, "…\n\n<b>Rules</b>\n• <b>registration-free</b>");
    assert_contains(&long.html, "<b>Source:</b> Thread &lt;3 &amp; co");
    assert_valid_telegram_html(&long.html);
}

#[test]
fn the_command_menu_comes_from_the_text_table_and_hides_admin_commands() {
    let menu = faqbot::telegram::commands::menu();
    let listed: Vec<(&str, &str)> = menu
        .iter()
        .map(|command| (command.command.trim_start_matches('/'), command.description.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("start", "What I know about, with example questions"),
            ("help", "How to ask me things"),
            ("topics", "Every question I can answer"),
            ("rules", "The account rules my answers cite"),
            ("rule", "One account rule: /rule ID"),
            ("ask", "Ask a question (in groups): /ask QUESTION"),
        ]
    );
}

#[tokio::test]
async fn commands_ignore_case_for_admins_and_everyone() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    let stats = sent(from_admin(text("/STATS")), &conversation).await;
    assert_contains(&stats[0].text, "declined 0");
    let help = sent(text("/Help"), &conversation).await;
    let lower = sent(text("/help"), &conversation).await;
    assert_eq!(help[0].text, lower[0].text);
    let stranger = sent(text("/STATS"), &conversation).await;
    assert_eq!(stranger[0].text, EN.unknown_command);
}
