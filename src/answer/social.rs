//! Greetings, thanks, goodbyes and "what can you do?": messages that ask nothing of the knowledge base and deserve
//! a short friendly reply rather than an entry picked at random or the decline text.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

/// What kind of small talk a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Social {
    Greeting,
    Thanks,
    Farewell,
    /// "help", "what can you do?", "are you a bot?"
    Help,
    /// "ok", "got it", "好的"
    Acknowledgement,
}

/// Phrases, as lower-case word sequences (Chinese after normalisation to simplified Mandarin), and what they are.
/// Longer phrases first where one starts another.
const PHRASES: &[(&str, Social)] = &[
    ("good morning", Social::Greeting),
    ("good afternoon", Social::Greeting),
    ("good evening", Social::Greeting),
    ("good day", Social::Greeting),
    ("hello there", Social::Greeting),
    ("hi there", Social::Greeting),
    ("hey there", Social::Greeting),
    ("hello", Social::Greeting),
    ("hallo", Social::Greeting),
    ("hiya", Social::Greeting),
    ("hey", Social::Greeting),
    ("hi", Social::Greeting),
    ("yo", Social::Greeting),
    ("greetings", Social::Greeting),
    ("howdy", Social::Greeting),
    ("how are you", Social::Greeting),
    ("how are u", Social::Greeting),
    ("你好", Social::Greeting),
    ("您好", Social::Greeting),
    ("哈啰", Social::Greeting),
    ("哈喽", Social::Greeting),
    ("嗨", Social::Greeting),
    ("早晨", Social::Greeting),
    ("早上好", Social::Greeting),
    ("早安", Social::Greeting),
    ("下午好", Social::Greeting),
    ("晚上好", Social::Greeting),
    ("大家好", Social::Greeting),
    ("thank you", Social::Thanks),
    ("thank u", Social::Thanks),
    ("thanks", Social::Thanks),
    ("thx", Social::Thanks),
    ("thanx", Social::Thanks),
    ("ty", Social::Thanks),
    ("tks", Social::Thanks),
    ("cheers", Social::Thanks),
    ("much appreciated", Social::Thanks),
    ("appreciate it", Social::Thanks),
    ("谢谢", Social::Thanks),
    ("谢啦", Social::Thanks),
    ("谢谢你", Social::Thanks),
    ("多谢", Social::Thanks),
    ("感谢", Social::Thanks),
    ("谢", Social::Thanks),
    ("goodbye", Social::Farewell),
    ("good bye", Social::Farewell),
    ("bye bye", Social::Farewell),
    ("bye", Social::Farewell),
    ("see you", Social::Farewell),
    ("see ya", Social::Farewell),
    ("good night", Social::Farewell),
    ("再见", Social::Farewell),
    ("拜拜", Social::Farewell),
    ("晚安", Social::Farewell),
    ("what can you do", Social::Help),
    ("what do you do", Social::Help),
    ("what can i ask", Social::Help),
    ("what can i ask you", Social::Help),
    ("who are you", Social::Help),
    ("what are you", Social::Help),
    ("are you a bot", Social::Help),
    ("are you a robot", Social::Help),
    ("are you human", Social::Help),
    ("are you a human", Social::Help),
    ("are you a real person", Social::Help),
    ("are you real", Social::Help),
    ("a real person", Social::Help),
    ("is this a bot", Social::Help),
    ("how does this work", Social::Help),
    ("how do i use this", Social::Help),
    ("help me", Social::Help),
    ("help", Social::Help),
    ("menu", Social::Help),
    ("start", Social::Help),
    ("帮助", Social::Help),
    ("帮忙", Social::Help),
    ("帮我", Social::Help),
    ("你是谁", Social::Help),
    ("你能做什么", Social::Help),
    ("你可以做什么", Social::Help),
    ("你会什么", Social::Help),
    ("你是机器人吗", Social::Help),
    ("你是不是机器人", Social::Help),
    ("机器人", Social::Help),
    ("真人", Social::Help),
    ("ok", Social::Acknowledgement),
    ("okay", Social::Acknowledgement),
    ("okey", Social::Acknowledgement),
    ("k", Social::Acknowledgement),
    ("got it", Social::Acknowledgement),
    ("understood", Social::Acknowledgement),
    ("i see", Social::Acknowledgement),
    ("great", Social::Acknowledgement),
    ("cool", Social::Acknowledgement),
    ("nice", Social::Acknowledgement),
    ("perfect", Social::Acknowledgement),
    ("awesome", Social::Acknowledgement),
    ("sure", Social::Acknowledgement),
    ("alright", Social::Acknowledgement),
    ("noted", Social::Acknowledgement),
    ("好的", Social::Acknowledgement),
    ("好", Social::Acknowledgement),
    ("明白", Social::Acknowledgement),
    ("明白了", Social::Acknowledgement),
    ("收到", Social::Acknowledgement),
    ("知道了", Social::Acknowledgement),
    ("了解", Social::Acknowledgement),
    ("行", Social::Acknowledgement),
];

