//! Synthetic knowledge bases for benchmarks at scale: realistic faq/ folders of any size and a question set with the
//! entries each question expects, identical bytes for a given seed on every platform and version.
//!
//! Entries combine an action, a feature, an account type, a business and a country (drawn Zipf-like, so term
//! statistics resemble a real FAQ: a few words everywhere, a long tail of rare ones), phrased by 3 to 8 question
//! templates; about 15% also have Chinese questions and a Chinese answer. The questions paraphrase entry questions
//! (dropped and swapped words, synonyms, typos), some in Chinese, some out of domain (expecting a decline).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use thiserror::Error;

use faqbot::curate::entry_file::{self, inline_array, toml_string};
use faqbot::eval::Case;
use faqbot::faq::entry::normalize_question;
use faqbot::faq::{AccountKind, Entry, Problems, Severity};
use faqbot::faq::{RULES_FILE, SYNONYMS_FILE};
use faqbot::lang::Language;

/// The seed the benchmarks use unless told otherwise.
pub const DEFAULT_SEED: u64 = 20_261_123;
/// The most entries a corpus can have: no more than a third of the distinct topics, so new ones stay quick to draw.
pub const MAX_ENTRIES: usize = 500_000;
const _: () = assert!(MAX_ENTRIES * 3 <= ACTIONS.len() * FEATURES.len() * BUSINESSES.len() * COUNTRIES.len());
/// Size of the fixed question set the latency figures are measured over.
pub const DEFAULT_QUESTIONS: usize = 1_000;

/// Share of entries (in percent) that also have Chinese questions and a Chinese answer.
const CHINESE_ENTRY_PERCENT: u64 = 15;
/// Shares of the question set, in percent: Chinese paraphrases and out-of-domain questions; the rest are English.
const CHINESE_QUESTION_PERCENT: u64 = 12;
const OUT_OF_DOMAIN_PERCENT: u64 = 13;

#[derive(Debug, Error)]
pub enum SynthError {
    #[error("{}: the folder is not empty; generate into a new folder or remove this one first", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: cannot write", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// splitmix64: tiny, fast, and fully specified, so that a seed means the same corpus everywhere (no `rand`, whose
/// streams may change between versions).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the modulo bias is below 2^-50 for the small `n` used here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A term in English and Simplified Chinese.
type Term = (&'static str, &'static str);

/// Ranks `0..size` of a word list drawn with weights 1/rank (Zipf's law), in integer arithmetic so that draws are
/// exact.
struct Vocabulary {
    cumulative: Vec<u64>,
}

impl Vocabulary {
    fn new(size: usize) -> Self {
        let mut total = 0;
        let cumulative = (1..=size as u64)
            .map(|rank| {
                total += 1_000_000_000 / rank;
                total
            })
            .collect();
        Self { cumulative }
    }

    fn zipf(&self, rng: &mut SplitMix64) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let target = rng.next_u64() % total;
        self.cumulative.partition_point(|&c| c <= target)
    }

    fn uniform(&self, rng: &mut SplitMix64) -> usize {
        rng.below(self.cumulative.len())
    }
}

/// How many business names there are: the long tail of rare words that real FAQs at scale have (product, shop and
/// place names), next to the few hundred words of the lists below.
const BRANDS: usize = 20_000;
const BRAND_SYLLABLES: &[&str] = &[
    "al", "ber", "cor", "dan", "el", "fi", "gor", "hal", "is", "jun", "ka", "lor", "mi", "nor", "o", "pra", "qui",
    "ros", "sa", "tor", "u", "vel", "wen", "xi", "yo", "zan", "bri", "cla", "dro", "fen", "gla", "kri", "lum", "mar",
    "nex", "ori", "pel", "rin", "sol", "tam", "ul", "vin", "wy", "zor", "ant", "eko", "ivo", "una",
];

/// The invented business name of a rank: two syllables for the first 2,304, three after.
fn brand_name(rank: usize) -> String {
    let n = BRAND_SYLLABLES.len();
    let syllables = if rank < n * n {
        vec![rank / n, rank % n]
    } else {
        let rest = rank - n * n;
        vec![rest / (n * n) % n, rest / n % n, rest % n]
    };
    capitalize(&syllables.into_iter().map(|i| BRAND_SYLLABLES[i]).collect::<String>())
}

