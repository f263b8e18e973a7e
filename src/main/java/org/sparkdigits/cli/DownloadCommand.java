package org.sparkdigits.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.sparkdigits.download.MnistDownloader;

import picocli.CommandLine;

/** {@code download}: MNIST from a public mirror, verified, as the two CSVs. */
@CommandLine.Command(name = "download", description = "download MNIST from a public mirror, verify it and write the two CSVs")
final class DownloadCommand extends CliCommand {

    @CommandLine.Option(names = "--dir", paramLabel = "DIR", defaultValue = "data", description = "where to write "
            + "mnist_train.csv and mnist_test.csv [default: ${DEFAULT-VALUE}]")
    String dir;

    @CommandLine.Option(names = "--mirror", paramLabel = "URL[,URL]", description = "MNIST mirror(s) to use instead of the "
            + "built-in list (the option may repeat)")
    List<String> mirrors;

    @Override
    public Integer call() {
        String target = need(dir, "--dir", "DIR");
        new MnistDownloader(mirrors(mirrors)).download(Path.of(target));
        out.println("MNIST written to " + target);
        return Main.OK;
    }

    /** Comma-separated and repeated {@code --mirror} values, else the built-in list. */
    static List<String> mirrors(List<String> given) {
        if (given == null || given.isEmpty()) {
            return MnistDownloader.DEFAULT_MIRRORS;
        }
        return given.stream().flatMap(m -> Arrays.stream(m.split(","))).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
