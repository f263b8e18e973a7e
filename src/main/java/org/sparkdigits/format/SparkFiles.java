package org.sparkdigits.format;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameReader;
import org.sparkdigits.data.InputFile;

/** How Spark's file sources are asked for our resolved files, and how the paths they report are matched back. */
public final class SparkFiles {

    private SparkFiles() {
    }

    /** An input file's identity regardless of how it is spelled ({@code file:/x}, {@code file:///x}). */
    public static String key(String path) {
        return new Path(path).toUri().getPath();
    }

    /**
     * The {@link #key} of a path as Spark's {@code _metadata.file_path} gives it: URL-encoded ({@code sp%20ace} for a
     * space; {@code %25} for a percent sign), unlike the decoded paths of {@link InputFile}.
     */
    public static String sparkKey(String encoded) {
        try {
            return new java.net.URI(encoded).getPath();
        } catch (java.net.URISyntaxException e) {
            return key(encoded);
        }
    }

    /** {@code files} by {@link #key}. */
    static Map<String, InputFile> byKey(List<InputFile> files) {
        Map<String, InputFile> m = new HashMap<>();
        for (InputFile f : files) {
            m.put(key(f.path()), f);
        }
        return m;
    }

    /** The paths of {@code files}, for a Spark source. */
    static String[] paths(List<InputFile> files) {
        return files.stream().map(InputFile::path).toArray(String[]::new);
    }

    /**
     * A reader of Spark's file sources that reads its paths as they are named, not as globs (our paths are resolved
     * files already): a {@code [} or {@code *} in a directory or file name is then just a character.
     */
    public static DataFrameReader literal(DataFrameReader reader) {
        return reader.option("__globPaths__", "false");
    }
}
