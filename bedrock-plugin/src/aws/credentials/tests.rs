use super::*;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A loopback server that answers every request with `403 Forbidden`, as a proxy in front
/// of 169.254.169.254 does off EC2 (the case PLG-27 was found with).
async fn forbidding_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                while let Ok(read) = socket.read(&mut buffer).await {
                    if read == 0 {
                        break;
                    }
                    let body = "resolve_deny: denied destination";
                    let answer = format!(
                        "HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

/// PLG-27: an instance-metadata endpoint that refuses (403) is "no credentials here" for the
/// chain, not an error that ends it with an IMDS token message.
#[tokio::test]
async fn plg_27_a_refusing_instance_metadata_endpoint_is_not_loaded() {
    let endpoint = forbidding_server().await;
    let client = aws_config::imds::Client::builder()
        .endpoint(endpoint.as_str())
        .expect("endpoint")
        .build();
    let raw = ImdsCredentialsProvider::builder()
        .imds_client(client.clone())
        .build();
    let unwrapped = raw.provide_credentials().await.expect_err("403");
    assert!(
        !matches!(
            unwrapped,
            aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_)
        ),
        "the SDK's own link reports an error that ends the chain: {unwrapped:?}"
    );
    let wrapped = InstanceMetadata(
        ImdsCredentialsProvider::builder()
            .imds_client(client)
            .build(),
    );
    let error = wrapped.provide_credentials().await.expect_err("403");
    assert!(
        matches!(
            error,
            aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_)
        ),
        "{error:?}"
    );
}
