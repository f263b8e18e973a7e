package org.sparkdigits.core.loss;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;

/**
 * Evaluation sums over labelled rows: the confusion matrix ({@code confusion[true][predicted]}), the
 * summed cross-entropy loss and the row count. Mergeable, so partitions can be summed.
 */
@DefaultSerializer(JavaSerializer.class)
public final class Evaluation implements Serializable {

    private final long[][] confusion;
    private double loss;
    private long count;

    public Evaluation(int classes) {
        this.confusion = new long[classes][classes];
    }

    /** Counts one row of class {@code label} predicted as {@code predicted}, with its cross-entropy {@code rowLoss}. */
    public void addRow(int label, int predicted, double rowLoss) {
        confusion[label][predicted]++;
        loss += rowLoss;
        count++;
    }

    /** Adds {@code other} into this evaluation (in place) and returns this. */
    public Evaluation add(Evaluation other) {
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion.length; j++) {
                confusion[i][j] += other.confusion[i][j];
            }
        }
        loss += other.loss;
        count += other.count;
        return this;
    }

    public int classes() {
        return confusion.length;
    }

    public long count() {
        return count;
    }

    /** Rows of class {@code label} predicted as {@code predicted}. */
    public long confusion(int label, int predicted) {
        return confusion[label][predicted];
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < confusion.length; i++) {
            c += confusion[i][i];
        }
        return c;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct() / count;
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : loss / count;
    }

    /** Of the rows predicted as {@code c}, the fraction that are {@code c}; NaN if none was predicted. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[c];
        }
        return predicted == 0 ? Double.NaN : (double) confusion[c][c] / predicted;
    }

    /** Of the rows of class {@code c}, the fraction predicted as {@code c}; NaN if there were none. */
    public double recall(int c) {
        long actual = 0;
        for (long v : confusion[c]) {
            actual += v;
        }
        return actual == 0 ? Double.NaN : (double) confusion[c][c] / actual;
    }
}
