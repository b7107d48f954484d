//! The HTTP client under the SDK: rustls with the platform roots plus `AWS_CA_BUNDLE`
//! (NET-06), proxies from the environment (NET-01/02), direct connections to loopback.

use std::path::PathBuf;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::aws::region::url_host;
use crate::env::EnvSnapshot;

/// Everything that shapes the HTTP client; part of the client cache key (LIVE-06).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HttpSettings {
    pub ca_bundle: Option<PathBuf>,
    pub proxy: Option<ProxySettings>,
    /// The endpoint is plain `http://` (a local emulator or gateway) and no proxy is used: the
    /// client then has no TLS stack at all, so building it skips loading and parsing the
    /// system's root certificates (about 37M instructions, 10 ms, per client; issue 9).
    pub plain_http: bool,
}

/// The proxy chosen for one endpoint.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProxySettings {
    pub url: String,
    pub no_proxy: Option<String>,
    pub for_https: bool,
}

impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Proxy URLs may carry `user:pass@`.
        f.debug_struct("ProxySettings")
            .field("url", &redact_userinfo(&self.url))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Errors building the HTTP client, naming the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum HttpClientError {
    #[error("AWS_CA_BUNDLE {path}: {source}")]
    CaBundle {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid TLS settings: {0}")]
    Tls(String),
    #[error("invalid proxy URL {url}: {reason}")]
    Proxy { url: String, reason: String },
}

/// A URL with any `user:pass@` replaced, for logs and status.
pub fn redact_userinfo(url: &str) -> String {
    match split_userinfo(url) {
        (clean, Some(_)) => clean.replacen("://", "://***@", 1),
        (clean, None) => clean,
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// NET-01/02: the proxy for `endpoint_url`, or `None` for a direct connection.
pub fn proxy_for(endpoint_url: &str, env: &EnvSnapshot) -> Option<ProxySettings> {
    let host = url_host(endpoint_url)?;
    if is_loopback(&host) {
        return None;
    }
    let for_https = endpoint_url
        .get(..8)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("https://"));
    let specific = if for_https {
        env.first_of(&["HTTPS_PROXY", "https_proxy"])
    } else {
        env.first_of(&["HTTP_PROXY", "http_proxy"])
    };
    let url = specific.or_else(|| env.first_of(&["ALL_PROXY", "all_proxy"]))?;
    Some(ProxySettings {
        url: url.to_owned(),
        no_proxy: env.first_of(&["NO_PROXY", "no_proxy"]).map(str::to_owned),
        for_https,
    })
}

/// The settings for a client talking to `endpoint_url`.
pub fn settings_for(endpoint_url: &str, env: &EnvSnapshot) -> HttpSettings {
    let proxy = proxy_for(endpoint_url, env);
    HttpSettings {
        ca_bundle: env.get("AWS_CA_BUNDLE").map(PathBuf::from),
        plain_http: proxy.is_none()
            && endpoint_url
                .get(..7)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://")),
        proxy,
    }
}

fn proxy_config(settings: &ProxySettings) -> Result<ProxyConfig, HttpClientError> {
    let (url, credentials) = split_userinfo(&settings.url);
    let proxy_error = |reason: String| HttpClientError::Proxy {
        url: redact_userinfo(&settings.url),
        reason,
    };
    let mut config = if settings.for_https {
        ProxyConfig::https(url.as_str())
    } else {
        ProxyConfig::http(url.as_str())
    }
    .map_err(|err| proxy_error(err.to_string()))?;
    if let Some((user, password)) = credentials {
        config = config.with_basic_auth(user, password);
    }
    if let Some(rules) = &settings.no_proxy {
        config = config.no_proxy(rules);
    }
    Ok(config)
}

fn split_userinfo(url: &str) -> (String, Option<(String, String)>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            let decode = |part: &str| {
                percent_encoding::percent_decode_str(part)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (
                format!("{scheme}://{host}{path}"),
                Some((decode(user), decode(password))),
            )
        }
        None => (url.to_owned(), None),
    }
}

/// Builds the HTTP client for these settings.
pub fn build(settings: &HttpSettings) -> Result<SharedHttpClient, HttpClientError> {
    if settings.plain_http && settings.proxy.is_none() {
        return Ok(aws_smithy_http_client::Builder::new().build_http());
    }
    let mut trust_store = TrustStore::default();
    if let Some(path) = &settings.ca_bundle {
        let pem = std::fs::read(path).map_err(|source| HttpClientError::CaBundle {
            path: path.display().to_string(),
            source,
        })?;
        trust_store = trust_store.with_pem_certificate(pem);
    }
    let tls_context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .map_err(|err| HttpClientError::Tls(err.to_string()))?;
    let proxy = settings.proxy.as_ref().map(proxy_config).transpose()?;
    Ok(match proxy {
        Some(proxy) => aws_smithy_http_client::Builder::new().build_with_connector_fn(
            move |settings, components| {
                let mut connector = aws_smithy_http_client::Connector::builder()
                    .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                    .tls_context(tls_context.clone())
                    .proxy_config(proxy.clone());
                if let Some(settings) = settings {
                    connector = connector.connector_settings(settings.clone());
                }
                if let Some(sleep) = components.and_then(|components| components.sleep_impl()) {
                    connector = connector.sleep_impl(sleep);
                }
                connector.build()
            },
        ),
        None => aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(tls_context)
            .build_https(),
    })
}

#[cfg(test)]
mod tests;
