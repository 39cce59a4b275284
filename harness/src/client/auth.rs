//! Logins and tokens: bot passwords through `action=login`, main accounts
//! through `action=clientlogin`, tokens fetched once and cached per session.

use serde_json::Value;

use super::api::str_at;
use super::session::Session;
use crate::error::ClientError;
use crate::target::{AccountKind, Credentials};

impl Session {
    /// A token of `kind` (`csrf`, `login`, `watch`, ...), cached until a login.
    pub async fn token(&self, kind: &str) -> Result<String, ClientError> {
        if let Some(t) = self.tokens().get(kind) {
            return Ok(t.clone());
        }
        let _single = self.token_fetch().await;
        if let Some(t) = self.tokens().get(kind) {
            return Ok(t.clone());
        }
        let v = self
            .api_get(&[("action", "query"), ("meta", "tokens"), ("type", kind)])
            .await?;
        let field = format!("{kind}token");
        let token = str_at(&v, &["query", "tokens", &field])
            .ok_or_else(|| ClientError::Malformed {
                url: self.target().api_url().to_string(),
                status: 200,
                message: format!("no query.tokens.{field} in the answer"),
                excerpt: crate::evidence::excerpt(&v.to_string()),
            })?
            .to_owned();
        crate::redact::register_secret(&token);
        if kind != "login" {
            self.tokens().insert(kind.to_owned(), token.clone());
        }
        Ok(token)
    }

    /// Forgets cached tokens (after the session's user changed).
    pub fn forget_tokens(&self) {
        self.tokens().clear();
    }

    /// Logs in the way the account's kind requires.
    pub async fn login(&self, creds: &Credentials) -> Result<(), ClientError> {
        match creds.kind {
            AccountKind::BotPassword => self.bot_login(creds).await,
            AccountKind::Main => self.client_login(creds).await,
        }
    }

    /// `action=login` with a bot password (`User@App`).
    pub async fn bot_login(&self, creds: &Credentials) -> Result<(), ClientError> {
        let token = self.token("login").await?;
        let v = self
            .api_post(&[
                ("action", "login"),
                ("lgname", &creds.user),
                ("lgpassword", creds.password.expose()),
                ("lgtoken", &token),
            ])
            .await?;
        let result = str_at(&v, &["login", "result"]).unwrap_or("missing");
        if result != "Success" {
            return Err(ClientError::Login {
                user: creds.user.clone(),
                result: result.to_owned(),
                reason: reason(&v, "login"),
            });
        }
        self.logged_in(str_at(&v, &["login", "lgusername"]).unwrap_or(creds.wiki_user()));
        Ok(())
    }

    /// `action=clientlogin` with a main account.
    pub async fn client_login(&self, creds: &Credentials) -> Result<(), ClientError> {
        let token = self.token("login").await?;
        let return_url = self.target().base_url.to_string();
        let v = self
            .api_post(&[
                ("action", "clientlogin"),
                ("username", &creds.user),
                ("password", creds.password.expose()),
                ("loginreturnurl", &return_url),
                ("logintoken", &token),
            ])
            .await?;
        let status = str_at(&v, &["clientlogin", "status"]).unwrap_or("missing");
        if status != "PASS" {
            return Err(ClientError::Login {
                user: creds.user.clone(),
                result: status.to_owned(),
                reason: reason(&v, "clientlogin"),
            });
        }
        self.logged_in(str_at(&v, &["clientlogin", "username"]).unwrap_or(&creds.user));
        Ok(())
    }

    fn logged_in(&self, user: &str) {
        self.forget_tokens();
        self.set_user(Some(user.to_owned()));
    }
}

fn reason(v: &Value, module: &str) -> String {
    str_at(v, &[module, "reason"])
        .or_else(|| str_at(v, &[module, "message"]))
        .unwrap_or("no reason given")
        .to_owned()
}