const ACTIONS: &[Term] = &[
    ("set up", "设置"),
    ("change", "修改"),
    ("delete", "删除"),
    ("enable", "开通"),
    ("turn off", "关闭"),
    ("verify", "验证"),
    ("transfer", "迁移"),
    ("recover", "找回"),
    ("bind", "绑定"),
    ("unbind", "解绑"),
    ("publish", "发布"),
    ("edit", "编辑"),
    ("export", "导出"),
    ("import", "导入"),
    ("renew", "续费"),
    ("cancel", "取消"),
    ("upgrade", "升级"),
    ("test", "测试"),
    ("share", "分享"),
    ("schedule", "预约"),
    ("restore", "恢复"),
    ("hide", "隐藏"),
    ("reset", "重置"),
    ("pin", "置顶"),
    ("localize", "本地化"),
    ("audit", "核查"),
];

const FEATURES: &[Term] = &[
    ("custom menu", "自定义菜单"),
    ("auto reply", "自动回复"),
    ("mini program", "小程序"),
    ("payment", "支付"),
    ("coupon", "优惠券"),
    ("membership card", "会员卡"),
    ("qr code", "二维码"),
    ("article", "文章"),
    ("video", "视频"),
    ("live stream", "直播"),
    ("template message", "模板消息"),
    ("chat support", "在线客服"),
    ("web page", "网页"),
    ("login", "登录"),
    ("password", "密码"),
    ("admin", "管理员"),
    ("follower", "粉丝"),
    ("comment", "留言"),
    ("tag", "标签"),
    ("analytics", "数据分析"),
    ("invoice", "发票"),
    ("refund", "退款"),
    ("shop", "小店"),
    ("product listing", "商品"),
    ("order", "订单"),
    ("shipping", "物流"),
    ("trademark", "商标"),
    ("nickname", "名称"),
    ("avatar", "头像"),
    ("description", "简介"),
    ("domain", "域名"),
    ("server", "服务器"),
    ("token", "令牌"),
    ("certificate", "证书"),
    ("subscription message", "订阅消息"),
    ("poll", "投票"),
    ("survey", "问卷"),
    ("tip jar", "赞赏"),
    ("advertising", "广告"),
    ("banner", "横幅"),
    ("keyword", "关键词"),
    ("search ranking", "搜索排名"),
    ("location", "位置"),
    ("map", "地图"),
    ("hotline", "客服电话"),
    ("mailbox", "邮箱"),
    ("phone number", "手机号"),
    ("bank account", "银行账户"),
    ("contract", "合同"),
    ("operator", "运营者"),
    ("plugin", "插件"),
    ("translation", "翻译"),
    ("draft", "草稿"),
    ("quota", "额度"),
    ("badge", "标识"),
    ("appeal", "申诉"),
    ("penalty", "处罚"),
    ("giveaway", "抽奖"),
    ("webhook", "回调"),
    ("whitelist", "白名单"),
];

const ACCOUNTS: &[Term] = &[
    ("service account", "服务号"),
    ("subscription account", "订阅号"),
    ("verified account", "认证账号"),
    ("personal account", "个人账号"),
    ("enterprise account", "企业号"),
    ("test account", "测试号"),
];

const BUSINESSES: &[Term] = &[
    ("restaurant", "餐厅"),
    ("hotel", "酒店"),
    ("school", "学校"),
    ("clinic", "诊所"),
    ("bakery", "面包店"),
    ("bookstore", "书店"),
    ("law firm", "律所"),
    ("gym", "健身房"),
    ("travel agency", "旅行社"),
    ("online store", "网店"),
    ("university", "大学"),
    ("hospital", "医院"),
    ("museum", "博物馆"),
    ("charity", "慈善机构"),
    ("startup", "创业公司"),
    ("factory", "工厂"),
    ("hair salon", "美发店"),
    ("cafe", "咖啡馆"),
    ("bank", "银行"),
    ("airline", "航空公司"),
    ("estate agent", "房产中介"),
    ("car dealer", "汽车经销商"),
    ("pharmacy", "药店"),
    ("kindergarten", "幼儿园"),
    ("design studio", "设计工作室"),
    ("media company", "媒体公司"),
    ("game developer", "游戏开发商"),
    ("fashion brand", "时尚品牌"),
    ("tea house", "茶馆"),
    ("language school", "语言学校"),
    ("winery", "酒庄"),
    ("cinema", "电影院"),
];

