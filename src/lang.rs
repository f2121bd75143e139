//! Which language a question is in, so that a Chinese question gets the Chinese answer.

use serde::Serialize;

/// The language of a question, and so of its reply: the knowledge base has English and Chinese texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Zh,
}

impl Language {
    /// The language of a question, by [`is_chinese`].
    pub fn of(question: &str) -> Self {
        if is_chinese(question) { Self::Zh } else { Self::En }
    }

    pub fn is_chinese(self) -> bool {
        self == Self::Zh
    }
}

/// Han ideographs (the CJK Unified Ideographs blocks and compatibility ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// A question is Chinese when it has at least as many Han characters as Latin words:
/// "我的subscription account能换成服务号吗" is Chinese, "Does 订阅号 mean subscription account?" is English.
pub fn is_chinese(text: &str) -> bool {
    if text.is_ascii() {
        return false;
    }
    let han = text.chars().filter(|&c| is_han(c)).count();
    let latin_words = text
        .split(|c: char| !c.is_ascii_alphabetic() && !('Ａ'..='ｚ').contains(&c))
        .filter(|w| !w.is_empty())
        .count();
    han > 0 && han >= latin_words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_language_of_questions() {
        assert!(is_chinese("订阅号可以改成服务号吗？"));
        assert!(is_chinese("我的subscription account能换成服务号吗"));
        assert!(!is_chinese("Does 订阅号 mean subscription account?"));
        assert!(!is_chinese("Can I switch?"));
        assert!(!is_chinese(""));
        assert!(!is_chinese("ＳＷＩＴＣＨ ＡＣＣＯＵＮＴ"));
    }

    #[test]
    fn language_follows_the_question() {
        assert_eq!(Language::of("订阅号可以改成服务号吗？"), Language::Zh);
        assert_eq!(Language::of("Can I switch?"), Language::En);
    }
}
