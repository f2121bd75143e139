//! Running the real bot: connecting with retries, registering commands, long polling or a webhook, telling admins about reloads, and stopping cleanly on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::Dispatcher;
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::{ApiError, RequestError};
use thiserror::Error;
use tokio::sync::mpsc;
use tracing::{info, warn};
use url::Url;

use super::conversation::{Conversation, reload_report};
use super::handlers;
use super::redact;
use super::token::{Token, TokenSource};
use super::updates;
use crate::live::Reloaded;

/// teloxide's variable for another Bot API server (a local `telegram-bot-api`, a test double).
pub const API_URL_VARIABLE: &str = "TELOXIDE_API_URL";
/// The longest wait between two attempts to reach Telegram.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How updates reach the bot.
#[derive(Debug, Clone)]
pub enum Updates {
    /// The bot asks Telegram for updates (getUpdates): one process per bot.
    Polling,
    /// Telegram posts updates to `url`, which a load balancer forwards to `listen` on each replica.
    Webhook { url: Url, listen: SocketAddr },
}

pub struct BotConfig {
    pub token: Token,
    pub token_source: TokenSource,
    pub api_url: Option<Url>,
    pub updates: Updates,
    /// Called once the bot serves, with its username: for telling whoever started it.
    pub on_ready: Box<dyn FnOnce(&str) + Send>,
}

#[derive(Debug, Error)]
pub enum RunError {
    #[error("{API_URL_VARIABLE}={value} is not a URL; unset it to use Telegram's servers")]
    ApiUrl {
        value: String,
        #[source]
        source: url::ParseError,
    },
    #[error(
        "Telegram rejected the bot token from {0}; check it with @BotFather (/mybots → API Token) or revoke and paste a new one"
    )]
    TokenRejected(TokenSource),
    #[error("cannot register the webhook {url} with Telegram")]
    SetWebhook {
        url: Url,
        #[source]
        source: RequestError,
    },
    #[error("{address}: cannot listen for webhook requests; pick another --listen address")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot reach Telegram")]
    Connect(#[source] RequestError),
}

/// `TELOXIDE_API_URL`, if set.
pub fn api_url_from_env() -> Result<Option<Url>, RunError> {
    match std::env::var(API_URL_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => Url::parse(value.trim())
            .map(Some)
            .map_err(|source| RunError::ApiUrl { value, source }),
        _ => Ok(None),
    }
}