const COUNTRIES: &[Term] = &[
    ("Germany", "德国"),
    ("France", "法国"),
    ("Japan", "日本"),
    ("Singapore", "新加坡"),
    ("Australia", "澳大利亚"),
    ("Canada", "加拿大"),
    ("Brazil", "巴西"),
    ("India", "印度"),
    ("Italy", "意大利"),
    ("Spain", "西班牙"),
    ("the Netherlands", "荷兰"),
    ("Sweden", "瑞典"),
    ("Korea", "韩国"),
    ("Malaysia", "马来西亚"),
    ("Thailand", "泰国"),
    ("Vietnam", "越南"),
    ("the UK", "英国"),
    ("the US", "美国"),
    ("Mexico", "墨西哥"),
    ("Kenya", "肯尼亚"),
    ("Egypt", "埃及"),
    ("Turkey", "土耳其"),
    ("Poland", "波兰"),
    ("Norway", "挪威"),
    ("Chile", "智利"),
    ("Argentina", "阿根廷"),
    ("New Zealand", "新西兰"),
    ("Ireland", "爱尔兰"),
    ("Switzerland", "瑞士"),
    ("Hong Kong", "香港"),
    ("Macau", "澳门"),
    ("Indonesia", "印度尼西亚"),
    ("the Philippines", "菲律宾"),
    ("Portugal", "葡萄牙"),
    ("Austria", "奥地利"),
    ("Belgium", "比利时"),
    ("Denmark", "丹麦"),
    ("Finland", "芬兰"),
    ("Greece", "希腊"),
    ("Peru", "秘鲁"),
];

const CONDITIONS: &[Term] = &[
    ("after verification", "认证后"),
    ("on mobile", "在手机上"),
    ("for several admins", "给多个管理员"),
    ("without a business licence", "没有营业执照时"),
    ("before the annual review", "在年审前"),
    ("in bulk", "批量"),
    ("for free", "免费"),
    ("a second time", "第二次"),
    ("automatically", "自动"),
    ("from abroad", "从海外"),
    ("during the review", "审核期间"),
    ("with a foreign passport", "用外国护照"),
];

/// Query-time synonyms written to synonyms.toml; the question set swaps the first term for another.
const SYNONYM_GROUPS: &[&[&str]] = &[
    &["set up", "configure", "设置", "配置"],
    &["delete", "remove", "删除"],
    &["change", "modify", "修改", "更改"],
    &["refund", "reimbursement", "退款"],
    &["shop", "store", "小店"],
    &["follower", "fan", "subscriber", "粉丝"],
    &["admin", "administrator", "管理员"],
    &["live stream", "livestream", "直播"],
    &["online store", "web shop", "网店"],
    &["qr code", "barcode", "二维码"],
    &["service account", "服务号"],
    &["subscription account", "订阅号"],
    &["enable", "activate", "turn on", "开通"],
    &["restaurant", "eatery", "餐厅"],
];

const EN_QUESTIONS: &[&str] = &[
    "How do I {action} the {feature} of my {account} for our {business} in {country}?",
    "Can a {business} in {country} {action} its {feature} {condition}?",
    "{action} {feature} {business} {country}",
    "Why can't {brand}, our {business} from {country}, {action} the {feature}?",
    "Is it possible to {action} the {feature} {condition} for a {business} based in {country}?",
    "We run a {business} called {brand} in {country}: how can we {action} our {feature} on a {account}?",
    "What happens if a {business} in {country} tries to {action} the {feature} {condition}?",
    "steps to {action} {feature} for a {business} in {country}",
    "Does a {account} let a {business} in {country} {action} its {feature}?",
    "{feature} {action} problem for {brand} {business} in {country}",
    "Who is allowed to {action} the {feature} of a {business} account registered in {country}?",
    "How long does it take {brand} ({business}, {country}) to {action} the {feature}?",
];

const ZH_QUESTIONS: &[&str] = &[
    "{country}的{business}怎么{action}{account}的{feature}？",
    "我们是{country}的{business}{brand}，能{condition}{action}{feature}吗？",
    "{country}{business}{action}{feature}",
    "为什么{country}的{business}{brand}无法{action}{feature}？",
    "{country}的{business}{action}{feature}需要多久？",
];

const EN_ANSWERS: &[&str] = &[
    "A {business} in {country} can {action} the {feature} from the admin console of its {account}.",
    "This works {condition} as long as the account owner confirms the change by scanning a QR code.",
    "The {feature} usually updates within {hours} hours; followers see the old version until then.",
    "If the {feature} is locked, file an appeal with the documents of {brand} and try again after {days} days.",
    "Only an administrator bound to the account can {action} the {feature}; operators need to be invited first.",
    "Accounts registered in {country} follow the same steps, but the review may ask for a translated licence.",
];

const ZH_ANSWERS: &[&str] = &[
    "{country}的{business}可以在{account}的管理后台{action}{feature}。",
    "只要账号主体扫码确认，{condition}也可以操作。",
    "{feature}通常在{hours}小时内生效，在此之前粉丝看到的仍是旧版本。",
    "如果{feature}被锁定，请提交{brand}的证明材料申诉，{days}天后再试。",
];

