package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, checked on the sources: a package uses only the packages
 * below it, so no two packages import each other. "" is the ground floor, io.dlrhub itself.
 */
class PackageLayersTest {

    private static final Path SOURCES = Path.of("src/main/java/io/dlrhub");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.dlrhub\\.(?:([a-z]+)\\.)?[A-Z]");

    /** Which packages each package may use (besides itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("", Set.of()),
            Map.entry("observe", Set.of("")),
            Map.entry("event", Set.of("")),
            Map.entry("auth", Set.of("", "observe")),
            Map.entry("store", Set.of("", "event")),
            Map.entry("outbox", Set.of("", "observe", "event", "store")),
            Map.entry("alert", Set.of("", "outbox")),
            Map.entry("crm", Set.of("", "auth", "outbox")),
            Map.entry("http", Set.of("", "auth")),
            Map.entry("ingress", Set.of("", "http", "auth", "event", "store")),
            Map.entry("retention", Set.of("", "store")),
            Map.entry("ops", Set.of("", "http", "auth", "event", "store", "outbox", "retention")),
            Map.entry("contract", Set.of("", "event", "outbox")),
            Map.entry("app", Set.of("", "event", "store", "outbox")));

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
        Map<String, Set<String>> uses = uses();
        assertThat(uses.keySet())
                .as("packages with a declared place in the layers")
                .isSubsetOf(ALLOWED.keySet());
        uses.forEach((pkg, used) -> assertThat(used)
                .as("packages that %s uses", pkg.isEmpty() ? "io.dlrhub" : pkg)
                .isSubsetOf(ALLOWED.get(pkg)));
    }

    @Test
    void noTwoPackagesImportEachOther() throws IOException {
        Map<String, Set<String>> uses = uses();
        uses.forEach((pkg, used) -> used.forEach(other -> assertThat(uses.getOrDefault(other, Set.of()))
                .as("%s uses %s, and %s uses %s", pkg, other, other, pkg)
                .doesNotContain(pkg)));
    }

    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file.getParent() == null ? file : file.getParent());
                String pkg = relative.toString().replace('/', '.');
                Set<String> used = uses.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher reference = REFERENCE.matcher(Files.readString(file));
                while (reference.find()) {
                    String other = reference.group(1) == null ? "" : reference.group(1);
                    if (!other.equals(pkg)) {
                        used.add(other);
                    }
                }
            }
        }
        return uses;
    }
}
