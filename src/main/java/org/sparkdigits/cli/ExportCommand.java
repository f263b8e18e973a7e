package org.sparkdigits.cli;


import org.apache.hadoop.conf.Configuration;
import org.sparkdigits.DigitModel;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.model.OnnxExport;
import org.sparkdigits.spark.Teachers;

import picocli.CommandLine;

/** {@code export}: a model directory as an ONNX file, written atomically. No Spark. */
@CommandLine.Command(name = "export", description = "write a model as an ONNX graph that ONNX Runtime (and other ONNX "
        + "consumers) load")
final class ExportCommand extends ModelCommand {

    @CommandLine.Option(names = "--onnx", paramLabel = "FILE", description = "the ONNX file to write, on any Hadoop file system (opset 13; input pixels "
            + "[N x 784] 0-255, outputs probabilities [N x 10] and prediction [N])")
    String onnx;

    @CommandLine.Option(names = "--precision", paramLabel = "double|float", defaultValue = "double", description = "the "
            + "graph's number type (double: the weights as trained; float: float32 everywhere, what most runtimes prefer) "
            + "[default: ${DEFAULT-VALUE}]")
    String precision;

    @Override
    public Integer call() {
        if (onnx == null) {
            throw new UsageException("export needs --onnx FILE (the ONNX file to write)");
        }
        String target = need(onnx, "--onnx", "FILE");
        String p = precision.trim();
        if (!p.equals("double") && !p.equals("float")) {
            throw new UsageException("--precision must be double or float, got '" + Echo.value(p) + "'");
        }
        Configuration conf = Main.hadoopConf();
        String dir = modelDir();
        DigitModel m = DigitModel.load(dir, conf);
        Outputs.file("--onnx", onnx, conf, java.util.List.of(), dir);
        Outputs.apartFromTeachers("--onnx", onnx, conf, Teachers.recorded(m.model().training()), false);
        byte[] bytes = m.onnx(p.equals("double"));
        AtomicFiles.write(target, "--onnx", conf, bytes);
        out.printf("%s: ONNX opset %d, %s %s network, %d bytes; input '%s' [N x %d] pixel values 0-255, outputs '%s' "
                        + "[N x %d] and '%s' [N]%n", target, OnnxExport.OPSET, p,
                m.parameters().shape() + " " + m.activation().id(), bytes.length, OnnxExport.INPUT,
                m.parameters().shape().inputs(), OnnxExport.PROBABILITIES, m.parameters().shape().classes(),
                OnnxExport.PREDICTION);
        return Main.OK;
    }
}