const RULE_STATEMENTS: &[(&str, &str)] = &[
    (
        "A {account} may {action} its {feature} at most {n} times per month.",
        "{account}每月最多可{action}{feature}{n}次。",
    ),
    (
        "Only the administrator bound to the account can {action} the {feature}.",
        "只有绑定账号的管理员才能{action}{feature}。",
    ),
    (
        "Changes to the {feature} are reviewed within {n} working days.",
        "{feature}的修改会在{n}个工作日内完成审核。",
    ),
    (
        "Accounts registered outside mainland China need a verified {account} to {action} the {feature}.",
        "在中国大陆以外注册的账号需要认证的{account}才能{action}{feature}。",
    ),
];

const OUT_OF_DOMAIN: &[&str] = &[
    "What is the best {food} recipe for a {holiday} dinner?",
    "How do I fix a leaking {appliance} at home?",
    "Who won the {sport} match last night?",
    "Is it going to rain in {city} tomorrow?",
    "Can you recommend a good {genre} novel?",
    "How many calories are in a {food}?",
    "{city}明天天气怎么样？",
    "怎么做{food_zh}最好吃？",
];

const FOODS: &[&str] = &[
    "lasagna",
    "pumpkin pie",
    "dumpling",
    "paella",
    "curry",
    "pancake",
    "burrito",
];
const HOLIDAYS: &[&str] = &["Christmas", "Thanksgiving", "New Year", "Easter", "birthday"];
const APPLIANCES: &[&str] = &["dishwasher", "washing machine", "faucet", "radiator", "fridge"];
const SPORTS: &[&str] = &["football", "basketball", "tennis", "cricket", "hockey"];
const CITIES: &[&str] = &["Berlin", "Lagos", "Lima", "Osaka", "Oslo", "北京", "上海"];
const GENRES: &[&str] = &["mystery", "science fiction", "fantasy", "romance", "history"];
const FOODS_ZH: &[&str] = &["红烧肉", "饺子", "宫保鸡丁", "糖醋排骨", "麻婆豆腐"];

const EN_PREFIXES: &[&str] = &["hi, ", "quick question: ", "please help - ", "hello! ", ""];
const ZH_PREFIXES: &[&str] = &["请问", "你好，", "急！", ""];

/// One generated entry's substance: the combination of terms it is about, which no other entry shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Topic {
    action: usize,
    feature: usize,
    account: usize,
    business: usize,
    country: usize,
    condition: usize,
    brand: usize,
}

impl Topic {
    /// What makes two topics different entries; account and condition only vary the wording.
    fn key(&self) -> (usize, usize, usize, usize) {
        (self.action, self.feature, self.business, self.country)
    }

    fn fill(&self, template: &str, language: Language, extra: &[(&str, String)]) -> String {
        let term = |list: &[Term], i: usize| match language {
            Language::En => list[i].0,
            Language::Zh => list[i].1,
        };
        let mut text = template
            .replace("{action}", term(ACTIONS, self.action))
            .replace("{feature}", term(FEATURES, self.feature))
            .replace("{account}", term(ACCOUNTS, self.account))
            .replace("{business}", term(BUSINESSES, self.business))
            .replace("{country}", term(COUNTRIES, self.country))
            .replace("{condition}", term(CONDITIONS, self.condition))
            .replace("{brand}", &brand_name(self.brand));
        for (name, value) in extra {
            text = text.replace(name, value);
        }
        text
    }
}

#[derive(Debug, Clone)]
pub struct SynthRule {
    pub id: String,
    pub statement: String,
    pub statement_zh: String,
    pub applies_to: Vec<&'static str>,
}

/// A whole synthetic knowledge base, ready to write.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub seed: u64,
    pub entries: Vec<Entry>,
    pub rules: Vec<SynthRule>,
}

/// How many rules a corpus of `entries` cites: real catalogues grow much slower than the FAQ that cites them.
fn rule_count(entries: usize) -> usize {
    ((entries as f64).sqrt() * 2.0).round().clamp(4.0, 1_000.0) as usize
}

/// Generates `entries` entries (at least one, at most [`MAX_ENTRIES`]) and their rules catalogue from `seed`.
pub fn generate(entries: usize, seed: u64) -> Corpus {
    let entries = entries.clamp(1, MAX_ENTRIES);
    let mut rng = SplitMix64::new(seed);
    let vocabularies = [
        Vocabulary::new(ACTIONS.len()),
        Vocabulary::new(FEATURES.len()),
        Vocabulary::new(ACCOUNTS.len()),
        Vocabulary::new(BUSINESSES.len()),
        Vocabulary::new(COUNTRIES.len()),
        Vocabulary::new(CONDITIONS.len()),
        Vocabulary::new(BRANDS),
    ];
    let rules = generate_rules(rule_count(entries), &mut rng);
    let mut taken_topics = HashSet::new();
    let mut taken_questions = HashSet::new();
    let mut generated = Vec::with_capacity(entries);
    for number in 0..entries {
        let topic = draw_topic(&vocabularies, &mut taken_topics, &mut rng);
        generated.push(generate_entry(number, topic, &rules, &mut taken_questions, &mut rng));
    }
    Corpus {
        seed,
        entries: generated,
        rules,
    }
}

