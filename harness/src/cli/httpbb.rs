//! Where httpbb requests go: httpbb's own `--host`, `--http_port`,
//! `--https_port` and `--retry_on_timeout`, as `--httpbb-*` flags.

/// How httpbb cases connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpbbConnect {
    /// `--httpbb-host`: connect here (keeping each file's Host header)
    /// instead of the target's address.
    pub host: Option<String>,
    /// `--httpbb-http-port`: the port for `http://` base URLs (default 80).
    pub http_port: Option<u16>,
    /// `--httpbb-https-port`: the port for `https://` base URLs (default 443).
    pub https_port: Option<u16>,
    /// `--httpbb-retry-on-timeout`: a case whose request timed out is sent
    /// once more before it fails.
    pub retry_on_timeout: bool,
}

impl HttpbbConnect {
    /// Whether the connection goes somewhere else than the target's address.
    pub fn elsewhere(&self) -> bool {
        self.host.is_some() || self.http_port.is_some() || self.https_port.is_some()
    }
}
