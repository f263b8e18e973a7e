package org.sparkdigits.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.sparkdigits.core.NetworkShape;
import org.sparkdigits.core.Parameters;

/**
 * A model directory:
 * <pre>
 *   model.safetensors   the weights ({@link SafeTensors})
 *   model.json          architecture, input scaling, training settings and seed
 *   metrics.json        test/train accuracy and loss, timings
 *   history.csv         iteration,loss,train_accuracy,elapsed_ms
 * </pre>
 * Written atomically: everything goes to a temporary sibling directory that is then renamed into place,
 * so a model directory is either complete or absent, and an existing model is never half-overwritten.
 * No Java serialization.
 */
public final class ModelStore {

    public static final String WEIGHTS = "model.safetensors";
    public static final String MODEL_JSON = "model.json";
    public static final String METRICS_JSON = "metrics.json";
    public static final String HISTORY_CSV = "history.csv";
    public static final String FORMAT = "spark-digits";
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelStore() {
    }

    /**
     * Fails early, before any training, if {@code dir} could not receive a model: it exists and is not a
     * model directory (nor empty), or its parent cannot be created or written.
     */
    public static void checkTarget(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new ModelException("--out " + dir + " exists and is a file, not a model directory");
            }
            if (!Files.exists(abs.resolve(MODEL_JSON)) && !isEmpty(abs)) {
                throw new ModelException("--out " + dir + " exists and is not a model directory (no " + MODEL_JSON
                        + "); refusing to replace it");
            }
        }
        Path parent = abs.getParent();
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new ModelException("--out " + dir + ": cannot create it (" + existing + " is not a writable directory)");
        }
    }

    /** Writes the model directory atomically. */
    public static void write(Path dir, Model model, Map<String, Object> metrics, List<String> historyCsv) {
        write(dir, model, metrics, historyCsv, Map.of());
    }

    /** Writes the model directory atomically, with {@code extraFiles} (name → content, e.g. the charts) in it. */
    public static void write(Path dir, Model model, Map<String, Object> metrics, List<String> historyCsv,
                             Map<String, byte[]> extraFiles) {
        checkTarget(dir);
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp-");
            try {
                makeReadable(tmp);
                Files.write(tmp.resolve(WEIGHTS), SafeTensors.encode(model.parameters()));
                JSON.writeValue(tmp.resolve(MODEL_JSON).toFile(), modelJson(model));
                JSON.writeValue(tmp.resolve(METRICS_JSON).toFile(), metrics);
                Files.write(tmp.resolve(HISTORY_CSV), historyCsv, StandardCharsets.UTF_8);
                for (Map.Entry<String, byte[]> f : extraFiles.entrySet()) {
                    Files.write(tmp.resolve(f.getKey()), f.getValue());
                }
                replace(tmp, abs);
            } finally {
                deleteRecursively(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Moves {@code tmp} to {@code target}; an existing target is moved aside first and then deleted. */
    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    static ObjectNode modelJson(Model model) {
        NetworkShape s = model.parameters().shape();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("weights", WEIGHTS);
        ObjectNode arch = root.putObject("architecture");
        arch.put("inputs", s.inputs());
        arch.put("hidden", s.hidden());
        arch.put("classes", s.classes());
        arch.put("hidden_activation", model.activation().id());
        arch.put("output", "softmax");
        arch.put("loss", "cross_entropy");
        arch.put("equations", "z1 = W1 @ x + b1; a1 = " + (model.activation() == org.sparkdigits.core.Activation.RELU
                ? "max(z1, 0)" : "1 / (1 + exp(-z1))") + "; p = softmax(W2 @ a1 + b2)");
        ObjectNode scaling = root.putObject("input_scaling");
        scaling.put("pixel_divisor", 255.0);
        scaling.put("description", "x = pixel / 255, pixels 0-255 in row-major 28x28 order");
        root.set("training", JSON.valueToTree(model.training()));
        return root;
    }

    /** Reads and checks a model directory. */
    public static Model read(Path dir) {
        Path json = dir.resolve(MODEL_JSON);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isDirectory(dir)) {
            throw new ModelException("model " + dir + ": no such directory");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ModelException(json + ": missing: " + dir + " is not a model directory");
        } catch (IOException e) {
            throw new ModelException(json + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new ModelException(json + ": not a " + FORMAT + " model (format is " + (root == null ? "missing" : root.path("format")) + ")");
        }
        if (root.path("format_version").asInt(-1) != FORMAT_VERSION) {
            throw new ModelException(json + ": format_version " + root.path("format_version") + " is not supported (expected " + FORMAT_VERSION + ")");
        }
        JsonNode arch = root.path("architecture");
        NetworkShape shape;
        try {
            shape = new NetworkShape(arch.path("inputs").asInt(-1), arch.path("hidden").asInt(-1), arch.path("classes").asInt(-1));
        } catch (IllegalArgumentException e) {
            throw new ModelException(json + ": bad architecture: " + e.getMessage());
        }
        if (shape.inputs() != NetworkShape.MNIST_INPUTS || shape.classes() != NetworkShape.MNIST_CLASSES) {
            throw new ModelException(json + ": architecture " + shape + " is not 784-H-10");
        }
        org.sparkdigits.core.Activation activation;
        try {
            activation = org.sparkdigits.core.Activation.parse(arch.path("hidden_activation").asText());
        } catch (IllegalArgumentException e) {
            throw new ModelException(json + ": hidden_activation " + arch.path("hidden_activation") + " is not supported");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(weights);
        } catch (NoSuchFileException e) {
            throw new ModelException(weights + ": missing");
        } catch (IOException e) {
            throw new ModelException(weights + ": cannot read (" + e.getMessage() + ")", e);
        }
        Parameters p = SafeTensors.decode(bytes, shape, weights.toString());
        for (double v : p.values()) {
            if (!Double.isFinite(v)) {
                throw new ModelException(weights + ": holds a non-finite weight (" + v + ")");
            }
        }
        Map<String, Object> training = JSON.convertValue(root.path("training"), new TypeReference<Map<String, Object>>() { });
        return new Model(p, activation, training == null ? Map.of() : training);
    }

    /** Temporary directories are created owner-only; a model directory should be like any other. */
    private static void makeReadable(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: keep what it gave
        }
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }
}
