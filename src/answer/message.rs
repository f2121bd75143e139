//! A user's message split into what it asks: sentences, told apart into questions and the context around them
//! ("We're a jewelry brand in Milan. We export to China." is context; "What does it cost?" asks), so that a long
//! message is answered for its question and a message with several questions gets each answered.

use crate::lang::is_han;

/// One sentence of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence<'a> {
    pub text: &'a str,
    pub asks: bool,
}

/// Messages longer than this are read only this far: no real question is longer, and a pasted page must stay fast.
const MAX_SENTENCES: usize = 24;

/// Splits `message` into sentences at sentence punctuation and line breaks, keeping each sentence's own
/// punctuation, and marks the ones that ask something.
pub fn sentences(message: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = message.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let ends = match c {
            '?' | '!' | '？' | '！' | '。' | '\n' | ';' | '；' => true,
            // A full stop ends a sentence only before white space or the end: "4.5", "e.g.", "admin.wechat.com" stay whole.
            '.' => {
                chars.peek().is_none_or(|&(_, next)| next.is_whitespace())
                    && !ends_with_abbreviation(&message[start..offset])
                    && !is_list_number(&message[start..offset])
            }
            _ => false,
        };
        if ends {
            // Runs of closing punctuation ("?!", "??", "?)") stay with their sentence.
            let mut end = offset + c.len_utf8();
            while let Some(&(next_offset, next)) = chars.peek() {
                if matches!(
                    next,
                    '?' | '!' | '？' | '！' | '.' | '。' | ')' | '）' | '"' | '”' | '\''
                ) {
                    end = next_offset + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            push(&mut out, &message[start..end]);
            start = end;
        }
        if out.len() >= MAX_SENTENCES {
            return out;
        }
    }
    push(&mut out, &message[start..]);
    out
}

fn push<'a>(out: &mut Vec<Sentence<'a>>, text: &'a str) {
    let text = text.trim();
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    // "Three questions: …", "我们是澳门的公司，有几个问题：…": the announcement is left out, the context before it kept.
    let mut text = text;
    while let Some((context, rest)) = after_announcement(text) {
        if context.chars().any(char::is_alphanumeric) {
            out.push(Sentence {
                text: context,
                asks: false,
            });
        }
        if out.len() >= MAX_SENTENCES {
            return;
        }
        text = rest;
    }
    if !asks(text) {
        out.push(Sentence { text, asks: false });
        return;
    }
    for clause in question_clauses(text) {
        out.push(Sentence {
            text: clause,
            asks: true,
        });
    }
}

/// The context before an announcement of questions that ends at a colon ("Three questions:", "想请问：",
/// "我哋做手信生意，有幾個問題："), and what follows the colon, when that asks. Any other lead stays with its
/// question: "The verification fee for overseas companies: is it refundable?" asks about that fee.
fn after_announcement(sentence: &str) -> Option<(&str, &str)> {
    let (offset, colon) = sentence.char_indices().find(|&(_, c)| c == ':' || c == '：')?;
    let lead = sentence[..offset].trim();
    let rest = sentence[offset + colon.len_utf8()..].trim();
    let context = without_announcement(lead);
    let announces = lead.chars().any(char::is_alphanumeric) && context.len() < lead.len();
    (announces && rest.chars().any(char::is_alphanumeric) && asks(rest)).then_some((context, rest))
}

/// `lead` without the announcement of questions it is or ends with: "我哋做手信生意，有幾個問題" is
/// "我哋做手信生意"; "Three questions pls" is empty.
fn without_announcement(lead: &str) -> &str {
    if is_announcement(lead) {
        return "";
    }
    match lead.rfind([',', '，', '、']) {
        Some(comma) if is_announcement(lead[comma..].trim_start_matches([',', '，', '、'])) => lead[..comma].trim(),
        _ => lead,
    }
}

/// Words of an English announcement of questions ("I have a couple of quick questions", "two things pls").
const ANNOUNCEMENT_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "few",
    "couple",
    "of",
    "some",
    "several",
    "two",
    "three",
    "four",
    "five",
    "2",
    "3",
    "4",
    "5",
    "quick",
    "short",
    "small",
    "simple",
    "basic",
    "more",
    "other",
    "another",
    "question",
    "questions",
    "qs",
    "q",
    "qn",
    "qns",
    "ones",
    "things",
    "thing",
    "points",
    "queries",
    "query",
    "doubts",
    "i",
    "we",
    "have",
    "got",
    "my",
    "our",
    "here",
    "are",
    "is",
    "there",
    "pls",
    "please",
    "following",
    "hi",
    "hello",
    "hey",
    "team",
    "so",
    "ok",
    "okay",
    "im",
    "just",
    "also",
    "and",
    "ask",
    "to",
    "want",
    "would",
    "like",
    "wanted",
    "list",
    "bunch",
    "multiple",
];