/// A topic no entry has yet: Zipf-like draws first, then uniform ones once the popular combinations run out.
fn draw_topic(
    vocabularies: &[Vocabulary; 7],
    taken: &mut HashSet<(usize, usize, usize, usize)>,
    rng: &mut SplitMix64,
) -> Topic {
    for attempt in 0.. {
        let draw = |v: &Vocabulary, rng: &mut SplitMix64| {
            if attempt < 20 { v.zipf(rng) } else { v.uniform(rng) }
        };
        let topic = Topic {
            action: draw(&vocabularies[0], rng),
            feature: draw(&vocabularies[1], rng),
            account: draw(&vocabularies[2], rng),
            business: draw(&vocabularies[3], rng),
            country: draw(&vocabularies[4], rng),
            condition: draw(&vocabularies[5], rng),
            brand: draw(&vocabularies[6], rng),
        };
        if taken.insert(topic.key()) {
            return topic;
        }
    }
    unreachable!("the loop above only ends by returning")
}

fn generate_rules(count: usize, rng: &mut SplitMix64) -> Vec<SynthRule> {
    (0..count)
        .map(|number| {
            let topic = Topic {
                action: rng.below(ACTIONS.len()),
                feature: rng.below(FEATURES.len()),
                account: rng.below(ACCOUNTS.len()),
                business: 0,
                country: 0,
                condition: 0,
                brand: 0,
            };
            let (statement, statement_zh) = *rng.pick(RULE_STATEMENTS);
            let n = [("{n}", (2 + rng.below(29)).to_string())];
            let mut applies_to: Vec<&'static str> =
                (0..1 + rng.below(3)).map(|_| *rng.pick(&AccountKind::NAMES)).collect();
            applies_to.sort_unstable();
            applies_to.dedup();
            SynthRule {
                id: format!(
                    "{}-{}-{number}",
                    slug(FEATURES[topic.feature].0),
                    slug(ACTIONS[topic.action].0)
                ),
                statement: topic.fill(statement, Language::En, &n),
                statement_zh: topic.fill(statement_zh, Language::Zh, &n),
                applies_to,
            }
        })
        .collect()
}

fn generate_entry(
    number: usize,
    topic: Topic,
    rules: &[SynthRule],
    taken_questions: &mut HashSet<String>,
    rng: &mut SplitMix64,
) -> Entry {
    let chinese = rng.chance(CHINESE_ENTRY_PERCENT);
    let wanted = 3 + rng.below(6);
    let (english, zh) = if chinese {
        let zh = 2 + rng.below(wanted - 2);
        (wanted - zh, zh)
    } else {
        (wanted, 0)
    };
    let mut questions = Vec::with_capacity(wanted);
    for (templates, count, language) in [(EN_QUESTIONS, english, Language::En), (ZH_QUESTIONS, zh, Language::Zh)] {
        for template in choose(templates, count, rng) {
            let question = topic.fill(template, language, &[]);
            // Every template names the whole topic, so a clash needs two topics whose words run together alike;
            // the checker refuses a question in two entries, so the later one goes without it.
            if taken_questions.insert(normalize_question(&question)) {
                questions.push(question);
            }
        }
    }
    let extra = [
        ("{hours}", (1 + rng.below(72)).to_string()),
        ("{days}", (3 + rng.below(27)).to_string()),
    ];
    let answer = choose(EN_ANSWERS, 2 + rng.below(3), rng)
        .into_iter()
        .map(|s| capitalize(&topic.fill(s, Language::En, &extra)))
        .collect::<Vec<_>>()
        .join(" ");
    let answer_zh = chinese.then(|| {
        choose(ZH_ANSWERS, 2 + rng.below(2), rng)
            .into_iter()
            .map(|s| topic.fill(s, Language::Zh, &extra))
            .collect::<String>()
    });
    // Every rule is cited at least once (an uncited rule is a warning in `faqbot check`).
    let mut cited = vec![rules[number % rules.len()].id.clone()];
    for _ in 0..rng.below(3) {
        let rule = &rng.pick(rules).id;
        if !cited.contains(rule) {
            cited.push(rule.clone());
        }
    }
    let mut tags = vec![
        FEATURES[topic.feature].0.to_string(),
        ACTIONS[topic.action].0.to_string(),
    ];
    if chinese {
        tags.push(FEATURES[topic.feature].1.to_string());
    }
    Entry {
        id: format!(
            "{}-{}-{number}",
            slug(ACTIONS[topic.action].0),
            slug(FEATURES[topic.feature].0)
        ),
        questions,
        rules: cited,
        tags,
        source: format!("Synthetic thread {}, comment {}", 1 + rng.below(500), 1 + rng.below(80)),
        reviewed: format!(
            "202{}-{:02}-{:02}",
            4 + rng.below(3),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        answer,
        answer_zh,
        lines: Default::default(),
    }
}

/// `count` distinct items of `items` in random order (all of them when there are fewer).
fn choose<'a>(items: &[&'a str], count: usize, rng: &mut SplitMix64) -> Vec<&'a str> {
    let mut pool = items.to_vec();
    // Fisher–Yates, stopped after `count` positions.
    let count = count.min(pool.len());
    for i in 0..count {
        let j = i + rng.below(pool.len() - i);
        pool.swap(i, j);
    }
    pool.truncate(count);
    pool
}

