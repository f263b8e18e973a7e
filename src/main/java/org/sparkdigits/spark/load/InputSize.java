package org.sparkdigits.spark.load;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.RepartitionOperation;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.UnaryNode;
import org.apache.spark.sql.catalyst.plans.logical.Statistics;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.exchange.Exchange;
import org.sparkdigits.data.InputFile;

/**
 * How big an input looks before it is read, in words for the log: a DataFrame's partitions and Spark's plan estimate
 * of its bytes and rows, files' count and bytes (and rows where their headers say). Never runs a Spark job.
 */
public final class InputSize {

    private InputSize() {
    }

    /** "a DataFrame of 2 partitions (Spark's estimate: 10000000000 rows, 80.0 GB)". */
    public static String of(Dataset<Row> frame) {
        String partitions = partitions(frame);
        String estimate;
        try {
            LogicalPlan plan = frame.queryExecution().optimizedPlan();
            Statistics stats = plan.stats();
            BigInteger bytes = stats.sizeInBytes().bigInteger();
            Statistics counted = stats;
            // a projection, a repartition or a sort keeps the rows: the count below it holds
            while (counted.rowCount().isEmpty() && (plan instanceof Project || plan instanceof RepartitionOperation
                    || plan instanceof Sort)) {
                plan = ((UnaryNode) plan).child();
                counted = plan.stats();
            }
            String rows = counted.rowCount().isDefined() ? counted.rowCount().get().bigInteger() + " rows" : "rows unknown";
            // spark.sql.defaultSizeInBytes (Long.MAX_VALUE): what Spark says of a plan it cannot size
            estimate = bytes.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) >= 0 ? rows + ", bytes unknown"
                    : rows + ", " + bytes(bytes.longValue());
        } catch (RuntimeException e) {
            estimate = "unknown: " + e.getClass().getSimpleName();
        }
        return "a DataFrame " + partitions + " (Spark's estimate: " + estimate + ")";
    }

    /**
     * The DataFrame's partitions as far as its physical plan knows them without running anything: a plan with
     * exchanges is adaptive and runs its stages to make its RDD (without adaptive execution, a sort samples its input
     * to make it), so only its planned partitioning is told.
     */
    private static String partitions(Dataset<Row> frame) {
        try {
            SparkPlan plan = frame.queryExecution().executedPlan();
            if (plan instanceof AdaptiveSparkPlanExec a) {
                int planned = a.inputPlan().outputPartitioning().numPartitions();
                return planned > 0 ? "of " + planned + " partitions or fewer (adaptive)" : "(partitions unknown: adaptive)";
            }
            if (plan.exists(p -> p instanceof Exchange)) {   // without adaptive execution: a range exchange samples
                int planned = plan.outputPartitioning().numPartitions();
                return planned > 0 ? "of " + planned + " partitions" : "(partitions unknown)";
            }
            int n = frame.rdd().getNumPartitions();   // no exchange: planning only
            return n == 1 ? "of 1 partition" : "of " + n + " partitions";
        } catch (RuntimeException e) {
            return "(partitions unknown)";
        }
    }

    /** "data/mnist_train.csv (1 csv file, 109.6 MB)", with the rows when the files' headers say (IDX, Parquet). */
    public static String of(String spec, List<InputFile> files, Configuration conf) {
        long total = 0;
        long rows = 0;
        boolean sized = true;
        for (InputFile f : files) {
            rows = f.records() < 0 || rows < 0 ? -1 : rows + f.records();
            try {
                Path p = new Path(f.path());
                total += p.getFileSystem(conf).getFileStatus(p).getLen();
                if (f.labels() != null) {
                    Path l = new Path(f.labels());
                    total += l.getFileSystem(conf).getFileStatus(l).getLen();
                }
            } catch (IOException e) {
                sized = false;   // the load names an unreadable file
            }
        }
        return spec + " (" + files.size() + " " + files.get(0).format().id() + " file" + (files.size() == 1 ? "" : "s")
                + ", " + (sized ? bytes(total) : "size unknown") + (rows >= 0 ? ", " + rows + " rows" : "") + ")";
    }

    static String bytes(long b) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
        double v = b;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? b + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
