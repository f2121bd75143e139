//! `faqbot serve`: the web channel (JSON API, chat page, widget) and, with `--wechat-path`, the WeChat Official
//! Account channel, on the engine and settings the bot uses, until Ctrl-C or SIGTERM.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use faqbot::live::LiveEngine;
use faqbot::telegram::Conversation;
use faqbot::telegram::conversation::reload_report;
use faqbot::web::wechat::{self, secrets};
use faqbot::web::{self, Options, Web};

use super::{EXIT_OK, Settings};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on: 127.0.0.1:8080 for this machine only, 0.0.0.0:8080 for everyone (port 0: any free one)
    #[arg(
        long,
        env = "FAQBOT_SERVE_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080"
    )]
    listen: SocketAddr,
    /// A site whose pages may call the API from the browser (CORS), e.g. https://blog.example.com; repeat the
    /// flag or separate with commas. Pages on other sites are refused; the chat page at / needs none
    #[arg(long = "allow-origin", env = "FAQBOT_ALLOW_ORIGINS", value_name = "ORIGIN", value_delimiter = ',', value_parser = parse_origin)]
    allow_origins: Vec<String>,
    /// API requests one client address may make per minute (all at once, or spread out); more get 429
    #[arg(long, env = "FAQBOT_RATE_LIMIT", value_name = "N", default_value = "60")]
    rate_limit: NonZeroU32,
    /// Answer a WeChat Official Account at this path, e.g. /wechat: its server URL (服务器地址) is then this
    /// server's public address and the path. The Token, AppID and EncodingAESKey come from FAQBOT_WECHAT_TOKEN,
    /// FAQBOT_WECHAT_APPID and FAQBOT_WECHAT_AES_KEY (or --wechat-secrets-file); never logged
    #[arg(long, env = "FAQBOT_WECHAT_PATH", value_name = "PATH", value_parser = parse_wechat_path)]
    wechat_path: Option<String>,
    /// Read the WeChat Token, AppID and EncodingAESKey from this file (lines FAQBOT_WECHAT_TOKEN=…) instead of
    /// the environment
    #[arg(long, value_name = "PATH", requires = "wechat_path")]
    wechat_secrets_file: Option<PathBuf>,
    /// The chat page's public address (https://faq.example.com/), linked from a WeChat reply cut to WeChat's
    /// length [default: http:// and the host WeChat called]
    #[arg(long, env = "FAQBOT_PUBLIC_URL", value_name = "URL")]
    public_url: Option<url::Url>,
    /// Write nothing to the curation logs (by default declined questions and votes go to the data dir, as the bot's do)
    #[arg(long)]
    no_log: bool,
}

fn parse_wechat_path(text: &str) -> Result<String, String> {
    wechat::parse_path(text).map_err(|error| error.to_string())
}

fn parse_origin(text: &str) -> Result<String, String> {
    web::parse_origin(text).map_err(|error| error.to_string())
}

pub fn run(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let wechat = match args.wechat_path {
        Some(path) => Some(wechat::Config {
            path,
            secrets: secrets::load(args.wechat_secrets_file.as_deref())?,
            page_url: args.public_url.map(String::from),
        }),
        None => None,
    };
    let wechat_note = wechat.as_ref().map(|config| {
        let mode = if config.secrets.safe_mode().is_some() {
            "safe mode"
        } else {
            "plaintext mode"
        };
        format!(" WeChat messages at {} ({mode}).", config.path)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let web = Arc::new(Web::new(Options {
        allow_origins: args.allow_origins,
        rate_limit: args.rate_limit,
        wechat,
    }));
    // Listening comes first: /healthz answers and /readyz says 503 while a first start builds the index.
    let listener = runtime.block_on(web::bind(args.listen))?;
    let address = listener.local_addr().context("cannot read the address listened on")?;
    let server = runtime.spawn(web::serve(listener, Arc::clone(&web)));
    let engine = settings.open_engine()?;
    let live = Arc::new(LiveEngine::new(engine, &settings.faq, &settings.index));
    let _watcher = {
        let web = Arc::clone(&web);
        live.watch(move |outcome| {
            web.metrics().reloaded(outcome);
            if outcome.is_problem() {
                tracing::warn!("{}", reload_report(outcome).plain());
            }
        })
        .map_err(|error| tracing::warn!(error = %faqbot::error_chain::error_chain(&error), "faq/ changes will not be picked up; restart to see them"))
        .ok()
    };
    let feedback = if args.no_log { None } else { settings.feedback_log() };
    web.set_ready(Arc::new(Conversation::new(live, feedback, HashSet::new())));
    eprintln!(
        "faqbot is serving http://{address}/ (the chat page; the widget is /widget.js);{} Ctrl-C to stop.",
        wechat_note.unwrap_or_default()
    );
    runtime.block_on(server).context("the web server failed")??;
    Ok(ExitCode::from(EXIT_OK))
}
