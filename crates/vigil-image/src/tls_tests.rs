#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use super::*;
use crate::cache::BlobCache;
use crate::plan::Platform;
use crate::reference::Reference;
use crate::registry::{Client, RegistryOptions};

/// A certificate authority and a server certificate it signed for
/// `127.0.0.1` only, as PEM and DER.
struct Pki {
    ca_pem: String,
    leaf_der: rustls::pki_types::CertificateDer<'static>,
    leaf_key_der: Vec<u8>,
    leaf_key_pem: String,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "vigil test CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        leaf_der: leaf.der().clone(),
        leaf_key_der: leaf_key.serialize_der(),
        leaf_key_pem: leaf_key.serialize_pem(),
    }
}

/// Reads an HTTP request's head; `None` when the connection ends first.
fn request_path(stream: &mut impl Read) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&head).lines().next()?.to_string();
    line.split(' ').nth(1).map(str::to_string)
}

/// A registry that answers `/v2/` and knows no image: 404 for the rest.
fn answer(stream: &mut impl Write, path: &str) {
    let (status, body) = if path == "/v2/" {
        ("200 OK", "{}")
    } else {
        (
            "404 Not Found",
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#,
        )
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// Serves [`answer`] over TLS with the test server certificate; returns
/// the port.
fn tls_registry(pki: &Pki) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![pki.leaf_der.clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(pki.leaf_key_der.clone().into()),
    )
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                if let Some(path) = request_path(&mut tls) {
                    answer(&mut tls, &path);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
            });
        }
    });
    port
}

/// Serves [`answer`] over plain HTTP, and a 400 to a TLS greeting as a
/// plain HTTP server does; returns the port.
fn plain_registry() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut first = [0u8; 1];
                if tcp.peek(&mut first).unwrap_or(0) == 1 && first[0] == 0x16 {
                    let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
                    return;
                }
                if let Some(path) = request_path(&mut tcp) {
                    answer(&mut tcp, &path);
                }
            });
        }
    });
    port
}

/// Plans `reference` and returns the error: the fake registries know no
/// image, so reaching the manifest at all proves the connection worked.
fn plan_error(reference: &str, options: &RegistryOptions) -> String {
    let cache_dir = tempfile::tempdir().unwrap();
    let reference = Reference::parse(reference).unwrap();
    let mut client = Client::new(&reference, options);
    client
        .plan(&BlobCache::new(cache_dir.path()), &Platform::default())
        .unwrap_err()
        .to_string()
}

fn write_temp(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn ca_bundles_are_read_and_bad_files_named() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let good = write_temp(dir.path(), "ca.pem", pki.ca_pem.as_bytes());
    let bundle = CaBundle::load(&good).unwrap();
    assert_eq!((bundle.len(), bundle.path()), (1, good.as_path()));
    // Keys and text around the blocks are passed over.
    let mixed = format!(
        "# the test CA\n{}{}{}",
        pki.ca_pem, pki.leaf_key_pem, pki.ca_pem
    );
    let mixed = write_temp(dir.path(), "mixed.pem", mixed.as_bytes());
    assert_eq!(CaBundle::load(&mixed).unwrap().len(), 2);

    let empty = write_temp(dir.path(), "empty.pem", b"");
    let der = write_temp(dir.path(), "ca.der", pki.leaf_der.as_ref());
    let key_only = write_temp(dir.path(), "key.pem", pki.leaf_key_pem.as_bytes());
    for bad in [&empty, &der, &key_only] {
        let e = CaBundle::load(bad).unwrap_err().to_string();
        assert!(e.starts_with(&bad.display().to_string()), "{e}");
        assert!(e.contains("no PEM `CERTIFICATE` block"), "{e}");
    }
    let junk = write_temp(
        dir.path(),
        "junk.pem",
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    );
    let e = CaBundle::load(&junk).unwrap_err().to_string();
    assert!(e.starts_with(&junk.display().to_string()), "{e}");
    assert!(e.contains("certificate 1 is not usable"), "{e}");
    let missing = dir.path().join("missing.pem");
    let e = CaBundle::load(&missing).unwrap_err().to_string();
    assert!(e.contains(&missing.display().to_string()), "{e}");
}

#[test]
fn a_private_ca_is_needed_for_https_on_loopback_and_plain_http_is_not_tried() {
    let pki = pki();
    let port = tls_registry(&pki);
    let reference = format!("127.0.0.1:{port}/team/app:1.0");

    // The web roots alone: the certificate is refused with a way out, and
    // plain HTTP is not tried against a server that speaks TLS.
    let e = plan_error(&reference, &RegistryOptions::default());
    assert!(
        e.starts_with(&format!("https://127.0.0.1:{port}/v2/: ")),
        "{e}"
    );
    assert!(e.contains("signed by an unknown authority"), "{e}");
    assert!(e.contains("--ca-file") && e.contains("--insecure"), "{e}");
    assert!(!e.contains("plain HTTP"), "{e}");

    // With the CA: the session goes on over HTTPS to the manifest.
    let dir = tempfile::tempdir().unwrap();
    let ca = write_temp(dir.path(), "ca.pem", pki.ca_pem.as_bytes());
    let trusted = RegistryOptions {
        ca_bundles: vec![CaBundle::load(&ca).unwrap()],
        ..RegistryOptions::default()
    };
    let e = plan_error(&reference, &trusted);
    assert!(
        e.starts_with(&format!(
            "https://127.0.0.1:{port}/v2/team/app/manifests/1.0: 404 Not Found"
        )),
        "{e}"
    );

    // The certificate names 127.0.0.1, not localhost.
    let e = plan_error(&format!("localhost:{port}/team/app:1.0"), &trusted);
    assert!(e.contains("certificate not valid for name"), "{e}");

    // --insecure: no verification, still HTTPS.
    let insecure = RegistryOptions {
        insecure: true,
        ..RegistryOptions::default()
    };
    let e = plan_error(&reference, &insecure);
    assert!(
        e.starts_with(&format!(
            "https://127.0.0.1:{port}/v2/team/app/manifests/1.0: 404 Not Found"
        )),
        "{e}"
    );
}

#[test]
fn a_plain_http_registry_on_loopback_is_reached_after_https_fails() {
    let port = plain_registry();
    let e = plan_error(
        &format!("127.0.0.1:{port}/team/app:1.0"),
        &RegistryOptions::default(),
    );
    assert!(
        e.starts_with(&format!(
            "http://127.0.0.1:{port}/v2/team/app/manifests/1.0: 404 Not Found"
        )),
        "{e}"
    );

    // Nothing listens: both schemes are named in the error.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    let e = plan_error(
        &format!("127.0.0.1:{port}/team/app:1.0"),
        &RegistryOptions::default(),
    );
    assert!(
        e.starts_with(&format!("https://127.0.0.1:{port}/v2/: HTTPS failed")),
        "{e}"
    );
    assert!(
        e.contains("plain HTTP, tried because the registry is on this machine, failed too"),
        "{e}"
    );
}
