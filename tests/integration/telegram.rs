//! The bot's handler tree driven by teloxide_tests' MockBot: commands, answers with their rules, declines, buttons, groups, admins, languages, HTML.

use std::sync::Arc;

use faqbot::Engine;
use faqbot::answer::DEFAULT_THRESHOLD;
use faqbot::feedback::{self, FeedbackLog, Vote};
use faqbot::live::LiveEngine;
use faqbot::search::open_or_build;
use faqbot::telegram::Conversation;
use faqbot::telegram::handlers::{self, HandlerError};
use faqbot::telegram::html::MAX_MESSAGE_LEN;
use faqbot::telegram::text::{EN, ZH};
use teloxide::dptree;
use teloxide::prelude::*;
use teloxide::types::{
    InlineQuery, InlineQueryResult, InputMessageContent, Me, MediaKind, MediaText, MessageKind, ParseMode, ReplyMarkup,
    Update, UpdateId, UpdateKind,
};
use teloxide_tests::mock_bot::DistributionKey;
use teloxide_tests::server::SendMessageTextBody;
use teloxide_tests::{
    MockBot, MockCallbackQuery, MockEditedMessage, MockGroupChat, MockMe, MockMessagePhoto, MockMessageSticker,
    MockMessageText, MockUser,
};

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

fn bot(
    update: impl teloxide_tests::IntoUpdate,
    conversation: &Arc<Conversation>,
) -> MockBot<HandlerError, DistributionKey> {
    let mut bot = MockBot::new(update, handlers::schema::<Bot>());
    bot.dependencies(dptree::deps![Arc::clone(conversation)]);
    bot
}

/// Everything the bot sent, as the requests it made.
async fn sent(update: impl teloxide_tests::IntoUpdate, conversation: &Arc<Conversation>) -> Vec<SendMessageTextBody> {
    let mut bot = bot(update, conversation);
    bot.dispatch().await;
    bot.get_responses()
        .sent_messages_text
        .into_iter()
        .map(|sent| sent.bot_request)
        .collect()
}

fn text(message: &str) -> MockMessageText {
    MockMessageText::new().text(message)
}

fn buttons(request: &SendMessageTextBody) -> Vec<Vec<(String, String)>> {
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
    const TAGS: &[&str] = &["b", "i", "u", "s", "code", "pre", "a", "blockquote"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(['<', '>', '&']) {
        let after = &rest[at..];
        if after.starts_with('>') {
            panic!("bare `>` in {html}");
        } else if after.starts_with('&') {
            let entity = ["&amp;", "&lt;", "&gt;", "&quot;"]
                .iter()
                .find(|entity| after.starts_with(**entity))
                .unwrap_or_else(|| panic!("bare `&` in {html}"));
            rest = &after[entity.len()..];
        } else {
            let end = after.find('>').unwrap_or_else(|| panic!("unclosed tag in {html}"));
            let tag = &after[1..end];
            match tag.strip_prefix('/') {
                Some(name) => assert_eq!(open.pop().as_deref(), Some(name), "unbalanced </{name}> in {html}"),
                None => {
                    let name = tag.split_whitespace().next().unwrap_or_default();
                    assert!(TAGS.contains(&name), "unsupported tag <{tag}> in {html}");
                    open.push(name.to_string());
                }
            }
            rest = &after[end + 1..];
        }
    }
    assert!(open.is_empty(), "unclosed {open:?} in {html}");
}

#[tokio::test]
async fn start_greets_and_offers_three_example_questions() {
    let workspace = Workspace::shipped();
    let sent = sent(text("/start"), &conversation(&workspace)).await;
    assert_eq!(sent.len(), 1);
    assert_starts_with(&sent[0].text, EN.greeting);
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
    assert_eq!(sent[0].text, EN.help);
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
    assert_eq!(rows[0][0].1, "v:e:u:100:fees");
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
    let sent = sent(text("Can I sell tea on WeChat?"), &conversation).await;
    assert_eq!(sent.len(), 1);
    assert_starts_with(&sent[0].text, EN.declined);
    assert_contains(&sent[0].text, EN.did_you_mean);
    let choices = buttons(&sent[0]);
    assert_eq!(choices.len(), 4, "{choices:?}");
    assert_eq!(choices[0][0].1, "a:e:international-accounts");

    let logged = feedback::read_declined(&workspace.path().join("data")).expect("declined log");
    assert_eq!(logged.records.len(), 1);
    let record = &logged.records[0];
    assert_eq!(record.question, "Can I sell tea on WeChat?");
    assert_eq!(record.nearest.as_deref(), Some("international-accounts"));
    assert_eq!(record.chat.len(), 16);
    let chat_id = MockMessageText::new().build().chat.id.0.to_string();
    assert!(!record.chat.contains(&chat_id));
}

#[tokio::test]
async fn a_log_that_cannot_be_written_never_stops_an_answer() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    // A folder where the log file should be makes every append fail.
    std::fs::create_dir_all(workspace.path().join("data").join(feedback::DECLINED_FILE)).expect("blocker");
    std::fs::create_dir_all(workspace.path().join("data").join(feedback::VOTES_FILE)).expect("blocker");
    let sent = sent(text("Can I sell tea on WeChat?"), &conversation).await;
    assert_starts_with(&sent[0].text, EN.declined);
    let mut bot = bot(MockCallbackQuery::new().data("v:e:u:90:fees"), &conversation);
    bot.dispatch().await;
    assert_eq!(
        bot.get_responses().answered_callback_queries[0].text.as_deref(),
        Some(EN.thanks_up)
    );
}

