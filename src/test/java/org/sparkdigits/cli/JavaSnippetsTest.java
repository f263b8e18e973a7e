package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java snippets of the library and model-directory pages compile against the code as it is: each ```java block of
 * docs/library.md and docs/model-directory.md, as the page has it, becomes the body of a method whose parameters are
 * the names the snippets take as given ({@code spark}, {@code train}, {@code test}, {@code modelDir}, {@code schema},
 * {@code pixels}, {@code n}), with the imports a reader would add, and javac (no Spark is started) must accept it.
 * The complete program of the README is examples/java's, which the build compiles and ExamplesTest runs.
 */
class JavaSnippetsTest {

    private static final String IMPORTS = """
            import java.nio.DoubleBuffer;
            import java.util.Map;
            import ai.onnxruntime.OnnxTensor;
            import ai.onnxruntime.OrtEnvironment;
            import ai.onnxruntime.OrtSession;
            import org.apache.spark.sql.Dataset;
            import org.apache.spark.sql.Row;
            import org.apache.spark.sql.SparkSession;
            import org.apache.spark.sql.types.StructType;
            import org.sparkdigits.DigitModel;
            import org.sparkdigits.DigitScores;
            import org.sparkdigits.DigitTrainer;
            """;

    @TempDir
    Path dir;

    @Test
    void theDocsJavaSnippetsCompile() throws IOException {
        List<String> snippets = new ArrayList<>();
        for (String page : List.of("docs/library.md", "docs/model-directory.md")) {
            List<String> found = blocks(Files.readString(Path.of(page)));
            assertTrue(!found.isEmpty(), page + " has no ```java block");
            snippets.addAll(found);
        }
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < snippets.size(); i++) {
            sources.add(Files.writeString(dir.resolve("Snippet" + i + ".java"), IMPORTS + "\nclass Snippet" + i + " {\n"
                    + "    @SuppressWarnings(\"unused\")\n"
                    + "    static void run(SparkSession spark, Dataset<Row> train, Dataset<Row> test, String modelDir,\n"
                    + "                    StructType schema, double[] pixels, long n) throws Exception {\n"
                    + snippets.get(i).indent(8) + "    }\n}\n", StandardCharsets.UTF_8));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-proc:none", "-d", Files.createDirectories(dir.resolve("classes"))
                .toString(), "-cp", System.getProperty("java.class.path")));
        sources.forEach(s -> args.add(s.toString()));
        int code = javac.run(null, errors, errors, args.toArray(String[]::new));
        assertEquals(0, code, "a snippet of docs/ does not compile:\n" + errors.toString(StandardCharsets.UTF_8));
    }

    private static List<String> blocks(String page) {
        List<String> found = new ArrayList<>();
        int from = 0;
        while ((from = page.indexOf("```java\n", from)) >= 0) {
            int to = page.indexOf("```", from + 8);
            found.add(page.substring(from + 8, to));
            from = to + 3;
        }
        return found;
    }
}
