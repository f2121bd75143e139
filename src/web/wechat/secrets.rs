//! The account's Token, AppID and EncodingAESKey: read from the environment or one file, checked for shape, and
//! never shown, in errors, logs or `Debug`, as the Telegram token is ([`crate::telegram::token`]).
//!
//! The file has the variables' lines, `FAQBOT_WECHAT_TOKEN=…` (blank lines and `#` comments allowed), so the same
//! file can be a systemd `EnvironmentFile`. With an EncodingAESKey the account runs in safe (or compatible) mode
//! and the AppID is required; without one, in plaintext mode.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::crypto::AesKey;

pub const TOKEN_VARIABLE: &str = "FAQBOT_WECHAT_TOKEN";
pub const APP_ID_VARIABLE: &str = "FAQBOT_WECHAT_APPID";
pub const AES_KEY_VARIABLE: &str = "FAQBOT_WECHAT_AES_KEY";

/// What the account's admin page (基本配置) shows. `Debug` hides the Token and the key.
#[derive(Clone)]
pub struct Secrets {
    token: String,
    app_id: Option<String>,
    aes_key: Option<AesKey>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("token", &"…")
            .field("app_id", &self.app_id)
            .field("safe_mode", &self.aes_key.is_some())
            .finish()
    }
}

impl Secrets {
    /// The Token, for signatures and nothing else.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The AppID and the key, in safe mode.
    pub fn safe_mode(&self) -> Option<(&str, &AesKey)> {
        Some((self.app_id.as_deref()?, self.aes_key.as_ref()?))
    }
}

/// Where the secrets came from, for messages that must not contain them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretsSource {
    Variables,
    File(PathBuf),
}

impl std::fmt::Display for SecretsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Variables => write!(f, "the environment"),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, Error)]
pub enum SecretsError {
    #[error(
        "no WeChat Token: set {TOKEN_VARIABLE} (and {APP_ID_VARIABLE}, {AES_KEY_VARIABLE} for safe mode) or pass --wechat-secrets-file PATH; the Token is the one entered under 基本配置 → 服务器配置"
    )]
    Missing,
    #[error("{}: cannot read the WeChat secrets file", .path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}, line {line}: expected NAME=VALUE with NAME one of {TOKEN_VARIABLE}, {APP_ID_VARIABLE}, {AES_KEY_VARIABLE}", .path.display()
    )]
    Line { path: PathBuf, line: usize },
    #[error("the WeChat Token in {0} is malformed: WeChat's are 3 to 32 letters and digits")]
    Token(SecretsSource),
    #[error("the EncodingAESKey in {0} is malformed: WeChat's are 43 letters and digits")]
    AesKey(SecretsSource),
    #[error("the AppID in {0} is malformed: WeChat's look like wx followed by 16 letters and digits")]
    AppId(SecretsSource),
    #[error("{AES_KEY_VARIABLE} is set in {0} but {APP_ID_VARIABLE} is not: safe mode checks every message's AppID")]
    NoAppId(SecretsSource),
}

/// The secrets from `file` if given, else from the environment. Each secret is registered with the log
/// redaction ([`crate::telegram::redact`]) as soon as it is read.
pub fn load(file: Option<&Path>) -> Result<Secrets, SecretsError> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| SecretsError::Unreadable {
                path: path.to_path_buf(),
                source,
            })?;
            let mut values = [None, None, None];
            for (number, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let slot = line.split_once('=').and_then(|(name, value)| {
                    let at = [TOKEN_VARIABLE, APP_ID_VARIABLE, AES_KEY_VARIABLE]
                        .iter()
                        .position(|known| *known == name.trim().trim_start_matches("export "))?;
                    Some((at, value.trim().trim_matches('"').to_string()))
                });
                let Some((at, value)) = slot else {
                    return Err(SecretsError::Line {
                        path: path.to_path_buf(),
                        line: number + 1,
                    });
                };
                crate::telegram::redact::hide(&value);
                values[at] = Some(value);
            }
            let [token, app_id, aes_key] = values;
            parse(token, app_id, aes_key, SecretsSource::File(path.to_path_buf()))
        }
        None => {
            let variable = |name: &str| {
                let value = std::env::var_os(name).map(|value| value.to_string_lossy().trim().to_string())?;
                crate::telegram::redact::hide(&value);
                Some(value).filter(|value| !value.is_empty())
            };
            parse(
                variable(TOKEN_VARIABLE),
                variable(APP_ID_VARIABLE),
                variable(AES_KEY_VARIABLE),
                SecretsSource::Variables,
            )
        }
    }
}

