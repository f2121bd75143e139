//! `faqbot telegram`: reads the token and settings, opens the engine, and runs the bot until Ctrl-C or SIGTERM.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use faqbot::live::LiveEngine;
use faqbot::telegram::Conversation;
use faqbot::telegram::run::{self, BotConfig, Updates};
use faqbot::telegram::token::{self, TokenSource};

use super::{EXIT_OK, Settings};

/// The environment variables the bot reads besides those of its flags.
pub const ENVIRONMENT_HELP: &str = "\
Environment:
  TELOXIDE_TOKEN    The bot token from @BotFather (or use --token-file); never logged
  TELOXIDE_API_URL  Another Bot API server, e.g. a local telegram-bot-api [default: Telegram's]
  RUST_LOG          Log filter, e.g. info or faqbot=debug

Stop with Ctrl-C or SIGTERM: the updates in hand are finished first.";

#[derive(Debug, clap::Args)]
pub struct TelegramArgs {
    /// Read the bot token from this file instead of TELOXIDE_TOKEN
    #[arg(long, value_name = "PATH")]
    token_file: Option<PathBuf>,
    /// Telegram user ids (comma-separated) allowed /reload, /stats and /unanswered; ask @userinfobot for yours
    #[arg(long, env = "FAQBOT_ADMINS", value_name = "IDS", value_delimiter = ',', value_parser = parse_user_id)]
    admins: Vec<u64>,
    /// Receive updates at this public HTTPS URL instead of long polling; with --listen. For several replicas
    /// behind a load balancer, each with its own index
    #[arg(long, env = "FAQBOT_WEBHOOK_URL", value_name = "URL", requires = "listen")]
    webhook_url: Option<url::Url>,
    /// Address the webhook server binds, e.g. 0.0.0.0:8443; with --webhook-url
    #[arg(long, env = "FAQBOT_LISTEN", value_name = "ADDR", requires = "webhook_url")]
    listen: Option<SocketAddr>,
}

fn parse_user_id(text: &str) -> Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a Telegram user id (a number such as 123456789)"))
}

pub fn run(settings: &Settings, args: TelegramArgs) -> anyhow::Result<ExitCode> {
    let token = token::load(args.token_file.as_deref())?;
    let token_source = args.token_file.clone().map_or(TokenSource::Variable, TokenSource::File);
    let api_url = run::api_url_from_env()?;
    let updates = match (args.webhook_url, args.listen) {
        (Some(url), Some(listen)) => Updates::Webhook { url, listen },
        _ => Updates::Polling,
    };
    let how = match &updates {
        Updates::Polling => "long polling".to_string(),
        Updates::Webhook { url, listen } => format!("webhook {url}, listening on {listen}"),
    };
    let engine = settings.open_engine()?;
    let live = Arc::new(LiveEngine::new(engine, &settings.faq, &settings.index));
    let feedback = settings.feedback_log();
    let admins: HashSet<u64> = args.admins.into_iter().collect();
    if admins.is_empty() {
        tracing::info!("no admins (FAQBOT_ADMINS): /reload, /stats and /unanswered are off");
    }
    let conversation = Arc::new(Conversation::new(live, feedback, admins));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run::run(
        conversation,
        BotConfig {
            token,
            token_source,
            api_url,
            updates,
            on_ready: Box::new(move |username| {
                eprintln!("faqbot is answering as @{username} ({how}); Ctrl-C to stop.");
            }),
        },
    ))?;
    Ok(ExitCode::from(EXIT_OK))
}
