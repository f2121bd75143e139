//! The teloxide handler tree: decides which updates are for the bot, asks the conversation core, and sends what it says.
//!
//! Generic over the [`Requester`] so that the real bot runs it behind `Throttle` while tests drive it with a
//! plain `Bot` pointed at a stand-in Bot API server. Dependencies: an `Arc<Conversation>` (and `Me`, which the
//! dispatcher adds).

use std::future::{Future, IntoFuture};
use std::sync::Arc;
use std::time::Duration;

use teloxide::RequestError;
use teloxide::dispatching::UpdateHandler;
use teloxide::payloads::{AnswerCallbackQuerySetters, AnswerInlineQuerySetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::requests::Requester;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult, InlineQueryResultArticle, InputMessageContent,
    InputMessageContentText, LinkPreviewOptions, Me, MessageId, ParseMode, ReplyParameters,
};
use teloxide::utils::command::BotCommands;
use tracing::warn;

use super::commands::{AdminCommand, Command};
use super::conversation::{Asker, Conversation, InlineAnswer, Outgoing};
use super::html::{MAX_MESSAGE_LEN, split};
use crate::lang::Language;

pub type HandlerError = Box<dyn std::error::Error + Send + Sync + 'static>;
type HandlerResult = Result<(), HandlerError>;

/// What the handlers need of a bot: the real one behind `Throttle`, or the plain one the tests drive.
pub trait BotApi:
    Requester<Err = RequestError, SendMessage: Send, AnswerCallbackQuery: Send, AnswerInlineQuery: Send>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<B> BotApi for B where
    B: Requester<Err = RequestError, SendMessage: Send, AnswerCallbackQuery: Send, AnswerInlineQuery: Send>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The whole bot: messages (new and edited), button presses and inline queries.
pub fn schema<B>() -> UpdateHandler<HandlerError>
where
    B: BotApi,
{
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message::<B>))
        .branch(Update::filter_edited_message().endpoint(on_message::<B>))
        .branch(Update::filter_callback_query().endpoint(on_button::<B>))
        .branch(Update::filter_inline_query().endpoint(on_inline_query::<B>))
}

/// What a message asks of the bot.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Command(Command),
    Admin(AdminCommand),
    UnknownCommand,
    Question(String),
    NotText,
    /// Group chatter not addressed to the bot.
    Ignore,
}

/// In private chats everything is for the bot; in groups, commands, mentions and replies to the bot are.
pub fn classify(message: &Message, me: &Me, is_admin: bool) -> Incoming {
    let private = message.chat.is_private();
    let replies_to_me = message
        .reply_to_message()
        .and_then(|replied| replied.from.as_ref())
        .is_some_and(|author| author.id == me.id);
    let Some(text) = message.text() else {
        return if private || replies_to_me {
            Incoming::NotText
        } else {
            Incoming::Ignore
        };
    };
    let username = me.username();
    if text.starts_with('/') {
        // Commands ignore case (`/STATS`, `/Help`); their arguments and the bot's name are kept as typed.
        let text = &command_in_lowercase(text);
        if let Ok(command) = Command::parse(text, username) {
            return Incoming::Command(command);
        }
        if let (true, Ok(command)) = (is_admin, AdminCommand::parse(text, username)) {
            return Incoming::Admin(command);
        }
        let addressed_to_me = text
            .split_whitespace()
            .next()
            .and_then(|word| word.split_once('@'))
            .is_some_and(|(_, name)| name.eq_ignore_ascii_case(username));
        // A bare unknown command in a group may be for another bot.
        return if private || addressed_to_me || replies_to_me {
            Incoming::UnknownCommand
        } else {
            Incoming::Ignore
        };
    }
    if private || replies_to_me {
        return Incoming::Question(text.trim().to_string());
    }
    let mention = format!("@{username}");
    match find_ignoring_case(text, &mention) {
        Some(at) => {
            let question = format!("{} {}", &text[..at], &text[at + mention.len()..]);
            let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
            if question.is_empty() {
                Incoming::Command(Command::Help)
            } else {
                Incoming::Question(question)
            }
        }
        None => Incoming::Ignore,
    }
}

/// Byte offset of `needle` in `text`, ignoring ASCII case (usernames are ASCII).
/// `/STATS@MyBot now` → `/stats@MyBot now`: only the command name is lowered.
pub fn command_in_lowercase(text: &str) -> String {
    let end = text.find(|c: char| c == '@' || c.is_whitespace()).unwrap_or(text.len());
    format!("{}{}", text[..end].to_lowercase(), &text[end..])
}

