package org.sparkdigits.cli;

import java.io.PrintStream;
import java.util.Locale;

import org.sparkdigits.core.loss.Evaluation;

/** Formats results for the terminal. */
final class Console {

    private Console() {
    }

    /** Accuracy, loss, confusion matrix and per-class precision and recall. */
    static void printEvaluation(PrintStream out, String title, Evaluation e) {
        out.printf(Locale.ROOT, "%s: %d rows, accuracy %.4f, loss %.4f%n", title, e.count(), e.accuracy(), e.meanLoss());
        out.println("confusion matrix (rows: true label, columns: predicted)");
        StringBuilder head = new StringBuilder("      ");
        for (int c = 0; c < e.classes(); c++) {
            head.append(String.format(Locale.ROOT, "%6d", c));
        }
        out.println(head);
        for (int t = 0; t < e.classes(); t++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", t));
            for (int p = 0; p < e.classes(); p++) {
                row.append(String.format(Locale.ROOT, "%6d", e.confusion(t, p)));
            }
            out.println(row);
        }
        out.println("class  precision  recall");
        for (int c = 0; c < e.classes(); c++) {
            out.printf(Locale.ROOT, "%5d  %9.4f  %6.4f%n", c, e.precision(c), e.recall(c));
        }
    }
}
