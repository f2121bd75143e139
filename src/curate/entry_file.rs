//! Writing an entry file in the format of the shipped ones, so that a generated file looks hand-made; and ids made from questions.

use std::fmt::Write;

use crate::faq::Entry;
use crate::faq::front_matter::{DELIMITER, ZH_MARKER};

/// An entry's file text: front matter with one question per line, rules and tags inline, then the English
/// answer and, after `<!-- zh -->`, the Chinese one.
pub fn render(entry: &Entry) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{DELIMITER}");
    let _ = writeln!(text, "id = {}", toml_string(&entry.id));
    let _ = writeln!(text, "questions = [");
    for question in &entry.questions {
        let _ = writeln!(text, "  {},", toml_string(question));
    }
    let _ = writeln!(text, "]");
    let _ = writeln!(text, "rules = {}", inline_array(&entry.rules));
    if !entry.tags.is_empty() {
        let _ = writeln!(text, "tags = {}", inline_array(&entry.tags));
    }
    let _ = writeln!(text, "source = {}", toml_string(&entry.source));
    let _ = writeln!(text, "reviewed = {}", entry.reviewed);
    let _ = writeln!(text, "{DELIMITER}");
    let _ = writeln!(text);
    let _ = writeln!(text, "{}", entry.answer.trim());
    if let Some(zh) = &entry.answer_zh {
        let _ = writeln!(text);
        let _ = writeln!(text, "{ZH_MARKER}");
        let _ = writeln!(text);
        let _ = writeln!(text, "{}", zh.trim());
    }
    text
}

/// A TOML basic string: quotes, backslashes and control characters escaped, everything else (Chinese too) as is.
pub fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML array on one line: `["a", "b"]`.
pub fn inline_array(values: &[impl AsRef<str>]) -> String {
    let items: Vec<String> = values.iter().map(|v| toml_string(v.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// Longest generated id, in words: enough to tell entries apart, short enough for a file name.
const MAX_ID_WORDS: usize = 8;

/// Words an id made from a question must not end on when the question is cut short: `…-to-my` reads as cut
/// mid-phrase, `…-mini-program` does not.
const DANGLING_WORDS: &[&str] = &[
    "a", "an", "the", "to", "my", "our", "your", "its", "their", "of", "in", "on", "at", "for", "from", "with", "and",
    "or", "but", "by", "as", "is", "are", "be", "i", "we", "can", "do", "does", "if", "than", "that", "this",
];

/// A kebab-case id from the first question with Latin letters or digits: "Can I sell tea?" → `can-i-sell-tea`.
/// A long question is cut after a whole word, and never on a word such as "to" or "my" that leaves the phrase
/// hanging. `None` when no question has any (a Chinese-only entry needs `--id`).
pub fn id_from_questions(questions: &[String]) -> Option<String> {
    questions.iter().find_map(|question| {
        let all: Vec<String> = question
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let mut words: Vec<String> = all.iter().take(MAX_ID_WORDS).cloned().collect();
        if words.len() < all.len() {
            while words.len() > 1 && words.last().is_some_and(|w| DANGLING_WORDS.contains(&w.as_str())) {
                words.pop();
            }
        }
        (!words.is_empty()).then(|| words.join("-"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::Problems;
    use crate::faq::entry::parse;

    #[test]
    fn an_id_from_a_long_question_ends_on_a_whole_phrase() {
        let id = |q: &str| id_from_questions(&[q.to_string()]);
        assert_eq!(
            id("Can I link a mini program to my official account?").as_deref(),
            Some("can-i-link-a-mini-program")
        );
        assert_eq!(
            id("Can I sell tea in my official account shop?").as_deref(),
            Some("can-i-sell-tea-in-my-official-account")
        );
        assert_eq!(id("Is it free to register?").as_deref(), Some("is-it-free-to-register"));
        assert_eq!(id("能卖茶吗？"), None);
    }

    #[test]
    fn rendering_a_parsed_shipped_entry_gives_back_its_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/faq");
        let mut checked = 0;
        for item in std::fs::read_dir(dir).expect("faq") {
            let path = item.expect("item").path();
            if path.extension().is_none_or(|e| e != "md") || path.ends_with("README.md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let entry = parse(&path, &text, &mut Problems::default()).expect("parses").entry;
            similar_asserts::assert_eq!(render(&entry), text, "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 14);
    }

    #[test]
    fn escapes_what_toml_needs_and_keeps_chinese() {
        assert_eq!(toml_string("say \"hi\" \\ 你好\n"), "\"say \\\"hi\\\" \\\\ 你好\\n\"");
        let parsed: toml::Value = toml::from_str(&format!("x = {}", toml_string("a\u{7}\"b\\"))).expect("toml");
        assert_eq!(parsed["x"].as_str(), Some("a\u{7}\"b\\"));
    }

    #[test]
    fn ids_come_from_the_first_latin_question() {
        let questions = |q: &[&str]| q.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            id_from_questions(&questions(&["Can I sell tea on WeChat?"])).as_deref(),
            Some("can-i-sell-tea-on-wechat")
        );
        assert_eq!(
            id_from_questions(&questions(&["能卖茶吗？", "Selling TEA -- allowed?"])).as_deref(),
            Some("selling-tea-allowed")
        );
        assert_eq!(id_from_questions(&questions(&["能卖茶吗？"])), None);
        let long = id_from_questions(&questions(&["one two three four five six seven eight nine ten"]));
        assert_eq!(long.as_deref(), Some("one-two-three-four-five-six-seven-eight"));
    }
}
