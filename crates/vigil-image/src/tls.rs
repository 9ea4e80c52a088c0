//! TLS for registry connections: extra trusted certificate authorities read
//! from PEM files, verification switched off for `--insecure`, and telling
//! an untrusted certificate apart from a server that does not speak TLS.

use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::error::{Error, Result};

/// The certificates of one PEM file, trusted as roots next to the public
/// web roots for a registry and its token service.
#[derive(Clone)]
pub struct CaBundle {
    path: PathBuf,
    certs: Vec<Certificate<'static>>,
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaBundle")
            .field("path", &self.path)
            .field("certificates", &self.certs.len())
            .finish()
    }
}

impl CaBundle {
    /// Reads the `CERTIFICATE` blocks of a PEM file (other blocks, such as
    /// keys, and text around them are passed over). A file that cannot be
    /// read, has no certificate, or has one that cannot be a trust anchor is
    /// an error naming it.
    pub fn load(path: &Path) -> Result<CaBundle> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path.display(), e))?;
        let bad = |message: String| Error::invalid(path.display(), message);
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(&bytes) {
            match item {
                Ok(PemItem::Certificate(c)) => {
                    let mut probe = rustls::RootCertStore::empty();
                    probe.add(CertificateDer::from(c.der())).map_err(|e| {
                        bad(format!(
                            "certificate {} is not usable as a certificate authority: {e}",
                            certs.len() + 1
                        ))
                    })?;
                    certs.push(c);
                }
                Ok(_) => {}
                Err(e) => return Err(bad(format!("not a PEM certificate bundle: {e}"))),
            }
        }
        if certs.is_empty() {
            return Err(bad(
                "no PEM `CERTIFICATE` block in it (a DER file must be converted: `openssl x509 -inform der -in FILE`)".to_string(),
            ));
        }
        Ok(CaBundle {
            path: path.to_path_buf(),
            certs,
        })
    }

    /// The file the certificates were read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many certificates the file holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether the file holds no certificate (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

/// The TLS configuration of a registry session (or any other HTTPS client
/// of vigil's): the public web roots plus the bundles, or no verification
/// at all when `insecure`.
pub fn config(bundles: &[CaBundle], insecure: bool) -> TlsConfig {
    let builder = TlsConfig::builder();
    if insecure {
        return builder.disable_verification(true).build();
    }
    if bundles.is_empty() {
        return builder.root_certs(RootCerts::WebPki).build();
    }
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .chain(bundles.iter().flat_map(|b| b.certs.iter().cloned()));
    builder.root_certs(RootCerts::from(roots)).build()
}

/// What is wrong with the server's certificate, when that is why a request
/// failed: the server speaks TLS, so plain HTTP is no way around it.
pub fn certificate_problem(error: &ureq::Error) -> Option<String> {
    match error {
        ureq::Error::Rustls(e) => rustls_certificate_problem(e),
        ureq::Error::Io(e) => io_certificate_problem(e),
        _ => None,
    }
}

fn io_certificate_problem(error: &std::io::Error) -> Option<String> {
    let inner = error.get_ref()?;
    if let Some(e) = inner.downcast_ref::<rustls::Error>() {
        return rustls_certificate_problem(e);
    }
    if let Some(e) = inner.downcast_ref::<ureq::Error>() {
        return certificate_problem(e);
    }
    inner
        .downcast_ref::<std::io::Error>()
        .and_then(io_certificate_problem)
}

fn rustls_certificate_problem(error: &rustls::Error) -> Option<String> {
    match error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
            Some("its certificate is signed by an unknown authority".to_string())
        }
        rustls::Error::InvalidCertificate(e) => Some(format!("its certificate is rejected: {e}")),
        _ => None,
    }
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
