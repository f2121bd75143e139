//! The WeChat Official Account channel (`faqbot serve --wechat-path /wechat`): WeChat's servers call this route
//! with what users send the account, and the passive reply says what the bot says, in plain text.
//!
//! - [`crypto`]: the signatures and safe mode's AES envelope.
//! - [`message`]: the XML of messages, events and replies.
//! - [`secrets`]: the Token, AppID and EncodingAESKey, never shown.
//! - [`text`]: the bot's messages as one WeChat text, buttons numbered, within WeChat's length.
//! - [`memory`]: the bounded maps of retries and of each user's numbered buttons.
//!
//! `GET` is WeChat's check of the URL (echo `echostr`); `POST` is a message. Every request must carry WeChat's
//! signature of a timestamp at most five minutes away; others get 403. A body that is not a message (not XML,
//! not decryptable, not for this AppID) gets WeChat's empty answer, "success", and a log line, so that the user
//! sees nothing rather than "该公众号暂时无法提供服务". WeChat retries a reply that takes over 5 seconds three
//! times; a retry gets the reply the first got, from a bounded memory keyed by `MsgId` (an event's by sender and
//! time), so nothing is answered or logged twice. Each user (OpenID) is a chat of the conversation core, its id
//! hashed as a web session's is, with its numbered buttons remembered, so a reply of just a number presses one as
//! in `faqbot chat`. Modes: plaintext; compatible (`encrypt_type=aes` with the plain fields beside, read plainly
//! when no key is set); safe (decrypted, its `msg_signature` and AppID checked, the reply encrypted).

pub mod crypto;
pub mod memory;
pub mod message;
pub mod secrets;
pub mod text;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use thiserror::Error;
use tokio::sync::OnceCell;
use tracing::{info, warn};

use self::memory::Bounded;
use self::message::Incoming;
use self::secrets::Secrets;
use super::Web;
use super::api::{named_chat, typed};
use crate::error_chain::error_chain;
use crate::present::Doc;
use crate::telegram::commands::Command;
use crate::telegram::picks::{Pick, Picks};
use crate::telegram::{Asker, Conversation, Outgoing};

/// The largest body read: a text message is at most 2048 bytes of content, encrypted and in Base64 under 4 KB.
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// A request signed further from now than this is refused, so that a recorded request cannot be replayed later.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 5 * 60;
/// Messages whose reply a retry gets again.
const REMEMBERED_REPLIES: usize = 4096;
/// Users whose numbered buttons are remembered.
const REMEMBERED_USERS: usize = 10_000;
/// What WeChat takes for "no reply": nothing is shown to the user and nothing is retried.
const SUCCESS: &str = "success";
/// Routes `faqbot serve` has already; the WeChat path must be another.
const TAKEN: &[&str] = &["/", "/widget.js", "/healthz", "/readyz", "/metrics"];

/// How the channel is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The route, e.g. `/wechat`: the account's server URL is this server's public address and this path.
    pub path: String,
    pub secrets: Secrets,
    /// The chat page's public address, for the pointer at the end of a cut reply; without it, `http://` and
    /// the `Host` WeChat called.
    pub page_url: Option<String>,
}

#[derive(Debug, Error)]
#[error(
    "`{0}` cannot be the WeChat path: it must start with /, hold only letters, digits, '-', '_' and '/', and not be one of faqbot serve's own routes (/, /api/…, /healthz, /readyz, /metrics, /widget.js)"
)]
pub struct PathError(String);