/// Runs the bot until Ctrl-C or SIGTERM, then finishes the updates in hand and returns.
pub async fn run(conversation: Arc<Conversation>, config: BotConfig) -> Result<(), RunError> {
    redact::hide(config.token.expose());
    let mut bot = bot_with_timeouts(config.token.expose());
    if let Some(url) = &config.api_url {
        info!(%url, "using another Bot API server");
        bot = bot.set_api_url(url.clone());
    }
    let bot = bot.throttle(Limits::default());

    // Listening starts now, so that a signal at any moment from here on is seen.
    let (stop, mut stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let me = tokio::select! {
        me = connect(&bot, &config.token_source) => me?,
        _ = stopping.wait_for(|stop| *stop) => {
            info!("stopped before connecting");
            return Ok(());
        }
    };
    let username = me.username().to_string();
    info!(bot = %username, id = %config.token.bot_id(), "connected");
    if let Err(error) = bot.set_my_commands(super::commands::menu()).await {
        warn!(%error, "cannot register the command menu; commands still work when typed");
    }

    let (reports, reports_in) = mpsc::unbounded_channel();
    // Admins hear about every problem, and about the first good reload after one (so they know it is fixed).
    let broken = std::sync::atomic::AtomicBool::new(false);
    let _watcher = match conversation.live().watch(move |outcome: &Reloaded| {
        let was_broken = broken.swap(outcome.is_problem(), std::sync::atomic::Ordering::Relaxed);
        if outcome.is_problem() || was_broken {
            let _ = reports.send(reload_report(outcome));
        }
    }) {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            warn!(error = %crate::error_chain::error_chain(&error), "faq/ changes will not be picked up; use /reload");
            None
        }
    };
    // Alerts go out on their own path, not queued behind user traffic in the throttle.
    tokio::spawn(tell_admins(bot.inner().clone(), Arc::clone(&conversation), reports_in));

    let mut dispatcher = Dispatcher::builder(bot.clone(), handlers::schema::<Throttle<Bot>>())
        .dependencies(dptree::deps![Arc::clone(&conversation), me])
        .error_handler(Arc::new(LogError))
        .build();
    let shutdown = dispatcher.shutdown_token();
    tokio::spawn(async move {
        if stopping.wait_for(|stop| *stop).await.is_err() {
            return;
        }
        info!("stopping: finishing the updates in hand");
        // The token refuses while the dispatcher is still starting; it is ready within moments.
        loop {
            match shutdown.shutdown() {
                Ok(done) => {
                    done.await;
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });

    match config.updates {
        Updates::Polling => {
            if let Err(error) = bot.delete_webhook().await {
                warn!(%error, "cannot remove a webhook set earlier; polling may get nothing until it is removed");
            }
            // A stop waits for the poll in flight: a short poll keeps Ctrl-C prompt. Each update is read on its
            // own, so one that cannot be read is skipped instead of stalling the rest.
            let listener = updates::polling(bot.inner().clone(), Duration::from_secs(10));
            info!(bot = %username, "long polling");
            (config.on_ready)(&username);
            dispatcher
                .try_dispatch_with_listener(listener, Arc::new(LogError))
                .await
                .map_err(RunError::Connect)?;
        }
        Updates::Webhook { url, listen } => {
            // Replicas share one webhook: each sets the same URL and secret, and none deletes it on shutdown,
            // or stopping one replica would cut off the others.
            let secret = webhook_secret(&config.token);
            bot.set_webhook(url.clone())
                .secret_token(secret.clone())
                .await
                .map_err(|source| RunError::SetWebhook {
                    url: url.clone(),
                    source,
                })?;
            let tcp = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|source| RunError::Listen {
                    address: listen,
                    source,
                })?;
            // Our own server: the secret is checked before a body is read, bodies are capped, slow clients
            // time out and connections are limited (see `updates`).
            let listener = updates::webhook(tcp, url.path(), secret);
            info!(bot = %username, %url, %listen, "serving the webhook");
            (config.on_ready)(&username);
            dispatcher
                .try_dispatch_with_listener(listener, Arc::new(LogError))
                .await
                .map_err(RunError::Connect)?;
        }
    }
    info!("stopped");
    Ok(())
}

/// How long a request may take before it is abandoned (and retried): well beyond the Bot API's slowest normal
/// answer, because a retry after a timeout can deliver a message twice.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(45);

/// A bot whose requests wait [`SEND_TIMEOUT`] rather than teloxide's 17 s.
fn bot_with_timeouts(token: &str) -> Bot {
    match teloxide::net::default_reqwest_settings()
        .connect_timeout(Duration::from_secs(10))
        .timeout(SEND_TIMEOUT)
        .build()
    {
        Ok(client) => Bot::with_client(token, client),
        Err(error) => {
            warn!(error = %error.without_url(), "cannot set up the HTTP client; using teloxide's defaults");
            Bot::new(token)
        }
    }
}

/// getMe until it works: network trouble is retried with growing pauses, a rejected token is final.
async fn connect(bot: &Throttle<Bot>, source: &TokenSource) -> Result<Me, RunError> {
    let mut pause = Duration::from_secs(1);
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(RequestError::Api(ApiError::InvalidToken)) => return Err(RunError::TokenRejected(source.clone())),
            Err(error) => {
                warn!(%error, retry_in = ?pause, "cannot reach Telegram; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// The same on every replica, and says nothing about the token it comes from.
fn webhook_secret(token: &Token) -> String {
    crate::digest::sha256_hex(&[b"faqbot webhook secret\0", token.expose().as_bytes()], 24)
}

/// Sends each reload problem to every admin's private chat.
async fn tell_admins(
    bot: Bot,
    conversation: Arc<Conversation>,
    mut reports: mpsc::UnboundedReceiver<crate::present::Doc>,
) {
    while let Some(report) = reports.recv().await {
        for admin in conversation.admins() {
            let Ok(chat) = i64::try_from(admin) else { continue };
            let outgoing = [super::Outgoing::from(report.clone())];
            if let Err(error) = handlers::send(&bot, ChatId(chat), None, &outgoing).await {
                warn!(admin, error = %error, "cannot tell an admin about a reload problem (has the admin started the bot?)");
            }
        }
    }
}

/// Ctrl-C, or SIGTERM where there is one.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                warn!(%error, "cannot listen for SIGTERM; Ctrl-C still stops the bot");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs handler and listener errors (sending failed, Telegram refused) through tracing; the bot carries on.
struct LogError;

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for LogError {
    fn handle_error(self: Arc<Self>, error: E) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        warn!(%error, "update failed");
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_secret_is_stable_and_hides_the_token() {
        let token = super::super::token::parse("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", TokenSource::Variable)
            .expect("token");
        let secret = webhook_secret(&token);
        assert_eq!(secret, webhook_secret(&token));
        assert_eq!(secret.len(), 48);
        assert!(!secret.contains("AAHdq"));
    }
}
