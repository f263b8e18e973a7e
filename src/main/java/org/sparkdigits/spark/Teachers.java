package org.sparkdigits.spark;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdigits.core.kernel.Distillation;
import org.sparkdigits.core.network.NetworkShape;
import org.sparkdigits.model.Model;
import org.sparkdigits.model.ModelException;
import org.sparkdigits.model.ModelStore;
import org.sparkdigits.train.DistillationSpec;
import org.sparkdigits.train.TrainingSpec;

/**
 * {@code --teacher DIR[,DIR...]}: the teachers' model directories read on the driver (through the Hadoop file
 * system, so in HDFS or an object store as well), checked against the student's inputs and classes, and what the run's
 * settings record of them (each teacher's directory and the SHA-256 of its weights, so a resume with other teachers
 * behind the same paths is refused).
 */
public final class Teachers {

    private static final Logger LOG = LoggerFactory.getLogger(Teachers.class);

    private Teachers() {
    }

    /** The run's distillation, or {@code null} without {@code --teacher}. */
    static Distillation load(TrainingSpec spec, Configuration conf) {
        DistillationSpec d = spec.regularization().distillation();
        if (!d.active()) {
            return null;
        }
        NetworkShape student = spec.network().shape();
        List<Distillation.Teacher> teachers = new ArrayList<>();
        for (String dir : d.teachers()) {
            Model m;
            try {
                m = ModelStore.read(dir, conf);
            } catch (ModelException e) {
                String why = e.getMessage();
                String named = "model " + dir + ": ";   // the directory once
                throw new ModelException("--teacher " + dir + ": " + (why.startsWith(named) ? why.substring(named.length())
                        : why), e);
            }
            NetworkShape s = m.parameters().shape();   // ModelStore checks the inputs of MNIST; this, the student's
            if (s.inputs() != student.inputs() || s.classes() != student.classes()) {
                throw new ModelException("--teacher " + dir + ": a network of " + s.inputs() + " inputs and " + s.classes()
                        + " classes, but the student has " + student.inputs() + " inputs and " + student.classes()
                        + " classes");
            }
            teachers.add(new Distillation.Teacher(m.parameters(), m.activation()));
        }
        if (d.weight() == 0) {
            LOG.warn("--distill-weight 0: the teachers are evaluated every step but do not change the training");
        }
        return new Distillation(teachers, d.temperature(), d.weight(), spec.network().kernel());
    }

    /**
     * The teachers' directories that a model's {@code training} settings (model.json) record, as they were given to
     * {@code train}; none for a model trained without {@code --teacher}.
     */
    public static List<String> recorded(Map<String, Object> training) {
        List<String> dirs = new ArrayList<>();
        if (training != null && training.get("teacher") instanceof List<?> list) {
            for (Object t : list) {
                if (t instanceof Map<?, ?> one && one.get("dir") instanceof String dir && !dir.isBlank()) {
                    dirs.add(dir);
                }
            }
        }
        return dirs;
    }

    /**
     * What the settings (model.json, the checkpoints' fingerprint) record of each teacher in place of its directory:
     * the directory, its shape and the digest of its weights (another model written there is another teacher).
     */
    static List<Map<String, Object>> settings(DistillationSpec spec, Distillation distillation) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < spec.teachers().size(); i++) {
            Distillation.Teacher t = distillation.teachers().get(i);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("dir", spec.teachers().get(i));
            one.put("hidden", t.parameters().shape().hidden());
            one.put("activation", t.activation().id());
            one.put("weights_sha256", digest(t.parameters().values()));
            list.add(one);
        }
        return list;
    }

    private static String digest(double[] values) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(8 * 4096);
            for (int i = 0; i < values.length; i += 4096) {
                buf.clear();
                for (int j = i; j < Math.min(values.length, i + 4096); j++) {
                    buf.putDouble(values[j]);
                }
                buf.flip();
                sha.update(buf);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
