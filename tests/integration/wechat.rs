//! The WeChat channel of `faqbot serve --wechat-path` over real HTTP on loopback, signed as WeChat signs: the URL
//! check, text answered in reply XML in plaintext and safe mode, retries answered once, stale or forged requests
//! refused, malformed and oversized bodies, events, other message types, numbered picks, Chinese, and no secret
//! in what the server logs.

use std::time::{SystemTime, UNIX_EPOCH};

use faqbot::present::Doc;
use faqbot::present::text::{EN, ZH};
use faqbot::web::wechat::crypto::AesKey;
use faqbot::web::wechat::message::Incoming;
use sha1::{Digest, Sha1};

use crate::util::{Workspace, assert_contains};
use crate::web::{FAX, Got, Http, SWITCH, SWITCH_ZH, Server};

const TOKEN: &str = "faqbotTestToken42";
const APP_ID: &str = "wx2c2769f8efd9abc2";
/// The EncodingAESKey of WeChat's published samples.
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const ACCOUNT: &str = "gh_faqbot";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(0))
}

/// sha1 of the parts sorted and concatenated, as the documentation says, written here apart from faqbot's.
fn sha1_sorted(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort();
    let digest = Sha1::digest(sorted.concat().as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The query WeChat adds: signature of (token, timestamp, nonce) and the rest.
fn signed_query(token: &str, timestamp: i64, nonce: &str, open_id: &str) -> String {
    let timestamp = timestamp.to_string();
    let signature = sha1_sorted(&[token, &timestamp, nonce]);
    format!("signature={signature}&timestamp={timestamp}&nonce={nonce}&openid={open_id}")
}

fn text_message(open_id: &str, msg_id: u64, content: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{open_id}]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>\
         <MsgId>{msg_id}</MsgId></xml>",
        now()
    )
}

/// A user of the account, in plaintext mode.
struct User<'a> {
    server: &'a Server,
    http: &'a Http,
    open_id: &'a str,
}

impl User<'_> {
    fn post(&self, body: &str) -> Got {
        let query = signed_query(TOKEN, now(), "1320562132", self.open_id);
        self.http
            .post_typed(&self.server.url(&format!("/wechat?{query}")), "text/xml", body)
    }

    /// The text of the reply to `body`, after checking that the reply is WeChat's text reply XML to this user.
    fn reply(&self, body: &str) -> String {
        let got = self.post(body);
        assert_eq!(got.status, 200, "{}", got.body);
        reply_text(&got.body, self.open_id)
    }

    fn says(&self, msg_id: u64, content: &str) -> String {
        self.reply(&text_message(self.open_id, msg_id, content))
    }
}

fn reply_text(xml: &str, open_id: &str) -> String {
    let reply = Incoming::parse(xml).unwrap_or_else(|error| panic!("{error}: {xml}"));
    assert_eq!(reply.msg_type, "text", "{xml}");
    assert_eq!(reply.to, open_id, "{xml}");
    assert_eq!(reply.from, ACCOUNT, "{xml}");
    assert!(
        reply
            .create_time
            .parse::<i64>()
            .is_ok_and(|time| (time - now()).abs() < 60),
        "{xml}"
    );
    assert!(reply.content.len() <= 2048, "{} bytes", reply.content.len());
    reply.content
}

