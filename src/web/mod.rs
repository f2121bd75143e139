//! The web channel (`faqbot serve`): a JSON API, a chat page and an embeddable widget, on the conversation core that
//! the Telegram bot and `faqbot chat` share, so that all three say the same thing.
//!
//! - [`api`]: the endpoints under `/api/`, `/healthz`, `/readyz` and `/metrics`, with JSON errors.
//! - [`assets`]: the chat page and `widget.js`, plain HTML, JS and CSS compiled into the binary.
//! - [`limit`]: the per-client rate limit of the API.
//! - [`metrics`]: the counters and the latency histogram, in Prometheus's text format.
//! - [`wechat`]: the WeChat Official Account channel, one route (`--wechat-path`) on the same server.
//!
//! [`Web`] is the state every request shares. It exists before the engine does: the server listens at once, answers
//! `/healthz`, and says "not ready" (503) until [`Web::set_ready`] hands it the conversation, so that a load
//! balancer waits while a first start builds the index. [`serve`] runs until Ctrl-C or SIGTERM, then finishes the
//! requests in hand.

pub mod api;
pub mod assets;
pub mod limit;
pub mod metrics;
pub mod wechat;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use thiserror::Error;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::info;

use crate::telegram::Conversation;

/// The largest request body the API reads; a question is a sentence or two.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// A request that takes longer is answered 408 and dropped (the engine answers in microseconds to milliseconds).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the rate limiter forgets clients that have not asked for a while, so that its memory stays bounded.
const FORGET_CLIENTS_EVERY: Duration = Duration::from_secs(60);

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Origins (`https://blog.example.com`) whose pages may call the API; no others get CORS headers.
    pub allow_origins: Vec<String>,
    /// API requests per minute for one client address.
    pub rate_limit: NonZeroU32,
    /// The WeChat Official Account channel, when it is on.
    pub wechat: Option<wechat::Config>,
}

#[derive(Debug, Error)]
pub enum WebError {
    #[error("`{0}` is not an origin such as https://blog.example.com (a scheme and a host, an optional port, no path)")]
    Origin(String),
    #[error("{address}: cannot listen; pick another --listen address")]
    Listen {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the web server stopped")]
    Serve(#[source] std::io::Error),
}

/// What every request shares: the conversation once the engine is open, the metrics and the rate limiter.
pub struct Web {
    conversation: OnceLock<Arc<Conversation>>,
    stopping: AtomicBool,
    metrics: metrics::Metrics,
    limit: limit::ClientLimit,
    options: Options,
    assets: assets::Assets,
    wechat: Option<wechat::Wechat>,
}

impl Web {
    pub fn new(options: Options) -> Self {
        Self {
            conversation: OnceLock::new(),
            stopping: AtomicBool::new(false),
            metrics: metrics::Metrics::new(),
            limit: limit::ClientLimit::per_minute(options.rate_limit),
            wechat: options.wechat.clone().map(wechat::Wechat::new),
            options,
            assets: assets::Assets::new(),
        }
    }

    /// From now on the API answers, from this conversation.
    pub fn set_ready(&self, conversation: Arc<Conversation>) {
        if self.conversation.set(conversation).is_err() {
            tracing::warn!("the web channel was made ready twice; the first conversation stays");
        }
    }

    /// The conversation, unless the engine is not open yet or the server is stopping.
    pub fn conversation(&self) -> Option<&Arc<Conversation>> {
        if self.stopping.load(Ordering::Relaxed) {
            return None;
        }
        self.conversation.get()
    }

    pub fn metrics(&self) -> &metrics::Metrics {
        &self.metrics
    }
}

/// An origin as browsers send it in `Origin`: `scheme://host[:port]`, nothing after. A trailing `/` is forgiven.
pub fn parse_origin(text: &str) -> Result<String, WebError> {
    let trimmed = text.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed).map_err(|_| WebError::Origin(text.to_string()))?;
    let origin = url.origin().ascii_serialization();
    if matches!(url.scheme(), "http" | "https") && origin == trimmed {
        Ok(origin)
    } else {
        Err(WebError::Origin(text.to_string()))
    }
}

/// Every route, with the body cap, the timeout, and CORS for the configured origins only.
pub fn router(web: Arc<Web>) -> Router {
    let mut router = api::routes(Arc::clone(&web)).merge(assets::routes());
    if let Some(wechat) = &web.wechat {
        // Outside the API's rate limit: every message comes from WeChat's few servers.
        router = router.merge(wechat::routes(wechat.path()));
    }
    let mut router = router.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    let origins: Vec<HeaderValue> = web
        .options
        .allow_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if !origins.is_empty() {
        // No credentials: the API needs no cookies, and a session is a value the page sends in the body.
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE])
                .max_age(Duration::from_secs(3600)),
        );
    }
    router.with_state(web)
}

/// Listens on `address`.
pub async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, WebError> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| WebError::Listen { address, source })
}

/// Serves until Ctrl-C or SIGTERM; then `/readyz` and the API say 503 and the requests in hand are finished.
pub async fn serve(listener: tokio::net::TcpListener, web: Arc<Web>) -> Result<(), WebError> {
    let forget = {
        let web = Arc::clone(&web);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_CLIENTS_EVERY);
            loop {
                every.tick().await;
                web.limit.forget_idle();
            }
        })
    };
    let stopping = Arc::clone(&web);
    let app = router(web).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            crate::telegram::run::shutdown_signal().await;
            info!("stopping: finishing the requests in hand");
            stopping.stopping.store(true, Ordering::Relaxed);
        })
        .await
        .map_err(WebError::Serve);
    forget.abort();
    info!("stopped");
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before the engine is open the server is alive but not ready, and the API says so in JSON.
    #[test]
    fn the_server_answers_health_checks_before_the_engine_is_open() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let web = Arc::new(Web::new(Options {
                allow_origins: Vec::new(),
                rate_limit: NonZeroU32::MIN,
                wechat: None,
            }));
            let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("a free port");
            let base = format!("http://{}", listener.local_addr().expect("address"));
            tokio::spawn(async move { axum::serve(listener, router(web)).await });
            let client = reqwest::Client::new();
            let status = |path: &'static str| {
                let request = client.get(format!("{base}{path}"));
                async move { request.send().await.expect("a response").status().as_u16() }
            };
            assert_eq!(status("/healthz").await, 200);
            assert_eq!(status("/readyz").await, 503);
            let asked = client
                .post(format!("{base}/api/ask"))
                .json(&serde_json::json!({"question": "fees?"}))
                .send()
                .await
                .expect("a response");
            assert_eq!(asked.status().as_u16(), 503);
            let body: serde_json::Value = asked.json().await.expect("JSON");
            assert!(
                body["error"].as_str().is_some_and(|e| e.starts_with("not ready")),
                "{body}"
            );
            let metrics = client
                .get(format!("{base}/metrics"))
                .send()
                .await
                .expect("a response")
                .text()
                .await
                .expect("text");
            assert!(metrics.contains("\nfaqbot_ready 0\n"), "{metrics}");
        });
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin("https://blog.example.com/").expect("origin"),
            "https://blog.example.com"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8000").expect("origin"),
            "http://127.0.0.1:8000"
        );
        for bad in [
            "blog.example.com",
            "https://blog.example.com/page",
            "*",
            "ftp://x.example",
            "",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
