//! `faqbot serve`: the web channel (JSON API, chat page, widget) on the engine and settings the bot uses, until
//! Ctrl-C or SIGTERM.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use faqbot::live::LiveEngine;
use faqbot::telegram::Conversation;
use faqbot::telegram::conversation::reload_report;
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
    /// Write nothing to the curation logs (by default declined questions and votes go to the data dir, as the bot's do)
    #[arg(long)]
    no_log: bool,
}

fn parse_origin(text: &str) -> Result<String, String> {
    web::parse_origin(text).map_err(|error| error.to_string())
}

pub fn run(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let web = Arc::new(Web::new(Options {
        allow_origins: args.allow_origins,
        rate_limit: args.rate_limit,
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
    eprintln!("faqbot is serving http://{address}/ (the chat page; the widget is /widget.js); Ctrl-C to stop.");
    runtime.block_on(server).context("the web server failed")??;
    Ok(ExitCode::from(EXIT_OK))
}
