//! HTTPS with a certificate given to the server (rustls).

#![allow(clippy::unwrap_used)]

mod support;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

#[test]
fn serves_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert_path = dir.path().join("server.pem");
    let key_path = dir.path().join("server.key");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let srv = support::TestServer::start_with(None, |c| {
        c.tls = Some(vigil_server::TlsFiles {
            cert: cert_path.clone(),
            key: key_path.clone(),
        });
    });
    assert!(srv.base.starts_with("https://127.0.0.1:"));

    let trusting: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&[Certificate::from_der(
                    cert.cert.der(),
                )
                .to_owned()]))
                .build(),
        )
        .build()
        .into();
    let mut r = trusting
        .get(format!("{}/api/v1/findings", srv.base))
        .header("Authorization", format!("Bearer {}", srv.admin_token))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["total"], 0);

    // A client that does not trust the certificate refuses the server.
    let err = ureq::get(format!("{}/healthz", srv.base))
        .call()
        .unwrap_err();
    assert!(
        format!("{err}")
            .to_ascii_lowercase()
            .contains("certificate"),
        "{err}"
    );
}

#[test]
fn a_key_that_does_not_fit_the_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let b = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = dir.path().join("a.pem");
    let key = dir.path().join("b.key");
    std::fs::write(&cert, a.cert.pem()).unwrap();
    std::fs::write(&key, b.signing_key.serialize_pem()).unwrap();
    let err = vigil_server::tls_config(&vigil_server::TlsFiles {
        cert: cert.clone(),
        key: key.clone(),
    })
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("does not fit the certificate"),
        "{err:#}"
    );
    let missing = vigil_server::tls_config(&vigil_server::TlsFiles {
        cert: dir.path().join("nope.pem"),
        key,
    })
    .unwrap_err();
    assert!(format!("{missing:#}").contains("nope.pem"), "{missing:#}");
}
