use super::*;

use crate::config::SecretString;

fn spec(region: &str, url: &str, connect_timeout: Duration) -> ClientSpec {
    ClientSpec {
        region: region.to_owned(),
        endpoint: EndpointChoice {
            url: url.to_owned(),
            custom: true,
            source: "awsBedrockEndpoint",
        },
        variant: EndpointVariant::default(),
        http: HttpSettings::default(),
        connect_timeout,
        plan: CredentialPlan::Bearer(SecretString::new("token")),
        credentials: None,
    }
}

fn http_clients(cache: &ClientCache) -> usize {
    cache
        .http
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entries
        .len()
}

/// PLG-28: the runtime and control-plane clients of an instance, in any region, share one
/// HTTP client per HTTP setting (so its TLS configuration is built once); PLG-29: a different
/// connect timeout is a different HTTP client, and the cache of them is bounded.
#[test]
fn plg_28_plg_29_sdk_clients_share_one_http_client_per_setting_and_timeout() {
    let cache = ClientCache::default();
    let second = Duration::from_secs(1);
    cache
        .runtime(&spec("us-east-1", "https://runtime.example", second))
        .expect("runtime client");
    cache
        .runtime(&spec("eu-west-1", "https://runtime.example", second))
        .expect("runtime client in another region");
    cache
        .control(&spec("us-east-1", "https://control.example", second))
        .expect("control client");
    assert_eq!(http_clients(&cache), 1);

    cache
        .runtime(&spec(
            "us-east-1",
            "https://runtime.example",
            Duration::from_secs(2),
        ))
        .expect("runtime client with another connect timeout");
    assert_eq!(http_clients(&cache), 2);

    for seconds in 3..40 {
        cache
            .control(&spec(
                "us-east-1",
                "https://control.example",
                Duration::from_secs(seconds),
            ))
            .expect("control client");
    }
    assert_eq!(http_clients(&cache), MAX_CACHED_CLIENTS);
}
