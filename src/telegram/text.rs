//! Every sentence the bot says that does not come from faq/, in English and Chinese, so that tests assert on these constants.
//!
//! Texts are Telegram HTML fragments: they are inserted as they are, so they must not contain a bare `<`, `>` or `&`.

use crate::answer::Language;

pub struct Texts {
    /// Before the examples of /start.
    pub greeting: &'static str,
    pub examples: &'static str,
    pub help: &'static str,
    pub rules: &'static str,
    pub source: &'static str,
    pub related: &'static str,
    pub corrected: &'static str,
    pub declined: &'static str,
    pub did_you_mean: &'static str,
    pub try_topics: &'static str,
    pub topics: &'static str,
    pub all_rules: &'static str,
    pub no_such_rule: &'static str,
    pub rule_usage: &'static str,
    pub ask_usage: &'static str,
    pub unknown_command: &'static str,
    pub not_text: &'static str,
    pub stale_button: &'static str,
    pub thanks_up: &'static str,
    pub thanks_down: &'static str,
    pub vote_up: &'static str,
    pub vote_down: &'static str,
    pub applies_to: &'static str,
    pub since: &'static str,
    pub trouble: &'static str,
}

pub const EN: Texts = Texts {
    greeting: "Hello! I answer questions about <b>WeChat Official Accounts</b>: subscription and service accounts, verification, fees, international accounts and registration. Every answer cites the account rules behind it.\n\nAsk in your own words, in English or Chinese.",
    examples: "Try one of these:",
    help: "Send me a question and I answer it from a curated FAQ, citing the account rules.\n\n/topics – everything I know about\n/rules – the account rules\n/rule ID – one rule\n/ask QUESTION – ask in a group\n\nIn a group, mention me or reply to me. Below each answer, 👍 or 👎 tells the curators whether it helped.",
    rules: "Rules",
    source: "Source",
    related: "Related questions:",
    corrected: "Read as",
    declined: "Sorry, I don't know the answer to that. I answer questions about WeChat Official Accounts: subscription and service accounts, verification, fees, international accounts and registration.",
    did_you_mean: "Did you mean…",
    try_topics: "See /topics for everything I can answer.",
    topics: "Here is what I can answer. Pick a question:",
    all_rules: "The account rules my answers cite (/rule ID shows one):",
    no_such_rule: "There is no rule with that id. /rules lists them all.",
    rule_usage: "Send /rule followed by a rule id, for example /rule registration-free. /rules lists them all.",
    ask_usage: "Send /ask followed by your question, for example /ask How much does verification cost?",
    unknown_command: "I don't know that command. /help lists what I can do.",
    not_text: "I can only read text. Please type your question.",
    stale_button: "That button is out of date. Please ask your question again.",
    thanks_up: "Thanks! Glad it helped.",
    thanks_down: "Thanks, the curators will look at this answer.",
    vote_up: "👍 Helpful",
    vote_down: "👎 Not helpful",
    applies_to: "Applies to",
    since: "since",
    trouble: "Sorry, something went wrong on my side. Please try again in a moment.",
};

pub const ZH: Texts = Texts {
    greeting: "您好！我可以回答有关<b>微信公众号</b>的问题：订阅号与服务号、认证、费用、国际账号和注册。每个回答都会注明依据的账号规则。\n\n请用中文或英文直接提问。",
    examples: "可以试试这些问题：",
    help: "发送问题给我，我会根据整理好的常见问题回答，并注明依据的账号规则。\n\n/topics – 我能回答的所有问题\n/rules – 账号规则\n/rule ID – 查看一条规则\n/ask 问题 – 在群里提问\n\n在群里请提及我或回复我的消息。每个回答下方的 👍 或 👎 会告诉整理者回答是否有帮助。",
    rules: "规则",
    source: "来源",
    related: "相关问题：",
    corrected: "已理解为",
    declined: "抱歉，这个问题我无法回答。我可以回答有关微信公众号的问题：订阅号与服务号、认证、费用、国际账号和注册。",
    did_you_mean: "您是不是想问：",
    try_topics: "发送 /topics 查看我能回答的所有问题。",
    topics: "以下是我能回答的问题，请选择：",
    all_rules: "我的回答所依据的账号规则（/rule ID 查看一条）：",
    no_such_rule: "没有这个编号的规则。/rules 列出所有规则。",
    rule_usage: "请在 /rule 后面加上规则编号，例如 /rule registration-free。/rules 列出所有规则。",
    ask_usage: "请在 /ask 后面加上您的问题，例如 /ask 认证费用是多少？",
    unknown_command: "我不认识这个命令。/help 列出我能做的事。",
    not_text: "我只能阅读文字，请输入您的问题。",
    stale_button: "这个按钮已过期，请重新提问。",
    thanks_up: "谢谢！很高兴能帮到您。",
    thanks_down: "谢谢，整理者会检查这个回答。",
    vote_up: "👍 有帮助",
    vote_down: "👎 没帮助",
    applies_to: "适用于",
    since: "起始于",
    trouble: "抱歉，我这边出了点问题，请稍后再试。",
};

pub fn texts(language: Language) -> &'static Texts {
    if language.is_chinese() { &ZH } else { &EN }
}

/// The interface language for a Telegram user: Chinese when their app is set to Chinese.
pub fn language_of_user(language_code: Option<&str>) -> Language {
    match language_code {
        Some(code) if code.to_ascii_lowercase().starts_with("zh") => Language::Zh,
        _ => Language::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts go into Telegram HTML unescaped: a stray `<`, `>` or `&` would be a parse error at Telegram.
    #[test]
    fn texts_are_valid_html_fragments() {
        for texts in [&EN, &ZH] {
            for text in [
                texts.greeting,
                texts.examples,
                texts.help,
                texts.rules,
                texts.source,
                texts.related,
                texts.corrected,
                texts.declined,
                texts.did_you_mean,
                texts.try_topics,
                texts.topics,
                texts.all_rules,
                texts.no_such_rule,
                texts.rule_usage,
                texts.ask_usage,
                texts.unknown_command,
                texts.not_text,
                texts.stale_button,
                texts.thanks_up,
                texts.thanks_down,
                texts.applies_to,
                texts.since,
                texts.trouble,
            ] {
                let without_tags = text.replace("<b>", "").replace("</b>", "");
                assert!(!without_tags.contains(['<', '>', '&']), "{text}");
            }
        }
    }

    #[test]
    fn chinese_apps_get_chinese() {
        assert_eq!(language_of_user(Some("zh-hans")), Language::Zh);
        assert_eq!(language_of_user(Some("en")), Language::En);
        assert_eq!(language_of_user(None), Language::En);
    }
}
