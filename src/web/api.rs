//! The JSON API of the web channel, and the health, readiness and metrics endpoints beside it.
//!
//! | endpoint | what it does |
//! |---|---|
//! | `POST /api/ask` `{"question", "top"?}` | Exactly the object `faqbot ask --json` prints (the engine's [`crate::Reply`]). |
//! | `POST /api/chat` `{"session", "text"}` | What the bot says to a message: its messages as page HTML, with buttons. |
//! | `POST /api/chat` `{"session", "action", "question"?}` | Presses a button (an answer, a suggestion, 👍/👎). |
//! | `GET /api/entries`, `GET /api/rules`, `GET /api/rules/{id}` | The catalogue. |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | Alive; index open; Prometheus text. |
//!
//! Every error is `{"error": "…"}` with its status: 400 for a body that is not the JSON asked for, 413 over
//! [`super::MAX_BODY_BYTES`], 429 with `Retry-After` over the rate limit, 503 while the index is not open. A
//! session is any string the page picks (the widget keeps a random one for the tab); it is hashed and salted
//! like a Telegram chat id before it reaches a log. Button actions are the Telegram bot's callback data: opaque
//! to the page, self-contained, and checked when pressed, so they work after a restart and on any replica.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use teloxide::utils::command::BotCommands;

use super::{MAX_BODY_BYTES, Web};
use crate::answer::{Ask, DEFAULT_RESULTS};
use crate::lang::Language;
use crate::present::{listing, page};
use crate::telegram::callback::Action;
use crate::telegram::commands::Command;
use crate::telegram::{Asker, Conversation, Outgoing};

/// The most results `/api/ask` returns, as `faqbot ask --top`.
const MAX_TOP: usize = 50;
/// The longest session name a page may pick.
const MAX_SESSION_BYTES: usize = 128;

/// An error as the API reports it: `{"error": message}` with `status`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_ready() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the index is being opened, or the server is stopping",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "error": self.message }))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A JSON body whose every rejection (not JSON, the wrong fields, too large, no `Content-Type`) is an [`ApiError`].
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            status,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        );
    }
    // A body that is JSON but not the object asked for is a bad request too: one status for every bad body.
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    ApiError::new(status, rejection.body_text())
}

/// The API's routes and the health endpoints; the rate limit covers `/api/` only.
pub fn routes(web: Arc<Web>) -> Router<Arc<Web>> {
    let api = Router::new()
        .route("/api/ask", post(ask))
        .route("/api/chat", post(chat))
        .route("/api/entries", get(entries))
        .route("/api/rules", get(rules))
        .route("/api/rules/{id}", get(rule))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .route_layer(middleware::from_fn_with_state(web, rate_limit));
    Router::new()
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn rate_limit(State(web): State<Arc<Web>>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
    match web.limit.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            web.metrics.rate_limited();
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            ApiError {
                retry_after: Some(seconds.max(1)),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many requests from this address; try again in {} s", seconds.max(1)),
                )
            }
            .into_response()
        }
    }
}

async fn not_found(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such endpoint: {} {}", request.method(), request.uri().path()),
    )
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed on {}", request.method(), request.uri().path()),
    )
}

fn ready(web: &Web) -> Result<Arc<Conversation>, ApiError> {
    web.conversation().cloned().ok_or_else(ApiError::not_ready)
}

/// Runs engine work off the async workers: a first Chinese question loads the segmenter, and logs are files.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "an answer failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the answer failed; please try again")
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    pub question: String,
    pub top: Option<usize>,
}

