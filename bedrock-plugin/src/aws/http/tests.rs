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
