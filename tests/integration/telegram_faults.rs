//! `faqbot telegram` against a misbehaving Bot API and a hostile webhook client: 5xx answers are retried, a slow API is waited for rather than sent to twice, an unreadable update is skipped without stalling the rest, and the webhook checks its secret before reading, caps bodies and outlives idle connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::bot_api::{Received, read_request, requests};
use crate::telegram_end_to_end::{FEES, RunningBot};
use crate::util::{Workspace, assert_contains};

/// What the stand-in server answers one request with.
enum Reply {
    Ok(serde_json::Value),
    /// An HTTP status with a raw body.
    Status(u16, String),
    /// A success, after a pause.
    Slow(Duration, serde_json::Value),
}

/// Decides the reply from the method and how many requests of that method came before.
type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

fn message(update_id: i64, text: &str) -> serde_json::Value {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "Ann"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ann"},
            "text": text
        }
    })
}

fn sent() -> serde_json::Value {
    serde_json::json!({
        "message_id": 2, "date": 1_700_000_001,
        "chat": {"id": 42, "type": "private", "first_name": "Ann"},
        "from": {"id": 7012345678u64, "is_bot": true, "first_name": "FAQ", "username": "faq_test_bot"},
        "text": "answer"
    })
}

/// The replies every script shares: getMe, one message on the first getUpdates, then nothing, and success.
fn usual(method: &str, count: usize, first_batch: &str) -> Reply {
    match method {
        "getme" => Reply::Ok(serde_json::json!({
            "id": 7012345678u64, "is_bot": true, "first_name": "FAQ", "username": "faq_test_bot",
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": true,
            "can_connect_to_business": false, "has_main_web_app": false
        })),
        "getupdates" if count == 0 => Reply::Status(200, format!(r#"{{"ok": true, "result": {first_batch}}}"#)),
        "getupdates" => Reply::Slow(Duration::from_millis(100), serde_json::json!([])),
        "sendmessage" => Reply::Ok(sent()),
        _ => Reply::Ok(serde_json::json!(true)),
    }
}

/// A Bot API server that answers as `script` says, each connection on its own thread (so a slow answer holds
/// up nothing else).
fn start(script: Arc<Script>) -> (String, Received) {
    let server = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", server.local_addr().expect("address"));
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    let counts: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let Ok(stream) = stream else { continue };
            let (log, counts, script) = (Arc::clone(&log), Arc::clone(&counts), Arc::clone(&script));
            std::thread::spawn(move || {
                let Some((method, body)) = read_request(&stream) else {
                    return;
                };
                let method = method.to_ascii_lowercase();
                let count = {
                    let mut counts = counts.lock().expect("counts");
                    let count = counts.entry(method.clone()).or_default();
                    *count += 1;
                    *count - 1
                };
                log.lock().expect("log").push((method.clone(), body));
                let (status, reply) = match script(&method, count) {
                    Reply::Ok(result) => (200, serde_json::json!({"ok": true, "result": result}).to_string()),
                    Reply::Status(status, body) => (status, body),
                    Reply::Slow(pause, result) => {
                        std::thread::sleep(pause);
                        (200, serde_json::json!({"ok": true, "result": result}).to_string())
                    }
                };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            });
        }
    });
    (url, received)
}

fn answers_to_ann(received: &Received) -> usize {
    requests(received, "sendmessage")
        .iter()
        .filter(|body| body["chat_id"] == 42)
        .count()
}

#[test]
fn sends_answered_with_server_errors_are_retried_until_they_go_through() {
    let batch = format!("[{}]", message(1, FEES));
    let script: Arc<Script> = Arc::new(move |method, count| match (method, count) {
        ("sendmessage", 0) => Reply::Status(
            500,
            r#"{"ok": false, "error_code": 500, "description": "Internal Server Error"}"#.into(),
        ),
        ("sendmessage", 1) => Reply::Status(502, "<html>502 Bad Gateway</html>".into()),
        _ => usual(method, count, &batch),
    });
    let (url, received) = start(script);
    let workspace = Workspace::shipped();
    let mut bot = RunningBot::start(&workspace, &url, &[]);
    bot.wait_for("the third attempt", &received, || answers_to_ann(&received) >= 3);
    std::thread::sleep(Duration::from_millis(500));
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        answers_to_ann(&received),
        3,
        "retried until it went through, then no more"
    );
    let texts: Vec<String> = requests(&received, "sendmessage")
        .iter()
        .filter_map(|body| body["text"].as_str().map(str::to_string))
        .collect();
    assert!(texts.iter().all(|text| text == &texts[0]), "the same answer each time");
    assert_contains(&stderr, "sending failed; retrying");
}

#[test]
fn a_slow_api_is_waited_for_instead_of_sent_to_twice() {
    let batch = format!("[{}]", message(1, FEES));
    // Longer than teloxide's own 17 s timeout, which used to abandon the send and send it again.
    let script: Arc<Script> = Arc::new(move |method, count| match (method, count) {
        ("sendmessage", 0) => Reply::Slow(Duration::from_secs(19), sent()),
        _ => usual(method, count, &batch),
    });
    let (url, received) = start(script);
    let workspace = Workspace::shipped();
    let mut bot = RunningBot::start(&workspace, &url, &[]);
    bot.wait_for("the answer", &received, || answers_to_ann(&received) >= 1);
    let started = Instant::now();
    // Past the slow answer and a retry's first pause.
    while started.elapsed() < Duration::from_secs(21) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(answers_to_ann(&received), 1, "sent once:\n{stderr}");
}

