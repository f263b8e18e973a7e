package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * What the README and docs/ say stays true to the code, cheaply (no Spark): every {@code --option} they name exists,
 * the README's program is the example the tests compile and run, and the README keeps its shape.
 */
class DocsTest {

    /** Options of other programs the pages show, each with the program it belongs to. */
    private static final Map<String, String> OTHER_PROGRAMS = Map.of(
            "--class", "spark-submit itself (submit.sh sets it)",
            "--directory", "python3 -m http.server",
            "--threads", "bench/peers/torch_mlp.py",
            "--world", "bench/peers/torch_ddp.py",
            "--foo-bar", "the placeholder in 'train's --foo-bar is the builder's fooBar(...)'",
            "--hiden", "the mistyped option of the typo message's example");

    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("examples", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @Test
    void everyOptionTheReadmeAndDocsNameExists() throws IOException {
        Set<String> known = CliReference.optionNames();
        Set<String> unknown = new TreeSet<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = OPTION.matcher(lines.get(i));
                while (m.find()) {
                    if (!known.contains(m.group()) && !OTHER_PROGRAMS.containsKey(m.group())) {
                        unknown.add(page + ":" + (i + 1) + ": " + m.group());
                    }
                }
            }
        }
        assertEquals(Set.of(), unknown, "options named in the README or docs that no command, submit.sh or spark-submit "
                + "takes (a program's own options go in DocsTest.OTHER_PROGRAMS)");
    }

    @Test
    void theSparkSubmitOptionsListedAreTheOnesSubmitShPassesThrough() throws IOException {
        String script = Files.readString(Path.of("submit.sh"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("VALUE_OPTS=\"([^\"]*)\"").matcher(script);
        assertTrue(m.find(), "submit.sh's VALUE_OPTS");
        Set<String> passed = new TreeSet<>(Arrays.asList(m.group(1).replace("\\\n", " ").trim().split("\\s+")));
        passed.remove("-c");   // --conf's short form
        assertEquals(new TreeSet<>(CliReference.SPARK_SUBMIT_VALUE_OPTIONS), passed);
        Matcher f = Pattern.compile("FLAG_OPTS=\"([^\"]*)\"").matcher(script);
        assertTrue(f.find(), "submit.sh's FLAG_OPTS");
        assertEquals(new TreeSet<>(CliReference.SPARK_SUBMIT_FLAGS), new TreeSet<>(Arrays.asList(f.group(1).trim().split("\\s+"))));
    }

    @Test
    void theReadmesProgramIsTheExampleTheTestsRun() throws IOException {
        Path example = Path.of("examples", "java", "org", "sparkdigits", "examples", "TrainAndScore.java");
        String program = Files.readString(example, StandardCharsets.UTF_8);
        List<String> blocks = javaBlocks(Files.readString(Path.of("README.md"), StandardCharsets.UTF_8));
        assertEquals(1, blocks.size(), "the README's one Java block");
        assertEquals(program, blocks.get(0), "README.md's program differs from " + example + " (ExamplesTest runs that one)");
        // docs/library.md's first Java block is an excerpt of it: every line of it is a line of the program
        List<String> programLines = program.lines().map(String::strip).toList();
        String excerpt = javaBlocks(Files.readString(Path.of("docs", "library.md"), StandardCharsets.UTF_8)).get(0);
        for (String line : excerpt.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            assertTrue(programLines.contains(line), "docs/library.md: not a line of " + example + ": " + line);
        }
    }

    @Test
    void theReadmeStartsWithTheQuickStartAndStaysShort() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        assertTrue(lines.size() <= 200, "README.md has " + lines.size() + " lines: move detail to docs/");
        List<String> first40 = lines.subList(0, 40);
        for (String command : List.of("./submit.sh train", "./submit.sh predict", "./submit.sh report", "mvn test")) {
            assertTrue(first40.stream().anyMatch(l -> l.startsWith(command)), "the quick start's " + command);
        }
        // the one test command is CI's first step too
        assertTrue(Files.readString(Path.of(".ci", "run")).contains("\nmvn -B -Dstyle.color=never test\n"), ".ci/run runs mvn test");
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            assertTrue(!l.contains("../shared") && !l.matches(".*\\b20\\d\\d-\\d\\d-\\d\\d\\b.*"),
                    "README.md:" + (i + 1) + ": no ../shared paths and no dates in the README (docs/, bench/results/): " + l);
        }
    }

    /** The contents of the ```java blocks of a Markdown page. */
    private static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }
}
