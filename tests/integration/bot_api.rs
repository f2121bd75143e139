//! A stand-in Telegram Bot API server, and updates written as the JSON Telegram sends, so that the bot's handlers
//! are tested through the real HTTP requests teloxide makes, with no mock crate (and none of the OpenSSL it links).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use teloxide::types::{ParseMode, ReplyMarkup, Update};

/// The bot's own id and username, as `getMe` reports them.
pub const BOT_ID: u64 = 7012345678;
pub const BOT_USERNAME: &str = "faq_test_bot";
/// The private chat (and user) updates come from unless a test says otherwise.
pub const USER: u64 = 987_654_321;
/// A group chat.
pub const GROUP: i64 = -100_555_000_111;

/// Requests a stand-in server received: method name and JSON body.
pub type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// The bot's user, as `getMe` and its own messages show it.
pub fn me_json() -> Value {
    json!({
        "id": BOT_ID, "is_bot": true, "first_name": "FAQ", "username": BOT_USERNAME,
        "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": true,
        "can_connect_to_business": false, "has_main_web_app": false
    })
}

/// A Bot API server that accepts whatever the bot sends and records it; `getUpdates` answers with nothing.
pub fn start() -> (String, Received) {
    let server = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", server.local_addr().expect("address"));
    let received: Received = Arc::default();
    let log = Arc::clone(&received);
    std::thread::spawn(move || {
        let mut next_message_id = 1000;
        for stream in server.incoming() {
            let Ok(stream) = stream else { continue };
            let Some((method, body)) = read_request(&stream) else {
                continue;
            };
            let result = match method.to_ascii_lowercase().as_str() {
                "getme" => me_json(),
                "getupdates" => json!([]),
                "sendmessage" => {
                    next_message_id += 1;
                    let chat = body["chat_id"].as_i64().unwrap_or_default();
                    json!({
                        "message_id": next_message_id, "date": 1_700_000_001,
                        "chat": {"id": chat, "type": "private", "first_name": "Ann"},
                        "from": me_json(), "text": body["text"].clone()
                    })
                }
                _ => json!(true),
            };
            log.lock().expect("log").push((method, body));
            respond(stream, &json!({"ok": true, "result": result}));
        }
    });
    (url, received)
}

/// Writes one JSON reply and closes the connection.
pub fn respond(mut stream: TcpStream, reply: &Value) {
    let reply = reply.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

/// The method (the last path segment) and JSON body of one HTTP request.
pub fn read_request(stream: &TcpStream) -> Option<(String, Value)> {
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
    let body = serde_json::from_slice(&body).unwrap_or_else(|_| form_fields(&String::from_utf8_lossy(&body)));
    Some((method, body))
}

/// The text fields of a multipart form (teloxide posts setWebhook as one), as a JSON object of strings.
fn form_fields(body: &str) -> Value {
    let mut fields = serde_json::Map::new();
    for part in body.split("Content-Disposition: form-data; name=\"").skip(1) {
        let Some((name, rest)) = part.split_once('"') else {
            continue;
        };
        let Some((_, value)) = rest.split_once("\r\n\r\n") else {
            continue;
        };
        let value = value.split("\r\n--").next().unwrap_or_default();
        fields.insert(name.to_string(), Value::String(value.to_string()));
    }
    Value::Object(fields)
}

/// The bodies of the requests for `method` (case as in the Bot API docs, e.g. `sendMessage`).
pub fn requests(received: &Received, method: &str) -> Vec<Value> {
    received
        .lock()
        .expect("log")
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(method))
        .map(|(_, body)| body.clone())
        .collect()
}

/// A `sendMessage` request, with the fields the tests look at.
#[derive(Debug, serde::Deserialize)]
pub struct SentMessage {
    pub chat_id: i64,
    pub text: String,
    pub parse_mode: Option<ParseMode>,
    pub reply_parameters: Option<Value>,
    pub reply_markup: Option<ReplyMarkup>,
}

/// The `sendMessage` requests, parsed.
pub fn sent_messages(received: &Received) -> Vec<SentMessage> {
    requests(received, "sendMessage")
        .into_iter()
        .map(|body| serde_json::from_value(body).expect("a sendMessage body"))
        .collect()
}

/// A user who is not the bot.
pub fn user(id: u64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Ann", "language_code": "en"})
}

/// A text message from `USER` in a private chat; change it with the functions below.
pub fn text(text: &str) -> Value {
    json!({
        "message_id": 1, "date": 1_700_000_000,
        "chat": {"id": USER, "type": "private", "first_name": "Ann"},
        "from": user(USER),
        "text": text
    })
}

/// The message, sent by `from` instead.
pub fn from(mut message: Value, from: Value) -> Value {
    message["from"] = from;
    message
}

/// The message, in a group chat.
pub fn in_group(mut message: Value) -> Value {
    message["chat"] = json!({"id": GROUP, "type": "supergroup", "title": "Curators"});
    message
}

/// The message, as a reply to `replied`.
pub fn replying_to(mut message: Value, replied: Value) -> Value {
    message["reply_to_message"] = replied;
    message
}

/// A message with no text: a sticker, or a photo.
pub fn sticker() -> Value {
    let mut message = text("");
    let object = message.as_object_mut().expect("an object");
    object.remove("text");
    object.insert(
        "sticker".into(),
        json!({
            "file_id": "sticker-1", "file_unique_id": "s1", "type": "regular",
            "width": 512, "height": 512, "is_animated": false, "is_video": false
        }),
    );
    message
}

pub fn photo() -> Value {
    let mut message = text("");
    let object = message.as_object_mut().expect("an object");
    object.remove("text");
    object.insert(
        "photo".into(),
        json!([{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]),
    );
    message
}

/// A press of the button with `data`, under one of the bot's messages in `USER`'s private chat.
pub fn press(data: &str) -> Value {
    json!({
        "id": "press-1",
        "from": user(USER),
        "chat_instance": "instance-1",
        "data": data,
        "message": {
            "message_id": 2, "date": 1_700_000_001,
            "chat": {"id": USER, "type": "private", "first_name": "Ann"},
            "from": me_json(), "text": "an answer"
        }
    })
}

/// An inline query from `USER`.
pub fn inline_query(query: &str) -> Value {
    json!({"id": "inline-1", "from": user(USER), "query": query, "offset": ""})
}

/// An update of `kind` (`message`, `edited_message`, `callback_query`, `inline_query`) carrying `value`.
pub fn update(kind: &str, value: Value) -> Update {
    let mut update = json!({"update_id": 1});
    update[kind] = value;
    // From text, as Telegram's updates arrive: teloxide reads an update it cannot parse as `UpdateKind::Error`.
    let update: Update =
        serde_json::from_str(&update.to_string()).unwrap_or_else(|error| panic!("not a valid {kind} update: {error}"));
    assert!(
        !matches!(update.kind, teloxide::types::UpdateKind::Error(_)),
        "teloxide could not read the {kind} update: {update:?}"
    );
    update
}
