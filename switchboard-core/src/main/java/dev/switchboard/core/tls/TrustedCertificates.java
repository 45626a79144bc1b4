package dev.switchboard.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An SSL context that trusts exactly the certificates of a PEM file (a private CA, or a self-signed server or
 * broker): an in-memory key store of X.509 certificates behind the default trust manager, so chains and expiry
 * are checked as usual. Host names are checked by whoever makes the connection (the SDK's HTTP client, the AMQP
 * connection factory).
 */
public final class TrustedCertificates {
    private TrustedCertificates() {}

    /** Throws IllegalArgumentException naming the file when it is missing, unreadable or holds no certificate. */
    public static SSLContext sslContext(Path pemFile) {
        Collection<? extends Certificate> certificates = read(pemFile);
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("certificates in " + pemFile + " are not usable: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> read(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(notPem(pemFile));
            }
            return certificates;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(pemFile + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(pemFile + " cannot be read: " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(notPem(pemFile), e);
        }
    }

    private static String notPem(Path pemFile) {
        return pemFile + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE----- ...)";
    }
}
