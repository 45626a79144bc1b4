package dev.switchboard.core.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyFilesTest {
    @TempDir
    Path dir;

    @Test
    void aSecretIsWrittenOwnerOnlyAndReplacesTheOldOneWithNoTemporaryLeft() throws Exception {
        Path secret = dir.resolve("sub/secret");

        OwnerOnlyFiles.write(secret, "first".getBytes(StandardCharsets.UTF_8));
        OwnerOnlyFiles.write(secret, "second".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(secret)).isEqualTo("second");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                .isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(secret.getParent())) {
            assertThat(files).containsExactly(secret);
        }
    }

    @Test
    void aPrivateDirectoryIsOwnerOnlyAndPublishMakesItsFileOwnerOnly() throws Exception {
        Path privateDir = OwnerOnlyFiles.privateDirectory(dir);
        Path made = Files.writeString(privateDir.resolve("store"), "key");
        Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-r--r--"));

        OwnerOnlyFiles.publish(made, dir.resolve("store"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateDir)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("store"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("store"))).isEqualTo("key");
    }
}
