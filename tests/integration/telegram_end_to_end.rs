//! `faqbot telegram` end to end against a stand-in Bot API server: it registers its commands, answers a message it polled, stops on SIGTERM, and never logs the token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bot_api::{Received, me_json, read_request, requests, respond};
use crate::util::{Workspace, assert_contains};

pub(crate) const TOKEN: &str = "7012345678:AAEndToEndTokenForTests_neverLogged-42";
pub(crate) const SECRET_PART: &str = "AAEndToEndTokenForTests_neverLogged-42";
pub(crate) const FEES: &str = "How much does a WeChat official account cost?";
/// Bounds a hung test only.
const PATIENCE: Duration = Duration::from_secs(120);

/// A Bot API server that knows one bot, delivers one private message, and accepts whatever the bot sends.
fn start_bot_api() -> (String, Received) {
    let server = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", server.local_addr().expect("address"));
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    std::thread::spawn(move || {
        let mut delivered = false;
        for stream in server.incoming() {
            let Ok(stream) = stream else { continue };
            let Some((method, body)) = read_request(&stream) else {
                continue;
            };
            let result = match method.to_ascii_lowercase().as_str() {
                "getme" => me_json(),
                "getupdates" if !delivered => {
                    delivered = true;
                    serde_json::json!([{
                        "update_id": 1,
                        "message": {
                            "message_id": 1, "date": 1_700_000_000,
                            "chat": {"id": 42, "type": "private", "first_name": "Ann"},
                            "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
                            "text": FEES
                        }
                    }])
                }
                "getupdates" => {
                    std::thread::sleep(Duration::from_millis(100));
                    serde_json::json!([])
                }
                "sendmessage" => serde_json::json!({
                    "message_id": 2, "date": 1_700_000_001,
                    "chat": {"id": 42, "type": "private", "first_name": "Ann"},
                    "from": {"id": 7012345678u64, "is_bot": true, "first_name": "FAQ", "username": "faq_test_bot"},
                    "text": "answer"
                }),
                _ => serde_json::json!(true),
            };
            log.lock().expect("log").push((method, body));
            respond(stream, &serde_json::json!({"ok": true, "result": result}));
        }
    });
    (url, received)
}

/// A running `faqbot telegram` against the stand-in server, with its stderr collected.
pub(crate) struct RunningBot {
    child: Child,
    stderr: std::thread::JoinHandle<String>,
}

impl RunningBot {
    pub(crate) fn start(workspace: &Workspace, api_url: &str, args: &[&str]) -> Self {
        let mut command = workspace.command(&[&["telegram"], args].concat());
        command
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", api_url)
            .env("RUST_LOG", "trace")
            .stdin(Stdio::null());
        let mut child = command.spawn().expect("start faqbot");
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        });
        Self { child, stderr }
    }

    /// Waits for `done`, killing the bot if it never comes.
    pub(crate) fn wait_for(&mut self, what: &str, received: &Received, mut done: impl FnMut() -> bool) {
        let started = Instant::now();
        while !done() {
            if started.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!("gave up waiting for {what}; requests: {:?}", received.lock());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGTERM and returns the exit code, stdout and stderr, after checking that the token is in neither.
    pub(crate) fn stop(mut self) -> (Option<i32>, String) {
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = self.child.wait().expect("faqbot exits");
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("stdout");
        let stderr = self.stderr.join().expect("stderr reader");
        assert!(!stderr.contains(SECRET_PART), "the token leaked:\n{stderr}");
        assert!(!stdout.contains(SECRET_PART), "the token leaked:\n{stdout}");
        (status.code(), stderr)
    }
}

fn assert_answered_fees(received: &Received) {
    let sent = requests(received, "SendMessage");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], 42);
    assert_eq!(sent[0]["parse_mode"], "HTML");
    let text = sent[0]["text"].as_str().expect("text");
    assert_contains(text, &format!("<b>{FEES}</b>"));
    assert_contains(text, "<b>Rules</b>");
    assert_eq!(sent[0]["reply_parameters"]["message_id"], 1);
    let keyboard = sent[0]["reply_markup"]["inline_keyboard"].as_array().expect("keyboard");
    let vote = keyboard[0][0]["callback_data"].as_str().unwrap_or_default();
    assert!(
        vote.starts_with("v:e:u:") && vote.ends_with(":fees"),
        "a 👍 on fees with its confidence: {vote}"
    );
}

