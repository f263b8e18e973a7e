package org.sparkdigits.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.apache.hadoop.conf.Configuration;
import org.sparkdigits.DigitModel;
import org.sparkdigits.TrainOption;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.image.DigitImage;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.InputException;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.spark.Predictions;

import picocli.CommandLine;

/**
 * {@code predict}: with {@code --data}, {@code ImageId,Label} rows (the Kaggle Digit Recognizer layout, ImageId from 1
 * in input order) for data with or without labels; with {@code --image}, the digit in each photo or scan (no Spark).
 */
@CommandLine.Command(name = "predict", description = "write ImageId,Label predictions (Kaggle layout) for data with or "
        + "without labels, or read the digits in photos (--image)")
final class PredictCommand extends ScoringCommand {

    @CommandLine.Option(names = "--out", paramLabel = "FILE", description = "the ImageId,Label CSV to write, on any Hadoop file system")
    String target;

    @CommandLine.Option(names = "--image", paramLabel = "PATH[,PATH]", description = "photos or scans of single digits (PNG "
            + "or JPEG, any size, dark on light or light on dark): files and/or directories; prints each digit and its 10 "
            + "probabilities (no Spark)")
    String image;

    @CommandLine.Option(names = "--show", paramLabel = "FILE", description = "with --image: also write the 28x28 image(s) "
            + "the model saw as a PNG (side by side, each pixel drawn as an 8x8 square)")
    String show;

    /** --show draws each pixel of the 28x28 image as a square of this side: a 224x224 digit, not a 28x28 speck. */
    static final int SHOW_SCALE = 8;
    /** The pixels between two digits of the --show strip. */
    static final int SHOW_GAP = 8;

    @Override
    public Integer call() {
        Configuration conf = Main.hadoopConf();
        if (image != null) {
            return images(conf);
        }
        settings();   // --format and --on-bad-row checked before Spark starts
        String dir = modelDir();
        DigitModel m = DigitModel.load(dir, conf);
        String path = dataPath();
        if (target == null) {
            throw new UsageException("predict needs --out FILE (the ImageId,Label CSV to write)");
        }
        Outputs.file("--out", need(target, "--out", "FILE"), conf, InputFiles.allPaths(path, conf, "data"), dir);
        Outputs.apartFromTeachers("--out", target, conf, org.sparkdigits.spark.Teachers.recorded(m.model().training()), false);
        Main.spark();
        Predictions.Result r = m.predict(path, value(TrainOption.FORMAT), value(TrainOption.ON_BAD_ROW));
        byte[] p = r.predicted();
        StringBuilder csv = new StringBuilder(p.length * 8 + 16).append("ImageId,Label\n");
        for (int i = 0; i < p.length; i++) {
            csv.append(i + 1).append(',').append(p[i]).append('\n');
        }
        AtomicFiles.write(target, "--out", conf, csv.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.printf(Locale.ROOT, "wrote %d predictions to %s%n", p.length, target);
        if (r.labels() != null) {
            out.printf(Locale.ROOT, "the input has labels: accuracy %.4f%n", r.accuracy());
        }
        return Main.OK;
    }

    private int images(Configuration conf) {
        if (data != null) {
            throw new UsageException("predict takes --image or --data, not both");
        }
        DigitModel m = DigitModel.load(modelDir(), conf);
        List<Path> files = DigitImage.files(need(image, "--image", "PATH[,PATH]"));
        if (show != null) {
            Outputs.file("--show", need(show, "--show", "FILE"), conf,
                    files.stream().map(f -> f.toAbsolutePath().toString()).toList(), model.model);
        }
        // every image read before anything is printed: a bad one is the only output
        List<DigitModel.ImagePrediction> predictions = new java.util.ArrayList<>();
        for (Path f : files) {
            try {
                predictions.add(m.predict(DigitImage.read(f)));
            } catch (DigitImage.NoDigitException e) {
                throw new InputException(f + ": " + e.getMessage());
            }
        }
        // each of the model's pixels as a SHOW_SCALE square (nearest neighbour: the pixels stay visible), a light gap between
        int cell = DigitImage.SIZE * SHOW_SCALE;
        BufferedImage strip = new BufferedImage(files.size() * (cell + SHOW_GAP) - SHOW_GAP, cell, BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = strip.createGraphics();
        g.setColor(new java.awt.Color(200, 200, 200));
        g.fillRect(0, 0, strip.getWidth(), strip.getHeight());
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            DigitModel.ImagePrediction p = predictions.get(i);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %d (probability %.4f); probabilities", f,
                    p.digit(), p.probabilities()[p.digit()]));
            for (int c = 0; c < 10; c++) {
                line.append(String.format(Locale.ROOT, " %d:%.4f", c, p.probabilities()[c]));
            }
            out.println(line);
            g.drawImage(DigitImage.toImage(p.pixels()), i * (cell + SHOW_GAP), 0, cell, cell, null);
        }
        g.dispose();
        if (show != null) {
            AtomicFiles.write(Path.of(show), tmp -> {
                if (!ImageIO.write(strip, "png", tmp.toFile())) {
                    throw new IOException("no PNG writer");
                }
            });
            out.println("the " + (files.size() == 1 ? "28x28 image" : files.size() + " 28x28 images (side by side)")
                    + " the model saw: " + show);
        }
        return Main.OK;
    }
}
