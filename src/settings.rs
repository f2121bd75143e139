//! Settings that are not the knowledge base: read from faqbot.toml, overridden by environment and flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// Looked for in the working folder when no --config is given.
pub const DEFAULT_CONFIG_FILE: &str = "faqbot.toml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Confidence below which questions are declined, in [0, 1].
    pub threshold: Option<f32>,
    pub faq: Option<PathBuf>,
    pub index: Option<PathBuf>,
    /// Where the bot keeps its logs of declined questions and votes, and curators' review state.
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{}: cannot read the config file", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: invalid config: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{}: threshold must be between 0 and 1, not {value}", .path.display())]
    Threshold { path: PathBuf, value: f32 },
}

impl Config {
    /// Reads `path` if given (it must exist), else faqbot.toml in the working folder if there is one.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, required) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.clone(),
            message: e.message().to_string(),
        })?;
        if let Some(value) = config.threshold
            && !(0.0..=1.0).contains(&value)
        {
            return Err(ConfigError::Threshold { path, value });
        }
        // Paths in the file are relative to the file, wherever faqbot runs from.
        let base = path.parent().unwrap_or(Path::new(""));
        config.faq = config.faq.map(|faq| base.join(faq));
        config.index = config.index.map(|index| base.join(index));
        config.data_dir = config.data_dir.map(|dir| base.join(dir));
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("faqbot.toml");
        std::fs::write(&path, "faq = \"kb\"\nindex = \"/var/cache/faqbot\"\n").expect("write");
        let config = Config::load(Some(&path)).expect("config");
        assert_eq!(config.faq, Some(dir.path().join("kb")));
        assert_eq!(config.index, Some(PathBuf::from("/var/cache/faqbot")));
    }

    #[test]
    fn a_missing_default_config_is_empty_but_a_named_one_is_required() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            Config::load(Some(&dir.path().join("nope.toml"))),
            Err(ConfigError::Read { .. })
        ));
        let path = dir.path().join("faqbot.toml");
        std::fs::write(&path, "threshold = 0.4\n").expect("write");
        assert_eq!(Config::load(Some(&path)).expect("config").threshold, Some(0.4));
        std::fs::write(&path, "threshold = 4\n").expect("write");
        assert!(matches!(Config::load(Some(&path)), Err(ConfigError::Threshold { .. })));
        std::fs::write(&path, "threshhold = 0.4\n").expect("write");
        assert!(matches!(Config::load(Some(&path)), Err(ConfigError::Parse { .. })));
    }
}
