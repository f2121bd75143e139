//! `faqbot telegram` end to end against a stand-in Bot API server: it registers its commands, answers a message it polled, stops on SIGTERM, and never logs the token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{Workspace, assert_contains};

const TOKEN: &str = "7012345678:AAEndToEndTokenForTests_neverLogged-42";
const SECRET_PART: &str = "AAEndToEndTokenForTests_neverLogged-42";
const FEES: &str = "How much does a WeChat official account cost?";
/// Bounds a hung test only.
const PATIENCE: Duration = Duration::from_secs(120);

/// Requests the stand-in server received: method name and JSON body.
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

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
                "getme" => serde_json::json!({
                    "id": 7012345678u64, "is_bot": true, "first_name": "FAQ", "username": "faq_test_bot",
                    "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": true,
                    "can_connect_to_business": false, "has_main_web_app": false
                }),
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
            let reply = serde_json::json!({"ok": true, "result": result}).to_string();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, received)
}

/// The method (the last path segment) and JSON body of one HTTP request.
fn read_request(stream: &TcpStream) -> Option<(String, serde_json::Value)> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let path = request_line.split_whitespace().nth(1)?;
    let method = path.rsplit('/').next()?.to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((_, value)) = header
            .split_once(':')
            .filter(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)))
}

fn requests(received: &Received, method: &str) -> Vec<serde_json::Value> {
    received
        .lock()
        .expect("log")
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(method))
        .map(|(_, body)| body.clone())
        .collect()
}

#[test]
fn the_bot_registers_commands_answers_a_polled_message_and_stops_on_sigterm() {
    let (url, received) = start_bot_api();
    let workspace = Workspace::shipped();
    let mut command = workspace.command(&["telegram"]);
    command
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &url)
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null());
    let mut child = command.spawn().expect("start faqbot");
    let mut stderr = child.stderr.take().expect("stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });

    let started = Instant::now();
    while requests(&received, "SendMessage").is_empty() {
        assert!(
            started.elapsed() < PATIENCE,
            "no answer sent; requests: {:?}",
            received.lock()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("faqbot exits");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("stdout");
    let stderr = stderr_reader.join().expect("stderr reader");
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop:\n{stderr}");

    let commands = requests(&received, "SetMyCommands");
    assert_eq!(commands.len(), 1);
    let menu = commands[0]["commands"].as_array().expect("commands");
    assert_eq!(menu.len(), 6);
    assert_eq!(menu[0]["description"], "What I know about, with example questions");

    let sent = requests(&received, "SendMessage");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["chat_id"], 42);
    assert_eq!(sent[0]["parse_mode"], "HTML");
    let text = sent[0]["text"].as_str().expect("text");
    assert_contains(text, &format!("<b>{FEES}</b>"));
    assert_contains(text, "<b>Rules</b>");
    assert_eq!(sent[0]["reply_parameters"]["message_id"], 1);
    let keyboard = sent[0]["reply_markup"]["inline_keyboard"].as_array().expect("keyboard");
    assert_eq!(keyboard[0][0]["callback_data"], "v:e:u:100:fees");

    assert_contains(&stderr, "faqbot is answering as @faq_test_bot (long polling)");
    assert!(!stderr.contains(SECRET_PART), "the token leaked:\n{stderr}");
    assert!(!stdout.contains(SECRET_PART), "the token leaked:\n{stdout}");
}