/// Pieces of a Chinese announcement of questions ("想请问一下", "有三个问题", "有幾個問題"), simplified; a piece that
/// contains another comes before it, as they are removed in order.
const CHINESE_ANNOUNCEMENT_PIECES: &[&str] = &[
    "请教一下",
    "想问一下",
    "问一下",
    "请问",
    "请教",
    "咨询",
    "想问",
    "问下",
    "问题",
    "疑问",
    "几个",
    "几条",
    "两个",
    "三个",
    "四个",
    "一些",
    "我们",
    "我哋",
    "我地",
    "老师好",
    "你好",
    "您好",
    "有",
    "想",
    "我",
    "几",
    "个",
    "哈",
    "啊",
    "呀",
    "哦",
    "喔",
    "吖",
    "下",
    "一",
    "二",
    "三",
    "四",
    "两",
    "小",
];

/// Whether `lead` only announces questions: "Three questions pls", "quick ones", "想请问", "有幾個問題".
fn is_announcement(lead: &str) -> bool {
    if lead.chars().any(is_han) {
        let mut rest = crate::search::normalize::normalize(lead);
        for piece in CHINESE_ANNOUNCEMENT_PIECES {
            rest = rest.replace(piece, "");
        }
        return !rest.chars().any(char::is_alphanumeric);
    }
    let mut words = words(lead).peekable();
    words.peek().is_some() && words.all(|word| ANNOUNCEMENT_WORDS.contains(&word.as_str()))
}

/// Words that open a question of its own after a comma: "What do I get from verification, who may verify, and is
/// the fee paid to Tencent?" asks three things. Narrower than [`QUESTION_OPENERS`]: "any", "u" and the like also
/// open clauses that are not questions. Contractions of question words are listed with their apostrophe dropped
/// ("what's" as "whats"), as clauses are read; negated verbs ("don't", "can't") are not: after a comma they mostly
/// open a statement with its subject dropped ("How do we verify, don't have a licence yet?").
const CLAUSE_OPENERS: &[&str] = &[
    "how", "what", "which", "who", "when", "where", "why", "is", "are", "can", "could", "do", "does", "did", "will",
    "would", "should", "must", "have", "has", "whats", "hows", "whos", "wheres", "whens", "whys",
];

/// The verbs after which "when" asks ("when do we pay", "when was it changed") rather than opening a time clause
/// ("when the verification renews, …"), and the adverbs that may stand between ("when exactly do we pay").
const VERBS_AFTER_WHEN: &[&str] = &[
    "am", "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should", "shall", "may",
    "might", "must", "has", "have", "had",
];
const ADVERBS_AFTER_WHEN: &[&str] = &["exactly", "usually", "roughly", "approximately"];

/// Words that may stand between the comma and the opener ("…, and how long does it take?").
const CLAUSE_JOINERS: &[&str] = &["and", "or", "also", "plus", "then"];

/// Chinese words that open a further question after a comma: "认证多少钱，另外要多久？".
const CHINESE_CLAUSE_JOINERS: &[&str] = &["另外", "还有", "以及", "同时", "并且", "而且", "那么", "那"];