/// Words that may stand around small talk without making it a question: "thanks so much, that really helped!".
const FILLER: &[&str] = &[
    "a",
    "again",
    "all",
    "and",
    "bot",
    "buddy",
    "for",
    "friend",
    "guys",
    "it",
    "just",
    "lot",
    "lots",
    "me",
    "much",
    "my",
    "oh",
    "so",
    "team",
    "that",
    "the",
    "there",
    "this",
    "very",
    "really",
    "you",
    "your",
    "u",
    "help",
    "helped",
    "helpful",
    "info",
    "information",
    "answer",
    "answers",
    "man",
    "mate",
    "sir",
    "madam",
    "everyone",
    "again",
    "in",
    "advance",
    "now",
    "then",
    "well",
    "wow",
    "yes",
    "yeah",
    "yep",
    "no",
    "nope",
    "fine",
    "good",
    "thats",
    "that's",
    "was",
    "is",
    "very",
    "super",
    "of",
    "faqbot",
    "wechat",
    "bye",
    "or",
    "am",
    "i",
    "im",
    "talking",
    "to",
    "chatting",
    "with",
    "啊",
    "呀",
    "哦",
    "喔",
    "啦",
    "嘛",
    "了",
    "的",
    "你",
    "您",
    "晒",
    "哈",
    "嗯",
    "很",
    "非常",
    "大家",
    "呢",
    "吗",
    "一下",
    "老师",
    "朋友",
    "们",
    "这",
    "个",
    "是",
    "在",
    "有",
    "帮助",
    "哈哈",
    "啰",
    "哦",
];

/// The kind of small talk `message` is, when it is nothing else: "hi" and "thanks, that helped!" are, but "hi,
/// can I switch my account?" is a question with a greeting in front, and is not.
pub fn classify(message: &str) -> Option<Social> {
    let words = words(message);
    if words.is_empty() {
        return None;
    }
    let mut found = None;
    let mut position = 0;
    while position < words.len() {
        let rest = &words[position..];
        let phrase = PHRASES_BY_FIRST_WORD
            .get(rest[0].as_str())
            .into_iter()
            .flatten()
            .filter(|(words, _)| rest.len() >= words.len() && words.iter().zip(rest).all(|(p, w)| p == w))
            .map(|(words, kind)| (words.len(), *kind))
            .max_by_key(|(length, _)| *length);
        match phrase {
            Some((length, kind)) => {
                // The first kind that is not a mere acknowledgement names the message ("ok thanks" thanks).
                if found.is_none_or(|f| f == Social::Acknowledgement) {
                    found = Some(kind);
                }
                position += length;
            }
            None if FILLER.contains(&rest[0].as_str()) => position += 1,
            None => return None,
        }
    }
    found
}

/// A phrase of [`PHRASES`] as its words, and what it is.
type SplitPhrase = (Vec<&'static str>, Social);

/// [`PHRASES`] split into words, under their first word: every question is checked for small talk, so the check
/// must cost one lookup for a message that is not.
static PHRASES_BY_FIRST_WORD: LazyLock<FxHashMap<&'static str, Vec<SplitPhrase>>> = LazyLock::new(|| {
    let mut by_first: FxHashMap<&'static str, Vec<SplitPhrase>> = FxHashMap::default();
    for (phrase, kind) in PHRASES {
        let words: Vec<&'static str> = phrase.split(' ').collect();
        if let Some(first) = words.first() {
            by_first.entry(first).or_default().push((words, *kind));
        }
    }
    by_first
});

/// Lower-case words; Han text is normalised and cut into the phrases above and single characters.
fn words(message: &str) -> Vec<String> {
    let normalized = crate::search::normalize::normalize(message).to_lowercase();
    let mut words = Vec::new();
    for piece in normalized.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        if piece.is_empty() {
            continue;
        }
        if piece.chars().any(crate::lang::is_han) {
            split_han(piece, &mut words);
        } else {
            words.push(piece.replace('\'', ""));
        }
    }
    words
}

/// Han text has no spaces: the longest known phrase or filler word at each point, else one character.
fn split_han(text: &str, words: &mut Vec<String>) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let known = PHRASES
            .iter()
            .map(|(phrase, _)| *phrase)
            .chain(FILLER.iter().copied())
            .filter(|word| word.chars().next().is_some_and(crate::lang::is_han) && rest.starts_with(word))
            .max_by_key(|word| word.len());
        let word = known.unwrap_or(&rest[..c.len_utf8()]);
        words.push(word.to_string());
        rest = &rest[word.len()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_thanks_and_help_in_both_languages() {
        assert_eq!(classify("hi"), Some(Social::Greeting));
        assert_eq!(classify("Hello there!!"), Some(Social::Greeting));
        assert_eq!(classify("你好"), Some(Social::Greeting));
        assert_eq!(classify("thanks, that helped a lot!"), Some(Social::Thanks));
        assert_eq!(classify("唔該晒"), Some(Social::Thanks));
        assert_eq!(classify("ok thank you"), Some(Social::Thanks));
        assert_eq!(classify("what can you do?"), Some(Social::Help));
        assert_eq!(classify("are you a bot or a real person?"), Some(Social::Help));
        assert_eq!(classify("help"), Some(Social::Help));
        assert_eq!(classify("bye"), Some(Social::Farewell));
        assert_eq!(classify("ok"), Some(Social::Acknowledgement));
        assert_eq!(classify("好的，明白了"), Some(Social::Acknowledgement));
    }

    #[test]
    fn a_question_with_a_greeting_is_not_small_talk() {
        assert_eq!(classify("hi, can I switch my account?"), None);
        assert_eq!(classify("thanks! and how much is verification?"), None);
        assert_eq!(classify("你好，认证多少钱？"), None);
        assert_eq!(classify("help me register an account"), None);
        assert_eq!(classify(""), None);
        assert_eq!(classify("???"), None);
    }
}