/// A route for the WeChat channel: `/wechat`, `/hooks/wechat`…
pub fn parse_path(text: &str) -> Result<String, PathError> {
    let path = text.trim();
    let well_formed = path.starts_with('/')
        && path.len() > 1
        && path.len() <= 100
        && !path.ends_with('/')
        && !path.contains("//")
        && path[1..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
    let taken = TAKEN.contains(&path) || path == "/api" || path.starts_with("/api/");
    if well_formed && !taken {
        Ok(path.to_string())
    } else {
        Err(PathError(text.to_string()))
    }
}

/// The channel's state: its configuration, the replies retries get, each user's numbered buttons.
pub struct Wechat {
    config: Config,
    replies: Mutex<Bounded<String, Arc<OnceCell<Option<String>>>>>,
    picks: Mutex<Bounded<String, Picks>>,
}

impl Wechat {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            replies: Mutex::new(Bounded::new(REMEMBERED_REPLIES)),
            picks: Mutex::new(Bounded::new(REMEMBERED_USERS)),
        }
    }

    pub fn path(&self) -> &str {
        &self.config.path
    }

    /// The one reply of a message and its retries.
    fn reply_of(&self, key: String) -> Arc<OnceCell<Option<String>>> {
        let mut replies = self.replies.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(replies.get_or_insert_with(key, || Arc::new(OnceCell::new())))
    }

    fn picks_of(&self, open_id: &str) -> Picks {
        let picks = self.picks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        picks.get(&open_id.to_string()).cloned().unwrap_or_default()
    }

    fn keep_picks(&self, open_id: &str, kept: Picks) {
        let mut picks = self.picks.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        picks.insert(open_id.to_string(), kept);
    }
}

/// The route, `GET` and `POST`, with its own body cap.
pub fn routes(path: &str) -> Router<Arc<Web>> {
    Router::new()
        .route(path, get(verify).post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The query WeChat adds to the server URL.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    signature: String,
    timestamp: String,
    nonce: String,
    echostr: String,
    encrypt_type: String,
    msg_signature: String,
}

/// Refused: not signed by WeChat with this Token, or signed too long ago.
fn refused(why: &str) -> Response {
    warn!(why, "a WeChat request was refused");
    (StatusCode::FORBIDDEN, "forbidden").into_response()
}

fn success() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], SUCCESS).into_response()
}

/// Whether the request is WeChat's, now: `None` if so, else the answer.
fn authenticate(wechat: &Wechat, params: &Params) -> Option<Response> {
    let Ok(timestamp) = params.timestamp.trim().parse::<i64>() else {
        return Some(refused("no timestamp"));
    };
    if (jiff::Timestamp::now().as_second() - timestamp).abs() > MAX_CLOCK_SKEW_SECONDS {
        return Some(refused("the timestamp is more than five minutes away"));
    }
    let token = wechat.config.secrets.token();
    if !crypto::verify(&params.signature, &[token, &params.timestamp, &params.nonce]) {
        return Some(refused("the signature is not WeChat's for this Token"));
    }
    None
}

/// WeChat's check of the server URL: the signature, then `echostr` back as it came.
async fn verify(State(web): State<Arc<Web>>, Query(params): Query<Params>) -> Response {
    let Some(wechat) = web.wechat.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(refusal) = authenticate(wechat, &params) {
        return refusal;
    }
    info!("WeChat checked the server URL");
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], params.echostr).into_response()
}

