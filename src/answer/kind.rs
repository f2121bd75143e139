//! What sort of answer a question asks for: an amount of money ("how much", "cost", "多少钱"), a duration ("how
//! long", "多久"), a count ("how many", "几次"), a person ("who", "谁"), a place ("where", "哪里") or a reason
//! ("why", "为什么") or a choice of account type ("which type…", "哪种"); and whether an entry answers that sort of question at all, read from its own phrasings.
//!
//! Words say what a question is about; its head says what it wants to know. "How much does an agency charge to
//! register a Chinese account?" shares its words with the entry on reaching Chinese users, but none of that
//! entry's phrasings asks for a price, so its answer does not give one. An entry whose phrasings never ask the
//! sort of thing asked is a doubtful answer however well its words match: that is a signal of the calibration
//! ([`super::Signals::kind_mismatch`]), not a rule that declines on its own.

use crate::lang::is_han;
use crate::search::normalize::normalize;

/// A sort of answer a question can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Amount = 0,
    Duration = 1,
    Count = 2,
    Person = 3,
    Place = 4,
    Reason = 5,
    /// Which type of account to choose: "Which type should we pick?", "开哪种号？".
    Choice = 6,
}

/// A set of [`Kind`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    pub fn contains(self, kind: Kind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }

    fn insert(&mut self, kind: Kind) {
        self.0 |= 1 << kind as u8;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    pub fn intersects(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether a question asking for `self` gets no answer of that sort from an entry that answers `entry`: the
    /// question asks for a particular sort, and the entry never does.
    pub fn mismatch(self, entry: Kinds) -> bool {
        !self.is_empty() && !self.intersects(entry)
    }
}

/// English words that ask for an amount of money wherever they stand; "free" except in "feel free to".
const MONEY_WORDS: &[&str] = &[
    "cost",
    "costs",
    "costing",
    "price",
    "prices",
    "pricing",
    "priced",
    "fee",
    "fees",
    "charge",
    "charges",
    "charged",
    "expensive",
    "cheap",
    "cheaper",
    "cheapest",
    "budget",
];

/// Units of time after "how many": "how many weeks" asks for a duration, not a count.
const TIME_UNITS: &[&str] = &[
    "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
];

/// What "which" or "what" asks a choice of ("which type", "what kind"), and the verbs after "which account" that
/// make it a choice ("which account should we register?").
const CHOICES: &[&str] = &["type", "types", "kind", "kinds", "sort"];
const CHOICE_VERBS: &[&str] = &[
    "should", "would", "is", "do", "does", "to", "makes", "suits", "fits", "works", "best", "better",
];

/// What "which" or "what" asks a place of: "which website", "what email address".
const PLACES: &[&str] = &[
    "website", "websites", "site", "page", "link", "url", "address", "email", "e", "portal", "channel",
];

/// Words after which "who", "where" and "why" open a question ("and who…", "tell me where…") rather than a
/// relative clause ("people who live in China").
const OPENS_AFTER: &[&str] = &[
    "and",
    "or",
    "but",
    "so",
    "then",
    "also",
    "to",
    "with",
    "for",
    "from",
    "know",
    "tell",
    "ask",
    "asking",
    "wondering",
    "wonder",
    "sure",
    "idea",
    "is",
    "me",
    "us",
    "exactly",
    "else",
];

/// Simplified Chinese (after [`normalize`], which reads Cantonese and traditional Chinese as Mandarin) that asks for
/// each sort.
const CHINESE: &[(Kind, &[&str])] = &[
    (
        Kind::Amount,
        // 费 is in every word for a fee or a charge: 费用, 收费, 免费, 年费, 认证费.
        &["钱", "费", "价格", "价钱", "贵", "便宜"],
    ),
    (
        Kind::Duration,
        &[
            "多久",
            "多长时间",
            "几耐",
            "多少天",
            "几天",
            "几个月",
            "几周",
            "几个星期",
        ],
    ),
    (Kind::Count, &["几次", "多少次", "几个", "多少个"]),
    (Kind::Person, &["谁", "哪位"]),
    (
        Kind::Place,
        &[
            "哪里",
            "哪儿",
            "在哪",
            "去哪",
            "哪个网",
            "什么网站",
            "什么网址",
            "哪个邮箱",
            "什么邮箱",
        ],
    ),
    (Kind::Reason, &["为什么", "为何"]),
    (
        Kind::Choice,
        &[
            "哪种",
            "哪类",
            "哪一种",
            "什么类型",
            "哪个类型",
            "选哪",
            "开哪",
            "用哪",
            "注册哪",
        ],
    ),
];

/// Durations spelt with a count word.
const DURATIONS_WITH_COUNTS: &[&str] = &["几个月", "几个星期"];

/// The sorts of answer `question` asks for (none for a question that asks only yes or no, or "what", "which",
/// "how": those fit every entry).
pub fn of(question: &str) -> Kinds {
    let mut kinds = Kinds::default();
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied();
        let after = words.get(i + 2).copied();
        let opens = i == 0 || words.get(i - 1).is_some_and(|w| OPENS_AFTER.contains(w));
        match *word {
            "how" => match next {
                Some("much") if after.is_some_and(|w| TIME_UNITS.contains(&w) || w == "time") => {
                    kinds.insert(Kind::Duration)
                }
                Some("much") => kinds.insert(Kind::Amount),
                Some("long" | "soon" | "quickly" | "fast") => kinds.insert(Kind::Duration),
                Some("many") if after.is_some_and(|w| TIME_UNITS.contains(&w)) => kinds.insert(Kind::Duration),
                Some("many" | "often") => kinds.insert(Kind::Count),
                _ => {}
            },
            "free" if next != Some("to") => kinds.insert(Kind::Amount),
            // "Which type should we pick?", "what kind of account…", "which account should we register?".
            "which" | "what"
                if next.is_some_and(|w| CHOICES.contains(&w))
                    || (next == Some("account")
                        && after.is_some_and(|w| CHOICES.contains(&w) || CHOICE_VERBS.contains(&w))) =>
            {
                kinds.insert(Kind::Choice)
            }
            // "Which website do we use?" asks where, as "where do we apply?" does.
            "which" | "what" if next.is_some_and(|w| PLACES.contains(&w)) => kinds.insert(Kind::Place),
            "who" | "whom" | "whose" if opens => kinds.insert(Kind::Person),
            "where" if opens => kinds.insert(Kind::Place),
            "why" if opens => kinds.insert(Kind::Reason),
            word if MONEY_WORDS.contains(&word) => kinds.insert(Kind::Amount),
            _ => {}
        }
    }
    // The Chinese words are looked for only in a question with Chinese in it: English ones skip the normalisation.
    if !question.chars().any(is_han) {
        return kinds;
    }
    let simplified = normalize(question);
    // "几个月" is a duration, not a count: the count words are looked for in what is left without the durations.
    let without_durations = DURATIONS_WITH_COUNTS
        .iter()
        .fold(simplified.clone(), |text, duration| text.replace(duration, ""));
    for (kind, words) in CHINESE {
        let text = if *kind == Kind::Count {
            &without_durations
        } else {
            &simplified
        };
        if words.iter().any(|w| text.contains(w)) {
            kinds.insert(*kind);
        }
    }
    kinds
}

