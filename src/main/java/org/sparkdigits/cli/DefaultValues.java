package org.sparkdigits.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.sparkdigits.TrainOption;
import org.sparkdigits.io.Echo;
import org.sparkdigits.io.HadoopFs;

import picocli.CommandLine;

/**
 * The defaults the command line shows and applies: a defaults file ({@code --defaults FILE}; submit.sh passes
 * {@code conf/train.properties}) over the one place defaults live ({@link TrainOption}) over an option's own
 * declaration. A value typed on the command line overrides all of them.
 */
final class DefaultValues implements CommandLine.IDefaultValueProvider {

    /** A defaults file is a few lines; anything larger is not one. */
    static final long MAX_FILE = 1 << 20;

    private final Map<String, String> file;
    private final String source;

    private DefaultValues(Map<String, String> file, String source) {
        this.file = file;
        this.source = source;
    }

    /** No defaults file. */
    static DefaultValues builtIn() {
        return new DefaultValues(Map.of(), null);
    }

    /** The defaults of {@code file} (a missing file is an error; so is a FIFO, a device or a file over 1 MB). */
    static DefaultValues of(Path file) {
        if (Files.exists(file) && (!Files.isRegularFile(file) || size(file) > MAX_FILE)) {
            throw new UsageException("--defaults " + file + ": not a defaults file (" + (Files.isRegularFile(file)
                    ? "larger than " + MAX_FILE + " bytes" : "not a regular file") + ")");
        }
        Properties p = new Properties();
        try (Reader r = new java.io.InputStreamReader(HadoopFs.openLocal(file, "--defaults", MAX_FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UsageException("--defaults " + file + ": cannot read (" + HadoopFs.describe(e) + ")");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k.trim(), p.getProperty(k).trim());
        }
        return new DefaultValues(m, file.toString());
    }

    /** The file's settings, and its name for messages ({@code null} without a file). */
    Map<String, String> file() {
        return file;
    }

    String source() {
        return source;
    }

    /** Refuses a setting that is no option of any command. */
    void checkKeys(Set<String> known) {
        for (String k : file.keySet()) {
            if (!known.contains(k) || k.equals("defaults")) {
                throw new UsageException(source + ": unknown setting '" + Echo.value(k) + "'");
            }
        }
    }

    /**
     * A training option's ({@link SharedOptions}) is the file's value or else {@link TrainOption}'s default; another
     * option's is the file's value or else its own, if it has one of its own.
     */
    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec o) || o.usageHelp() || o.versionHelp()) {
            return null;
        }
        TrainOption t = SharedOptions.trainOption(o);
        String declared = t != null ? t.defaultValue() : o.defaultValue();
        String key = o.longestName().substring(2);
        return file.containsKey(key) && (declared != null || t != null) ? file.get(key) : declared;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }
}
