package org.sparkdigits.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.sparkdigits.io.AtomicFiles;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.Outputs;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.model.OnnxExport;

/** {@code export}: a model directory as an ONNX file, written atomically. No Spark. */
final class ExportCommand {

    private ExportCommand() {
    }

    static int run(Args a, PrintStream out) {
        if (!a.given(Opt.ONNX)) {
            throw new UsageException("export needs --onnx FILE (the ONNX file to write)");
        }
        Path target = Path.of(a.required(Opt.ONNX));
        String precision = a.required(Opt.PRECISION).trim();
        if (!precision.equals("double") && !precision.equals("float")) {
            throw new UsageException("--precision must be double or float, got '" + Echo.value(precision) + "'");
        }
        Configuration conf = Main.hadoopConf();
        Model model = ModelStore.read(a.required(Opt.MODEL), conf);
        Outputs.file("--onnx", a.required(Opt.ONNX), conf, java.util.List.of(), a.required(Opt.MODEL));
        byte[] onnx = OnnxExport.toOnnx(model, precision.equals("double"));
        AtomicFiles.writeBytes(target, onnx);
        out.printf("%s: ONNX opset %d, %s %s network, %d bytes; input '%s' [N x %d] pixel values 0-255, outputs '%s' "
                        + "[N x %d] and '%s' [N]%n", target, OnnxExport.OPSET, precision,
                model.parameters().shape() + " " + model.activation().id(), onnx.length,
                OnnxExport.INPUT, model.parameters().shape().inputs(), OnnxExport.PROBABILITIES,
                model.parameters().shape().classes(), OnnxExport.PREDICTION);
        return 0;
    }
}
