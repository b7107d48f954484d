use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

#[test]
fn net_01_scheme_specific_proxy_wins_over_all_proxy() {
    let vars = env(&[
        ("HTTPS_PROXY", "http://a:3128"),
        ("ALL_PROXY", "http://b:3128"),
    ]);
    let proxy = proxy_for("https://bedrock.us-east-1.amazonaws.com", &vars).expect("proxied");
    assert_eq!(proxy.url, "http://a:3128");
    let only_all = env(&[("ALL_PROXY", "http://proxy:3128")]);
    assert_eq!(
        proxy_for("https://bedrock.us-east-1.amazonaws.com", &only_all).map(|p| p.url),
        Some("http://proxy:3128".to_owned())
    );
    let upper_wins = env(&[
        ("HTTPS_PROXY", "http://upper:1"),
        ("https_proxy", "http://lower:1"),
    ]);
    assert_eq!(
        proxy_for("https://x.example", &upper_wins).map(|p| p.url),
        Some("http://upper:1".to_owned())
    );
}

#[test]
fn net_02_loopback_always_connects_directly() {
    let vars = env(&[
        ("HTTP_PROXY", "http://proxy:3128"),
        ("ALL_PROXY", "http://proxy:3128"),
    ]);
    assert!(proxy_for("http://127.0.0.1:4566", &vars).is_none());
    assert!(proxy_for("http://localhost:4566", &vars).is_none());
    assert!(proxy_for("http://[::1]:4566", &vars).is_none());
}

#[test]
fn proxy_credentials_are_split_and_redacted() {
    let (url, credentials) = split_userinfo("http://user:p%40ss@proxy:3128");
    assert_eq!(url, "http://proxy:3128");
    assert_eq!(credentials, Some(("user".to_owned(), "p@ss".to_owned())));
    let settings = ProxySettings {
        url: "http://user:secret@proxy:3128".into(),
        no_proxy: None,
        for_https: true,
    };
    assert!(!format!("{settings:?}").contains("secret"));
}

/// PLG-28: only a direct plain-`http://` endpoint gets the client without a TLS stack; an
/// `https://` endpoint, or a plain one reached through a proxy, keeps TLS.
#[test]
fn plg_28_plain_http_only_for_direct_http_endpoints() {
    let none = env(&[]);
    assert!(settings_for("http://127.0.0.1:4566", &none).plain_http);
    assert!(settings_for("HTTP://gateway.internal:8080", &none).plain_http);
    assert!(!settings_for("https://bedrock-runtime.us-east-1.amazonaws.com", &none).plain_http);
    let proxied = env(&[("HTTP_PROXY", "http://proxy:3128")]);
    let settings = settings_for("http://gateway.internal:8080", &proxied);
    assert!(settings.proxy.is_some());
    assert!(!settings.plain_http);
    // The CA bundle is irrelevant without TLS: an unreadable one does not fail a plain client.
    let with_bundle = env(&[("AWS_CA_BUNDLE", "/nonexistent/ca.pem")]);
    assert!(build(&settings_for("http://127.0.0.1:4566", &with_bundle)).is_ok());
    assert!(matches!(
        build(&settings_for("https://bedrock.example", &with_bundle)),
        Err(HttpClientError::CaBundle { .. })
    ));
}
