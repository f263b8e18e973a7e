package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.DigitModel;
import org.sparkdigits.model.ModelException;
import org.sparkdigits.model.ModelManifest;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/**
 * Data, checkpoints and models on a real HDFS (a MiniDFSCluster on loopback, one DataNode, in this JVM): train reads
 * its data from HDFS and writes the model and checkpoints there, the model is byte for byte the one a local run
 * writes, evaluate reads it back, the library saves and loads model directories there, and a directory on HDFS that
 * is not a model is never replaced.
 */
@Tag("cluster")
@Tag("spark-layer")
class HdfsTest {

    @TempDir
    static Path dir;

    private static MiniDFSCluster cluster;
    private static FileSystem fs;
    private static String root;

    @BeforeAll
    static void start() throws IOException {
        SparkTestSession.get();
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        fs = cluster.getFileSystem();
        root = "hdfs://localhost:" + cluster.getNameNodePort();
        Path train = TestCsv.labelled(dir.resolve("train.csv"), 120, 91, true);
        Path test = TestCsv.labelled(dir.resolve("test.csv"), 40, 92, true);
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(train.toUri()), new org.apache.hadoop.fs.Path(root + "/in/train.csv"));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(test.toUri()), new org.apache.hadoop.fs.Path(root + "/in/test.csv"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    private static byte[] read(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        byte[] b = new byte[(int) fs.getFileStatus(p).getLen()];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(b);
        }
        return b;
    }

    private static Set<String> names(String path) throws IOException {
        Set<String> s = new TreeSet<>();
        Arrays.stream(fs.listStatus(new org.apache.hadoop.fs.Path(path))).forEach(f -> s.add(f.getPath().getName()));
        return s;
    }

    @Test
    void trainOnHdfsWritesTheLocalRunsModelAndItsCheckpointsThere() throws IOException {
        String[] options = {"--hidden", "8", "--batch-size", "20", "--epochs", "2", "--optimizer", "adam", "--lr", "0.01",
                "--partitions", "2", "--seed", "3"};
        CliRun onHdfs = CliRun.of(concat(new String[] {"train", "--data", root + "/in/train.csv", "--test",
                root + "/in/test.csv", "--out", root + "/models/m", "--checkpoint-dir", root + "/ck", "--checkpoint-every",
                "5"}, options));
        assertEquals(0, onHdfs.code(), onHdfs.err());
        Path local = dir.resolve("local-model");
        CliRun onDisk = CliRun.of(concat(new String[] {"train", "--data", dir.resolve("train.csv").toString(), "--test",
                dir.resolve("test.csv").toString(), "--out", local.toString()}, options));
        assertEquals(0, onDisk.code(), onDisk.err());
        assertArrayEquals(Files.readAllBytes(local.resolve("model.safetensors")), read(root + "/models/m/model.safetensors"));
        assertTrue(names(root + "/models/m").containsAll(Set.of("model.json", "metrics.json", "history.csv", "loss.png")),
                names(root + "/models/m").toString());
        assertTrue(names(root + "/ck").stream().anyMatch(n -> n.startsWith("ckpt-")), names(root + "/ck").toString());
        assertTrue(!names(root + "/ck").contains(org.sparkdigits.checkpoint.CheckpointLease.NAME), "the lease is let go of on HDFS too");
        // a directory on HDFS that another run holds is refused, naming that run
        try (var held = org.sparkdigits.checkpoint.CheckpointLease.acquire(root + "/ck2", java.util.Optional.empty(),
                new Configuration())) {
            CliRun second = CliRun.of(concat(new String[] {"train", "--data", root + "/in/train.csv", "--out",
                    root + "/models/m2", "--checkpoint-dir", root + "/ck2"}, options));
            assertEquals(2, second.code(), second.err());
            assertTrue(second.err().contains("--checkpoint-dir " + root + "/ck2 is in use by the run on host ")
                    && second.err().contains("(pid " + ProcessHandle.current().pid() + ")"), second.err());
        }
        assertTrue(!names(root + "/ck2").contains(org.sparkdigits.checkpoint.CheckpointLease.NAME), names(root + "/ck2").toString());
        // and the model is read back from HDFS
        CliRun evaluate = CliRun.of("evaluate", "--model", root + "/models/m", "--data", root + "/in/test.csv");
        assertEquals(0, evaluate.code(), evaluate.err());
        assertTrue(evaluate.out().contains("accuracy"), evaluate.out());
        // predictions and the ONNX graph written to HDFS are the files a local run writes
        Path localCsv = dir.resolve("p.csv");
        assertEquals(0, CliRun.of("predict", "--model", local.toString(), "--data", dir.resolve("test.csv").toString(),
                "--out", localCsv.toString()).code());
        CliRun predict = CliRun.of("predict", "--model", root + "/models/m", "--data", root + "/in/test.csv", "--out",
                root + "/out/p.csv");
        assertEquals(0, predict.code(), predict.err());
        assertArrayEquals(Files.readAllBytes(localCsv), read(root + "/out/p.csv"));
        Path localOnnx = dir.resolve("m.onnx");
        assertEquals(0, CliRun.of("export", "--model", local.toString(), "--onnx", localOnnx.toString()).code());
        CliRun export = CliRun.of("export", "--model", root + "/models/m", "--onnx", root + "/out/m.onnx");
        assertEquals(0, export.code(), export.err());
        assertArrayEquals(Files.readAllBytes(localOnnx), read(root + "/out/m.onnx"));
        assertEquals(Set.of("m.onnx", "p.csv"), names(root + "/out"));   // no temporary file left
        // an output onto one of the inputs is refused on HDFS too
        CliRun onto = CliRun.of("predict", "--model", root + "/models/m", "--data", root + "/in/test.csv", "--out",
                root + "/in/test.csv");
        assertEquals(2, onto.code(), onto.err());
    }