/// Checks the shapes; values are trimmed.
pub fn parse(
    token: Option<String>,
    app_id: Option<String>,
    aes_key: Option<String>,
    source: SecretsSource,
) -> Result<Secrets, SecretsError> {
    let token = token.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(SecretsError::Missing);
    };
    if !(3..=32).contains(&token.len()) || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(SecretsError::Token(source));
    }
    let app_id = app_id.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    if let Some(app_id) = &app_id
        && (app_id.len() > 32 || !app_id.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(SecretsError::AppId(source));
    }
    let aes_key = match aes_key.map(|k| k.trim().to_string()).filter(|k| !k.is_empty()) {
        Some(text) => Some(AesKey::parse(&text).map_err(|_| SecretsError::AesKey(source.clone()))?),
        None => None,
    };
    if aes_key.is_some() && app_id.is_none() {
        return Err(SecretsError::NoAppId(source));
    }
    Ok(Secrets { token, app_id, aes_key })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("wechat.env");
        std::fs::write(&path, text).expect("written");
        (dir, path)
    }

    #[test]
    fn a_file_gives_all_three() {
        let (_dir, path) = file(&format!(
            "# the account\n{TOKEN_VARIABLE}=tok3n\n\n{APP_ID_VARIABLE}=wx2c2769f8efd9abc2\nexport {AES_KEY_VARIABLE}=\"{KEY}\"\n"
        ));
        let secrets = load(Some(&path)).expect("loaded");
        assert_eq!(secrets.token(), "tok3n");
        assert_eq!(secrets.safe_mode().map(|(app, _)| app), Some("wx2c2769f8efd9abc2"));
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("tok3n") && !shown.contains("abcdefgh"), "{shown}");
    }

    #[test]
    fn errors_name_the_place_never_the_value() {
        let (_dir, path) = file("FAQBOT_WECHAT_TOKEN=has spaces in it\n");
        let error = load(Some(&path)).expect_err("malformed").to_string();
        assert!(error.contains("wechat.env") && !error.contains("spaces"), "{error}");
        let (_dir, path) = file("SOMETHING=sekrit-value\n");
        let error = load(Some(&path)).expect_err("unknown name").to_string();
        assert!(error.contains("line 1") && !error.contains("sekrit"), "{error}");
        let error = parse(Some("tok3n".into()), None, Some(KEY.into()), SecretsSource::Variables)
            .expect_err("safe mode without an AppID")
            .to_string();
        assert!(
            error.contains(APP_ID_VARIABLE) && !error.contains("abcdefgh"),
            "{error}"
        );
        let error = parse(
            Some("tok3n".into()),
            Some("wx1".into()),
            Some("abcdefgh".into()),
            SecretsSource::Variables,
        )
        .expect_err("short key")
        .to_string();
        assert!(!error.contains("abcdefgh"), "{error}");
        assert!(matches!(
            parse(Some("  ".into()), None, None, SecretsSource::Variables),
            Err(SecretsError::Missing)
        ));
    }

    #[test]
    fn plaintext_mode_needs_only_the_token() {
        let secrets = parse(Some("tok3n".into()), None, None, SecretsSource::Variables).expect("plaintext mode");
        assert!(secrets.safe_mode().is_none());
    }
}
