package org.sparkdigits.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The main code's packages stay as docs/how-it-works.md's code map draws them: every package stands on a floor of
 * {@link #FLOORS}, and each of its references to the project's own types (an import or a fully qualified name, comments
 * left out) goes to a package on a lower floor: so no package imports one above it and no two packages import each
 * other, directly or round a circle. Only the packages of {@link #SPARK} call Spark (or Scala): the numeric core, the
 * transport, the specification and the formats' row syntax stay testable without it. No package holds more than
 * {@value #MAX_FILES} files, except those of {@link #OVER}, whose count may only fall. A new package fails the first test
 * until it is given a floor here (and a line in the code map). Reads src/main/java, not the classes.
 */
class PackageStructureTest {

    /** The floors, the ground first; names below {@code org.sparkdigits} ({@code ""} is that package itself). */
    static final List<List<String>> FLOORS = List.of(
            List.of("io", "collective", "core.numbers", "core.network"),
            List.of("data", "image", "core.block", "core.loss"),
            List.of("download", "format", "augment", "report", "core.kernel", "core.optim"),
            List.of("model", "train"),
            List.of("checkpoint"),
            List.of("spark.load"),
            List.of("spark"),
            List.of(""),
            List.of("cli"));

    /** The packages whose code may call Spark's API (or Scala's). */
    static final Set<String> SPARK = Set.of("format", "spark.load", "spark", "", "cli");

    /** Files a package may hold at most. */
    static final int MAX_FILES = 25;

    /** Packages above {@link #MAX_FILES} today, each with its count as a ceiling: to be split, never grown. */
    static final Map<String, Integer> OVER = Map.of();

    private static final Path MAIN = Path.of("src", "main", "java");
    private static final String ROOT = "org.sparkdigits";
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    /**
     * A reference to one of the project's types, or a whole package of them ({@code .*}): its package, then the type;
     * Java allows blanks (and comments, which {@link #code} makes blanks) around the dots.
     */
    private static final Pattern OWN_TYPE = Pattern.compile(
            "\\b(org\\s*\\.\\s*sparkdigits(?:\\s*\\.\\s*[a-z]\\w*)*)\\s*\\.\\s*(?:[A-Z]\\w*|\\*)");
    private static final Pattern SPARK_API = Pattern.compile(
            "\\b(?:org\\s*\\.\\s*apache\\s*\\.\\s*spark|org\\s*\\.\\s*sparkproject|scala)\\s*\\.");

    /** Every main source file: its package (below org.sparkdigits) and its code without comments or strings. */
    private static final Map<Path, Source> SOURCES = new TreeMap<>();

    private record Source(String pkg, String code) {
    }

    @BeforeAll
    static void read() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                Matcher m = PACKAGE.matcher(text);
                if (!m.find()) {
                    throw new AssertionError(f + " declares no package");
                }
                SOURCES.put(MAIN.relativize(f), new Source(relative(m.group(1)), code(text)));
            }
        }
    }

    @Test
    void everyPackageStandsOnAFloor() {
        Set<String> drawn = new TreeSet<>();
        FLOORS.forEach(drawn::addAll);
        Set<String> found = new TreeSet<>();
        SOURCES.values().forEach(s -> found.add(s.pkg()));
        assertEquals(drawn, found, "the packages of src/main/java against FLOORS: give a new package its floor (and "
                + "docs/how-it-works.md's code map its line); drop one that is gone");
    }

    @Test
    void everyReferenceGoesToALowerFloor() {
        List<String> upOrAcross = new ArrayList<>();
        SOURCES.forEach((file, s) -> {
            Matcher m = OWN_TYPE.matcher(s.code());
            Set<String> targets = new TreeSet<>();
            while (m.find()) {
                targets.add(relative(m.group(1).replaceAll("\\s", "")));
            }
            for (String t : targets) {
                if (!t.equals(s.pkg()) && floor(t) >= floor(s.pkg())) {
                    upOrAcross.add(file + " (" + name(s.pkg()) + ", floor " + (floor(s.pkg()) + 1) + ") -> " + name(t)
                            + " (floor " + (floor(t) + 1) + ")");
                }
            }
        });
        assertEquals(List.of(), upOrAcross, "references to a package on the same floor or above: a circle between "
                + "packages, or an arrow back up");
    }

    @Test
    void onlyTheSparkLayerCallsSpark() {
        List<String> calls = new ArrayList<>();
        SOURCES.forEach((file, s) -> {
            if (!SPARK.contains(s.pkg()) && SPARK_API.matcher(s.code()).find()) {
                calls.add(file.toString());
            }
        });
        assertEquals(List.of(), calls, "Spark or Scala used outside "
                + SPARK.stream().map(PackageStructureTest::name).sorted().toList());
    }

    @Test
    void noPackageOutgrowsItsCeiling() {
        Map<String, Integer> files = new TreeMap<>();
        SOURCES.forEach((file, s) -> {
            if (!file.getFileName().toString().equals("package-info.java")) {
                files.merge(s.pkg(), 1, Integer::sum);
            }
        });
        List<String> over = new ArrayList<>();
        files.forEach((pkg, n) -> {
            int ceiling = OVER.getOrDefault(pkg, MAX_FILES);
            if (n > ceiling) {
                over.add(name(pkg) + ": " + n + " files, at most " + ceiling);
            }
        });
        assertEquals(List.of(), over, "packages over their size: split by concern");
    }

    /** The floor of {@code pkg}, its index in {@link #FLOORS}; a package without one fails. */
    private static int floor(String pkg) {
        for (int i = 0; i < FLOORS.size(); i++) {
            if (FLOORS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package " + name(pkg) + " has no floor in PackageStructureTest.FLOORS");
    }

    private static String relative(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.startsWith(ROOT + ".") ? pkg.substring(ROOT.length() + 1) : pkg;
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? ROOT : pkg;
    }

    /**
     * {@code text} without its comments and the contents of its string literals (a message may name a class; a name in
     * a string, as for {@code Class.forName}, is not seen: the main code has none). A text block ends at the first
     * {@code """} after it opens.
     */
    static String code(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? text.length() : end + 2;
                out.append(' ');
            } else if (text.startsWith("//", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                i = end < 0 ? text.length() : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < text.length() && text.charAt(j) != c) {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