/// An asking sentence cut at the commas, and the bare "and"s of [`and_opens_full_question`], where a question of
/// its own begins: after a clause that opens like a question, a clause that opens like one too ("…, and how
/// long…"), or in Chinese a clause that asks and opens with "另外", "还有"…. A sentence that opens otherwise ("If
/// I switch, will I lose my followers?") is one question.
fn question_clauses(sentence: &str) -> Vec<&str> {
    let chinese = sentence.chars().any(is_han);
    // A cut is where a clause may end and the next begin: at a comma, or in English before an " and " that needs
    // no comma because a full question follows it ("How much does it cost and how long does it take?").
    let mut cuts: Vec<(usize, usize, bool)> = sentence
        .char_indices()
        .filter(|&(_, c)| matches!(c, ',' | '，' | '、'))
        .map(|(offset, c)| (offset, offset + c.len_utf8(), false))
        .collect();
    if !chinese {
        // ASCII lower-casing keeps every byte offset where it was.
        let lower = sentence.to_ascii_lowercase();
        cuts.extend(
            lower
                .match_indices(" and ")
                .map(|(offset, _)| (offset, offset + 1, true)),
        );
        cuts.sort_unstable();
    }
    if cuts.is_empty() {
        return vec![sentence];
    }
    let mut clauses = Vec::new();
    let mut start = 0;
    for (end, next, bare_and) in cuts {
        let Some(before) = sentence.get(start..end) else {
            continue;
        };
        // "Are there rules about what we can post, or will our articles get censored?" asks one thing two ways:
        // a clause that opens with "or" is an alternative of the one before, not a question of its own.
        if !chinese && opens_with_or(&sentence[next..]) {
            continue;
        }
        let (before_asks, after_asks) = if chinese {
            (chinese_asks(before), chinese_clause_asks(&sentence[next..]))
        } else if bare_and {
            (english_clause_asks(before), and_opens_full_question(&sentence[next..]))
        } else {
            (english_clause_asks(before), english_clause_asks(&sentence[next..]))
        };
        if before_asks && after_asks {
            clauses.push(before.trim());
            start = next;
        }
    }
    clauses.push(sentence[start..].trim());
    clauses.retain(|clause| clause.chars().any(char::is_alphanumeric));
    clauses
}

/// Whether a clause opens with "or": "or will our articles get censored?".
fn opens_with_or(clause: &str) -> bool {
    clause
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .is_some_and(|w| w.eq_ignore_ascii_case("or"))
}

/// "and how long does it take": at most one joiner, then a clause opener. "When" opens a question only before a
/// verb ("when do we pay"): "When the verification renews, do we…" is one question with a time clause.
fn english_clause_asks(clause: &str) -> bool {
    let words: Vec<String> = words(clause).take(4).collect();
    let opens_question = |opener: &str, rest: &[String]| {
        let verb = rest
            .iter()
            .map(String::as_str)
            .find(|word| !ADVERBS_AFTER_WHEN.contains(word));
        CLAUSE_OPENERS.contains(&opener)
            && (opener != "when" || verb.is_some_and(|verb| VERBS_AFTER_WHEN.contains(&verb)))
    };
    match words.as_slice() {
        [first, rest @ ..] if opens_question(first, rest) => true,
        [joiner, opener, rest @ ..] => CLAUSE_JOINERS.contains(&joiner.as_str()) && opens_question(opener, rest),
        _ => false,
    }
}

/// "and how long does the review take": without a comma, "and" opens a question of its own only before a question
/// word, a quantity ("how long", "how much"…) and then a verb; "and what documents" or "and how to apply" go on
/// with the question before ("Can I register and how?" is one question).
fn and_opens_full_question(clause: &str) -> bool {
    const QUESTION_WORDS: &[&str] = &["how", "what", "which", "who", "when", "where", "why"];
    const QUANTITIES: &[&str] = &["long", "much", "many", "often", "soon", "far"];
    let words: Vec<String> = words(clause).take(4).collect();
    match words.as_slice() {
        [and, question, rest @ ..] if and == "and" && QUESTION_WORDS.contains(&question.as_str()) => {
            let rest = match rest {
                [quantity, rest @ ..] if question == "how" && QUANTITIES.contains(&quantity.as_str()) => rest,
                rest => rest,
            };
            rest.first()
                .is_some_and(|verb| VERBS_AFTER_WHEN.contains(&verb.as_str()))
        }
        _ => false,
    }
}

fn chinese_asks(clause: &str) -> bool {
    let simplified = crate::search::normalize::normalize(clause);
    has_chinese_question_word(&simplified)
}

/// "另外要多久": a joiner, then a question.
fn chinese_clause_asks(clause: &str) -> bool {
    let simplified = crate::search::normalize::normalize(clause.trim());
    CHINESE_CLAUSE_JOINERS
        .iter()
        .any(|joiner| simplified.starts_with(joiner))
        && has_chinese_question_word(&simplified)
}

/// Whether `text`, a sentence so far, ends with the number of a list item ("2" of "2. How long…?", or of
/// "几个问题：1. …"): one or two digits at its start or after a colon.
fn is_list_number(text: &str) -> bool {
    let before = text.trim_end_matches(|c: char| c.is_ascii_digit());
    LIST_NUMBER_DIGITS.contains(&(text.len() - before.len()))
        && (before.trim().is_empty() || before.trim_end().ends_with([':', '：']))
}

/// How many digits a list item's number has: "1." to "99."; "300." ends a sentence about 300 RMB.
const LIST_NUMBER_DIGITS: std::ops::RangeInclusive<usize> = 1..=2;