#[tokio::test]
async fn a_question_with_nothing_near_points_to_topics() {
    let workspace = Workspace::shipped();
    let sent = sent(text("What about mini programs?"), &conversation(&workspace)).await;
    assert_eq!(sent[0].text, format!("{}\n\n{}", EN.declined, EN.try_topics));
    assert!(buttons(&sent[0]).is_empty());
}

#[tokio::test]
async fn pressing_a_suggestion_answers_with_that_entry() {
    let workspace = Workspace::shipped();
    let press = MockCallbackQuery::new().data("a:e:verification");
    let mut bot = bot(press, &conversation(&workspace));
    bot.dispatch().await;
    let responses = bot.get_responses();
    assert_eq!(responses.answered_callback_queries.len(), 1);
    let sent = &responses.sent_messages_text;
    assert_eq!(sent.len(), 1);
    assert_contains(&sent[0].bot_request.text, "<b>Rules</b>");
    assert_contains(
        &sent[0].bot_request.text,
        "<b>verification-optional-for-organizations</b>",
    );
    assert_eq!(buttons(&sent[0].bot_request)[0][0].1, "v:e:u:100:verification");
}

#[tokio::test]
async fn a_vote_is_thanked_and_logged() {
    let workspace = Workspace::shipped();
    let press = MockCallbackQuery::new().data("v:e:d:87:fees");
    let mut bot = bot(press, &conversation(&workspace));
    bot.dispatch().await;
    let responses = bot.get_responses();
    assert_eq!(
        responses.answered_callback_queries[0].text.as_deref(),
        Some(EN.thanks_down)
    );
    assert!(responses.sent_messages.is_empty());
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
        let mut bot = bot(MockCallbackQuery::new().data(data), &conversation);
        bot.dispatch().await;
        let responses = bot.get_responses();
        assert_eq!(responses.answered_callback_queries.len(), 1, "{data}");
        assert_eq!(
            responses.answered_callback_queries[0].text.as_deref(),
            Some(EN.stale_button),
            "{data}"
        );
        assert!(responses.sent_messages.is_empty(), "{data}");
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

    // Through the handler tree: the mock server has no answerInlineQuery, so this shows only that an inline
    // query is routed and handled without a crash or a stray message.
    let update = Update {
        id: UpdateId(1),
        kind: UpdateKind::InlineQuery(InlineQuery {
            id: "inline-1".into(),
            from: MockUser::new().build(),
            query: "verification fee".into(),
            offset: String::new(),
            chat_type: None,
            location: None,
        }),
    };
    let mut bot = bot(update, &conversation);
    bot.dispatch().await;
    assert!(bot.get_responses().sent_messages.is_empty());
}

/// The same message with other text, as an edit makes it.
fn edited_to(original: &Message, new_text: &str) -> Message {
    let mut edited = original.clone();
    if let MessageKind::Common(common) = &mut edited.kind {
        common.media_kind = MediaKind::Text(MediaText {
            text: new_text.to_string(),
            entities: Vec::new(),
            link_preview_options: None,
        });
    }
    MockEditedMessage::new(edited).message().clone()
}

fn group_message(message: &str) -> MockMessageText {
    text(message).chat(MockGroupChat::new().build())
}