/// The sorts of answer an entry gives: every sort one of its phrasings asks for.
pub fn of_entry<'a>(phrasings: impl IntoIterator<Item = &'a String>) -> Kinds {
    phrasings
        .into_iter()
        .fold(Kinds::default(), |kinds, q| kinds.union(of(q)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(kinds: &[Kind]) -> Kinds {
        let mut set = Kinds::default();
        for kind in kinds {
            set.insert(*kind);
        }
        set
    }

    #[test]
    fn question_heads_in_english_chinese_traditional_and_cantonese() {
        use Kind::*;
        let cases: &[(&str, &[Kind])] = &[
            ("How much does WeCom cost?", &[Amount]),
            ("Is registration free?", &[Amount]),
            ("Feel free to tell me: which type?", &[Choice]),
            ("how long does approval take", &[Duration]),
            ("How many weeks until they reply?", &[Duration]),
            ("How many broadcasts a month?", &[Count]),
            ("Who should we contact?", &[Person]),
            ("Can people who live in China see it?", &[]),
            ("And where do we apply?", &[Place]),
            ("Which website do we use?", &[Place]),
            ("Why is my account not visible?", &[Reason]),
            ("Which type should we pick?", &[Choice]),
            ("Which account should we register?", &[Choice]),
            ("Which features do we lose?", &[]),
            ("What is the difference between the types?", &[]),
            ("认证要多少钱？", &[Amount]),
            ("認證要幾多錢？", &[Amount]),
            ("认证费是交给谁的？", &[Amount, Person]),
            ("审核要多久？", &[Duration]),
            ("等咗幾耐？", &[Duration]),
            ("等了几个月", &[Duration]),
            ("服务号一个月能群发几次？", &[Count]),
            ("应该去哪个网址申请？", &[Place]),
            ("想卖东西，开哪种号比较合适？", &[Choice]),
        ];
        for (question, expected) in cases {
            assert_eq!(of(question), kinds(expected), "{question}");
        }
    }

    #[test]
    fn an_entry_answers_every_sort_its_phrasings_ask() {
        let phrasings = ["How much is it?".to_string(), "Who receives the fee?".to_string()];
        let entry = of_entry(&phrasings);
        assert!(!of("How much does it cost?").mismatch(entry));
        assert!(of("How long does it take?").mismatch(entry));
        assert!(
            !of("Can I switch?").mismatch(entry),
            "a yes-or-no question fits any entry"
        );
    }
}
