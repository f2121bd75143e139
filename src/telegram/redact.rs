//! A last line of defence for secrets: the log writer replaces every registered secret (the bot token) before a line reaches stderr.
//!
//! teloxide already hides the token in its errors, but a dependency's debug line (a request URL at trace level)
//! must not leak it either, whatever `RUST_LOG` says.

use std::io::{self, Write};
use std::sync::RwLock;

use tracing_subscriber::fmt::MakeWriter;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

const REDACTED: &[u8] = b"[redacted]";

/// From now on, `secret` never appears in what [`RedactedStderr`] writes.
pub fn hide(secret: &str) {
    if secret.is_empty() {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if !secrets.iter().any(|known| known == secret) {
        secrets.push(secret.to_string());
    }
}

/// `bytes` with every secret replaced.
pub fn redact(bytes: &[u8]) -> Vec<u8> {
    let secrets = SECRETS.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut out = bytes.to_vec();
    for secret in secrets.iter() {
        let secret = secret.as_bytes();
        let mut replaced = Vec::with_capacity(out.len());
        let mut rest = out.as_slice();
        while let Some(at) = rest.windows(secret.len()).position(|window| window == secret) {
            replaced.extend_from_slice(&rest[..at]);
            replaced.extend_from_slice(REDACTED);
            rest = &rest[at + secret.len()..];
        }
        replaced.extend_from_slice(rest);
        out = replaced;
    }
    out
}

/// Standard error with secrets removed. The fmt layer writes each event with one `write_all`, so a secret is
/// never split between two writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactedStderr;

impl Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::stderr().lock().write_all(&redact(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for RedactedStderr {
    type Writer = RedactedStderr;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_replaced_everywhere() {
        hide("123:sekrit-value");
        let line = b"GET /bot123:sekrit-value/GetMe and again 123:sekrit-value.";
        assert_eq!(
            String::from_utf8(redact(line)).expect("utf-8"),
            "GET /bot[redacted]/GetMe and again [redacted]."
        );
        assert_eq!(redact(b"nothing here"), b"nothing here");
    }
}
