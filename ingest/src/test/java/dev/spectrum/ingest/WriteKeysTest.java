package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write keys from SPECTRUM_WRITE_KEYS and from a folder laid out as Kubernetes mounts a Secret. */
class WriteKeysTest {

    /** A Secret volume: each key a link into ..data, which links to a timestamped folder. */
    static Path mountedSecret(Path root, String version, String... namesAndKeys) throws Exception {
        Path data = Files.createDirectory(root.resolve("..2026_12_01_" + version));
        for (int i = 0; i < namesAndKeys.length; i += 2) {
            Files.writeString(data.resolve(namesAndKeys[i]), namesAndKeys[i + 1]);
        }
        Path link = root.resolve("..data");
        Path tmp = root.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, data.getFileName());
        Files.move(tmp, link, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        for (int i = 0; i < namesAndKeys.length; i += 2) {
            Path key = root.resolve(namesAndKeys[i]);
            if (!Files.exists(key, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(key, Path.of("..data").resolve(namesAndKeys[i]));
            }
        }
        return root;
    }

    @Test
    void aMountedSecretGivesOneKeyPerFileNamedByTheFile(@TempDir Path dir) throws Exception {
        mountedSecret(dir, "a", "web", "wk_web_1\n", "mobile", "  wk_mobile_1  ");
        Files.writeString(dir.resolve(".hidden"), "wk_hidden");
        var keys = WriteKeys.load("cli=wk_cli_1", dir);
        assertThat(keys.names()).containsExactly("cli", "mobile", "web");
        assertThat(keys.nameOf("wk_web_1")).contains("web");
        assertThat(keys.nameOf("wk_mobile_1")).contains("mobile"); // surrounding whitespace trimmed
        assertThat(keys.nameOf("wk_cli_1")).contains("cli");
        assertThat(keys.nameOf("wk_hidden")).isEmpty();
        assertThat(keys.nameOf("wk_web_1\n")).isEmpty();
    }

    @Test
    void aRotatedSecretIsTakenOnReload(@TempDir Path dir) throws Exception {
        mountedSecret(dir, "a", "web", "wk_web_1");
        var keys = WriteKeys.load("", dir);
        assertThat(keys.reload()).isFalse();
        mountedSecret(dir, "b", "web", "wk_web_2");
        assertThat(keys.reload()).isTrue();
        assertThat(keys.nameOf("wk_web_1")).isEmpty();
        assertThat(keys.nameOf("wk_web_2")).contains("web");
    }

    @Test
    void aBrokenFolderOnReloadKeepsTheKeysInUse(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("web"), "wk_web_1");
        var keys = WriteKeys.load("", dir);
        Files.writeString(dir.resolve("mobile"), "   ");
        assertThatThrownBy(keys::reload).hasMessageContaining("write key file mobile").hasMessageContaining("is empty")
                .hasMessageNotContaining("wk_web_1");
        assertThat(keys.nameOf("wk_web_1")).contains("web");
    }

    @Test
    void oneNameInBothSourcesIsAnErrorThatNamesItButNotTheKey(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("web"), "wk_web_file");
        assertThatThrownBy(() -> WriteKeys.load("web=wk_web_env", dir))
                .hasMessageContaining("'web' is both in SPECTRUM_WRITE_KEYS and a file in SPECTRUM_WRITE_KEYS_DIR")
                .hasMessageNotContaining("wk_web_file").hasMessageNotContaining("wk_web_env");
    }

    @Test
    void aFolderThatIsNotThereIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> WriteKeys.load("", dir.resolve("absent")))
                .hasMessageContaining("SPECTRUM_WRITE_KEYS_DIR is ").hasMessageContaining("which is not a folder");
    }

    @Test
    void withoutAFolderTheSettingAloneCounts() {
        var keys = WriteKeys.load("web=k1", null);
        assertThat(keys.names()).containsExactly("web");
        assertThat(keys.reload()).isFalse();
    }
}