fn find_ignoring_case(text: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    text.as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
        .filter(|&at| text.is_char_boundary(at) && text.is_char_boundary(at + needle.len()))
}

async fn on_message<B>(bot: B, message: Message, me: Me, conversation: Arc<Conversation>) -> HandlerResult
where
    B: BotApi,
{
    let user = message.from.as_ref();
    let asker = Asker {
        chat: message.chat.id.0,
        user: user.map(|user| user.id.0),
    };
    let app_language = language_of_user(user.and_then(|user| user.language_code.as_deref()));
    let replies = match classify(&message, &me, conversation.is_admin(asker.user)) {
        Incoming::Command(command) => conversation.command(command, app_language, asker),
        Incoming::Admin(command) => {
            let conversation = Arc::clone(&conversation);
            // /reload rebuilds the index: off the async threads.
            tokio::task::spawn_blocking(move || conversation.admin(command)).await?
        }
        Incoming::UnknownCommand => conversation.unknown_command(app_language),
        Incoming::Question(question) => {
            let conversation = Arc::clone(&conversation);
            tokio::task::spawn_blocking(move || conversation.question(&question, asker)).await?
        }
        Incoming::NotText => conversation.not_text(app_language),
        Incoming::Ignore => return Ok(()),
    };
    send(&bot, message.chat.id, Some(message.id), &replies).await
}

/// Sends messages in order as Telegram HTML, the first as a reply to `reply_to` (when it still exists). A text
/// too long for one message goes as several, its buttons under the last.
pub async fn send<B>(bot: &B, chat: ChatId, reply_to: Option<MessageId>, messages: &[Outgoing]) -> HandlerResult
where
    B: BotApi,
{
    let mut pieces: Vec<(String, Option<&Outgoing>)> = Vec::new();
    for outgoing in messages {
        let mut html = split(&outgoing.doc.html(), MAX_MESSAGE_LEN);
        if html.is_empty() && !outgoing.keyboard.is_empty() {
            html.push(String::new());
        }
        let last = html.len().saturating_sub(1);
        pieces.extend(
            html.into_iter()
                .enumerate()
                .map(|(index, html)| (html, (index == last).then_some(outgoing))),
        );
    }
    for (number, (html, with_buttons)) in pieces.iter().enumerate() {
        with_retries(|| {
            let mut request = bot
                .send_message(chat, html)
                .parse_mode(ParseMode::Html)
                .link_preview_options(LinkPreviewOptions {
                    is_disabled: true,
                    url: None,
                    prefer_small_media: false,
                    prefer_large_media: false,
                    show_above_text: false,
                });
            if let (0, Some(reply_to)) = (number, reply_to) {
                request = request.reply_parameters(ReplyParameters::new(reply_to).allow_sending_without_reply());
            }
            if let Some(outgoing) = with_buttons.filter(|outgoing| !outgoing.keyboard.is_empty()) {
                request = request.reply_markup(keyboard(outgoing));
            }
            request.into_future()
        })
        .await?;
    }
    Ok(())
}

/// Attempts at one request before its error is logged and the update given up.
const MAX_ATTEMPTS: u32 = 8;
/// The first pause between attempts; each later one doubles, up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const MAX_PAUSE: Duration = Duration::from_secs(8);

/// Retries a request that failed on the network, met a server error (HTTP 5xx, or a reply that is not the Bot
/// API's JSON, as proxies give), or was told to slow down, with pauses growing to `MAX_PAUSE`: about 30 s of
/// trying, beyond teloxide's own 10 s wait after each 5xx. A retried send whose first attempt did reach
/// Telegram shows twice, which beats an answer never shown.
pub async fn with_retries<T, F, Fut>(request: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    retrying(MAX_ATTEMPTS, request).await
}

/// Attempts at answering a button press or an inline query: Telegram lets those expire within seconds, so
/// trying for long is pointless.
const MAX_QUICK_ATTEMPTS: u32 = 3;

/// [`with_retries`] for answers that Telegram only takes for a few seconds.
async fn with_quick_retries<T, F, Fut>(request: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    retrying(MAX_QUICK_ATTEMPTS, request).await
}

