//! Shared helpers: a temporary workspace holding a faq/ (the fixture or the shipped one) and its index/, and running the real binary in it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

pub const FIXTURE_FAQ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/faq");
pub const SHIPPED_FAQ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/faq");
pub const EVAL_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/questions.jsonl");
/// Written blind from the thread (tests/eval/README.md): the development set the engine is tuned on.
pub const DEV_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/dev.jsonl");
/// Written blind like the dev set and sealed: only its shape is tested, its figures are reported by hand.
pub const TEST_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/test.jsonl");
/// Written blind later by one more writer (another's lines went into dev), sealed like the test set: a second
/// check no tuning has seen.
pub const HOLDOUT_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/eval/holdout.jsonl");

/// The canonical entries the knowledge base must have.
pub const CANONICAL_IDS: &[&str] = &[
    "account-types",
    "individual-accounts",
    "verification",
    "fees",
    "broadcast-quota",
    "switch-account-type",
    "international-accounts",
    "reach-chinese-users",
    "international-registration",
    "application-pending",
    "multiple-accounts",
    "agency-management",
    "customer-service",
    "rule-changes",
];

/// A folder with `faq/` copied in and room for `index/`; commands run inside it.
pub struct Workspace {
    dir: TempDir,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workspace {
    pub fn fixture() -> Self {
        Self::with_faq(Path::new(FIXTURE_FAQ))
    }

    pub fn shipped() -> Self {
        Self::with_faq(Path::new(SHIPPED_FAQ))
    }

    fn with_faq(source: &Path) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let faq = dir.path().join("faq");
        std::fs::create_dir(&faq).expect("faq folder");
        for item in std::fs::read_dir(source).expect("faq source") {
            let path = item.expect("faq item").path();
            std::fs::copy(&path, faq.join(path.file_name().expect("file name"))).expect("copy faq file");
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn faq(&self) -> PathBuf {
        self.dir.path().join("faq")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.dir.path().join(relative);
        std::fs::write(path, text).expect("write file");
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(relative)).expect("read file")
    }

    /// Runs faqbot in the workspace (default ./faq and ./index), with no settings inherited from the environment.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, None)
    }

    pub fn run_with_env(&self, args: &[&str], variables: &[(&str, &str)]) -> Output {
        self.spawn(args, b"", variables)
    }

    pub fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Output {
        self.spawn(args, input.unwrap_or_default().as_bytes(), &[])
    }

    pub fn run_with_bytes(&self, args: &[&str], input: &[u8]) -> Output {
        self.spawn(args, input, &[])
    }

