package org.sparkdigits.cli;

import java.util.List;
import java.util.Locale;

import org.sparkdigits.DigitModel;
import org.sparkdigits.DigitTrainer;
import org.sparkdigits.TrainOption;
import org.sparkdigits.report.TrainingMetrics;
import org.sparkdigits.train.LoopSpec;

import picocli.CommandLine;

/**
 * {@code train}: every option of {@link TrainOption} (declared from it, so the option, its default and its help are the
 * builder's), mapped onto a {@link DigitTrainer.Builder}; the trainer writes the model directory; this prints.
 */
@CommandLine.Command(name = "train", description = "train the network and write a model directory")
final class TrainCommand extends CliCommand {

    @Override
    void declareOptions(CommandLine.Model.CommandSpec spec) {
        SharedOptions.mixin(spec, "distortions", SharedOptions.DISTORTIONS);
        SharedOptions.declare(spec, List.of(TrainOption.values()));
    }

    @Override
    void check() {
        Main.usage(builder()::build);
    }

    @Override
    public Integer call() {
        DigitTrainer.Builder builder = builder();
        if (!given("--out")) { // the command line always writes its model directory: --out's default when not given
            builder.out(spec.findOption("--out").getValue());
        }
        DigitTrainer trainer = Main.usage(builder::build);
        trainer.prepare(Main.hadoopConf());   // takes --checkpoint-dir, before Spark starts
        DigitModel model;
        try {
            Main.spark();
            model = trainer.fit();
        } finally {   // fit lets go of it; this, if Spark did not start
            trainer.release();
        }
        print(model.report().metrics(), trainer.spec().loop(), trainer.spec().data().out());
        return Main.OK;
    }

    private void print(TrainingMetrics m, LoopSpec loop, String dir) {
        TrainingMetrics.Progress p = m.progress();
        out.printf(Locale.ROOT, "trained %d %s in %.1f s (median %.1f ms per %s, load %.1f s)%s%n", p.steps(),
                loop.miniBatch() ? "steps" : "iterations", m.timings().trainSeconds(), m.timings().msPerStep(),
                loop.localSteps() > 1 ? "round of " + loop.localSteps() + " steps" : loop.miniBatch() ? "step" : "iteration",
                m.timings().loadSeconds(), p.stoppedEarly() ? ", stopped early: best weights of step " + p.bestStep() : "");
        TrainingMetrics.Scores s = m.scores();
        out.printf(Locale.ROOT, "train accuracy %.4f  loss %.4f (%d rows)%n", s.train().accuracy(), s.train().loss(),
                s.train().rows());
        print("validation", s.validation());
        print("holdout", s.holdout());
        print("test", "holdout".equals(s.testSource()) ? null : s.test());
        out.println("model written to " + dir);
    }

    private void print(String name, TrainingMetrics.Score e) {
        if (e != null) {
            out.printf(Locale.ROOT, "%s accuracy %.4f  loss %.4f (%d rows)%n", name, e.accuracy(), e.loss(), e.rows());
        }
    }
}
