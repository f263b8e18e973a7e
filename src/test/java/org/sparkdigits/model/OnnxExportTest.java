package org.sparkdigits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdigits.core.block.DigitBlock;
import org.sparkdigits.core.kernel.GradientSum;
import org.sparkdigits.core.kernel.KernelKind;
import org.sparkdigits.core.network.Activation;
import org.sparkdigits.core.network.Initializer;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.core.network.Parameters;
import org.sparkdigits.core.optim.Optimizer;
import org.sparkdigits.format.InputFiles;
import org.sparkdigits.testing.TestCsv;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * The ONNX export loaded by ONNX Runtime (the real library, from Maven Central) on the real MNIST test set:
 * the same predictions as ours and probabilities within 1e-6, for a ReLU and a sigmoid model trained here.
 */
class OnnxExportTest {

    @Tag("slow")
    @ParameterizedTest(name = "{0}, H={1}, {2}")
    @CsvSource({"relu, 64, double, 1e-6", "sigmoid, 16, double, 1e-6", "relu, 64, float, 1e-5"})
    void onnxRuntimePredictsAsWeDoOnTheMnistTestSet(String activation, int hidden, String precision, double tolerance)
            throws Exception {
        boolean dbl = precision.equals("double");
        Activation act = Activation.parse(activation);
        Model model = new Model(train(act, hidden), act, Map.of());
        DigitBlock test = InputFiles.firstRows(TestCsv.mnist("mnist_test.csv.gz").toString(), 10_000);
        assertEquals(10_000, test.rows());
        int n = test.rows();
        byte[] ours = new byte[n];
        double[] ourProbabilities = new double[n * 10];
        KernelKind.SIMD.create(model.parameters(), act).predict(test, ours, ourProbabilities);

        float[] pixels = new float[n * 784];
        double[] pixelsDouble = new double[n * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = test.pixels()[i] & 0xFF;
            pixelsDouble[i] = pixels[i];
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = {n, 784};
        try (OrtSession session = env.createSession(OnnxExport.toOnnx(model, dbl), new OrtSession.SessionOptions());
             OnnxTensor input = dbl ? OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(pixelsDouble), dims)
                     : OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), dims);
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
            Object out = result.get(OnnxExport.PROBABILITIES).orElseThrow().getValue();
            double[][] probabilities = new double[n][10];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 10; c++) {
                    probabilities[i][c] = dbl ? ((double[][]) out)[i][c] : ((float[][]) out)[i][c];
                }
            }
            long[] predicted = (long[]) result.get(OnnxExport.PREDICTION).orElseThrow().getValue();
            double worst = 0;
            int correct = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(ours[i], predicted[i], "row " + i);
                for (int c = 0; c < 10; c++) {
                    worst = Math.max(worst, Math.abs(probabilities[i][c] - ourProbabilities[i * 10 + c]));
                }
                correct += predicted[i] == test.label(i) ? 1 : 0;
            }
            System.out.printf("ONNX Runtime, %s H=%d %s: largest probability difference %.2e, accuracy %.4f%n",
                    activation, hidden, precision, worst, correct / (double) n);
            assertTrue(worst <= tolerance, "largest probability difference " + worst);
            assertTrue(correct > 8500, "the trained model should be a real one: " + correct + " of 10000 correct");
        }
    }

    @org.junit.jupiter.api.Test
    void theGraphDeclaresItsInputsAndOutputs() throws Exception {
        Model model = new Model(Initializer.HE.initialize(NetworkShape.mnist(5), 1), Activation.RELU, Map.of());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(OnnxExport.toOnnx(model), new OrtSession.SessionOptions())) {
            assertEquals(java.util.Set.of(OnnxExport.INPUT), session.getInputNames());
            assertEquals(java.util.Set.of(OnnxExport.PROBABILITIES, OnnxExport.PREDICTION), session.getOutputNames());
            ai.onnxruntime.TensorInfo in = (ai.onnxruntime.TensorInfo) session.getInputInfo().get(OnnxExport.INPUT).getInfo();
            assertArrayEquals(new long[] {-1, 784}, in.getShape());
        }
    }

    /** A model worth comparing: 60 full-batch Adam steps on the first 10 000 training rows (no Spark). */
    private static Parameters train(Activation activation, int hidden) {
        DigitBlock rows = InputFiles.firstRows(TestCsv.mnist("mnist_train.csv.gz").toString(), 10_000);
        NetworkShape shape = NetworkShape.mnist(hidden);
        Parameters p = (activation == Activation.RELU ? Initializer.HE : Initializer.XAVIER).initialize(shape, 3);
        Optimizer opt = Optimizer.create(new Optimizer.Settings(Optimizer.Kind.ADAM, 0.9, 0.9, 0.999, 1e-8, 0), shape);
        for (int step = 0; step < 60; step++) {
            GradientSum sum = new GradientSum(shape);
            KernelKind.SIMD.create(p, activation).accumulateGradient(rows, sum);
            opt.step(p.values(), sum.meanGradient(), 0.01);
        }
        return p;
    }
}
