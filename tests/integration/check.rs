//! `faqbot check`: every problem with its path and line, exit 1 when there are errors or warnings (notices never fail it), exit 2 when faq/ cannot be read.

use similar_asserts::assert_eq;

use crate::util::{Workspace, assert_contains, assert_ends_with};

#[test]
fn the_shipped_knowledge_base_is_valid() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["check"]);
    assert_eq!(output.stdout, "");
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(&output.stderr, "faq is valid: 14 entries");
}

/// The lines of `check`'s output that are not notices (the fixture's entries are short of phrasings, which
/// `coverage_gaps_are_notices_that_do_not_fail_the_check` tests).
fn without_notices(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|line| !line.contains(": notice: ")).collect()
}

#[test]
fn reports_every_problem_with_path_and_line() {
    let workspace = Workspace::fixture();
    workspace.write(
        "faq/broken.md",
        "+++\nid = \"Broken\"\nquestions = [\"Is registration free?\", \"\"]\nrules = [\"no-such-rule\"]\nsource = \"\"\nreviewed = 2026-11-23\n+++\n\n",
    );
    workspace.write("faq/unclosed.md", "+++\nid = \"unclosed\"\n");
    workspace.write(
        "faq/bad-toml.md",
        "+++\nid = \"bad-toml\"\nquestions = [\"a\"\nrules = []\n+++\nx\n",
    );
    workspace.write(
        "faq/orphan.md",
        "+++\nid = \"orphan\"\nquestions = [\"Is registration free?\"]\nrules = [\"no-such-rule\"]\nsource = \"s\"\nreviewed = 2026-11-23\n+++\nAnswer.\n",
    );
    std::fs::write(
        workspace.faq().join("latin1.md"),
        b"+++\nid = \"latin1\"\n+++\ncaf\xe9\n",
    )
    .expect("write");
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let expected = [
        "faq/bad-toml.md:4: error: invalid TOML: missing comma between array elements",
        "faq/broken.md:2: error: id `Broken` must be kebab-case (lowercase letters, digits and single dashes)",
        "faq/broken.md:3: error: a question is empty: remove it or write the question",
        "faq/broken.md:4: error: rule `no-such-rule` is not in rules.toml: fix the id or add the rule there",
        "faq/broken.md:5: error: `source` is empty: say where in the thread the answer comes from",
        "faq/broken.md:8: error: the English answer is empty: write it in Markdown after the closing `+++`",
        "faq/latin1.md:4: error: not valid UTF-8: save the file as UTF-8",
        "faq/orphan.md:3: error: question \"Is registration free?\" is also asked in broken.md line 3: a question belongs to one entry",
        "faq/orphan.md:4: error: rule `no-such-rule` is not in rules.toml: fix the id or add the rule there",
        "faq/registration-cost.md:5: error: question \"Is registration free?\" is also asked in broken.md line 3: a question belongs to one entry",
        "faq/unclosed.md:1: error: the front matter opened on line 1 is never closed: add a line `+++` after it",
    ];
    let lines = without_notices(&output.stdout);
    assert_eq!(lines.len(), expected.len(), "{}", output.stdout);
    for (line, expected) in lines.iter().zip(expected) {
        let line = line
            .strip_prefix(&format!("{}/", workspace.path().display()))
            .unwrap_or(line);
        assert!(line.starts_with(expected), "\n  got: {line}\n want: {expected}");
    }
    assert_contains(&output.stderr, "11 error(s), 0 warning(s)");
}

#[test]
fn an_uncited_rule_is_a_warning_that_check_still_fails_on() {
    let workspace = Workspace::fixture();
    let rules = workspace.read("faq/rules.toml");
    workspace.write("faq/rules.toml", &format!("{rules}\n[[rule]]\nid = \"lonely\"\nstatement = \"Nobody cites me.\"\napplies_to = [\"service\"]\nsource = \"s\"\n"));
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1);
    assert_ends_with(
        &without_notices(&output.stdout).join("\n"),
        "faq/rules.toml:18: warning: rule `lonely` is cited by no entry: cite it or remove it",
    );
    assert_eq!(workspace.run(&["index"]).code, 0, "a warning does not stop the index");
}

