//! The widget in a real browser: headless Chromium, driven over WebDriver (chromedriver), opens a page on another
//! origin that embeds `faqbot serve`'s widget with one script tag, asks in English and Chinese, votes, presses a
//! suggestion and a "did you mean", and checks what a reader sees; then the chat page at `/`. It takes the
//! README's screenshot on the way.
//!
//! Chromium and chromedriver are Debian's `chromium` and `chromium-driver`; `.ci/run` installs them. Where they
//! are missing the test says so and passes without running, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use faqbot::present::text::{EN, ZH};
use serde_json::json;

use crate::util::{Workspace, assert_contains};
use crate::web::{FAX, SWITCH, SWITCH_ZH, Server};

/// Bounds a hung step only; nothing here is timed.
const PATIENCE: Duration = Duration::from_secs(60);
const WIDTH: u32 = 1100;
const HEIGHT: u32 = 960;
/// WebDriver's Enter and Escape keys.
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// The first of `names` found on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium and its driver, or why the test cannot run.
fn browser() -> Result<(PathBuf, PathBuf), String> {
    let chromium = on_path(&["chromium", "chromium-browser"]).ok_or("no chromium on PATH")?;
    let driver = on_path(&["chromedriver"]).ok_or("no chromedriver on PATH")?;
    Ok((chromium, driver))
}

/// A site that is not faqbot: one blog page that embeds the widget, served from another port (another origin).
fn start_host_page() -> (String, TcpListener) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    (origin, listener)
}

fn serve_host_page(listener: TcpListener, widget: String) {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Choosing a WeChat account</title>\
         <style>body{{font:17px/1.6 Georgia,serif;max-width:560px;margin:40px 60px;color:#222}}</style></head><body>\
         <h1>Choosing a WeChat Official Account</h1>\
         <p>Subscription or service account? Can you switch later? Ask the FAQ bot in the corner: it answers from \
         the comment thread below and cites the account rules behind every answer.</p>\
         <script src=\"{widget}\" data-lang=\"auto\"></script></body></html>"
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(clone) => clone,
                Err(_) => continue,
            });
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                line.clear();
            }
            let (status, body) = if request_line.starts_with("GET / ") {
                ("200 OK", page.as_str())
            } else {
                ("404 Not Found", "")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
}

/// chromedriver on a free loopback port, ended when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(driver: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn connect(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=en-US", format!("--window-size={WIDTH},{HEIGHT}"),
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let started = Instant::now();
    loop {
        // chromedriver takes a moment to listen.
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&driver.url)
            .await
        {
            Ok(client) => return client,
            Err(error) if started.elapsed() < PATIENCE => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("cannot start Chromium through chromedriver: {error}"),
        }
    }
}

/// Waits until `check` is true, polling; panics with `what` after [`PATIENCE`].
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn bot_messages(client: &Client) -> Vec<Element> {
    client
        .find_all(Locator::Css(".faqbot-msg.faqbot-bot:not(.faqbot-failed)"))
        .await
        .expect("find messages")
}

/// Waits for the `count`th bot message and returns it.
async fn nth_bot_message(client: &Client, count: usize) -> Element {
    until(&format!("bot message {count}"), || async {
        bot_messages(client).await.len() >= count
    })
    .await;
    let failed = client
        .find_all(Locator::Css(".faqbot-failed"))
        .await
        .expect("find failures");
    assert!(failed.is_empty(), "a request failed in the page");
    bot_messages(client).await.swap_remove(count - 1)
}

async fn text(element: &Element) -> String {
    element.text().await.expect("element text")
}

async fn attr(client: &Client, css: &str, name: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .attr(name)
        .await
        .expect("attribute")
        .unwrap_or_default()
}

async fn active_element_id(client: &Client) -> String {
    client
        .execute(
            "return document.activeElement ? document.activeElement.id : '';",
            vec![],
        )
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn ask(client: &Client, question: &str, with_enter: bool) {
    let input = client.find(Locator::Css("#faqbot-input")).await.expect("input");
    input.send_keys(question).await.expect("type");
    if with_enter {
        input.send_keys(ENTER).await.expect("enter");
    } else {
        client
            .find(Locator::Css(".faqbot-send"))
            .await
            .expect("send button")
            .click()
            .await
            .expect("send");
    }
}

/// The PNG's width and height, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let number = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (number(16), number(20))
}

