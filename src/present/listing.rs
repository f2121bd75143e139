//! An entry as a catalogue line, the one shape of `faqbot list --json` and the web API's `GET /api/entries`.

use serde_json::{Value, json};

use crate::faq::Entry;
use crate::lang::Language;

/// The entry's id, canonical questions (English, and Chinese where it has one), how many phrasings, the rules it
/// cites, its tags, when it was last reviewed, and whether it has a Chinese answer.
pub fn entry(entry: &Entry) -> Value {
    let chinese = entry.canonical_question(Language::Zh);
    let english = entry.canonical_question(Language::En);
    let mut line = json!({
        "id": entry.id, "question": english,
        "questions": entry.questions.len(), "rules": entry.rules, "tags": entry.tags,
        "reviewed": entry.reviewed, "chinese_answer": entry.answer_zh.is_some(),
    });
    if chinese != english
        && let Some(fields) = line.as_object_mut()
    {
        fields.insert("question_zh".to_string(), Value::from(chinese));
    }
    line
}