/// A message or event: authenticated, opened, answered once per `MsgId`, and the reply sealed as it came.
async fn receive(
    State(web): State<Arc<Web>>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(wechat) = web.wechat.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(refusal) = authenticate(wechat, &params) {
        return refusal;
    }
    let Some(conversation) = web.conversation().cloned() else {
        // WeChat retries; by then the index may be open.
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response();
    };
    let Ok(body) = std::str::from_utf8(&body) else {
        warn!("a WeChat message is not UTF-8; answered \"success\"");
        return success();
    };
    let envelope = match Incoming::parse(body) {
        Ok(envelope) => envelope,
        Err(error) => {
            warn!(error = %error, "a WeChat message is not XML; answered \"success\"");
            return success();
        }
    };
    let token = wechat.config.secrets.token();
    let safe = params.encrypt_type.eq_ignore_ascii_case("aes");
    let (message, seal) = match (safe, wechat.config.secrets.safe_mode()) {
        (true, Some((app_id, key))) => {
            if !crypto::verify(
                &params.msg_signature,
                &[token, &params.timestamp, &params.nonce, &envelope.encrypt],
            ) {
                return refused("the msg_signature is not WeChat's for this Token");
            }
            let opened = key
                .decrypt(&envelope.encrypt, app_id)
                .map_err(|error| error.to_string())
                .and_then(|xml| Incoming::parse(&xml).map_err(|error| error.to_string()));
            match opened {
                Ok(message) => (message, Some((app_id, key))),
                Err(error) => {
                    warn!(%error, "a safe-mode WeChat message could not be opened; answered \"success\"");
                    return success();
                }
            }
        }
        // Plaintext mode, or compatible mode read from its plain fields when no key is set.
        _ => (envelope, None),
    };
    let Some(key) = message.retry_key() else {
        warn!("a WeChat message has neither MsgId nor sender and time; answered \"success\"");
        return success();
    };
    let page_url = wechat.config.page_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}/")
    });
    let cell = wechat.reply_of(key);
    let reply = cell
        .get_or_init(|| {
            let web = Arc::clone(&web);
            async move {
                let answered =
                    tokio::task::spawn_blocking(move || answer(&web, &conversation, &message, &page_url)).await;
                answered.unwrap_or_else(|error| {
                    warn!(%error, "a WeChat answer failed");
                    None
                })
            }
        })
        .await
        .clone();
    let Some(reply) = reply else {
        return success();
    };
    let xml = match seal {
        None => reply,
        Some((app_id, key)) => match key.encrypt(&reply, app_id) {
            Ok(encrypt) => {
                let timestamp = jiff::Timestamp::now().as_second().to_string();
                let signature = crypto::signature(&[token, &timestamp, &params.nonce, &encrypt]);
                message::encrypted_reply(&encrypt, &signature, &timestamp, &params.nonce)
            }
            Err(error) => {
                warn!(error = %error_chain(&error), "a WeChat reply could not be encrypted");
                return success();
            }
        },
    };
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response()
}

/// The reply XML to a message, or `None` for no reply (an event other than `subscribe`).
fn answer(web: &Web, conversation: &Conversation, message: &Incoming, page_url: &str) -> Option<String> {
    let wechat = web.wechat.as_ref()?;
    let asker = Asker {
        chat: named_chat("wechat openid", &message.from),
        user: None,
    };
    let mut picks = wechat.picks_of(&message.from);
    let messages = match message.msg_type.as_str() {
        "text" => {
            let content = message.content.trim();
            match picks.pick(content) {
                Pick::Press(button) => {
                    let pressed = picks.press(conversation, &button, asker);
                    let mut messages: Vec<Outgoing> = pressed
                        .notice
                        .map(|notice| {
                            let mut doc = Doc::new();
                            doc.text(notice);
                            Outgoing::from(doc)
                        })
                        .into_iter()
                        .collect();
                    messages.extend(pressed.messages);
                    messages
                }
                Pick::OutOfRange(_) | Pick::Other if content.is_empty() => conversation.not_text(picks.language()),
                Pick::OutOfRange(_) | Pick::Other => {
                    if !content.starts_with('/') {
                        picks.asked(content);
                    }
                    typed(conversation, web, content, picks.language(), asker).0
                }
            }
        }
        "event" if message.event.eq_ignore_ascii_case("subscribe") => {
            info!("a user followed the WeChat account");
            conversation.command(Command::Start, picks.language(), asker)
        }
        "event" => return None,
        _ => conversation.not_text(picks.language()),
    };
    picks.shown(&messages);
    let language = picks.language();
    wechat.keep_picks(&message.from, picks);
    let content = text::render(&messages, language, page_url);
    Some(message::text_reply(
        &message.from,
        &message.to,
        jiff::Timestamp::now().as_second(),
        &content,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_a_route_of_its_own() {
        assert_eq!(parse_path("/wechat").expect("path"), "/wechat");
        assert_eq!(parse_path(" /hooks/wechat_1 ").expect("path"), "/hooks/wechat_1");
        for bad in [
            "wechat",
            "/",
            "/api",
            "/api/chat",
            "/healthz",
            "/widget.js",
            "/we chat",
            "/{x}",
            "/a//b",
            "/w/",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}
