//! TLS for `--tls`: a throw-away CA and a leaf certificate for `localhost` / `127.0.0.1`, generated at
//! start with rcgen, so clients exercise their real TLS path by trusting the CA file (`AWS_CA_BUNDLE`).
//! ALPN offers `h2` and `http/1.1`.

use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::EmulatorError;

pub(crate) struct Generated {
    pub(crate) acceptor: tokio_rustls::TlsAcceptor,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ca_path: PathBuf,
}

fn err(e: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::Tls(e.to_string())
}

fn common_name(name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn
}

/// A self-signed CA certificate and the issuer that signs with it.
fn issue_ca() -> Result<(Certificate, Issuer<'static, KeyPair>), EmulatorError> {
    let key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    params.distinguished_name = common_name("bedrock-emulator test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).map_err(err)?;
    Ok((cert, Issuer::new(params, key)))
}

/// The server certificate for `localhost` and `127.0.0.1`, and its key.
fn issue_leaf(issuer: &Issuer<'_, KeyPair>) -> Result<(Certificate, KeyPair), EmulatorError> {
    let key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(err)?;
    params.distinguished_name = common_name("localhost");
    let cert = params.signed_by(&key, issuer).map_err(err)?;
    Ok((cert, key))
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, EmulatorError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Generate the CA and leaf, write the CA's PEM to a temporary directory, and build the acceptor.
pub(crate) fn generate() -> Result<Generated, EmulatorError> {
    let (ca_cert, issuer) = issue_ca()?;
    let (leaf_cert, leaf_key) = issue_leaf(&issuer)?;

    let dir = tempfile::Builder::new()
        .prefix("bedrock-emulator-tls")
        .tempdir()?;
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, ca_cert.pem())?;

    let chain = vec![
        CertificateDer::from(leaf_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = server_config(chain, key)?;
    Ok(Generated {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        dir,
        ca_path,
    })
}