#[test]
fn the_bot_registers_commands_answers_a_polled_message_and_stops_on_sigterm() {
    let (url, received) = start_bot_api();
    let workspace = Workspace::shipped();
    let mut bot = RunningBot::start(&workspace, &url, &[]);
    bot.wait_for("an answer", &received, || {
        !requests(&received, "SendMessage").is_empty()
    });
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "SIGTERM is a clean stop:\n{stderr}");

    let commands = requests(&received, "SetMyCommands");
    assert_eq!(commands.len(), 1);
    let menu = commands[0]["commands"].as_array().expect("commands");
    assert_eq!(menu.len(), 6);
    assert_eq!(menu[0]["description"], "What I know about, with example questions");
    assert_answered_fees(&received);
    assert_contains(&stderr, "faqbot is answering as @faq_test_bot (long polling)");
}

/// Posts an update to the bot's webhook as Telegram would; returns the HTTP status line.
fn post_update(address: &str, path: &str, secret: Option<&str>) -> String {
    let update = serde_json::json!({
        "update_id": 7,
        "message": {
            "message_id": 1, "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "Ann"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
            "text": FEES
        }
    })
    .to_string();
    let mut stream = TcpStream::connect(address).expect("the webhook listens");
    let secret = secret.map_or(String::new(), |secret| {
        format!("X-Telegram-Bot-Api-Secret-Token: {secret}\r\n")
    });
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{secret}Content-Length: {}\r\nConnection: close\r\n\r\n{update}",
        update.len()
    )
    .expect("post");
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).expect("status line");
    status.trim().to_string()
}

#[test]
fn a_webhook_replica_registers_the_shared_webhook_answers_posts_and_never_deletes_it() {
    let (url, received) = start_bot_api();
    let workspace = Workspace::shipped();
    let listen = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("address").to_string()
    };
    let webhook = format!("http://{listen}/telegram");
    let mut bot = RunningBot::start(&workspace, &url, &["--webhook-url", &webhook, "--listen", &listen]);
    bot.wait_for("the webhook registration", &received, || {
        !requests(&received, "SetWebhook").is_empty()
    });
    bot.wait_for("the webhook server", &received, || TcpStream::connect(&listen).is_ok());
    let registration = &requests(&received, "SetWebhook")[0];
    assert_eq!(registration["url"], webhook.as_str());
    let secret = registration["secret_token"].as_str().expect("a secret").to_string();
    assert!(!secret.contains(SECRET_PART));

    assert_contains(&post_update(&listen, "/telegram", None), "401");
    assert!(
        requests(&received, "SendMessage").is_empty(),
        "an update without the secret is refused"
    );
    assert_contains(&post_update(&listen, "/telegram", Some(&secret)), "200");
    bot.wait_for("an answer", &received, || {
        !requests(&received, "SendMessage").is_empty()
    });
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "SIGTERM is a clean stop:\n{stderr}");
    assert_answered_fees(&received);
    assert!(
        requests(&received, "DeleteWebhook").is_empty(),
        "stopping one replica must not remove the webhook the others serve"
    );
    assert!(requests(&received, "GetUpdates").is_empty());
}

fn sent_to(received: &Received, chat: u64) -> Vec<String> {
    requests(received, "SendMessage")
        .iter()
        .filter(|body| body["chat_id"] == chat)
        .filter_map(|body| body["text"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn admins_are_told_when_a_faq_file_breaks_and_when_it_is_fixed() {
    const ADMIN: u64 = 99;
    let (url, received) = start_bot_api();
    let workspace = Workspace::shipped();
    let mut bot = RunningBot::start(&workspace, &url, &["--admins", &ADMIN.to_string()]);
    bot.wait_for("the first answer", &received, || {
        !requests(&received, "SendMessage").is_empty()
    });

    let fees = workspace.read("faq/fees.md");
    workspace.write("faq/fees.md", "+++\nid = \"fees\"\nnot toml\n+++\n");
    bot.wait_for("the admin to hear of the broken file", &received, || {
        sent_to(&received, ADMIN)
            .iter()
            .any(|text| text.contains("could not be loaded"))
    });
    let warning = sent_to(&received, ADMIN).concat();
    assert_contains(&warning, "fees.md");
    assert_contains(&warning, "The last good index keeps serving.");

    workspace.write(
        "faq/fees.md",
        &fees.replace("Registering is free.", "Registering costs nothing."),
    );
    bot.wait_for("the admin to hear it is fixed", &received, || {
        sent_to(&received, ADMIN)
            .iter()
            .any(|text| text.starts_with("Reloaded"))
    });
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_contains(&stderr, "fees.md");
}
