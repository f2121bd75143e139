//! Two curators at once and curators killed mid-write: faq/'s lock serialises writers, and a journal makes a multi-file write all or nothing across kill -9.

use std::fs::{File, OpenOptions};
use std::process::{Child, Output as ProcessOutput};
use std::time::{Duration, Instant};

use faqbot::faq::lock::{JOURNAL_FILE, LOCK_FILE};
use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains, tree};

/// Bounds a hung child only.
const PATIENCE: Duration = Duration::from_secs(120);

fn add_with_new_rule(n: usize) -> Vec<String> {
    [
        "add",
        "--question",
        &format!("Can I sell product number {n} in my shop?"),
        "--answer",
        &format!("Yes, product {n} can be sold."),
        "--new-rule",
        &format!("product-{n}-allowed"),
        &format!("Product {n} may be sold."),
        "--applies-to",
        "service",
        "--source",
        "Comment 30",
        "--force",
    ]
    .map(str::to_string)
    .to_vec()
}

fn spawn(workspace: &Workspace, args: &[String]) -> Child {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = workspace.command(&args);
    // A debug build with the Chinese dictionary can hold the lock for seconds; the test waits, not fails.
    command.env("FAQBOT_LOCK_WAIT", "100");
    command.spawn().expect("start faqbot")
}

