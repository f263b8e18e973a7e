package org.sparkdigits.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.HadoopFs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a model directory is committed, and its manifest. On file systems whose rename is atomic (HDFS, the local disk)
 * a model directory is written under a temporary name and renamed into place ({@link Mode#RENAME}). On object stores,
 * where a rename is a copy that a crash can leave half done ({@code s3a://}, {@code gs://}, {@code abfs://} ...), the
 * files are written in place and then {@value #NAME} last ({@link Mode#MANIFEST}): the name, size and SHA-256 of every
 * file. A reader of a directory on such a store refuses it without a manifest, or when a file does not match its entry
 * ("incomplete model: ..."); a manifest found anywhere else is checked too.
 *
 * <p>The Hadoop setting {@value #SETTING} ({@code auto}, {@code rename} or {@code manifest}; from Spark:
 * {@code --conf spark.hadoop.spark-digits.model.commit=manifest}) overrides the choice by scheme.
 */
public final class ModelManifest {

    public static final String NAME = "manifest.json";
    public static final String SETTING = "spark-digits.model.commit";
    /** The schemes of object stores (Hadoop's S3A, GCS, ABFS, WASB, OSS, COS, OBS connectors): manifest by default. */
    public static final Set<String> OBJECT_STORES = Set.of("s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "oss",
            "cos", "cosn", "obs");
    private static final String FORMAT = "spark-digits-manifest";
    /**
     * The largest file a manifest may list: the weights of the widest network ({@link NetworkShape#MAX_HIDDEN}) with
     * room for their header, and far above any text file of a model directory.
     */
    static final long MAX_LISTED = SafeTensors.MAX_HEADER + 8 + 8L * new NetworkShape(NetworkShape.MNIST_INPUTS,
            NetworkShape.MAX_HIDDEN, NetworkShape.MNIST_CLASSES).parameterCount();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How a model directory becomes visible. */
    public enum Mode { RENAME, MANIFEST }

    private ModelManifest() {
    }

    /**
     * The mode for a directory of {@code fs}: {@value #SETTING} if set, else {@link Mode#MANIFEST} on an object store.
     *
     * @throws ModelException for a setting that is none of auto, rename, manifest
     */
    public static Mode mode(FileSystem fs, Configuration conf) {
        String v = conf.getTrimmed(SETTING, "auto").toLowerCase(Locale.ROOT);
        switch (v) {
            case "rename":
                return Mode.RENAME;
            case "manifest":
                return Mode.MANIFEST;
            case "auto":
                String scheme = fs.getUri().getScheme();
                return scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(Locale.ROOT)) ? Mode.MANIFEST : Mode.RENAME;
            default:
                throw new ModelException(SETTING + " is " + Echo.value(v) + ": expected auto, rename or manifest");
        }
    }

    /** Writes the manifest of {@code files} (name to content) into {@code dir}. */
    static void write(FileSystem fs, Path dir, Map<String, byte[]> files) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", 1);
        ObjectNode entries = root.putObject("files");
        for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
            ObjectNode e = entries.putObject(f.getKey());
            e.put("size", f.getValue().length);
            e.put("sha256", sha256(f.getValue()));
        }
        try (OutputStream out = fs.create(new Path(dir, NAME), true)) {
            out.write(JSON.writeValueAsBytes(root));
        }
    }

    /** The entries of the manifest in {@code dir}, name to content, read back from the files it lists. */
    static Map<String, byte[]> listed(FileSystem fs, Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        Iterator<String> names = read(fs, dir).path("files").fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            out.put(n, ModelStore.readBounded(fs, new Path(dir, n), MAX_LISTED));
        }
        return out;
    }

    /**
     * Checks {@code dir} against its manifest: there is one where the mode needs it, and every file it lists has its
     * size and SHA-256, and no file of a model is there that it does not list.
     *
     * @throws ModelException "incomplete model: ..." naming the directory and what does not match
     */
    static void verify(FileSystem fs, Path dir, String shown, Configuration conf) {
        try {
            Path manifest = new Path(dir, NAME);
            if (!fs.exists(manifest)) {
                if (mode(fs, conf) == Mode.MANIFEST) {
                    throw new ModelException("incomplete model: " + shown + " has no " + NAME + " (on this file system the "
                            + "files are written first and the manifest last: the write was interrupted, or is still going on)");
                }
                return;
            }
            JsonNode files = read(fs, dir).path("files");
            if (!files.isObject() || files.size() == 0) {
                throw new ModelException("incomplete model: " + shown + "/" + NAME + " lists no files");
            }
            Iterator<Map.Entry<String, JsonNode>> it = files.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (!ModelStore.FILES.contains(name)) {
                    throw new ModelException("incomplete model: " + shown + "/" + NAME + " lists " + Echo.value(name)
                            + ", not a file of a model directory");
                }
                Path p = new Path(dir, name);
                if (!fs.exists(p)) {
                    throw new ModelException("incomplete model: " + shown + ": " + name + " is missing (the manifest lists it)");
                }
                long size = e.getValue().path("size").asLong(-1);
                FileStatus st = HadoopFs.check(fs, p, "model", MAX_LISTED);
                if (st.getLen() != size) {
                    throw new ModelException("incomplete model: " + shown + ": " + name + " is " + st.getLen()
                            + " bytes, the manifest says " + size);
                }
                String sum = sha256(fs, p);
                if (!sum.equals(e.getValue().path("sha256").asText())) {
                    throw new ModelException("incomplete model: " + shown + ": " + name + " does not have the SHA-256 the "
                            + "manifest gives (" + sum + " instead of " + Echo.value(e.getValue().path("sha256").asText()) + ")");
                }
            }
            for (FileStatus st : fs.listStatus(dir)) {
                String name = st.getPath().getName();
                if (ModelStore.FILES.contains(name) && !files.has(name)) {
                    throw new ModelException("incomplete model: " + shown + ": " + name + " is not in the manifest");
                }
            }
        } catch (ModelException e) {
            throw e;
        } catch (org.sparkdigits.io.InputException e) {   // the read gate: a FIFO, a device, a file too large
            throw new ModelException("incomplete model: " + e.getMessage());
        } catch (IOException e) {
            throw new ModelException("model " + shown + ": cannot check its manifest (" + e.getMessage() + ")", e);
        }
    }

    private static JsonNode read(FileSystem fs, Path dir) throws IOException {
        Path p = new Path(dir, NAME);
        JsonNode root;
        try {
            root = JSON.readTree(ModelStore.readBounded(fs, p, ModelStore.MAX_TEXT));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ModelException("incomplete model: " + p + ": not valid JSON", e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new ModelException("incomplete model: " + p + ": not a spark-digits manifest");
        }
        JsonNode version = root.get("format_version");
        if (version == null || !version.isIntegralNumber() || version.asLong() != 1) {
            throw new ModelException(p + ": format_version " + (version == null ? "is missing" : Echo.value(version.toString())
                    + " is not supported") + " (expected 1; a newer spark-digits may have written it)");
        }
        unknownFields(root, Set.of("format", "format_version", "files"), p.toString());
        JsonNode files = root.get("files");
        if (files != null && files.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = files.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = p + ": files." + Echo.value(e.getKey());
                if (!e.getValue().isObject()) {
                    throw new ModelException(at + " must be an object with size and sha256");
                }
                unknownFields(e.getValue(), Set.of("size", "sha256"), at);
                JsonNode size = e.getValue().get("size");
                if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
                    throw new ModelException(at + ".size must be a whole number of bytes, got "
                            + (size == null ? "nothing" : Echo.value(size.toString())));
                }
                JsonNode sum = e.getValue().get("sha256");
                if (sum == null || !sum.isTextual() || !sum.textValue().matches("[0-9a-f]{64}")) {
                    throw new ModelException(at + ".sha256 must be 64 lower-case hex digits, got "
                            + (sum == null ? "nothing" : Echo.value(sum.toString())));
                }
            }
        }
        return root;
    }

    private static void unknownFields(JsonNode node, Set<String> known, String at) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!known.contains(n)) {
                throw new ModelException(at + ": unknown field " + Echo.value(n) + " (known: " + String.join(", ",
                        new java.util.TreeSet<>(known)) + "; a newer spark-digits may have written it)");
            }
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static String sha256(FileSystem fs, Path p) throws IOException {
        MessageDigest d = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = HadoopFs.open(fs, p, "model", MAX_LISTED)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
