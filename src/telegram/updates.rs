//! How updates reach the dispatcher, one at a time, so that one bad update never stops the others: long polling that parses each update of a batch on its own, and a webhook server that checks the secret before it reads a body, caps bodies, times out slow clients and limits connections.
//!
//! An update that cannot be read (no `update_id`, `null`, a lone surrogate, JSON nested too deep…) is skipped
//! and logged by id and size only, never its text, and the polling offset moves past it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use serde::Deserialize;
use serde_json::value::RawValue;
use teloxide::Bot;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::Update;
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};
use tracing::{debug, info, warn};

/// Updates waiting for the dispatcher; a full queue slows polling down (and makes the webhook wait).
const QUEUE: usize = 64;
/// The longest wait between two failed polls.
const MAX_POLL_BACKOFF: Duration = Duration::from_secs(60);
/// Telegram's updates are a few kilobytes; this is generous.
pub const MAX_WEBHOOK_BODY: usize = 1024 * 1024;
/// A client must send its request headers within this time…
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// …and its body within this time.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Open webhook connections at most; more are closed at once. Telegram itself opens at most 100 per bot
/// (`max_connections`, 40 by default).
pub const MAX_WEBHOOK_CONNECTIONS: usize = 256;
/// The header Telegram sends the webhook secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// An update listener fed through a queue, by the poller or by the webhook server. It ends once stopped and
/// the updates already queued are handed over (and, for the poller, once it has confirmed them).
pub struct QueueListener {
    updates: mpsc::Receiver<Update>,
    stop: StopToken,
    stopped: StopFlag,
    /// Fires when the feeder has finished its own stop (the poller's confirmation).
    done: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl UpdateListener for QueueListener {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop.clone()
    }
}

impl<'a> AsUpdateStream<'a> for QueueListener {
    type StreamErr = Infallible;
    type Stream = Pin<Box<dyn futures::Stream<Item = Result<Update, Infallible>> + Send + 'a>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        Box::pin(futures::stream::unfold((self, false), |(this, closed)| async move {
            if !closed {
                let mut stopped = this.stopped.clone();
                let next = tokio::select! {
                    biased;
                    update = this.updates.recv() => Some(update),
                    () = &mut stopped => None,
                };
                match next {
                    Some(Some(update)) => return Some((Ok(update), (this, false))),
                    Some(None) => {}
                    // No more updates are taken in; those already queued are still handed over.
                    None => this.updates.close(),
                }
            }
            match this.updates.recv().await {
                Some(update) => Some((Ok(update), (this, true))),
                None => {
                    // The poller confirms to Telegram what it handed over; the process waits for that, briefly.
                    if let Some(done) = this.done.take() {
                        let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
                    }
                    None
                }
            }
        }))
    }
}

/// What reading one update gave: its id when it has one, and the update or why it was skipped.
#[derive(Debug)]
pub struct ReadUpdate {
    pub id: Option<i64>,
    pub update: Result<Update, String>,
}

/// Reads one update on its own. The reason for a skip names the kind of error and where, never the text (serde's
/// messages can quote the user's words).
pub fn read_update(raw: &str) -> ReadUpdate {
    #[derive(Deserialize)]
    struct IdOnly {
        update_id: i64,
    }
    let id = serde_json::from_str::<IdOnly>(raw).ok().map(|only| only.update_id);
    let update = serde_json::from_str::<Update>(raw).map_err(|error| {
        format!(
            "{:?} error at line {} column {}",
            error.classify(),
            error.line(),
            error.column()
        )
    });
    ReadUpdate { id, update }
}

fn skip(id: Option<i64>, bytes: usize, why: &str) {
    warn!(update_id = ?id, bytes, %why, "skipped an update that cannot be read");
}

/// Long polling with getUpdates, each update read on its own. Network trouble is retried with growing pauses.
pub fn polling(bot: Bot, timeout: Duration) -> QueueListener {
    let (sender, updates) = mpsc::channel(QUEUE);
    let (stop, stopped) = mk_stop_token();
    let (finished, done) = tokio::sync::oneshot::channel();
    let stopped_for_stream = stopped.clone();
    tokio::spawn(async move {
        poll(bot, sender, stopped, timeout).await;
        let _ = finished.send(());
    });
    QueueListener {
        updates,
        stop,
        stopped: stopped_for_stream,
        done: Some(done),
    }
}