#[tokio::test]
async fn in_groups_it_answers_mentions_replies_and_commands_and_ignores_chatter() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    let mention = format!("@{} {FEES}", MockMe::USERNAME);
    let answered = sent(group_message(&mention), &conversation).await;
    assert_starts_with(&answered[0].text, &format!("<b>{FEES}</b>"));

    assert!(sent(group_message(FEES), &conversation).await.is_empty(), "chatter");
    assert!(
        sent(group_message("/weather"), &conversation).await.is_empty(),
        "another bot's command"
    );

    let ask = sent(group_message(&format!("/ask {FEES}")), &conversation).await;
    assert_starts_with(&ask[0].text, &format!("<b>{FEES}</b>"));

    let me: Me = MockMe::new().build();
    let own_message = MockMessageText::new()
        .text("an earlier answer")
        .from(me.user.clone())
        .build();
    let reply = group_message(FEES).reply_to_message(Box::new(own_message));
    let answered = sent(reply, &conversation).await;
    assert_starts_with(&answered[0].text, &format!("<b>{FEES}</b>"));

    let someone_else = MockMessageText::new().text("hi").build();
    let reply = group_message(FEES).reply_to_message(Box::new(someone_else));
    assert!(sent(reply, &conversation).await.is_empty(), "a reply to someone else");
}

#[tokio::test]
async fn non_text_messages_get_a_note_and_edited_messages_are_answered_again() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    for sent in [
        sent(MockMessageSticker::new(), &conversation).await,
        sent(MockMessagePhoto::new(), &conversation).await,
    ] {
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].text, EN.not_text);
    }
    // The mock server only edits messages it has seen, so the original comes first in the same dispatch.
    let original = text("What about mini programs?").build();
    let edited = edited_to(&original, FEES);
    let updates = vec![
        Update {
            id: UpdateId(1),
            kind: UpdateKind::Message(original),
        },
        Update {
            id: UpdateId(2),
            kind: UpdateKind::EditedMessage(edited),
        },
    ];
    let answered = sent(updates, &conversation).await;
    assert_eq!(answered.len(), 2);
    assert_starts_with(&answered[0].text, EN.declined);
    assert_starts_with(&answered[1].text, &format!("<b>{FEES}</b>"));
}

#[tokio::test]
async fn admin_commands_answer_admins_only() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    let admin = MockUser::new().id(ADMIN).build();
    for command in ["/stats", "/unanswered", "/reload"] {
        let stranger = sent(text(command), &conversation).await;
        assert_eq!(stranger.len(), 1);
        assert_eq!(stranger[0].text, EN.unknown_command, "{command}");
        let unknown = sent(text("/nonsense"), &conversation).await;
        assert_eq!(stranger[0].text, unknown[0].text, "no hint that {command} exists");
    }
    sent(text("Can I sell tea on WeChat?"), &conversation).await;
    let stats = sent(text("/stats").from(admin.clone()), &conversation).await;
    assert_contains(&stats[0].text, "declined 1");
    assert_contains(&stats[0].text, "1 × Can I sell tea on WeChat?");
    let unanswered = sent(text("/unanswered").from(admin.clone()), &conversation).await;
    assert_contains(&unanswered[0].text, "Can I sell tea on WeChat?");
    let reload = sent(text("/reload").from(admin), &conversation).await;
    assert_contains(&reload[0].text, "up to date");
}

#[tokio::test]
async fn reload_tells_the_admin_which_file_is_broken_and_keeps_answering() {
    let workspace = Workspace::shipped();
    let conversation = conversation(&workspace);
    workspace.write("faq/fees.md", "+++\nid = \"fees\"\nnot toml at all\n+++\n");
    let admin = MockUser::new().id(ADMIN).build();
    let reload = sent(text("/reload").from(admin), &conversation).await;
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
fn the_command_menu_comes_from_the_doc_comments_and_hides_admin_commands() {
    let menu = <faqbot::telegram::commands::Command as teloxide::utils::command::BotCommands>::bot_commands();
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
    let admin = MockUser::new().id(ADMIN).build();
    let stats = sent(text("/STATS").from(admin), &conversation).await;
    assert_contains(&stats[0].text, "declined 0");
    let help = sent(text("/Help"), &conversation).await;
    let lower = sent(text("/help"), &conversation).await;
    assert_eq!(help[0].text, lower[0].text);
    let stranger = sent(text("/STATS"), &conversation).await;
    assert_eq!(stranger[0].text, EN.unknown_command);
}