    /// Runs with `input` and closes faqbot's standard output after reading a little of it, as `| head` does.
    pub fn run_closing_stdout(&self, args: &[&str], input: &str) -> Output {
        use std::io::Read;
        let mut child = self.command(args).spawn().expect("start faqbot");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_string();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 64];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let output = child.wait_with_output().expect("wait for faqbot");
        writer.join().expect("stdin writer");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&first).into_owned(),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_faqbot"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        without_outside_settings(&mut command);
        command
    }

    /// Runs faqbot in a pseudo-terminal (through `script`, from util-linux) and answers its prompts: for each
    /// `(markers, keys)` step, waits until the terminal has shown every marker in order (after the previous
    /// step's), then types `keys`. Output is what the terminal showed, escape codes and all.
    pub fn run_in_terminal(&self, args: &[&str], steps: &[(&[&str], &str)]) -> Output {
        use std::io::Read;
        use std::sync::{Arc, Mutex};
        use std::time::{Duration, Instant};
        let quote = |arg: &str| format!("'{}'", arg.replace('\'', "'\\''"));
        let command_line: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_faqbot"))
            .chain(args.iter().copied())
            .map(quote)
            .collect();
        let mut command = Command::new("script");
        command
            .args(["-qec", &command_line.join(" "), "/dev/null"])
            .current_dir(self.dir.path())
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        without_outside_settings(&mut command);
        let mut child = command
            .spawn()
            .expect("start `script` (util-linux), which gives faqbot a terminal");
        let shown = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().expect("stdout");
        let reader = {
            let shown = Arc::clone(&shown);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(read) = stdout.read(&mut buffer) {
                    if read == 0 {
                        break;
                    }
                    shown.lock().expect("terminal text").extend_from_slice(&buffer[..read]);
                }
            })
        };
        let mut stdin = child.stdin.take().expect("stdin");
        // A prompt that never comes, or one still waiting for keys, would wait forever: after a generous
        // while, faqbot is stopped so that the test fails with what the terminal showed instead of hanging.
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen_up_to = 0;
        for (markers, keys) in steps {
            for prompt in *markers {
                loop {
                    let text = String::from_utf8_lossy(&shown.lock().expect("terminal text")).into_owned();
                    if let Some(found) = text.get(seen_up_to..).and_then(|rest| rest.find(prompt)) {
                        seen_up_to += found + prompt.len();
                        break;
                    }
                    if Instant::now() > deadline || child.try_wait().expect("faqbot status").is_some() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            let _ = stdin.write_all(keys.as_bytes());
            let _ = stdin.flush();
        }
        let status = loop {
            if let Some(status) = child.try_wait().expect("faqbot status") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                break child.wait().expect("wait for faqbot");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(stdin);
        reader.join().expect("terminal reader");
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        let stdout = String::from_utf8_lossy(&shown.lock().expect("terminal text")).into_owned();
        Output {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }

    fn spawn(&self, args: &[&str], input: &[u8], variables: &[(&str, &str)]) -> Output {
        let mut command = self.command(args);
        command.envs(variables.iter().copied());
        let mut child = command.spawn().expect("start faqbot");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        // Written from another thread: a large input and its large output would otherwise fill both pipes.
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let output = child.wait_with_output().expect("wait for faqbot");
        writer.join().expect("stdin writer").expect("write stdin");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// `ask --json` for one question, parsed.
    pub fn ask_json(&self, question: &str) -> serde_json::Value {
        let output = self.run(&["ask", "--json", question]);
        assert_eq!(output.code, 0, "ask failed: {}", output.stderr);
        serde_json::from_str(&output.stdout).expect("ask --json prints one JSON object")
    }
}

impl Output {
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }
}

/// Whether text contains Han characters.
pub fn has_han(text: &str) -> bool {
    text.chars().any(faqbot::lang::is_han)
}

/// Asserts that `text` contains `needle`, showing both when it does not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected to find\n  {needle:?}\nin:\n{text}");
}

/// Asserts that `text` starts with `prefix`, showing both when it does not.
#[track_caller]
pub fn assert_starts_with(text: &str, prefix: &str) {
    assert!(
        text.starts_with(prefix),
        "expected to start with\n  {prefix:?}\nbut got:\n{text}"
    );
}

/// Asserts that `text` ends with `suffix`, showing both when it does not.
#[track_caller]
pub fn assert_ends_with(text: &str, suffix: &str) {
    assert!(
        text.ends_with(suffix),
        "expected to end with\n  {suffix:?}\nbut got:\n{text}"
    );
}

/// Every file under `dir` but faqbot's lock file (relative path → bytes), to assert that a refused command changed nothing or that two trees match.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for item in std::fs::read_dir(&folder).expect("list folder") {
            let path = item.expect("folder item").path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .file_name()
                .is_some_and(|name| name == faqbot::faq::lock::LOCK_FILE)
            {
                // faqbot's lock file is not content: it appears on the first read and stays empty.
            } else {
                let relative = path.strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
                files.insert(relative, std::fs::read(&path).expect("read file"));
            }
        }
    }
    files
}

/// Settings from the environment the tests run in would change what faqbot does; each test sets its own.
fn without_outside_settings(command: &mut Command) {
    for variable in [
        "FAQBOT_FAQ",
        "FAQBOT_INDEX",
        "FAQBOT_DATA_DIR",
        "FAQBOT_THRESHOLD",
        "FAQBOT_CONFIG",
        "FAQBOT_WECHAT_PATH",
        "FAQBOT_WECHAT_TOKEN",
        "FAQBOT_WECHAT_APPID",
        "FAQBOT_WECHAT_AES_KEY",
        "FAQBOT_PUBLIC_URL",
        "RUST_LOG",
    ] {
        command.env_remove(variable);
    }
}