/// How many ASCII digits `text` opens with.
fn leading_digits(text: &str) -> usize {
    text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len()
}

fn ends_with_abbreviation(text: &str) -> bool {
    let last = text
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_lowercase();
    matches!(
        last.as_str(),
        "e.g" | "i.e" | "etc" | "mr" | "mrs" | "ms" | "dr" | "vs" | "approx" | "no" | "co" | "ltd" | "inc" | "st"
    )
}

/// Words that join a sentence to the one before it ("And…", "Also, …", "另外…"): they say nothing of what is asked,
/// so a sentence is read past them, and they mark it as going on about the question before.
const LEADING_JOINERS: &[&str] = &[
    "and",
    "also",
    "plus",
    "or",
    "but",
    "so",
    "then",
    "additionally",
    "besides",
    "btw",
    "ok",
    "okay",
    "oh",
    "well",
];

/// The same in Chinese, traditional and simplified (and Cantonese "仲有", "咁"), longest first.
const CHINESE_LEADING_JOINERS: &[&str] = &[
    "顺便问一下",
    "順便問一下",
    "另外",
    "还有",
    "還有",
    "仲有",
    "以及",
    "同时",
    "同時",
    "并且",
    "並且",
    "而且",
    "此外",
    "那么",
    "那麼",
    "顺便",
    "順便",
    "那",
    "咁",
    "还",
    "還",
];

/// What makes "那" a demonstrative ("那个", "那些", "那种"…) rather than "then".
const DEMONSTRATIVE_AFTER_NA: &str = "个個些种種边邊里裡样樣位家";

/// English openings that refer back to the question before ("If not, …", "Otherwise…", "What about…"): such a
/// sentence is about that question's subject whatever words it has of its own.
const BACK_REFERENCES: &[&[&str]] = &[
    &["if", "not"],
    &["if", "so"],
    &["if", "yes"],
    &["if", "no"],
    &["if", "that"],
    &["if", "this"],
    &["if", "it"],
    &["if", "thats"],
    &["otherwise"],
    &["in", "that", "case"],
    &["in", "this", "case"],
    &["what", "about"],
    &["how", "about"],
    &["same", "for"],
];

/// Negations that make an opening "if" refer back: "If we don't have one, …", "If it isn't possible, …".
const NEGATIONS: &[&str] = &[
    "not", "dont", "doesnt", "didnt", "cant", "cannot", "isnt", "arent", "wont", "no", "never", "unable",
];

/// Chinese openings that refer back: "如果不行…", "如果唔得…", "否则…", "不然…", "那如果…".
const CHINESE_BACK_REFERENCES: &[&str] = &[
    "如果不",
    "如果没",
    "如果沒",
    "如果唔",
    "如果无",
    "如果無",
    "要是不",
    "要是没",
    "若不",
    "若没",
    "否则",
    "否則",
    "不然",
    "这样的话",
    "這樣的話",
    "如果是这样",
    "如果是這樣",
    "如果可以",
    "如果行",
];

/// The lower-case words of `text`, apostrophes dropped ("don't" is "dont").
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace(['\'', '’'], ""))
}

/// `sentence` without the joiners it opens with ("And also, how long…" is "how long…"), for retrieval: "also"
/// and "另外" are rare words in the knowledge base, and would match whatever phrasing happens to use them. Empty
/// when there is nothing but joiners.
pub fn without_leading_joiners(sentence: &str) -> &str {
    let mut rest = sentence.trim_start();
    loop {
        let trimmed = without_list_marker(
            rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | '-' | '…')),
        );
        let chinese_joiner = CHINESE_LEADING_JOINERS
            .iter()
            .find(|j| trimmed.starts_with(**j))
            // "那个 300 RMB…" is "that 300 RMB", not "then".
            .filter(|j| {
                !(**j == "那" && trimmed["那".len()..].starts_with(|c: char| DEMONSTRATIVE_AFTER_NA.contains(c)))
            });
        let next = if let Some(joiner) = chinese_joiner {
            &trimmed[joiner.len()..]
        } else {
            let end = trimmed.find(|c: char| !c.is_alphanumeric()).unwrap_or(trimmed.len());
            let word = trimmed[..end].to_lowercase();
            if LEADING_JOINERS.contains(&word.as_str()) {
                &trimmed[end..]
            } else {
                trimmed
            }
        };
        if !next.chars().any(char::is_alphanumeric) {
            // "Also?" on its own asks nothing: retrieving "also" would answer whatever phrasing has it.
            return "";
        }
        if next.len() == rest.len() {
            return rest.trim_start();
        }
        rest = next;
    }
}

