//! index/ as a cache: built on first use, rebuilt when faq/ changes or the index breaks, and never lost to a broken faq/.

use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains, assert_starts_with};

#[test]
fn builds_on_first_use_and_reports_on_demand() {
    let workspace = Workspace::fixture();
    assert!(!workspace.index().exists());
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    assert!(workspace.index().join("CURRENT").exists());
    let output = workspace.run(&["index"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_starts_with(
        &output.stdout,
        "Built index from faq: 2 entries (5 questions), 2 rules, 1 synonym groups in ",
    );
    let generations = std::fs::read_dir(workspace.index())
        .expect("index")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(generations, 1, "old generations are removed");
}

#[test]
fn a_change_in_faq_is_picked_up_by_the_next_question() {
    let workspace = Workspace::fixture();
    assert_eq!(
        workspace.ask_json("What are the opening hours of the help desk?")["answered"],
        false
    );
    workspace.write(
        "faq/help-desk.md",
        "+++\nid = \"help-desk\"\nquestions = [\"When is the help desk open?\"]\nrules = [\"registration-free\"]\nsource = \"s\"\nreviewed = 2026-11-23\n+++\nFrom nine to five.\n",
    );
    let reply = workspace.ask_json("When is the help desk open?");
    assert_eq!(reply["answered"], true);
    assert_eq!(reply["results"][0]["id"], "help-desk");
}

#[test]
fn a_broken_faq_keeps_the_last_good_index_serving() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    let current = workspace.read("index/CURRENT");
    workspace.write("faq/account-type.md", "+++\nid = \"account-type\"\nquestions = [\n");

    assert_the_last_good_index_serves(&workspace, "faq/account-type.md:");
    assert_eq!(
        workspace.read("index/CURRENT"),
        current,
        "the good index was not replaced"
    );
}

#[test]
fn a_broken_faq_with_no_index_is_an_error_listing_the_problems() {
    let workspace = Workspace::fixture();
    workspace.write("faq/rules.toml", "[[rule]\n");
    let output = workspace.run(&["ask", "Is registration free?"]);
    assert_eq!(output.code, 2);
    assert_eq!(output.stdout, "");
    assert_contains(&output.stderr, "faq/rules.toml:1: error: invalid TOML");
    assert_contains(
        &output.stderr,
        "error: cannot build the index: fix the errors in faq listed above",
    );
    assert!(
        output.stderr.contains("caused by: faq/ has "),
        "the whole chain is printed: {}",
        output.stderr
    );
}

#[test]
fn a_broken_index_is_rebuilt_from_faq() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    let generation = workspace.index().join(workspace.read("index/CURRENT").trim());
    std::fs::remove_file(generation.join("manifest.json")).expect("break the index");
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);

    workspace.write("index/CURRENT", "gen-missing");
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);

    // A short file makes tantivy panic, a long one fails its checksum: both mean a rebuild.
    for garbage in ["garbage".to_string(), "garbage".repeat(100)] {
        let generation = workspace.index().join(workspace.read("index/CURRENT").trim());
        for item in std::fs::read_dir(generation.join("questions")).expect("questions index") {
            let path = item.expect("file").path();
            if path.extension().is_some_and(|e| e == "idx" || e == "term") {
                std::fs::write(&path, &garbage).expect("corrupt");
            }
        }
        let output = workspace.run(&["ask", "--json", "Is registration free?"]);
        assert_eq!(output.code, 0, "{}", output.stderr);
        assert_eq!(output.stderr, "", "a damaged cache is rebuilt quietly");
        let reply: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
        assert_eq!(reply["results"][0]["id"], "registration-cost");
        assert_ne!(
            workspace.index().join(workspace.read("index/CURRENT").trim()),
            generation,
            "a new generation"
        );
    }
}

#[test]
fn leftovers_of_an_interrupted_build_are_ignored_and_cleaned() {
    let workspace = Workspace::fixture();
    std::fs::create_dir_all(workspace.index().join(".tmp-1732400000000000000-4242/questions")).expect("leftover");
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    assert!(!workspace.index().join(".tmp-1732400000000000000-4242").exists());
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_index_serving() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    // The lock file cannot be created where a folder stands: every rebuild now fails.
    std::fs::remove_file(workspace.index().join(".lock")).expect("remove the lock file");
    std::fs::create_dir(workspace.index().join(".lock")).expect("block the lock");
    let registration = workspace.read("faq/registration-cost.md");
    workspace.write(
        "faq/registration-cost.md",
        &registration.replace("Is registration free?", "Is registering free?"),
    );

    assert_the_last_good_index_serves(&workspace, "warning: rebuilding index failed: ");
}

#[test]
fn an_entry_file_that_cannot_be_found_blocks_the_rebuild() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    std::os::unix::fs::symlink(workspace.path().join("nowhere.md"), workspace.faq().join("dangling.md"))
        .expect("symlink");
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1);
    assert_contains(
        &output.stdout,
        "dangling.md: error: cannot be read: the file is gone or is a link to nothing",
    );
    let output = workspace.run(&["ask", "--json", "Is registration free?"]);
    assert_contains(&output.stderr, "answering from the last good index");
}

#[test]
fn only_files_faqbot_wrote_are_removed_from_the_index_folder() {
    let workspace = Workspace::fixture();
    std::fs::create_dir_all(workspace.index().join(".tmp-build-cache")).expect("user folder");
    workspace.write("index/gen-ealogy.txt", "family tree");
    assert_eq!(workspace.run(&["index"]).code, 0);
    assert_eq!(workspace.run(&["index"]).code, 0);
    assert_eq!(workspace.read("index/gen-ealogy.txt"), "family tree");
    assert!(workspace.index().join(".tmp-build-cache").is_dir());
}