#[derive(Debug, thiserror::Error)]
enum PollError {
    #[error("cannot reach Telegram")]
    Network(#[source] reqwest::Error),
    #[error("Telegram answered HTTP {status} with something that is not a Bot API reply ({bytes} bytes)")]
    NotJson { status: u16, bytes: usize },
    #[error("Telegram refused getUpdates (HTTP {status}): {description}")]
    Refused {
        status: u16,
        description: String,
        retry_after: Option<u64>,
    },
}

async fn poll(bot: Bot, sender: mpsc::Sender<Update>, mut stopped: StopFlag, timeout: Duration) {
    // `offset` is where the next poll starts; `handed_over` is past the last update given to the dispatcher (or
    // skipped), which is what a stop confirms, so that a restart gets again only what was never handled.
    let mut offset: Option<i64> = None;
    let mut handed_over: Option<i64> = None;
    let mut pause = Duration::from_secs(1);
    'polling: loop {
        let batch = tokio::select! {
            () = &mut stopped => break,
            batch = get_updates(&bot, offset, timeout, None) => batch,
        };
        match batch {
            Ok(batch) => {
                pause = Duration::from_secs(1);
                for raw in batch {
                    let read = read_update(raw.get());
                    let next = read.id.map(|id| id.saturating_add(1));
                    if let Some(next) = next {
                        offset = Some(offset.map_or(next, |offset| offset.max(next)));
                    }
                    match read.update {
                        Ok(update) => {
                            if sender.send(update).await.is_err() {
                                break 'polling;
                            }
                        }
                        Err(why) => skip(read.id, raw.get().len(), &why),
                    }
                    if let Some(next) = next {
                        handed_over = Some(handed_over.map_or(next, |done| done.max(next)));
                    }
                }
            }
            Err(error) => {
                let wait = match &error {
                    PollError::Refused {
                        retry_after: Some(seconds),
                        ..
                    } => Duration::from_secs((*seconds).min(3600)),
                    _ => pause,
                };
                warn!(error = %crate::error_chain::error_chain(&error), retry_in = ?wait, "polling failed; retrying");
                tokio::select! {
                    () = &mut stopped => break,
                    () = tokio::time::sleep(wait) => {}
                }
                pause = (pause * 2).min(MAX_POLL_BACKOFF);
            }
        }
    }
    // Tells Telegram which updates were handed over, so that a restart does not get them again.
    if let Some(handed_over) = handed_over
        && let Err(error) = get_updates(&bot, Some(handed_over), Duration::ZERO, Some(1)).await
    {
        debug!(error = %crate::error_chain::error_chain(&error), "cannot confirm the last updates; a restart may see them again");
    }
}

/// One getUpdates call, its result kept as raw JSON per update.
async fn get_updates(
    bot: &Bot,
    offset: Option<i64>,
    timeout: Duration,
    limit: Option<u8>,
) -> Result<Vec<Box<RawValue>>, PollError> {
    #[derive(Deserialize)]
    struct Reply {
        ok: bool,
        #[serde(default)]
        result: Option<Vec<Box<RawValue>>>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        parameters: Option<Parameters>,
    }
    #[derive(Deserialize)]
    struct Parameters {
        #[serde(default)]
        retry_after: Option<u64>,
    }
    let mut url = bot.api_url();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .push(&format!("bot{}", bot.token()))
            .push("getUpdates");
    }
    let mut body = serde_json::json!({ "timeout": timeout.as_secs() });
    if let Some(offset) = offset {
        body["offset"] = offset.into();
    }
    if let Some(limit) = limit {
        body["limit"] = limit.into();
    }
    let response = bot
        .client()
        .post(url)
        .json(&body)
        .timeout(timeout + Duration::from_secs(15))
        .send()
        .await
        .map_err(|error| PollError::Network(error.without_url()))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| PollError::Network(error.without_url()))?;
    let reply: Reply = serde_json::from_slice(&bytes).map_err(|_| PollError::NotJson {
        status,
        bytes: bytes.len(),
    })?;
    match (reply.ok, reply.result) {
        (true, Some(result)) => Ok(result),
        _ => Err(PollError::Refused {
            status,
            description: reply.description.unwrap_or_default(),
            retry_after: reply.parameters.and_then(|p| p.retry_after),
        }),
    }
}

#[derive(Clone)]
struct Webhook {
    secret: Arc<str>,
    sender: mpsc::Sender<Update>,
}

