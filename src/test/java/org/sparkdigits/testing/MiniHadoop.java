package org.sparkdigits.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A real HDFS and a real YARN on loopback for tests, in this JVM: a MiniDFSCluster (one NameNode, one DataNode) and a
 * MiniYARNCluster (a ResourceManager and one NodeManager of 6 GB and 4 vcores). Containers are real processes, children
 * of this JVM. {@link #confDir()} holds the {@code core-site.xml} and {@code yarn-site.xml} a client needs (what
 * {@code HADOOP_CONF_DIR} points to on a real cluster). {@link #close()} stops both and every container.
 */
public final class MiniHadoop implements AutoCloseable {

    /** The MiniYARNCluster's name: its NodeManager's directories and container logs are in target/NAME. */
    private static final String NAME = "spark-digits-yarn";

    private final MiniDFSCluster dfs;
    private final MiniYARNCluster yarn;
    private final Path confDir;
    private final String root;
    private final double startSeconds;

    public MiniHadoop(Path dir) throws Exception {
        long t0 = System.nanoTime();
        org.apache.commons.io.FileUtils.deleteDirectory(workDir().toFile());   // an earlier run's containers and logs
        Configuration hdfsConf = new Configuration();
        hdfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        hdfsConf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        this.dfs = new MiniDFSCluster.Builder(hdfsConf).numDataNodes(1).build();
        dfs.waitActive();
        this.root = "hdfs://127.0.0.1:" + dfs.getNameNodePort();

        YarnConfiguration conf = new YarnConfiguration();
        conf.set("fs.defaultFS", root);
        conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 6144);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 6144);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        // a shared machine's disk may be nearly full: the NodeManager must not declare its directories bad
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
        conf.setLong(YarnConfiguration.NM_MIN_PER_DISK_FREE_SPACE_MB, 0);
        conf.setLong("yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", 250);
        conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, 2);
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.user-limit-factor", "1");
        conf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        conf.set("yarn.scheduler.capacity.node-locality-delay", "-1");
        this.yarn = new MiniYARNCluster(NAME, 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS, "").endsWith(":0")) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the ResourceManager did not get an address within 60 s");
            }
            Thread.sleep(100);
        }
        if (!yarn.waitForNodeManagersToConnect(30_000)) {
            throw new IllegalStateException("the NodeManager did not register within 30 s");
        }
        this.confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", root);
        write(core, confDir.resolve("core-site.xml"));
        Configuration site = new Configuration(false);
        for (Map.Entry<String, String> e : yarn.getConfig()) {
            if (e.getKey().startsWith("yarn.")) {
                site.set(e.getKey(), e.getValue());
            }
        }
        write(site, confDir.resolve("yarn-site.xml"));
        this.startSeconds = (System.nanoTime() - t0) / 1e9;
    }

    private static void write(Configuration c, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            c.writeXml(out);
        }
    }

    /** Where the MiniYARNCluster keeps its NodeManager's local and log directories (relative to the working directory). */
    public static Path workDir() {
        return Path.of(System.getProperty("test.build.data", "target/test/data"), NAME);
    }

    /** {@code hdfs://127.0.0.1:PORT}, the file system's root. */
    public String root() {
        return root;
    }

    /** The client configuration's directory ({@code HADOOP_CONF_DIR}). */
    public Path confDir() {
        return confDir;
    }

    /** Seconds from the NameNode's start until the NodeManager was registered. */
    public double startSeconds() {
        return startSeconds;
    }

    public FileSystem fs() throws IOException {
        return dfs.getFileSystem();
    }

    /** Copies a local file to {@code root() + to}. */
    public String upload(Path local, String to) throws IOException {
        fs().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(root + to));
        return root + to;
    }

    public byte[] read(String path) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        byte[] b = new byte[(int) fs().getFileStatus(p).getLen()];
        try (FSDataInputStream in = fs().open(p)) {
            in.readFully(b);
        }
        return b;
    }

    public boolean exists(String path) throws IOException {
        return fs().exists(new org.apache.hadoop.fs.Path(path));
    }

    @Override
    public void close() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            yarn.stop();
        } finally {
            dfs.shutdown(true);
        }
    }
}
