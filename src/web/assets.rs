//! The chat page (`GET /`) and the widget (`GET /widget.js`): plain HTML, JS and CSS from `assets/web/`, compiled
//! into the binary, with no build step and nothing from a CDN.
//!
//! The widget's interface texts come from the one text table ([`crate::present::text`]), written into the script
//! when the server starts, so the page says what the bot says in both languages. One `<script>` tag embeds it on
//! any site; the page at `/` is the same script in full-page mode.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

use super::Web;
use crate::present::sink::escape_html;
use crate::present::text::{EN, Texts, ZH};

const PAGE: &str = include_str!("../../assets/web/page.html");
const WIDGET_JS: &str = include_str!("../../assets/web/widget.js");
const WIDGET_CSS: &str = include_str!("../../assets/web/widget.css");
/// Where widget.js takes its texts and styles; the served script has them in place of these.
const TEXTS_SLOT: &str = "/*FAQBOT_TEXTS*/ {}";
const CSS_SLOT: &str = "/*FAQBOT_CSS*/ \"\"";
/// Browsers may keep the assets this long: a new release is seen within the hour.
const CACHE: &str = "public, max-age=3600";

/// The page and the script as served, built once.
#[derive(Debug)]
pub struct Assets {
    page: String,
    widget: String,
}

impl Assets {
    pub fn new() -> Self {
        let texts: Map<String, Value> = [("en", &EN), ("zh", &ZH)]
            .into_iter()
            .map(|(code, texts)| (code.to_string(), interface(texts)))
            .collect();
        Self {
            page: PAGE.replace("{title}", &escape_html(EN.web_title)),
            widget: WIDGET_JS
                .replace(TEXTS_SLOT, &script_json(&Value::Object(texts)))
                .replace(CSS_SLOT, &script_json(&Value::from(WIDGET_CSS))),
        }
    }
}

impl Default for Assets {
    fn default() -> Self {
        Self::new()
    }
}

/// The texts the widget itself shows; everything else it shows comes from the API.
fn interface(texts: &Texts) -> Value {
    serde_json::json!({
        "title": texts.web_title,
        "open": texts.web_open,
        "close": texts.web_close,
        "inputLabel": texts.web_input_label,
        "placeholder": texts.web_placeholder,
        "send": texts.web_send,
        "you": texts.web_you,
        "bot": texts.web_bot,
        "waiting": texts.web_waiting,
        "failed": texts.web_failed,
        "voteLabel": texts.web_vote_label,
    })
}

/// JSON that is safe inside a script: no `</script>` can end it early.
fn script_json(value: &Value) -> String {
    value.to_string().replace("</", "<\\/")
}

pub fn routes() -> Router<std::sync::Arc<Web>> {
    Router::new().route("/", get(page)).route("/widget.js", get(widget))
}

async fn page(State(web): State<std::sync::Arc<Web>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        web.assets.page.clone(),
    )
        .into_response()
}

async fn widget(State(web): State<std::sync::Arc<Web>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        web.assets.widget.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_served_script_has_both_languages_texts_and_its_styles() {
        let assets = Assets::new();
        assert!(!assets.widget.contains("/*FAQBOT_TEXTS*/"), "texts slot left empty");
        assert!(!assets.widget.contains("/*FAQBOT_CSS*/"), "styles slot left empty");
        assert!(assets.widget.contains(&script_json(&Value::from(ZH.web_placeholder))));
        assert!(assets.widget.contains(".faqbot-launcher"));
        assert!(assets.page.contains(&format!("<title>{}</title>", EN.web_title)));
        assert!(!assets.page.contains("{title}"));
    }

    #[test]
    fn json_in_a_script_cannot_close_it() {
        assert_eq!(script_json(&Value::from("a</script>b")), "\"a<\\/script>b\"");
    }
}
