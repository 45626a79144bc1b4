package dev.switchboard.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.backend.KeyManagementService.KeyUnavailableException;
import dev.switchboard.backend.KeyManagementService.WrappedKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyManagementServiceTest {
    private static final byte[] CONTEXT = "topic-a/key-1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DATA_KEY = new byte[32];

    @TempDir
    Path dir;

    @Test
    void aKeyWrappedBeforeARestartUnwrapsAfterIt() throws IOException {
        // Given
        Path keystore = dir.resolve("kek.p12");
        WrappedKey wrapped = LocalKeyManagementService.open(keystore, "pw".toCharArray(), true)
                .wrap(DATA_KEY, CONTEXT);

        // When
        LocalKeyManagementService reopened = LocalKeyManagementService.open(keystore, "pw".toCharArray(), false);

        // Then
        assertThat(wrapped.kekId()).isEqualTo("kek-1");
        assertThat(wrapped.bytes()).hasSize(12 + 32 + 16);
        assertThat(reopened.unwrap(wrapped, CONTEXT)).isEqualTo(DATA_KEY);
    }

    @Test
    void anotherContextOrAnAlteredKeyDoesNotUnwrap() throws IOException {
        LocalKeyManagementService kms = LocalKeyManagementService.open(dir.resolve("k.p12"), "pw".toCharArray(), true);
        WrappedKey wrapped = kms.wrap(DATA_KEY, CONTEXT);
        byte[] altered = wrapped.bytes().clone();
        altered[20] ^= 1;

        assertThatThrownBy(() -> kms.unwrap(wrapped, "topic-b/key-1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("altered, or another keystore");
        assertThatThrownBy(() -> kms.unwrap(new WrappedKey("kek-1", altered), CONTEXT))
                .isInstanceOf(KeyUnavailableException.class);
        assertThatThrownBy(() -> kms.unwrap(new WrappedKey("kek-9", wrapped.bytes()), CONTEXT))
                .isInstanceOf(KeyUnavailableException.class)
                .hasMessageContaining("unknown key-encryption key kek-9");
    }

    @Test
    void aWrongPasswordOrAMissingKeystoreIsAClearError() throws IOException {
        Path keystore = dir.resolve("kek.p12");
        LocalKeyManagementService.open(keystore, "right".toCharArray(), true);

        assertThatThrownBy(() -> LocalKeyManagementService.open(keystore, "wrong".toCharArray(), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("wrong password?");
        assertThatThrownBy(() -> LocalKeyManagementService.open(dir.resolve("none.p12"), "x".toCharArray(), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not exist");
        assertThat(Files.exists(dir.resolve("none.p12"))).isFalse();
    }
}