/// `text` without the list marker it opens with: "1.", "2)", "3）", "(4)", "①", "b)", "Q2", "•". A marker is
/// not a word of the question; "q2" or "b" would be read as words the knowledge base does not know.
fn without_list_marker(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix(|c: char| matches!(c, '•' | '*' | '·') || ('①'..='⑳').contains(&c)) {
        return rest;
    }
    let opened = text.strip_prefix(['(', '（']);
    let label = opened.unwrap_or(text);
    let digits = leading_digits(label);
    if opened.is_none()
        && digits == 0
        && let Some(tail) = label.strip_prefix(['Q', 'q'])
    {
        let number = leading_digits(tail);
        let after = &tail[number..];
        if LIST_NUMBER_DIGITS.contains(&number) && !after.starts_with(char::is_alphanumeric) {
            return after.trim_start_matches([')', '）', '.', ':', '：']);
        }
    }
    let letter = digits == 0 && label.starts_with(|c: char| c.is_ascii_lowercase());
    if !LIST_NUMBER_DIGITS.contains(&digits) && !letter {
        return text;
    }
    let tail = &label[if letter { 1 } else { digits }..];
    let Some(closer) = tail.chars().next() else {
        return text;
    };
    let after = &tail[closer.len_utf8()..];
    let closes = match closer {
        ')' | '）' => true,
        // "1.5 rmb" is a number; "a." would be too often a word's end.
        '.' | '、' => !letter && !after.starts_with(|c: char| c.is_ascii_digit()),
        _ => false,
    };
    if closes { after } else { text }
}

/// Whether `sentence` refers back to the question before it: "If not, can I keep both?", "Otherwise what are my
/// options?", "If we don't have one, …", "如果不行，…".
pub fn refers_back(sentence: &str) -> bool {
    let rest = without_leading_joiners(sentence);
    if rest.chars().any(is_han) {
        let simplified = crate::search::normalize::normalize(rest);
        if CHINESE_BACK_REFERENCES
            .iter()
            .any(|opening| rest.starts_with(opening) || simplified.starts_with(opening))
            || is_ellipsis(rest)
        {
            return true;
        }
    }
    let opening: Vec<String> = words(rest).take(4).collect();
    let opens_with =
        |phrase: &[&str]| phrase.len() <= opening.len() && phrase.iter().zip(&opening).all(|(a, b)| a == b);
    BACK_REFERENCES.iter().any(|phrase| opens_with(phrase))
        || (opening.first().is_some_and(|w| w == "if")
            && opening.iter().skip(1).any(|w| NEGATIONS.contains(&w.as_str())))
}

/// At most this many characters stand before the 呢 of an elliptical question: a noun phrase ("订阅号呢？",
/// "香港的公司呢？"); a longer one is a sentence of its own that happens to end in 呢.
const MAX_ELLIPSIS_CHARS: usize = 8;

/// "订阅号呢？" ("and a subscription account?"): a few words and 呢, with no question word of their own, ask the
/// question before about something else, so that question is what they ask.
pub fn is_ellipsis(sentence: &str) -> bool {
    let simplified = crate::search::normalize::normalize(without_leading_joiners(sentence));
    let body = simplified.trim_end_matches(|c: char| !c.is_alphanumeric());
    body.strip_suffix('呢').is_some_and(|stem| {
        !stem.is_empty() && stem.chars().count() <= MAX_ELLIPSIS_CHARS && !has_chinese_question_word(stem)
    })
}

/// English words that open a question.
const QUESTION_OPENERS: &[&str] = &[
    "am", "any", "anyone", "are", "can", "could", "did", "do", "does", "has", "have", "how", "hows", "is", "isnt",
    "may", "must", "shall", "should", "wat", "what", "whats", "when", "where", "whether", "which", "who", "whom",
    "why", "will", "would", "wont", "cant", "dont", "doesnt", "arent", "u", "ur", "whos", "wheres", "whens", "whys",
];

/// Phrases that ask without a question mark: "I want to know…", "please advise", "tell me…".
const ASKING_PHRASES: &[&str] = &[
    "i want to know",
    "i would like to know",
    "i'd like to know",
    "id like to know",
    "wondering",
    "i wonder",
    "please advise",
    "please let me know",
    "let me know",
    "tell me",
    "need to know",
    "any idea",
    "any advice",
    "advice on",
    "looking for advice",
    "help me",
    "pls advise",
    "can you help",
];