#[test]
fn the_widget_answers_votes_and_suggests_in_a_real_browser() {
    let (chromium, driver) = match browser() {
        Ok(found) => found,
        Err(why) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("{why}, and CI=true: .ci/run installs Debian's chromium and chromium-driver before the tests")
        }
        Err(why) => {
            eprintln!(
                "SKIPPED the browser test: {why}. Install Debian's chromium and chromium-driver \
                 (apt-get install chromium chromium-driver) to run it."
            );
            return;
        }
    };
    let (host, listener) = start_host_page();
    let workspace = Workspace::shipped();
    let server = Server::start(&workspace, &["--allow-origin", &host]);
    serve_host_page(listener, server.url("/widget.js"));
    let profile = tempfile::tempdir().expect("a fresh profile");
    let driver = Driver::start(&driver);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let screenshot = runtime.block_on(async {
        let client = connect(&driver, &chromium, profile.path()).await;
        let result = drive(&client, &host, &server, &workspace).await;
        let _ = client.close().await;
        result
    });

    let (width, height) = png_size(&screenshot);
    assert!(width >= 800 && height >= 600, "{width}×{height}");
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-widget.png");
    std::fs::write(&kept, &screenshot).expect("write the screenshot");
    // `FAQBOT_SCREENSHOT=docs/web-widget.png cargo test web_browser` refreshes the README's picture.
    if let Some(path) = std::env::var_os("FAQBOT_SCREENSHOT") {
        std::fs::write(&path, &screenshot).expect("write the screenshot where FAQBOT_SCREENSHOT says");
    }
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// Everything a reader does, on the blog page and then on the chat page; returns the screenshot.
async fn drive(client: &Client, host: &str, server: &Server, workspace: &Workspace) -> Vec<u8> {
    client.goto(host).await.expect("open the blog page");
    let launcher = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(".faqbot-launcher"))
        .await
        .expect("the launcher");
    assert_eq!(text(&launcher).await, EN.web_open);
    assert_eq!(attr(client, ".faqbot-launcher", "aria-expanded").await, "false");
    assert!(
        !client
            .find(Locator::Css("#faqbot-panel"))
            .await
            .expect("panel")
            .is_displayed()
            .await
            .expect("displayed"),
        "the panel starts closed"
    );

    // Opening greets with examples and puts the keyboard in the question field.
    launcher.click().await.expect("open");
    let greeting = nth_bot_message(client, 1).await;
    assert_contains(
        &text(&greeting).await,
        "Hello! I answer questions about WeChat Official Accounts",
    );
    assert_eq!(attr(client, ".faqbot-launcher", "aria-expanded").await, "true");
    assert_eq!(active_element_id(client).await, "faqbot-input");
    assert_eq!(attr(client, "#faqbot-input", "placeholder").await, EN.web_placeholder);
    assert_eq!(attr(client, ".faqbot-log", "aria-live").await, "polite");
    let label = client
        .find(Locator::Css("label[for=faqbot-input]"))
        .await
        .expect("label");
    assert_eq!(
        label.prop("textContent").await.expect("label").as_deref(),
        Some(EN.web_input_label)
    );

    // An English question: the answer, its cited rules and its source, 👍/👎 and related questions.
    ask(client, SWITCH, false).await;
    let answer = nth_bot_message(client, 2).await;
    let shown = text(&answer).await;
    assert_contains(&shown, "No. An official account cannot switch");
    assert_contains(&shown, "Rules\n• no-type-switch – ");
    assert_contains(&shown, "Source: Comment 17 (Marion)");
    let votes = answer.find_all(Locator::Css(".faqbot-vote")).await.expect("votes");
    assert_eq!(votes.len(), 2);
    assert_eq!(text(&votes[0]).await, EN.vote_up);
    let related = answer.find_all(Locator::Css(".faqbot-choice")).await.expect("related");
    assert!(!related.is_empty(), "related questions are buttons");
    let screenshot = client.screenshot().await.expect("screenshot");

    // 👍 is thanked, pressed, and logged.
    votes[0].click().await.expect("vote");
    until("the thanks", || async {
        let notices = client.find_all(Locator::Css(".faqbot-notice")).await.expect("notices");
        match notices.last() {
            Some(notice) => text(notice).await == EN.thanks_up,
            None => false,
        }
    })
    .await;
    assert_eq!(
        votes[0].attr("aria-pressed").await.expect("pressed").as_deref(),
        Some("true")
    );
    assert!(!votes[1].is_enabled().await.expect("enabled"), "one vote per answer");
    let data = workspace.path().join("data");
    let logged = faqbot::feedback::read_votes(&data).expect("votes log");
    assert_eq!(logged.records.len(), 1);
    assert_eq!(logged.records[0].entry, "switch-account-type");
    assert_eq!(logged.records[0].question, SWITCH);

    // A related question pressed is asked on the user's behalf and answered.
    let picked = text(&related[0]).await;
    related[0].click().await.expect("press a suggestion");
    let next = nth_bot_message(client, 3).await;
    assert_contains(&text(&next).await, &format!("{picked}\n"));
    let said = client
        .find_all(Locator::Css(".faqbot-user"))
        .await
        .expect("user messages");
    assert!(
        text(said.last().expect("the pick")).await.ends_with(&picked),
        "{picked} shown as asked"
    );

    // A Chinese question, sent with Enter, gets the Chinese answer and the Chinese interface.
    ask(client, SWITCH_ZH, true).await;
    let zh = nth_bot_message(client, 4).await;
    let shown = text(&zh).await;
    assert_contains(&shown, "规则");
    assert_eq!(zh.attr("lang").await.expect("lang").as_deref(), Some("zh-Hans"));
    assert_eq!(attr(client, "#faqbot-input", "placeholder").await, ZH.web_placeholder);
    assert_eq!(
        text(&client.find(Locator::Css("#faqbot-title")).await.expect("title")).await,
        ZH.web_title
    );
    assert_eq!(
        text(&client.find(Locator::Css(".faqbot-send")).await.expect("send")).await,
        ZH.web_send
    );
    assert_eq!(
        text(&zh.find(Locator::Css(".faqbot-vote")).await.expect("vote")).await,
        ZH.vote_up
    );

    // A question it cannot answer: said so, with "did you mean" buttons that answer when pressed.
    ask(client, FAX, false).await;
    let declined = nth_bot_message(client, 5).await;
    assert_contains(&text(&declined).await, "Did you mean…");
    assert_eq!(attr(client, "#faqbot-input", "placeholder").await, EN.web_placeholder);
    let choices = declined
        .find_all(Locator::Css(".faqbot-choice"))
        .await
        .expect("choices");
    assert!(!choices.is_empty());
    assert!(
        declined
            .find_all(Locator::Css(".faqbot-vote"))
            .await
            .expect("votes")
            .is_empty()
    );
    let choice = text(&choices[0]).await;
    choices[0].click().await.expect("press did-you-mean");
    let chosen = nth_bot_message(client, 6).await;
    assert_contains(&text(&chosen).await, &format!("{choice}\n"));
    let declines = faqbot::feedback::read_declined(&data).expect("declined log");
    assert_eq!(declines.records.len(), 1, "the decline is logged for review");
    assert_eq!(declines.records[0].chat, logged.records[0].chat, "one tab, one session");

    // Escape closes the panel and gives the focus back to the launcher.
    client
        .find(Locator::Css("#faqbot-input"))
        .await
        .expect("input")
        .send_keys(ESCAPE)
        .await
        .expect("escape");
    assert_eq!(attr(client, ".faqbot-launcher", "aria-expanded").await, "false");
    assert_eq!(
        client
            .execute("return document.activeElement.className;", vec![])
            .await
            .expect("script"),
        json!("faqbot-launcher")
    );

    // The chat page at / is the widget in full-page mode: greeted at once, no launcher.
    client.goto(&server.url("/")).await.expect("open the chat page");
    let greeting = nth_bot_message(client, 1).await;
    assert_contains(&text(&greeting).await, "Hello!");
    assert!(
        client
            .find_all(Locator::Css(".faqbot-launcher"))
            .await
            .expect("launchers")
            .is_empty()
    );
    screenshot
}
