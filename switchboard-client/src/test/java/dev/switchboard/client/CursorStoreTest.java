package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorStoreTest {

    @Test
    void theMemoryStoreKeepsTheLastCursor() {
        CursorStore store = CursorStores.memory();
        assertThat(store.load()).isEmpty();

        store.save("a");
        store.save("b");

        assertThat(store.load()).contains("b");
    }

    @Test
    void theFileStoreCreatesItsDirectoriesAndReplacesTheFileAtomically(@TempDir Path dir) throws IOException {
        // given a store whose file and directories do not exist
        Path file = dir.resolve("a/b/reader.cursor");
        CursorStore store = CursorStores.file(file);
        assertThat(store.load()).isEmpty();

        // when saving twice
        store.save("first");
        store.save("second");

        // then the file holds the last cursor, no temporary file is left, and a new store reads it
        assertThat(Files.readString(file)).isEqualTo("second");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(CursorStores.file(file).load()).contains("second");
    }

    @Test
    void anEmptyFileMeansNoCursor(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c");
        Files.writeString(file, "  \n");

        assertThat(CursorStores.file(file).load()).isEmpty();
    }
}
