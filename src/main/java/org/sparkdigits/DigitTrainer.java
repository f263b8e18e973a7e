package org.sparkdigits;

import java.util.List;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.checkpoint.CheckpointLease;
import org.sparkdigits.checkpoint.CheckpointStore;
import org.sparkdigits.checkpoint.YarnAttempt;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.spark.TrainingRun;
import org.sparkdigits.train.CheckpointSpec;
import org.sparkdigits.train.DataSpec;
import org.sparkdigits.train.TrainingSpec;

/**
 * Trains a 784-H-10 digit network on Spark, from a DataFrame or from files:
 * <pre>
 *   DigitModel model = DigitTrainer.builder()
 *           .hidden(800).batchSize(512).epochs(8).optimizer("adamw").lr(0.001).l2(0.1).dropout(0.3)
 *           .schedule("cosine").warmup(500).seed(1)
 *           .build()
 *           .fit(trainDf);
 * </pre>
 * Every option of {@code ./submit.sh train --foo-bar} is the builder method {@code fooBar(...)}, with the same meaning,
 * default ({@link TrainOption}) and validation: {@link Builder#build()} throws {@link IllegalArgumentException} with the
 * message the command line prints. A trainer's options are fixed when it is built (it holds only the checkpoint
 * directory {@link #prepare} took, until its fit ends); {@link #fit} blocks until trained (progress in the log and
 * through a {@link TrainingListener}) and returns the model, written to {@code out(...)} too when that was given. An
 * interrupt of its thread or a cancellation of its Spark job ends it with a
 * {@link org.sparkdigits.train.TrainingCancelledException}; however it ends, it releases what it cached.
 */
public final class DigitTrainer {

    /** The logger, made when first used: the command line checks options with this class before any logging is set up. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(DigitTrainer.class);
    }

    private final TrainingSpec spec;
    /** Whether {@link #prepare(Configuration)} ran for the next {@link #fit()}. */
    private boolean prepared;
    /** What {@link #prepare(Configuration)} found: whether the next run continues checkpoints (a YARN re-attempt's). */
    private boolean resumes;
    /** The checkpoint directory {@link #prepare(Configuration)} took, held until {@link #fit} ends. */
    private CheckpointLease lease;
    private final boolean defaultData;
    private final boolean testGiven;
    private final Dataset<Row> validationFrame;
    private final Dataset<Row> testFrame;
    private final String labelCol;
    private final String pixelsCol;
    private final TrainingListener listener;

    private DigitTrainer(Builder b, TrainingSpec spec) {
        this.spec = spec;
        this.defaultData = !b.given(TrainOption.DATA);
        this.testGiven = b.given(TrainOption.TEST);
        this.validationFrame = b.validationFrame();
        this.testFrame = b.testFrame();
        this.labelCol = b.labelCol();
        this.pixelsCol = b.pixelsCol();
        this.listener = b.listener();
    }

    /** {@return a builder with every option at its default} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the validated configuration} */
    public TrainingSpec spec() {
        return spec;
    }

    /**
     * Trains on the rows of {@code train} (a label column and the pixels in any layout: 784 columns {@code pixel0 ..
     * pixel783}, a binary column of 784 bytes, or an array column of 784 numbers), with the validation and test sets
     * the builder was given. A missing or mistyped column is named before any Spark job; a bad value (a null, a label
     * outside 0-9, a pixel outside 0-255) fails the load with the row and what is wrong.
     *
     * @param train the labelled training rows
     * @return the trained model, with its report and charts (and written to {@code out(...)} when given)
     * @throws org.sparkdigits.io.InputException naming the input, row and what is wrong with it
     */
    public DigitModel fit(Dataset<Row> train) {
        return fit(train.sparkSession(), train);
    }

    /**
     * Trains on the files of {@code data(...)} (the default: data/mnist_train.csv, downloaded if missing).
     *
     * @return the trained model (written to {@code out(...)} when given)
     * @throws org.sparkdigits.io.InputException naming the file, line and what is wrong with it
     */
    public DigitModel fit() {
        SparkSession spark = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get()
                : SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
        if (spark == null) {
            throw new IllegalStateException("fit() needs a running SparkSession (SparkSession.builder().getOrCreate())");
        }
        return fit(spark, null);
    }

    private DigitModel fit(SparkSession spark, Dataset<Row> train) {
        try {
            return fitHolding(spark, train);
        } finally {   // success, failure or exception: the checkpoint directory is free again
            release();
        }
    }