/// Chinese words that make a sentence a question (after normalisation: simplified Mandarin).
const CHINESE_QUESTION_WORDS: &[&str] = &[
    "吗",
    "么",
    "呢",
    "什么",
    "怎么",
    "怎样",
    "如何",
    "哪",
    "多少",
    "是否",
    "能否",
    "可否",
    "可不可以",
    "是不是",
    "有没有",
    "要不要",
    "需不需要",
    "几",
    "为什么",
    "请问",
    "想问",
    "想知道",
    "谁",
    "多久",
];

/// Whether normalised Chinese text has a question word or particle in it.
fn has_chinese_question_word(simplified: &str) -> bool {
    CHINESE_QUESTION_WORDS.iter().any(|word| simplified.contains(word))
}

/// Whether a sentence asks something: a question mark, a question word in front, an asking phrase, or (Chinese)
/// a question particle anywhere.
pub fn asks(sentence: &str) -> bool {
    if sentence.contains('?') || sentence.contains('？') {
        return true;
    }
    let lower = sentence.to_lowercase();
    // "And if not, what do we miss out on": past the joiners and a reference back, the question word opens it.
    let opening: Vec<String> = words(without_leading_joiners(&lower)).take(3).collect();
    let past_back_reference = match opening.as_slice() {
        [first, second, rest @ ..] if first == "if" && matches!(second.as_str(), "not" | "so" | "yes" | "no") => rest,
        [first, rest @ ..] if first == "otherwise" => rest,
        all => all,
    };
    if past_back_reference
        .first()
        .is_some_and(|word| QUESTION_OPENERS.contains(&word.as_str()))
    {
        return true;
    }
    if ASKING_PHRASES.iter().any(|phrase| lower.contains(phrase)) {
        return true;
    }
    if sentence.chars().any(is_han) {
        let simplified = crate::search::normalize::normalize(sentence);
        // "负责几个中国客户的 account。": closed by a full stop, "几个" + a noun is "several", not "how many"; a
        // question typed with a full stop ("认证费是多少。") still asks. "那么", "这么" and "多么" only contain 么.
        let statement = sentence.trim_end().ends_with(['。', '.', '！', '!']);
        let mut read = simplified;
        for word in NOT_QUESTION_WORDS
            .iter()
            .chain(statement.then_some(INDEFINITE_IN_STATEMENTS).into_iter().flatten())
        {
            // Every Chinese sentence of every message passes here: a copy only for a word that is there.
            if read.contains(word) {
                read = read.replace(word, "");
            }
        }
        return has_chinese_question_word(&read);
    }
    false
}

/// Words that contain a question particle without asking: "那么" (then), "这么", "多么".
const NOT_QUESTION_WORDS: &[&str] = &["那么", "这么", "多么"];

/// "Several" in a statement: "负责几个客户。", "我们有几家店。".
const INDEFINITE_IN_STATEMENTS: &[&str] = &["几个", "几家", "几位", "几间"];

#[cfg(test)]
mod tests {
    use super::*;

    fn split(message: &str) -> Vec<(&str, bool)> {
        sentences(message).into_iter().map(|s| (s.text, s.asks)).collect()
    }

    #[test]
    fn splits_context_from_questions() {
        assert_eq!(
            split(
                "We're an Italian jewelry brand. We export to China!  What documents do we need? And what is the cost for month?"
            ),
            vec![
                ("We're an Italian jewelry brand.", false),
                ("We export to China!", false),
                ("What documents do we need?", true),
                ("And what is the cost for month?", true),
            ]
        );
    }

    #[test]
    fn numbers_addresses_and_abbreviations_do_not_end_sentences() {
        assert_eq!(
            split("It costs 4.5 rmb, e.g. on admin.wechat.com. how do I pay"),
            vec![
                ("It costs 4.5 rmb, e.g. on admin.wechat.com.", false),
                ("how do I pay", true)
            ]
        );
    }

    #[test]
    fn chinese_sentences_and_particles() {
        assert_eq!(
            split("我们是马来西亚的公司。可以注册服务号吗？另外认证多少钱"),
            vec![
                ("我们是马来西亚的公司。", false),
                ("可以注册服务号吗？", true),
                ("另外认证多少钱", true)
            ]
        );
        assert!(asks("訂閱號可唔可以轉做服務號"), "Cantonese, after normalisation");
    }

