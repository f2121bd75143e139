//! `faqbot export` and `faqbot import`: byte-exact round trips of the shipped and fixture faq/, CSV from other tools, and imports that fail without writing anything.

use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains, tree};

/// Exports the workspace's faq/ to `file`, imports it into an empty `copy/`, and returns the two trees.
fn round_trip(workspace: &Workspace, format: &str, file: &str, seed: &[&str]) -> (String, String) {
    let output = workspace.run(&["export", "--format", format, "--output", file]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    std::fs::create_dir(workspace.path().join("copy")).expect("copy folder");
    for name in seed {
        std::fs::copy(workspace.faq().join(name), workspace.path().join("copy").join(name)).expect("seed");
    }
    let output = workspace.run(&["--faq", "copy", "--index", "copy-index", "import", file]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "Rebuilt copy-index");
    (output.stdout, output.stderr)
}

#[test]
fn jsonl_reproduces_the_shipped_and_the_fixture_faq_byte_for_byte() {
    for (workspace, question) in [
        (Workspace::shipped(), "注册微信公众号要收费吗？"),
        (Workspace::fixture(), "注册要花钱吗？"),
    ] {
        round_trip(&workspace, "jsonl", "faq.jsonl", &[]);
        assert_eq!(tree(&workspace.path().join("copy")), tree(&workspace.faq()));
        let reply = workspace.run(&["--faq", "copy", "--index", "copy-index", "ask", "--json", question]);
        assert_contains(&reply.stdout, "\"answered\":true");
    }
}

#[test]
fn jsonl_keeps_comments_and_writes_edited_fields_in_the_shipped_format() {
    let workspace = Workspace::fixture();
    let commented = workspace
        .read("faq/account-type.md")
        .replace("rules = [", "# from comment 17\nrules = [");
    workspace.write("faq/account-type.md", &commented);
    let output = workspace.run(&["export"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    // A script changes one entry's answer: that entry is written from its fields, the other keeps its comment.
    let edited = output
        .stdout
        .replacen("Registering is **free**.", "Registering costs nothing.", 1);
    assert_ne!(edited, output.stdout);
    workspace.write("edited.jsonl", &edited);
    std::fs::create_dir(workspace.path().join("copy")).expect("copy");
    let output = workspace.run(&["--faq", "copy", "--index", "copy-index", "import", "edited.jsonl"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(workspace.read("copy/account-type.md"), commented);
    assert_eq!(
        workspace.read("copy/registration-cost.md"),
        workspace.read("faq/registration-cost.md").replace(
            "Registering is **free**. Fees & charges: <none> for registering.",
            "Registering costs nothing. Fees & charges: <none> for registering."
        )
    );
}

#[test]
fn csv_round_trips_the_shipped_entries() {
    let workspace = Workspace::shipped();
    round_trip(
        &workspace,
        "csv",
        "faq.csv",
        &["rules.toml", "synonyms.toml", "out-of-scope.toml", "README.md"],
    );
    assert_eq!(tree(&workspace.path().join("copy")), tree(&workspace.faq()));
    let csv = workspace.read("faq.csv");
    assert!(
        csv.starts_with("id,question,alternates,answer,answer_zh,rules,tags,source,reviewed\n"),
        "{csv}"
    );
    assert_contains(&csv, "订阅号可以改成服务号吗？");
}

#[test]
fn imports_csv_from_other_tools_with_only_question_and_answer_and_rules() {
    let workspace = Workspace::fixture();
    workspace.write(
        "other.csv",
        "Question,Answer,Alternates,Rules,Category\n\"Can I sell tea, or coffee?\",\"Yes, with a \"\"service\"\" account.\",\"Is selling tea allowed?\n卖茶可以吗？\",registration-free,Shop\n",
    );
    let output = workspace.run(&["import", "other.csv"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stderr,
        "warning: other.csv: column `category` is not one faqbot knows; it was left out",
    );
    assert_contains(
        &output.stdout,
        "Imported other.csv into faq: 1 new, 0 replaced, 0 unchanged",
    );
    let today = jiff::ZonedDateTime::now().date();
    assert_eq!(
        workspace.read("faq/can-i-sell-tea-or-coffee.md"),
        format!(
            "+++\nid = \"can-i-sell-tea-or-coffee\"\nquestions = [\n  \"Can I sell tea, or coffee?\",\n  \"Is selling tea allowed?\",\n  \"卖茶可以吗？\",\n]\nrules = [\"registration-free\"]\nsource = \"Imported from other.csv\"\nreviewed = {today}\n+++\n\nYes, with a \"service\" account.\n"
        )
    );
    assert_eq!(
        workspace.ask_json("卖茶可以吗？")["results"][0]["id"],
        "can-i-sell-tea-or-coffee"
    );
}

/// Runs an import that must fail with `message` and leave faq/ as it was.
fn assert_import_refused(workspace: &Workspace, args: &[&str], message: &str) {
    let before = tree(&workspace.faq());
    let output = workspace.run(args);
    assert_eq!(output.code, 2, "{}\n{}", output.stdout, output.stderr);
    assert_contains(&output.stderr, message);
    assert_eq!(tree(&workspace.faq()), before);
}

#[test]
fn a_bad_row_is_reported_with_its_line_and_nothing_is_written() {
    let workspace = Workspace::fixture();
    let header = "question,answer,rules\n";
    workspace.write("quoting.csv", &format!("{header}Good question?,Fine.,registration-free\n\"Broken quote?,Answer,registration-free\nLast?,Answer,registration-free\n"));
    assert_import_refused(
        &workspace,
        &["import", "quoting.csv"],
        "error: quoting.csv:3: 1 field(s) where the header has 3: check the quoting",
    );
    workspace.write(
        "empty.csv",
        &format!("{header}Good question?,Fine.,registration-free\nNo answer here?,,registration-free\n"),
    );
    assert_import_refused(
        &workspace,
        &["import", "empty.csv"],
        "error: empty.csv:3: the answer is empty; nothing was imported",
    );
    workspace.write("norules.csv", &format!("{header}Good question?,Fine.,\n"));
    assert_import_refused(&workspace, &["import", "norules.csv"], "norules.csv:2: no rules");
    std::fs::write(
        workspace.path().join("latin1.csv"),
        b"question,answer,rules\nGood?,Fine.,registration-free\nCaf\xe9?,Oui.,registration-free\n",
    )
    .expect("write");
    assert_import_refused(
        &workspace,
        &["import", "latin1.csv"],
        "error: latin1.csv:3: not valid UTF-8: save the file as UTF-8",
    );
    workspace.write(
        "unknown-rule.csv",
        &format!("{header}Good question?,Fine.,no-such-rule\n"),
    );
    assert_import_refused(
        &workspace,
        &["import", "unknown-rule.csv"],
        "faq/good-question.md:6: error: rule `no-such-rule` is not in rules.toml: fix the id or add the rule there (from unknown-rule.csv line 2)",
    );
    workspace.write("bad.jsonl", "{\"kind\":\"entry\",\"id\":\"x\"}\n");
    assert_import_refused(
        &workspace,
        &["import", "bad.jsonl"],
        "bad.jsonl:1: not a faqbot export record",
    );
    workspace.write(
        "escape.jsonl",
        "{\"kind\":\"file\",\"name\":\"../evil.toml\",\"text\":\"\"}\n",
    );
    assert_import_refused(
        &workspace,
        &["import", "escape.jsonl"],
        "escape.jsonl:1: `../evil.toml` is not a file an export carries",
    );
    assert!(!workspace.path().join("evil.toml").exists());
}

#[test]
fn an_existing_id_is_refused_unless_replace_is_given() {
    let workspace = Workspace::fixture();
    workspace.write(
        "update.csv",
        "id,question,answer,rules\nnew-entry,Brand new question?,New.,registration-free\naccount-type,Can I switch my account type?,Still no.,no-type-switch\n",
    );
    assert_import_refused(
        &workspace,
        &["import", "update.csv"],
        "update.csv: 1 file(s) already exist with other contents, nothing was imported; pass --replace to overwrite them:\n  line 3: faq/account-type.md",
    );
    let output = workspace.run(&["import", "--replace", "update.csv"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stdout, "1 new, 1 replaced, 0 unchanged");
    assert_contains(&workspace.read("faq/account-type.md"), "\n+++\n\nStill no.\n");
    assert!(workspace.faq().join("new-entry.md").is_file());
}

#[test]
fn export_refuses_a_faq_with_errors() {
    let workspace = Workspace::fixture();
    workspace.write("faq/broken.md", "+++\nid = \"broken\"\n");
    let output = workspace.run(&["export"]);
    assert_eq!(output.code, 2);
    assert_contains(&output.stderr, "faq/broken.md:1: error:");
    assert_eq!(output.stdout, "");
}
