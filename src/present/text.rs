//! Every sentence faqbot says that does not come from faq/, in English and Chinese: one table, one row per language.
//!
//! Texts are Markdown, rendered through the same walker as answers, so they can be bold in Telegram and in a
//! terminal alike. `{name}` marks a value filled in after rendering (see [`super::Doc::filled`]). A new text is a
//! field here and in each language; a new language is one more `Texts`.

use crate::lang::Language;

/// One of the bot's public commands: what it is called, how it is written in /help, and what it does.
#[derive(Debug, Clone, Copy)]
pub struct CommandText {
    /// The command as Telegram registers it, without the slash.
    pub command: &'static str,
    /// Its description in Telegram's command menu.
    pub menu: &'static str,
    /// Its line in /help, `(usage, what it does)`; `None` for the commands /help does not list.
    pub help: Option<(&'static str, &'static str)>,
}

macro_rules! texts {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// The interface texts of one language.
        #[derive(Debug)]
        pub struct Texts {
            $( $(#[$doc])* pub $name: &'static str, )*
            /// The public commands, in menu order.
            pub commands: [CommandText; 6],
            /// January to December.
            pub months: [&'static str; 12],
        }

        impl Texts {
            /// Every text with its name, for tests that check them all.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                let mut entries = vec![$( (stringify!($name), self.$name), )*];
                for command in &self.commands {
                    entries.push(("commands.menu", command.menu));
                    if let Some((usage, what)) = command.help {
                        entries.push(("commands.help.usage", usage));
                        entries.push(("commands.help", what));
                    }
                }
                entries.extend(self.months.iter().map(|month| ("months", *month)));
                entries
            }
        }
    };
}

texts! {
    /// /start, before the examples.
    greeting,
    examples,
    /// /help, before and after the list of commands.
    help_intro,
    help_outro,
    rules,
    source,
    /// Before typo corrections: "Read as: swich → switch".
    corrected,
    declined,
    /// Above the buttons of a decline.
    did_you_mean,
    /// Above the numbered suggestions of a decline, in `faqbot ask`.
    did_you_mean_list,
    /// Above the numbered runners-up of an answer, in `faqbot ask`.
    related,
    /// A question about a neighbouring topic: `{topic}` is its name; the topic's pointer follows.
    out_of_scope,
    /// Replies to small talk; a greeting and "what can you do?" get the /start text instead.
    social_thanks,
    social_farewell,
    social_acknowledgement,
    /// Heading of a part of a multi-part reply that is not answered.
    part_not_answered,
    /// An operator's term in `faqbot ask`'s footer, kept in English in both languages.
    confidence,
    try_topics,
    topics,
    all_rules,
    no_such_rule,
    rule_usage,
    ask_usage,
    unknown_command,
    not_text,
    stale_button,
    thanks_up,
    thanks_down,
    vote_up,
    vote_down,
    /// The web page and widget (`faqbot serve`): their title, the launcher, the close button, the question
    /// field's label and placeholder, the send button, who said what, waiting, a failed request, and the label
    /// of the 👍/👎 group.
    web_title,
    web_open,
    web_close,
    web_input_label,
    web_placeholder,
    web_send,
    web_you,
    web_bot,
    web_waiting,
    web_failed,
    web_vote_label,
    /// The end of a WeChat reply cut to WeChat's length: `{url}` is the chat page, where the whole answer is.
    wechat_more,
    applies_to,
    /// /rule: "(since 2014-04-15)".
    since,
    /// After a cited rule that has a date: `{date}` is [`Texts::month_year`].
    rule_since,
    /// `{month}` and `{year}` of a date.
    month_year,
    trouble,
    /// Admin replies.
    stats_since_start,
    stats_counts,
    stats_not_logged,
    stats_declined,
    stats_declined_question,
    stats_votes,
    stats_entry_votes,
    unanswered_not_logged,
    unanswered_none,
    unanswered_latest,
    unanswered_detail,
    unanswered_no_nearest,
    reload_swapped,
    reload_unchanged,
    reload_kept_last_good,
    reload_failed,
}

pub const EN: Texts = Texts {
    greeting: "Hello! I answer questions about **WeChat Official Accounts**: subscription and service accounts, verification, fees, international accounts and registration. Every answer cites the account rules behind it.\n\nAsk in your own words, in English or Chinese.",
    examples: "Try one of these:",
    help_intro: "Send me a question and I answer it from a curated FAQ, citing the account rules.",
    help_outro: "In a group, mention me or reply to me. Below each answer, 👍 or 👎 tells the curators whether it helped.",
    rules: "Rules",
    source: "Source",
    corrected: "Read as",
    declined: "Sorry, I don't know the answer to that. I answer questions about WeChat Official Accounts: subscription and service accounts, verification, fees, international accounts and registration.",
    did_you_mean: "Did you mean…",
    did_you_mean_list: "Did you mean:",
    related: "Related:",
    out_of_scope: "That is outside what I cover: **{topic}**.",
    social_thanks: "You're welcome! Ask me anything else about WeChat Official Accounts.",
    social_farewell: "Goodbye! Come back whenever you have a question about WeChat Official Accounts.",
    social_acknowledgement: "Glad to help. Anything else about WeChat Official Accounts?",
    part_not_answered: "I can't answer this part from what I know.",
    confidence: "confidence",
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
    web_title: "Questions about WeChat Official Accounts",
    web_open: "Ask a question",
    web_close: "Close",
    web_input_label: "Your question",
    web_placeholder: "Type your question…",
    web_send: "Send",
    web_you: "You",
    web_bot: "FAQ bot",
    web_waiting: "Looking it up…",
    web_failed: "Sorry, the answer did not arrive. Please try again.",
    web_vote_label: "Was this helpful?",
    wechat_more: "The answer is too long for WeChat. Ask on the web page for all of it: {url}",
    applies_to: "Applies to",
    since: "since",
    rule_since: "(since {date})",
    month_year: "{month} {year}",
    trouble: "Sorry, something went wrong on my side. Please try again in a moment.",
    stats_since_start: "**Since start**",
    stats_counts: "answered {answered}, declined {declined}",
    stats_not_logged: "Declined questions and votes are not logged in this session.",
    stats_declined: "**Declined, all time**: {count}",
    stats_declined_question: "{count} × {question}",
    stats_votes: "**Votes**: 👍 {up}, 👎 {down}",
    stats_entry_votes: "{entry} 👍 {up} 👎 {down}",
    unanswered_not_logged: "Declined questions are not logged in this session.",
    unanswered_none: "No declined questions yet.",
    unanswered_latest: "**Latest {count} declined questions**",
    unanswered_detail: "{time} · nearest {nearest} · confidence {confidence}",
    unanswered_no_nearest: "none",
    reload_swapped: "Reloaded: a new index is serving ({reason}).",
    reload_unchanged: "faq/ has not changed; the index serving is up to date.",
    reload_kept_last_good: "⚠️ **faq/ could not be loaded**: {why}. The last good index keeps serving.",
    reload_failed: "⚠️ **Reload failed**: {why}. The last good index keeps serving.",
    commands: [
        CommandText {
            command: "start",
            menu: "What I know about, with example questions",
            help: None,
        },
        CommandText {
            command: "help",
            menu: "How to ask me things",
            help: None,
        },
        CommandText {
            command: "topics",
            menu: "Every question I can answer",
            help: Some(("/topics", "everything I know about")),
        },
        CommandText {
            command: "rules",
            menu: "The account rules my answers cite",
            help: Some(("/rules", "the account rules")),
        },
        CommandText {
            command: "rule",
            menu: "One account rule: /rule ID",
            help: Some(("/rule ID", "one rule")),
        },
        CommandText {
            command: "ask",
            menu: "Ask a question (in groups): /ask QUESTION",
            help: Some(("/ask QUESTION", "ask in a group")),
        },
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

pub const ZH: Texts = Texts {
    greeting: "您好！我可以回答有关**微信公众号**的问题：订阅号与服务号、认证、费用、国际账号和注册。每个回答都会注明依据的账号规则。\n\n请用中文或英文直接提问。",
    examples: "可以试试这些问题：",
    help_intro: "发送问题给我，我会根据整理好的常见问题回答，并注明依据的账号规则。",
    help_outro: "在群里请提及我或回复我的消息。每个回答下方的 👍 或 👎 会告诉整理者回答是否有帮助。",
    rules: "规则",
    source: "来源",
    corrected: "已理解为",
    declined: "抱歉，这个问题我无法回答。我可以回答有关微信公众号的问题：订阅号与服务号、认证、费用、国际账号和注册。",
    did_you_mean: "您是不是想问：",
    did_you_mean_list: "您是不是想问：",
    related: "相关问题：",
    out_of_scope: "这超出了我能回答的范围：**{topic}**。",
    social_thanks: "不客气！关于微信公众号还有什么想问的，尽管问我。",
    social_farewell: "再见！有微信公众号的问题随时来问。",
    social_acknowledgement: "很高兴能帮上忙。关于微信公众号还有别的问题吗？",
    part_not_answered: "这一部分我无法根据现有内容回答。",
    confidence: "confidence",
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
    web_title: "微信公众号问答",
    web_open: "提问",
    web_close: "关闭",
    web_input_label: "您的问题",
    web_placeholder: "请输入您的问题…",
    web_send: "发送",
    web_you: "您",
    web_bot: "问答机器人",
    web_waiting: "正在查找…",
    web_failed: "抱歉，没有收到回答，请重试。",
    web_vote_label: "这个回答有帮助吗？",
    wechat_more: "回答太长，未能全部显示。完整回答请在网页上提问：{url}",
    applies_to: "适用于",
    since: "起始于",
    rule_since: "（{date}起）",
    month_year: "{year}年{month}",
    trouble: "抱歉，我这边出了点问题，请稍后再试。",
    stats_since_start: "**启动以来**",
    stats_counts: "已回答 {answered}，已拒答 {declined}",
    stats_not_logged: "本次运行不记录拒答的问题和投票。",
    stats_declined: "**拒答总数**：{count}",
    stats_declined_question: "{count} × {question}",
    stats_votes: "**投票**：👍 {up}，👎 {down}",
    stats_entry_votes: "{entry} 👍 {up} 👎 {down}",
    unanswered_not_logged: "本次运行不记录拒答的问题。",
    unanswered_none: "还没有拒答的问题。",
    unanswered_latest: "**最近 {count} 个拒答的问题**",
    unanswered_detail: "{time} · 最接近 {nearest} · 置信度 {confidence}",
    unanswered_no_nearest: "无",
    reload_swapped: "已重新加载：新的索引正在服务（{reason}）。",
    reload_unchanged: "faq/ 没有变化；正在服务的索引是最新的。",
    reload_kept_last_good: "⚠️ **无法加载 faq/**：{why}。上一个正常的索引继续服务。",
    reload_failed: "⚠️ **重新加载失败**：{why}。上一个正常的索引继续服务。",
    commands: [
        CommandText {
            command: "start",
            menu: "我能回答什么，附示例问题",
            help: None,
        },
        CommandText {
            command: "help",
            menu: "如何向我提问",
            help: None,
        },
        CommandText {
            command: "topics",
            menu: "我能回答的所有问题",
            help: Some(("/topics", "我能回答的所有问题")),
        },
        CommandText {
            command: "rules",
            menu: "我的回答所依据的账号规则",
            help: Some(("/rules", "账号规则")),
        },
        CommandText {
            command: "rule",
            menu: "查看一条账号规则：/rule ID",
            help: Some(("/rule ID", "查看一条规则")),
        },
        CommandText {
            command: "ask",
            menu: "提问（在群里）：/ask 问题",
            help: Some(("/ask 问题", "在群里提问")),
        },
    ],
    months: [
        "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
    ],
};

/// Every language's texts.
pub const ALL: [&Texts; 2] = [&EN, &ZH];

pub fn texts(language: Language) -> &'static Texts {
    if language.is_chinese() { &ZH } else { &EN }
}

impl Texts {
    /// /help: the introduction, one line per command it lists, the closing advice.
    pub fn help(&self) -> super::Doc {
        let mut doc = super::Doc::new();
        doc.markdown(self.help_intro).text("\n");
        for (usage, what) in self.commands.iter().filter_map(|command| command.help) {
            doc.text("\n").markdown(usage).text(" – ").markdown(what);
        }
        doc.text("\n\n").markdown(self.help_outro);
        doc
    }

    /// A rule's `since` date (`2014-04-15`) as "April 2014", or as written when it is not a date.
    pub fn month_and_year(&self, date: &str) -> String {
        let parsed = date.parse::<jiff::civil::Date>().ok();
        let month = parsed.and_then(|d| usize::try_from(d.month()).ok()?.checked_sub(1));
        match (parsed, month.and_then(|m| self.months.get(m))) {
            (Some(date), Some(month)) => self
                .month_year
                .replace("{month}", month)
                .replace("{year}", &date.year().to_string()),
            _ => date.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_the_commands_between_its_advice() {
        assert_eq!(
            EN.help().html(),
            "Send me a question and I answer it from a curated FAQ, citing the account rules.\n\n/topics – everything I know about\n/rules – the account rules\n/rule ID – one rule\n/ask QUESTION – ask in a group\n\nIn a group, mention me or reply to me. Below each answer, 👍 or 👎 tells the curators whether it helped."
        );
    }

    #[test]
    fn dates_read_as_month_and_year() {
        assert_eq!(EN.month_and_year("2014-04-15"), "April 2014");
        assert_eq!(ZH.month_and_year("2014-04-15"), "2014年4月");
        assert_eq!(EN.month_and_year("spring"), "spring");
    }

    #[test]
    fn every_language_has_every_text() {
        let names = |texts: &Texts| texts.entries().iter().map(|(name, _)| *name).collect::<Vec<_>>();
        for texts in ALL {
            assert_eq!(names(texts), names(&EN));
            for (name, text) in texts.entries() {
                assert!(!text.trim().is_empty(), "{name} is empty");
            }
            let commands: Vec<&str> = texts.commands.iter().map(|c| c.command).collect();
            assert_eq!(commands, EN.commands.map(|c| c.command));
        }
    }
}