    private DigitModel fitHolding(SparkSession spark, Dataset<Row> train) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        TrainingRun.Frames frames = new TrainingRun.Frames(train, validationFrame, testFrame, labelCol, pixelsCol);
        TrainingRun.checkColumns(frames);
        TrainingSpec run = spec;
        if (train != null && !testGiven) {
            // the default test file goes with the default training file only
            run = spec.with(spec.data().withoutFiles());
        }
        if (!(prepared && train == null)) {   // once is enough: recovery and checks list the inputs again
            resumes = prepare(conf, run, train == null);
        }
        prepared = false;
        CheckpointSpec ck = run.checkpoints();
        if (resumes && !ck.resume()) {   // YARN started this driver again: continue its first attempt's checkpoints
            run = run.with(new CheckpointSpec(ck.dir(), ck.every(), true));
        }
        TrainingRun.Outcome o = TrainingRun.run(spark, run, new TrainingRun.Recorded(TrainOption.recorded(run),
                TrainOption.outsideFingerprint(), TrainOption.changed(run)), frames, new ListenerEvents(listener));
        DigitModel model = new DigitModel(o.model(), o.report(), o.charts());
        if (run.data().out() != null) {
            model.save(run.data().out(), conf);
        }
        return model;
    }

    /**
     * What can be checked before Spark starts, so that nothing of the user's is replaced or deleted and no work is lost
     * at the end: the default data is downloaded if it is missing; leftovers of an interrupted model write are mended;
     * the model directory ({@code out}), the checkpoint directory, the teachers and the inputs are checked against each
     * other. With a checkpoint directory, this run takes it ({@link CheckpointLease}: a second run given the same one
     * is refused, naming this one) and holds it until the next {@link #fit} ends, or {@link #release()}, or the JVM
     * exits. {@link #fit} does it too.
     *
     * @param conf the Hadoop configuration of the file systems involved
     */
    public void prepare(Configuration conf) {
        resumes = prepare(conf, spec, true);
        prepared = true;
    }

    /**
     * Lets go of the checkpoint directory that {@link #prepare} took, for a caller that will not {@link #fit} after all;
     * {@link #fit} lets go of it itself when it ends. Nothing happens without one.
     */
    public void release() {
        CheckpointLease l = lease;
        lease = null;
        prepared = false;
        if (l != null) {
            l.close();
        }
    }

    /** @return whether the run is to continue checkpoints ({@code --resume}, or a YARN re-attempt's own) */
    private boolean prepare(Configuration conf, TrainingSpec s, boolean fromFiles) {
        DataSpec d = s.data();
        if (fromFiles && defaultData) {
            Preparation.downloadIfMissing(d);
        }
        List<String> inputs = Preparation.checkInputs(conf, d, fromFiles);
        List<String> teachers = s.regularization().distillation().teachers();
        if (d.out() != null) {
            // before recovery, which may delete or rename files in --out: a teacher's are left alone
            Outputs.apartFromTeachers(TrainOption.OUT.flag(), d.out(), conf, teachers, true);
            for (String note : ModelStore.recover(d.out(), conf)) {
                Log.LOG.warn("{}", note);
            }
            ModelStore.checkTarget(d.out(), conf);
            Outputs.directory(TrainOption.OUT.flag(), d.out(), conf, inputs);
        }
        return s.checkpoints().enabled() && prepareCheckpoints(conf, s, inputs, teachers);
    }

    /**
     * Checks {@code --checkpoint-dir} against the other paths, takes its lease (one run per directory) and says whether
     * there is a checkpoint to resume from.
     */
    private boolean prepareCheckpoints(Configuration conf, TrainingSpec s, List<String> inputs, List<String> teachers) {
        CheckpointSpec ck = s.checkpoints();
        if (s.data().out() != null) {
            Outputs.apart(TrainOption.OUT.flag(), s.data().out(), TrainOption.CHECKPOINT_DIR.flag(), ck.dir(), conf);
        }
        Outputs.directory(TrainOption.CHECKPOINT_DIR.flag(), ck.dir(), conf, inputs);
        Outputs.apartFromTeachers(TrainOption.CHECKPOINT_DIR.flag(), ck.dir(), conf, teachers, true);
        release();   // this trainer's own, from an earlier prepare
        Optional<YarnAttempt> attempt = YarnAttempt.ofThisDriver();
        CheckpointLease taken = CheckpointLease.acquire(ck.dir(), attempt, conf);
        try {
            boolean resume = CheckpointStore.checkTarget(ck.dir(), ck.resume(), attempt, conf);
            lease = taken;
            return resume;
        } catch (RuntimeException e) {
            taken.close();
            throw e;
        }
    }

    /**
     * The options of a trainer, each at its default until set; {@link #build()} checks them all. A method per option of
     * {@code ./submit.sh train} ({@code --batch-size} is {@code batchSize(int)}), and the DataFrames and listener of
     * the library.
     */
    public static final class Builder extends TrainerOptions<Builder> {

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The trainer of these options.
         *
         * @return the trainer, immutable
         * @throws IllegalArgumentException with the command line's message, naming the option, for the first value or
         *                                  combination that is not allowed
         */
        public DigitTrainer build() {
            return new DigitTrainer(this, spec());
        }
    }
}
