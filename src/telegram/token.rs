//! The bot token: read from `TELOXIDE_TOKEN` or a file, checked for shape, and never shown, in errors, logs or `Debug`.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// teloxide's variable for the token.
pub const TOKEN_VARIABLE: &str = "TELOXIDE_TOKEN";

/// A token that looks like one Telegram issues. Its `Debug` hides the value.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// The secret itself, for handing to teloxide and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The bot's numeric id: the public part before the colon, fine to log.
    pub fn bot_id(&self) -> &str {
        self.0.split(':').next().unwrap_or_default()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({}:…)", self.bot_id())
    }
}

/// Where the token came from, for messages that must not contain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Variable,
    File(PathBuf),
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Variable => write!(f, "the {TOKEN_VARIABLE} environment variable"),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, Error)]
pub enum TokenError {
    #[error(
        "no bot token: set {TOKEN_VARIABLE} or pass --token-file PATH (get a token from @BotFather in Telegram: /newbot)"
    )]
    Missing,
    #[error("{}: cannot read the bot token file", .path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the bot token in {0} is malformed: expected the form 123456789:AA… that @BotFather gives (digits, a colon, then 30 or more letters, digits, '_' or '-')"
    )]
    Malformed(TokenSource),
}

/// The token from `--token-file` if given, else from `TELOXIDE_TOKEN`.
pub fn load(file: Option<&Path>) -> Result<Token, TokenError> {
    let (text, source) = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| TokenError::Unreadable {
                path: path.to_path_buf(),
                source,
            })?;
            (text, TokenSource::File(path.to_path_buf()))
        }
        None => match std::env::var_os(TOKEN_VARIABLE) {
            Some(value) => (value.to_string_lossy().into_owned(), TokenSource::Variable),
            None => return Err(TokenError::Missing),
        },
    };
    parse(&text, source)
}

/// Checks the shape `<bot id>:<secret>`; surrounding whitespace (a file's trailing newline) is ignored.
pub fn parse(text: &str, source: TokenSource) -> Result<Token, TokenError> {
    let token = text.trim();
    if token.is_empty() && source == TokenSource::Variable {
        return Err(TokenError::Missing);
    }
    let well_formed = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.len() <= 20
            && id.bytes().all(|b| b.is_ascii_digit())
            && (30..=64).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if well_formed {
        Ok(Token(token.to_string()))
    } else {
        Err(TokenError::Malformed(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_-";

    #[test]
    fn accepts_botfather_tokens_and_trims_newlines() {
        let token = parse(&format!("{GOOD}\n"), TokenSource::Variable).expect("valid");
        assert_eq!(token.expose(), GOOD);
        assert_eq!(token.bot_id(), "123456789");
    }

    #[test]
    fn rejects_malformed_tokens_without_showing_them() {
        for bad in [
            "secret",
            "123:short",
            "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "123456789:AAHdq TcvCH1vGWJxfSeofSAs0K5PALDsaw",
        ] {
            let error = parse(bad, TokenSource::File(PathBuf::from("/etc/faqbot/telegram.key"))).expect_err(bad);
            let message = error.to_string();
            assert!(message.contains("/etc/faqbot/telegram.key"), "{message}");
            assert!(!message.contains(bad), "{message}");
        }
        assert!(matches!(parse("  ", TokenSource::Variable), Err(TokenError::Missing)));
    }

    #[test]
    fn debug_hides_the_secret() {
        let token = parse(GOOD, TokenSource::Variable).expect("valid");
        let shown = format!("{token:?}");
        assert!(!shown.contains("AAHdq"), "{shown}");
    }
}
