package dev.switchboard.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS for an API node: the server's certificate and private key, either as a PKCS12 keystore
 * ({@code keystore}, {@code keystore-password}; the first key entry is used) or as PEM files
 * ({@code certificate}: the chain, leaf first; {@code private-key}: PKCS#8 "BEGIN PRIVATE KEY", RSA or EC).
 * Validated on construction; messages name the key.
 */
public record TlsConfig(
        Optional<Path> keystore, String keystorePassword, Optional<Path> certificate, Optional<Path> privateKey) {

    public TlsConfig {
        keystore = keystore == null ? Optional.empty() : keystore;
        keystorePassword = keystorePassword == null ? "" : keystorePassword;
        certificate = certificate == null ? Optional.empty() : certificate;
        privateKey = privateKey == null ? Optional.empty() : privateKey;
        boolean pem = certificate.isPresent() || privateKey.isPresent();
        if (keystore.isPresent() == pem) {
            throw new IllegalArgumentException("tls needs either keystore, or certificate and private-key");
        }
        if (pem && (certificate.isEmpty() || privateKey.isEmpty())) {
            throw new IllegalArgumentException("tls.certificate and tls.private-key go together");
        }
    }

    public static TlsConfig pkcs12(Path keystore, String password) {
        return new TlsConfig(Optional.of(keystore), password, Optional.empty(), Optional.empty());
    }

    public static TlsConfig pem(Path certificateChain, Path privateKey) {
        return new TlsConfig(Optional.empty(), "", Optional.of(certificateChain), Optional.of(privateKey));
    }

    @Override
    public String toString() {
        return "TlsConfig[keystore=" + keystore + ", certificate=" + certificate + ", private-key=" + privateKey + "]";
    }
}