    @Test
    void theLibrarySavesAndLoadsModelDirectoriesOnHdfs() throws IOException {
        DigitModel m = DigitModel.load(trainLocally("lib").toString());
        m.save(root + "/lib/m1");
        DigitModel back = DigitModel.load(root + "/lib/m1");
        assertArrayEquals(m.parameters().values(), back.parameters().values(), 0.0);
        assertEquals(m.report().history().size(), back.report().history().size());
        // saved again over itself: a model directory on HDFS may be replaced; no temporary directory is left
        back.save(root + "/lib/m1");
        assertEquals(Set.of("m1"), names(root + "/lib"));
    }

    @Test
    void aDirectoryOnHdfsThatIsNotAModelIsNeverReplaced() throws IOException {
        fs.mkdirs(new org.apache.hadoop.fs.Path(root + "/project/src"));
        try (var out = fs.create(new org.apache.hadoop.fs.Path(root + "/project/model.json"))) {
            out.write("{\"mine\": true}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        CliRun r = CliRun.of("train", "--data", root + "/in/train.csv", "--holdout", "10", "--iterations", "2",
                "--out", root + "/project");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is not a spark-digits model directory"), r.err());
        assertEquals(Set.of("model.json", "src"), names(root + "/project"));
    }

    @Test
    void theObjectStoresCommitForcedOnHdfsWritesInPlaceAndReadersRefuseAModelWithoutItsManifest() throws IOException {
        Configuration conf = new Configuration(fs.getConf());
        conf.set(ModelManifest.SETTING, "manifest");
        DigitModel m = DigitModel.load(trainLocally("forced").toString());
        String target = root + "/manifest/m";
        m.save(target, conf);
        assertTrue(names(target).contains(ModelManifest.NAME), names(target).toString());
        assertEquals(Set.of("m"), names(root + "/manifest"));   // written in place: no temporary directory
        assertArrayEquals(m.parameters().values(), DigitModel.load(target, conf).parameters().values(), 0.0);
        m.save(target, conf);   // and replaced in place
        fs.delete(new org.apache.hadoop.fs.Path(target + "/" + ModelManifest.NAME), false);
        String e = assertThrows(ModelException.class, () -> DigitModel.load(target, conf)).getMessage();
        assertTrue(e.startsWith("incomplete model: " + target + " has no manifest.json"), e);
        // the command line, with the setting in Spark's Hadoop configuration (--conf spark.hadoop.spark-digits.model.commit)
        Configuration session = SparkTestSession.get().sparkContext().hadoopConfiguration();
        session.set(ModelManifest.SETTING, "manifest");
        try {
            CliRun evaluate = CliRun.of("evaluate", "--model", target, "--data", root + "/in/test.csv");
            assertEquals(2, evaluate.code(), evaluate.err());
            assertTrue(evaluate.err().contains("incomplete model: " + target), evaluate.err());
        } finally {
            session.unset(ModelManifest.SETTING);
        }
    }

    @Test
    void augmentWritesItsRowsAndPreviewToHdfsAndReportItsPageAndCharts() throws IOException {
        CliRun a = CliRun.of("augment", "--data", root + "/in/train.csv", "--copies", "1", "--seed", "4", "--format", "csv",
                "--files", "1", "--out", root + "/aug/rows", "--preview", root + "/aug/preview.png");
        assertEquals(0, a.code(), a.err());
        Path localRows = dir.resolve("aug-rows");
        Path localPreview = dir.resolve("aug-preview.png");
        CliRun l = CliRun.of("augment", "--data", dir.resolve("train.csv").toString(), "--copies", "1", "--seed", "4", "--format",
                "csv", "--files", "1", "--out", localRows.toString(), "--preview", localPreview.toString());
        assertEquals(0, l.code(), l.err());
        String part;
        try (var files = Files.list(localRows)) {
            part = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-")).findFirst().orElseThrow();
        }
        String hdfsPart = names(root + "/aug/rows").stream().filter(n -> n.startsWith("part-")).findFirst().orElseThrow();
        assertArrayEquals(Files.readAllBytes(localRows.resolve(part)), read(root + "/aug/rows/" + hdfsPart));
        assertArrayEquals(Files.readAllBytes(localPreview), read(root + "/aug/preview.png"));
        assertEquals(Set.of("preview.png", "rows"), names(root + "/aug"));   // no temporary file or directory left
        // report redraws the charts and writes its page into a model directory on HDFS
        DigitModel.load(trainLocally("for-report").toString()).save(root + "/reported/m");
        CliRun r = CliRun.of("report", "--model", root + "/reported/m", "--data", root + "/in/test.csv");
        assertEquals(0, r.code(), r.err());
        assertTrue(names(root + "/reported/m").containsAll(Set.of("report.html", "loss.png", "confusion.png")),
                names(root + "/reported/m").toString());
        assertEquals(Set.of("m"), names(root + "/reported"));
    }

    private static Path trainLocally(String name) {
        Path out = dir.resolve(name);
        CliRun r = CliRun.of("train", "--data", dir.resolve("train.csv").toString(), "--test", dir.resolve("test.csv").toString(),
                "--iterations", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        return out;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
