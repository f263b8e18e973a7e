/**
 * The library: {@link org.sparkdigits.DigitTrainer} (built by its {@code Builder}, one method per {@code train} option)
 * trains a 784-H-10 network on Spark from a DataFrame or files and returns a {@link org.sparkdigits.DigitModel}, which
 * transforms DataFrames, evaluates ({@link org.sparkdigits.DigitScores}), reads a photographed digit, saves and loads
 * model directories and exports ONNX; a {@link org.sparkdigits.TrainingListener} hears the progress, and
 * {@link org.sparkdigits.TrainOption} lists the options. This package is the API; the others are the implementation.
 */
package org.sparkdigits;
