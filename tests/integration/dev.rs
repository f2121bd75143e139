//! The benchmark tools are not in the shipped binary: they are `faqbot-synth` (crates/faqbot-synth), with its own tests.

use crate::util::Workspace;

#[test]
fn there_is_no_dev_command() {
    let workspace = Workspace::fixture();
    let help = workspace.run(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(!help.stdout.contains("dev"), "{}", help.stdout);
    let dev = workspace.run(&["dev", "generate", "--entries", "5", "--out", "synthetic"]);
    assert_eq!(dev.code, 2, "{}", dev.stderr);
    assert!(!workspace.path().join("synthetic").exists());
}

#[test]
fn the_shipped_binary_holds_no_synthetic_word_lists() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_faqbot")).expect("the faqbot binary");
    // A template of faqbot-synth's out-of-domain questions.
    let needle = b"recipe for a {holiday} dinner";
    assert!(!binary.windows(needle.len()).any(|window| window == needle));
}
