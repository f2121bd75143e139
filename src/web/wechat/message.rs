//! WeChat's XML: the messages and events an account receives (接收普通消息, 接收事件推送), the passive text
//! reply (被动回复用户消息), and safe mode's encrypted envelope around either.
//!
//! Parsing is quick-xml's serde deserializer, which reads CDATA and entities alike and ignores the fields faqbot
//! does not use; anything that is not such XML is an error for the caller to log, never a panic. Replies are
//! written with CDATA, as WeChat's samples are, with `]]>` split and characters XML forbids dropped.

use serde::Deserialize;

/// A message or event as WeChat posts it (only the fields faqbot reads), or safe mode's envelope (`Encrypt`).
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Incoming {
    /// The account's original id (gh_…): the reply's sender.
    #[serde(rename = "ToUserName")]
    pub to: String,
    /// The user's OpenID for this account.
    #[serde(rename = "FromUserName")]
    pub from: String,
    #[serde(rename = "CreateTime")]
    pub create_time: String,
    /// text, image, voice, video, shortvideo, location, link, event.
    #[serde(rename = "MsgType")]
    pub msg_type: String,
    #[serde(rename = "Content")]
    pub content: String,
    #[serde(rename = "MsgId")]
    pub msg_id: String,
    /// For events: subscribe, unsubscribe, CLICK, VIEW, SCAN…
    #[serde(rename = "Event")]
    pub event: String,
    /// In safe and compatible mode: the encrypted message.
    #[serde(rename = "Encrypt")]
    pub encrypt: String,
}

#[derive(Debug, thiserror::Error)]
#[error("not a WeChat XML message: {0}")]
pub struct XmlError(String);

impl Incoming {
    pub fn parse(xml: &str) -> Result<Self, XmlError> {
        let message: Self = quick_xml::de::from_str(xml).map_err(|error| XmlError(error.to_string()))?;
        Ok(message)
    }

    /// What a retry of this message has in common with it: the `MsgId`, or for an event its sender and time.
    pub fn retry_key(&self) -> Option<String> {
        if !self.msg_id.trim().is_empty() {
            Some(format!("id {}", self.msg_id.trim()))
        } else if !self.from.is_empty() && !self.create_time.is_empty() {
            Some(format!("event {} {}", self.from, self.create_time.trim()))
        } else {
            None
        }
    }
}

/// The passive text reply to `to` (the user's OpenID) from `from` (the account).
pub fn text_reply(to: &str, from: &str, create_time: i64, content: &str) -> String {
    format!(
        "<xml><ToUserName>{}</ToUserName><FromUserName>{}</FromUserName><CreateTime>{create_time}</CreateTime>\
         <MsgType><![CDATA[text]]></MsgType><Content>{}</Content></xml>",
        cdata(to),
        cdata(from),
        cdata(content)
    )
}

/// Safe mode's reply: the encrypted reply, its `msg_signature`, and the timestamp and nonce signed.
pub fn encrypted_reply(encrypt: &str, signature: &str, timestamp: &str, nonce: &str) -> String {
    format!(
        "<xml><Encrypt>{}</Encrypt><MsgSignature>{}</MsgSignature><TimeStamp>{}</TimeStamp><Nonce>{}</Nonce></xml>",
        cdata(encrypt),
        cdata(signature),
        xml_text(timestamp),
        cdata(nonce)
    )
}

/// `text` as CDATA sections: `]]>` cannot end one early, and characters XML 1.0 forbids are dropped.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", xml_chars(text).replace("]]>", "]]]]><![CDATA[>"))
}

/// `text` as escaped character data.
fn xml_text(text: &str) -> String {
    xml_chars(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text message of WeChat's documentation.
    const TEXT: &str = "<xml>\n  <ToUserName><![CDATA[toUser]]></ToUserName>\n  <FromUserName><![CDATA[fromUser]]></FromUserName>\n  <CreateTime>1348831860</CreateTime>\n  <MsgType><![CDATA[text]]></MsgType>\n  <Content><![CDATA[this is a test]]></Content>\n  <MsgId>1234567890123456</MsgId>\n  <MsgDataId>xxxx</MsgDataId>\n</xml>";

    #[test]
    fn a_documented_text_message_parses() {
        let message = Incoming::parse(TEXT).expect("parses");
        assert_eq!(message.to, "toUser");
        assert_eq!(message.from, "fromUser");
        assert_eq!(message.msg_type, "text");
        assert_eq!(message.content, "this is a test");
        assert_eq!(message.retry_key().as_deref(), Some("id 1234567890123456"));
    }

    #[test]
    fn an_event_is_keyed_by_sender_and_time() {
        let event = Incoming::parse(
            "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>\
             <CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>",
        )
        .expect("parses");
        assert_eq!(event.event, "subscribe");
        assert_eq!(event.retry_key().as_deref(), Some("event o1 123456789"));
    }

    #[test]
    fn what_is_not_xml_is_an_error() {
        for bad in [
            "",
            "hello",
            "<xml><Content>",
            "{\"MsgType\": \"text\"}",
            "<xml><a></b></xml>",
        ] {
            assert!(Incoming::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_reply_round_trips_whatever_its_text() {
        let awkward = "a ]]> b <c> & \u{1} 你好\nline";
        let xml = text_reply("o1", "gh_1", 42, awkward);
        let parsed = Incoming::parse(&xml).expect("valid XML");
        assert_eq!(parsed.content, "a ]]> b <c> &  你好\nline");
        assert_eq!(parsed.to, "o1");
        assert_eq!(parsed.from, "gh_1");
        assert_eq!(parsed.msg_type, "text");
        assert_eq!(parsed.create_time, "42");
        let envelope = encrypted_reply("QUJD+/==", "abc", "1409304348", "xxxxxx");
        assert_eq!(Incoming::parse(&envelope).expect("valid XML").encrypt, "QUJD+/==");
    }
}