/// The label of the numbered line `number` of a reply.
fn numbered(reply: &str, number: usize) -> String {
    let prefix = format!("{number}. ");
    reply
        .lines()
        .flat_map(|line| line.split("   "))
        .find_map(|choice| choice.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no choice {number} in\n{reply}"))
        .to_string()
}

fn plain(markdown: &str) -> String {
    Doc::from_markdown(markdown).plain()
}

fn secrets_file(workspace: &Workspace, aes_key: bool) -> String {
    let mut text = format!("FAQBOT_WECHAT_TOKEN={TOKEN}\nFAQBOT_WECHAT_APPID={APP_ID}\n");
    if aes_key {
        text.push_str(&format!("FAQBOT_WECHAT_AES_KEY={AES_KEY}\n"));
    }
    workspace.write("wechat.env", &text);
    workspace.path().join("wechat.env").display().to_string()
}

#[test]
fn the_url_check_echoes_only_what_wechat_signed_lately() {
    let workspace = Workspace::shipped();
    let server = Server::start_with_env(
        &workspace,
        &["--wechat-path", "/wechat"],
        &[("FAQBOT_WECHAT_TOKEN", TOKEN)],
    );
    let http = Http::new();
    let check = |query: String| http.get(&server.url(&format!("/wechat?{query}&echostr=5837397520665436492")));
    let good = check(signed_query(TOKEN, now(), "1320562132", "o1"));
    assert_eq!((good.status, good.body.as_str()), (200, "5837397520665436492"));
    let forged = check(signed_query("anotherToken", now(), "1320562132", "o1"));
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(!forged.body.contains("5837397520665436492"));
    let tampered = check(signed_query(TOKEN, now(), "1320562132", "o1").replace("nonce=1320562132", "nonce=1"));
    assert_eq!(tampered.status, 403);
    let stale = check(signed_query(TOKEN, now() - 6 * 60, "1320562132", "o1"));
    assert_eq!(stale.status, 403, "a signature of six minutes ago");
    let recent = check(signed_query(TOKEN, now() - 4 * 60, "1320562132", "o1"));
    assert_eq!(recent.status, 200, "a signature of four minutes ago");
    assert_eq!(check(String::new()).status, 403, "no signature at all");
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn text_is_answered_in_reply_xml_once_per_msg_id_with_picks_and_logs() {
    let workspace = Workspace::shipped();
    let file = secrets_file(&workspace, false);
    let server = Server::start_with_env(
        &workspace,
        &["--wechat-path", "/wechat", "--wechat-secrets-file", &file],
        &[("RUST_LOG", "debug")],
    );
    let http = Http::new();
    let user = User {
        server: &server,
        http: &http,
        open_id: "oUser1",
    };

    // The answer as the bot gives it, in plain text: the question, the answer, its rules and source, then 👍/👎 and
    // the related questions as numbered lines.
    let answer = user.says(1001, SWITCH);
    assert_contains(&answer, "No. An official account cannot switch");
    assert_contains(&answer, &plain(EN.rules));
    assert_contains(&answer, "no-type-switch");
    assert_contains(&answer, &plain(EN.source));
    assert!(!answer.contains("<b>") && !answer.contains("**"), "{answer}");
    assert_eq!(numbered(&answer, 1), plain(EN.vote_up));
    assert_eq!(numbered(&answer, 2), plain(EN.vote_down));
    let related = numbered(&answer, 3);

    // A number picks the related question; 1 then votes for the answer the number belongs to.
    let picked = user.says(1002, "3");
    assert!(
        picked.lines().next().is_some_and(|line| line.contains(&related)),
        "{related}:\n{picked}"
    );
    assert_eq!(numbered(&picked, 1), plain(EN.vote_up));
    let voted = user.says(1003, "1");
    assert_eq!(voted, plain(EN.thanks_up));
    let votes = faqbot::feedback::read_votes(&workspace.path().join("data")).expect("votes log");
    assert_eq!(votes.records.len(), 1);
    assert_eq!(votes.records[0].vote, faqbot::feedback::Vote::Up);
    assert_eq!(votes.records[0].question, SWITCH);
    assert!(!votes.records[0].chat.contains("oUser1"));

    // WeChat's retries of one MsgId get the same reply, and the decline is logged once.
    let first = user.post(&text_message("oUser1", 1004, FAX));
    assert_eq!(first.status, 200);
    assert_contains(&reply_text(&first.body, "oUser1"), &plain(EN.declined));
    let retry = user.post(&text_message("oUser1", 1004, FAX));
    assert_eq!(retry.body, first.body, "a retry gets the very reply");
    let declined = faqbot::feedback::read_declined(&workspace.path().join("data")).expect("declined log");
    assert_eq!(declined.records.len(), 1, "{:?}", declined.records);
    assert_eq!(declined.records[0].question, FAX);
    let hashed = declined.records[0].chat.clone();
    assert!(!hashed.contains("oUser1"));
    assert_eq!(hashed, votes.records[0].chat, "one user, one hashed chat");

    // Another user has their own numbers: "3" is a question to them, not a pick.
    let other = User {
        server: &server,
        http: &http,
        open_id: "oUser2",
    };
    assert!(!other.says(2001, "3").contains(&related));

    // Following the account gets the greeting, and its examples as numbered lines.
    let subscribe = format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[oUser3]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>",
        now()
    );
    let newcomer = User {
        server: &server,
        http: &http,
        open_id: "oUser3",
    };
    let greeting = newcomer.reply(&subscribe);
    assert!(
        greeting.starts_with(plain(EN.greeting).lines().next().expect("a line").trim()),
        "{greeting}"
    );
    assert!(!numbered(&greeting, 1).is_empty());
    // Other events get WeChat's empty answer.
    let click = subscribe.replace("subscribe", "CLICK");
    let clicked = newcomer.post(&click.replace("<CreateTime>", "<CreateTime>1"));
    assert_eq!((clicked.status, clicked.body.as_str()), (200, "success"));

    // An image gets the note Telegram gives.
    let image = format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[oUser3]]></FromUserName>\
         <CreateTime>{}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://x.example/p.jpg]]></PicUrl>\
         <MediaId><![CDATA[media_id]]></MediaId><MsgId>3001</MsgId></xml>",
        now()
    );
    assert_eq!(newcomer.reply(&image), plain(EN.not_text));

    // A Chinese question gets the Chinese interface.
    let chinese = newcomer.says(3002, SWITCH_ZH);
    assert_contains(&chinese, "不可以");
    assert_contains(&chinese, &plain(ZH.rules));
    assert_eq!(numbered(&chinese, 1), plain(ZH.vote_up));

    // Malformed bodies get "success", never an error page, and a log line.
    for bad in ["not xml at all", "<xml><Content>", ""] {
        let got = user.post(bad);
        assert_eq!((got.status, got.body.as_str()), (200, "success"), "{bad:?}");
    }
    // An oversized body is refused before it is read.
    let huge = text_message("oUser1", 4001, &"x".repeat(64 * 1024));
    assert_eq!(user.post(&huge).status, 413);
    // A stale or unsigned message is refused.
    let stale_query = signed_query(TOKEN, now() - 10 * 60, "1", "oUser1");
    let stale = http.post_typed(
        &server.url(&format!("/wechat?{stale_query}")),
        "text/xml",
        &text_message("oUser1", 4002, SWITCH),
    );
    assert_eq!(stale.status, 403);

    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_contains(&stderr, "not XML");
    assert!(!stderr.contains(TOKEN), "the Token was logged:\n{stderr}");
}

