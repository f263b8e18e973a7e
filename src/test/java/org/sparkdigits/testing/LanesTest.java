package org.sparkdigits.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The test lanes hold what their tags say (pom.xml's profile {@code quick} leaves out {@code cluster} and {@code slow};
 * CI's Spark 4.0 and 4.1 lines run {@code spark-layer}; docs/testing.md). A scan of src/test/java, its sources for what
 * starts a cluster and its compiled classes for their tags:
 * <ul>
 *   <li>only the lanes' tags are used: a misspelt one would leave its test in the quick lane unnoticed;</li>
 *   <li>a class that starts a cluster is tagged {@code cluster} on the class (its {@code @BeforeAll} may start it, which
 *       a method's tag does not keep out of the quick lane): a Spark standalone Master or Worker, {@code local-cluster},
 *       a MiniDFSCluster or a MiniYARNCluster, directly or through a helper of src/test/java that starts one
 *       ({@code testing/StandaloneCluster}, {@code testing/MiniHadoop});</li>
 *   <li>the classes of {@code cluster/} are tagged {@code cluster};</li>
 *   <li>the classes of the packages whose code calls Spark's API ({@code org.sparkdigits}, {@code spark},
 *       {@code format}) are tagged {@code spark-layer}, so the Spark lines CI builds run them.</li>
 * </ul>
 */
class LanesTest {

    static final String CLUSTER = "cluster";
    static final String SLOW = "slow";
    static final String SPARK_LAYER = "spark-layer";

    /** What in a source file's code (comments left out) starts a cluster. */
    private static final List<String> CLUSTER_STARTS = List.of("MiniDFSCluster", "MiniYARNCluster", "local-cluster[",
            "org.apache.spark.deploy.master.Master", "org.apache.spark.deploy.worker.Worker");

    /** Test packages whose classes are Spark-layer tests (their main code calls Spark's API). */
    private static final Set<String> SPARK_LAYER_PACKAGES = Set.of("org.sparkdigits", "org.sparkdigits.spark",
            "org.sparkdigits.format");

    private static final Path SOURCES = Path.of("src", "test", "java");

    /** Every class of src/test/java by name, with its code without comments. */
    private static Map<String, String> sources() throws IOException {
        Map<String, String> code = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = SOURCES.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
                code.put(name.substring(0, name.length() - ".java".length()),
                        withoutComments(Files.readString(f, StandardCharsets.UTF_8)));
            }
        }
        return code;
    }

    /** The classes (by name) that hold tests, each loaded. */
    private static Map<String, Class<?>> testClasses(Map<String, String> sources) throws ClassNotFoundException {
        Map<String, Class<?>> tests = new LinkedHashMap<>();
        for (String name : sources.keySet()) {
            Class<?> c = Class.forName(name, false, LanesTest.class.getClassLoader());
            if (Stream.of(c.getDeclaredMethods()).anyMatch(m -> AnnotationSupport.isAnnotated(m, Testable.class))) {
                tests.put(name, c);
            }
        }
        return tests;
    }

    private static Set<String> tags(AnnotatedElement e) {
        return AnnotationSupport.findRepeatableAnnotations(e, Tag.class).stream().map(Tag::value)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyTagIsALanesName() throws Exception {
        List<String> unknown = new ArrayList<>();
        for (Class<?> c : testClasses(sources()).values()) {
            List<AnnotatedElement> elements = new ArrayList<>(List.of(c));
            elements.addAll(List.of(c.getDeclaredMethods()));
            for (AnnotatedElement e : elements) {
                for (String tag : tags(e)) {
                    if (!Set.of(CLUSTER, SLOW, SPARK_LAYER).contains(tag)) {
                        unknown.add(e + ": @Tag(\"" + tag + "\")");
                    }
                }
            }
        }
        assertEquals(List.of(), unknown, "tags other than cluster, slow and spark-layer");
    }

    @Test
    void aClassThatStartsAClusterIsTaggedClusterOnTheClass() throws Exception {
        Map<String, String> sources = sources();
        Map<String, Class<?>> tests = testClasses(sources);
        // the helpers that start one: testing/StandaloneCluster, testing/MiniHadoop
        List<String> helpers = sources.entrySet().stream().filter(e -> !tests.containsKey(e.getKey()))
                .filter(e -> CLUSTER_STARTS.stream().anyMatch(e.getValue()::contains))
                .map(e -> e.getKey().substring(e.getKey().lastIndexOf('.') + 1)).toList();
        assertTrue(helpers.containsAll(List.of("StandaloneCluster", "MiniHadoop")), "the scan finds the helpers: " + helpers);
        List<String> untagged = new ArrayList<>();
        for (Map.Entry<String, Class<?>> t : tests.entrySet()) {
            if (t.getValue() == LanesTest.class) {
                continue;   // its list of what starts a cluster
            }
            String code = sources.get(t.getKey());
            List<String> starts = new ArrayList<>(CLUSTER_STARTS.stream().filter(code::contains).toList());
            helpers.stream().filter(h -> code.matches("(?s).*\\bnew\\s+" + h + "\\s*\\(.*")).forEach(h -> starts.add("new " + h));
            if (t.getKey().startsWith("org.sparkdigits.cluster.")) {
                starts.add("in cluster/");
            }
            if (!starts.isEmpty() && !tags(t.getValue()).contains(CLUSTER)) {
                untagged.add(t.getKey() + " (" + String.join(", ", starts) + ")");
            }
        }
        assertEquals(List.of(), untagged, "classes that start a cluster without @Tag(\"cluster\") on the class");
        List<String> onMethods = new ArrayList<>();
        for (Class<?> c : tests.values()) {
            for (Method m : c.getDeclaredMethods()) {
                if (tags(m).contains(CLUSTER)) {
                    onMethods.add(c.getSimpleName() + "." + m.getName());
                }
            }
        }
        assertEquals(List.of(), onMethods, "cluster is a class's tag: its @BeforeAll would start the cluster in the quick lane");
    }

    @Test
    void theSparkLayersPackagesAreTaggedSparkLayer() throws Exception {
        List<String> untagged = new ArrayList<>();
        for (Class<?> c : testClasses(sources()).values()) {
            if (SPARK_LAYER_PACKAGES.contains(c.getPackageName()) && !tags(c).contains(SPARK_LAYER)) {
                untagged.add(c.getName());
            }
        }
        assertEquals(List.of(), untagged, "classes of " + new TreeSet<>(SPARK_LAYER_PACKAGES)
                + " without @Tag(\"spark-layer\"): CI's Spark 4.0 and 4.1 lines would not run them");
    }

    @Test
    void theScanReadsCodeNotComments() {
        assertEquals("String s = \"local-cluster[2] // not a comment\";  int x; \n", withoutComments(
                "String s = \"local-cluster[2] // not a comment\"; /* MiniDFSCluster */ int x; // MiniYARNCluster\n"));
        assertEquals("char c = '\"'; a();\n", withoutComments("char c = '\"'; /** a \"b\" */a();\n"));
    }

    /** Java source without its comments; string and character literals kept. */
    static String withoutComments(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                int end = Math.min(j + 1, src.length());
                out.append(src, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
