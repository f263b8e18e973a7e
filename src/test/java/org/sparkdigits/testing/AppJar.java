package org.sparkdigits.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.sparkdigits.cli.Main;

/** The application jar a test gives spark-submit in cluster deploy mode: the product's compiled classes. */
public final class AppJar {

    private AppJar() {
    }

    /** Writes the classes of {@code target/classes} (what {@code mvn package} puts in the jar, without the shaded libraries) to {@code jar}. */
    public static Path write(Path jar) throws IOException {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf);
             Stream<Path> files = Files.walk(classes)) {
            List<Path> all = files.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
            for (Path p : all) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        return jar;
    }
}
