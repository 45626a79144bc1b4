package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.switching.LocalSwitch;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS for the API tier, with real certificates and real TLS handshakes. */
class TlsTest {
    @TempDir
    Path dir;

    private static ApiServer start(LocalSwitch sw, TlsConfig tls) {
        return ApiServer.start(
                ApiConfig.defaults().withPort(0),
                sw,
                () -> true,
                new ApiSecurity(Optional.empty(), Optional.empty(), Optional.of(tls)));
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri.resolve("/health/live")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient trusting(Path caPem) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trusted.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    @Test
    void aSelfSignedPkcs12CertificateServesHttpsToClientsThatTrustIt() throws Exception {
        TlsConfig tls = SelfSignedTls.loadOrCreate(dir);
        try (LocalSwitch sw = new LocalSwitch();
                ApiServer server = start(sw, tls);
                HttpClient trustingClient = trusting(dir.resolve(SelfSignedTls.CA_PEM));
                HttpClient defaultClient = HttpClient.newHttpClient()) {

            assertThat(server.uri().getScheme()).isEqualTo("https");
            assertThat(get(trustingClient, server.uri()).body()).isEqualTo("live");
            // by name too: the certificate names localhost as well as 127.0.0.1
            assertThat(get(trustingClient, URI.create("https://localhost:" + server.port() + "/"))
                            .statusCode())
                    .isEqualTo(200);
            assertThatThrownBy(() -> get(defaultClient, server.uri())).isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void pemCertificateAndPkcs8KeyServeHttps() throws Exception {
        // Given the self-signed key and certificate as PEM files
        TlsConfig generated = SelfSignedTls.loadOrCreate(dir.resolve("generated"));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(generated.keystore().orElseThrow())) {
            store.load(in, generated.keystorePassword().toCharArray());
        }
        Key key = store.getKey("switchboard", generated.keystorePassword().toCharArray());
        Certificate certificate = store.getCertificate("switchboard");
        Path certificateFile = dir.resolve("server.crt");
        Path keyFile = dir.resolve("server.key");
        Files.writeString(certificateFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));

        // When / Then
        try (LocalSwitch sw = new LocalSwitch();
                ApiServer server = start(sw, TlsConfig.pem(certificateFile, keyFile));
                HttpClient client = trusting(dir.resolve("generated").resolve(SelfSignedTls.CA_PEM))) {
            assertThat(get(client, server.uri()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void badTlsConfigurationIsAClearError() throws Exception {
        Path keyFile = dir.resolve("rsa.key");
        Files.writeString(keyFile, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Path certificateFile = dir.resolve("none.crt");
        Files.writeString(certificateFile, pem("CERTIFICATE", new byte[0]));

        assertThatThrownBy(() -> new TlsConfig(Optional.empty(), "", Optional.of(certificateFile), Optional.empty()))
                .hasMessageContaining("tls.certificate and tls.private-key go together");
        assertThatThrownBy(() -> new TlsConfig(Optional.empty(), "", Optional.empty(), Optional.empty()))
                .hasMessageContaining("tls needs either keystore, or certificate and private-key");
        try (LocalSwitch sw = new LocalSwitch()) {
            assertThatThrownBy(() -> start(sw, TlsConfig.pem(certificateFile, keyFile)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tls.");
            TlsConfig generated = SelfSignedTls.loadOrCreate(dir.resolve("g"));
            assertThatThrownBy(() ->
                            start(sw, TlsConfig.pkcs12(generated.keystore().orElseThrow(), "wrong")))
                    .hasMessageContaining("wrong password?");
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
