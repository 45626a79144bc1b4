package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-signed certificate's secrets are owner-only from the start, and nothing is left behind. */
class SelfSignedTlsTest {
    @TempDir
    Path dir;

    @Test
    void theKeystoreAndItsPasswordAreOwnerOnlyAndTheKeystoreOpensWithThePassword() throws Exception {
        TlsConfig tls = SelfSignedTls.loadOrCreate(dir);

        for (String secret : new String[] {SelfSignedTls.KEYSTORE, SelfSignedTls.PASSWORD}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(secret))))
                    .as(secret)
                    .isEqualTo("rw-------");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder(SelfSignedTls.KEYSTORE, SelfSignedTls.PASSWORD, SelfSignedTls.CA_PEM);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(SelfSignedTls.KEYSTORE))) {
            store.load(in, tls.keystorePassword().toCharArray());
        }
        assertThat(store.containsAlias("switchboard")).isTrue();
    }
}
