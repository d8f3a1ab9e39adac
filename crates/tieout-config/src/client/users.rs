//! `[[users]]`: who may see and act on a client's books, and in which role.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// What a user may do (DESIGN.md section 12).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserRole {
    /// Reads periods, proposals and reconciliations.
    Viewer,
    /// Also closes months (proposes) and fixes problems.
    Preparer,
    /// Also sends proposed months to the accounting package.
    Approver,
    /// Also manages the client's configuration and users.
    Admin,
}

impl UserRole {
    /// The name used in client files.
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Viewer => "viewer",
            UserRole::Preparer => "preparer",
            UserRole::Approver => "approver",
            UserRole::Admin => "admin",
        }
    }
}

impl fmt::Display for UserRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An argon2 password hash in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
/// Its `Debug` is redacted: a hash can still be attacked offline.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Checks the PHC shape (algorithm argon2i, argon2d or argon2id, then parameters, salt and
    /// hash); verifying passwords is the server's job.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split('$').collect();
        let algorithm_ok = matches!(parts.get(1), Some(&("argon2id" | "argon2i" | "argon2d")));
        if parts.first() != Some(&"") || !algorithm_ok || parts.len() < 5 || parts.iter().skip(1).any(|p| p.is_empty())
        {
            return Err("is not an argon2 PHC string: it looks like $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>; \
                        never put a plain password here"
                .to_owned());
        }
        Ok(PasswordHash(text.to_owned()))
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([REDACTED])")
    }
}

impl<'de> Deserialize<'de> for PasswordHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The text is not echoed in the error: it may be a plain password typed by mistake.
        let text = String::deserialize(deserializer)?;
        PasswordHash::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A user of a client.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login name, unique within the client.
    pub name: String,
    /// What the user may do.
    pub role: UserRole,
    /// The argon2 PHC hash of the user's password. Optional until the web UI's login arrives;
    /// a user without one cannot log in.
    #[serde(default)]
    pub password_hash: Option<PasswordHash>,
}

/// Checks names (non-empty, no spaces or control characters, unique); the error is the index
/// of the offending user and the message.
pub(crate) fn check(users: &[User]) -> Result<(), (usize, &'static str, String)> {
    for (i, user) in users.iter().enumerate() {
        if user.name.is_empty() || user.name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err((i, "name", "must be a login name without spaces: write e.g. \"alice\"".to_owned()));
        }
        if let Some(first) = users[..i].iter().position(|u| u.name == user.name) {
            return Err((
                i,
                "name",
                format!("'{}' is already users[{first}]: each user appears once; give them one role", user.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_argon2_phc_strings_are_hashes() {
        assert!(PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g").is_ok());
        for bad in ["hunter2", "$2b$12$abcdefghijklmnopqrstuv", "$argon2id$$$", ""] {
            assert!(PasswordHash::parse(bad).is_err(), "{bad}");
        }
        assert!(!PasswordHash::parse("hunter2").unwrap_err().contains("hunter2"));
    }

    #[test]
    fn names_are_unique() {
        let user = |name: &str| User { name: name.into(), role: UserRole::Viewer, password_hash: None };
        assert!(check(&[user("a"), user("b")]).is_ok());
        let (i, key, message) = check(&[user("a"), user("b"), user("a")]).unwrap_err();
        assert_eq!((i, key), (2, "name"));
        assert!(message.contains("already users[0]"), "{message}");
        assert!(check(&[user("a b")]).is_err());
    }
}