    #[test]
    fn questions_joined_by_commas_are_told_apart() {
        assert_eq!(
            split("What do I get from verification, who is allowed to verify, and is the fee paid to Tencent?"),
            vec![
                ("What do I get from verification", true),
                ("who is allowed to verify", true),
                ("and is the fee paid to Tencent?", true),
            ]
        );
        assert_eq!(
            split("What's the difference between the two, and which one lets me run ads?"),
            vec![
                ("What's the difference between the two", true),
                ("and which one lets me run ads?", true),
            ],
            "a contraction opens a question as its full form does"
        );
        assert_eq!(
            split("When the verification renews, do we send the documents again?"),
            vec![("When the verification renews, do we send the documents again?", true)],
            "a time clause is not a question of its own"
        );
        assert_eq!(
            split("When do we pay, and how much is it?"),
            vec![("When do we pay", true), ("and how much is it?", true)]
        );
        assert_eq!(
            split("When was the limit changed, and does it apply to subscription accounts?"),
            vec![
                ("When was the limit changed", true),
                ("and does it apply to subscription accounts?", true)
            ]
        );
        assert_eq!(
            split("When’s the deadline, and how much is it?"),
            vec![("When’s the deadline", true), ("and how much is it?", true)],
            "a curly apostrophe is read as a straight one"
        );
        assert_eq!(
            split("How do we verify, don't have a business licence yet?"),
            vec![("How do we verify, don't have a business licence yet?", true)],
            "a negated verb after a comma opens a statement, not a question"
        );
        assert_eq!(
            split("How much does verification cost and how long does the review usually take?"),
            vec![
                ("How much does verification cost", true),
                ("and how long does the review usually take?", true)
            ],
            "a full question after \"and\" is a question of its own without a comma"
        );
        assert_eq!(
            split("Can I register a service account and what documents do I need?"),
            vec![("Can I register a service account and what documents do I need?", true)],
            "\"and what documents\" has no verb after the question word: one question"
        );
        assert_eq!(
            split("I want to know the fee and how long does it take?"),
            vec![("I want to know the fee and how long does it take?", true)],
            "a statement before \"and\" does not ask"
        );
        assert_eq!(
            split("If I switch, will I lose my followers?"),
            vec![("If I switch, will I lose my followers?", true)],
            "a condition is not a question of its own"
        );
        assert_eq!(
            split("Are there rules about what we can post, or will our articles get censored?"),
            vec![(
                "Are there rules about what we can post, or will our articles get censored?",
                true
            )],
            "an alternative introduced by \"or\" is the same question"
        );
        assert_eq!(
            split("Which account should we use, subscription or service?"),
            vec![("Which account should we use, subscription or service?", true)]
        );
        assert_eq!(
            split("认证多少钱，另外要多久才能通过？"),
            vec![("认证多少钱", true), ("另外要多久才能通过？", true)]
        );
        assert_eq!(split("如果不能改，怎么办？"), vec![("如果不能改，怎么办？", true)]);
    }

    #[test]
    fn a_question_word_after_a_joiner_and_a_reference_back_still_asks() {
        assert_eq!(
            split("can I pay by card? and if not what are the other ways"),
            vec![
                ("can I pay by card?", true),
                ("and if not what are the other ways", true)
            ]
        );
        assert!(asks("Also how long is the wait"));
        assert!(asks("otherwise where do we go"));
        assert!(!asks("and if not, fine."), "no question word: not a question");
        assert!(!asks("And then we moved to Penang."));
    }

    #[test]
    fn leading_joiners_are_left_out_of_what_is_retrieved() {
        assert_eq!(
            without_leading_joiners("Also, can we pay monthly?"),
            "can we pay monthly?"
        );
        assert_eq!(without_leading_joiners("And also how long?"), "how long?");
        assert_eq!(without_leading_joiners("另外需要多久？"), "需要多久？");
        assert_eq!(without_leading_joiners("還有，費用是多少？"), "費用是多少？");
        assert_eq!(
            without_leading_joiners("那个价格是多少？"),
            "那个价格是多少？",
            "那个 is \"that\""
        );
        assert_eq!(
            without_leading_joiners("Andrew asks: how much?"),
            "Andrew asks: how much?"
        );
        assert_eq!(without_leading_joiners("And?"), "", "nothing but a joiner");
        assert_eq!(without_leading_joiners("Also"), "");
    }

