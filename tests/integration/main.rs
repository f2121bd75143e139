//! Integration tests, one binary: the real faqbot on a fixture faq/ and on the shipped one, the evaluation set, and robustness.

mod ask;
mod bot_api;
mod chat;
mod check;
mod curate_add;
mod curate_concurrent;
mod curate_exchange;
mod curate_review;
mod dev;
mod eval;
mod index;
mod knowledge_base;
mod limits;
mod list;
mod robustness;
mod search;
mod telegram;
mod telegram_end_to_end;
mod telegram_faults;
mod telegram_reload;
mod telegram_token;
mod util;
mod web;
mod web_browser;
mod wechat;