fn wait(child: Child) -> ProcessOutput {
    let started = Instant::now();
    let mut child = child;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("faqbot did not finish in {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr(output: &ProcessOutput) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn two_adds_with_new_rules_at_once_keep_both_rules() {
    for round in 0..2 {
        let workspace = Workspace::fixture();
        let children: Vec<Child> = (0..2).map(|n| spawn(&workspace, &add_with_new_rule(n))).collect();
        for output in children.into_iter().map(wait) {
            assert_eq!(output.status.code(), Some(0), "round {round}: {}", stderr(&output));
        }
        let rules = workspace.read("faq/rules.toml");
        for n in 0..2 {
            assert_contains(&rules, &format!("id = \"product-{n}-allowed\""));
        }
        let check = workspace.run(&["check"]);
        assert_eq!(check.code, 0, "round {round}: {}{}", check.stdout, check.stderr);
    }
}

#[test]
fn two_adds_of_one_id_at_once_add_it_once() {
    let workspace = Workspace::fixture();
    let mut args = add_with_new_rule(0);
    args.extend(["--id".to_string(), "shop".to_string()]);
    let mut other = add_with_new_rule(1);
    other.extend(["--id".to_string(), "shop".to_string()]);
    let outputs: Vec<ProcessOutput> = [spawn(&workspace, &args), spawn(&workspace, &other)]
        .into_iter()
        .map(wait)
        .collect();
    let added: Vec<&ProcessOutput> = outputs.iter().filter(|o| o.status.code() == Some(0)).collect();
    assert_eq!(
        added.len(),
        1,
        "exactly one add succeeds: {:?}",
        outputs.iter().map(stderr).collect::<Vec<_>>()
    );
    let refused = outputs
        .iter()
        .find(|o| o.status.code() != Some(0))
        .expect("one refused");
    assert_eq!(refused.status.code(), Some(2));
    assert_contains(&stderr(refused), "an entry with id `shop` already exists");
    assert_eq!(workspace.run(&["check"]).code, 0);
}

#[test]
fn parallel_add_questions_keep_every_phrasing() {
    let workspace = Workspace::fixture();
    let phrasings: Vec<String> = (0..3).map(|n| format!("Is registering free, variant {n}?")).collect();
    let children: Vec<Child> = phrasings
        .iter()
        .map(|phrasing| {
            spawn(
                &workspace,
                &["add-question".into(), "registration-cost".into(), phrasing.clone()],
            )
        })
        .collect();
    for output in children.into_iter().map(wait) {
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let entry = workspace.read("faq/registration-cost.md");
    for phrasing in &phrasings {
        assert_contains(&entry, phrasing);
    }
    assert_eq!(workspace.run(&["check"]).code, 0);
}

#[test]
fn a_writer_waits_for_the_lock_then_fails_clearly_and_writes_nothing() {
    let workspace = Workspace::fixture();
    let before = tree(&workspace.faq());
    let lock: File = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(workspace.faq().join(LOCK_FILE))
        .expect("lock file");
    lock.lock().expect("held by the test");
    let started = Instant::now();
    let output = workspace.run_with_env(
        &["add-question", "registration-cost", "Is it free?"],
        &[("FAQBOT_LOCK_WAIT", "0.5")],
    );
    assert!(started.elapsed() >= Duration::from_millis(500), "it waited first");
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(&output.stderr, "another faqbot command is changing it");
    assert_eq!(tree(&workspace.faq()), before);
    drop(lock);
    let output = workspace.run(&["add-question", "registration-cost", "Is it free?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
}

/// An export of the fixture with every entry's answer changed and `count` more entries, for `import --replace`.
fn changed_export(workspace: &Workspace, count: usize) -> String {
    let exported = workspace.run(&["export"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let mut lines: Vec<String> = Vec::new();
    for line in exported.stdout.lines() {
        let mut record: serde_json::Value = serde_json::from_str(line).expect("record");
        if record["kind"] == "entry" {
            record["answer"] = serde_json::json!("A replaced answer.");
            record.as_object_mut().expect("object").remove("text");
        } else if record["name"] == "rules.toml" {
            let text = record["text"].as_str().expect("text").to_string();
            record["text"] = serde_json::json!(format!(
                "{text}\n[[rule]]\nid = \"imported-rule\"\nstatement = \"Imported.\"\napplies_to = [\"service\"]\nsource = \"Import\"\n"
            ));
        }
        lines.push(record.to_string());
    }
    for n in 0..count {
        lines.push(
            serde_json::json!({
                "kind": "entry", "id": format!("imported-{n}"),
                "questions": [format!("Imported question number {n} about widgets?")],
                "rules": ["imported-rule"], "tags": [], "source": "Import", "reviewed": "2026-01-01",
                "answer": format!("Imported answer {n}.")
            })
            .to_string(),
        );
    }
    lines.join("\n") + "\n"
}

fn leftovers(workspace: &Workspace) -> Vec<String> {
    std::fs::read_dir(workspace.faq())
        .expect("list")
        .map(|item| item.expect("item").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.') && name != LOCK_FILE)
        .collect()
}

#[test]
fn an_import_killed_after_its_first_rename_is_finished_by_the_next_command() {
    let workspace = Workspace::fixture();
    workspace.write("import.jsonl", &changed_export(&workspace, 20));
    let output = workspace.run_with_env(
        &["import", "--replace", "import.jsonl"],
        &[("FAQBOT_TEST_CRASH_AT", "renamed-one")],
    );
    assert_ne!(output.code, 0, "the import was killed: {}", output.stderr);
    assert!(workspace.faq().join(JOURNAL_FILE).exists(), "killed between renames");
    let check = workspace.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(leftovers(&workspace), Vec::<String>::new());
    assert_contains(&workspace.read("faq/rules.toml"), "imported-rule");
    assert_contains(&workspace.read("faq/registration-cost.md"), "A replaced answer.");
    for n in 0..20 {
        assert!(
            workspace.faq().join(format!("imported-{n}.md")).is_file(),
            "imported-{n}"
        );
    }
}

#[test]
fn an_import_killed_before_deciding_leaves_faq_as_it_was() {
    let workspace = Workspace::fixture();
    let before = tree(&workspace.faq());
    workspace.write("import.jsonl", &changed_export(&workspace, 20));
    let output = workspace.run_with_env(
        &["import", "--replace", "import.jsonl"],
        &[("FAQBOT_TEST_CRASH_AT", "staged")],
    );
    assert_ne!(output.code, 0, "the import was killed: {}", output.stderr);
    assert!(
        !leftovers(&workspace).is_empty(),
        "the killed import left its temporary files"
    );
    let check = workspace.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(tree(&workspace.faq()), before);
}

#[test]
fn imports_killed_at_any_moment_leave_all_or_nothing() {
    let workspace = Workspace::fixture();
    let before = tree(&workspace.faq());
    workspace.write("import.jsonl", &changed_export(&workspace, 300));
    // Where the kill lands varies with the machine; every outcome must be one of the two trees.
    let mut after = None;
    for delay_ms in [30u64, 120, 400] {
        let mut child = workspace
            .command(&["import", "--replace", "import.jsonl"])
            .spawn()
            .expect("start faqbot");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = wait(child);
        let check = workspace.run(&["check"]);
        assert_eq!(
            check.code, 0,
            "killed at {delay_ms} ms: {}{}",
            check.stdout, check.stderr
        );
        assert_eq!(leftovers(&workspace), Vec::<String>::new(), "killed at {delay_ms} ms");
        let now = tree(&workspace.faq());
        if now != before {
            assert_contains(&workspace.read("faq/rules.toml"), "imported-rule");
            assert_eq!(
                now.len(),
                before.len() + 300,
                "killed at {delay_ms} ms: a partial import"
            );
            after.get_or_insert(now.clone());
            assert_eq!(Some(&now), after.as_ref());
        }
    }
}

#[test]
fn leftovers_of_killed_writers_and_builds_are_removed_on_the_next_run() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.run(&["index"]).code, 0);
    workspace.write("faq/.registration-cost.md.tmp-4000000-0", "+++\nid = \"half");
    let dead_build = workspace.index().join(".tmp-1700000000000000000-4000000");
    std::fs::create_dir(&dead_build).expect("dead build folder");
    std::fs::write(dead_build.join("meta.json"), "{").expect("partial file");
    let output = workspace.run(&["ask", "How much does registering cost?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(leftovers(&workspace), Vec::<String>::new());
    assert!(!dead_build.exists(), "the dead build's folder is removed");
}