/// Serves the webhook on `tcp` at `path` until stopped, each update read on its own.
pub fn webhook(tcp: TcpListener, path: &str, secret: String) -> QueueListener {
    let (sender, updates) = mpsc::channel(QUEUE);
    let (stop, stopped) = mk_stop_token();
    let router = axum::Router::new().route(path, post(receive)).with_state(Webhook {
        secret: secret.into(),
        sender,
    });
    tokio::spawn(serve(tcp, router, stopped.clone()));
    QueueListener {
        updates,
        stop,
        stopped,
        done: None,
    }
}

/// Accepts connections up to [`MAX_WEBHOOK_CONNECTIONS`], each with header and body timeouts.
pub async fn serve(tcp: TcpListener, router: axum::Router, mut stopped: StopFlag) {
    let open = Arc::new(Semaphore::new(MAX_WEBHOOK_CONNECTIONS));
    loop {
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            () = &mut stopped => break,
            accepted = tcp.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, most likely: wait for connections to close rather than spin.
                    warn!(%error, "cannot accept a webhook connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            debug!(%peer, "too many webhook connections; closing this one");
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut stopping = stopped.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::pin!(connection);
            let ended = tokio::select! {
                outcome = connection.as_mut() => Some(outcome),
                () = &mut stopping => None,
            };
            let outcome = match ended {
                Some(outcome) => outcome,
                // Stopping: the request in progress is finished, then the connection closes.
                None => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = outcome {
                debug!(%peer, %error, "webhook connection ended");
            }
            drop(permit);
        });
    }
    info!("webhook server stopped");
}

/// One webhook request: the secret first, then a capped, timed body, then one update.
async fn receive(State(webhook): State<Webhook>, headers: HeaderMap, body: Body) -> StatusCode {
    let secret_matches = headers
        .get(SECRET_HEADER)
        .is_some_and(|given| constant_time_eq(given.as_bytes(), webhook.secret.as_bytes()));
    if !secret_matches {
        return StatusCode::UNAUTHORIZED;
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_WEBHOOK_BODY) {
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_WEBHOOK_BODY)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE,
        Err(_) => return StatusCode::REQUEST_TIMEOUT,
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        skip(None, bytes.len(), "not UTF-8");
        return StatusCode::OK;
    };
    let read = read_update(text);
    match read.update {
        // Telegram posts again whatever is not answered 2xx, so a bad update is acknowledged and dropped.
        Err(why) => {
            skip(read.id, bytes.len(), &why);
            StatusCode::OK
        }
        Ok(update) => match webhook.sender.send(update).await {
            Ok(()) => StatusCode::OK,
            // Stopping: Telegram delivers it again, to this replica when it is back or to another.
            Err(_) => StatusCode::SERVICE_UNAVAILABLE,
        },
    }
}

/// Compares without stopping at the first difference, so that timing tells nothing about the secret.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"update_id": 7, "message": {"message_id": 1, "date": 1700000000, "chat": {"id": 42, "type": "private", "first_name": "Ann"}, "from": {"id": 42, "is_bot": false, "first_name": "Ann"}, "text": "secret words"}}"#;

    #[test]
    fn a_good_update_reads() {
        let read = read_update(GOOD);
        assert_eq!(read.id, Some(7));
        assert_eq!(read.update.expect("update").id.0, 7);
    }

    #[test]
    fn bad_updates_are_skipped_with_their_id_and_without_their_text() {
        let deep = format!(r#"{{"update_id": 9, "x": {}1{}}}"#, "[".repeat(200), "]".repeat(200));
        let surrogate = GOOD.replace("secret words", "secret \\ud800 words");
        let not_an_integer = GOOD.replace("\"update_id\": 7", "\"update_id\": \"secret words\"");
        let cases = [
            ("null", None),
            (r#"{"message": {"text": "secret words"}}"#, None),
            (not_an_integer.as_str(), None),
            (deep.as_str(), Some(9)),
            (surrogate.as_str(), Some(7)),
        ];
        for (raw, id) in cases {
            let read = read_update(raw);
            assert_eq!(read.id, id, "{raw}");
            let why = read.update.expect_err(raw);
            assert!(!why.contains("secret"), "{why}");
        }
    }

    #[test]
    fn a_whole_batch_with_a_bad_update_still_parses_as_raw_values() {
        let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
        let batch = format!(r#"{{"ok": true, "result": [{GOOD}, null, {deep}, {{"update_id": "x"}}]}}"#);
        #[derive(Deserialize)]
        struct Reply {
            result: Vec<Box<RawValue>>,
        }
        let reply: Reply = serde_json::from_str(&batch).expect("raw batch");
        assert_eq!(reply.result.len(), 4);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