async fn ask(State(web): State<Arc<Web>>, ApiJson(request): ApiJson<AskRequest>) -> Result<Response, ApiError> {
    let conversation = ready(&web)?;
    let results = request.top.unwrap_or(DEFAULT_RESULTS);
    if !(1..=MAX_TOP).contains(&results) {
        return Err(ApiError::bad_request(format!("top must be between 1 and {MAX_TOP}")));
    }
    let started = Instant::now();
    let language = Language::of(&request.question);
    let engine = conversation.live().current();
    let answered = blocking(move || {
        engine.ask(
            &request.question,
            Ask {
                results,
                explain: false,
            },
        )
    })
    .await?;
    match answered {
        Ok(reply) => {
            web.metrics
                .question(reply.language, Some(reply.kind), started.elapsed());
            // The very serializer of `faqbot ask --json`: serde's, of the engine's reply.
            Ok(Json(reply).into_response())
        }
        Err(error) => {
            web.metrics.question(language, None, started.elapsed());
            tracing::warn!(error = %crate::error_chain::error_chain(&error), "the engine could not answer");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the engine could not answer; please try again",
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// Any string naming the conversation (the widget keeps a random one per tab).
    pub session: String,
    /// A message typed by the user: a question, or a command such as `/start` or `/topics`.
    pub text: Option<String>,
    /// A button's action, as the API gave it.
    pub action: Option<String>,
    /// With an action: the question the pressed message answered, for the votes log.
    pub question: Option<String>,
    /// The page's language (`en` or `zh`), for commands and for buttons that no longer work.
    pub language: Option<String>,
}

/// What the bot says back: its messages and, after a press, a short notice ("Thanks!").
#[derive(Debug, Serialize)]
pub struct ChatResponse {
    pub language: Language,
    pub notice: Option<String>,
    pub messages: Vec<Message>,
}

#[derive(Debug, Serialize)]
pub struct Message {
    /// Page HTML, everything from faq/ and the user escaped ([`crate::present::page`]).
    pub html: String,
    /// Rows of buttons.
    pub buttons: Vec<Vec<ButtonJson>>,
}

#[derive(Debug, Serialize)]
pub struct ButtonJson {
    pub label: String,
    /// Sent back as `action` to press the button.
    pub action: String,
    /// `vote` for 👍/👎, `answer` for a suggestion, a "did you mean" or a topic.
    pub kind: &'static str,
}

impl From<&Outgoing> for Message {
    fn from(outgoing: &Outgoing) -> Self {
        Self {
            html: page::render(&outgoing.doc),
            buttons: outgoing
                .keyboard
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|button| ButtonJson {
                            label: button.label.clone(),
                            action: button.data.clone(),
                            kind: match Action::decode(&button.data) {
                                Some(Action::Vote { .. }) => "vote",
                                _ => "answer",
                            },
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

/// The chat id a session stands for: the first bytes of a hash of its name, salted again before any log sees it.
fn session_chat(session: &str) -> i64 {
    named_chat("web session", session)
}

/// The chat id that a name of one `kind` (a web session, a WeChat OpenID) stands for: the first bytes of a hash,
/// salted and hashed again before any log sees it, so that a log never holds the name.
pub(crate) fn named_chat(kind: &str, name: &str) -> i64 {
    let hex = crate::digest::sha256_hex(&[b"faqbot ", kind.as_bytes(), b"\0", name.as_bytes()], 8);
    u64::from_str_radix(&hex, 16).map_or(0, |bits| i64::from_le_bytes(bits.to_le_bytes()))
}

fn page_language(hint: Option<&str>) -> Language {
    match hint {
        Some(code) if code.trim().to_ascii_lowercase().starts_with("zh") => Language::Zh,
        _ => Language::En,
    }
}

async fn chat(
    State(web): State<Arc<Web>>,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<Json<ChatResponse>, ApiError> {
    let conversation = ready(&web)?;
    if request.session.trim().is_empty() || request.session.len() > MAX_SESSION_BYTES {
        return Err(ApiError::bad_request(format!(
            "session must be a non-empty string of at most {MAX_SESSION_BYTES} bytes"
        )));
    }
    let asker = Asker {
        chat: session_chat(&request.session),
        // Nobody on the web is an admin: /stats and /reload are for the bot's admins and the terminal.
        user: None,
    };
    let fallback = page_language(request.language.as_deref());
    let response = match (request.text, request.action) {
        (Some(text), None) => {
            let text = text.trim().to_string();
            if text.is_empty() {
                return Err(ApiError::bad_request("text is empty"));
            }
            let metrics_web = Arc::clone(&web);
            blocking(move || say(&conversation, &metrics_web, &text, fallback, asker)).await?
        }
        (None, Some(action)) => {
            let question = request.question;
            blocking(move || {
                let pressed = conversation.press(&action, question.as_deref(), asker, fallback);
                let language = match Action::decode(&action) {
                    Some(Action::Answer { language, .. } | Action::Vote { language, .. }) => language,
                    None => fallback,
                };
                ChatResponse {
                    language,
                    notice: pressed.notice,
                    messages: pressed.messages.iter().map(Message::from).collect(),
                }
            })
            .await?
        }
        _ => return Err(ApiError::bad_request("send either text or action")),
    };
    Ok(Json(response))
}

fn say(conversation: &Conversation, web: &Web, text: &str, fallback: Language, asker: Asker) -> ChatResponse {
    let (messages, language) = typed(conversation, web, text, fallback, asker);
    ChatResponse {
        language,
        notice: None,
        messages: messages.iter().map(Message::from).collect(),
    }
}

/// A typed message: a public command (in the `fallback` language), or a question (timed and counted); what the
/// bot says and in which language.
pub(crate) fn typed(
    conversation: &Conversation,
    web: &Web,
    text: &str,
    fallback: Language,
    asker: Asker,
) -> (Vec<Outgoing>, Language) {
    if text.starts_with('/') {
        let messages = match Command::parse(text, "") {
            Ok(command) => conversation.command(command, fallback, asker),
            Err(_) => conversation.unknown_command(fallback),
        };
        (messages, fallback)
    } else {
        let started = Instant::now();
        let language = Language::of(text);
        let (messages, kind) = conversation.reply_to(text, asker);
        web.metrics.question(language, kind, started.elapsed());
        (messages, language)
    }
}

async fn entries(State(web): State<Arc<Web>>) -> Result<Json<Value>, ApiError> {
    let conversation = ready(&web)?;
    let engine = conversation.live().current();
    let entries: Vec<Value> = engine
        .index()
        .entry_list()
        .map(|entry| listing::entry(&entry))
        .collect();
    Ok(Json(json!({ "entries": entries })))
}

async fn rules(State(web): State<Arc<Web>>) -> Result<Json<Value>, ApiError> {
    let conversation = ready(&web)?;
    let engine = conversation.live().current();
    Ok(Json(json!({ "rules": engine.index().manifest().rules })))
}

async fn rule(State(web): State<Arc<Web>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let conversation = ready(&web)?;
    let engine = conversation.live().current();
    let id = id.trim().to_ascii_lowercase();
    match engine.rule(&id) {
        Some(rule) => Ok(Json(json!(rule))),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, format!("no rule `{id}`"))),
    }
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

async fn readyz(State(web): State<Arc<Web>>) -> Result<Json<Value>, ApiError> {
    let conversation = ready(&web)?;
    let entries = conversation.live().current().index().entry_list().count();
    Ok(Json(json!({ "status": "ready", "entries": entries })))
}

async fn metrics(State(web): State<Arc<Web>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        web.metrics.render(web.conversation().is_some()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_stand_for_stable_distinct_chats() {
        assert_eq!(session_chat("tab-1"), session_chat("tab-1"));
        assert_ne!(session_chat("tab-1"), session_chat("tab-2"));
    }

    #[test]
    fn the_page_language_is_chinese_only_when_it_says_so() {
        assert_eq!(page_language(Some("zh-CN")), Language::Zh);
        assert_eq!(page_language(Some("en")), Language::En);
        assert_eq!(page_language(None), Language::En);
    }
}
