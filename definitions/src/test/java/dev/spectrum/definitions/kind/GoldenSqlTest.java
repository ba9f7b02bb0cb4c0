package dev.spectrum.definitions.kind;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.files.DefinitionFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden SQL: the exact text the generator makes for the examples ({@code examples/*.yaml}) and
 * for the definitions under {@code src/test/resources/golden/definitions}, compared byte for byte
 * with the committed {@code src/test/resources/golden/sql/<kind>-<name>.sql} (each file is what
 * {@code createSql()} returns, so its SHA-256 is the definition's sqlHash). A change to the
 * generator shows in review as a change to these files. To write them afresh after an intended
 * change (docs/golden-sql.md):
 * <pre>mvn -B -ntp -pl definitions -am verify -Dtest=GoldenSqlTest -Dsurefire.failIfNoSpecifiedTests=false -Dspectrum.golden.update=true</pre>
 * No database.
 */
class GoldenSqlTest {

    static final String UPDATE = "spectrum.golden.update";
    private static final Path EXAMPLES = Path.of("../examples");
    private static final Path DEFINITIONS = Path.of("src/test/resources/golden/definitions");
    private static final Path GOLDEN = Path.of("src/test/resources/golden/sql");

    /** Every definition's golden file name and its SQL, sorted by file name. */
    static Map<String, String> generated() throws IOException {
        Map<String, String> sql = new TreeMap<>();
        for (Path source : List.of(EXAMPLES, DEFINITIONS)) {
            for (var document : DefinitionFiles.load(source)) {
                Definition d = DefinitionKind.of(document.resource()).check(document.resource());
                String file = d.kind().toLowerCase(Locale.ROOT) + "-" + d.name() + ".sql";
                assertThat(sql.put(file, d.createSql())).as("two definitions make %s (%s)", file, document.where()).isNull();
            }
        }
        return sql;
    }

    @TestFactory
    Stream<DynamicTest> theGeneratedSqlIsTheCommittedSqlByteForByte() throws IOException {
        Map<String, String> generated = generated();
        boolean update = Boolean.getBoolean(UPDATE);
        if (update) {
            Files.createDirectories(GOLDEN);
            for (var entry : generated.entrySet()) {
                Files.writeString(GOLDEN.resolve(entry.getKey()), entry.getValue(), StandardCharsets.UTF_8);
            }
            for (String stale : committed()) {
                if (!generated.containsKey(stale)) {
                    Files.delete(GOLDEN.resolve(stale));
                }
            }
        }
        return generated.entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
            Path file = GOLDEN.resolve(entry.getKey());
            assertThat(file).as("%s has no golden file yet: run with -D%s=true and commit it", entry.getKey(), UPDATE).exists();
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                    .as("the generated SQL of %s differs from the committed file; if the change is intended, run with -D%s=true"
                            + " (docs/golden-sql.md) and commit the new file", entry.getKey(), UPDATE)
                    .isEqualTo(entry.getValue());
        }));
    }

    @Test
    void everyGoldenFileBelongsToADefinitionAndEveryKindAndOrderIsCovered() throws IOException {
        Map<String, String> generated = generated();
        assertThat(committed()).as("golden files without a definition: run with -D%s=true", UPDATE)
                .containsExactlyInAnyOrderElementsOf(generated.keySet());
        String all = String.join("\n", generated.values());
        // what the golden set is meant to pin: every order, both breakdowns, exclusions, each correction
        assertThat(all).contains("nexts AS", "evb AS", "u0 AS", "e.properties ->> E'utm_source'", "g.country_code",
                "AND NOT (a.e", "\n    JOIN warehouse.dim_accounts a ON a.account_key = e.account_key\n");
        assertThat(generated.values()).anySatisfy(sql -> assertThat(sql).contains("p_value AS p_adjusted"))
                .anySatisfy(sql -> assertThat(sql).contains("max(least(1, (tests - i + 1) * p_value))"))
                .anySatisfy(sql -> assertThat(sql).contains("min(least(1, tests * p_value / i))"));
        for (DefinitionKind kind : DefinitionKind.values()) {
            assertThat(generated.keySet()).as(kind.kindName()).anyMatch(f -> f.startsWith(kind.kindName().toLowerCase(Locale.ROOT) + "-"));
        }
    }

    private static List<String> committed() {
        if (!Files.isDirectory(GOLDEN)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(GOLDEN)) {
            return new ArrayList<>(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