fn slug(text: &str) -> String {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl Corpus {
    /// rules.toml for the corpus.
    pub fn rules_file(&self) -> String {
        let mut text = format!(
            "# Synthetic rules catalogue (faqbot-synth generate, seed {}).\n",
            self.seed
        );
        for rule in &self.rules {
            let _ = write!(
                text,
                "\n[[rule]]\nid = {}\nstatement = {}\nstatement_zh = {}\napplies_to = {}\nsource = \"Synthetic rules catalogue\"\n",
                toml_string(&rule.id),
                toml_string(&rule.statement),
                toml_string(&rule.statement_zh),
                inline_array(&rule.applies_to)
            );
        }
        text
    }

    /// synonyms.toml for the corpus.
    pub fn synonyms_file(&self) -> String {
        let mut text = String::from("# Synthetic synonym groups (faqbot-synth generate).\n");
        for group in SYNONYM_GROUPS {
            let _ = write!(text, "\n[[group]]\nterms = {}\n", inline_array(group));
        }
        text
    }

    /// Writes the knowledge base into `dir`, which must be new or empty so that no stale entry joins the corpus.
    pub fn write_faq(&self, dir: &Path) -> Result<(), SynthError> {
        let write_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SynthError::Write { path, source }
        };
        if let Ok(mut items) = std::fs::read_dir(dir)
            && items.next().is_some()
        {
            return Err(SynthError::NotEmpty(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(write_error(dir))?;
        let rules = dir.join(RULES_FILE);
        std::fs::write(&rules, self.rules_file()).map_err(write_error(&rules))?;
        let synonyms = dir.join(SYNONYMS_FILE);
        std::fs::write(&synonyms, self.synonyms_file()).map_err(write_error(&synonyms))?;
        for entry in &self.entries {
            let path = dir.join(format!("{}.md", entry.id));
            std::fs::write(&path, entry_file::render(entry)).map_err(write_error(&path))?;
        }
        Ok(())
    }

    /// `count` questions with the entries they expect: paraphrases of entry questions (some Chinese) and
    /// out-of-domain questions that expect a decline. Drawn from their own stream so that the set does not change
    /// when only its size does.
    pub fn questions(&self, count: usize, seed: u64) -> Vec<Case> {
        let mut rng = SplitMix64::new(seed ^ 0x5155_4553_5449_4f4e);
        let chinese_entries: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.questions.iter().any(|q| faqbot::lang::is_chinese(q)))
            .collect();
        (0..count)
            .map(|_| {
                let roll = rng.below(100) as u64;
                if roll < OUT_OF_DOMAIN_PERCENT {
                    return Case::new(out_of_domain(&mut rng), Vec::new());
                }
                let chinese = roll < OUT_OF_DOMAIN_PERCENT + CHINESE_QUESTION_PERCENT && !chinese_entries.is_empty();
                let entry = if chinese {
                    *rng.pick(&chinese_entries)
                } else {
                    rng.pick(&self.entries)
                };
                let phrasings: Vec<&String> = entry
                    .questions
                    .iter()
                    .filter(|q| faqbot::lang::is_chinese(q) == chinese)
                    .collect();
                let q = match phrasings.as_slice() {
                    [] => entry.questions[0].clone(),
                    some => {
                        let original = *rng.pick(some);
                        if chinese {
                            paraphrase_chinese(original, &mut rng)
                        } else {
                            paraphrase_english(original, &mut rng)
                        }
                    }
                };
                Case::new(q, vec![entry.id.clone()])
            })
            .collect()
    }
}

/// What loading a generated folder must not find, as `faqbot check` prints it: its errors and warnings. Notices
/// (fewer phrasings than faq/README.md asks for, no Chinese) are expected of synthetic entries.
pub fn unexpected_problems(problems: &Problems) -> Vec<String> {
    problems
        .iter()
        .filter(|p| p.severity != Severity::Notice)
        .map(ToString::to_string)
        .collect()
}

/// Writes questions as JSON Lines in the format of tests/eval/questions.jsonl.
pub fn write_questions(path: &Path, cases: &[Case]) -> Result<(), SynthError> {
    let write_error = |source| SynthError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut text = Vec::new();
    for case in cases {
        serde_json::to_writer(&mut text, case).map_err(|e| write_error(e.into()))?;
        text.push(b'\n');
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(write_error)?;
    }
    let mut file = std::fs::File::create(path).map_err(write_error)?;
    file.write_all(&text).map_err(write_error)
}

/// A user's rewording: another synonym, a dropped or swapped word, a typo, lower case, a greeting.
fn paraphrase_english(question: &str, rng: &mut SplitMix64) -> String {
    let mut text = question.to_string();
    if rng.chance(50) {
        for group in SYNONYM_GROUPS {
            let english: Vec<&str> = group.iter().copied().filter(|t| t.is_ascii()).collect();
            if english.len() >= 2 && text.contains(english[0]) {
                text = text.replacen(english[0], english[1 + rng.below(english.len() - 1)], 1);
                break;
            }
        }
    }
    let mut words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches(['?', ':', ',']).to_string())
        .collect();
    for _ in 0..rng.below(3) {
        if words.len() > 5 {
            words.remove(rng.below(words.len()));
        }
    }
    if rng.chance(40) && words.len() > 2 {
        let i = rng.below(words.len() - 1);
        words.swap(i, i + 1);
    }
    if rng.chance(15) {
        let long: Vec<usize> = (0..words.len()).filter(|&i| words[i].len() >= 6).collect();
        if !long.is_empty() {
            let word = &mut words[*rng.pick(&long)];
            let mut chars: Vec<char> = word.chars().collect();
            let at = 1 + rng.below(chars.len() - 3);
            chars.swap(at, at + 1);
            *word = chars.into_iter().collect();
        }
    }
    let mut text = format!("{}{}", rng.pick(EN_PREFIXES), words.join(" "));
    if rng.chance(50) {
        text = text.to_lowercase();
    }
    if rng.chance(50) {
        text.push('?');
    }
    text
}

fn paraphrase_chinese(question: &str, rng: &mut SplitMix64) -> String {
    let mut text = question.trim_end_matches(['？', '?']).to_string();
    if rng.chance(50) {
        for group in SYNONYM_GROUPS {
            let chinese: Vec<&str> = group.iter().copied().filter(|t| !t.is_ascii()).collect();
            if chinese.len() >= 2 && text.contains(chinese[0]) {
                text = text.replacen(chinese[0], chinese[1], 1);
                break;
            }
        }
    }
    if let Some((first, second)) = text.split_once('，')
        && rng.chance(40)
    {
        text = format!("{second}，{first}");
    }
    let mut text = format!("{}{text}", rng.pick(ZH_PREFIXES));
    if rng.chance(60) {
        text.push('？');
    }
    text
}

fn word(rng: &mut SplitMix64, words: &[&'static str]) -> &'static str {
    words[rng.below(words.len())]
}

fn out_of_domain(rng: &mut SplitMix64) -> String {
    let template = *rng.pick(OUT_OF_DOMAIN);
    template
        .replace("{food}", word(rng, FOODS))
        .replace("{holiday}", word(rng, HOLIDAYS))
        .replace("{appliance}", word(rng, APPLIANCES))
        .replace("{sport}", word(rng, SPORTS))
        .replace("{city}", word(rng, CITIES))
        .replace("{genre}", word(rng, GENRES))
        .replace("{food_zh}", word(rng, FOODS_ZH))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faqbot::faq::KnowledgeBase;

    fn folder_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .expect("list")
            .map(|item| {
                let path = item.expect("item").path();
                let name = path.file_name().expect("name").to_string_lossy().into_owned();
                (name, std::fs::read(&path).expect("read"))
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn splitmix64_matches_the_reference_stream() {
        // First outputs for seed 1234567 from the reference implementation (Vigna, splitmix64.c).
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn the_same_seed_writes_the_same_bytes() {
        let (a, b) = (tempfile::tempdir().expect("a"), tempfile::tempdir().expect("b"));
        generate(60, 7).write_faq(a.path()).expect("write a");
        generate(60, 7).write_faq(b.path()).expect("write b");
        let first = folder_bytes(a.path());
        assert_eq!(first.len(), 62, "60 entries, rules.toml and synonyms.toml");
        assert!(first == folder_bytes(b.path()), "two runs with seed 7 differ");
        let questions = |seed| generate(60, 7).questions(40, seed);
        assert_eq!(questions(7), questions(7));

        let c = tempfile::tempdir().expect("c");
        generate(60, 8).write_faq(c.path()).expect("write c");
        assert!(first != folder_bytes(c.path()), "another seed gives the same corpus");
    }

    #[test]
    fn the_generated_folder_loads_with_no_problems() {
        let dir = tempfile::tempdir().expect("dir");
        let corpus = generate(50, DEFAULT_SEED);
        corpus.write_faq(dir.path()).expect("write");
        let loaded = KnowledgeBase::load(dir.path()).expect("load");
        let problems = unexpected_problems(&loaded.problems);
        assert!(problems.is_empty(), "{problems:#?}");
        let kb = loaded.knowledge_base;
        assert_eq!(kb.entries.len(), 50);
        assert_eq!(kb.rules.len(), corpus.rules.len());
        assert_eq!(kb.synonyms.len(), SYNONYM_GROUPS.len());
        for entry in &kb.entries {
            assert!(
                (3..=8).contains(&entry.questions.len()),
                "{}: {:?}",
                entry.id,
                entry.questions
            );
        }
        let chinese = kb.entries.iter().filter(|e| e.answer_zh.is_some()).count();
        assert!(
            (2..=20).contains(&chinese),
            "{chinese} of 50 entries have a Chinese answer"
        );
    }

    #[test]
    fn questions_expect_generated_entries_and_mix_languages_and_declines() {
        let corpus = generate(200, DEFAULT_SEED);
        let ids: HashSet<&str> = corpus.entries.iter().map(|e| e.id.as_str()).collect();
        let cases = corpus.questions(DEFAULT_QUESTIONS, DEFAULT_SEED);
        assert_eq!(cases.len(), DEFAULT_QUESTIONS);
        let declines = cases.iter().filter(|c| c.expect.is_empty()).count();
        let chinese = cases.iter().filter(|c| faqbot::lang::is_chinese(&c.q)).count();
        assert!((80..=200).contains(&declines), "{declines} out-of-domain questions");
        assert!((80..=200).contains(&chinese), "{chinese} Chinese questions");
        for case in &cases {
            assert!(case.expect.iter().all(|id| ids.contains(id.as_str())), "{case:?}");
            assert!(!case.q.trim().is_empty());
        }
        let distinct: HashSet<&str> = cases.iter().map(|c| c.q.as_str()).collect();
        assert!(distinct.len() > 800, "only {} distinct questions", distinct.len());
    }

    #[test]
    fn written_questions_read_back_as_an_evaluation_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sub/questions.jsonl");
        let cases = generate(20, 1).questions(30, 1);
        write_questions(&path, &cases).expect("write");
        let read = faqbot::eval::read_cases(&path).expect("read");
        assert_eq!(read.len(), 30);
        assert_eq!(read[3].q, cases[3].q);
        assert_eq!(read[3].expect, cases[3].expect);
    }

    #[test]
    fn refuses_a_folder_that_is_not_empty() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("old.md"), "x").expect("write");
        let error = generate(5, 1).write_faq(dir.path()).expect_err("not empty");
        assert!(error.to_string().contains("is not empty"), "{error}");
    }

    #[test]
    fn zipf_draws_favour_the_first_terms() {
        let vocabulary = Vocabulary::new(FEATURES.len());
        let mut rng = SplitMix64::new(3);
        let mut counts = vec![0usize; FEATURES.len()];
        for _ in 0..20_000 {
            counts[vocabulary.zipf(&mut rng)] += 1;
        }
        assert!(counts[0] > 3 * counts[9], "{counts:?}");
        assert!(counts.iter().all(|&c| c > 0), "every term is drawn: {counts:?}");
    }

    #[test]
    fn business_names_are_words_with_a_long_tail() {
        assert_eq!(brand_name(0), "Alal");
        assert_eq!(brand_name(49), "Berber");
        assert_eq!(brand_name(BRANDS - 1), "Hallumkri");
        let names: HashSet<String> = (0..BRANDS).map(brand_name).collect();
        assert!(names.len() > BRANDS * 9 / 10, "{} distinct names", names.len());
        assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_alphabetic())));
    }
}