    #[test]
    fn openings_that_refer_back_to_the_question_before() {
        for sentence in [
            "If not, can we keep both?",
            "And if so, how long does it take?",
            "If we don't have one, what are our options?",
            "If it isn't possible, who can help?",
            "Otherwise is there another way?",
            "What about a school?",
            "如果不行，还有别的办法吗？",
            "如果唔得，點算？",
            "那如果没有执照呢？",
            "订阅号呢？",
            "那服務號呢",
        ] {
            assert!(refers_back(sentence), "{sentence}");
        }
        for sentence in [
            "If I switch, will I lose my followers?",
            "Can we keep both accounts?",
            "What does verification cost?",
            "如果我换类型会怎样？",
            "订阅号一天能发几次呢？",
        ] {
            assert!(!refers_back(sentence), "{sentence}");
        }
    }

    #[test]
    fn questions_without_question_marks() {
        assert!(asks("how much is verification"));
        assert!(asks("Please advise which account we should open"));
        assert!(!asks("verification fee"));
        assert!(!asks("We are a bakery in Utrecht."));
    }

    #[test]
    fn an_announcement_before_a_colon_is_left_out_and_any_other_lead_kept() {
        assert_eq!(
            split("Three questions pls: is it free? can I switch later?"),
            vec![("is it free?", true), ("can I switch later?", true)]
        );
        assert_eq!(
            split("几个问题：1. 认证之后有什么好处？2. 认证费是多少？"),
            vec![("1. 认证之后有什么好处？", true), ("2. 认证费是多少？", true)]
        );
        assert_eq!(
            split("我哋喺澳門做手信生意，有幾個問題：1）國際版公眾號大陸啲客睇唔睇到？"),
            vec![
                ("我哋喺澳門做手信生意", false),
                ("1）國際版公眾號大陸啲客睇唔睇到？", true)
            ],
            "context, then an announcement"
        );
        // Any other lead is part of its question: its topic, an address, a time.
        for whole in [
            "Verification: how much is it?",
            "The annual verification fee for overseas companies: is it refundable?",
            "Is http://apply.wechat.com the right page?",
            "The call with the agency is at 10:30, is that too late?",
        ] {
            assert_eq!(split(whole), vec![(whole, true)], "{whole}");
        }
        assert_eq!(
            split("Two questions: we are a shop in Ipoh."),
            vec![("Two questions: we are a shop in Ipoh.", false)],
            "nothing asked after the colon"
        );
        // Context before each of many announcements is kept, up to the cap of a message's sentences.
        let many = format!("{}is it free?", "We sell tea, two questions: ".repeat(2000));
        assert_eq!(sentences(&many).len(), MAX_SENTENCES);
    }

    #[test]
    fn list_markers_are_left_out_of_what_is_retrieved() {
        for (marked, question) in [
            ("2) How long does it take?", "How long does it take?"),
            ("3）搵代理幫手開要幾錢？", "搵代理幫手開要幾錢？"),
            ("(4) is it free?", "is it free?"),
            ("1. 认证之后有什么好处？", "认证之后有什么好处？"),
            ("2、认证费是多少？", "认证费是多少？"),
            (
                "①国际版的公众号，大陆用户能不能搜到？",
                "国际版的公众号，大陆用户能不能搜到？",
            ),
            ("b) is there any fee?", "is there any fee?"),
            ("Q2 can we receive donations?", "can we receive donations?"),
            ("Q3: which type?", "which type?"),
            ("• and how long?", "how long?"),
        ] {
            assert_eq!(without_leading_joiners(marked), question, "{marked}");
        }
        for unmarked in [
            "1.5 rmb a day?",
            "300 RMB a year?",
            "a lot of fees?",
            "Q&A page?",
            "(see below) what is it?",
            "2 accounts?",
            "300) a year?",
        ] {
            assert_eq!(without_leading_joiners(unmarked), unmarked, "{unmarked}");
        }
    }

    #[test]
    fn a_chinese_statement_asks_only_with_a_particle_or_an_asking_phrase() {
        assert!(!asks("我在悉尼一家 digital agency 上班，负责几个中国客户的 account。"));
        assert!(!asks("那么我们就先注册。"));
        for question in [
            "这个可以认证吗。",
            "想问一下认证的费用。",
            "认证费是多少。",
            "为什么我的公众号搜不到。",
            "哪个账号类型适合我们。",
        ] {
            assert!(asks(question), "{question}");
        }
    }

    #[test]
    fn empty_and_punctuation_only_messages_have_no_sentences() {
        assert!(sentences("").is_empty());
        assert!(sentences("?!...").is_empty());
        assert_eq!(sentences(&"Why? ".repeat(100)).len(), MAX_SENTENCES);
    }
}
