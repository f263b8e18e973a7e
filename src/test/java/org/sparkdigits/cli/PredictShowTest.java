package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.SparkTestSession;
import org.sparkdigits.testing.TestCsv;

/** {@code predict --image --show}: the digits the model saw, drawn large enough to look at (not a 28 px strip). */
class PredictShowTest {

    @TempDir
    Path dir;

    @Test
    void theShownDigitsAreDrawnLarge() throws Exception {
        SparkTestSession.get();
        Path model = dir.resolve("m");
        CliRun trained = CliRun.of("train", "--data", TestCsv.labelled(dir.resolve("t.csv"), 200, 43, true).toString(),
                "--out", model.toString(), "--iterations", "2", "--hidden", "4");
        assertEquals(0, trained.code(), trained.err());
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (int i = 0; i < 2; i++) {
            BufferedImage photo = new BufferedImage(80, 80, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = photo.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 80, 80);
            g.setColor(Color.BLACK);
            g.fillRect(34 + 4 * i, 12, 10, 56);   // a one
            g.dispose();
            ImageIO.write(photo, "png", photos.resolve("one-" + i + ".png").toFile());
        }
        Path strip = dir.resolve("seen.png");
        CliRun r = CliRun.of("predict", "--model", model.toString(), "--image", photos.toString(), "--show", strip.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("the 2 28x28 images (side by side) the model saw: " + strip), r.out());
        BufferedImage seen = ImageIO.read(strip.toFile());
        assertEquals(28 * PredictCommand.SHOW_SCALE, seen.getHeight());
        assertEquals(2 * 28 * PredictCommand.SHOW_SCALE + PredictCommand.SHOW_GAP, seen.getWidth());
        assertTrue(seen.getHeight() >= 200, "a digit " + seen.getHeight() + " px tall");
    }
}