async fn retrying<T, F, Fut>(attempts: u32, mut request: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut pause = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        let wait = match request().await {
            Err(RequestError::RetryAfter(seconds)) if attempt < attempts => seconds.duration(),
            Err(error) if attempt < attempts && is_transient(&error) => {
                warn!(%error, attempt, retry_in = ?pause, "sending failed; retrying");
                pause
            }
            outcome => return outcome,
        };
        tokio::time::sleep(wait).await;
        pause = (pause * 2).min(MAX_PAUSE);
        attempt += 1;
    }
}

/// Errors worth another attempt: the network, and the server's own trouble. teloxide keeps no HTTP status, so a
/// 5xx is known by the Bot API's descriptions of one, or by a body that is not its JSON at all.
pub fn is_transient(error: &RequestError) -> bool {
    match error {
        RequestError::Network(_) | RequestError::Io(_) => true,
        // A reply that says it succeeded was delivered, even if teloxide cannot read it: sending again would
        // show the message twice.
        RequestError::InvalidJson { raw, .. } => !raw.replace(' ', "").contains("\"ok\":true"),
        RequestError::Api(teloxide::ApiError::Unknown(description)) => {
            let description = description.to_ascii_lowercase();
            [
                "internal server error",
                "bad gateway",
                "service unavailable",
                "gateway timeout",
                "server error",
                "restart",
            ]
            .iter()
            .any(|known| description.contains(known))
        }
        _ => false,
    }
}

pub fn keyboard(outgoing: &Outgoing) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(outgoing.keyboard.iter().map(|row| {
        row.iter()
            .map(|button| InlineKeyboardButton::callback(button.label.clone(), button.data.clone()))
            .collect::<Vec<_>>()
    }))
}

async fn on_button<B>(bot: B, query: CallbackQuery, conversation: Arc<Conversation>) -> HandlerResult
where
    B: BotApi,
{
    let pressed_on = query.regular_message();
    // The bot's answers reply to the question, so the question travels with the message the button is under.
    let question = pressed_on
        .and_then(|message| message.reply_to_message())
        .filter(|asked| asked.from.as_ref().is_some_and(|author| !author.is_bot))
        .and_then(|asked| asked.text())
        .map(str::to_string);
    let chat = query.message.as_ref().map(|message| message.chat().id);
    let asker = Asker {
        chat: chat.map_or(query.from.id.0 as i64, |chat| chat.0),
        user: Some(query.from.id.0),
    };
    let fallback = language_of_user(query.from.language_code.as_deref());
    let data = query.data.clone().unwrap_or_default();
    let pressed = {
        let conversation = Arc::clone(&conversation);
        tokio::task::spawn_blocking(move || conversation.press(&data, question.as_deref(), asker, fallback)).await?
    };
    with_quick_retries(|| {
        let mut answer = bot.answer_callback_query(query.id.clone());
        if let Some(notice) = &pressed.notice {
            answer = answer.text(notice.clone());
        }
        answer.into_future()
    })
    .await?;
    if let Some(chat) = chat {
        send(&bot, chat, pressed_on.map(|message| message.id), &pressed.messages).await?;
    }
    Ok(())
}

async fn on_inline_query<B>(bot: B, query: InlineQuery, conversation: Arc<Conversation>) -> HandlerResult
where
    B: BotApi,
{
    let text = query.query.clone();
    let answers = tokio::task::spawn_blocking(move || conversation.inline(&text)).await?;
    let results = inline_results(&answers);
    with_quick_retries(|| {
        bot.answer_inline_query(query.id.clone(), results.clone())
            .cache_time(60)
            .into_future()
    })
    .await?;
    Ok(())
}

/// Inline answers as Telegram articles whose message is the full answer in HTML.
pub fn inline_results(answers: &[InlineAnswer]) -> Vec<InlineQueryResult> {
    answers
        .iter()
        .map(|answer| {
            let content = InputMessageContentText::new(answer.html.clone()).parse_mode(ParseMode::Html);
            InlineQueryResult::Article(
                InlineQueryResultArticle::new(
                    answer.id.clone(),
                    answer.title.clone(),
                    InputMessageContent::Text(content),
                )
                .description(answer.description.clone()),
            )
        })
        .collect()
}

/// The interface language for a Telegram user: Chinese when their app is set to Chinese.
pub fn language_of_user(language_code: Option<&str>) -> Language {
    match language_code {
        Some(code) if code.to_ascii_lowercase().starts_with("zh") => Language::Zh,
        _ => Language::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_apps_get_chinese() {
        assert_eq!(language_of_user(Some("zh-hans")), Language::Zh);
        assert_eq!(language_of_user(Some("en")), Language::En);
        assert_eq!(language_of_user(None), Language::En);
    }
}
