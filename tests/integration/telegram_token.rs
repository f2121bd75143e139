//! `faqbot telegram` as a process: token errors exit 2 with one clear message, and the token appears in nothing it prints, at any log level.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::{Workspace, assert_contains};

const TOKEN: &str = "7012345678:AAFakeTokenForTests_dOnotleak-0123456789";
const SECRET_PART: &str = "AAFakeTokenForTests_dOnotleak-0123456789";
/// Bounds a hung test only; the bot reports its first retry within a second or two.
const PATIENCE: Duration = Duration::from_secs(120);

/// A local address where nothing listens.
fn dead_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{address}")
}

fn assert_token_absent(output: &str) {
    assert!(!output.contains(SECRET_PART), "the token leaked:\n{output}");
}

fn telegram(workspace: &Workspace, variables: &[(&str, &str)], args: &[&str]) -> crate::util::Output {
    let mut command = workspace.command(&[&["telegram"], args].concat());
    // The shell running the tests may set these; the child must see only what each test gives it.
    command.env_remove("TELOXIDE_TOKEN").env_remove("TELOXIDE_API_URL");
    command.envs(variables.iter().copied()).stdin(Stdio::null());
    let output = command.output().expect("run faqbot");
    crate::util::Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_missing_token_is_one_clear_message_and_exit_2() {
    let workspace = Workspace::fixture();
    let output = telegram(&workspace, &[], &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "no bot token: set TELOXIDE_TOKEN or pass --token-file PATH",
    );
    assert_contains(&output.stderr, "@BotFather");
    assert_eq!(output.stderr.lines().count(), 1, "{}", output.stderr);
}

#[test]
fn a_malformed_token_names_its_source_but_not_its_value() {
    let workspace = Workspace::fixture();
    let bad = "12345:AAFakeTokenForTests_dOnotleak!!";
    let output = telegram(&workspace, &[("TELOXIDE_TOKEN", bad), ("RUST_LOG", "trace")], &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "the bot token in the TELOXIDE_TOKEN environment variable is malformed",
    );
    assert!(!output.stderr.contains("AAFake"), "{}", output.stderr);

    workspace.write("token.txt", "not a token\n");
    let output = telegram(&workspace, &[], &["--token-file", "token.txt"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "the bot token in token.txt is malformed");
    assert!(!output.stderr.contains("not a token"), "{}", output.stderr);

    let output = telegram(&workspace, &[], &["--token-file", "missing.txt"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "missing.txt: cannot read the bot token file");
}

#[test]
fn a_token_telegram_rejects_exits_2_and_is_never_logged() {
    // A Bot API double that refuses every token, as Telegram does with 401.
    let server = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = server.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let body = r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let workspace = Workspace::fixture();
    let url = format!("http://{address}");
    let output = telegram(
        &workspace,
        &[
            ("TELOXIDE_TOKEN", TOKEN),
            ("TELOXIDE_API_URL", &url),
            ("RUST_LOG", "trace"),
        ],
        &[],
    );
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "Telegram rejected the bot token from the TELOXIDE_TOKEN environment variable",
    );
    assert_token_absent(&output.stdout);
    assert_token_absent(&output.stderr);
}

/// Collects a child's stderr while it runs.
fn capture_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let captured = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr");
    let sink = Arc::clone(&captured);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read) = stderr.read(&mut buffer) {
            if read == 0 {
                break;
            }
            sink.lock()
                .expect("capture")
                .push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    });
    captured
}

#[test]
fn an_unreachable_server_is_retried_sigterm_stops_cleanly_and_the_token_never_shows() {
    let workspace = Workspace::fixture();
    let mut command = workspace.command(&["telegram"]);
    command
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", dead_address())
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null());
    let mut child = command.spawn().expect("start faqbot");
    let stderr = capture_stderr(&mut child);
    let started = Instant::now();
    while !stderr
        .lock()
        .expect("capture")
        .contains("cannot reach Telegram; retrying")
    {
        assert!(
            started.elapsed() < PATIENCE,
            "no retry logged:\n{}",
            stderr.lock().expect("capture")
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
        .expect("read stdout");
    // The reader thread finishes once the pipe closes.
    let started = Instant::now();
    while Arc::strong_count(&stderr) > 1 && started.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stderr = stderr.lock().expect("capture").clone();
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop:\n{stderr}");
    assert_contains(&stderr, "stopped before connecting");
    assert_token_absent(&stdout);
    assert_token_absent(&stderr);
}

#[test]
fn help_documents_every_setting() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["telegram", "--help"]);
    assert_eq!(output.code, 0);
    for setting in [
        "--token-file",
        "TELOXIDE_TOKEN",
        "TELOXIDE_API_URL",
        "--admins",
        "FAQBOT_ADMINS",
        "--webhook-url",
        "--listen",
        "--data-dir",
        "FAQBOT_DATA_DIR",
        "--threshold",
        "--faq",
        "--index",
        "SIGTERM",
    ] {
        assert_contains(&output.stdout, setting);
    }
}