#[test]
fn an_index_path_that_is_a_file_is_named_in_the_error() {
    let workspace = Workspace::fixture();
    workspace.write("not-a-folder", "");
    let output = workspace.run(&["ask", "--index", "not-a-folder", "Is registration free?"]);
    assert_eq!(output.code, 2);
    assert_contains(
        &output.stderr,
        "not-a-folder: is not a folder; --index must name a folder",
    );
}

#[test]
fn processes_starting_together_after_an_edit_all_answer_from_one_new_index() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.ask_json("Is registration free?")["answered"], true);
    workspace.write(
        "faq/help-desk.md",
        "+++\nid = \"help-desk\"\nquestions = [\"When is the help desk open?\"]\nrules = [\"registration-free\"]\nsource = \"s\"\nreviewed = 2026-11-23\n+++\nFrom nine to five.\n",
    );
    let outputs: Vec<_> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| workspace.run(&["ask", "--json", "-v", "When is the help desk open?"])))
            .collect();
        runs.into_iter().map(|run| run.join().expect("run")).collect()
    });
    let mut builds = 0;
    for output in &outputs {
        assert_eq!(output.code, 0, "{}", output.stderr);
        let reply: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
        assert_eq!(reply["results"][0]["id"], "help-desk");
        builds += output.stderr.matches("index built").count();
    }
    assert_eq!(builds, 1, "the first process builds, the others use its index");
}

/// `ask` answers from the index built before the failure, saying why (`reason` names it), and `index` refuses
/// to replace it.
fn assert_the_last_good_index_serves(workspace: &Workspace, reason: &str) {
    let output = workspace.run(&["ask", "--json", "Is registration free?"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains(reason), "{reason}: {}", output.stderr);
    assert_contains(&output.stderr, "answering from the last good index");
    let reply: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    assert_eq!(reply["results"][0]["id"], "registration-cost");

    let output = workspace.run(&["index"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_contains(&output.stderr, "was kept as it was");
}

#[test]
fn a_current_that_is_a_folder_or_a_pipe_is_replaced_and_leaks_nothing() {
    let workspace = Workspace::fixture();
    std::fs::create_dir_all(workspace.index().join("CURRENT")).expect("a folder in CURRENT's place");
    for _ in 0..2 {
        let output = workspace.run(&["ask", "Is registration free?"]);
        assert_eq!(output.code, 0, "{}", output.stderr);
    }
    assert!(workspace.index().join("CURRENT").is_file());
    let generations = std::fs::read_dir(workspace.index())
        .expect("index")
        .filter(|item| {
            item.as_ref()
                .is_ok_and(|item| item.file_name().to_string_lossy().starts_with("gen-"))
        })
        .count();
    assert_eq!(generations, 1);

    #[cfg(unix)]
    {
        std::fs::remove_file(workspace.index().join("CURRENT")).expect("remove");
        let made = std::process::Command::new("mkfifo")
            .arg(workspace.index().join("CURRENT"))
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let mut child = workspace
            .command(&["ask", "Is registration free?"])
            .spawn()
            .expect("start");
        let started = std::time::Instant::now();
        while child.try_wait().expect("wait").is_none() {
            if started.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                panic!("ask hangs on a pipe in CURRENT's place");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(workspace.index().join("CURRENT").is_file());
    }
}

#[test]
fn an_edited_manifest_is_never_served() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.run(&["index"]).code, 0);
    let current = std::fs::read_to_string(workspace.index().join("CURRENT")).expect("CURRENT");
    let manifest = workspace.index().join(current.trim()).join("manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let tampered = text.replace("Registering an official account costs nothing.", "TAMPERED statement.");
    assert_ne!(text, tampered, "the fixture's rule is in the manifest");
    std::fs::write(&manifest, tampered).expect("tamper");
    let reply = workspace.ask_json("Is registration free?");
    assert_eq!(reply["results"][0]["id"], "registration-cost");
    assert_eq!(
        reply["results"][0]["rules"][0]["statement"],
        "Registering an official account costs nothing."
    );
}

#[test]
fn an_edit_that_keeps_size_and_modification_time_is_seen() {
    let workspace = Workspace::fixture();
    assert_eq!(workspace.run(&["index"]).code, 0);
    let path = workspace.faq().join("registration-cost.md");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
    let text = std::fs::read_to_string(&path).expect("entry");
    let edited = text.replace("Registering is **free**.", "Registering is **FREE**.");
    assert_eq!(edited.len(), text.len());
    std::fs::write(&path, &edited).expect("edit");
    let file = std::fs::File::options().write(true).open(&path).expect("open");
    file.set_modified(modified).expect("restore the modification time");
    drop(file);
    let reply = workspace.ask_json("Is registration free?");
    assert_contains(reply["results"][0]["answer"].as_str().expect("answer"), "**FREE**");
}

#[test]
fn an_index_whose_meta_lock_cannot_be_created_is_read_not_rebuilt() {
    // As a read-only index/ would be; a folder in the lock file's place fails the same way, even for root.
    let workspace = Workspace::fixture();
    assert_eq!(workspace.run(&["index"]).code, 0);
    let current = std::fs::read_to_string(workspace.index().join("CURRENT")).expect("CURRENT");
    for part in ["questions", "entries"] {
        let lock = workspace
            .index()
            .join(current.trim())
            .join(part)
            .join(".tantivy-meta.lock");
        let _ = std::fs::remove_file(&lock);
        std::fs::create_dir(&lock).expect("a folder where the lock file goes");
    }
    let reply = workspace.ask_json("Is registration free?");
    assert_eq!(reply["results"][0]["id"], "registration-cost");
    let after = std::fs::read_to_string(workspace.index().join("CURRENT")).expect("CURRENT");
    assert_eq!(after, current, "the index was read as it was, not rebuilt");
}