#[test]
fn an_out_of_scope_term_that_an_entry_phrasing_spells_is_a_warning() {
    let workspace = Workspace::fixture();
    workspace.write(
        "faq/out-of-scope.toml",
        "[[topic]]\nid = \"registries\"\nname = \"Company registries\"\nname_zh = \"工商注册\"\nterms = [\"account cost\"]\npointer = \"Ask the registry.\"\npointer_zh = \"请咨询登记机关。\"\n",
    );
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert_eq!(
        without_notices(&output.stdout),
        [
            "faq/out-of-scope.toml: warning: topic `registries`: term `account cost` matches \"How much does registering an account cost?\" of entry `registration-cost` (faq/registration-cost.md line 4), which would get the out-of-scope reply: make the term more specific, or add a word of the phrasing to `unless`"
        ]
    );
    assert_contains(&output.stderr, "0 error(s), 1 warning(s)");
}

#[test]
fn json_problems_name_path_line_and_severity() {
    let workspace = Workspace::fixture();
    workspace.write(
        "faq/account-type.md",
        &workspace.read("faq/account-type.md").replace("no-type-switch", "nope"),
    );
    let output = workspace.run(&["check", "--json"]);
    let problems: Vec<serde_json::Value> = output
        .json_lines()
        .into_iter()
        .filter(|problem| problem["severity"] != "notice")
        .collect();
    assert_eq!(problems.len(), 2, "{}", output.stdout);
    assert_eq!(problems[0]["severity"], "error");
    assert_eq!(problems[0]["line"], 7);
    assert!(
        problems[0]["path"]
            .as_str()
            .expect("path")
            .ends_with("faq/account-type.md")
    );
    assert_eq!(problems[1]["severity"], "warning");
}

#[test]
fn a_missing_faq_folder_is_an_error_naming_it() {
    let workspace = Workspace::fixture();
    for command in [&["check"][..], &["ask", "hello"], &["index"]] {
        let output = workspace.run(&[command, &["--faq", "nowhere"]].concat());
        assert_eq!(output.code, 2, "{command:?}");
        assert_eq!(output.stdout, "");
        assert!(
            output
                .stderr
                .starts_with("error: nowhere: the knowledge base folder does not exist"),
            "{command:?}: {}",
            output.stderr
        );
    }
}

#[test]
fn coverage_gaps_are_notices_that_do_not_fail_the_check() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "faq/account-type.md:4: notice: 2 English phrasing(s); faq/README.md asks for at least 8: add the ways users ask with `faqbot add-question account-type \"…\"`\n",
    );
    assert_contains(&output.stdout, "Chinese phrasing(s); faq/README.md asks for at least 4");
    assert_contains(&output.stderr, "faq is valid: 2 entries");
    assert_contains(&output.stderr, "notice(s) above");

    workspace.write(
        "faq/registration-cost.md",
        &workspace
            .read("faq/registration-cost.md")
            .replace("<!-- zh -->", "<!-- no zh -->"),
    );
    let output = workspace.run(&["check"]);
    assert_contains(
        &output.stdout,
        "faq/registration-cost.md: notice: no Chinese answer: Chinese askers get the English one; add it after a line `<!-- zh -->`",
    );
}

#[test]
fn a_file_that_is_not_an_entry_is_a_warning() {
    let workspace = Workspace::fixture();
    workspace.write("faq/new.txt", &workspace.read("faq/account-type.md"));
    workspace.write("faq/.hidden.swp", "editor state");
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "faq/new.txt: warning: not an entry: only <id>.md files (and rules.toml, synonyms.toml, out-of-scope.toml, README.md) are read; rename it to end in .md, or move it out of faq/\n",
    );
    assert!(!output.stdout.contains(".hidden.swp"), "{}", output.stdout);
}

#[test]
fn entry_files_whose_names_differ_only_in_case_are_an_error() {
    let workspace = Workspace::fixture();
    let entry = workspace.read("faq/registration-cost.md");
    workspace.write("faq/registration-cost.MD", &entry);
    let output = workspace.run(&["check"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert_contains(
        &output.stdout,
        "faq/registration-cost.md: error: has the same name as registration-cost.MD but for case: keep one of them",
    );
}
