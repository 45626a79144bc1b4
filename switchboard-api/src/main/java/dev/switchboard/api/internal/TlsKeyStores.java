package dev.switchboard.api.internal;

import dev.switchboard.api.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** Loads the server's key and certificate chain of a {@link TlsConfig} into a KeyStore Jetty can use. */
public final class TlsKeyStores {
    /** The password of the in-memory keystore built from PEM files (never written anywhere). */
    public static final String PEM_STORE_PASSWORD = "switchboard-pem";

    private TlsKeyStores() {}

    public static KeyStore load(TlsConfig tls) {
        try {
            if (tls.keystore().isPresent()) {
                Path file = tls.keystore().get();
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(file)) {
                    store.load(in, tls.keystorePassword().toCharArray());
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "tls.keystore " + file + " cannot be read (wrong password?): " + e.getMessage(), e);
                }
                return store;
            }
            return fromPem(tls.certificate().orElseThrow(), tls.privateKey().orElseThrow());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tls key material is not usable: " + e.getMessage(), e);
        }
    }

    private static KeyStore fromPem(Path certificateFile, Path keyFile) throws GeneralSecurityException {
        List<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(certificateFile)) {
            chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (IOException | java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(
                    "tls.certificate " + certificateFile + " holds no readable PEM certificate: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("tls.certificate " + certificateFile + " holds no certificate");
        }
        PrivateKey key = privateKey(keyFile);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        store.setKeyEntry("switchboard", key, PEM_STORE_PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
        return store;
    }

    private static PrivateKey privateKey(Path file) throws GeneralSecurityException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.private-key " + file + " cannot be read", e);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("tls.private-key " + file + " must be PEM PKCS#8 ('BEGIN PRIVATE KEY');"
                    + " convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("tls.private-key " + file + " is neither an RSA nor an EC key");
    }
}
