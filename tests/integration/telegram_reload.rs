//! Hot reload: a running engine picks up a faq/ change, and a broken file leaves the last good index serving.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use faqbot::answer::DEFAULT_THRESHOLD;
use faqbot::live::LiveEngine;
use faqbot::search::open_or_build;
use faqbot::{Ask, Engine};

use crate::util::Workspace;

const NEW_QUESTION: &str = "How do I renew my annual verification?";

const NEW_ENTRY: &str = r#"+++
id = "renewal"
questions = ["How do I renew my annual verification?"]
rules = ["registration-free"]
source = "Fixture"
reviewed = 2026-11-23
+++

Renew it from the admin panel each year.
"#;

/// Not a timed assertion: the watcher reacts within moments, this only bounds a hung test.
const PATIENCE: Duration = Duration::from_secs(120);

fn answer_id(live: &LiveEngine, question: &str) -> Option<String> {
    let reply = live
        .current()
        .ask(question, Ask::default())
        .expect("the engine answers");
    reply.answer().map(|entry| entry.id.clone())
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < PATIENCE, "gave up waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_faq_change_is_picked_up_and_a_broken_file_keeps_the_last_good_index() {
    let workspace = Workspace::fixture();
    let opened = open_or_build(&workspace.faq(), &workspace.index(), false).expect("index builds");
    let live = Arc::new(LiveEngine::new(
        Engine::new(opened.index, DEFAULT_THRESHOLD),
        &workspace.faq(),
        &workspace.index(),
    ));
    assert_eq!(answer_id(&live, NEW_QUESTION), None);
    let (reports, reported) = mpsc::channel();
    let _watcher = live
        .watch(move |outcome| {
            let _ = reports.send((outcome.is_problem(), format!("{outcome:?}")));
        })
        .expect("watching faq/");

    workspace.write("faq/renewal.md", NEW_ENTRY);
    wait_until("the new entry answers", || {
        answer_id(&live, NEW_QUESTION).as_deref() == Some("renewal")
    });

    // An engine taken before the next reload keeps answering through it, as a question in flight would.
    let in_flight = live.current();
    while reported.try_recv().is_ok() {}
    workspace.write("faq/renewal.md", "+++\nid = \"renewal\"\nthis is not TOML\n+++\n");
    let started = Instant::now();
    let report = loop {
        let (problem, report) = reported
            .recv_timeout(PATIENCE.saturating_sub(started.elapsed()))
            .expect("the broken file is reported");
        if problem {
            break report;
        }
    };
    assert!(report.contains("KeptLastGood"), "{report}");
    assert!(report.contains("renewal.md"), "the report names the file: {report}");
    assert_eq!(answer_id(&live, NEW_QUESTION).as_deref(), Some("renewal"));
    let reply = in_flight
        .ask(NEW_QUESTION, Ask::default())
        .expect("the old engine answers");
    assert_eq!(reply.answer().map(|entry| entry.id.as_str()), Some("renewal"));
}

#[test]
fn edits_after_faq_itself_is_replaced_are_still_picked_up() {
    let workspace = Workspace::fixture();
    let opened = open_or_build(&workspace.faq(), &workspace.index(), false).expect("index builds");
    let live = Arc::new(LiveEngine::new(
        Engine::new(opened.index, DEFAULT_THRESHOLD),
        &workspace.faq(),
        &workspace.index(),
    ));
    let _watcher = live.watch(|_| {}).expect("watching faq/");

    // What deploy tools do: a new folder beside the old one, then two renames.
    let staged = workspace.path().join("faq.new");
    std::fs::create_dir(&staged).expect("faq.new");
    for item in std::fs::read_dir(workspace.faq()).expect("faq") {
        let path = item.expect("item").path();
        if path.is_file() {
            std::fs::copy(&path, staged.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::write(staged.join("renewal.md"), NEW_ENTRY).expect("new entry");
    std::fs::rename(workspace.faq(), workspace.path().join("faq.old")).expect("move the old folder away");
    std::fs::rename(&staged, workspace.faq()).expect("move the new folder in");
    wait_until("the swapped-in entry answers", || {
        answer_id(&live, NEW_QUESTION).as_deref() == Some("renewal")
    });

    // The next edit lands in the new folder, which must be watched now.
    workspace.write(
        "faq/later.md",
        &NEW_ENTRY
            .replace("renewal", "later")
            .replace(NEW_QUESTION, "Can I pause my account for a month?"),
    );
    wait_until("an edit after the swap answers", || {
        answer_id(&live, "Can I pause my account for a month?").as_deref() == Some("later")
    });
}