#[test]
fn an_unreadable_update_is_skipped_and_the_ones_after_it_answered() {
    const PRIVATE: &str = "PRIVATE-USER-WORDS";
    let deep = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let batch = format!(
        r#"[null, {{"message": {{"text": "{PRIVATE}"}}}}, {{"update_id": 2, "poll_answer": {deep}, "note": "{PRIVATE}"}}, {{"update_id": "{PRIVATE}"}}, {}]"#,
        message(3, FEES)
    );
    let script: Arc<Script> = Arc::new(move |method, count| usual(method, count, &batch));
    let (url, received) = start(script);
    let workspace = Workspace::shipped();
    let mut bot = RunningBot::start(&workspace, &url, &[]);
    bot.wait_for("the answer to the good update", &received, || {
        answers_to_ann(&received) >= 1
    });
    bot.wait_for("the next poll", &received, || {
        requests(&received, "getupdates").len() >= 2
    });
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        requests(&received, "getupdates")[1]["offset"],
        4,
        "the offset moved past every update"
    );
    let confirmation = requests(&received, "getupdates").last().cloned().expect("polls");
    assert_eq!(confirmation["offset"], 4, "a stop confirms what was handed over");
    assert_eq!(confirmation["timeout"], 0);
    assert_contains(&stderr, "skipped an update that cannot be read");
    assert!(
        !stderr.contains(PRIVATE),
        "a skipped update's text was logged:\n{stderr}"
    );
}

/// A bot serving a webhook on a free port, with the secret it registered.
fn webhook_bot(workspace: &Workspace, prefix: &[&str]) -> (RunningBot, Received, String, String) {
    let script: Arc<Script> = Arc::new(|method, count| usual(method, count, "[]"));
    let (url, received) = start(script);
    let listen = {
        let probe = TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("address").to_string()
    };
    let webhook = format!("http://{listen}/telegram");
    let mut args = prefix.to_vec();
    args.extend(["--webhook-url", &webhook, "--listen", &listen]);
    let mut bot = RunningBot::start(workspace, &url, &args);
    bot.wait_for("the webhook registration", &received, || {
        !requests(&received, "setwebhook").is_empty()
    });
    bot.wait_for("the webhook server", &received, || TcpStream::connect(&listen).is_ok());
    let secret = requests(&received, "setwebhook")[0]["secret_token"]
        .as_str()
        .expect("a secret")
        .to_string();
    (bot, received, listen, secret)
}

/// Sends request headers (and `body`, if any) and returns the status line, or an empty string if none came in time.
fn post(address: &str, headers: &str, body: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(wait)).expect("timeout");
    let _ = write!(
        stream,
        "POST /telegram HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{headers}\r\n"
    );
    let _ = stream.write_all(body);
    let mut status = String::new();
    let _ = BufReader::new(stream).read_line(&mut status);
    status.trim().to_string()
}

#[test]
fn the_webhook_checks_the_secret_before_reading_and_caps_bodies() {
    let workspace = Workspace::shipped();
    let (bot, received, listen, secret) = webhook_bot(&workspace, &[]);
    // 50 MB announced, none sent: refused at once, without waiting for (or keeping) the body.
    let unsigned = post(&listen, "Content-Length: 50000000\r\n", b"", Duration::from_secs(5));
    assert_contains(&unsigned, "401");
    let too_big = post(
        &listen,
        &format!("X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: 2000000\r\n"),
        b"",
        Duration::from_secs(5),
    );
    assert_contains(&too_big, "413");
    let update = message(7, FEES).to_string();
    let signed = post(
        &listen,
        &format!(
            "X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {}\r\nConnection: close\r\n",
            update.len()
        ),
        update.as_bytes(),
        Duration::from_secs(10),
    );
    assert_contains(&signed, "200");
    let mut bot = bot;
    bot.wait_for("the answer", &received, || answers_to_ann(&received) >= 1);
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn idle_connections_are_dropped_and_never_starve_signed_updates() {
    let workspace = Workspace::shipped();
    // More than the bot keeps open: those beyond its limit are closed at once, the rest after the header timeout.
    let (mut bot, received, listen, secret) = webhook_bot(&workspace, &[]);
    let idle: Vec<TcpStream> = (0..400).filter_map(|_| TcpStream::connect(&listen).ok()).collect();
    assert!(idle.len() >= 300, "{} idle connections", idle.len());
    let update = message(8, FEES).to_string();
    let started = Instant::now();
    let mut status = String::new();
    while started.elapsed() < Duration::from_secs(40) {
        status = post(
            &listen,
            &format!(
                "X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {}\r\nConnection: close\r\n",
                update.len()
            ),
            update.as_bytes(),
            Duration::from_secs(2),
        );
        if status.contains("200") {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_contains(&status, "200");
    bot.wait_for("the answer", &received, || answers_to_ann(&received) >= 1);
    // The idle ones were closed by the server (header timeout or connection limit).
    let mut closed = 0;
    for mut stream in idle {
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let mut byte = [0u8; 1];
        if matches!(stream.read(&mut byte), Ok(0)) {
            closed += 1;
        }
    }
    assert!(closed >= 300, "only {closed} idle connections were closed");
    let (code, stderr) = bot.stop();
    assert_eq!(code, Some(0), "{stderr}");
}
