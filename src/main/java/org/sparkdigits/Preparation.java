package org.sparkdigits;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.slf4j.LoggerFactory;
import org.sparkdigits.data.OnBadRow;
import org.sparkdigits.download.MnistDownloader;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.train.DataSpec;

/** What {@link DigitTrainer#prepare} checks of the inputs before Spark starts: the default data there, first rows good. */
final class Preparation {

    private Preparation() {
    }

    /** The default MNIST files, downloaded into their folder when one of them is missing. */
    static void downloadIfMissing(DataSpec d) {
        Path data = Path.of(d.data());
        Path test = d.test() == null ? null : Path.of(d.test());
        if (!Files.exists(data) || (test != null && !Files.exists(test))) {
            Path dir = data.toAbsolutePath().getParent();
            LoggerFactory.getLogger(DigitTrainer.class).info("{} is missing: downloading MNIST into {}", d.data(), dir);
            new MnistDownloader(d.mirrors().isEmpty() ? MnistDownloader.DEFAULT_MIRRORS : d.mirrors()).download(dir);
        }
    }

    /**
     * Every input file's path (the training data's when {@code fromFiles}, and the test data's), each input's first rows
     * checked with {@code --on-bad-row fail}: a bad row near an input's start is said now, not after a whole read.
     */
    static List<String> checkInputs(Configuration conf, DataSpec d, boolean fromFiles) {
        List<String> inputs = new ArrayList<>();
        if (fromFiles) {
            inputs.addAll(InputFiles.allPaths(d.data(), conf, "training data"));
        }
        if (d.test() != null) {
            inputs.addAll(InputFiles.allPaths(d.test(), conf, "test data"));
        }
        if (d.onBadRow() == OnBadRow.FAIL) {
            if (fromFiles) {
                InputFiles.checkFirstRows(d.data(), conf, "training data", d.format());
            }
            if (d.test() != null) {
                InputFiles.checkFirstRows(d.test(), conf, "test data", d.format());
            }
        }
        return inputs;
    }
}
