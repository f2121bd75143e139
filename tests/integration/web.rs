//! `faqbot serve` over real HTTP on loopback: `/api/ask` is `ask --json`, `/api/chat` says what the bot says with
//! buttons that work, votes and declines reach the curation logs, and the limits (413, 429, bad JSON, CORS) hold.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use faqbot::present::text::{EN, ZH};
use serde_json::{Value, json};

use crate::util::{Workspace, assert_contains};

pub(crate) const SWITCH: &str = "Can I switch my subscription account to a service account?";
pub(crate) const SWITCH_ZH: &str = "订阅号可以转成服务号吗？";
pub(crate) const FAX: &str = "Do I need a fax machine?";
const ALLOWED: &str = "https://blog.example.com";
/// Bounds a hung test only.
const PATIENCE: Duration = Duration::from_secs(120);

/// A running `faqbot serve` on a free loopback port, with its stderr collected.
pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) base: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts `faqbot serve --listen 127.0.0.1:0 ARGS…` and waits until it says where it serves.
    pub(crate) fn start(workspace: &Workspace, args: &[&str]) -> Self {
        Self::start_with_env(workspace, args, &[])
    }

    /// As [`Self::start`], with these environment variables (`RUST_LOG` among them overrides `info`).
    pub(crate) fn start_with_env(workspace: &Workspace, args: &[&str], variables: &[(&str, &str)]) -> Self {
        let mut command = workspace.command(&[&["serve", "--listen", "127.0.0.1:0"], args].concat());
        command.env("RUST_LOG", "info").envs(variables.iter().copied());
        command.stdin(Stdio::null()).stdout(Stdio::null());
        let mut child = command.spawn().expect("start faqbot serve");
        let pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel();
        let reader = {
            let stderr = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.split("serving http://").nth(1) {
                        let _ = found.send(format!("http://{}", rest.split('/').next().unwrap_or_default()));
                    }
                    let mut text = stderr.lock().expect("stderr");
                    text.push_str(&line);
                    text.push('\n');
                }
            })
        };
        let mut server = Self {
            child: Some(child),
            base: String::new(),
            stderr,
            reader: Some(reader),
        };
        match address.recv_timeout(PATIENCE) {
            Ok(base) => server.base = base,
            Err(_) => panic!("faqbot serve never said where it serves:\n{}", server.stderr()),
        }
        server
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and returns the exit code and everything it logged.
    pub(crate) fn stop(mut self) -> (Option<i32>, String) {
        let mut child = self.child.take().expect("running");
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("status") {
                break status;
            }
            if started.elapsed() > PATIENCE {
                let _ = child.kill();
                panic!("faqbot serve did not stop on SIGTERM:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (status.code(), self.stderr())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A reply as the test reads it.
pub(crate) struct Got {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: String,
}

impl Got {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Plain HTTP/1.1 requests to the server, one at a time.
pub(crate) struct Http {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Http {
    pub(crate) fn new() -> Self {
        Self {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            client: reqwest::Client::builder().timeout(PATIENCE).build().expect("client"),
        }
    }

    pub(crate) fn send(&self, request: reqwest::RequestBuilder) -> Got {
        self.runtime.block_on(async {
            let response = request.send().await.expect("a response");
            Got {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                body: response.text().await.expect("a body"),
            }
        })
    }

    pub(crate) fn get(&self, url: &str) -> Got {
        self.send(self.client.get(url))
    }

    pub(crate) fn post(&self, url: &str, body: &Value) -> Got {
        self.post_raw(url, &body.to_string())
    }

    /// A POST of `body` as `content_type`, as WeChat's servers send XML.
    pub(crate) fn post_typed(&self, url: &str, content_type: &str, body: &str) -> Got {
        self.send(
            self.client
                .post(url)
                .header("content-type", content_type)
                .body(body.to_string()),
        )
    }

    pub(crate) fn post_raw(&self, url: &str, body: &str) -> Got {
        self.send(
            self.client
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
    }
}

/// The value of one sample line of the metrics text, e.g. `faqbot_questions_total{language="en",outcome="answered"}`.
fn sample(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{metrics}"))
}

const EN_ANSWERED: &str = "faqbot_questions_total{language=\"en\",outcome=\"answered\"}";
const ZH_ANSWERED: &str = "faqbot_questions_total{language=\"zh\",outcome=\"answered\"}";
const EN_DECLINED: &str = "faqbot_questions_total{language=\"en\",outcome=\"declined\"}";

/// The buttons of a chat reply's first message, as (label, action, kind).
fn buttons(reply: &Value) -> Vec<(String, String, String)> {
    reply["messages"][0]["buttons"]
        .as_array()
        .expect("button rows")
        .iter()
        .flat_map(|row| row.as_array().expect("a row").clone())
        .map(|button| {
            (
                button["label"].as_str().expect("label").to_string(),
                button["action"].as_str().expect("action").to_string(),
                button["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect()
}

#[test]
fn the_api_answers_as_ask_json_and_chats_as_the_bot_with_working_buttons_and_logs() {
    let workspace = Workspace::shipped();
    let server = Server::start(&workspace, &[]);
    let http = Http::new();
    assert_eq!(http.get(&server.url("/healthz")).json()["status"], "alive");
    let ready = http.get(&server.url("/readyz"));
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert!(
        ready.json()["entries"].as_u64().unwrap_or_default() >= 14,
        "{}",
        ready.body
    );
    let before = http.get(&server.url("/metrics"));
    assert_eq!(
        before.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );

    // /api/ask is `ask --json`, field for field, the cited rules included.
    let asked = http.post(&server.url("/api/ask"), &json!({"question": SWITCH}));
    assert_eq!(asked.status, 200, "{}", asked.body);
    let asked = asked.json();
    assert_eq!(asked, workspace.ask_json(SWITCH));
    assert_eq!(asked["answered"], true);
    assert_eq!(asked["results"][0]["id"], "switch-account-type");
    assert_eq!(asked["results"][0]["rules"][0]["id"], "no-type-switch");
    let top = http
        .post(&server.url("/api/ask"), &json!({"question": FAX, "top": 2}))
        .json();
    assert_eq!(top["answered"], false);
    assert_eq!(top["results"].as_array().map(Vec::len), Some(2));

    // /api/chat: the answer with its rules and source as page HTML, 👍/👎 and related questions as buttons.
    let chat = |body: Value| {
        let got = http.post(&server.url("/api/chat"), &body);
        assert_eq!(got.status, 200, "{}", got.body);
        got.json()
    };
    let answer = chat(json!({"session": "tab-1", "text": SWITCH}));
    assert_eq!(answer["language"], "en");
    let html = answer["messages"][0]["html"].as_str().expect("html");
    assert_contains(html, &format!("<strong>{SWITCH}</strong>"));
    assert_contains(html, "<strong>Rules</strong>\n• <strong>no-type-switch</strong> – ");
    assert_contains(html, "<strong>Source:</strong> Comment 17 (Marion)");
    let shown = buttons(&answer);
    assert_eq!((shown[0].0.as_str(), shown[0].2.as_str()), (EN.vote_up, "vote"));
    assert_eq!((shown[1].0.as_str(), shown[1].2.as_str()), (EN.vote_down, "vote"));
    assert!(
        shown.len() > 2 && shown[2..].iter().all(|b| b.2 == "answer"),
        "{shown:?}"
    );

    // A related question pressed is answered with that entry.
    let related = &shown[2];
    let pressed = chat(json!({"session": "tab-1", "action": related.1}));
    assert_contains(
        pressed["messages"][0]["html"].as_str().expect("html"),
        &format!("<strong>{}</strong>", related.0),
    );

    // A vote is thanked and logged, the session only as a salted hash.
    let voted = chat(json!({"session": "tab-1", "action": shown[0].1, "question": SWITCH}));
    assert_eq!(voted["notice"], EN.thanks_up);
    assert_eq!(voted["messages"], json!([]));
    let votes = faqbot::feedback::read_votes(&workspace.path().join("data")).expect("votes log");
    assert_eq!(votes.records.len(), 1);
    assert_eq!(votes.records[0].entry, "switch-account-type");
    assert_eq!(votes.records[0].question, SWITCH);
    assert_eq!(votes.records[0].vote, faqbot::feedback::Vote::Up);
    let session_hash = votes.records[0].chat.clone();
    assert_eq!(session_hash.len(), 16);
    assert!(!session_hash.contains("tab"), "{session_hash}");

    // A decline says so and offers "did you mean" buttons, and it is logged for review under the same hash.
    let declined = chat(json!({"session": "tab-1", "text": FAX}));
    let html = declined["messages"][0]["html"].as_str().expect("html");
    assert_contains(html, "Sorry, I don");
    assert_contains(html, "<strong>Did you mean…</strong>");
    let choices = buttons(&declined);
    assert!(
        !choices.is_empty() && choices.iter().all(|b| b.2 == "answer"),
        "{choices:?}"
    );
    let log = faqbot::feedback::read_declined(&workspace.path().join("data")).expect("declined log");
    assert_eq!(log.records.len(), 1);
    assert_eq!(log.records[0].question, FAX);
    assert_eq!(log.records[0].chat, session_hash, "one session, one hash");
    let picked = chat(json!({"session": "tab-1", "action": choices[0].1}));
    assert_contains(
        picked["messages"][0]["html"].as_str().expect("html"),
        &format!("<strong>{}</strong>", choices[0].0),
    );

    // Chinese gets Chinese; a greeting gets the examples; a stale button says so.
    let zh = chat(json!({"session": "tab-2", "text": SWITCH_ZH}));
    assert_eq!(zh["language"], "zh");
    assert_contains(
        zh["messages"][0]["html"].as_str().expect("html"),
        "<strong>规则</strong>",
    );
    assert_eq!(buttons(&zh)[0].0, ZH.vote_up);
    let start = chat(json!({"session": "tab-2", "text": "/start"}));
    assert_contains(start["messages"][0]["html"].as_str().expect("html"), "Hello!");
    assert!(!buttons(&start).is_empty());
    let stale = chat(json!({"session": "tab-2", "action": "a:e:no-such-entry"}));
    assert_eq!(stale["notice"], EN.stale_button);

    // The metrics counted the questions, per language and outcome.
    let after = http.get(&server.url("/metrics")).body;
    let before = before.body;
    assert_eq!(sample(&after, EN_ANSWERED), sample(&before, EN_ANSWERED) + 2, "{after}");
    assert_eq!(sample(&after, EN_DECLINED), sample(&before, EN_DECLINED) + 2, "{after}");
    assert_eq!(sample(&after, ZH_ANSWERED), sample(&before, ZH_ANSWERED) + 1, "{after}");
    assert_eq!(sample(&after, "faqbot_answer_duration_seconds_count"), 5, "{after}");
    assert_eq!(sample(&after, "faqbot_ready"), 1);

    // The catalogue.
    let entries = http.get(&server.url("/api/entries")).json();
    let ids: Vec<&str> = entries["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["id"].as_str())
        .collect();
    for id in crate::util::CANONICAL_IDS {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    let rules = http.get(&server.url("/api/rules")).json();
    assert!(
        rules["rules"].as_array().is_some_and(|rules| rules.len() > 10),
        "{rules}"
    );
    let rule = http.get(&server.url("/api/rules/no-type-switch")).json();
    assert_eq!(rule["id"], "no-type-switch");
    assert!(rule["statement_zh"].is_string(), "{rule}");
    let missing = http.get(&server.url("/api/rules/no-such-rule"));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"], "no rule `no-such-rule`");

    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "SIGTERM is a clean stop:\n{stderr}");
    assert_contains(&stderr, "stopping: finishing the requests in hand");
    assert!(!stderr.contains("tab-1"), "a session name reached the log:\n{stderr}");
}

#[test]
fn bad_requests_get_json_errors_and_cors_answers_only_the_allowed_origins() {
    let workspace = Workspace::fixture();
    let server = Server::start(&workspace, &["--allow-origin", ALLOWED, "--no-log"]);
    let http = Http::new();
    let error = |got: &Got, status: u16, needle: &str| {
        assert_eq!(got.status, status, "{}", got.body);
        assert_eq!(got.header("content-type"), Some("application/json"));
        assert_contains(got.json()["error"].as_str().expect("an error message"), needle);
    };
    error(&http.post_raw(&server.url("/api/ask"), "{\"question\": "), 400, "");
    error(
        &http.post_raw(&server.url("/api/ask"), "{\"text\": \"hi\"}"),
        400,
        "question",
    );
    error(
        &http.post(&server.url("/api/ask"), &json!({"question": "x", "top": 0})),
        400,
        "top must be",
    );
    error(
        &http.send(http.client.post(server.url("/api/ask")).body("{\"question\": \"x\"}")),
        415,
        "Content-Type",
    );
    let huge = json!({"question": "fee ".repeat(5000)});
    error(
        &http.post(&server.url("/api/ask"), &huge),
        413,
        "larger than 16384 bytes",
    );
    error(
        &http.post(&server.url("/api/chat"), &json!({"session": "s"})),
        400,
        "either text or action",
    );
    error(
        &http.post(&server.url("/api/chat"), &json!({"session": "", "text": "hi"})),
        400,
        "session",
    );
    error(
        &http.get(&server.url("/api/nothing")),
        404,
        "no such endpoint: GET /api/nothing",
    );
    error(
        &http.get(&server.url("/api/ask")),
        405,
        "GET is not allowed on /api/ask",
    );
    assert!(!workspace.path().join("data").exists(), "--no-log writes nothing");

    // The page and the widget come from the binary.
    let page = http.get(&server.url("/"));
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_contains(&page.body, "<script src=\"widget.js\" data-mode=\"page\"");
    let widget = http.get(&server.url("/widget.js"));
    assert_eq!(widget.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_contains(&widget.body, ZH.web_placeholder);

    // CORS: the allowed origin gets its header on requests and preflights; any other gets none.
    let from = |origin: &str| {
        http.send(
            http.client
                .post(server.url("/api/ask"))
                .header("origin", origin)
                .header("content-type", "application/json")
                .body("{\"question\": \"Can I switch my account type?\"}"),
        )
    };
    let allowed = from(ALLOWED);
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(allowed.header("access-control-allow-credentials"), None);
    let refused = from("https://elsewhere.example");
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let preflight = |origin: &str| {
        http.send(
            http.client
                .request(reqwest::Method::OPTIONS, server.url("/api/chat"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type"),
        )
    };
    let allowed = preflight(ALLOWED);
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ALLOWED));
    assert_contains(
        allowed.header("access-control-allow-methods").unwrap_or_default(),
        "POST",
    );
    assert_eq!(
        preflight("https://elsewhere.example").header("access-control-allow-origin"),
        None
    );

    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_client_over_the_rate_limit_gets_429_with_retry_after_and_the_health_checks_do_not_count() {
    let workspace = Workspace::fixture();
    let server = Server::start(&workspace, &["--rate-limit", "3", "--no-log"]);
    let http = Http::new();
    let ask = || {
        http.post(
            &server.url("/api/ask"),
            &json!({"question": "Is the account type permanent?"}),
        )
    };
    for _ in 0..3 {
        assert_eq!(ask().status, 200);
    }
    let limited = ask();
    assert_eq!(limited.status, 429, "{}", limited.body);
    let retry: u64 = limited
        .header("retry-after")
        .and_then(|seconds| seconds.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=20).contains(&retry), "one request comes back every 20 s: {retry}");
    assert_contains(limited.json()["error"].as_str().expect("error"), "too many requests");
    assert_eq!(http.get(&server.url("/healthz")).status, 200);
    let metrics = http.get(&server.url("/metrics"));
    assert_eq!(metrics.status, 200);
    assert_eq!(sample(&metrics.body, "faqbot_rate_limited_total"), 1);
    assert_eq!(server.stop().0, Some(0));
}

#[test]
fn an_origin_that_is_not_one_is_refused_at_the_start() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["serve", "--allow-origin", "blog.example.com/page"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(&output.stderr, "is not an origin such as https://blog.example.com");
}

#[test]
fn an_edit_to_faq_is_served_without_a_restart_and_counted_in_the_metrics() {
    let workspace = Workspace::fixture();
    let server = Server::start(&workspace, &["--no-log"]);
    let http = Http::new();
    let answer = || {
        let reply = http
            .post(
                &server.url("/api/ask"),
                &json!({"question": "Can I switch my account type?"}),
            )
            .json();
        reply["results"][0]["answer"].as_str().unwrap_or_default().to_string()
    };
    assert_contains(&answer(), "the type is fixed");
    let entry = workspace.read("faq/account-type.md");
    workspace.write(
        "faq/account-type.md",
        &entry.replace("the type is fixed", "the type stays as it was registered"),
    );
    let started = Instant::now();
    while !answer().contains("the type stays as it was registered") {
        assert!(
            started.elapsed() < PATIENCE,
            "the edit was never served:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The reload is counted right after the new index is served, so on a busy machine the count may trail it.
    loop {
        let metrics = http.get(&server.url("/metrics")).body;
        if sample(&metrics, "faqbot_reloads_total{outcome=\"swapped\"}") >= 1 {
            break;
        }
        assert!(started.elapsed() < PATIENCE, "the reload was never counted:\n{metrics}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.stop().0, Some(0));
}