/// Compatible mode without a key set: the plain fields beside `Encrypt` are read, and the reply is plain.
#[test]
fn compatible_mode_is_read_from_its_plain_fields_when_no_key_is_set() {
    let workspace = Workspace::shipped();
    let server = Server::start_with_env(
        &workspace,
        &["--wechat-path", "/wechat", "--no-log"],
        &[("FAQBOT_WECHAT_TOKEN", TOKEN)],
    );
    let http = Http::new();
    let query = signed_query(TOKEN, now(), "77", "oCompat");
    let body =
        text_message("oCompat", 6001, SWITCH).replace("</xml>", "<Encrypt><![CDATA[c29tZXRoaW5n]]></Encrypt></xml>");
    let got = http.post_typed(
        &server.url(&format!("/wechat?{query}&encrypt_type=aes&msg_signature=0123")),
        "text/xml",
        &body,
    );
    assert_eq!(got.status, 200, "{}", got.body);
    assert_contains(
        &reply_text(&got.body, "oCompat"),
        "No. An official account cannot switch",
    );
}

#[test]
fn safe_mode_decrypts_answers_and_encrypts_with_a_valid_msg_signature() {
    let workspace = Workspace::shipped();
    let server = Server::start_with_env(
        &workspace,
        &["--wechat-path", "/hooks/wechat"],
        &[
            ("FAQBOT_WECHAT_TOKEN", TOKEN),
            ("FAQBOT_WECHAT_APPID", APP_ID),
            ("FAQBOT_WECHAT_AES_KEY", AES_KEY),
            ("RUST_LOG", "trace"),
        ],
    );
    let http = Http::new();
    let key = AesKey::parse(AES_KEY).expect("the sample key");
    let post = |inner: &str, app_id: &str, forge: bool| {
        let encrypt = key.encrypt(inner, app_id).expect("encrypted");
        let timestamp = now().to_string();
        let nonce = "1409735669";
        let mut msg_signature = sha1_sorted(&[TOKEN, &timestamp, nonce, &encrypt]);
        if forge {
            msg_signature = sha1_sorted(&[TOKEN, &timestamp, nonce, "something else"]);
        }
        let signature = sha1_sorted(&[TOKEN, &timestamp, nonce]);
        let url = server.url(&format!(
            "/hooks/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}&openid=oSafe\
             &encrypt_type=aes&msg_signature={msg_signature}"
        ));
        let body = format!(
            "<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        );
        http.post_typed(&url, "text/xml", &body)
    };
    let got = post(&text_message("oSafe", 5001, SWITCH), APP_ID, false);
    assert_eq!(got.status, 200, "{}", got.body);
    let envelope = Incoming::parse(&got.body).expect("reply XML");
    assert!(!envelope.encrypt.is_empty(), "{}", got.body);
    assert!(
        !got.body.contains("cannot switch"),
        "the reply is encrypted: {}",
        got.body
    );
    let field = |name: &str| {
        got.body
            .split(&format!("<{name}>"))
            .nth(1)
            .and_then(|rest| rest.split(&format!("</{name}>")).next())
            .map(|value| {
                value
                    .trim_start_matches("<![CDATA[")
                    .trim_end_matches("]]>")
                    .to_string()
            })
            .unwrap_or_else(|| panic!("no {name} in {}", got.body))
    };
    let (timestamp, nonce) = (field("TimeStamp"), field("Nonce"));
    assert_eq!(
        field("MsgSignature"),
        sha1_sorted(&[TOKEN, &timestamp, &nonce, &envelope.encrypt])
    );
    let (inner, app_id) = key.open(&envelope.encrypt).expect("decrypts");
    assert_eq!(app_id, APP_ID);
    assert_contains(&reply_text(&inner, "oSafe"), "No. An official account cannot switch");

    // A forged msg_signature is refused; a message for another AppID gets "success" and is not answered.
    assert_eq!(post(&text_message("oSafe", 5002, SWITCH), APP_ID, true).status, 403);
    let foreign = post(&text_message("oSafe", 5003, SWITCH), "wx0000000000000000", false);
    assert_eq!((foreign.status, foreign.body.as_str()), (200, "success"));

    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_contains(&stderr, "safe mode");
    for secret in [TOKEN, AES_KEY] {
        assert!(!stderr.contains(secret), "a secret was logged:\n{stderr}");
    }
}

#[test]
fn a_bad_configuration_is_refused_at_start_without_showing_the_secrets() {
    let workspace = Workspace::shipped();
    let missing = workspace.run(&["serve", "--listen", "127.0.0.1:0", "--wechat-path", "/wechat"]);
    assert_ne!(missing.code, 0);
    assert_contains(&missing.stderr, "FAQBOT_WECHAT_TOKEN");
    let bad_key = workspace.run_with_env(
        &["serve", "--listen", "127.0.0.1:0", "--wechat-path", "/wechat"],
        &[
            ("FAQBOT_WECHAT_TOKEN", TOKEN),
            ("FAQBOT_WECHAT_APPID", APP_ID),
            ("FAQBOT_WECHAT_AES_KEY", "tooShortKey123"),
        ],
    );
    assert_ne!(bad_key.code, 0);
    assert_contains(&bad_key.stderr, "EncodingAESKey");
    assert!(
        !bad_key.stderr.contains("tooShortKey123") && !bad_key.stderr.contains(TOKEN),
        "{}",
        bad_key.stderr
    );
    let taken = workspace.run(&["serve", "--listen", "127.0.0.1:0", "--wechat-path", "/api/chat"]);
    assert_ne!(taken.code, 0);
    assert_contains(&taken.stderr, "cannot be the WeChat path");
}
